"""Reputation: a score per provider learned from outcomes, used to weight who gets work.

The score is the mean of a Beta(1 + good, 1 + bad) belief (Laplace's rule of succession):
a newcomer starts at 0.5, every verified result pushes it up, every failure or caught
cheat pushes it down, and a long good record is not undone by one bad run.

Taught in notebook 13.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from course.compute.errors import VerificationError
from course.compute.states import RunOutcome
from course.validation import ensure, ensure_choice, ensure_instance, ensure_text, is_integer

CHEAT_WEIGHT = 5  # a caught cheat counts as this many failures


@dataclass
class Reputation:
    """Good and bad outcomes per provider, and the score they give."""

    good: dict[str, int] = field(default_factory=dict)
    bad: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("good", "bad"):
            counts = getattr(self, name)
            ensure(isinstance(counts, dict) and all(
                isinstance(provider, str) and is_integer(count) and count >= 0
                for provider, count in counts.items()), VerificationError, name, counts,
                "a dict of provider name -> count >= 0")

    def record(self, provider: str, outcome: RunOutcome | str) -> None:
        """Count one outcome: ``"verified"``, ``"failed"`` (dropped/late) or ``"cheated"``."""
        provider = ensure_text(provider, "provider", error=VerificationError)
        outcome = RunOutcome(ensure_choice(outcome, "outcome", [o.value for o in RunOutcome],
                                           error=VerificationError))
        if outcome == RunOutcome.VERIFIED:
            self.good[provider] = self.good.get(provider, 0) + 1
        else:
            weight = CHEAT_WEIGHT if outcome == RunOutcome.CHEATED else 1
            self.bad[provider] = self.bad.get(provider, 0) + weight

    def score(self, provider: str) -> float:
        """(good + 1) / (good + bad + 2): 0.5 for a stranger, near 1 for a proven provider."""
        provider = ensure_text(provider, "provider", error=VerificationError)
        good, bad = self.good.get(provider, 0), self.bad.get(provider, 0)
        return (good + 1) / (good + bad + 2)

    def scores(self, providers: Sequence[str]) -> dict[str, float]:
        """The score of each of ``providers`` (names)."""
        _check_names(providers)
        return {provider: self.score(provider) for provider in providers}


def weighted_pick(providers: Sequence[str], reputation: Reputation, dice: random.Random) -> str:
    """Pick one provider at random, each with probability proportional to its score."""
    ensure(len(_check_names(providers)) > 0, VerificationError, "providers", providers,
           "at least one provider name to pick from")
    ensure_instance(reputation, "reputation", Reputation, error=VerificationError)
    ensure_instance(dice, "dice", random.Random, rule="a random.Random, e.g. random.Random(0)",
                    error=VerificationError)
    return dice.choices(list(providers), weights=[reputation.score(p) for p in providers])[0]


def _check_names(providers: object) -> Sequence[str]:
    ok = (isinstance(providers, Sequence) and not isinstance(providers, str)
          and all(isinstance(name, str) for name in providers))
    ensure(ok, VerificationError, "providers", providers, "a list of provider names")
    return providers  # type: ignore[return-value]
