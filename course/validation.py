"""One way to check arguments, for every module of the course (as execution-specs' ``ensure``).

A public function checks its inputs first, with these helpers, and then does its real work::

    fee_bps = ensure_int(fee_bps, "fee_bps", minimum=0, maximum=10_000,
                         meaning="the pool's fee in basis points", error=AmmError)

A broken rule raises ``error`` (by default :class:`InvalidInput`) with one message format:

    fee_bps (the pool's fee in basis points) must be an integer in [0, 10000], got 10001

Booleans are never numbers here (``True + True == 2`` in Python, but a fee of ``True`` is a
bug); numpy scalars are numbers; NaN and infinities are refused unless a helper says otherwise.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection
from types import UnionType
from typing import Any, NoReturn, TypeVar, cast, overload

import numpy as np

from course.errors import CourseError, InvalidInput, short_repr

T = TypeVar("T")


def fail(error: type[CourseError], name: str, value: object, rule: str,
         meaning: str = "") -> NoReturn:
    """Raise ``error`` with the course's message: which parameter, which rule, which value."""
    label = f"{name} ({meaning})" if meaning else name
    raise error(f"{label} must be {rule}, got {short_repr(value)}")


def ensure(ok: bool, error: type[CourseError], name: str, value: object, rule: str,
           meaning: str = "") -> None:
    """Raise ``error`` unless ``ok``: the one-line form of a rule."""
    if not ok:
        fail(error, name, value, rule, meaning)


def is_integer(value: object) -> bool:
    """An int or a numpy integer, but not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def is_number(value: object) -> bool:
    """A finite real number (int, float or numpy scalar), but not a bool."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        return False
    try:
        return math.isfinite(value)
    except (OverflowError, TypeError, ValueError):
        return False


def _bound(value: float) -> str:
    """An int bound exactly (18446744073709551615, not 1.84467e+19); a float one short (1e+15)."""
    return str(value) if isinstance(value, int) else f"{value:g}"


def _interval(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        return (f"in {'(' if low_open else '['}{_bound(low)}, {_bound(high)}"
                f"{')' if high_open else ']'}")
    if low is not None:
        return f"{'>' if low_open else '>='} {_bound(low)}"
    if high is not None:
        return f"{'<' if high_open else '<='} {_bound(high)}"
    return ""


def _in_interval(value: float, low: float | None, high: float | None,
                 low_open: bool, high_open: bool) -> bool:
    if low is not None and (value <= low if low_open else value < low):
        return False
    return not (high is not None and (value >= high if high_open else value > high))


def ensure_int(value: Any, name: str, *, minimum: int | None = None,
               maximum: int | None = None, meaning: str = "",
               error: type[CourseError] = InvalidInput) -> int:
    """Return ``value`` as an ``int`` if it is a whole number in [minimum, maximum]."""
    rule = " ".join(filter(None, ["an integer", _interval(minimum, maximum, False, False)]))
    ok = is_integer(value) and _in_interval(int(value), minimum, maximum, False, False)
    ensure(ok, error, name, value, rule, meaning)
    return int(value)


def ensure_number(value: Any, name: str, *, minimum: float | None = None,
                  maximum: float | None = None, above: float | None = None,
                  below: float | None = None, meaning: str = "",
                  error: type[CourseError] = InvalidInput) -> float:
    """Return ``value`` as a ``float`` if it is a finite number within the bounds.

    ``minimum``/``maximum`` include the bound, ``above``/``below`` exclude it.
    """
    low, low_open = (above, True) if above is not None else (minimum, False)
    high, high_open = (below, True) if below is not None else (maximum, False)
    rule = " ".join(filter(None, ["a finite number", _interval(low, high, low_open, high_open)]))
    ok = is_number(value) and _in_interval(float(value), low, high, low_open, high_open)
    ensure(ok, error, name, value, rule, meaning)
    return float(value)


@overload
def ensure_instance(value: Any, name: str, kind: type[T], *, rule: str = "",
                    meaning: str = "", error: type[CourseError] = InvalidInput) -> T: ...


@overload
def ensure_instance(value: Any, name: str, kind: tuple[type, ...] | UnionType, *,
                    rule: str = "", meaning: str = "",
                    error: type[CourseError] = InvalidInput) -> Any: ...


def ensure_instance(value: Any, name: str, kind: Any, *, rule: str = "", meaning: str = "",
                    error: type[CourseError] = InvalidInput) -> Any:
    """Return ``value`` if it is an instance of ``kind`` (``rule`` describes it for people)."""
    if not rule:
        kinds = kind.__args__ if isinstance(kind, UnionType) else (
            kind if isinstance(kind, tuple) else (kind,))
        rule = "a " + " or a ".join(k.__name__ for k in kinds)
    ensure(isinstance(value, kind), error, name, value, rule, meaning)
    return value


def ensure_bool(value: Any, name: str, *, meaning: str = "",
                error: type[CourseError] = InvalidInput) -> bool:
    """Return ``value`` if it is ``True`` or ``False`` (not 1, not "yes")."""
    ensure(isinstance(value, bool | np.bool_), error, name, value, "True or False", meaning)
    return bool(value)


def ensure_choice(value: Any, name: str, choices: Collection[Any], *, meaning: str = "",
                  error: type[CourseError] = InvalidInput) -> Any:
    """Return ``value`` if it is one of ``choices``."""
    try:
        ok = value in choices
    except TypeError:  # an unhashable value asked of a set
        ok = False
    listed = ", ".join(repr(choice) for choice in choices)
    ensure(ok, error, name, value, f"one of {listed}", meaning)
    return value


def ensure_text(value: Any, name: str, *, allow_empty: bool = False, meaning: str = "",
                error: type[CourseError] = InvalidInput) -> str:
    """Return ``value`` if it is a ``str`` (non-empty unless ``allow_empty``)."""
    rule = "text" if allow_empty else "non-empty text"
    ensure(isinstance(value, str) and (allow_empty or value != ""), error, name, value, rule,
           meaning)
    return str(value)


def ensure_generator(rng: Any, name: str = "rng",
                     error: type[CourseError] = InvalidInput) -> np.random.Generator:
    """Return ``rng`` if it is a seeded numpy Generator, e.g. ``np.random.default_rng(42)``."""
    ensure(isinstance(rng, np.random.Generator), error, name, rng,
           "a numpy.random.Generator, e.g. np.random.default_rng(42)")
    return cast(np.random.Generator, rng)


def ensure_numbers(values: Any, name: str, *, minimum: float | None = None,
                   above: float | None = None, allow_empty: bool = False, ndim: int = 1,
                   meaning: str = "", error: type[CourseError] = InvalidInput) -> np.ndarray:
    """Return ``values`` as a float array of ``ndim`` dimensions, each entry finite and in range."""
    rule = " ".join(filter(None, [
        "a non-empty" if not allow_empty else "a",
        "list of finite numbers" if ndim == 1 else f"{ndim}-d array of finite numbers",
        _interval(above if above is not None else minimum, None, above is not None, False),
    ]))
    if isinstance(values, str | bytes) or values is None:
        fail(error, name, values, rule, meaning)
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError, OverflowError):
        fail(error, name, values, rule, meaning)
    original = np.asarray(values)
    numbers_only = original.dtype.kind in "iuf" or (  # not bools, not text like "10"
        original.dtype.kind == "O"  # e.g. ints too big for int64, such as 10**24 wei
        and all(is_integer(v) or is_number(v) for v in original.ravel()))
    if not numbers_only:
        fail(error, name, values, rule, meaning)
    ok = (array.ndim == ndim and (allow_empty or array.size > 0)
          and bool(np.all(np.isfinite(array))))
    if ok and minimum is not None:
        ok = bool(np.all(array >= minimum))
    if ok and above is not None:
        ok = bool(np.all(array > above))
    ensure(ok, error, name, values, rule, meaning)
    return array
