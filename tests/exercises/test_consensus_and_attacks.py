"""Checkers of notebook 04, both ways."""

import math

import pytest

from course.chain.attacks import attacker_success_probability
from course.exercises.consensus_and_attacks import (
    check_attacker_success,
    check_confirmations,
    check_nakamoto_coefficient,
)
from tests.exercises.both_ways import assert_checked_both_ways


def whitepaper(q, z):
    p = 1 - q
    if q >= p:
        return 1.0
    lam = z * q / p
    return 1 - sum(math.exp(-lam) * lam**k / math.factorial(k) * (1 - (q / p) ** (z - k))
                   for k in range(z + 1))


def whitepaper_without_majority_case(q, z):
    p = 1 - q
    lam = z * q / p
    return 1 - sum(math.exp(-lam) * lam**k / math.factorial(k) * (1 - (q / p) ** (z - k))
                   for k in range(z + 1))


def gamblers_ruin_only(q, z):
    return 1.0 if q >= 0.5 else (q / (1 - q)) ** z


def confirmations(q, max_risk):
    z = 0
    while attacker_success_probability(q, z) >= max_risk:
        z += 1
    return z


def confirmations_off_by_one(q, max_risk):
    return confirmations(q, max_risk) + 1


def nakamoto(shares):
    total, running = sum(shares), 0
    for count, share in enumerate(sorted(shares, reverse=True), start=1):
        running += share
        if running > total / 2:
            return count


def nakamoto_at_least_half(shares):
    total, running = sum(shares), 0
    for count, share in enumerate(sorted(shares, reverse=True), start=1):
        running += share
        if running >= total / 2:
            return count


def nakamoto_unsorted(shares):
    total, running = sum(shares), 0
    for count, share in enumerate(shares, start=1):
        running += share
        if running > total / 2:
            return count


CASES = [
    (check_attacker_success, [whitepaper, attacker_success_probability],
     [gamblers_ruin_only, whitepaper_without_majority_case, lambda q, z: q**z]),
    (check_confirmations, [confirmations],
     [confirmations_off_by_one, lambda q, m: int(math.log(m) / math.log(q / (1 - q)))]),
    (check_nakamoto_coefficient, [nakamoto, lambda s: next(
        n for n in range(1, len(s) + 1) if sum(sorted(s)[-n:]) > sum(s) / 2)],
     [nakamoto_at_least_half, nakamoto_unsorted, lambda s: len(s) // 2 + 1]),
]
ids = ["attacker_success", "confirmations", "nakamoto_coefficient"]


@pytest.mark.parametrize("check, solutions, wrong_answers", CASES, ids=ids)
def test_checker_works_both_ways(check, solutions, wrong_answers):
    assert_checked_both_ways(check, solutions, wrong_answers)
