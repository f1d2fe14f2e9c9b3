"""The parts of README.md and docs/learning_paths.md that are made from ``course.curriculum``.

Each part sits between two markers in its file::

    <!-- generated: NAME (tools/update_docs.py) -->
    ...
    <!-- end generated: NAME -->

``.venv/bin/python tools/update_docs.py`` rewrites them; a test checks the committed files equal
what this module makes, so the tables never drift from the curriculum.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from course.curriculum import (
    LEARNING_PATHS,
    LESSONS,
    ROLES,
    Lesson,
    helped,
    lesson,
    readme_table,
    shortest_path,
    total_minutes,
    unlocks,
)
from course.errors import CourseError
from course.paths import REPO_ROOT


class GeneratedPartMissing(CourseError, ValueError):
    """A file lacks the markers of a part this module generates."""


def numbers(lessons: tuple[int, ...]) -> str:
    """(0, 1, 2) -> '00, 01, 02'; () -> '-'."""
    return ", ".join(f"{n:02d}" for n in lessons) or "-"


def duration(minutes: int) -> str:
    """115 -> '1 h 55 min'; 120 -> '2 h'."""
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def lesson_link(entry: Lesson) -> str:
    """A reference link ``[title][NN]`` once the notebook exists, the bare title before."""
    return f"[{entry.title}][{entry.number:02d}]" if entry.available else entry.title


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A markdown table: the header, the separator, one line per row."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def span(lessons: list[int]) -> str:
    """[1, 2, 3, 4] -> '01-04'; [0] -> '00'."""
    first, last = min(lessons), max(lessons)
    return f"{first:02d}" if first == last else f"{first:02d}-{last:02d}"


# --- docs/learning_paths.md ----------------------------------------------------------------------


def self_paced_weeks() -> str:
    """The self-paced weeks with their time, the parts of the course and the total."""
    self_paced = LEARNING_PATHS[0]
    weeks = markdown_table(("when", "notebooks", "what", "time"), [
        (step.when, numbers(step.lessons), step.what,
         duration(sum(lesson(n).minutes for n in step.lessons)))
        for step in self_paced.steps])
    parts: dict[str, list[int]] = {}
    for entry in LESSONS:
        parts.setdefault(entry.part, []).append(entry.number)
    listed = "; ".join(f"{part} ({span(members)})" for part, members in parts.items())
    return (f"{weeks}\n\nIn all: {len(LESSONS)} notebooks, {total_minutes()} minutes, about "
            f"{round(total_minutes() / 60)} hours.\nThe parts: {listed}.")


def needs_table() -> str:
    """What each notebook needs, what it helps with, and what it unlocks."""
    rows = []
    for entry in LESSONS:
        ideas = entry.key_ideas
        if helped(entry.number):
            ideas += f" (helps {numbers(helped(entry.number))})"
        rows.append((f"{entry.number:02d}", lesson_link(entry), numbers(entry.needs),
                     numbers(entry.helps), numbers(unlocks(entry.number)), ideas))
    return markdown_table(
        ("#", "notebook", "needs", "helps", "unlocks", "what it unlocks, in one line"), rows)


def roles_table() -> str:
    """Each role's core notebooks, the shortest path to them, and what it can skip."""
    rows = []
    for role in ROLES:
        path = shortest_path(role.lessons)
        skip = tuple(e.number for e in LESSONS if e.number not in path)
        rows.append((role.name, numbers(role.lessons), numbers(path), numbers(skip)))
    return markdown_table(("role", "core notebooks", "shortest path", "can skip"), rows)


def notebook_references() -> str:
    """The reference-link targets ``[NN]: ../notebooks/...`` of every notebook that exists."""
    return "\n".join(f"[{e.number:02d}]: ../notebooks/{e.filename}" for e in LESSONS
                     if e.available)


# --- README.md -----------------------------------------------------------------------------------


def readme_learning_paths() -> str:
    """The three learning paths in one table: who each is for and its blocks in order."""
    rows = [
        (f"**{path.name}**", path.audience,
         " · ".join(f"{step.when}: {numbers(step.lessons) if step.lessons else step.what}"
                    for step in path.steps))
        for path in LEARNING_PATHS
    ]
    return markdown_table(("path", "for", "blocks, in order"), rows)


GENERATED: dict[str, dict[str, Callable[[], str]]] = {
    "README.md": {
        "curriculum": readme_table,
        "learning paths": readme_learning_paths,
    },
    "docs/learning_paths.md": {
        "self-paced weeks": self_paced_weeks,
        "needs and unlocks": needs_table,
        "roles": roles_table,
        "notebook links": notebook_references,
    },
}


def render(text: str, parts: dict[str, Callable[[], str]], *, name: str = "the file") -> str:
    """``text`` with each generated part between its markers made afresh."""
    for part, make in parts.items():
        begin = f"<!-- generated: {part} (tools/update_docs.py) -->\n"
        end = f"\n<!-- end generated: {part} -->"
        pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
        found = pattern.search(text)
        if not found:
            raise GeneratedPartMissing(
                f"{name}: no generated part {part!r}: put the lines {begin.strip()!r} and "
                f"{end.strip()!r} where it goes, then run tools/update_docs.py")
        text = text[:found.start()] + begin + make() + end + text[found.end():]
    return text


def generated_files(root: Path = REPO_ROOT) -> dict[Path, str]:
    """Each file with generated parts -> its text as it should be committed."""
    return {root / relative: render((root / relative).read_text(encoding="utf-8"), parts,
                                    name=relative)
            for relative, parts in GENERATED.items()}
