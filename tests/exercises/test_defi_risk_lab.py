"""Checkers of notebook 11, both ways."""

import math

import numpy as np
import pytest

from course.defi.risk import conditional_value_at_risk, dca_vs_lump_sum, max_drawdown
from course.exercises.defi_risk_lab import (
    check_conditional_value_at_risk,
    check_dca_final_value,
    check_max_drawdown,
    check_value_at_risk,
)
from tests.exercises.both_ways import assert_checked_both_ways

# --- value at risk ---------------------------------------------------------------------------

def var_numpy(returns, level):
    return -np.quantile(returns, 1 - level)


def var_sorted(returns, level):  # an order statistic, no interpolation
    ordered = sorted(returns)
    return -ordered[int((1 - level) * len(ordered))]


def var_with_its_sign(returns, level):
    return np.quantile(returns, 1 - level)


def var_wrong_tail(returns, level):
    return -np.quantile(returns, level)


def var_gains_tail(returns, level):
    return np.quantile(returns, level)


def var_percentile_as_fraction(returns, level):
    return -np.percentile(returns, 1 - level)  # np.percentile wants 5, not 0.05


def var_clipped_at_zero(returns, level):
    return max(0.0, -np.quantile(returns, 1 - level))


# --- conditional value at risk ---------------------------------------------------------------

def cvar_numpy(returns, level):
    cutoff = np.quantile(returns, 1 - level)
    return -returns[returns <= cutoff].mean()


def cvar_sorted(returns, level):
    ordered = sorted(returns)
    worst = max(1, math.ceil((1 - level) * len(ordered)))
    return -sum(ordered[:worst]) / worst


def cvar_is_the_var(returns, level):
    return -np.quantile(returns, 1 - level)


def cvar_with_its_sign(returns, level):
    cutoff = np.quantile(returns, 1 - level)
    return returns[returns <= cutoff].mean()


def cvar_mean_of_all_losses(returns, level):
    return -returns[returns < 0].mean()


def cvar_gains_tail(returns, level):
    cutoff = np.quantile(returns, level)
    return returns[returns >= cutoff].mean()


# --- max drawdown ----------------------------------------------------------------------------

def drawdown_numpy(prices):
    peak = np.maximum.accumulate(prices)
    return float((1 - prices / peak).max())


def drawdown_loop(prices):
    peak, worst = prices[0], 0.0
    for price in prices:
        peak = max(peak, price)
        worst = max(worst, (peak - price) / peak)
    return worst


def drawdown_low_over_high(prices):
    return 1 - prices.min() / prices.max()


def drawdown_negative(prices):
    return -drawdown_numpy(prices)


def drawdown_from_first_price(prices):
    return max(0.0, 1 - prices.min() / prices[0])


def drawdown_in_price_units(prices):
    return float((np.maximum.accumulate(prices) - prices).max())


# --- dollar-cost averaging -------------------------------------------------------------------

def dca_loop(prices, budget, periods):
    steps = len(prices) - 1
    coins = 0.0
    for i in range(periods):
        coins += budget / periods / prices[i * steps // periods]
    return coins * prices[-1]


def dca_numpy(prices, budget, periods):
    buys = np.arange(periods) * (len(prices) - 1) // periods
    return float((budget / periods / prices[buys]).sum() * prices[-1])


def dca_first_days(prices, budget, periods):
    return sum(budget / periods / prices[i] for i in range(periods)) * prices[-1]


def dca_linspace_until_the_end(prices, budget, periods):
    buys = np.linspace(0, len(prices) - 1, periods).astype(int)
    return float((budget / periods / prices[buys]).sum() * prices[-1])


def dca_whole_budget_each_time(prices, budget, periods):
    return dca_numpy(prices, budget * periods, periods)


def lump_sum(prices, budget, periods):
    return budget * prices[-1] / prices[0]


CASES = [
    (check_value_at_risk, [var_numpy, var_sorted],
     [var_with_its_sign, var_wrong_tail, var_gains_tail, var_percentile_as_fraction,
      var_clipped_at_zero, lambda r, level: -np.quantile(r, 1 - level) * 100]),
    (check_conditional_value_at_risk,
     [cvar_numpy, cvar_sorted, conditional_value_at_risk],
     [cvar_is_the_var, cvar_with_its_sign, cvar_mean_of_all_losses, cvar_gains_tail]),
    (check_max_drawdown, [drawdown_numpy, drawdown_loop, max_drawdown],
     [drawdown_low_over_high, drawdown_negative, drawdown_from_first_price,
      drawdown_in_price_units]),
    (check_dca_final_value,
     [dca_loop, dca_numpy, lambda p, b, n: dca_vs_lump_sum(p[None, :], b, n)[0][0]],
     [dca_first_days, dca_linspace_until_the_end, dca_whole_budget_each_time, lump_sum]),
]
ids = ["value_at_risk", "conditional_value_at_risk", "max_drawdown", "dca_final_value"]


@pytest.mark.parametrize("check, solutions, wrong_answers", CASES, ids=ids)
def test_checker_works_both_ways(check, solutions, wrong_answers):
    assert_checked_both_ways(check, solutions, wrong_answers)
