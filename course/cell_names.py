"""What a notebook cell reads and binds, worked out with Python's own ``symtable``.

``reads`` are the names a statement needs from the cells above it (a name it binds before
reading it, such as a loop variable, is not one); ``binds`` are the names it defines.
"""

from __future__ import annotations

import ast
import symtable


def reads_and_binds(statement: ast.stmt) -> tuple[set[str], set[str]]:
    """(names a statement reads before binding them itself, names it binds at the top level).

    Inside ``for``, ``with`` and ``except ... as`` blocks the names those bind are not reads:
    ``for k in ks: print(k)`` needs ``ks`` from above, not ``k``.
    """
    return _free_reads(statement), _names(ast.unparse(statement))[1]


def free_reads(tree: ast.Module) -> set[str]:
    """Names a cell reads before it binds them itself: what it needs from the cells above."""
    return _block_reads(tree.body, set())


def bound_names(tree: ast.Module) -> set[str]:
    """Names that the top level of ``tree`` binds (assignments, defs, imports, loop targets)."""
    return _names(ast.unparse(tree))[1] if tree.body else set()


def mutated_names(statement: ast.stmt) -> set[str]:
    """Names whose object a statement changes in place: ``ax.plot(...)``, ``rows[0] = ...``."""
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        targets = [statement.value.func]
    elif isinstance(statement, ast.Assign | ast.AugAssign | ast.AnnAssign):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
    names = set()
    for target in targets:
        if not isinstance(target, ast.Attribute | ast.Subscript):
            continue
        while isinstance(target, ast.Attribute | ast.Subscript | ast.Call):
            target = target.func if isinstance(target, ast.Call) else target.value
        if isinstance(target, ast.Name):
            names.add(target.id)
    return names


def is_stub(statement: ast.stmt) -> bool:
    """True for ``def f(...): raise NotImplementedError(...)`` (an optional docstring first)."""
    if not isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    body = list(statement.body)
    if len(body) == 2 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    error = body[0].exc.func if isinstance(body[0].exc, ast.Call) else body[0].exc
    return isinstance(error, ast.Name) and error.id == "NotImplementedError"


def check_name(statement: ast.stmt) -> str | None:
    """``"check_flip_bit"`` for the statement ``check_flip_bit(flip_bit)``; otherwise None."""
    if (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Call)
        and isinstance(statement.value.func, ast.Name)
        and statement.value.func.id.startswith("check_")
    ):
        return statement.value.func.id
    return None


def check_calls(tree: ast.Module) -> frozenset[str]:
    """Exercise names of the top-level ``check_<name>(...)`` calls in a cell."""
    calls = (check_name(statement) for statement in tree.body)
    return frozenset(name.removeprefix("check_") for name in calls if name)


def _free_reads(statement: ast.stmt) -> set[str]:
    match statement:
        case ast.For(target=target, iter=iterable, body=body, orelse=orelse) | ast.AsyncFor(
            target=target, iter=iterable, body=body, orelse=orelse
        ):
            loop = _names(ast.unparse(target) + " = None")[1]
            return _expr_reads(iterable) | _block_reads(body + orelse, loop)
        case ast.With(items=items, body=body) | ast.AsyncWith(items=items, body=body):
            targets = [i.optional_vars for i in items if i.optional_vars is not None]
            bound = set().union(*(_names(ast.unparse(t) + " = None")[1] for t in targets))
            reads = set().union(*(_expr_reads(i.context_expr) for i in items))
            return reads | _block_reads(body, bound)
        case ast.Try(body=body, handlers=handlers, orelse=orelse, finalbody=final):
            reads = _block_reads(body + orelse, set()) | _block_reads(final, set())
            for handler in handlers:
                if handler.type is not None:
                    reads |= _expr_reads(handler.type)
                caught = {handler.name} if handler.name else set()
                reads |= _block_reads(handler.body, caught)
            return reads
        case ast.If(test=test, body=body, orelse=orelse) | ast.While(
            test=test, body=body, orelse=orelse
        ):
            return _expr_reads(test) | _block_reads(body, set()) | _block_reads(orelse, set())
    return _names(ast.unparse(statement))[0]


def _block_reads(statements: list[ast.stmt], bound: set[str]) -> set[str]:
    """Names a block reads before it binds them, given names already bound on entry."""
    reads, bound = set(), set(bound)
    for statement in statements:
        read, binds = reads_and_binds(statement)
        reads |= read - bound
        bound |= binds
    return reads


def _expr_reads(expression: ast.expr) -> set[str]:
    return _names(ast.unparse(expression))[0]


def _names(code: str) -> tuple[set[str], set[str]]:
    """(global names the code reads anywhere, names its top level binds), from Python's symtable."""
    table = symtable.symtable(code, "<cell>", "exec")
    read, bound = set(), set()
    for symbol in table.get_symbols():
        if symbol.is_referenced():
            read.add(symbol.get_name())
        if symbol.is_assigned() or symbol.is_imported():
            bound.add(symbol.get_name())
    nested = list(table.get_children())
    while nested:
        scope = nested.pop()
        nested += scope.get_children()
        read |= {s.get_name() for s in scope.get_symbols() if s.is_global() and s.is_referenced()}
    return read, bound
