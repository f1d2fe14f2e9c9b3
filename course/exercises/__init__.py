"""Instant-feedback checks for the "Try it" cells of the notebooks.

A check RUNS the learner's answer and looks at what it does; it never compares
source text with a stored answer. Whatever the answer does (wrong result, wrong
type, an exception, not written yet), the check prints one clear line and never
a traceback. Help comes in steps: the goal, a gentle hint, a specific hint, and
only then where the solution is.

Each notebook has its exercises in a module of this package named after it,
e.g. ``course.exercises.start_here``.
"""

from __future__ import annotations

import inspect
import math
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


class Exercise:
    """One exercise: its goal, two hints and a test that runs the learner's answer.

    ``test(answer)`` returns a short success message, or raises ``CheckFailed``
    (wrong behaviour) or ``NotDoneYet`` (placeholder). Any other exception raised
    while it runs came from the learner's code and is reported as such.
    """

    def __init__(
        self,
        name: str,
        goal: str,
        hints: tuple[str, str],
        test: Callable[[Any], str],
        solution_hint: str = (
            "The worked solution is in the collapsed cell just below the exercise: "
            "click the '...' bar (or the blue bar at its left) to expand it."
        ),
    ) -> None:
        self.name = name
        self.goal = goal
        self.help_steps = (
            f"Goal: {goal}",
            f"Hint: {hints[0]}",
            f"Specific hint: {hints[1]}",
            f"Solution: {solution_hint}",
        )
        self.test = test
        self.help_given = 0

    def check(self, answer: Any) -> Outcome:
        """Run the test on ``answer`` and return the outcome without printing it."""
        if answer is None or answer is Ellipsis:
            outcome = Outcome(self.name, NOT_DONE, "Replace the placeholder with your answer.")
        else:
            try:
                outcome = Outcome(self.name, PASSED, self.test(answer))
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
                    self.name,
                    FAILED,
                    f"Your code raised {type(error).__name__}: {error}. {self._help_prompt()}",
                )
        RESULTS[self.name] = outcome
        return outcome

    def __call__(self, answer: Any) -> None:
        """Check ``answer`` and print one line: passed, not yet (with why), or not done."""
        print(self.check(answer))

    def hint(self) -> None:
        """Print the next step of help: goal, gentle hint, specific hint, then the solution."""
        step = min(self.help_given, len(self.help_steps) - 1)
        self.help_given += 1
        print(f"Help {step + 1}/{len(self.help_steps)} for {self.name}: {self.help_steps[step]}")
        if step < len(self.help_steps) - 1:
            print("(Run .hint() again for more.)")

    def _help_prompt(self) -> str:
        return f"Stuck? Run check_{self.name}.hint()"

    def __repr__(self) -> str:
        return f"Exercise({self.name!r})"


def scoreboard() -> Table:
    """A table of every exercise checked so far in this session, in the order first checked."""
    rows = [(o.exercise, f"{SYMBOLS[o.status]} {o.status}") for o in RESULTS.values()]
    return Table(("exercise", "result"), rows)


# Helpers that exercise tests use to turn a wrong *kind* of answer into a clear message.


def expect_function(answer: Any, parameters: int) -> None:
    """Fail clearly unless ``answer`` is a function that takes ``parameters`` arguments."""
    if not callable(answer):
        raise CheckFailed(
            f"Expected a function, got {type(answer).__name__} {answer!r}. "
            "Pass the function itself, not its result: no parentheses after its name."
        )
    try:
        inspect.signature(answer).bind(*range(parameters))
    except TypeError:
        raise CheckFailed(
            f"Your function should take {parameters} argument(s); "
            f"its signature is {answer.__name__}{inspect.signature(answer)}."
        ) from None
    except ValueError:  # some builtins have no signature; calling them will tell
        pass


def expect_type(value: Any, expected: type | tuple[type, ...], what: str) -> None:
    """Fail clearly unless ``value`` is of the expected type; ``what`` names it in the message."""
    if isinstance(value, bool) and expected in (int, float):
        raise CheckFailed(f"{what} should be a number, got the bool {value!r}.")
    if value is None:
        raise CheckFailed(f"{what} is None: did you forget a `return`?")
    if not isinstance(value, expected):
        names = (
            " or ".join(t.__name__ for t in expected)
            if isinstance(expected, tuple)
            else expected.__name__
        )
        raise CheckFailed(f"{what} should be a {names}, got {type(value).__name__} {value!r}.")


def expect_number(got: Any, what: str) -> float:
    """Fail clearly unless ``got`` is a finite number (a 0-d numpy array counts); return it."""
    if isinstance(got, np.ndarray) and got.shape == ():
        got = got.item()
    expect_type(got, (int, float, np.integer, np.floating), what)
    if not math.isfinite(got):
        raise CheckFailed(f"{what} returned {got}: expected a finite number.")
    return float(got)


def close_enough(got: SupportsFloat, expected: SupportsFloat) -> bool:
    """Equal up to float rounding: what a check accepts for a computed number."""
    return math.isclose(float(got), float(expected), rel_tol=1e-9, abs_tol=1e-12)
