"""The course website: a page per committed notebook with its plots, navigation in curriculum
order, an index of every lesson, relative links that resolve, and byte-identical rebuilds."""

import html
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from course.curriculum import LEARNING_PATHS, LESSONS
from course.notebooks import course_notebooks
from course.paths import REPO_ROOT, notebooks_dir
from course.site import (
    INDEX,
    STYLESHEET,
    SiteError,
    build_site,
    course_pages,
    link_sources,
    render_index,
    typeset_math,
    write_site,
)
from course.staging import OutPathError

NOTEBOOKS = course_notebooks()


class Links(HTMLParser):
    """Every href/src of a page, and the prev/next links of its navigation bars."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.rel: dict[str, list[str]] = {"prev": [], "next": []}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.urls += [attrs[name] for name in ("href", "src") if attrs.get(name)]
        if tag == "a" and attrs.get("rel") in self.rel:
            self.rel[attrs["rel"]].append(attrs["href"])


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site of the whole course, written once for this module: (folder, what was written)."""
    out = tmp_path_factory.mktemp("site")
    return out, write_site(out)


def page_name(notebook: Path) -> str:
    return notebook.with_suffix(".html").name


def test_the_site_has_an_index_a_stylesheet_and_a_page_per_notebook(site):
    out, written = site
    files = {path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file()}
    assert files == {INDEX, STYLESHEET, *(page_name(path) for path in NOTEBOOKS)}
    assert written.index == out / INDEX
    assert [path.name for path in written.pages] == [page_name(path) for path in NOTEBOOKS]


def test_every_relative_link_of_every_page_resolves_to_a_file_of_the_site(site):
    out, _ = site
    for page in out.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert str(REPO_ROOT) not in text, f"{page.name} names a path of this machine"
        for url in Links(text).urls:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path:  # https:, data:, #anchor
                continue
            assert (out / unquote(parts.path)).is_file(), f"{page.name} links to missing {url}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_each_page_has_its_title_every_plot_inline_and_solutions_folded(site, notebook):
    out, _ = site
    lesson = next(entry for entry in LESSONS if entry.filename == notebook.name)
    page = (out / page_name(notebook)).read_text(encoding="utf-8")
    cells = nbformat.read(notebook, as_version=4).cells
    plots = sum("image/png" in output.get("data", {})
                for cell in cells if cell.cell_type == "code" for output in cell.outputs)
    solutions = sum("solution" in cell.metadata.get("tags", []) for cell in cells
                    if cell.cell_type == "code")  # a tagged markdown cell is text about it
    assert html.escape(lesson.title) in page
    assert page.count('src="data:image/png;base64,') == plots
    assert page.count('<details class="course-solution">') == solutions


def test_previous_and_next_follow_the_curriculum_and_every_page_links_home(site):
    out, _ = site
    order = [page_name(path) for path in NOTEBOOKS]
    assert order == [page.href for page in course_pages()]  # pages in lesson-number order
    for index, name in enumerate(order):
        text = (out / name).read_text(encoding="utf-8")
        links = Links(text)
        expected_prev = [order[index - 1]] * 2 if index > 0 else []  # top and bottom bars
        expected_next = [order[index + 1]] * 2 if index + 1 < len(order) else []
        assert links.rel == {"prev": expected_prev, "next": expected_next}, name
        assert links.urls.count(INDEX) == 2, name


def test_the_index_links_every_ready_lesson_and_lists_planned_ones_without_a_link(site):
    out, _ = site
    index = (out / INDEX).read_text(encoding="utf-8")
    ready = {path.name for path in NOTEBOOKS}
    for lesson in LESSONS:
        link = f'<a href="{page_name(Path(lesson.filename))}">{html.escape(lesson.title)}</a>'
        assert html.escape(lesson.title) in index
        assert (link in index) == (lesson.filename in ready), lesson.title
    for path in LEARNING_PATHS:
        assert html.escape(path.name) in index


def test_a_lesson_without_a_notebook_is_listed_as_planned():
    index = render_index(course_pages(NOTEBOOKS[:1]))
    assert 'href="01_hashing_and_merkle_trees.html"' not in index
    assert "Hashing and Merkle trees" in index
    assert index.count("planned</span>") == len(LESSONS) - 1


def test_two_builds_give_byte_identical_files(site):
    out, _ = site
    again = build_site()
    assert {name: text.encode("utf-8") for name, text in again.items()} == {
        name: (out / name).read_bytes() for name in again
    }


def test_links_between_notebooks_point_to_their_pages(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "# 00 · Start here\n\nNext: [hashing](01_hashing_and_merkle_trees.ipynb#1.-A-hash)."
    )])
    source = tmp_path / "00_start_here.ipynb"
    nbformat.write(notebook, source)
    page = build_site([source])["00_start_here.html"]
    assert 'href="01_hashing_and_merkle_trees.html#1.-A-hash"' in page


def test_a_notebook_missing_from_the_curriculum_is_refused(tmp_path):
    stray = tmp_path / "99_extra_lesson.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), stray)
    with pytest.raises(SiteError, match="99_extra_lesson.ipynb: no lesson"):
        course_pages([stray])


@pytest.mark.parametrize("inside", [".", "site"])
def test_the_site_is_never_written_into_the_notebooks_folder(inside):
    target = notebooks_dir() / inside
    with pytest.raises(SiteError, match="the course's notebooks folder or inside it"):
        write_site(target, force=True)
    assert not (notebooks_dir() / "site").exists()
    assert not (notebooks_dir() / INDEX).exists()


def test_a_folder_that_is_not_empty_needs_force(tmp_path):
    keep = tmp_path / "notes.txt"
    keep.write_text("mine")
    with pytest.raises(SiteError, match=f"{tmp_path} is not empty: use --force"):
        write_site(tmp_path)
    assert sorted(tmp_path.iterdir()) == [keep]
    written = write_site(tmp_path, notebooks=NOTEBOOKS[:1], force=True)
    assert written.pages == (tmp_path / page_name(NOTEBOOKS[0]),)
    assert keep.read_text() == "mine" and (tmp_path / INDEX).is_file()


def test_a_file_is_not_a_site_folder(tmp_path):
    file = tmp_path / "site.html"
    file.write_text("")
    with pytest.raises(OutPathError, match="is a file, not a folder"):
        write_site(file, force=True)


@pytest.mark.parametrize("existing", [False, True], ids=["new-folder", "forced-into-a-folder"])
def test_a_full_disk_leaves_the_site_folder_as_it_was(tmp_path, monkeypatch, existing):
    out = tmp_path / "site"
    if existing:
        out.mkdir()
        (out / INDEX).write_text("the old index")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    real_write = Path.write_bytes

    def fill_the_disk(path, data):
        if path.name != INDEX:  # the index goes first: the stylesheet finds the disk full
            raise OSError(28, "No space left on device")
        return real_write(path, data)

    monkeypatch.setattr(Path, "write_bytes", fill_the_disk)
    with pytest.raises(OSError, match="No space left"):
        write_site(out, notebooks=NOTEBOOKS[:1], force=True)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.rglob("*")) == (["index.html", "site"] if existing
                                                             else [])


def test_course_site_writes_the_website_and_says_where(course_cli, tmp_path):
    out = tmp_path / "course-site"
    done = subprocess.run([*course_cli, "site", str(out)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (f"Wrote the course website to {out}: index.html and {len(NOTEBOOKS)} notebook pages"
            in done.stdout)
    assert f"Open {out / INDEX} in a browser" in done.stdout
    assert (out / INDEX).is_file()
    again = subprocess.run([*course_cli, "site", str(out)], capture_output=True, text=True,
                           cwd=tmp_path, timeout=120)
    assert again.returncode == 1
    assert f"course: {out} is not empty: use --force" in again.stderr


class Resources(HTMLParser):
    """What a page loads: script, stylesheet, image, frame and media addresses."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.loaded: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "video", "audio", "embed") and \
                attrs.get("src"):
            self.loaded.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.loaded.append(attrs["href"])


def test_no_page_loads_anything_from_elsewhere_so_the_site_works_offline(site):
    out, _ = site
    for page in out.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        external = [url for url in Resources(text).loaded
                    if urlsplit(url).scheme not in ("", "data") or url.startswith("//")]
        assert external == [], f"{page.name} loads {external}"
        assert "mathjax" not in text.lower().replace("mathjax_", ""), page.name
        assert "$$" not in text, f"{page.name} has a formula left for MathJax"


def test_formulas_are_typeset_into_inline_svg_with_their_tex_as_alt_text(site):
    out, _ = site
    page = (out / "06_consensus_and_attacks.html").read_text(encoding="utf-8")
    assert page.count('src="data:image/svg+xml;base64,') >= 1
    assert 'alt="P(q, z) = 1 - \\sum_{k=0}^{z}' in page


def test_math_is_typeset_but_escaped_dollars_and_bad_tex_are_left_as_text():
    assert typeset_math("area $x^2$ here").count('<img class="course-math"') == 1
    assert typeset_math(r"buy \$50 and \$60 of it") == r"buy \$50 and \$60 of it"
    assert "<code>\\frac{1}</code>" in typeset_math("$$\\frac{1}$$")
    assert typeset_math(math := "$$\\text{real} = 1$$").count("course-math-display") == 1, math


def test_further_reading_sources_and_the_next_line_get_links():
    markdown = ("CVE-2012-2459 in the recap stays text.\n\n## Further reading\n\n"
                "- RFC 6962 (2013); NIST, *FIPS 180-4* (2015); EIP-1559, ERC-20 and BIP 32;\n"
                "- CVE-2012-2459; arXiv:2106.01234; Ray documentation (docs.ray.io).\n\n"
                "Next: **02 · Keys and signatures**.")
    linked = link_sources(markdown, {2: "02_keys_and_signatures.html"})
    assert linked.startswith("CVE-2012-2459 in the recap stays text.")
    for link in ("[RFC 6962](https://www.rfc-editor.org/rfc/rfc6962)",
                 "[FIPS 180-4](https://doi.org/10.6028/NIST.FIPS.180-4)",
                 "[EIP-1559](https://eips.ethereum.org/EIPS/eip-1559)",
                 "[ERC-20](https://eips.ethereum.org/EIPS/eip-20)",
                 "[BIP 32](https://github.com/bitcoin/bips/blob/master/bip-0032.mediawiki)",
                 "[CVE-2012-2459](https://www.cve.org/CVERecord?id=CVE-2012-2459)",
                 "[arXiv:2106.01234](https://arxiv.org/abs/2106.01234)",
                 "([docs.ray.io](https://docs.ray.io))",
                 "Next: [**02 · Keys and signatures**](02_keys_and_signatures.html)."):
        assert link in linked
    assert link_sources("Next: **11 · DeFi risk lab**.", {}) == "Next: **11 · DeFi risk lab**."


def test_each_pages_next_line_links_the_next_page(site):
    out, _ = site
    order = [page_name(path) for path in NOTEBOOKS]
    for name, following in zip(order, order[1:], strict=False):
        text = (out / name).read_text(encoding="utf-8")
        if "Next: <" in text or "Next: **" in text:
            assert f'Next: <a href="{following}"><strong>' in text, name


def test_the_index_lists_each_notebooks_exercises_and_how_to_see_your_progress(site):
    out, _ = site
    index = (out / INDEX).read_text(encoding="utf-8")
    assert 'id="progress"' in index and "course progress --dir FOLDER" in index
    assert "<code>flip_bit</code>, <code>leading_zero_bits</code>" in index
