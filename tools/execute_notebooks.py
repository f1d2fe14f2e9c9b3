"""Execute notebooks in place and clean them, ready to commit (nbval compares these outputs).

    .venv/bin/python tools/execute_notebooks.py                      every notebook
    .venv/bin/python tools/execute_notebooks.py notebooks/00_*.ipynb  some of them
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from course.notebooks import clean, course_notebooks, execute


def main(paths: list[str]) -> None:
    for path in [Path(p) for p in paths] or course_notebooks():
        run = execute(path)
        nbformat.write(clean(run.notebook), path)
        print(f"{path}: executed in {run.seconds:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
