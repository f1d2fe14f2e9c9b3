"""Grade a learner's notebook: run a copy top to bottom and read every check's outcome.

The notebook runs in a fresh kernel, in memory (the file is never written), with errors
allowed so that one broken cell does not hide the checks before it. A last cell, added to the
copy, hands over ``course.exercises.RESULTS`` (the latest outcome of every check) as JSON.

    course check NOTEBOOK     prints a table: passed / not yet / not done, per exercise
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from course.display import Table
from course.exercises import FAILED, NOT_DONE, PASSED, SYMBOLS, Exercise, Outcome

RESULTS_MIME = "application/vnd.course.results+json"
COLLECT_RESULTS = f"""\
# Added by `course check`: hand over the latest outcome of every check.
import course.exercises
from IPython.display import display

display({{"{RESULTS_MIME}": [vars(outcome) for outcome in course.exercises.RESULTS.values()]}},
        raw=True)
"""
CHECK_CALL = re.compile(r"^\s*check_(\w+)\(", re.MULTILINE)
OUTCOME_LINE = re.compile(  # what Exercise.__call__ prints: "✅ flip_bit: passed. message"
    rf"^[{''.join(SYMBOLS.values())}] (\w+): ({PASSED}|{FAILED}|{NOT_DONE})\. (.*)$", re.MULTILINE
)


class NotebookNotGradable(Exception):
    """The notebook cannot be read or run at all (missing, not a notebook, no kernel)."""


@dataclass(frozen=True)
class CellError:
    """A cell of the learner's notebook that raised: where, and what."""

    cell: int  # counted from 1, markdown cells included, as they appear in JupyterLab
    error: str
    message: str
    first_line: str

    def __str__(self) -> str:
        return f"cell {self.cell} ({self.first_line!r}) raised {self.error}: {self.message}"


@dataclass(frozen=True)
class Grade:
    """Every exercise's outcome (in notebook order) and the cells that raised."""

    notebook: Path
    outcomes: tuple[Outcome, ...]
    errors: tuple[CellError, ...]

    @property
    def all_passed(self) -> bool:
        """True when there are exercises, every one passed, and no cell raised."""
        return bool(self.outcomes) and not self.errors and all(o.passed for o in self.outcomes)

    def table(self) -> Table:
        rows = [(o.exercise, f"{SYMBOLS[o.status]} {o.status}") for o in self.outcomes]
        return Table(("exercise", "result"), rows, title=f"{self.notebook}")

    def report(self) -> str:
        """The table, then what is off (one line per exercise not passed, per error), a total."""
        lines = [str(self.table()), ""]
        lines += [str(o) for o in self.outcomes if not o.passed]
        lines += [f"⚠️ {error}" for error in self.errors]
        passed = sum(o.passed for o in self.outcomes)
        total = f"{passed} of {len(self.outcomes)} exercises passed"
        if not self.outcomes:
            total = "No exercise checks found in this notebook"
        if self.errors:
            total += f"; {len(self.errors)} cell(s) raised an error"
        return "\n".join([*lines, total + "."])


def grade(path: Path, cell_timeout: int = 120, kernel_name: str = "python3") -> Grade:
    """Run a copy of the notebook at ``path`` and grade it.

    Raises:
        NotebookNotGradable: the file is missing or not a notebook, or no kernel starts.
    """
    path = Path(path)
    notebook = _read(path)
    expected = _expected_exercises(path, notebook)
    for cell in notebook.cells:  # saved outputs would pass for outcomes of this run
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    notebook.cells.append(nbformat.v4.new_code_cell(COLLECT_RESULTS))
    collector = len(notebook.cells) - 1
    errors: dict[int, CellError] = {}
    running = [0]

    def on_start(cell: nbformat.NotebookNode, cell_index: int) -> None:
        running[0] = cell_index

    def on_error(cell: nbformat.NotebookNode, cell_index: int, execute_reply: dict) -> None:
        content = execute_reply["content"]
        errors[cell_index] = _cell_error(notebook, cell_index, content.get("ename", "Error"),
                                         content.get("evalue", ""))

    client = NotebookClient(
        notebook,
        timeout=cell_timeout,
        kernel_name=kernel_name,
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={
            "ename": "Timeout",
            "evalue": f"the cell ran longer than {cell_timeout} s and was interrupted",
            "traceback": [],
        },
        on_cell_start=on_start,
        on_cell_error=on_error,
        resources={"metadata": {"path": str(path.resolve().parent)}},
    )
    try:
        client.execute()
    except DeadKernelError:
        died = "the kernel died (out of memory?); the cells below did not run"
        errors[running[0]] = _cell_error(notebook, running[0], "DeadKernelError", died)
    except Exception as error:  # e.g. no kernel could start: nothing ran
        raise NotebookNotGradable(
            f"could not run {path}: {type(error).__name__}: {error}"
        ) from None
    if collector in errors:
        raise NotebookNotGradable(
            f"could not collect the results of {path}: {errors[collector].error}: "
            f"{errors[collector].message} (is the course package installed for this kernel?)"
        )
    found = _collected(notebook.cells[collector]) or _printed(notebook.cells[:collector])
    outcomes = [found.pop(name) if name in found else _not_run(name) for name in expected]
    outcomes += found.values()  # checks that ran although the source did not show them
    return Grade(path, tuple(outcomes), tuple(errors[i] for i in sorted(errors)))


def _cell_error(notebook: nbformat.NotebookNode, index: int, error: str, message: str) -> CellError:
    first_line = (notebook.cells[index].source.strip().splitlines() or [""])[0]
    return CellError(index + 1, error, message, first_line[:60])


def _read(path: Path) -> nbformat.NotebookNode:
    if not path.is_file():
        raise NotebookNotGradable(f"no notebook at {path}")
    try:
        return nbformat.read(path, as_version=4)
    except Exception as error:  # not JSON, not a notebook, an unknown format version
        raise NotebookNotGradable(
            f"{path} is not a Jupyter notebook ({type(error).__name__}: {error})"
        ) from None


def _expected_exercises(path: Path, notebook: nbformat.NotebookNode) -> list[str]:
    """Exercises the notebook should have: its check calls, then its chapter's other checks."""
    names: list[str] = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            names += [n for n in CHECK_CALL.findall(cell.source) if n not in names]
    slug = re.match(r"\d\d_(\w+?)(?:[-. ].*)?\.ipynb$", path.name)
    module = f"course.exercises.{slug.group(1)}" if slug else None
    if module and importlib.util.find_spec(module) is not None:
        checks = vars(importlib.import_module(module)).values()
        names += [c.name for c in checks if isinstance(c, Exercise) and c.name not in names]
    return names


def _collected(cell: nbformat.NotebookNode) -> dict[str, Outcome]:
    for output in cell.get("outputs", []):
        if RESULTS_MIME in output.get("data", {}):
            data = output["data"][RESULTS_MIME]
            data = json.loads(data) if isinstance(data, str) else data
            return {item["exercise"]: Outcome(**item) for item in data}
    return {}


def _printed(cells: list[nbformat.NotebookNode]) -> dict[str, Outcome]:
    """The outcomes the check cells printed: used when the kernel died before the last cell."""
    found: dict[str, Outcome] = {}
    for cell in cells:
        for output in cell.get("outputs", []):
            for name, status, message in OUTCOME_LINE.findall(output.get("text", "")):
                found[name] = Outcome(name, status, message)
    return found


def _not_run(name: str) -> Outcome:
    return Outcome(name, NOT_DONE, f"check_{name} did not run: its cell is missing, or an "
                   "error stopped the cells before it.")
