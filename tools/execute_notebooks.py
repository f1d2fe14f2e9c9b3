"""Execute notebooks in place and clean them, ready to commit (nbval compares these outputs).

    .venv/bin/python tools/execute_notebooks.py                      every notebook
    .venv/bin/python tools/execute_notebooks.py notebooks/00_*.ipynb  some of them

The notebook's metadata is what JupyterLab itself would write, so opening a committed notebook
changes nothing (no autosave, no `git pull` conflict): the kernelspec of the python3 kernel and
the kernel's whole ``language_info`` as its kernel_info reply gives it (JupyterLab copies that
reply into the notebook when the kernel starts and marks the file changed if it differs).
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import nbformat

from course.notebooks import clean, course_notebooks, execute

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def kernel_language_info() -> dict[str, Any]:
    """The ``language_info`` the python3 kernel (ipykernel) reports in its kernel_info reply."""
    from ipykernel.ipkernel import IPythonKernel

    return copy.deepcopy(dict(IPythonKernel.language_info))


def lab_metadata(notebook: nbformat.NotebookNode,
                 language_info: dict[str, Any] | None = None) -> nbformat.NotebookNode:
    """Set the notebook metadata JupyterLab writes when it opens the notebook with its kernel."""
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata["language_info"] = language_info or kernel_language_info()
    return notebook


def main(paths: list[str]) -> None:
    for path in [Path(p) for p in paths] or course_notebooks():
        run = execute(path)
        reported = run.notebook.metadata.get("language_info")  # nbclient copies kernel_info's
        nbformat.write(lab_metadata(clean(run.notebook), reported), path)
        print(f"{path}: executed in {run.seconds:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
