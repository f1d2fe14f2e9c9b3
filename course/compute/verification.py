"""Is a result true? Redundant runs with a quorum (as BOINC does) and random spot checks.

Floats make "the same answer" fuzzy: a GPU adds numbers in a different order than a CPU,
and (a + b) + c is not always a + (b + c) in floating point. So results are compared with
a tolerance, never bit for bit.

Taught in notebook 11 (and used by 12 and 14).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from course.compute.errors import VerificationError
from course.compute.workloads import WorkResult
from course.validation import ensure, ensure_instance, ensure_int, ensure_number

RELATIVE_TOLERANCE = 1e-4
ABSOLUTE_TOLERANCE = 1e-5
MAX_REDUNDANCY = 1_000  # replicas of one job: math.comb stays fast far beyond any market
MIN_CHECK_RATE = 1e-6  # below one check in a million, the float arithmetic itself drifts


def _probability(value: object, name: str) -> float:
    return ensure_number(value, name, minimum=0, maximum=1, meaning="a probability",
                         error=VerificationError)


def results_agree(a: WorkResult, b: WorkResult, rtol: float = RELATIVE_TOLERANCE,
                  atol: float = ABSOLUTE_TOLERANCE) -> bool:
    """True when two results are the same job's answer up to floating-point noise."""
    ensure_instance(a, "a", WorkResult, error=VerificationError)
    ensure_instance(b, "b", WorkResult, error=VerificationError)
    rtol = ensure_number(rtol, "rtol", minimum=0, error=VerificationError)
    atol = ensure_number(atol, "atol", minimum=0, error=VerificationError)
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
    ensure(isinstance(results, Mapping) and all(
        isinstance(provider, str) and isinstance(result, WorkResult)
        for provider, result in results.items()), VerificationError, "results", results,
        "a mapping of provider name -> WorkResult")
    needed = ensure_int(needed, "needed", minimum=1, maximum=MAX_REDUNDANCY,
                        meaning="agreeing results to accept one", error=VerificationError)
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
    rate = _probability(rate, "spot_check_rate")
    ensure_instance(dice, "dice", random.Random, rule="a random.Random, e.g. random.Random(0)",
                    error=VerificationError)
    return dice.random() < rate


def detection_probability(check_rate: float, cheated_jobs: int) -> float:
    """Chance that at least one of ``cheated_jobs`` cheats is spot-checked: 1 − (1 − p)^k."""
    check_rate = _probability(check_rate, "check_rate")
    cheated_jobs = ensure_int(cheated_jobs, "cheated_jobs", minimum=0, error=VerificationError)
    return 1 - (1 - check_rate) ** cheated_jobs


def jobs_to_catch(check_rate: float, confidence: float = 0.99) -> int:
    """How many cheats it takes before a spot checker catches one with ``confidence``."""
    check_rate = ensure_number(check_rate, "check_rate", minimum=MIN_CHECK_RATE, maximum=1,
                               meaning="a probability", error=VerificationError)
    confidence = ensure_number(confidence, "confidence", above=0, below=1,
                               meaning="a probability", error=VerificationError)
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
    cheater_share = ensure_number(cheater_share, "cheater_share", minimum=0, maximum=1,
                                  meaning="a fraction", error=VerificationError)
    redundancy = ensure_int(redundancy, "redundancy", minimum=1, maximum=MAX_REDUNDANCY,
                            error=VerificationError)
    majority = redundancy // 2 + 1
    return sum(math.comb(redundancy, k) * cheater_share**k * (1 - cheater_share)
               ** (redundancy - k) for k in range(majority, redundancy + 1))
