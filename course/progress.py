"""Where a self-paced learner stands: every notebook's exercises, passed / not yet / not done.

    course progress [--dir FOLDER] [--plot PNG]

Read from the learner's own notebooks as they were last saved, without running them and without
changing them (each file is only read). Where an exercise's status comes from: the lines its
check printed into the saved outputs (``✅ fee_in_eth: passed. ...``, ``❌ ...: not yet.``,
``⏳ ...: not done.``). When a notebook shows several lines for one exercise, the cell run last
(highest execution count) wins. An exercise whose check has no saved output (a fresh student
copy, a cell never run, outputs cleared) counts as not done.

Which exercises a notebook has: the course checks its cells call, then the other checks of its
chapter (named by the file name, ``01_...``), as ``course check`` counts them, so a deleted
check cell still shows as not done.

This is a view for the learner, not a grade: saved outputs can be edited by hand. ``course check
NOTEBOOK`` runs a notebook and checks every answer itself.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat

from course.display import Table
from course.exercises import FAILED, NOT_DONE, PASSED, SYMBOLS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

NOTEBOOK_NAME = "[0-9][0-9]_*.ipynb"
STATUS_LINE = re.compile(
    r"^(?:✅|❌|⏳) (?P<name>\w+): (?P<status>passed|not yet|not done)\.", re.MULTILINE)
COLORS = {PASSED: "#2ca02c", FAILED: "#d62728", NOT_DONE: "#c7c7c7"}


class ProgressError(Exception):
    """The folder to read is missing or holds no course notebook."""


@dataclass(frozen=True)
class NotebookProgress:
    """One notebook: its exercises in order, each with its status (passed / not yet / not done).

    ``unreadable`` holds the reason when the file is not a notebook (then it has no exercises).
    """

    path: Path
    exercises: tuple[tuple[str, str], ...]
    unreadable: str = ""

    def count(self, status: str) -> int:
        return sum(1 for _, found in self.exercises if found == status)

    @property
    def next_exercise(self) -> str:
        """The first exercise not passed yet ("" when all passed)."""
        return next((name for name, found in self.exercises if found != PASSED), "")


@dataclass(frozen=True)
class Progress:
    """Every notebook of a folder, in file-name order."""

    folder: Path
    notebooks: tuple[NotebookProgress, ...]

    def total(self, status: str | None = None) -> int:
        return sum(len(n.exercises) if status is None else n.count(status)
                   for n in self.notebooks)

    def table(self) -> Table:
        """One row per notebook: how many exercises passed, not yet, not done, and what is next."""
        rows: list[tuple[object, ...]] = []
        for notebook in self.notebooks:
            if notebook.unreadable:
                rows.append((notebook.path.name, "-", "-", "-", "-", notebook.unreadable))
                continue
            rows.append((notebook.path.name, len(notebook.exercises), notebook.count(PASSED),
                         notebook.count(FAILED), notebook.count(NOT_DONE),
                         notebook.next_exercise or ("all passed" if notebook.exercises else "-")))
        header = ("notebook", "exercises", f"{SYMBOLS[PASSED]} passed",
                  f"{SYMBOLS[FAILED]} not yet", f"{SYMBOLS[NOT_DONE]} not done", "next")
        return Table(header, rows, title=f"Progress in {self.folder.name or self.folder}/")

    def summary(self) -> str:
        return (f"{self.total(PASSED)} of {self.total()} exercises passed, "
                f"{self.total(FAILED)} not yet, {self.total(NOT_DONE)} not done "
                f"(from the outputs saved in the notebooks; `course check NOTEBOOK` runs one "
                "and checks every answer).")

    def figure(self) -> Figure:
        """A stacked horizontal bar per notebook: passed, not yet, not done."""
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator

        from course.plotting import use_course_style

        use_course_style()
        shown = [n for n in self.notebooks if n.exercises]
        figure = Figure(figsize=(8, 0.4 * len(shown) + 1.2))
        axes = figure.subplots()
        labels = [n.path.stem[:28] for n in shown]
        left = [0] * len(shown)
        for status in (PASSED, FAILED, NOT_DONE):
            counts = [n.count(status) for n in shown]
            axes.barh(labels, counts, left=left, color=COLORS[status], label=status)
            left = [a + b for a, b in zip(left, counts, strict=True)]
        axes.invert_yaxis()  # the first notebook on top
        axes.set_xlabel("exercises")
        axes.set_title(f"{self.total(PASSED)} of {self.total()} exercises passed")
        axes.set_xlim(0, max([len(n.exercises) for n in shown], default=1) + 0.5)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.6 / figure.get_figheight()),
                    ncol=3, frameon=False)
        figure.tight_layout()
        return figure

    def _repr_markdown_(self) -> str:
        return self.table()._repr_markdown_() + "\n\n" + self.summary()

    def __str__(self) -> str:
        return f"{self.table()}\n\n{self.summary()}"

    def __repr__(self) -> str:  # what a notebook shows as text: no object address, no full path
        return str(self)


def saved_statuses(notebook: Any) -> dict[str, str]:
    """Each exercise's status as the notebook's saved outputs show it (the cell run last wins)."""
    found: dict[str, tuple[int, int, str]] = {}  # name -> (execution count, position, status)
    for position, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        count = cell.get("execution_count") or 0
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain") or ""
            text = "".join(text) if isinstance(text, list) else str(text)
            for match in STATUS_LINE.finditer(text):
                rank = (count, position, match["status"])
                if match["name"] not in found or rank[:2] >= found[match["name"]][:2]:
                    found[match["name"]] = rank
    return {name: rank[2] for name, rank in found.items()}


def notebook_progress(path: Path) -> NotebookProgress:
    """One saved notebook's exercises and their statuses (the file is only read)."""
    from course.grading import expected_exercises

    try:
        with warnings.catch_warnings():  # a copy saved by an older Jupyter has no cell ids: fine
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(Path(path).read_text(encoding="utf-8"), as_version=4)
    except Exception as error:  # not JSON, not a notebook: say so in its row
        return NotebookProgress(Path(path), (), f"not a notebook ({type(error).__name__})")
    statuses = saved_statuses(notebook)
    names = expected_exercises(Path(path), notebook)
    names += [name for name in statuses if name not in names]  # checks written in by hand
    return NotebookProgress(Path(path), tuple((n, statuses.get(n, NOT_DONE)) for n in names))


def progress(folder: Path | str | None = None) -> Progress:
    """Progress through the notebooks (``NN_*.ipynb``) in ``folder`` (default: the course's).

    Raises:
        ProgressError: ``folder`` is not a folder, or holds no notebook named ``NN_*.ipynb``.
    """
    from course.paths import notebooks_dir

    folder = notebooks_dir() if folder is None else Path(folder)
    if not folder.is_dir():
        raise ProgressError(f"{folder} is not a folder: give the folder of your notebooks")
    paths = sorted(p for p in folder.glob(NOTEBOOK_NAME) if p.is_file())
    if not paths:
        raise ProgressError(
            f"no course notebook (a file named like 01_hashing_and_merkle_trees.ipynb) in "
            f"{folder}")
    return Progress(folder, tuple(notebook_progress(path) for path in paths))
