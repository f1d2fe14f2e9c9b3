"""Is a result true? Redundant runs compared by a quorum (as BOINC does), and the odds.

Floats make "the same answer" fuzzy: a GPU adds numbers in a different order than a CPU,
and (a + b) + c is not always a + (b + c) in floating point. So results are compared with
a tolerance, never bit for bit, and NaN agrees with NaN in the same place.

A vote only says which results agree. Who is *wrong* is proven by recomputing challenged
rows (``course.compute.challenges``): the runner never slashes on a vote alone.

Taught in notebook 13 (and used by 13 and 15).
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
    return bool(np.allclose(a.summary, b.summary, rtol=rtol, atol=atol, equal_nan=True))


def summaries_agree(a: WorkResult, b: WorkResult, tolerance: float) -> bool:
    """True when two summaries differ by at most ``tolerance`` times the smaller one's size.

    The comparison is norm-wise (every |a_i - b_i| against the largest |a_j|), because a
    summary sums many numbers and a sum near zero has no meaningful relative error. Taking
    the *smaller* of the two sizes means a result cannot widen the match by inflating itself.
    Non-finite values must sit in the same places with the same values.
    """
    ensure_instance(a, "a", WorkResult, error=VerificationError)
    ensure_instance(b, "b", WorkResult, error=VerificationError)
    tolerance = ensure_number(tolerance, "tolerance", minimum=0, error=VerificationError)
    if a.workload != b.workload or len(a.summary) != len(b.summary):
        return False
    x, y = np.asarray(a.summary, dtype=np.float64), np.asarray(b.summary, dtype=np.float64)
    finite = np.isfinite(x)
    if not np.array_equal(finite, np.isfinite(y)) or not np.array_equal(
            x[~finite], y[~finite], equal_nan=True):
        return False
    if not finite.any():
        return True
    size = min(np.abs(x[finite]).max(), np.abs(y[finite]).max())
    return bool(np.all(np.abs(x[finite] - y[finite]) <= tolerance * size + ABSOLUTE_TOLERANCE))


@dataclass(frozen=True)
class Verdict:
    """The outcome of comparing redundant results: the accepted one, who agreed, who did not."""

    accepted: WorkResult | None
    agreeing: tuple[str, ...]
    disagreeing: tuple[str, ...]


def quorum(results: Mapping[str, WorkResult], needed: int,
           tolerance: float | None = None) -> Verdict:
    """Group results that agree; accept the biggest group if it has at least ``needed`` members.

    ``results`` maps each provider to what it returned. With no big-enough group nothing is
    accepted and nobody is judged (``agreeing`` and ``disagreeing`` are empty). Results agree
    by ``results_agree`` or, given a ``tolerance``, by ``summaries_agree``.
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
            if (results_agree(results[group[0]], result) if tolerance is None
                    else summaries_agree(results[group[0]], result, tolerance)):
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


def break_even_stake(price: float, check_rate: float, slash_fraction: float = 1.0) -> float:
    """The stake at which cheating stops paying, for a cheater who can return under new names.

    A cheater earns ``price`` for every job that is not checked and loses
    ``slash_fraction`` of its stake on the first one that is (then it is banned, and comes
    back as a fresh identity with a fresh stake: a Sybil). Before being caught it expects
    (1 - p)/p unchecked jobs, so cheating pays while stake · slash_fraction < price·(1 - p)/p.
    """
    price = ensure_number(price, "price", minimum=0, error=VerificationError)
    check_rate = ensure_number(check_rate, "check_rate", minimum=MIN_CHECK_RATE, maximum=1,
                               meaning="a probability", error=VerificationError)
    slash_fraction = ensure_number(slash_fraction, "slash_fraction", above=0, maximum=1,
                                   meaning="a share of the stake", error=VerificationError)
    return price * (1 - check_rate) / check_rate / slash_fraction


def sybil_profit(stake: float, price: float, check_rate: float, slash_fraction: float = 1.0,
                 ) -> float:
    """What one identity of a cheater expects to gain before it is caught: earnings - loss."""
    stake = ensure_number(stake, "stake", minimum=0, error=VerificationError)
    return break_even_stake(price, check_rate, slash_fraction) * slash_fraction - (
        stake * ensure_number(slash_fraction, "slash_fraction", above=0, maximum=1,
                              error=VerificationError))


def accepted_wrong_bound(cheater_share: float, redundancy: int, spot_check_rate: float,
                         challenges: int, work_fraction: float = 0.0) -> float:
    """The most often the runner can accept a wrong result, per job.

    A wrong result is accepted only if every one of the ``redundancy`` replicas returned
    the same wrong answer (probability ``cheater_share`` ** redundancy when replicas are
    drawn at random) and then either no spot check fell on the job, or the cheaters, having
    computed ``work_fraction`` of the rows, survived all ``challenges`` rows (f^k). When
    cheaters and honest providers share a job, a cheater whose summary matches the honest
    one (a forger) still has to match the ``challenges`` rows opened from every result, or
    be challenged: it gets through with probability at most f^k.
    """
    cheater_share = ensure_number(cheater_share, "cheater_share", minimum=0, maximum=1,
                                  meaning="a fraction", error=VerificationError)
    redundancy = ensure_int(redundancy, "redundancy", minimum=1, maximum=MAX_REDUNDANCY,
                            error=VerificationError)
    rate = _probability(spot_check_rate, "spot_check_rate")
    challenges = ensure_int(challenges, "challenges", minimum=1, error=VerificationError)
    f = ensure_number(work_fraction, "work_fraction", minimum=0, maximum=1,
                      error=VerificationError)
    ring = cheater_share**redundancy
    mixed = 1 - ring - (1 - cheater_share)**redundancy  # at least one of each
    return ring * ((1 - rate) + rate * f**challenges) + mixed * f**challenges
