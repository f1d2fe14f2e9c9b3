"""Every exercise has a hint ladder that teaches (goal → concept → worked example → solution),
no hint gives away the code of the notebook's worked solution, and no text of a student copy
points to a cell the copy does not have."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re

import nbformat
import pytest

import course.exercises
from course.exercises import LABELS, Exercise, solutions_elsewhere
from course.notebooks import course_notebooks
from course.student import STUDENT_NOTE, solutions_sentence, student_copy

REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.DOTALL)
MODULES = sorted(m.name for m in pkgutil.iter_modules(course.exercises.__path__))
NOTEBOOKS = {path.stem.split("_", 1)[1]: path for path in course_notebooks()}
SOURCES = {path: path.read_text(encoding="utf-8") for path in NOTEBOOKS.values()}


def notebooks_of(module: str) -> list:
    """The notebook named after the module, and any other notebook that imports from it."""
    named = [NOTEBOOKS[module]] if module in NOTEBOOKS else []
    return named + [
        path
        for path, text in SOURCES.items()
        if f"course.exercises.{module} import" in text and path not in named
    ]


def all_exercises() -> list[tuple[str, Exercise]]:
    """Every Exercise once, under the module a notebook uses it from (a chapter module that
    re-exports a helper module's checks takes them over)."""
    homes: dict[int, tuple[str, Exercise]] = {}
    for name in MODULES:
        module = importlib.import_module(f"course.exercises.{name}")
        for value in vars(module).values():
            if isinstance(value, Exercise) and (id(value) not in homes or (
                    name in NOTEBOOKS and homes[id(value)][0] not in NOTEBOOKS)):
                homes[id(value)] = (name, value)
    return sorted(homes.values(), key=lambda found: (found[0], found[1].name))


EXERCISES = all_exercises()
ids = [f"{module}.{exercise.name}" for module, exercise in EXERCISES]


def normal(text: str) -> str:
    """Whitespace collapsed and quotes made alike, so formatting cannot hide a copied line."""
    return " ".join(text.replace('"', "'").split())


def solution_lines(module: str) -> set[str]:
    """Non-trivial lines of the module's notebook's worked solutions, and the expressions they
    return or assign (``return a * b // c`` also yields ``a * b // c``)."""
    cells = [
        cell for path in notebooks_of(module) for cell in nbformat.read(path, as_version=4).cells
    ]
    lines: set[str] = set()
    for cell in cells:
        for region in REGION.findall(cell.source) if cell.cell_type == "code" else []:
            for raw in region.splitlines():
                line = raw.strip()
                if line.startswith(("#", "def ", "import ", "from ", "@", '"""', "class ")):
                    continue
                if re.match(r"^(for|async for) .* in .*:$", line) or line.endswith("{"):
                    continue  # a loop header or a Solidity declaration: not the answer
                candidates = [line]
                if line.startswith("return "):
                    candidates.append(line[len("return ") :])
                elif re.match(r"^[\w.\[\], ]+ *[-+*/]?= ", line):
                    candidates.append(line.split("= ", 1)[1])
                lines |= {normal(c) for c in candidates if len(c) > 15}
    return lines


SOLUTIONS = {module: solution_lines(module) for module in MODULES}


@pytest.mark.parametrize("module, exercise", EXERCISES, ids=ids)
def test_every_exercise_has_all_four_steps(module, exercise):
    steps = exercise.help_steps
    assert [step.split(":", 1)[0] for step in steps] == list(LABELS)
    for label, step in zip(LABELS, steps, strict=True):
        assert len(step.split(":", 1)[1].strip()) > 15, f"{label} of {exercise.name} is empty"
    assert normal(exercise.concept) != normal(exercise.worked_example)
    assert exercise.concept.strip() and exercise.worked_example.strip()


@pytest.mark.parametrize("module, exercise", EXERCISES, ids=ids)
def test_no_hint_contains_the_code_of_the_worked_solution(module, exercise):
    hints = normal(f"{exercise.concept} {exercise.worked_example}")
    copied = sorted(line for line in SOLUTIONS[module] if line in hints)
    assert not copied, f"the hints of {exercise.name} give away solution code: {copied}"


def test_every_notebook_with_exercises_has_solution_lines_to_compare_with():
    for module, _ in EXERCISES:
        assert notebooks_of(module), f"no notebook uses course.exercises.{module}"
        assert SOLUTIONS[module], f"no worked solution found for course.exercises.{module}"


# --- student copies: nothing may point to a cell they do not have ---------------------------

POINTS_TO_A_SOLUTION = re.compile(
    r"collapsed|click the `?\.\.\.`?|solution cell|(solution|answer) (is |sits )?(just )?below"
    r"|worked solution \(",
    re.IGNORECASE,
)
POINTS_DOWN = re.compile(r"(cell|bar) (just )?below|next cell|following cell", re.IGNORECASE)


@pytest.mark.parametrize("path", list(NOTEBOOKS.values()), ids=list(NOTEBOOKS))
def test_no_text_of_a_student_copy_refers_to_a_cell_it_does_not_have(path):
    original = nbformat.read(path, as_version=4)
    copy, _ = student_copy(original)
    for index, cell in enumerate(copy.cells):
        found = POINTS_TO_A_SOLUTION.search(cell.source)
        assert not found, f"{path.name} cell {index + 1}: {found.group()!r} in a student copy"
        next_code = next((c for c in original.cells[index + 1 :] if c.cell_type == "code"), None)
        solution_next = next_code is not None and "### BEGIN SOLUTION" in next_code.source
        if cell.cell_type == "markdown" and solution_next:
            found = POINTS_DOWN.search(cell.source)
            assert not found, (
                f"{path.name} cell {index + 1} points to the worked solution "
                f"below ({found.group()!r}), which a student copy does not have"
            )


@pytest.mark.parametrize("where", [None, "https://course.example.org/", "week 3 folder on Moodle"])
def test_in_a_student_copy_every_hint_says_where_the_solution_is_and_no_cell(where):
    sentence = solutions_sentence(where, "01_hashing_and_merkle_trees.ipynb")
    solutions_elsewhere(sentence)
    try:
        for _, exercise in EXERCISES:
            text = " ".join(exercise.help_steps)
            assert not POINTS_TO_A_SOLUTION.search(text), exercise.name
            assert not POINTS_DOWN.search(text), exercise.name
            assert exercise.help_steps[-1].startswith("Solution: This student copy has no worked")
            assert exercise.name in exercise.help_steps[-1]
            if where is not None:
                assert where.rstrip("/") in exercise.help_steps[-1]
    finally:
        solutions_elsewhere(None)
    assert "collapsed cell" in EXERCISES[0][1].help_steps[-1], "the course's own notebooks"


def solution_place_set_by(cell_source: str) -> str:
    """The sentence a student copy's first cell passes to solutions_elsewhere."""
    [call] = [
        node
        for node in ast.walk(ast.parse(cell_source))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "solutions_elsewhere"
    ]
    return ast.literal_eval(call.args[0])


def test_a_student_copy_sets_the_solution_place_in_its_first_cell_and_notes_tagged_text():
    path = NOTEBOOKS["start_here"]
    sentence = solutions_sentence("https://course.example.org", path.name)
    copy, _ = student_copy(nbformat.read(path, as_version=4), sentence)
    first = next(c for c in copy.cells if c.cell_type == "code")
    assert solution_place_set_by(first.source) == sentence
    assert "https://course.example.org/00_start_here.html" in sentence
    try:
        exec(first.source, {})
        assert course.exercises._solutions_elsewhere == sentence
    finally:
        solutions_elsewhere(None)
    assert STUDENT_NOTE in [c.source for c in copy.cells if c.cell_type == "markdown"]


def test_the_cli_passes_the_solution_place_to_every_copy(tmp_path, monkeypatch):
    from course.cli import main

    monkeypatch.setattr("course.student.course_notebooks", lambda: [NOTEBOOKS["start_here"]])
    assert main(["student", str(tmp_path), "--solutions", "the key in week 3's folder"]) == 0
    copy = nbformat.read(tmp_path / NOTEBOOKS["start_here"].name, as_version=4)
    first = next(c for c in copy.cells if c.cell_type == "code")
    assert solution_place_set_by(first.source).endswith(
        "in your instructor's key: the key in week 3's folder."
    )
