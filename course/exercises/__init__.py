"""Instant-feedback checks for the "Try it" cells of the notebooks.

A check RUNS the learner's answer and looks at what it does; it never compares
source text with a stored answer. Whatever the answer does (wrong result, wrong
type, an exception, not written yet), the check prints one clear line and never
a traceback. Help comes as a ladder: the goal, the concept (which idea of the
notebook applies), a worked example of the same technique on other numbers, and only
then where the worked solution is. In a student copy (``course student``) the last
step says where that copy's solutions live: the copy's first cell calls
``solutions_elsewhere``.

Each notebook has its exercises in a module of this package named after it,
e.g. ``course.exercises.start_here``.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import inspect
import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, SupportsFloat

import numpy as np

from course.display import Table

PASSED = "passed"
FAILED = "not yet"
NOT_DONE = "not done"

SYMBOLS = {PASSED: "✅", FAILED: "❌", NOT_DONE: "⏳"}


class CheckFailed(Exception):
    """The answer ran but does not do what the exercise asks; the message says what is off."""


class NotDoneYet(Exception):
    """The answer is still the placeholder (``...``, ``None`` or ``raise NotImplementedError``)."""


@dataclass(frozen=True)
class Outcome:
    """What one check found."""

    exercise: str
    status: str  # PASSED, FAILED or NOT_DONE
    message: str

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def __str__(self) -> str:
        return f"{SYMBOLS[self.status]} {self.exercise}: {self.status}. {self.message}"


RESULTS: dict[str, Outcome] = {}
"""The latest outcome of every check run in this Python session (used for a score table)."""


SOLUTION_IN_NOTEBOOK = (
    "The worked solution is in the collapsed cell just below the exercise: "
    "click the '...' bar (or the blue bar at its left) to expand it."
)
"""Where the worked solution is in the course's own notebooks."""

_solutions_elsewhere: str | None = None


def solutions_elsewhere(where: str | None) -> None:
    """Declare that this notebook is a student copy without worked solutions.

    ``where`` is the sentence the last step of every ``.hint()`` then shows; ``{exercise}`` in
    it becomes the exercise's name. ``None`` goes back to the course's own notebooks (the
    solution is in a collapsed cell). The first cell of a student copy calls this.
    """
    global _solutions_elsewhere
    _solutions_elsewhere = where


LABELS = ("Goal", "Concept", "Worked example", "Solution")


class Exercise:
    """One exercise: its goal, a hint ladder and a test that runs the learner's answer.

    ``hints=(concept, worked_example)``: which idea of the notebook applies, then the same
    technique on different numbers or in pseudo-code (never the answer itself). ``.hint()``
    shows Goal → Concept → Worked example → Solution, one step per call.

    ``test(answer)`` returns a short success message, or raises ``CheckFailed``
    (wrong behaviour) or ``NotDoneYet`` (placeholder). Any other exception raised
    while it runs came from the learner's code and is reported as such, naming the call
    that raised it.

    The library an exercise is checked against is never the answer: a function of the
    course package passed as the answer is refused, and so is an answer that calls the
    exercise's ``references`` (the library functions that do what it asks; a course
    function named like the exercise is one) through the notebook's names. The bound: a
    reference reached another way (``module.function``, ``getattr``) is not seen.
    """

    def __init__(
        self,
        name: str,
        goal: str,
        hints: tuple[str, str],
        test: Callable[[Any], str],
        solution_hint: str = SOLUTION_IN_NOTEBOOK,
        references: tuple[Callable[..., Any], ...] = (),
    ) -> None:
        self.name = name
        self.references = tuple(references)
        self.goal = goal
        self.hints = tuple(hints)
        self.concept, self.worked_example = hints
        self.solution_hint = solution_hint
        self.test = test
        self.help_given = 0

    @property
    def solution_step(self) -> str:
        """Where the worked solution is, for this notebook (a student copy says elsewhere)."""
        if _solutions_elsewhere is None:
            return self.solution_hint
        return _solutions_elsewhere.replace("{exercise}", self.name)

    @property
    def help_steps(self) -> tuple[str, str, str, str]:
        texts = (self.goal, self.concept, self.worked_example, self.solution_step)
        return tuple(  # type: ignore[return-value]
            f"{label}: {text}" for label, text in zip(LABELS, texts, strict=True)
        )

    def check(self, answer: Any) -> Outcome:
        """Run the test on ``answer`` and return the outcome without printing it."""
        global _current
        references = (*self.references, *_course_twins(self.name))
        if answer is None or answer is Ellipsis:
            outcome = Outcome(self.name, NOT_DONE, "Replace the placeholder with your answer.")
        elif _is_library_function(answer, references):
            outcome = Outcome(
                self.name,
                FAILED,
                f"{_qualified(answer)} is the library's own: "
                "the exercise asks you to write it. Write your own function "
                f"(you may compare it with the library's afterwards). "
                f"{self._help_prompt()}",
            )
        else:
            trace = _Trace(answer) if _traceable(answer) else None
            outer, _current = _current, trace
            try:
                with _tripwires(answer, references) as used:
                    message = self.test(trace.traced if trace else answer)
                if used:
                    raise CheckFailed(
                        f"Your function calls the library's own {_qualified(used[0])}: the "
                        "exercise asks you to write what it does. Replace that call with "
                        "your own code (you may compare the two afterwards)."
                    )
                outcome = Outcome(self.name, PASSED, message)
            except NotDoneYet as missing:
                outcome = Outcome(self.name, NOT_DONE, str(missing))
            except NotImplementedError:
                outcome = Outcome(
                    self.name, NOT_DONE, "Your answer still raises NotImplementedError: write it!"
                )
            except CheckFailed as wrong:
                outcome = Outcome(self.name, FAILED, f"{wrong} {self._help_prompt()}")
            except Exception as error:  # the learner's code raised: report it, no traceback
                outcome = Outcome(
                    self.name, FAILED, f"{_crash_report(error, trace)} {self._help_prompt()}"
                )
            finally:
                _current = outer
        RESULTS[self.name] = outcome
        return outcome

    def __call__(self, answer: Any) -> None:
        """Check ``answer`` and print one line: passed, not yet (with why), or not done."""
        print(self.check(answer))

    def hint(self) -> None:
        """Print the next step of help: goal, concept, worked example, then the solution."""
        steps = self.help_steps
        step = min(self.help_given, len(steps) - 1)
        self.help_given += 1
        print(f"Help {step + 1}/{len(steps)} for {self.name}: {steps[step]}")
        if step < len(steps) - 1:
            print("(Run .hint() again for more.)")

    def _help_prompt(self) -> str:
        return f"Stuck? Run check_{self.name}.hint()"

    def __repr__(self) -> str:
        return f"Exercise({self.name!r})"


# The library is not the answer: a course function passed as the answer, or a reference of the
# exercise called by the learner's code through the notebook's names.

_LIBRARY_PACKAGES = ("course.",)


def _qualified(function: Any) -> str:
    module = getattr(function, "__module__", None) or "?"
    return f"{module}.{getattr(function, '__qualname__', getattr(function, '__name__', '?'))}"


def _course_twins(name: str) -> list[Callable[..., Any]]:
    """Functions of the course's library (not its exercises) named like the exercise."""
    import sys

    twins: list[Callable[..., Any]] = []
    for module_name, module in list(sys.modules.items()):
        if (
            module is None
            or not module_name.startswith("course.")
            or module_name.startswith("course.exercises")
        ):
            continue
        function = getattr(module, name, None)
        if inspect.isfunction(function) and function.__module__ == module_name:
            twins.append(function)
    return twins


def _unwrapped(function: Any) -> Any:
    with contextlib.suppress(Exception):
        return inspect.unwrap(function)
    return function


def _is_library_function(answer: Any, references: tuple[Callable[..., Any], ...]) -> bool:
    """Is the answer one of the references, or any function of the course's library?"""
    if not callable(answer):
        return False
    target = _unwrapped(answer)
    if any(target is _unwrapped(reference) for reference in references):
        return True
    module = getattr(target, "__module__", None)
    return (
        inspect.isfunction(target)
        and isinstance(module, str)
        and module.startswith(_LIBRARY_PACKAGES)
        and not module.startswith("course.exercises")
    )


@contextlib.contextmanager
def _tripwires(answer: Any, references: tuple[Callable[..., Any], ...]) -> Any:
    """While the check runs, the answer's global names bound to a reference call a tripwire
    that remembers the call and then does it (so a learner's ``except`` cannot hide it)."""
    used: list[Callable[..., Any]] = []
    namespace = getattr(_unwrapped(answer), "__globals__", None)
    if not isinstance(namespace, dict) or not references:
        yield used
        return
    originals = {
        name: value
        for name, value in namespace.items()
        if callable(value)
        and any(_unwrapped(value) is _unwrapped(reference) for reference in references)
    }

    def tripwire(original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def called(*args: Any, **kwargs: Any) -> Any:
            used.append(original)
            return original(*args, **kwargs)

        return called

    namespace.update({name: tripwire(value) for name, value in originals.items()})
    try:
        yield used
    finally:
        for name, value in originals.items():
            namespace[name] = value


# Naming the call that crashed, and why a function returned None. While a check runs, the
# learner's function is wrapped: each call is remembered, and an exception escaping it carries
# the call (its type is unchanged, so a test that expects, e.g., a revert still catches it).

_CALL_ATTRIBUTE = "_course_exercise_call"


def _traceable(answer: Any) -> bool:
    return inspect.isfunction(answer) or inspect.ismethod(answer)


def _short(value: Any, width: int = 48) -> str:
    try:
        text = " ".join(repr(value).split())
    except Exception:  # a 5,000-digit int or a broken __repr__: say what it is instead
        text = f"<a {type(value).__name__} that cannot be shown>"
    return text if len(text) <= width else text[: width - 3] + "..."


class _Trace:
    """The learner's function, wrapped: the latest call and whether it returned None."""

    def __init__(self, answer: Callable[..., Any]) -> None:
        self.answer = answer
        self.last_call: str | None = None
        self.last_returned: Any = None

        @functools.wraps(answer)
        def traced(*args: Any, **kwargs: Any) -> Any:
            shown = [_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()]
            call = f"{getattr(answer, '__name__', 'your function')}({', '.join(shown)})"
            self.last_call, self.last_returned = call, None
            try:
                result = answer(*args, **kwargs)
            except Exception as error:
                if not hasattr(error, _CALL_ATTRIBUTE):
                    with contextlib.suppress(AttributeError, TypeError):  # no __dict__
                        setattr(error, _CALL_ATTRIBUTE, call)
                raise
            self.last_returned = result
            return result

        self.traced = traced


_current: _Trace | None = None

_WHY = {
    ("ValueError", "math domain error"): (
        " A log or square root got a number outside its domain (log(0), log or sqrt of a "
        "negative) for this input: handle this case before the formula."
    ),
    ("ZeroDivisionError", None): " Handle the input that makes the divisor 0 before dividing.",
}


def _crash_report(error: Exception, trace: _Trace | None) -> str:
    """One line: which call raised what (or which returned value the check could not use)."""
    kind = type(error).__name__
    why = _WHY.get((kind, str(error)), _WHY.get((kind, None), ""))
    call = getattr(error, _CALL_ATTRIBUTE, None)
    if call is not None:
        return f"{call} raised {kind}: {error}.{why}"
    if trace is not None and trace.last_call is not None:
        return (
            f"{trace.last_call} returned {_short(trace.last_returned)}, and checking it raised "
            f"{kind}: {error}. Return the kind of value the exercise asks for."
        )
    return f"Your code raised {kind}: {error}.{why}"


def _none_reason() -> str:
    """Why the learner's function returned None, read from its source when we have it."""
    generic = "did you forget a `return`?"
    trace = _current
    if trace is None or trace.last_call is None or trace.last_returned is not None:
        return generic
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(trace.answer)))
    except (OSError, TypeError, SyntaxError):
        return generic
    function = next(
        (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)),
        None,
    )
    if function is None:
        return generic
    returns, in_loop = _value_returns(function.body, in_loop=False)
    if not returns:
        return generic
    last = function.body[-1]
    if isinstance(last, ast.Return | ast.Raise) and not (
        isinstance(last, ast.Return) and _returns_none(last)
    ):  # it cannot fall off the end: a `return None` somewhere
        return f"{trace.last_call} reached a bare `return` (or `return None`): return a value."
    if in_loop:
        return (
            f"{trace.last_call} ended without reaching a `return`: your function returns from "
            "inside a loop, and for this input the loop ran out first (a range too short, a "
            "limit on the tries, a condition that never held?). Let the loop run until it "
            "finds the answer, or return something after it."
        )
    return (
        f"{trace.last_call} reached the end of your function (or a bare `return`) without "
        "returning a value: which branch did this input take?"
    )


def _value_returns(body: list[ast.stmt], in_loop: bool) -> tuple[int, bool]:
    """How many ``return <value>`` statements the body has (not in nested functions), and
    whether one sits inside a loop."""
    count, looped = 0, False
    for statement in body:
        for node in _walk_no_defs(statement):
            if isinstance(node, ast.Return) and not _returns_none(node):
                count += 1
            if isinstance(node, ast.For | ast.While | ast.AsyncFor):
                inner, _ = _value_returns(node.body, in_loop=True)
                looped |= inner > 0
    return count, looped or (in_loop and count > 0)


def _returns_none(node: ast.Return) -> bool:
    return node.value is None or (isinstance(node.value, ast.Constant) and node.value.value is None)


def _walk_no_defs(node: ast.AST) -> list[ast.AST]:
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        found.append(current)
        for child in ast.iter_child_nodes(current):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                stack.append(child)
    return found


def scoreboard() -> Table:
    """A table of every exercise checked so far in this session, in the order first checked."""
    rows = [(o.exercise, f"{SYMBOLS[o.status]} {o.status}") for o in RESULTS.values()]
    return Table(("exercise", "result"), rows)


# Helpers that exercise tests use to turn a wrong *kind* of answer into a clear message.


def expect_function(answer: Any, parameters: int) -> None:
    """Fail clearly unless ``answer`` is a function that takes ``parameters`` arguments."""
    if not callable(answer):
        raise CheckFailed(
            f"Expected a function, got {type(answer).__name__} {_short(answer)}. "
            "Pass the function itself, not its result: no parentheses after its name."
        )
    try:
        inspect.signature(answer).bind(*range(parameters))
    except TypeError:
        raise CheckFailed(
            f"Your function should take {parameters} argument(s); "
            f"its signature is {getattr(answer, '__name__', type(answer).__name__)}"
            f"{inspect.signature(answer)}."
        ) from None
    except ValueError:  # some builtins have no signature; calling them will tell
        pass


_NUMPY_TWINS: dict[type, type] = {int: np.integer, float: np.floating, bool: np.bool_}
"""Where a Python number (or bool) is expected, its numpy twin counts too: np.int64(3) is an int."""


def _accepted(expected: type | tuple[type, ...]) -> tuple[type, ...]:
    kinds = expected if isinstance(expected, tuple) else (expected,)
    return kinds + tuple(_NUMPY_TWINS[kind] for kind in kinds if kind in _NUMPY_TWINS)


def expect_type(value: Any, expected: type | tuple[type, ...], what: str) -> Any:
    """Fail clearly unless ``value`` is of the expected type; ``what`` names it in the message.

    Where a number (or a bool) is expected, numpy scalars and 0-d arrays count: ``np.int64(3)``
    is an int. Returns the value, numpy scalars as plain Python numbers.
    """
    kinds = _accepted(expected)
    numeric = any(
        issubclass(k, int | float | np.integer | np.floating) and k is not bool for k in kinds
    )
    if isinstance(value, np.ndarray) and value.shape == () and (numeric or bool in kinds):
        value = value[()]
    if isinstance(value, bool | np.bool_) and bool not in kinds and numeric:
        raise CheckFailed(f"{what} should be a number, got the bool {value!r}.")
    if value is None:
        raise CheckFailed(f"{what} is None: {_none_reason()}")
    if not isinstance(value, kinds):
        names = (
            " or ".join(t.__name__ for t in expected)
            if isinstance(expected, tuple)
            else expected.__name__
        )
        article = "an" if names[:1] in "aeiou" else "a"
        raise CheckFailed(
            f"{what} should be {article} {names}, got {type(value).__name__} {_short(value, 60)}."
        )
    return value.item() if isinstance(value, np.generic) else value


def expect_number(got: Any, what: str) -> float:
    """Fail clearly unless ``got`` is a finite number (a 0-d numpy array counts); return it."""
    got = expect_type(got, (int, float), what)
    if not math.isfinite(got):
        raise CheckFailed(f"{what} returned {got}: expected a finite number.")
    return float(got)


def close_enough(got: SupportsFloat, expected: SupportsFloat) -> bool:
    """Equal up to float rounding: what a check accepts for a computed number."""
    return math.isclose(float(got), float(expected), rel_tol=1e-9, abs_tol=1e-12)
