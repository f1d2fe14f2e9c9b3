"""The committed notebooks are clean, their exercises follow the course conventions, and the
nbval setup really compares outputs (a changed output fails)."""

import json
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from course.notebooks import course_notebooks
from tests.conftest import ROOT

NOTEBOOKS = course_notebooks()
ids = [path.name for path in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_notebook_is_committed_executed_with_counts_in_order(path):
    cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    assert [c.execution_count for c in cells] == list(range(1, len(cells) + 1))
    assert any(c.outputs for c in cells), "commit the notebook executed, with its outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_notebook_has_no_errors_machine_paths_or_object_addresses(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"error output in: {cell.source[:80]}"
            text = json.dumps({k: v for k, v in output.items() if k != "data"})
            text += json.dumps(output.get("data", {}).get("text/plain", ""))
            assert not re.search(r"/(home|root|Users|work|tmp)/", text), text[:300]
            assert not re.search(r" at 0x[0-9a-f]{6,}>", text), text[:300]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_notebook_metadata_is_trimmed_and_file_is_small(path):
    notebook = nbformat.read(path, as_version=4)
    assert set(notebook.metadata) <= {"kernelspec", "language_info"}
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    for cell in notebook.cells:
        assert set(cell.metadata) <= {"tags", "jupyter", "collapsed"}
    assert path.stat().st_size < 500_000, "keep notebooks small: fewer/smaller figures"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_solutions_are_marked_collapsed_and_checked(path):
    notebook = nbformat.read(path, as_version=4)
    solution_cells = [c for c in notebook.cells if "### BEGIN SOLUTION" in c.source]
    for cell in solution_cells:
        assert cell.source.count("### BEGIN SOLUTION") == cell.source.count("### END SOLUTION")
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, "start collapsed"
        assert "solution" in cell.metadata.get("tags", [])
        printed = "".join(o.get("text", "") for o in cell.outputs)
        assert "✅" in printed, "a solution cell runs its check and passes"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_first_code_cell_explains_a_missing_course_package(path):
    first_code = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    assert "import course" in first_code.source
    assert "except ModuleNotFoundError" in first_code.source
    assert "python3 start.py" in first_code.source


def run_nbval(notebook_path, cwd):
    """pytest --nbval on one notebook, with the same options as the suite, isolated from it."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--nbval",
         "--nbval-current-env", f"--nbval-sanitize-with={ROOT / 'nbval_sanitize.cfg'}",
         "--rootdir", str(cwd), "-q", notebook_path.name],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )


def _outside_code_and_display_math(text: str) -> str:
    text = re.sub(r"```.*?```", "", text, flags=re.S)  # fenced code
    text = re.sub(r"`[^`]*`", "", text)  # inline code
    return re.sub(r"\$\$.*?\$\$", "", text, flags=re.S)  # display math, on purpose


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_every_dollar_sign_shows_as_a_dollar_sign(path):
    """JupyterLab typesets text between two `$` as LaTeX math ("$5 and $10" becomes italic
    garbage): in markdown cells and Markdown outputs a dollar is written `\\$`."""
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        texts = [cell.source] if cell.cell_type == "markdown" else [
            "".join(output.get("data", {}).get("text/markdown", ""))
            for output in cell.get("outputs", [])]
        for text in texts:
            bare = re.search(r"(?<!\\)\$", _outside_code_and_display_math(text))
            assert bare is None, f"cell {index}: an unescaped $ near {text[:80]!r}"


def test_the_dollar_rule_finds_a_bare_dollar_and_passes_an_escaped_one():
    assert re.search(r"(?<!\\)\$", _outside_code_and_display_math("costs $5 or $10"))
    for fine in ("costs \\$5", "`print('$5')`", "$$x^2$$", "```\nx = '$'\n```"):
        assert not re.search(r"(?<!\\)\$", _outside_code_and_display_math(fine)), fine


def test_nbval_fails_when_a_stored_output_is_changed(tmp_path):
    source = ROOT / "notebooks" / "00_start_here.ipynb"
    unchanged = tmp_path / "unchanged" / source.name
    changed = tmp_path / "changed" / source.name
    for copy in (unchanged, changed):
        copy.parent.mkdir()
        shutil.copy(source, copy)

    notebook = nbformat.read(changed, as_version=4)
    cell = next(c for c in notebook.cells if c.cell_type == "code" and c.outputs
                and c.outputs[0].output_type == "stream" and not c.metadata.get("tags"))
    cell.outputs[0].text = "a line the notebook never printed\n" + cell.outputs[0].text
    nbformat.write(notebook, changed)

    assert run_nbval(unchanged, unchanged.parent).returncode == 0
    result = run_nbval(changed, changed.parent)
    assert result.returncode == 1
    assert "a line the notebook never printed" in result.stdout and "1 failed" in result.stdout
