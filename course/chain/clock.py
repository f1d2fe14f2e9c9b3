"""Clocks the chain can be given: the wall clock, or a manual one for reproducible notebooks."""

from __future__ import annotations

import time
from typing import Protocol


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
        self.time = start

    def now(self) -> int:
        return self.time

    def advance(self, seconds: int) -> int:
        self.time += seconds
        return self.time
