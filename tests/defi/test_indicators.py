"""Indicators on series whose answer is known, and the honest backtest on random walks."""

from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from course.defi.indicators import (
    IndicatorError,
    InvalidPrices,
    InvalidSignal,
    InvalidWindow,
    backtest,
    crossover_signal,
    exponential_moving_average,
    macd,
    moving_average,
    random_walk_prices,
    rsi,
    rsi_signal,
    support_resistance,
)

SEED = 2024


@pytest.fixture(scope="module")
def random_walks() -> np.ndarray:
    """2,000 seeded driftless random walks of 500 steps: (paths, steps)."""
    return random_walk_prices(np.random.default_rng(SEED), n_paths=2_000, n_steps=500)


def rsi_by_hand(prices: list[float], period: int) -> list[float]:
    """Wilder's RSI written as a plain loop, one price at a time (the textbook recipe)."""
    changes = [b - a for a, b in pairwise(prices)]
    gains = [max(c, 0.0) for c in changes]
    losses = [max(-c, 0.0) for c in changes]
    avg_gain, avg_loss = sum(gains[:period]) / period, sum(losses[:period]) / period
    out = [100 - 100 / (1 + avg_gain / avg_loss)]
    for gain, loss in zip(gains[period:], losses[period:], strict=True):
        avg_gain = (avg_gain * (period - 1) + gain) / period
        avg_loss = (avg_loss * (period - 1) + loss) / period
        out.append(100 - 100 / (1 + avg_gain / avg_loss))
    return out


def test_moving_average_of_a_constant_is_the_constant():
    average = moving_average(np.full(50, 3.7), window=10)
    assert np.all(np.isnan(average[:9]))
    np.testing.assert_allclose(average[9:], 3.7, rtol=1e-15)


def test_moving_average_is_the_mean_of_the_last_window_prices():
    prices = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    np.testing.assert_allclose(moving_average(prices, 3)[2:], [2.0, 3.0, 17 / 3])


def test_exponential_moving_average_follows_its_recursion():
    prices = np.array([10.0, 11.0, 9.0, 12.0])
    alpha = 2 / (3 + 1)
    expected = [10.0]
    for price in prices[1:]:
        expected.append(alpha * price + (1 - alpha) * expected[-1])
    np.testing.assert_allclose(exponential_moving_average(prices, span=3), expected)
    np.testing.assert_allclose(exponential_moving_average(np.full(30, 5.0), 7), 5.0)


def test_rsi_of_a_strictly_rising_series_is_100_and_of_a_falling_one_is_0():
    rising = np.linspace(100, 200, 60)
    assert np.all(np.isnan(rsi(rising)[:14]))
    assert np.all(rsi(rising)[14:] == 100)
    assert np.all(rsi(rising[::-1])[14:] == 0)
    assert np.all(rsi(np.full(30, 7.0))[14:] == 50)  # nothing moved


def test_rsi_matches_wilders_recipe_written_as_a_loop():
    prices = random_walk_prices(np.random.default_rng(SEED), 1, 80)[0]
    np.testing.assert_allclose(rsi(prices, 14)[14:], rsi_by_hand(list(prices), 14), rtol=1e-12)


@settings(max_examples=50, deadline=None)
@given(arrays(float, st.integers(16, 80), elements=st.floats(0.01, 1e6)))
def test_rsi_is_always_between_0_and_100(prices):
    values = rsi(prices, period=14)[14:]
    assert np.all((values >= 0) & (values <= 100))


def test_macd_of_a_linear_series_converges_to_the_emas_lag_difference():
    # An EMA of span n lags a line of slope b by b * (n - 1) / 2, so MACD -> b * (26 - 12) / 2.
    slope = 0.5
    result = macd(100 + slope * np.arange(400.0))
    assert result.line[-1] == pytest.approx(slope * 7, rel=1e-9)
    assert result.signal[-1] == pytest.approx(slope * 7, rel=1e-9)
    assert abs(result.histogram[-1]) < 1e-9


def test_support_and_resistance_bracket_the_price():
    prices = random_walk_prices(np.random.default_rng(SEED), 3, 100)
    support, resistance = support_resistance(prices, window=20)
    ready = slice(19, None)
    assert np.all(support[:, ready] <= prices[:, ready])
    assert np.all(prices[:, ready] <= resistance[:, ready])
    np.testing.assert_array_equal(support[1, 19], prices[1, :20].min())


def test_every_indicator_treats_each_path_of_a_batch_on_its_own():
    prices = random_walk_prices(np.random.default_rng(SEED), 4, 60)
    np.testing.assert_allclose(rsi(prices)[2], rsi(prices[2]))
    np.testing.assert_allclose(macd(prices).line[3], macd(prices[3]).line)
    np.testing.assert_allclose(moving_average(prices, 5)[1], moving_average(prices[1], 5))


def test_always_holding_is_buy_and_hold_and_never_holding_keeps_the_cash():
    prices = random_walk_prices(np.random.default_rng(SEED), 5, 50)
    held = backtest(prices, np.ones_like(prices), fee_bps=30)
    np.testing.assert_allclose(held.strategy, held.buy_and_hold)
    cash = backtest(prices, np.zeros_like(prices), fee_bps=30)
    np.testing.assert_array_equal(cash.strategy, 1.0)


def test_every_position_change_pays_the_fee():
    prices = np.full(11, 100.0)  # flat prices: only the fees move the value
    in_and_out = np.array([1.0, 0.0] * 5 + [1.0])  # 10 changes over the 10 steps
    result = backtest(prices, in_and_out, fee_bps=50)
    assert result.trades == 10
    assert result.strategy == pytest.approx(0.995**10)


def test_technical_signals_do_not_beat_buy_and_hold_on_random_walks(random_walks):
    prices = random_walks
    signals = {
        "moving-average crossover": crossover_signal(moving_average(prices, 10),
                                                     moving_average(prices, 50)),
        "MACD above its signal": crossover_signal(macd(prices).line, macd(prices).signal),
        "RSI mean reversion": rsi_signal(rsi(prices)),
    }
    for name, signal in signals.items():
        before_fees, stderr = backtest(prices, signal, fee_bps=0).mean_and_standard_error()
        after_fees, _ = backtest(prices, signal, fee_bps=30).mean_and_standard_error()
        assert abs(before_fees) < 3 * stderr, f"{name} shows an edge before fees: {before_fees}"
        assert after_fees <= 0, f"{name} beat buy-and-hold after fees: {after_fees}"
        assert after_fees < before_fees, name


def test_the_same_seed_gives_the_same_paths():
    first = random_walk_prices(np.random.default_rng(7), 3, 20)
    again = random_walk_prices(np.random.default_rng(7), 3, 20)
    np.testing.assert_array_equal(first, again)
    assert first.shape == (3, 20) and np.all(first[:, 0] == 100.0)


@pytest.mark.parametrize("prices", [
    np.array([1.0, -2.0, 3.0]), np.array([1.0, np.nan]), np.ones((2, 2, 2)), np.array([]),
])
def test_bad_prices_are_refused(prices):
    with pytest.raises(InvalidPrices, match="prices"):
        moving_average(prices, 1)


@pytest.mark.parametrize("call, match", [
    (lambda p: moving_average(p, 0), "window"),
    (lambda p: moving_average(p, 11), "window"),
    (lambda p: support_resistance(p, 2.5), "window"),
    (lambda p: exponential_moving_average(p, True), "span"),
    (lambda p: rsi(p, 10), "period"),
    (lambda p: macd(p, fast=5, slow=3, signal=2), "fast"),
])
def test_bad_windows_are_refused(call, match):
    with pytest.raises(InvalidWindow, match=match):
        call(np.linspace(1, 2, 10))


def test_bad_signals_and_fees_are_refused():
    prices = np.linspace(1, 2, 10)
    with pytest.raises(InvalidSignal, match="shape"):
        backtest(prices, np.ones(9), fee_bps=30)
    with pytest.raises(InvalidSignal, match=r"\[0, 1\]"):
        backtest(prices, np.full(10, 2.0), fee_bps=30)
    with pytest.raises(IndicatorError, match="fee_bps"):
        backtest(prices, np.ones(10), fee_bps=-1)


def test_random_walks_need_a_seeded_generator_and_sane_sizes():
    with pytest.raises(IndicatorError, match="rng"):
        random_walk_prices(42, 3, 20)
    with pytest.raises(IndicatorError, match="n_steps"):
        random_walk_prices(np.random.default_rng(1), 3, 0)
    with pytest.raises(IndicatorError, match="volatility"):
        random_walk_prices(np.random.default_rng(1), 3, 20, volatility=1.5)
