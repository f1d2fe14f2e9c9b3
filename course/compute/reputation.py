"""Reputation: a score per provider learned from outcomes, used to weight who gets work.

The score is the mean of a Beta(1 + good, 1 + bad) belief (Laplace's rule of succession):
a newcomer starts at 0.5, every verified result pushes it up, every failure or caught
cheat pushes it down, and a long good record is not undone by one bad run.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

CHEAT_WEIGHT = 5  # a caught cheat counts as this many failures


@dataclass
class Reputation:
    """Good and bad outcomes per provider, and the score they give."""

    good: dict[str, int] = field(default_factory=dict)
    bad: dict[str, int] = field(default_factory=dict)

    def record(self, provider: str, outcome: str) -> None:
        """Count one outcome: ``"verified"``, ``"failed"`` (dropped/late) or ``"cheated"``."""
        if outcome == "verified":
            self.good[provider] = self.good.get(provider, 0) + 1
        elif outcome in ("failed", "cheated"):
            weight = CHEAT_WEIGHT if outcome == "cheated" else 1
            self.bad[provider] = self.bad.get(provider, 0) + weight
        else:
            raise ValueError(f"outcome: expected 'verified', 'failed' or 'cheated', got "
                             f"{outcome!r}")

    def score(self, provider: str) -> float:
        """(good + 1) / (good + bad + 2): 0.5 for a stranger, near 1 for a proven provider."""
        good, bad = self.good.get(provider, 0), self.bad.get(provider, 0)
        return (good + 1) / (good + bad + 2)

    def scores(self, providers: Sequence[str]) -> dict[str, float]:
        return {provider: self.score(provider) for provider in providers}


def weighted_pick(providers: Sequence[str], reputation: Reputation, dice: random.Random) -> str:
    """Pick one provider at random, each with probability proportional to its score."""
    if not providers:
        raise ValueError("providers: expected at least one provider to pick from")
    return dice.choices(list(providers), weights=[reputation.score(p) for p in providers])[0]
