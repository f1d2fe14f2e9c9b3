"""Every checker is tested both ways: it says "not done" for the placeholder, rejects plausible
wrong answers ("not yet"), and accepts correct solutions written in different styles."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from course.exercises import FAILED, NOT_DONE, PASSED, Exercise


def placeholder(*args: Any) -> Any:
    raise NotImplementedError("your code here")


def assert_checked_both_ways(
    check: Exercise, solutions: Sequence[Callable], wrong_answers: Sequence[Callable]
) -> None:
    assert check.check(placeholder).status == NOT_DONE
    for solution in solutions:
        outcome = check.check(solution)
        assert outcome.status == PASSED, f"a correct solution was rejected: {outcome.message}"
    for number, wrong in enumerate(wrong_answers):
        outcome = check.check(wrong)
        name = getattr(wrong, "__name__", "")
        assert outcome.status == FAILED, f"wrong answer #{number} {name} passed: {outcome}"
        assert "Traceback" not in outcome.message, "a wrong answer gets a hint, not a traceback"
