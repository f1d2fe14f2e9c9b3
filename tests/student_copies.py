"""What both test_student_copies_run_*.py files check: a notebook's student copy runs top to
bottom without an error, no check passes by itself, and every exercise says "not done"."""

import re
from pathlib import Path

from course.notebooks import course_notebooks, execute
from course.student import write_student_copies

NOTEBOOKS = course_notebooks()


def notebooks_numbered(first: int, last: int) -> list[Path]:
    """The course notebooks numbered first..last (their file names start with the number)."""
    return [path for path in NOTEBOOKS if first <= int(path.name[:2]) <= last]


def assert_the_student_copy_runs(path: Path, folder: Path) -> None:
    write_student_copies(folder, [path])
    executed = execute(folder / path.name).notebook  # raises on any cell error
    printed = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert not re.search(r"^✅ \w+: passed", printed, re.MULTILINE), "no check passes by itself"
    solutions = sum(c.source.count("### BEGIN SOLUTION") for c in executed.cells)
    assert len(re.findall(r"^⏳ \w+: not done", printed, re.MULTILINE)) >= solutions
