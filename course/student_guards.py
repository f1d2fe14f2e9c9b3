"""Which cells of a student copy need an answer the learner has not written yet, and guards.

Names a solution defines are *tainted* by its exercise. A statement that reads a tainted name
(a call, a loop, a plot) runs only once that exercise's check has passed, so the rest of its
cell goes under ``if solved("exercise"):``. Names bound under such a guard may never exist, so
they are tainted too, with the same exercises, and the cells that read them are guarded in turn.
A ``def`` that merely mentions a tainted name is left alone: defining it runs nothing, but the
function it makes is tainted. A ``check_...(answer)`` call is never guarded: it is how the
learner learns that an answer is not done.
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass, field

from course.cell_names import check_name, is_stub, mutated_names, reads_and_binds

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
GUARD_IMPORT = "from course.student import solved  # student copy: what follows needs your answers"


class StudentCopyError(ValueError):
    """A notebook breaks a convention that student copies rely on; the message says where."""


@dataclass(frozen=True)
class Taint:
    """A name that waits for exercises. ``always_bound``: it exists even before they are solved
    (a learner's stub); ``solution_only``: only a worked solution would have defined it."""

    exercises: frozenset[str]
    always_bound: bool
    solution_only: bool = False


@dataclass
class NotebookState:
    """What the cells above have defined, and which names wait for which exercises."""

    tainted: dict[str, Taint] = field(default_factory=dict)
    latest_def_is_stub: dict[str, bool] = field(default_factory=dict)
    defined: set[str] = field(default_factory=set)
    read_below: set[str] = field(default_factory=set)  # names the cells below read before binding

    def taint(self, name: str, taint: Taint) -> None:
        self.tainted[name] = taint


def parse(source: str, cell_number: int) -> ast.Module:
    """The cell's syntax tree, or a StudentCopyError that names the cell."""
    try:
        return ast.parse(source)
    except SyntaxError as error:
        raise StudentCopyError(
            f"cell {cell_number} is not plain Python ({error.msg}, line {error.lineno}): "
            "student copies need cells without IPython magics (% and !)"
        ) from None


def guard_code(source: str, state: NotebookState, cell_number: int) -> tuple[str, bool]:
    """Return the cell with its waiting statements under ``if solved(...)``, and whether any were.

    Solution regions (between the markers) are kept as they are; each stretch of code between
    them is analysed on its own, so a guard never spans a placeholder.
    """
    out: list[str] = []
    code: list[str] = []
    guarded, in_region = False, False
    for line in source.splitlines(keepends=True) + [None]:
        marker = line.rstrip() if line is not None else None
        if line is None or marker in (BEGIN, END) or in_region:
            if code:
                text, changed = _guard_segment(
                    "".join(code), state, cell_number, not guarded, last=line is None
                )
                out.append(text)
                guarded |= changed
                code = []
            if line is not None:
                out.append(line)
                in_region = (in_region or marker == BEGIN) and marker != END
        else:
            code.append(line)
    return "".join(out), guarded


def _guard_segment(
    code: str, state: NotebookState, cell_number: int, with_import: bool, last: bool
) -> tuple[str, bool]:
    tree = parse(code, cell_number)
    guard_from, exercises, guarded_bound = None, set(), set()
    defined_before = set(state.defined)
    for number, statement in enumerate(tree.body):
        read, bound = reads_and_binds(statement)
        waiting = {name: state.tainted[name] for name in read if name in state.tainted}
        for name, taint in waiting.items():
            if taint.solution_only:
                raise StudentCopyError(
                    f"cell {cell_number} uses {name!r}, which only a solution defines: define it "
                    "outside the solution markers (or in the learner's exercise cell)"
                )
        exempt = check_name(statement) and all(t.always_bound for t in waiting.values())
        if guard_from is None and waiting and not exempt and _is_def(statement):
            taint_of = frozenset().union(*(t.exercises for t in waiting.values()))
            for name in bound:
                state.taint(name, Taint(taint_of, always_bound=True))
                state.latest_def_is_stub[name] = False
            state.defined |= bound
            continue
        if guard_from is None and waiting and not exempt:
            guard_from = number
        if guard_from is not None:
            exercises |= {e for t in waiting.values() for e in t.exercises}
            guarded_bound |= bound
            continue
        for name in bound:  # bound again, cleanly: no longer waiting
            state.tainted.pop(name, None)
            state.latest_def_is_stub[name] = is_stub(statement)
        state.defined |= bound
    if guard_from is None:
        return code, False
    guard_from = _include_setup(tree.body, guard_from, guarded_bound, state.read_below)
    for name in guarded_bound:  # may never be bound: wait for the same exercises
        certain = name in defined_before
        state.taint(name, Taint(frozenset(exercises), always_bound=certain))
        state.latest_def_is_stub.pop(name, None)
        if not certain:
            state.defined.discard(name)
    text = _render_guard(code, tree, guard_from, sorted(exercises), cell_number, with_import, last)
    return text, True


def _include_setup(
    statements: list[ast.stmt], first: int, guarded_bound: set[str], read_below: set[str]
) -> int:
    """Move the guard up over the statements just above it that only prepare what it uses,
    e.g. ``fig, ax = plt.subplots()``: without the answer, no empty figure is drawn. Whatever
    the cells below still read (a constant, a table) stays outside."""
    used = set().union(*(reads_and_binds(s)[0] for s in statements[first:]))
    while first > 0:
        statement = statements[first - 1]
        if isinstance(statement, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.ClassDef):
            break
        read, bound = reads_and_binds(statement)
        changed = bound | mutated_names(statement)
        if not changed & used or changed & read_below:
            break
        used |= read
        guarded_bound |= bound
        first -= 1
    return first


def _is_def(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef)


def _render_guard(
    code: str,
    tree: ast.Module,
    first: int,
    exercises: list[str],
    cell_number: int,
    with_import: bool,
    last: bool,
) -> str:
    statements = tree.body[first:]
    start = statements[0]
    if start.col_offset != 0:
        raise StudentCopyError(f"cell {cell_number} line {start.lineno}: one statement per line")
    lines = code.splitlines(keepends=True)
    head, tail = "".join(lines[: start.lineno - 1]), "".join(lines[start.lineno - 1 :])
    if last:  # IPython shows the value of a cell's last expression
        tail = _display_last_expression(tail, statements, start.lineno)
    body = _indent(tail)
    condition = ", ".join(f'"{name}"' for name in exercises)
    guard = f"{GUARD_IMPORT}\n\n" if with_import else ""
    if head.strip() and not head.endswith("\n\n"):
        head += "\n"
    guarded = f"{guard}if solved({condition}):\n{body}"
    new_tree = parse(guarded, cell_number)
    new_if = next(node for node in new_tree.body if isinstance(node, ast.If))
    if _dump(new_if.body) != _dump(parse(tail, cell_number).body):
        raise StudentCopyError(f"cell {cell_number}: could not indent its code safely")
    return head + guarded


def _dump(statements: list[ast.stmt]) -> list[str]:
    return [ast.dump(statement) for statement in statements]


def _display_last_expression(tail: str, statements: list[ast.stmt], offset: int) -> str:
    """Under an ``if``, a cell's last expression is no longer shown: show it with display()."""
    last = statements[-1]
    if not isinstance(last, ast.Expr) or tail.rstrip().endswith(";"):
        return tail
    value = last.value
    if isinstance(value, ast.Call) and (
        (isinstance(value.func, ast.Name) and value.func.id in ("print", "display"))
        or (isinstance(value.func, ast.Attribute) and value.func.attr == "show")
    ):
        return tail  # returns None: nothing to show
    lines = tail.splitlines(keepends=True)
    first = last.lineno - offset
    end = (last.end_lineno or last.lineno) - offset
    lines[end] = lines[end][: last.end_col_offset] + ")" + lines[end][last.end_col_offset :]
    lines[first] = lines[first][: last.col_offset] + "display(" + lines[first][last.col_offset :]
    in_string = _string_lines(tail)
    for number in range(first + 1, end + 1):  # keep continuation lines aligned
        if number + 1 not in in_string and lines[number].strip():
            lines[number] = " " * len("display(") + lines[number]
    return "".join(lines)


def _indent(code: str) -> str:
    """Indent every line by four spaces, except lines inside a multi-line string."""
    in_string = _string_lines(code)
    return "".join(
        line if number in in_string or not line.strip() else "    " + line
        for number, line in enumerate(code.splitlines(keepends=True), start=1)
    )


def _string_lines(code: str) -> set[int]:
    """Numbers (from 1) of the lines that start inside a multi-line string."""
    inside: set[int] = set()
    fstring_start = getattr(tokenize, "FSTRING_START", None)  # Python 3.12+
    fstring_end = getattr(tokenize, "FSTRING_END", None)
    opened: list[int] = []
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type == tokenize.STRING:
            inside |= set(range(token.start[0] + 1, token.end[0] + 1))
        elif fstring_start is not None and token.type == fstring_start:
            opened.append(token.start[0])
        elif fstring_end is not None and token.type == fstring_end:
            inside |= set(range(opened.pop() + 1, token.end[0] + 1))
    return inside
