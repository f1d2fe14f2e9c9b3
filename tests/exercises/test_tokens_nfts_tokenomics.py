"""Checkers of notebook 07, both ways."""

import numpy as np
import pytest

from course.exercises.tokens_nfts_tokenomics import (
    check_gini,
    check_real_yield,
    check_royalty,
    check_unlocked_at,
)
from tests.exercises.both_ways import assert_checked_both_ways


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


@pytest.mark.parametrize("check, solutions, wrong_answers", CASES, ids=ids)
def test_checker_works_both_ways(check, solutions, wrong_answers):
    assert_checked_both_ways(check, solutions, wrong_answers)
