"""Clocks the chain can be given: the wall clock, or a manual one for reproducible notebooks.

Taught in notebook 04 (a ManualClock makes every block, hash and plot the same on every run).
"""

from __future__ import annotations

import time
from typing import Protocol

from course.chain.errors import InvalidChainInput
from course.chain.params import MAX_UINT64
from course.validation import ensure_int


class Clock(Protocol):
    def now(self) -> int:
        """Seconds since the Unix epoch."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> int:
        return int(time.time())


class ManualClock:
    """A clock that moves only when told: same inputs, same blocks, same hashes, every run."""

    def __init__(self, start: int = 1_700_000_000) -> None:
        self.time = ensure_int(start, "start", minimum=0, maximum=MAX_UINT64,
                               meaning="seconds since 1970", error=InvalidChainInput)

    def now(self) -> int:
        return self.time

    def advance(self, seconds: int) -> int:
        """Move the clock forward (never back) by ``seconds``; returns the new time."""
        seconds = ensure_int(seconds, "seconds", minimum=0, maximum=MAX_UINT64 - self.time,
                             meaning="how far to move the clock forward", error=InvalidChainInput)
        self.time += seconds
        return self.time
