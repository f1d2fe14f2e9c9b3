"""Run the course's notebooks with nbclient, and keep their committed form clean.

Used by the benchmarks (cold execution time), by tools/execute_notebooks.py
(re-executing a notebook before committing it) and by tests.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from course.paths import notebooks_dir

KEPT_CELL_METADATA = ("tags", "jupyter", "collapsed")
KEPT_NOTEBOOK_METADATA = ("kernelspec",)


@dataclass(frozen=True)
class Execution:
    notebook: nbformat.NotebookNode
    seconds: float


def execute(path: Path, cell_timeout: int = 120, kernel_name: str = "python3") -> Execution:
    """Execute a notebook top to bottom in a fresh kernel (cwd = its folder); time it.

    Raises nbclient's CellExecutionError if a cell raises.
    """
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=cell_timeout,
        kernel_name=kernel_name,
        resources={"metadata": {"path": str(Path(path).parent)}},
    )
    start = time.perf_counter()
    client.execute()
    return Execution(notebook, time.perf_counter() - start)


def clean(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Trim metadata to what the course needs, number cells in order, give cells stable ids."""
    notebook.metadata = {
        key: value for key, value in notebook.metadata.items() if key in KEPT_NOTEBOOK_METADATA
    }
    notebook.metadata["language_info"] = {"name": "python"}
    count = 0
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index:03d}"
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in KEPT_CELL_METADATA}
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            for output in cell.outputs:
                if "execution_count" in output:
                    output.execution_count = count
                if "metadata" in output:
                    output.metadata = {}
    return notebook


def course_notebooks() -> list[Path]:
    """Every notebook of the course, in learning order."""
    return sorted(notebooks_dir().glob("[0-9][0-9]_*.ipynb"))
