"""The course's error family: one base, one branch per package, one class per rule.

    CourseError                      anything the course refuses, on purpose
    ├── InvalidInput (ValueError)    a function was called with a value that breaks its rule
    ├── ChainError                   course.chain   (notebooks 01-06)
    ├── EvmError                     course.evm     (notebooks 07-10, 16)
    ├── DefiError                    course.defi    (notebooks 10-11)
    └── ComputeError                 course.compute (notebooks 12-16)

Each package's errors subclass its branch, and the input errors among them also subclass
``ValueError``, so ``except ValueError`` keeps working. A message names the parameter, the
rule and the value found, e.g.

    fee_bps (the pool's fee in basis points) must be an integer in [0, 10000], got 10001
"""

from __future__ import annotations


class CourseError(Exception):
    """Base class of every error the course raises on purpose."""


class InvalidInput(CourseError, ValueError):
    """A public function got an argument that breaks one of its rules."""


class ChainError(CourseError):
    """Base class of course.chain's errors: something the mini-chain refuses."""


class EvmError(CourseError):
    """Base class of course.evm's errors."""


class DefiError(CourseError):
    """Base class of course.defi's errors."""


class ComputeError(CourseError):
    """Base class of course.compute's errors."""


def short_repr(value: object, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters so a huge value cannot flood a message."""
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__ must not hide the real error
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
