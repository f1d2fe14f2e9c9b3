"""Output folders that are never half-written: check OUT first, write elsewhere, then move.

``course student``, ``course site`` and ``course grade`` write through this module:

1. ``check_out_path`` refuses an OUT that cannot work (an existing file where a folder is
   wanted, a path under a file, a folder this user cannot write in) before anything is made;
2. everything is written into a staging folder on the same disk (``staging_folder``), so a full
   disk or any error leaves OUT as it was;
3. ``move_into_place`` renames the staging folder to OUT, or moves its files into an existing
   OUT one by one (each move is a rename on one disk: it happens whole or not at all);
4. ``back_up`` moves files that would be replaced into a dated backup folder first.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Literal

STAGING_PREFIX = ".course-staging-"


class OutPathError(Exception):
    """OUT cannot be written: the message says why in one line."""


def check_out_path(out: Path, kind: Literal["folder", "file"]) -> None:
    """Refuse ``out`` if it cannot become a ``kind``: in the way, under a file, or unwritable.

    Raises:
        OutPathError: naming the path and what to do instead.
    """
    out = Path(out).absolute()
    if out.exists():
        if kind == "folder" and not out.is_dir():
            raise OutPathError(f"{out} is a file, not a folder: choose a folder")
        if kind == "file" and out.is_dir():
            raise OutPathError(f"{out} is a folder: give a file name, e.g. {out / 'grades.csv'}")
    existing = out if kind == "folder" and out.is_dir() else out.parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise OutPathError(f"{out} lies under {existing}, which is a file: choose another path")
    try:
        Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=existing)).rmdir()
    except OSError as error:
        raise OutPathError(
            f"cannot write in {existing} ({error.strerror or error}): choose a folder you can "
            "write in"
        ) from None


@contextmanager
def staging_folder(near: Path) -> Iterator[Path]:
    """An empty temporary folder inside ``near`` (made, with its parents, if missing).

    Moves from it to ``near`` are renames on one disk. Afterwards it is removed, and so are the
    parents it made if the block failed.
    """
    near = Path(near).absolute()
    made = [folder for folder in [near, *near.parents] if not folder.exists()]
    near.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=near))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for folder in made:  # innermost first
            try:
                folder.rmdir()
            except OSError:  # not empty after all (or gone): leave it and those above
                break
        raise
    shutil.rmtree(staging, ignore_errors=True)


def move_into_place(staging: Path, out: Path) -> list[Path]:
    """Make ``out`` hold the files of ``staging``; return their new paths.

    A missing ``out`` is the staging folder renamed; in an existing one each file replaces the
    file of the same name, and other files are left alone.
    """
    staging, out = Path(staging), Path(out)
    relative = sorted(path.relative_to(staging) for path in staging.rglob("*") if path.is_file())
    if not out.exists():
        os.replace(staging, out)
        return [out / path for path in relative]
    for path in relative:
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / path, out / path)
    return [out / path for path in relative]


def back_up(paths: list[Path], folder: Path,
            clock: Callable[[], datetime] = datetime.now) -> Path:
    """Move ``paths`` into a new ``folder/backup-YYYY-MM-DD-HHMMSS`` folder and return it."""
    stamp = clock().strftime("%Y-%m-%d-%H%M%S")
    backup = Path(folder) / f"backup-{stamp}"
    number = 1
    while backup.exists():
        number += 1
        backup = Path(folder) / f"backup-{stamp}-{number}"
    backup.mkdir(parents=True)
    for path in paths:
        os.replace(path, backup / Path(path).name)
    return backup
