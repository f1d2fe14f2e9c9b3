"""Where the course's files live, found from the package itself (no working-directory guesses)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"


class CourseFilesMissing(FileNotFoundError):
    """The notebooks folder is not beside the package (installed from a wheel, not a clone)."""


def notebooks_dir() -> Path:
    """Return the ``notebooks/`` folder of the clone this package was installed from."""
    if not NOTEBOOKS_DIR.is_dir():
        raise CourseFilesMissing(
            f"no notebooks folder at {NOTEBOOKS_DIR}: the course runs from a git clone; "
            "clone the repository and run `python3 start.py` in it"
        )
    return NOTEBOOKS_DIR
