"""Student copies of the notebooks: worked solutions out, placeholders in, the rest still runs.

A solution sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` in a cell tagged
``solution``. The student copy keeps the markers and the check call after them, and swaps the
code between them for a placeholder. Cells further down that use an unsolved answer are wrapped
in ``if solved("name"):`` so the copy runs top to bottom without a traceback; they run for real
once the learner's answer passes its check (see ``course.student_guards``).

A copy has no worked solutions, so nothing in it may point to one: its first code cell tells
``course.exercises`` where the solutions are (the last step of every ``.hint()`` says so), and a
markdown cell tagged ``solution`` (text about the worked solution next to it) becomes a one-line
note.

    course student OUT [--solutions WHERE]   writes OUT/NN_slug.ipynb for every notebook
"""

from __future__ import annotations

import ast
import copy
import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import nbformat

from course.cell_names import bound_names, check_calls, free_reads
from course.evm.compiler import DECLARED_CONTRACT
from course.exercises import RESULTS
from course.notebooks import course_notebooks
from course.paths import notebooks_dir
from course.staging import back_up, check_out_path, move_into_place, staging_folder
from course.student_guards import (
    BEGIN,
    END,
    NotebookState,
    StudentCopyError,
    Taint,
    guard_code,
    parse,
)

SOLIDITY_CELL = "%%solidity"  # a cell of Solidity (course.evm.magic): not Python, never a solution
PLACEHOLDER = 'raise NotImplementedError("your code here: write the solution, then run this cell")'
SOLUTIONS_IMPORT = (
    "from course.exercises import solutions_elsewhere  # student copy: no worked solutions here"
)
STUDENT_NOTE = (
    "*Student copy: the worked solutions are not in this notebook; the last step of `.hint()` "
    "says where they are.*"
)


def solutions_sentence(where: str | None = None, notebook: str = "") -> str:
    """The last step of ``.hint()`` in a student copy of ``notebook``: where its solutions are.

    ``where``: None (ask the instructor), the address of the course site (``course site``
    writes one page per notebook, solutions included), or a description of the instructor's
    key (a path, an LMS folder). ``{exercise}`` in the result becomes the exercise's name.
    """
    start = "This student copy has no worked solutions: "
    if where is None or not where.strip():
        return start + "ask your instructor for the one of {exercise} once you have tried it."
    where = " ".join(where.split())
    if where.startswith(("http://", "https://")):
        page = Path(notebook).with_suffix(".html").name if notebook else ""
        return start + f"the one of {{exercise}} is on the course site, {where.rstrip('/')}/{page}."
    return start + f"the one of {{exercise}} is in your instructor's key: {where}."


def _setup_lines(sentence: str) -> str:
    """Code for the copy's first cell: tell course.exercises where the solutions are."""
    chunks = textwrap.wrap(sentence, 80, drop_whitespace=False, break_on_hyphens=False)
    if "".join(chunks) != sentence:  # wrapping changed it: keep one (long) literal
        chunks = [sentence]
    body = "".join(f"    {json.dumps(chunk, ensure_ascii=False)}\n" for chunk in chunks)
    return f"\n\n{SOLUTIONS_IMPORT}\n\nsolutions_elsewhere(\n{body})"


def solved(*exercises: str) -> bool:
    """True when the latest check of every named exercise passed; otherwise say what waits."""
    waiting = [name for name in exercises if name not in RESULTS or not RESULTS[name].passed]
    if waiting:
        checks = " and ".join(f"check_{name}" for name in waiting)
        print(f"⏳ The rest of this cell waits for {checks} to pass: write your answer above, "
              "then run its cell.")
    return not waiting


@dataclass
class CopyReport:
    """What making one student copy changed: solutions taken out, cells that now wait."""

    solutions: int = 0
    waiting_cells: list[int] = field(default_factory=list)


def student_copy(
    notebook: nbformat.NotebookNode, solutions: str | None = None
) -> tuple[nbformat.NotebookNode, CopyReport]:
    """Return a student copy of ``notebook`` (a new object) and a report of what changed.

    Every output and execution count is cleared: the learner runs the copy themselves, and the
    committed outputs would give answers away (✅ lines, numbers, plots made with solutions).
    ``solutions`` is the sentence the last step of ``.hint()`` shows in the copy (default:
    ``solutions_sentence()``, ask the instructor).
    """
    student = nbformat.reads(nbformat.writes(notebook), as_version=4)  # deep, independent
    state, report = NotebookState(), CopyReport()
    reads = [free_reads(parse(c.source, i + 1))
             if c.cell_type == "code" and not c.source.startswith(SOLIDITY_CELL) else set()
             for i, c in enumerate(student.cells)]
    for index, cell in enumerate(student.cells):
        if cell.cell_type == "markdown" and "solution" in cell.metadata.get("tags", []):
            cell.source = STUDENT_NOTE
        if cell.cell_type != "code":
            continue
        number = index + 1  # what error messages call it: the 1st, 2nd... cell
        state.read_below = set().union(*reads[index + 1 :])
        cell.outputs, cell.execution_count = [], None
        if cell.source.startswith(SOLIDITY_CELL):  # the learner's Solidity, kept as it is
            state.defined |= set(DECLARED_CONTRACT.findall(cell.source))  # the names it binds
            continue
        has_solution = BEGIN in cell.source
        if "solution" in cell.metadata.get("tags", []) and not has_solution:
            raise StudentCopyError(
                f"cell {number} is tagged 'solution' but has no {BEGIN} / {END} markers"
            )
        source = _student_source(cell.source, state, number) if has_solution else cell.source
        cell.source, guarded = guard_code(source, state, number)
        if has_solution:
            report.solutions += source.count(BEGIN)
            _show_source(cell)
        if guarded:
            report.waiting_cells.append(index)
    setup = next((cell for cell in student.cells if cell.cell_type == "code"
                  and not cell.source.startswith(SOLIDITY_CELL) and BEGIN not in cell.source),
                 None)
    if setup is not None:
        setup.source = setup.source.rstrip("\n") + _setup_lines(
            solutions_sentence() if solutions is None else solutions)
    return student, report


def _show_source(cell: nbformat.NotebookNode) -> None:
    """Solution cells start collapsed; a placeholder has nothing to hide, so show it."""
    jupyter = cell.metadata.get("jupyter", {})
    jupyter.pop("source_hidden", None)
    if "jupyter" in cell.metadata and not jupyter:
        del cell.metadata["jupyter"]


def _student_source(source: str, state: NotebookState, cell_number: int) -> str:
    """The cell with each solution region replaced by its placeholder; roots tainted in state."""
    exercises = check_calls(parse(source, cell_number))
    if not exercises:
        raise StudentCopyError(
            f"cell {cell_number}: a solution cell needs its check call (check_<name>(...))"
        )
    lines = source.splitlines(keepends=True)
    out: list[str] = []
    region: list[str] | None = None
    for number, line in enumerate(lines, start=1):
        marker = line.rstrip()
        if marker.lstrip() in (BEGIN, END) and marker != marker.lstrip():
            raise StudentCopyError(
                f"cell {cell_number} line {number}: put {marker.strip()!r} at the start of the "
                "line, around whole top-level statements"
            )
        if marker == BEGIN and region is None:
            out.append(line)
            region = []
        elif marker == END and region is not None:
            out.append(_placeholder("".join(region), state, exercises, cell_number))
            out.append(line)
            region = None
        elif region is not None:
            region.append(line)
        else:
            out.append(line)
    if region is not None:
        raise StudentCopyError(f"cell {cell_number}: {BEGIN} without a matching {END}")
    return "".join(out)


def _placeholder(
    solution: str, state: NotebookState, exercises: frozenset[str], cell_number: int
) -> str:
    """Stubs for the functions a solution defines (unless a learner stub is just above)."""
    tree = parse(solution, cell_number)
    lines = solution.splitlines()
    stubs, stubbed, above = [], [], []
    for statement in tree.body:
        if not isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if state.latest_def_is_stub.get(statement.name):
            above.append(statement.name)
        else:
            stubs.append(_stub(statement, lines))
            stubbed.append(statement.name)
            state.latest_def_is_stub[statement.name] = True
    for name in bound_names(tree):
        function = name in above or name in stubbed
        known = function or name in state.defined
        state.taint(name, Taint(exercises, always_bound=known, solution_only=not known))
        if function:
            state.defined.add(name)
    if stubs:
        text = "# Student copy: replace the `raise` below with your code, then run this cell.\n"
        return text + "\n\n".join(stubs) + "\n"
    names = " and ".join(above) if above else "your answer"
    return (
        f"# Student copy: no worked solution here. Write {names} in the exercise cell above;\n"
        "# running this cell checks it again and runs the rest of the cell.\n"
    )


def _stub(function: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]) -> str:
    """The function's decorators, signature and docstring, then ``raise NotImplementedError``."""
    first = min([d.lineno for d in function.decorator_list] + [function.lineno])
    body = function.body
    has_docstring = (
        isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    )
    if body[0].lineno == function.lineno:  # def f(x): return x
        stub = copy.copy(function)
        stub.body = ast.parse(PLACEHOLDER).body
        return ast.unparse(stub)
    last = body[0].end_lineno if has_docstring else body[0].lineno - 1
    indent = " " * body[0].col_offset
    return "\n".join(lines[first - 1 : last] + [indent + PLACEHOLDER])


@dataclass(frozen=True)
class StudentCopies:
    """What ``write_student_copies`` wrote, and where the copies it replaced went (if any)."""

    reports: dict[Path, CopyReport]
    backup: Path | None = None


def write_student_copies(
    out_dir: Path, notebooks: list[Path] | None = None, force: bool = False,
    clock: Callable[[], datetime] = datetime.now, solutions: str | None = None,
) -> StudentCopies:
    """Write a student copy of each notebook (default: the whole course) into ``out_dir``.

    ``solutions`` says where the worked solutions are (see ``solutions_sentence``): the
    course site's address, the instructor's key, or None (ask the instructor).

    Every copy is made and written into a staging folder first, then moved into place, so a
    failure (a full disk) leaves ``out_dir`` as it was. With ``force``, copies already there
    are moved to a dated backup folder inside ``out_dir``, never overwritten.

    Raises:
        OutPathError: ``out_dir`` is a file, lies under a file, or cannot be written in.
        StudentCopyError: ``out_dir`` is the course's own notebooks folder, a copy already
            exists there and ``force`` is false (a learner's work would be overwritten), or a
            notebook breaks a convention copies rely on (then nothing is written).
    """
    out_dir = Path(out_dir)
    sources = course_notebooks() if notebooks is None else list(notebooks)
    if out_dir.resolve() == notebooks_dir().resolve():
        raise StudentCopyError(
            f"out_dir {out_dir} is the course's own notebooks folder: choose another folder"
        )
    check_out_path(out_dir, "folder")
    targets = {path: out_dir / path.name for path in sources}
    existing = [target for target in targets.values() if target.exists()]
    if existing and not force:
        raise StudentCopyError(
            f"out_dir already has {', '.join(map(str, existing))}: a learner's work would be "
            "overwritten (use --force to move them to a backup folder and write new copies)"
        )
    copies = {target: student_copy(nbformat.read(path, as_version=4),
                                   solutions_sentence(solutions, path.name))
              for path, target in targets.items()}  # all made before any is written
    backup = None
    with staging_folder(out_dir if out_dir.is_dir() else out_dir.parent) as staging:
        for target, (student, _) in copies.items():
            nbformat.write(student, staging / target.name)
        if existing:
            backup = back_up(existing, out_dir, clock)
        move_into_place(staging, out_dir)
    return StudentCopies({target: report for target, (_, report) in copies.items()}, backup)
