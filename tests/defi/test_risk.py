"""Risk metrics against known values, and strategies against the formulas they stand for."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.defi import impermanent_loss
from course.defi.paths import correlated_gbm, gbm_paths
from course.defi.risk import (
    InvalidRiskInput,
    conditional_value_at_risk,
    dca_vs_lump_sum,
    lp_vs_hodl,
    max_drawdown,
    portfolio_returns,
    sharpe_ratio,
    simple_returns,
    stop_loss,
    value_at_risk,
)

NORMAL_VAR_95 = 1.6448536  # the standard normal's 95% quantile
NORMAL_CVAR_95 = 2.0627128  # pdf(1.6449) / 0.05


@pytest.mark.parametrize("sigma", [1.0, 0.03])
def test_var_and_cvar_of_a_normal_sample_match_the_closed_forms(sigma):
    returns = sigma * np.random.default_rng(0).standard_normal(1_000_000)
    assert value_at_risk(returns) == pytest.approx(NORMAL_VAR_95 * sigma, rel=0.02)
    assert conditional_value_at_risk(returns) == pytest.approx(NORMAL_CVAR_95 * sigma, rel=0.02)


def test_var_of_a_small_sample_is_read_off_the_sorted_losses():
    returns = np.array([-0.10, -0.05, 0.0, 0.02, 0.04] * 20)  # 20% of days lose 10%
    assert value_at_risk(returns, level=0.85) == pytest.approx(0.10)
    assert conditional_value_at_risk(returns, level=0.85) == pytest.approx(0.10)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1, 1), min_size=1, max_size=200),
       st.floats(0.5, 0.99))
def test_cvar_is_never_smaller_than_var(returns, level):
    assert conditional_value_at_risk(returns, level) >= value_at_risk(returns, level) - 1e-12


def test_max_drawdown_of_a_known_series():
    prices = np.array([100.0, 120.0, 90.0, 130.0, 65.0, 80.0])
    assert max_drawdown(prices) == pytest.approx(0.5)  # 130 -> 65
    assert max_drawdown(np.array([1.0, 2.0, 3.0])) == 0.0
    per_path = max_drawdown(np.stack([prices, [10.0, 9.0, 8.0, 7.0, 6.0, 5.0]]))
    assert per_path == pytest.approx([0.5, 0.5])


def test_sharpe_of_a_known_series_is_annualized_with_the_square_root_of_time():
    returns = np.array([0.02, 0.0])  # mean 0.01, sample std 0.01 * sqrt(2)
    assert sharpe_ratio(returns) == pytest.approx(math.sqrt(365) / math.sqrt(2))
    assert sharpe_ratio(returns, periods_per_year=12) == pytest.approx(math.sqrt(6))
    assert sharpe_ratio(np.stack([returns, -returns])) == pytest.approx(
        [math.sqrt(182.5), -math.sqrt(182.5)])


def test_sharpe_of_a_constant_series_has_no_risk_to_divide_by():
    steady = np.full(100, 0.001)
    assert sharpe_ratio(steady) == math.inf
    assert math.isnan(sharpe_ratio(np.zeros(100)))
    assert math.isnan(sharpe_ratio(steady, risk_free=0.001, periods_per_year=1))
    assert sharpe_ratio(steady, risk_free=1.0) == -math.inf


def test_lp_over_hodl_at_the_end_is_one_plus_impermanent_loss_on_every_path():
    prices = gbm_paths(2_000.0, 0.0, 0.9, 90, 500, np.random.default_rng(1))
    lp, hodl = lp_vs_hodl(prices)
    assert lp.shape == hodl.shape == prices.shape
    assert np.all(lp[:, 0] == 1.0) and np.all(hodl[:, 0] == 1.0)
    expected = [1 + impermanent_loss(float(final / start))
                for start, final in zip(prices[:, 0], prices[:, -1], strict=True)]
    assert lp[:, -1] / hodl[:, -1] == pytest.approx(expected, rel=1e-12)
    assert np.all(lp <= hodl + 1e-12)  # without fees an LP never beats holding


def test_lp_at_a_doubled_price_loses_the_textbook_5_72_percent():
    lp, hodl = lp_vs_hodl(np.array([[1.0, 2.0]]))
    assert lp[0, -1] / hodl[0, -1] - 1 == pytest.approx(-0.0572, abs=5e-5)


def test_fees_compound_into_the_lp_position():
    flat = np.full((1, 366), 50.0)  # the price never moves: only fees change anything
    lp, hodl = lp_vs_hodl(flat, fee_apr=0.2)
    assert np.all(hodl == 1.0)
    assert lp[0, -1] == pytest.approx((1 + 0.2 / 365) ** 365)


def test_dca_narrows_the_spread_of_outcomes_compared_with_a_lump_sum():
    prices = gbm_paths(100.0, 0.1, 0.8, 365, 5_000, np.random.default_rng(2))
    dca, lump_sum = dca_vs_lump_sum(prices, budget=1_200.0, periods=12)
    assert dca.shape == lump_sum.shape == (5_000,)
    assert dca.std() < 0.8 * lump_sum.std()
    one_period, lump_again = dca_vs_lump_sum(prices, budget=1_200.0, periods=1)
    assert one_period == pytest.approx(lump_again)


def test_dca_buys_at_evenly_spaced_steps():
    prices = np.array([[10.0, 20.0, 5.0, 10.0, 40.0]])
    dca, lump_sum = dca_vs_lump_sum(prices, budget=100.0, periods=2)  # buys at steps 0 and 2
    assert dca[0] == pytest.approx((50 / 10 + 50 / 5) * 40)
    assert lump_sum[0] == pytest.approx(100 / 10 * 40)


def test_stop_loss_exits_at_the_first_close_below_the_threshold():
    prices = np.array([[100.0, 95.0, 79.0, 60.0, 120.0],  # gaps through 80: sold at 79
                       [100.0, 90.0, 85.0, 110.0, 130.0]])  # never below 80: held
    with_stop, held = stop_loss(prices, threshold=0.8, budget=1_000.0)
    assert with_stop == pytest.approx([790.0, 1_300.0])
    assert held == pytest.approx([1_200.0, 1_300.0])


def test_diversifying_across_uncorrelated_assets_lowers_volatility():
    prices = correlated_gbm([1.0, 1.0], [0.0, 0.0], [0.8, 0.8], np.eye(2), 365, 500,
                            np.random.default_rng(3))
    returns = simple_returns(prices)  # (assets, paths, days)
    portfolio = portfolio_returns([0.5, 0.5], returns)  # (paths, days)
    assert portfolio.shape == (500, 365)
    assert portfolio.std() == pytest.approx(returns[0].std() / math.sqrt(2), rel=0.02)
    assert np.array_equal(portfolio_returns([1.0, 0.0], returns), returns[0])


def test_simple_returns_of_a_known_series():
    assert simple_returns(np.array([100.0, 110.0, 99.0])) == pytest.approx([0.10, -0.10])


@pytest.mark.parametrize("call, field", [
    (lambda: value_at_risk([0.1, -0.2], level=1.0), "level"),
    (lambda: value_at_risk([0.1, -0.2], level=95), "level"),
    (lambda: conditional_value_at_risk([], level=0.95), "returns"),
    (lambda: value_at_risk([0.1, math.nan]), "returns"),
    (lambda: max_drawdown([100.0, -5.0]), "prices"),
    (lambda: max_drawdown([100.0]), "prices"),
    (lambda: sharpe_ratio([0.01]), "returns"),
    (lambda: sharpe_ratio([0.01, 0.02], periods_per_year=0), "periods_per_year"),
    (lambda: dca_vs_lump_sum(np.ones((2, 5)), budget=100.0, periods=5), "periods"),
    (lambda: dca_vs_lump_sum(np.ones((2, 5)), budget=0.0, periods=2), "budget"),
    (lambda: dca_vs_lump_sum(np.ones(5), budget=100.0, periods=2), "paths"),
    (lambda: stop_loss(np.ones((2, 5)), threshold=1.5), "threshold"),
    (lambda: lp_vs_hodl(np.ones((2, 5)), fee_apr=-0.1), "fee_apr"),
    (lambda: portfolio_returns([0.5, 0.5, 0.5], np.zeros((3, 4))), "weights"),
    (lambda: portfolio_returns([0.5, 0.5], np.zeros((3, 4))), "weights"),
])
def test_bad_inputs_are_rejected_naming_the_field(call, field):
    with pytest.raises(InvalidRiskInput, match=field):
        call()


def test_log_returns_add_up_and_apy_compounds_the_apr():
    import math

    import numpy as np

    from course.defi.risk import InvalidRiskInput, apr_to_apy, log_returns

    prices = np.array([100.0, 110.0, 99.0, 120.0])
    assert math.isclose(log_returns(prices).sum(), math.log(120 / 100))
    assert apr_to_apy(0.05, 1) == pytest.approx(0.05)
    assert apr_to_apy(0.05, 12) == pytest.approx(1.05**0 * (1 + 0.05 / 12) ** 12 - 1)
    assert apr_to_apy(0.05) > apr_to_apy(0.05, 12) > 0.05  # more often, more growth
    with pytest.raises(InvalidRiskInput, match="apr"):
        apr_to_apy("5%")
    with pytest.raises(InvalidRiskInput, match="periods_per_year"):
        apr_to_apy(0.05, 0)
