import re

import nbformat
import pytest

from course.curriculum import (
    CAPSTONE,
    LEARNING_PATHS,
    LESSONS,
    ROLES,
    lesson,
    readme_table,
    shortest_path,
    total_minutes,
)
from course.notebooks import course_notebooks
from tests.conftest import ROOT


def test_lessons_are_numbered_from_0_in_order_with_unique_files():
    assert [e.number for e in LESSONS] == list(range(len(LESSONS)))
    assert len({e.filename for e in LESSONS}) == len(LESSONS)


def test_every_notebook_in_the_folder_is_a_lesson_of_the_curriculum():
    filenames = {e.filename for e in LESSONS}
    for path in course_notebooks():
        assert path.name in filenames, f"{path.name} is not in course/curriculum.py"


def test_the_start_notebook_exists():
    assert lesson(0).available


def test_unknown_lesson_number_names_the_valid_range():
    with pytest.raises(KeyError, match=f"0-{len(LESSONS) - 1}"):
        lesson(len(LESSONS))


TWO_DIGITS = re.compile(r"(?<![-\w.])(\d\d)(?![\w.-])")


def prerequisites(first_cell: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(needs, helps) from a **Prerequisites:** line: the clauses that say "helps" help."""
    line = re.search(r"\*\*Prerequisites:\*\*(.*?)(?:\n\n|\Z)", first_cell, re.DOTALL)
    assert line, "the first cell has no **Prerequisites:** line"
    clauses = re.split(r";|\.\s", " ".join(line.group(1).split()))
    needs = {int(n) for c in clauses if "helps" not in c for n in TWO_DIGITS.findall(c)}
    helps = {int(n) for c in clauses if "helps" in c for n in TWO_DIGITS.findall(c)}
    return tuple(sorted(needs)), tuple(sorted(helps))


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.name)
def test_needs_and_helps_are_the_notebooks_own_prerequisites(path):
    entry = lesson(int(path.name[:2]))
    first_cell = nbformat.read(path, as_version=4).cells[0].source
    assert (entry.needs, entry.helps) == prerequisites(first_cell)


def test_lessons_need_only_earlier_lessons():
    for entry in LESSONS:
        assert all(n < entry.number for n in entry.needs + entry.helps), entry.filename


def test_the_shortest_path_to_the_capstone_includes_everything_it_needs_and_no_more():
    assert shortest_path((16,)) == (0, 1, 2, 4, 7, 8, 12, 13, 16)
    assert shortest_path((0,)) == (0,)


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.name)
def test_notebook_title_and_time_match_the_curriculum(path):
    entry = lesson(int(path.name[:2]))
    first_cell = nbformat.read(path, as_version=4).cells[0].source
    assert first_cell.startswith(f"# {entry.number:02d} · {entry.title}\n")
    assert f"**Time:** about {entry.minutes} minutes." in first_cell


# A floor under every time estimate, so that added content forces a new estimate: a newcomer
# reads about 150 words a minute, takes half a minute to read and run a code cell, and at least
# five minutes per Try it (one wrong answer and a hint included). Real times are higher: build
# tasks, Solidity and the Merkle root take far longer than five minutes.
WORDS_PER_MINUTE = 150
MINUTES_PER_CODE_CELL = 0.5
MINUTES_PER_TRY_IT = 5


def newcomer_floor(notebook: nbformat.NotebookNode) -> float:
    """The least time a newcomer needs for ``notebook`` (worked solutions not counted)."""
    words = sum(len(c.source.split()) for c in notebook.cells if c.cell_type == "markdown")
    code = [c for c in notebook.cells
            if c.cell_type == "code" and "solution" not in c.metadata.get("tags", [])]
    try_its = sum(c.source.count("### Try it") for c in notebook.cells
                  if c.cell_type == "markdown")
    return (words / WORDS_PER_MINUTE + MINUTES_PER_CODE_CELL * len(code)
            + MINUTES_PER_TRY_IT * try_its)


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.name)
def test_no_time_estimate_is_below_what_a_newcomer_needs_at_least(path):
    entry = lesson(int(path.name[:2]))
    floor = newcomer_floor(nbformat.read(path, as_version=4))
    assert entry.minutes >= floor, (
        f"{path.name}: {entry.minutes} min in course/curriculum.py, but reading, running and "
        f"trying it takes at least {floor:.0f}: re-time it")


def test_readme_curriculum_table_is_generated_from_the_curriculum():
    readme = (ROOT / "README.md").read_text()
    assert readme_table() in readme, "README table out of date: paste readme_table()"


def test_readme_marks_existing_notebooks_ready_and_links_them():
    table = readme_table()
    assert "[Start here](notebooks/00_start_here.ipynb)" in table
    for entry in LESSONS:
        expected = "ready" if entry.available else "planned"
        row = next(line for line in table.splitlines() if line.startswith(f"| {entry.number:02d} "))
        assert row.endswith(f"| {expected} |")


def test_self_paced_path_promises_the_curriculum_total():
    self_paced = LEARNING_PATHS[0]
    hours = re.search(r"about (\d+) hours", self_paced.audience).group(1)
    assert int(hours) == round(total_minutes() / 60)
    covered = sorted(n for step in self_paced.steps for n in step.lessons)
    assert covered == [e.number for e in LESSONS], "the self-paced path covers every notebook once"


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def test_workshop_plan_fills_three_hours_without_gaps():
    workshop = next(p for p in LEARNING_PATHS if p.name == "3-hour workshop")
    blocks = [tuple(map(_minutes, step.when.split("-"))) for step in workshop.steps]
    assert blocks[0][0] == 0 and blocks[-1][1] == 180
    for (_, end), (start, _) in zip(blocks, blocks[1:], strict=False):
        assert end == start


def test_bootcamp_has_five_days_and_ends_with_the_capstone():
    bootcamp = next(p for p in LEARNING_PATHS if p.name == "5-day bootcamp")
    assert [s.when for s in bootcamp.steps] == [f"day {d}" for d in range(1, 6)]
    capstone = next(e for e in LESSONS if e.part == CAPSTONE)
    assert capstone.number in bootcamp.steps[-1].lessons


def test_paths_and_roles_name_only_real_lessons():
    numbers = {e.number for e in LESSONS}
    for path in LEARNING_PATHS:
        for step in path.steps:
            assert set(step.lessons) <= numbers
    for role in ROLES:
        assert role.lessons and set(role.lessons) <= numbers


BOOTCAMP_DAY_MINUTES = (120, 390)  # docs/learning_paths.md: "a day is about six hours of work"


def test_every_bootcamp_day_fits_its_six_hours():
    """Re-timing a notebook or adding one must not silently overfill a bootcamp day."""
    (bootcamp,) = [path for path in LEARNING_PATHS if path.name == "5-day bootcamp"]
    shortest, longest = BOOTCAMP_DAY_MINUTES
    for step in bootcamp.steps:
        minutes = sum(lesson(number).minutes for number in step.lessons)
        assert shortest <= minutes <= longest, (
            f"{step.when}: notebooks {step.lessons} take {minutes} min; move one to another day "
            f"and update docs/learning_paths.md")
    text = (ROOT / "docs" / "learning_paths.md").read_text(encoding="utf-8")
    assert "A day is about six hours of work" in text
