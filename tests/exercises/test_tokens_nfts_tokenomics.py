"""Checkers of notebook 07, both ways."""

import numpy as np
import pytest

from course.exercises import FAILED, NOT_DONE, PASSED
from course.exercises.tokens_nfts_tokenomics import (
    check_gini,
    check_real_yield,
    check_royalty,
    check_unlocked_at,
)


def placeholder(*args):
    raise NotImplementedError


def gini_pairs(balances):
    n = len(balances)
    mean = sum(balances) / n
    return sum(abs(a - b) for a in balances for b in balances) / (2 * n * n * mean)


def gini_sorted(balances):
    x = np.sort(np.asarray(balances, dtype=float))
    n = len(x)
    return float(2 * np.sum(np.arange(1, n + 1) * x) / (n * x.sum()) - (n + 1) / n)


def gini_sample_corrected(balances):  # the n / (n - 1) "unbiased" variant: not the definition
    n = len(balances)
    return gini_pairs(balances) * n / (n - 1) if n > 1 else 0.0


def gini_unsorted(balances):  # the sorted formula without sorting
    x = np.asarray(balances, dtype=float)
    n = len(x)
    return float(2 * np.sum(np.arange(1, n + 1) * x) / (n * x.sum()) - (n + 1) / n)


def unlocked_cases(month, total, cliff, vesting):
    if month < cliff:
        return 0
    if month >= vesting:
        return total
    return total * month // vesting


CASES = [
    (check_royalty,
     [lambda price, bps: price * bps // 10_000,
      lambda price, bps: (price * bps - (price * bps) % 10_000) // 10_000],
     [lambda price, bps: price * bps / 10_000,  # a float
      lambda price, bps: round(price * bps / 10_000),  # rounds half up, and floats lose digits
      lambda price, bps: price // 10_000 * bps,  # divides first
      lambda price, bps: price * bps // 100]),  # bps read as percent
    (check_unlocked_at,
     [lambda m, total, cliff, vesting: 0 if m < cliff else total * min(m, vesting) // vesting,
      unlocked_cases],
     [lambda m, total, cliff, vesting: total * min(m, vesting) // vesting,  # no cliff
      lambda m, total, cliff, vesting: (0 if m < cliff else  # linear only after the cliff
                                        total * min(m - cliff, vesting - cliff)
                                        // max(vesting - cliff, 1)),
      lambda m, total, cliff, vesting: (0 if m <= cliff else  # cliff month releases nothing
                                        total * min(m, vesting) // vesting),
      lambda m, total, cliff, vesting: 0 if m < cliff else total * min(m, vesting) / vesting]),
    (check_real_yield,
     [lambda n, i: (1 + n) / (1 + i) - 1, lambda n, i: (n - i) / (1 + i)],
     [lambda n, i: n - i,  # the first-order approximation
      lambda n, i: (1 + n) * (1 - i) - 1,
      lambda n, i: n / i if i else n]),
    (check_gini, [gini_pairs, gini_sorted],
     [gini_sample_corrected, gini_unsorted,
      lambda b: float(np.std(b) / np.mean(b)),  # coefficient of variation
      lambda b: gini_pairs(b) * 2]),  # forgot the 2 in the denominator
]
ids = ["royalty", "unlocked_at", "real_yield", "gini"]


@pytest.mark.parametrize("check, _, __", CASES, ids=ids)
def test_placeholder_is_not_done(check, _, __):
    assert check.check(placeholder).status == NOT_DONE


@pytest.mark.parametrize("check, solutions, _", CASES, ids=ids)
def test_correct_solutions_pass(check, solutions, _):
    for solution in solutions:
        outcome = check.check(solution)
        assert outcome.status == PASSED, outcome.message


@pytest.mark.parametrize("check, _, wrong_answers", CASES, ids=ids)
def test_plausible_wrong_answers_fail(check, _, wrong_answers):
    for wrong in wrong_answers:
        assert check.check(wrong).status == FAILED


def test_the_real_yield_check_names_the_subtraction_shortcut():
    outcome = check_real_yield.check(lambda n, i: n - i)
    assert "first-order approximation" in outcome.message


def test_the_royalty_check_reports_the_contracts_answer():
    outcome = check_royalty.check(lambda price, bps: price * bps // 100)
    assert "royaltyInfo says" in outcome.message
