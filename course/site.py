"""A static website of the executed course: every notebook as a page, plus a course map.

nbconvert renders each committed notebook with JupyterLab's look (its "lab" template, extended
by ``site_assets/page.html.j2``); plots stay inline as PNG data, so a page needs only the one
shared stylesheet. Links are relative, so the folder works from the file system and any host.

Nothing is loaded from elsewhere (no CDN, works offline): formulas (``$$...$$``, ``$...$``) are
typeset here, by matplotlib's mathtext, into inline SVG images; the lab template's MathJax,
Mermaid and widget scripts are left out. Each notebook's "Further reading" gets links for the
sources it names in a standard form (RFC, FIPS, EIP/ERC, BIP, CVE, arXiv, a site in brackets
such as "(docs.ray.io)"), and its "Next: **NN · Title**" line links the next page. The notebooks
themselves are not changed.

    course site OUT        writes OUT/index.html, OUT/NN_slug.html for each notebook, OUT/static/
"""

from __future__ import annotations

import base64
import html
import io
import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import jinja2
import nbformat
from markupsafe import Markup
from nbconvert import HTMLExporter

from course.curriculum import LEARNING_PATHS, LESSONS, Lesson, total_minutes
from course.notebooks import course_notebooks
from course.paths import PACKAGE_DIR, notebooks_dir
from course.progress import notebook_progress
from course.staging import check_out_path, move_into_place, staging_folder

COURSE_TITLE = "Blockchain & DePIN Skills Lab"
ASSETS_DIR = PACKAGE_DIR / "site_assets"
STYLESHEET = "static/course.css"
INDEX = "index.html"
NOTEBOOK_LINK = re.compile(r'href="(\d\d_\w+)\.ipynb(?=["#])')  # a notebook linking another
DISPLAY_MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$", re.DOTALL)
# $x$ on one line; never an escaped \$, and "$5 and $6" only when not escaped (as JupyterLab)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?=\S)([^$\n]+?)(?<=\S)(?<!\\)\$(?!\$)")
TEX_FOR_MATHTEXT = ((r"\text{", r"\mathrm{"), (r"\operatorname{", r"\mathrm{"))
FURTHER_READING = "## Further reading"
NEXT_LINE = re.compile(r"^Next: \*\*(\d\d) · ([^*\n]+)\*\*", re.MULTILINE)
SOURCES = (  # (a source named in a standard form, where it lives)
    (re.compile(r"\bRFC (\d{3,5})\b"), "https://www.rfc-editor.org/rfc/rfc{0}"),
    (re.compile(r"\bFIPS (\d{2,3}(?:-\d)?)\b"), "https://doi.org/10.6028/NIST.FIPS.{0}"),
    (re.compile(r"\b(?:EIP|ERC)-(\d{1,5})\b"), "https://eips.ethereum.org/EIPS/eip-{0}"),
    (re.compile(r"\bBIP[- ]?(\d{1,4})\b"), "https://github.com/bitcoin/bips/blob/master/bip-{0:0>4}.mediawiki"),
    (re.compile(r"\b(CVE-\d{4}-\d{4,7})\b"), "https://www.cve.org/CVERecord?id={0}"),
    (re.compile(r"\barXiv:(\d{4}\.\d{4,5})\b"), "https://arxiv.org/abs/{0}"),
    (re.compile(r"(?<=\()((?:[a-z0-9-]+\.)+(?:io|org|com|net|dev|xyz|network|ai|foundation)"
                r"(?:/[\w./-]*)?)(?=\))"), "https://{0}"),
)


class SiteError(Exception):
    """The site cannot be written where asked, or a notebook has no lesson in the curriculum."""


@dataclass(frozen=True)
class Page:
    """One notebook of the course and the page it becomes."""

    lesson: Lesson
    notebook: Path

    @property
    def href(self) -> str:
        return Path(self.lesson.filename).with_suffix(".html").name

    @property
    def label(self) -> str:
        return f"{self.lesson.number:02d} · {self.lesson.title}"


def course_pages(notebooks: list[Path] | None = None) -> list[Page]:
    """The pages of the site in curriculum order, one per notebook (default: the whole course).

    Raises:
        SiteError: a notebook's file name matches no lesson of ``course.curriculum.LESSONS``.
    """
    by_filename = {lesson.filename: lesson for lesson in LESSONS}
    paths = course_notebooks() if notebooks is None else list(notebooks)
    unknown = [path.name for path in paths if path.name not in by_filename]
    if unknown:
        raise SiteError(
            f"{', '.join(unknown)}: no lesson with this file name in course.curriculum.LESSONS "
            "(add the lesson there, or rename the notebook)"
        )
    pages = [Page(by_filename[path.name], path) for path in paths]
    return sorted(pages, key=lambda page: page.lesson.number)


def page_exporter() -> HTMLExporter:
    """nbconvert's HTML exporter with the course's page template (lab look, navigation bars)."""
    return HTMLExporter(template_file=str(ASSETS_DIR / "page.html.j2"))


def _link(page: Page | None) -> dict[str, str] | None:
    return None if page is None else {"href": page.href, "label": page.label}


def math_image(tex: str, display: bool) -> str:
    """TeX typeset by matplotlib's mathtext as an inline SVG image (``<img src="data:...">``).

    A formula mathtext cannot typeset stays as its TeX source, in code style.
    """
    import matplotlib as mpl
    from matplotlib.figure import Figure

    source = " ".join(tex.split())
    for old, new in TEX_FOR_MATHTEXT:
        source = source.replace(old, new)
    buffer = io.BytesIO()
    try:
        with mpl.rc_context({"svg.hashsalt": "course-site", "svg.fonttype": "path",
                             "mathtext.fontset": "cm"}):
            figure = Figure()
            figure.text(0, 0, f"${source}$", fontsize=14 if display else 12)
            figure.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.02,
                           transparent=True, metadata={"Date": None, "Creator": None})
    except ValueError:  # mathtext's parse error
        return f"<code>{html.escape(tex.strip())}</code>"
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    kind = "course-math-display" if display else "course-math"
    image = (f'<img class="{kind}" alt="{html.escape(" ".join(tex.split()), quote=True)}" '
             f'src="data:image/svg+xml;base64,{data}">')
    return f'<p class="course-math-block">{image}</p>' if display else image


def typeset_math(markdown: str) -> str:
    """Replace the formulas of a Markdown cell by images typeset here (no MathJax needed)."""
    markdown = DISPLAY_MATH.sub(lambda m: "\n\n" + math_image(m[1], True) + "\n\n", markdown)
    return INLINE_MATH.sub(lambda m: math_image(m[1], False), markdown)


def _source_link(url: str, match: re.Match[str]) -> str:
    return f"[{match[0]}]({url.format(match[1].rstrip('.'))})"


def link_sources(markdown: str, hrefs: dict[int, str]) -> str:
    """Links for a cell's "Further reading" sources and its "Next" line (``hrefs``: the pages
    of the site by lesson number)."""
    head, found, reading = markdown.partition(FURTHER_READING)
    if found:
        for pattern, url in SOURCES:
            reading = pattern.sub(partial(_source_link, url), reading)
        markdown = head + found + reading

    def next_link(match: re.Match[str]) -> str:
        href = hrefs.get(int(match[1]))
        return f"Next: [**{match[1]} · {match[2]}**]({href})" if href else match[0]

    return NEXT_LINE.sub(next_link, markdown)


def for_the_site(notebook: nbformat.NotebookNode, hrefs: dict[int, str]) -> None:
    """Typeset the formulas and link the sources of every Markdown cell, in memory."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = link_sources(typeset_math(cell.source), hrefs)


def render_page(page: Page, previous: Page | None, following: Page | None,
                exporter: HTMLExporter, hrefs: dict[int, str] | None = None) -> str:
    """One notebook as HTML: its cells and outputs, a navigation bar above and below.

    ``hrefs``: the site's pages by lesson number, for the "Next" line (default: none linked).
    """
    notebook = nbformat.read(page.notebook, as_version=4)
    for_the_site(notebook, hrefs or {})
    nav = {
        "course": COURSE_TITLE,
        "stylesheet": STYLESHEET,
        "number": page.lesson.number,
        "part": page.lesson.part,
        "minutes": page.lesson.minutes,
        "prev": _link(previous),
        "next": _link(following),
    }
    resources = {"metadata": {"name": f"{page.label} · {COURSE_TITLE}"}, "course_page": nav}
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    return NOTEBOOK_LINK.sub(r'href="\1.html', body)  # links between notebooks stay in the site


def stylesheet(exporter: HTMLExporter) -> str:
    """JupyterLab's notebook CSS (light theme) from nbconvert's own files, then the site's CSS."""
    environment = exporter.environment
    lab = [environment.loader.get_source(environment, f"static/{name}")[0]
           for name in ("index.css", "theme-light.css")]
    return "\n".join([*lab, (ASSETS_DIR / "site.css").read_text(encoding="utf-8")])


def with_code(text: str) -> Markup:
    """Escape ``text`` for HTML and show its `backtick` spans as code, as the README does."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text)))


def render_index(pages: list[Page]) -> str:
    """The home page: every lesson by part (linked once it has a page), the learning paths, then
    each notebook's exercises and how a learner sees their own progress (``course progress``)."""
    hrefs = {page.lesson.number: page.href for page in pages}

    def entry(lesson: Lesson) -> dict[str, object]:
        return {"number": lesson.number, "title": lesson.title, "minutes": lesson.minutes,
                "outcome": with_code(lesson.outcome), "href": hrefs.get(lesson.number)}

    by_number = {lesson.number: lesson for lesson in LESSONS}
    parts: dict[str, list[dict[str, object]]] = {}
    for lesson in LESSONS:
        parts.setdefault(lesson.part, []).append(entry(lesson))
    paths = [
        {"name": path.name, "audience": path.audience,
         "steps": [{"when": step.when, "what": with_code(step.what),
                    "lessons": [entry(by_number[n]) for n in step.lessons]}
                   for step in path.steps]}
        for path in LEARNING_PATHS
    ]
    exercises = [{"label": page.label, "href": page.href,
                  "names": [name for name, _ in notebook_progress(page.notebook).exercises]}
                 for page in pages]
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(ASSETS_DIR), autoescape=True,
                                     keep_trailing_newline=True)
    return environment.get_template("index.html.j2").render(
        course=COURSE_TITLE, stylesheet=STYLESHEET, lessons=LESSONS,
        hours=round(total_minutes() / 60), parts=list(parts.items()), paths=paths,
        exercises=[entry for entry in exercises if entry["names"]],
    )


def build_site(notebooks: list[Path] | None = None) -> dict[str, str]:
    """Every file of the site, in memory: relative path -> text (nothing is written)."""
    pages = course_pages(notebooks)
    exporter = page_exporter()
    files = {INDEX: render_index(pages), STYLESHEET: stylesheet(exporter)}
    hrefs = {page.lesson.number: page.href for page in pages}
    for index, page in enumerate(pages):
        previous = pages[index - 1] if index > 0 else None
        following = pages[index + 1] if index + 1 < len(pages) else None
        files[page.href] = render_page(page, previous, following, exporter, hrefs)
    return files


def check_out_dir(out_dir: Path, force: bool) -> None:
    """Refuse the course's notebooks folder, a path that cannot be a folder (a file, under a
    file, unwritable: ``OutPathError``), and a non-empty folder unless forced."""
    out, notebooks = out_dir.resolve(), notebooks_dir().resolve()
    if out == notebooks or notebooks in out.parents:
        raise SiteError(
            f"{out_dir} is the course's notebooks folder or inside it ({notebooks}): "
            "write the site elsewhere, e.g. site/ (git ignores it)"
        )
    check_out_path(out_dir, "folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not force:
        raise SiteError(
            f"{out_dir} is not empty: use --force to write the site over what is there "
            "(other files in it are left alone)"
        )


@dataclass(frozen=True)
class WrittenSite:
    """What ``write_site`` wrote: the home page, one page per notebook, and the size in bytes."""

    index: Path
    pages: tuple[Path, ...]
    size_bytes: int


def write_site(out_dir: Path, notebooks: list[Path] | None = None,
               force: bool = False) -> WrittenSite:
    """Build the site of the course (default: every notebook), then write it into ``out_dir``.

    Every page is rendered, then written into a staging folder, then moved into place, so a
    failure (a full disk) leaves ``out_dir`` as it was.

    Raises:
        OutPathError: ``out_dir`` is a file, lies under a file, or cannot be written in.
        SiteError: ``out_dir`` is (inside) the notebooks folder or is not empty and ``force``
            is false; or a notebook has no lesson in the curriculum.
    """
    out_dir = Path(out_dir)
    check_out_dir(out_dir, force)
    pages = course_pages(notebooks)
    files = build_site(notebooks)
    with staging_folder(out_dir if out_dir.is_dir() else out_dir.parent) as staging:
        for relative, text in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))  # bytes: the same "\n" line ends everywhere
        move_into_place(staging, out_dir)
    return WrittenSite(
        index=out_dir / INDEX,
        pages=tuple(out_dir / page.href for page in pages),
        size_bytes=sum(len(text.encode("utf-8")) for text in files.values()),
    )
