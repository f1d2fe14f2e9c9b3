"""Grade a learner's notebook: run it in a fresh kernel and check every answer it names.

    course check NOTEBOOK     prints a table: passed / not yet / not done, per exercise
    course grade FOLDER       the same for a whole class, into a gradebook (course/gradebook.py)

How a notebook is run:

- in a temporary copy of its folder (course/workspace.py), so the learner's files and the
  folders around them stay as they were whatever the notebook deletes; the notebook itself is
  run from memory, with its saved outputs cleared (a pasted ✅ counts for nothing);
- in a fresh kernel with a memory limit and a deadline it cannot ignore: each cell may run
  ``cell_timeout`` seconds, the whole notebook ``timeout`` seconds; a cell past its time is
  interrupted, and the kernel is killed if the cell swallows the interrupt
  (course/kernel_session.py); what was found before that is kept;
- with errors allowed, so one broken cell does not hide the checks before it.

Where the outcomes come from: not from ``course.exercises.RESULTS`` nor from the lines the
check calls print (the notebook can write both), but from the grader's own step after each
cell that calls a check: a private copy of the check, run on the answer the call names, its
outcome signed with a key the notebook never saw (course/check_channel.py says how, and what a
notebook written against the grader could still do).
"""

from __future__ import annotations

import ast
import asyncio
import re
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import nbformat

from course.check_channel import opening_source, read_key, read_outcome, step_source
from course.display import Table
from course.exercises import FAILED, NOT_DONE, SYMBOLS, Outcome
from course.kernel_session import CellRun, CellStatus, KernelSession
from course.paths import PACKAGE_DIR
from course.workspace import WorkspaceTooBig, copy_workspace

EXERCISES_DIR = PACKAGE_DIR / "exercises"
OPENING_SECONDS = 120  # importing the checks (torch, web3) on a busy machine
CHAPTER = re.compile(r"\d\d_(\w+?)(?:[-. ].*)?\.ipynb$")  # 01_hashing...-Copy1.ipynb


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
    """Every exercise's outcome (in notebook order), the cells that raised, and notes on the run
    (such as: it ran out of time before the last cells)."""

    notebook: Path
    outcomes: tuple[Outcome, ...]
    errors: tuple[CellError, ...]
    notes: tuple[str, ...] = ()

    @property
    def all_passed(self) -> bool:
        """True when there are exercises, every one passed, and no cell raised."""
        return bool(self.outcomes) and not self.errors and all(o.passed for o in self.outcomes)

    @property
    def passed(self) -> int:
        return sum(o.passed for o in self.outcomes)

    def table(self) -> Table:
        rows = [(o.exercise, f"{SYMBOLS[o.status]} {o.status}") for o in self.outcomes]
        return Table(("exercise", "result"), rows, title=f"{self.notebook}")

    def report(self) -> str:
        """The table, then what is off (one line per exercise not passed, per error), a total."""
        lines = [str(self.table()), ""]
        lines += [str(o) for o in self.outcomes if not o.passed]
        lines += [f"⚠️ {error}" for error in self.errors]
        lines += [f"ℹ️ {note}" for note in self.notes]
        total = f"{self.passed} of {len(self.outcomes)} exercises passed"
        if not self.outcomes:
            total = "No exercise checks found in this notebook"
        if self.errors:
            total += f"; {len(self.errors)} cell(s) raised an error"
        return "\n".join([*lines, total + "."])


@dataclass(frozen=True)
class Limits:
    """How long and how big a graded notebook may run."""

    timeout: float = 600  # seconds for the whole notebook (the kernel's start not counted)
    cell_timeout: float = 120  # seconds for one cell
    memory_gb: float | None = 4  # the kernel's data segment; None: no limit


def grade(path: Path, cell_timeout: float = 120, kernel_name: str = "python3",
          limits: Limits | None = None, root: Path | None = None) -> Grade:
    """Run the notebook at ``path`` in a temporary copy of ``root`` (default: its folder), grade it.

    ``cell_timeout`` is used when ``limits`` is not given.

    Raises:
        NotebookNotGradable: the file is missing or not a notebook, its folder is too big to
            copy, no kernel starts, or the checks cannot be loaded in the kernel.
    """
    limits = limits or Limits(cell_timeout=cell_timeout)
    return asyncio.run(grade_async(Path(path), limits, kernel_name, root))


async def grade_async(path: Path, limits: Limits, kernel_name: str = "python3",
                      root: Path | None = None) -> Grade:
    notebook = _read(path)
    calls = [_check_calls(cell.source) if cell.cell_type == "code" else []
             for cell in notebook.cells]
    expected = _expected_exercises(path, notebook, calls)
    modules = sorted({check_index()[check][0] for cell in calls for check, _ in cell}
                     | {module for module, _ in _chapter_checks(path)})
    with tempfile.TemporaryDirectory(prefix="course-grade-") as temporary:
        try:
            copy = copy_workspace(path, root or path.parent, Path(temporary))
        except WorkspaceTooBig as error:
            raise NotebookNotGradable(str(error)) from None
        memory = None if limits.memory_gb is None else int(limits.memory_gb * 1024**3)
        session = KernelSession(copy.parent, Path(temporary) / "kernel.log", memory,
                                kernel_name, env={"PYTHONSAFEPATH": "1"})
        try:
            async with session as kernel:
                found, errors, notes = await _run(kernel, notebook, calls, modules, limits, path)
        except NotebookNotGradable:
            raise
        except Exception as error:  # e.g. no kernel could start: nothing ran
            raise NotebookNotGradable(
                f"could not run {path}: {type(error).__name__}: {error}") from None
    outcomes = [found.pop(name) if name in found else _not_run(name) for name in expected]
    outcomes += found.values()  # checks that ran although the source did not show them
    return Grade(path, tuple(outcomes), tuple(errors), tuple(notes))


async def _run(kernel: KernelSession, notebook: nbformat.NotebookNode,
               calls: list[list[tuple[str, str]]], modules: list[str], limits: Limits,
               path: Path) -> tuple[dict[str, Outcome], list[CellError], list[str]]:
    """Run the learner's cells, each followed by the grader's steps for the checks it calls."""
    opening = await kernel.run(opening_source(modules, str(PACKAGE_DIR)), OPENING_SECONDS,
                               store_history=False)
    key = read_key(opening.outputs)
    if key is None:
        raise NotebookNotGradable(
            f"could not load the checks for {path}: {opening.error}: {opening.message} "
            "(is the course package installed for this kernel?)")
    found: dict[str, Outcome] = {}
    errors: list[CellError] = []
    deadline = time.monotonic() + limits.timeout
    step = 0
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        left = deadline - time.monotonic()
        if left <= 0:
            return found, errors, [_past_deadline(limits, index)]
        run = await kernel.run(cell.source, min(limits.cell_timeout, left))
        if run.status != CellStatus.OK:
            errors.append(_cell_error(notebook, index, run))
        if not run.kernel_alive:
            return found, errors, []
        if run.status == CellStatus.TIMEOUT:  # the check may be what hung: do not run it again
            continue
        for check, expression in calls[index]:
            step += 1
            left = max(deadline - time.monotonic(), 1)
            ran = await kernel.run(step_source(check, expression, step),
                                   min(limits.cell_timeout, left), store_history=False)
            outcome = read_outcome(ran.outputs, key, step)
            name = check_index()[check][1]
            found[name] = Outcome(**outcome) if outcome else _unreadable(name, ran)
            if not ran.kernel_alive:
                errors.append(_cell_error(notebook, index, ran))
                return found, errors, []
    return found, errors, []


def _past_deadline(limits: Limits, index: int) -> str:
    return (f"the notebook ran out of its {limits.timeout:.0f} s: cell {index + 1} "
            "and the cells below it did not run")


def _unreadable(name: str, run: CellRun) -> Outcome:
    if run.status in (CellStatus.TIMEOUT, CellStatus.KILLED):
        why = "did not finish in time"
    else:  # nothing signed came back: the notebook replaced or silenced the grader's step
        why = "gave no outcome the grader could verify"
    return Outcome(name, FAILED, f"The grader's run of check_{name} {why}.")


def _cell_error(notebook: nbformat.NotebookNode, index: int, run: CellRun) -> CellError:
    first_line = (notebook.cells[index].source.strip().splitlines() or [""])[0]
    return CellError(index + 1, run.error, run.message, first_line[:60])


def _read(path: Path) -> nbformat.NotebookNode:
    if not path.is_file():
        raise NotebookNotGradable(f"no notebook at {path}")
    try:
        return nbformat.read(path, as_version=4)
    except Exception as error:  # not JSON, not a notebook, an unknown format version
        raise NotebookNotGradable(
            f"{path} is not a Jupyter notebook ({type(error).__name__}: {error})"
        ) from None


@cache
def check_index() -> dict[str, tuple[str, str]]:
    """Every course check: ``check_fee_in_eth`` -> (its module, its exercise's name).

    Read from the source of course/exercises/ (``check_x = Exercise(name="x", ...)``), so the
    grader learns what exists without importing every chapter's libraries.
    """
    index = {}
    for path in sorted(EXERCISES_DIR.glob("*.py")):
        for statement in ast.parse(path.read_text(encoding="utf-8")).body:
            if (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call)
                    and getattr(statement.value.func, "id", None) == "Exercise"):
                names = [k.value for k in statement.value.keywords if k.arg == "name"]
                for target in statement.targets:
                    if isinstance(target, ast.Name) and names:
                        module = f"course.exercises.{path.stem}"
                        index[target.id] = (module, str(ast.literal_eval(names[0])))
    return index


def _check_calls(source: str) -> list[tuple[str, str]]:
    """The course checks a cell calls at its top level, with the answer each names, in order."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    calls = []
    for statement in tree.body:
        call = statement.value if isinstance(statement, ast.Expr) else None
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                and call.func.id in check_index() and len(call.args) == 1 and not call.keywords):
            calls.append((call.func.id, ast.get_source_segment(source, call.args[0]) or "None"))
    return calls


def _chapter_checks(path: Path) -> list[tuple[str, str]]:
    """The checks of the chapter the notebook's file name names (``01_...``), if any: a learner
    may have deleted a check's cell."""
    chapter = CHAPTER.match(path.name)
    module = f"course.exercises.{chapter.group(1)}" if chapter else None
    return [(m, name) for m, name in check_index().values() if m == module]


def expected_exercises(path: Path, notebook: nbformat.NotebookNode) -> list[str]:
    """The exercises a notebook should have, in order, as ``course check`` counts them (also
    used by ``course progress``)."""
    calls = [_check_calls(cell.source) if cell.cell_type == "code" else []
             for cell in notebook.cells]
    return _expected_exercises(path, notebook, calls)


def _expected_exercises(path: Path, notebook: nbformat.NotebookNode,
                        calls: list[list[tuple[str, str]]]) -> list[str]:
    """Exercises the notebook should have: its check calls, then its chapters' other checks."""
    names: list[str] = []
    for cell_calls in calls:
        names += [check_index()[c][1] for c, _ in cell_calls if check_index()[c][1] not in names]
    names += [n for _, n in _chapter_checks(path) if n not in names]
    return names


def _not_run(name: str) -> Outcome:
    return Outcome(name, NOT_DONE, f"check_{name} did not run: its cell is missing, an error "
                   "stopped the cells before it, or the call is not at the top level of its cell "
                   f"(write check_{name}(your_answer) on a line of its own).")
