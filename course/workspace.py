"""A temporary copy of a learner's folder for grading, so a notebook that tidies up harms nothing.

The copy holds the folder's files and subfolders except other notebooks (another learner's, or
the same learner's other chapters: each is graded on its own), hidden entries, caches and
symbolic links (a link would lead the notebook back out of the copy). It lies one folder below
the temporary folder, so the notebook's ``..`` is part of the copy too.

The copy protects the submissions from accidents: a notebook that deletes the files around it.
It is not a sandbox: the learner's code runs with your rights and can reach anything you can
by an absolute path, so grade a class you do not trust in a container or a throwaway account.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

MAX_COPY_BYTES = 200 * 1024**2
MAX_COPY_FILES = 5_000
SKIPPED_NAMES = frozenset({"__pycache__", "node_modules"})


class WorkspaceTooBig(Exception):
    """The learner's folder is too big to copy for one notebook."""


def copy_workspace(notebook: Path, root: Path, into: Path) -> Path:
    """Copy ``root`` (a folder holding ``notebook``) into ``into/work``; return the notebook's copy.

    Raises:
        WorkspaceTooBig: more than ``MAX_COPY_BYTES`` or ``MAX_COPY_FILES`` to copy.
    """
    notebook, root = Path(notebook).resolve(), Path(root).resolve()
    files = [notebook]
    size = notebook.stat().st_size
    for path in _files(root):
        files.append(path)
        size += path.stat().st_size
        if size > MAX_COPY_BYTES or len(files) > MAX_COPY_FILES:
            raise WorkspaceTooBig(
                f"{root} holds more than {MAX_COPY_BYTES // 1024**2} MB or {MAX_COPY_FILES} "
                f"files to copy for grading: put {notebook.name} in a folder of its own"
            )
    work = Path(into) / "work"
    for path in files:
        target = work / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    work.mkdir(exist_ok=True)
    return work / notebook.relative_to(root)


def _files(folder: Path) -> Iterator[Path]:
    """The files to copy under ``folder``: no notebooks, hidden entries, caches or links."""
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name in SKIPPED_NAMES or path.is_symlink():
            continue
        if path.is_dir():
            yield from _files(path)
        elif path.is_file() and path.suffix != ".ipynb":
            yield path
