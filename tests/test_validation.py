"""The one validation vocabulary: each helper accepts what its rule allows, refuses the rest."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course.errors import ChainError, ComputeError, CourseError, DefiError, EvmError, InvalidInput
from course.validation import (
    ensure_bool,
    ensure_choice,
    ensure_generator,
    ensure_instance,
    ensure_int,
    ensure_number,
    ensure_numbers,
    ensure_text,
)


class PoolFeeError(DefiError, ValueError):
    pass


def test_every_package_error_is_a_course_error():
    for branch in (ChainError, EvmError, DefiError, ComputeError, InvalidInput):
        assert issubclass(branch, CourseError)
    assert issubclass(InvalidInput, ValueError)


def test_message_names_parameter_meaning_rule_and_value():
    with pytest.raises(PoolFeeError) as caught:
        ensure_int(10_001, "fee_bps", minimum=0, maximum=10_000,
                   meaning="the pool's fee in basis points", error=PoolFeeError)
    assert str(caught.value) == (
        "fee_bps (the pool's fee in basis points) must be an integer in [0, 10000], got 10001")


@pytest.mark.parametrize("value", [True, False, 1.0, "3", None, np.bool_(True), 2.5])
def test_ensure_int_refuses_what_is_not_a_whole_number(value):
    with pytest.raises(InvalidInput, match="must be an integer"):
        ensure_int(value, "count")


def test_ensure_int_accepts_numpy_integers_and_returns_plain_int():
    value = ensure_int(np.int64(7), "count", minimum=1)
    assert value == 7 and type(value) is int


@given(st.integers(), st.integers(-50, 50), st.integers(-50, 50))
def test_ensure_int_bounds_are_inclusive(value, low, high):
    inside = low <= value <= high
    if inside:
        assert ensure_int(value, "x", minimum=low, maximum=high) == value
    else:
        with pytest.raises(InvalidInput):
            ensure_int(value, "x", minimum=low, maximum=high)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, np.float64("nan"), True, "1"])
def test_ensure_number_refuses_non_finite_and_non_numbers(value):
    with pytest.raises(InvalidInput, match="a finite number"):
        ensure_number(value, "price")


def test_ensure_number_open_and_closed_bounds():
    assert ensure_number(0, "q", minimum=0, below=1) == 0.0
    with pytest.raises(InvalidInput, match=r"in \(0, 0.5\)"):
        ensure_number(0.5, "alpha", above=0, below=0.5)
    with pytest.raises(InvalidInput, match=r">= 0"):
        ensure_number(-1e-9, "sigma", minimum=0)


def test_other_helpers():
    assert ensure_bool(np.bool_(True), "flag") is True
    with pytest.raises(InvalidInput):
        ensure_bool("no", "zero_for_one")
    assert ensure_choice("a", "side", ("a", "b")) == "a"
    with pytest.raises(InvalidInput, match="one of 'a', 'b'"):
        ensure_choice(["a"], "side", ("a", "b"))
    with pytest.raises(InvalidInput, match="non-empty text"):
        ensure_text("", "name")
    rng = np.random.default_rng(1)
    assert ensure_generator(rng) is rng
    with pytest.raises(InvalidInput, match="default_rng"):
        ensure_generator(42)
    assert ensure_instance(3, "n", int) == 3
    with pytest.raises(InvalidInput, match="a str"):
        ensure_instance(3, "name", str)


def test_ensure_numbers():
    assert ensure_numbers([1, 2.5], "prices", above=0).tolist() == [1.0, 2.5]
    assert ensure_numbers([10**24, 10**18], "balances").tolist() == [1e24, 1e18]  # wei
    for bad in ([], [1, math.nan], "12", None, [[1]], [True, False], [0, 1], ["10", "20"]):
        with pytest.raises(InvalidInput):
            ensure_numbers(bad, "prices", above=0)


def test_a_hostile_repr_cannot_hide_the_error():
    class Hostile:
        def __repr__(self):
            raise RuntimeError("no")

    with pytest.raises(InvalidInput, match="<Hostile>"):
        ensure_int(Hostile(), "n")
