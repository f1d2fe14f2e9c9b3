"""Throw garbage at public functions: each answers correctly or raises the course's own error.

A package's test lists *valid calls* (a function and arguments it accepts). The fuzzer takes
one, replaces one argument with garbage (None, NaN, infinities, negatives, huge numbers, the
wrong type, empty things) and calls it again. Allowed outcomes: a return value (some garbage
is a legal value for some parameters: -1 is a fine drift) or a :class:`CourseError` that is
also a ``ValueError``, named after the rule. Anything else (a raw ``TypeError``,
``ZeroDivisionError``, ``IndexError``, numpy's errors, a hang) is a bug in the function.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course.errors import CourseError

GARBAGE: tuple[Any, ...] = (
    None, math.nan, math.inf, -math.inf, -1, -1.5, 0, 10**30, -(10**30), 1e300, True, False,
    "banana", "", b"\x00", [], {}, (), [1, "x"], object(), np.float64("nan"), np.int64(-7),
)

garbage_values = st.one_of(
    st.sampled_from(GARBAGE),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=3),
)


@dataclass(frozen=True)
class ValidCall:
    """A call the function accepts: ``function(*args, **kwargs)``; only ``kwargs`` are mutated."""

    function: Callable[..., Any]
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    args: Sequence[Any] = ()

    def __repr__(self) -> str:
        return f"{getattr(self.function, '__qualname__', self.function)}(**{dict(self.kwargs)})"


def call_with(call: ValidCall, name: str, value: Any) -> Any:
    return call.function(*call.args, **{**call.kwargs, name: value})


def assert_answers_or_refuses(call: ValidCall, name: str, value: Any) -> None:
    """The one property: a return value, or a named CourseError that is a ValueError."""
    try:
        call_with(call, name, value)
    except CourseError as error:
        assert isinstance(error, ValueError), (
            f"{call!r} with {name}={value!r}: {type(error).__name__} is not a ValueError")
        assert str(error), f"{call!r} with {name}={value!r}: an error with no message"
    except Exception as error:  # noqa: BLE001 - the point is to catch whatever escapes
        raise AssertionError(
            f"{call!r} with {name}={value!r} raised a raw {type(error).__name__}: {error}"
        ) from error


def fuzz_valid_calls(calls: Sequence[ValidCall], examples: int = 400) -> Callable[[], None]:
    """A test (for a module to bind to a ``test_*`` name) that fuzzes every call's arguments.

    Pair it with :func:`assert_calls_are_valid`: a listed call that fails proves nothing.
    """
    @settings(max_examples=examples, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def test(data: st.DataObject) -> None:
        call = data.draw(st.sampled_from(calls))
        name = data.draw(st.sampled_from(sorted(call.kwargs)))
        assert_answers_or_refuses(call, name, data.draw(garbage_values))

    return test


def assert_calls_are_valid(calls: Sequence[ValidCall]) -> None:
    for call in calls:
        call.function(*call.args, **call.kwargs)

