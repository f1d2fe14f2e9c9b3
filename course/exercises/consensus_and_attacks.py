"""Checks for notebook 04 (Consensus and attacks): the whitepaper's numbers and concentration."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from course.chain.attacks import (
    attacker_success_probability,
    confirmations_needed,
    nakamoto_coefficient,
)
from course.exercises import CheckFailed, Exercise, expect_function, expect_type


def _test_attacker_success(answer: Callable[[float, int], float]) -> str:
    expect_function(answer, 2)
    for q in (0.0, 0.1, 0.15, 0.3, 0.45):
        for z in (0, 1, 2, 5, 10, 20):
            got = answer(q, z)
            expect_type(got, (int, float), f"attacker_success({q}, {z})")
            expected = attacker_success_probability(q, z)
            if not math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-12):
                raise CheckFailed(f"attacker_success(q={q}, z={z}) returned {got:.7f}, "
                                  f"expected {expected:.7f} (whitepaper §11).")
    for q in (0.5, 0.7):
        if answer(q, 6) != 1:
            raise CheckFailed(f"attacker_success(q={q}, z=6) returned {answer(q, 6)!r}: with "
                              "q >= p the attacker always catches up, so the answer is 1.")
    return "Your numbers match the whitepaper's table to 7 digits."


check_attacker_success = Exercise(
    name="attacker_success",
    goal="Write attacker_success(q, z): the probability that an attacker with hash share q "
    "catches up from z blocks behind (Bitcoin whitepaper §11).",
    hints=(
        "p = 1 - q; lam = z * q / p; sum over k = 0..z of Poisson(k; lam) * (1 - (q/p)**(z-k)), "
        "and the answer is 1 minus that sum. Return 1 when q >= p.",
        "poisson = exp(-lam) * lam**k / factorial(k) (math.exp, math.factorial); "
        "return 1 - sum(poisson(k) * (1 - (q / p) ** (z - k)) for k in range(z + 1)).",
    ),
    test=_test_attacker_success,
)


def _test_confirmations(answer: Callable[[float, float], int]) -> str:
    expect_function(answer, 2)
    for q in (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4):
        for max_risk in (0.001, 0.01, 0.05):
            got = answer(q, max_risk)
            expect_type(got, int, f"confirmations(q={q}, max_risk={max_risk})")
            expected = confirmations_needed(q, max_risk)
            if got != expected:
                raise CheckFailed(f"confirmations(q={q}, max_risk={max_risk}) returned {got}, "
                                  f"expected {expected}: the smallest z with risk < max_risk.")
    return "q=0.1 needs 5 blocks and q=0.3 needs 24 for a 0.1% risk, as in the whitepaper."


check_confirmations = Exercise(
    name="confirmations",
    goal="Write confirmations(q, max_risk): the smallest z whose attacker success probability "
    "is below max_risk.",
    hints=(
        "Start at z = 0 and count up until the risk drops below max_risk.",
        "z = 0; while attacker_success_probability(q, z) >= max_risk: z += 1; return z "
        "(strictly below: use >= in the loop).",
    ),
    test=_test_confirmations,
)


def _share_lists() -> list[list[float]]:
    rng = random.Random(4)
    lists: list[list[float]] = [[0.6], [0.5, 0.5], [30, 30, 20, 20], [25] * 4, [1] * 10, [5, 3, 2],
             [0.0, 0.2, 0.31, 0.49]]  # exact ties use integers: float rounding is not the lesson
    for size in (3, 7, 15, 40):
        lists.append([rng.paretovariate(1.2) for _ in range(size)])
    return lists


def _test_nakamoto(answer: Callable[[list[float]], int]) -> str:
    expect_function(answer, 1)
    for shares in _share_lists():
        got = answer(list(shares))
        expect_type(got, int, "nakamoto_coefficient(...)")
        expected = nakamoto_coefficient(shares)
        if got != expected:
            shown = [round(s, 3) for s in shares][:8]
            raise CheckFailed(f"for shares {shown}{'...' if len(shares) > 8 else ''} you "
                              f"returned {got}, expected {expected}: the fewest entities "
                              "holding MORE than half of the total.")
    return "A coefficient of 2 means two colluding pools (two phone calls) can attack the chain."


check_nakamoto_coefficient = Exercise(
    name="nakamoto_coefficient",
    goal="Write nakamoto_coefficient(shares): the smallest number of entities whose shares "
    "add up to more than half of the total (shares need not sum to 1).",
    hints=(
        "Take the biggest first: sort the shares from largest to smallest and add them up.",
        "total = sum(shares); running = 0; for count, s in enumerate(sorted(shares, "
        "reverse=True), 1): running += s; if running > total / 2: return count.",
    ),
    test=_test_nakamoto,
)
