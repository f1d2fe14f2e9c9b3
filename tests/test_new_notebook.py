"""Adding a notebook takes the steps docs/writing_notebooks.md lists, and no other edit.

The test adds notebook N+1 to a copy of the repository following the doc's steps, then runs the
curriculum, docs and notebook-convention tests there, plus nbval on the new notebook.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course.curriculum import LESSONS
from tests.conftest import ROOT

COPIED = ("course", "notebooks", "docs", "tests", "tools", "README.md", "pyproject.toml",
          "nbval_sanitize.cfg")
NUMBER = len(LESSONS)
SLUG = "a_new_notebook"
FILENAME = f"{NUMBER:02d}_{SLUG}.ipynb"
LAST = LESSONS[-1].number

# Step 1: the lesson, appended to LESSONS (a new part, needs lesson 00, helped by the last one).
NEW_LESSON = f'''    Lesson({NUMBER}, "{SLUG}", "A new notebook", 30, "V. Extensions",
           "add a notebook to the course in the steps the guide lists",
           needs=(0,), helps=({LAST},), key_ideas="a notebook added in one place"),
'''
# Step 2: the self-paced path's last step takes the new lesson too.
LAST_WEEK = f'PathStep("week 6", ({LAST},), "the capstone"),'
LAST_WEEK_WITH_NEW = f'PathStep("week 6", ({LAST}, {NUMBER}), "the capstone"),'

INSTALL_GUARD = '''try:
    import course
except ModuleNotFoundError:
    raise ModuleNotFoundError(
        "The course package is not installed for this kernel. In a terminal, in the course "
        "folder, run:  python3 start.py"
    ) from None'''


def copy_of_the_repository(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=ignore)
        else:
            copy.mkdir(exist_ok=True)
            shutil.copy(source, copy / name)
    return copy


def add_the_lesson(copy: Path) -> None:
    curriculum = copy / "course" / "curriculum.py"
    text = curriculum.read_text(encoding="utf-8")
    end_of_lessons = text.index(")\n\n\ndef lesson(")
    assert LAST_WEEK in text, f"this test extends the self-paced step {LAST_WEEK}: update it"
    text = text[:end_of_lessons] + NEW_LESSON + text[end_of_lessons:]
    curriculum.write_text(text.replace(LAST_WEEK, LAST_WEEK_WITH_NEW), encoding="utf-8")


def write_the_notebook(copy: Path) -> Path:
    """Step 3: the skeleton of docs/writing_notebooks.md, unexecuted."""
    cells = [
        nbformat.v4.new_markdown_cell(
            f"# {NUMBER:02d} · A new notebook\n\nWhy this notebook exists.\n\n"
            "**You will learn** how a notebook joins the course.\n\n"
            f"**Prerequisites:** notebook 00; notebook {LAST:02d} helps.\n\n"
            "**Time:** about 30 minutes."),
        nbformat.v4.new_code_cell(INSTALL_GUARD + '\n\nprint("course package is ready")'),
        nbformat.v4.new_markdown_cell("## 1. A section\n\nA short explanation."),
        nbformat.v4.new_code_cell("from course.curriculum import lesson\n\n"
                                  f"print(lesson({NUMBER}).title)"),
        nbformat.v4.new_markdown_cell("## Recap\n\n- one idea\n\n## Further reading\n\n- a source"),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"},
        "language_info": {"name": "python"},
    })
    path = copy / "notebooks" / FILENAME
    nbformat.write(notebook, path)
    return path


def run(copy: Path, *command: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """A command of the copy, importing the copy's ``course`` (its kernels too)."""
    environment = {**os.environ, "PYTHONPATH": str(copy)}
    return subprocess.run([sys.executable, *command], cwd=copy, env=environment,
                          capture_output=True, text=True, timeout=timeout)


def pytest_in(copy: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return run(copy, "-m", "pytest", "-p", "no:cacheprovider", "--rootdir", str(copy), "-v",
               *arguments)


@pytest.mark.slow
def test_a_new_notebook_needs_only_the_steps_the_guide_lists(tmp_path):
    copy = copy_of_the_repository(tmp_path)
    add_the_lesson(copy)
    write_the_notebook(copy)

    executed = run(copy, "tools/execute_notebooks.py", f"notebooks/{FILENAME}")  # step 5
    assert executed.returncode == 0, executed.stderr[-3000:]

    stale = pytest_in(copy, "tests/test_docs.py", "-k", "generated_tables")
    assert stale.returncode == 1, "the docs test must notice tables the tool has not remade"
    assert "tools/update_docs.py" in stale.stdout

    updated = run(copy, "tools/update_docs.py")  # step 6
    assert updated.returncode == 0, updated.stderr[-3000:]
    readme = (copy / "README.md").read_text(encoding="utf-8")
    assert f"(notebooks/{FILENAME}) | 30 min |" in readme

    # Step 7 (re-executing notebook 00) changes only its stored outputs, which these tests do
    # not compare; nbval runs on the new notebook.
    result = pytest_in(
        copy, "tests/test_curriculum.py", "tests/test_docs.py", "tests/test_notebooks.py",
        f"notebooks/{FILENAME}", "-k", "not test_nbval_fails_when_a_stored_output_is_changed")
    assert result.returncode == 0, result.stdout[-5000:]
    assert FILENAME in result.stdout, "the tests ran on the copy's notebooks"
