"""Is a result true? Redundant runs with a quorum (as BOINC does) and random spot checks.

Floats make "the same answer" fuzzy: a GPU adds numbers in a different order than a CPU,
and (a + b) + c is not always a + (b + c) in floating point. So results are compared with
a tolerance, never bit for bit.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from course.compute.workloads import WorkResult

RELATIVE_TOLERANCE = 1e-4
ABSOLUTE_TOLERANCE = 1e-5


def results_agree(a: WorkResult, b: WorkResult, rtol: float = RELATIVE_TOLERANCE,
                  atol: float = ABSOLUTE_TOLERANCE) -> bool:
    """True when two results are the same job's answer up to floating-point noise."""
    if a.workload != b.workload or len(a.summary) != len(b.summary):
        return False
    return bool(np.allclose(a.summary, b.summary, rtol=rtol, atol=atol))


@dataclass(frozen=True)
class Verdict:
    """The outcome of comparing redundant results: the accepted one, who agreed, who did not."""

    accepted: WorkResult | None
    agreeing: tuple[str, ...]
    disagreeing: tuple[str, ...]


def quorum(results: Mapping[str, WorkResult], needed: int) -> Verdict:
    """Group results that agree; accept the biggest group if it has at least ``needed`` members.

    ``results`` maps each provider to what it returned. With no big-enough group nothing is
    accepted and nobody is judged (``agreeing`` and ``disagreeing`` are empty).
    """
    groups: list[list[str]] = []
    for provider, result in results.items():
        for group in groups:
            if results_agree(results[group[0]], result):
                group.append(provider)
                break
        else:
            groups.append([provider])
    biggest = max(groups, key=len, default=[])
    if len(biggest) < needed or sum(len(group) == len(biggest) for group in groups) > 1:
        return Verdict(None, (), ())
    others = tuple(provider for provider in results if provider not in biggest)
    return Verdict(results[biggest[0]], tuple(biggest), others)


def should_spot_check(rate: float, dice: random.Random) -> bool:
    """Decide, with probability ``rate``, to re-run a job on the trusted verifier."""
    if not 0 <= rate <= 1:
        raise ValueError(f"spot_check_rate: expected a probability in [0, 1], got {rate!r}")
    return dice.random() < rate


def detection_probability(check_rate: float, cheated_jobs: int) -> float:
    """Chance that at least one of ``cheated_jobs`` cheats is spot-checked: 1 − (1 − p)^k."""
    if not 0 <= check_rate <= 1:
        raise ValueError(f"check_rate: expected a probability in [0, 1], got {check_rate!r}")
    if isinstance(cheated_jobs, bool) or not isinstance(cheated_jobs, int) or cheated_jobs < 0:
        raise ValueError(f"cheated_jobs: expected an integer >= 0, got {cheated_jobs!r}")
    return 1 - (1 - check_rate) ** cheated_jobs


def jobs_to_catch(check_rate: float, confidence: float = 0.99) -> int:
    """How many cheats it takes before a spot checker catches one with ``confidence``."""
    if not 0 < check_rate <= 1 or not 0 < confidence < 1:
        raise ValueError(f"check_rate in (0, 1] and confidence in (0, 1) expected, got "
                         f"{check_rate!r}, {confidence!r}")
    if check_rate == 1:
        return 1
    jobs = math.ceil(math.log(1 - confidence) / math.log(1 - check_rate))
    # the logarithms round: step back while one job fewer already reaches the confidence
    while jobs > 1 and detection_probability(check_rate, jobs - 1) >= confidence:
        jobs -= 1
    return jobs


def colluding_majority_probability(cheater_share: float, redundancy: int) -> float:
    """Chance that colluding cheaters (sharing one wrong answer) hold a strict majority of
    ``redundancy`` randomly chosen replicas: the only way a quorum accepts a wrong result."""
    if not 0 <= cheater_share <= 1:
        raise ValueError(f"cheater_share: expected a fraction in [0, 1], got {cheater_share!r}")
    if isinstance(redundancy, bool) or not isinstance(redundancy, int) or redundancy < 1:
        raise ValueError(f"redundancy: expected an integer >= 1, got {redundancy!r}")
    majority = redundancy // 2 + 1
    return sum(math.comb(redundancy, k) * cheater_share**k * (1 - cheater_share)
               ** (redundancy - k) for k in range(majority, redundancy + 1))
