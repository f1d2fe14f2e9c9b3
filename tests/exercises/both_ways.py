"""Every checker is tested both ways: it says "not done" for the placeholder, rejects plausible
wrong answers ("not yet"), and accepts correct solutions written in different styles."""

from __future__ import annotations

import types
from collections.abc import Callable, Sequence
from typing import Any

from course.exercises import FAILED, NOT_DONE, PASSED, Exercise


def placeholder(*args: Any) -> Any:
    raise NotImplementedError("your code here")


def typed_by_learner(function: Callable) -> Callable:
    """The same code, as if a learner had typed it into a notebook: a copy of ``function``
    with its own names and module ``__main__`` (a check refuses the library's own function,
    and a call to it, as an answer)."""
    copy = types.FunctionType(function.__code__, dict(function.__globals__), function.__name__,
                              function.__defaults__, function.__closure__)
    copy.__kwdefaults__ = function.__kwdefaults__
    copy.__module__ = "__main__"
    return copy


def assert_checked_both_ways(
    check: Exercise, solutions: Sequence[Callable], wrong_answers: Sequence[Callable]
) -> None:
    assert check.check(placeholder).status == NOT_DONE
    for solution in solutions:
        if getattr(solution, "__module__", "").startswith("course."):
            solution = typed_by_learner(solution)
        outcome = check.check(solution)
        assert outcome.status == PASSED, f"a correct solution was rejected: {outcome.message}"
    for number, wrong in enumerate(wrong_answers):
        outcome = check.check(wrong)
        name = getattr(wrong, "__name__", "")
        assert outcome.status == FAILED, f"wrong answer #{number} {name} passed: {outcome}"
        assert "Traceback" not in outcome.message, "a wrong answer gets a hint, not a traceback"
