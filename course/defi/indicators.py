"""Technical indicators, and an honest backtest of them against buy-and-hold.

Moving averages, MACD, RSI and support/resistance levels are computed from past prices only.
On a random walk the past says nothing about the next step, so a strategy built on them earns
what buy-and-hold earns before fees, and less after: every position change pays a fee.

Every function takes prices as a 1-D array ``(steps,)`` or a 2-D array ``(paths, steps)`` and
works along the last axis, so one call handles thousands of simulated paths. Values that need
more history than there is (the first ``window - 1`` of a moving average) are NaN.
Sources: Appel (MACD, 1979); Wilder, "New Concepts in Technical Trading Systems" (RSI, 1978).
Taught in notebook 11.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from course.errors import DefiError
from course.validation import (
    ensure,
    ensure_generator,
    ensure_int,
    ensure_number,
    ensure_numbers,
    fail,
)

MAX_STEPS = 10_000_000  # the most prices (paths x steps) a random walk draws at once


class IndicatorError(DefiError, ValueError):
    """An input an indicator or backtest refuses; the message names the field and the rule."""


class InvalidPrices(IndicatorError):
    """Prices that are not a 1-D or 2-D array of positive finite numbers."""


class InvalidWindow(IndicatorError):
    """A window, period or span that is not a positive integer no longer than the series."""


class InvalidSignal(IndicatorError):
    """A position signal of the wrong shape or outside [0, 1]."""


def _as_series(values: np.ndarray, name: str, rule: str,
               error: type[IndicatorError]) -> np.ndarray:
    """``values`` as a float array of shape (steps,) or (paths, steps), NaN allowed."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError, OverflowError):
        fail(error, name, values, rule)
    ensure(array.ndim in (1, 2) and array.size > 0 and np.asarray(values).dtype != bool,
           error, name, values, rule)
    return array


def _as_prices(prices: np.ndarray) -> np.ndarray:
    """``prices`` as a float array of shape (steps,) or (paths, steps) of positive numbers."""
    array = _as_series(prices, "prices", "positive finite numbers of shape (steps,) or "
                       "(paths, steps)", InvalidPrices)
    return ensure_numbers(array, "prices", above=0, ndim=array.ndim, error=InvalidPrices)


def _check_window(name: str, value: int, steps: int) -> int:
    return ensure_int(value, name, minimum=1, maximum=steps, meaning="a number of steps",
                      error=InvalidWindow)


def _rolling(prices: np.ndarray, window: int) -> np.ndarray:
    """A view of every trailing window: shape (..., steps - window + 1, window)."""
    return sliding_window_view(prices, window, axis=-1)


def _pad_front(values: np.ndarray, missing: int) -> np.ndarray:
    """Prepend ``missing`` NaNs along the last axis, so the output lines up with the prices."""
    pad = np.full(values.shape[:-1] + (missing,), np.nan)
    return np.concatenate([pad, values], axis=-1)


def moving_average(prices: np.ndarray, window: int) -> np.ndarray:
    """Simple moving average of the last ``window`` prices; NaN for the first ``window - 1``."""
    prices = _as_prices(prices)
    _check_window("window", window, prices.shape[-1])
    return _pad_front(_rolling(prices, window).mean(axis=-1), window - 1)


def exponential_moving_average(prices: np.ndarray, span: int) -> np.ndarray:
    """EMA with weight alpha = 2 / (span + 1) on the newest price, started at the first price.

    ema[0] = price[0]; ema[t] = alpha * price[t] + (1 - alpha) * ema[t - 1]
    (pandas' ``ewm(span=span, adjust=False)``). One loop over steps, vectorized over paths.
    """
    prices = _as_prices(prices)
    _check_window("span", span, prices.shape[-1])
    alpha = 2.0 / (span + 1)
    ema = np.empty_like(prices)
    ema[..., 0] = prices[..., 0]
    for t in range(1, prices.shape[-1]):
        ema[..., t] = alpha * prices[..., t] + (1 - alpha) * ema[..., t - 1]
    return ema


@dataclass(frozen=True)
class Macd:
    """MACD line (fast EMA - slow EMA), its signal line (an EMA of it) and their difference."""

    line: np.ndarray
    signal: np.ndarray
    histogram: np.ndarray


def macd(prices: np.ndarray, fast: int = 12, slow: int = 26, signal: int = 9) -> Macd:
    """Moving Average Convergence/Divergence with Appel's default spans 12, 26 and 9."""
    prices = _as_prices(prices)
    for name, value in (("fast", fast), ("slow", slow), ("signal", signal)):
        _check_window(name, value, prices.shape[-1])
    ensure(fast < slow, InvalidWindow, "fast", fast, f"shorter than slow ({slow})")
    line = exponential_moving_average(prices, fast) - exponential_moving_average(prices, slow)
    alpha = 2.0 / (signal + 1)
    signal_line = np.empty_like(line)  # an EMA of the MACD line, which can be negative
    signal_line[..., 0] = line[..., 0]
    for t in range(1, line.shape[-1]):
        signal_line[..., t] = alpha * line[..., t] + (1 - alpha) * signal_line[..., t - 1]
    return Macd(line=line, signal=signal_line, histogram=line - signal_line)


def rsi(prices: np.ndarray, period: int = 14) -> np.ndarray:
    """Relative Strength Index in [0, 100], with Wilder's smoothing; NaN for the first ``period``.

    Average gain and loss start as plain means of the first ``period`` changes, then
    avg[t] = (avg[t - 1] * (period - 1) + change[t]) / period. RSI = 100 - 100 / (1 + gain / loss):
    100 when nothing fell, 0 when nothing rose, 50 when nothing moved.
    """
    prices = _as_prices(prices)
    period = ensure_int(period, "period", minimum=1, maximum=prices.shape[-1] - 1,
                        meaning="RSI needs period + 1 prices", error=InvalidWindow)
    change = np.diff(prices, axis=-1)  # (..., steps - 1)
    gain, loss = np.clip(change, 0, None), np.clip(-change, 0, None)
    avg_gain = np.empty_like(change)
    avg_loss = np.empty_like(change)
    avg_gain[..., period - 1] = gain[..., :period].mean(axis=-1)
    avg_loss[..., period - 1] = loss[..., :period].mean(axis=-1)
    for t in range(period, change.shape[-1]):
        avg_gain[..., t] = (avg_gain[..., t - 1] * (period - 1) + gain[..., t]) / period
        avg_loss[..., t] = (avg_loss[..., t - 1] * (period - 1) + loss[..., t]) / period
    avg_gain, avg_loss = avg_gain[..., period - 1:], avg_loss[..., period - 1:]
    total = avg_gain + avg_loss
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(total > 0, 100.0 * (avg_gain / total), 50.0)  # = 100 - 100 / (1 + RS)
    return _pad_front(value, period)


def support_resistance(prices: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """(support, resistance): the lowest and highest price of the last ``window`` steps."""
    prices = _as_prices(prices)
    _check_window("window", window, prices.shape[-1])
    windows = _rolling(prices, window)
    return (_pad_front(windows.min(axis=-1), window - 1),
            _pad_front(windows.max(axis=-1), window - 1))


# --- signals: 1 = hold the asset over the next step, 0 = hold cash ----------------------------

def crossover_signal(fast: np.ndarray, slow: np.ndarray) -> np.ndarray:
    """1 where the fast line is above the slow one (MA crossover, MACD above signal), else 0."""
    rule = "numbers (NaN before the line starts) of shape (steps,) or (paths, steps)"
    fast = _as_series(fast, "fast", rule, InvalidSignal)
    slow = _as_series(slow, "slow", rule, InvalidSignal)
    ensure(fast.shape == slow.shape, InvalidSignal, "slow", slow,
           f"of the fast line's shape {fast.shape}")
    with np.errstate(invalid="ignore"):
        return np.where(fast > slow, 1.0, 0.0)  # NaN compares False


def rsi_signal(rsi_values: np.ndarray, oversold: float = 30, overbought: float = 70) -> np.ndarray:
    """Mean reversion: buy when RSI drops below ``oversold``, sell when it rises above
    ``overbought``, otherwise keep the previous position."""
    values = _as_series(rsi_values, "rsi_values", "RSI values in [0, 100] (NaN before the first) "
                        "of shape (steps,) or (paths, steps)", InvalidSignal)
    ensure(not np.any(np.abs(values - 50) > 50), InvalidSignal, "rsi_values", rsi_values,
           "RSI values in [0, 100] (NaN before the first)")
    oversold = ensure_number(oversold, "oversold", minimum=0, maximum=100,
                             meaning="buy below this RSI", error=InvalidSignal)
    overbought = ensure_number(overbought, "overbought", minimum=oversold, maximum=100,
                               meaning="sell above this RSI", error=InvalidSignal)
    position = np.zeros_like(values)
    held = np.zeros(values.shape[:-1])
    for t in range(values.shape[-1]):
        held = np.where(values[..., t] < oversold, 1.0,
                        np.where(values[..., t] > overbought, 0.0, held))
        position[..., t] = held
    return position


def _as_signal(signal: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``signal`` as positions in [0, 1] of the prices' ``shape``; NaN (no signal yet) is 0."""
    rule = f"positions in [0, 1] (0 = cash, 1 = all in) of the prices' shape {shape}"
    try:
        array = np.asarray(signal, dtype=float)
    except (TypeError, ValueError, OverflowError):
        fail(InvalidSignal, "signal", signal, rule)
    array = np.nan_to_num(array, nan=0.0)
    ensure(array.shape == shape and bool(np.all((array >= 0) & (array <= 1))), InvalidSignal,
           "signal", signal, rule)
    return array


@dataclass(frozen=True)
class BacktestResult:
    """Final value of 1 unit of cash per path: the strategy and plain buy-and-hold."""

    strategy: np.ndarray  # (paths,) or a scalar array for one path
    buy_and_hold: np.ndarray
    trades: np.ndarray  # how many times each path changed position

    @property
    def excess_return(self) -> np.ndarray:
        """Strategy minus buy-and-hold, per path (both started from 1)."""
        return self.strategy - self.buy_and_hold

    def mean_and_standard_error(self) -> tuple[float, float]:
        """Mean excess return over paths, and its standard error (for a t-test by eye)."""
        excess = np.atleast_1d(self.excess_return)
        stderr = excess.std(ddof=1) / np.sqrt(excess.size) if excess.size > 1 else float("nan")
        return float(excess.mean()), float(stderr)


def backtest(prices: np.ndarray, signal: np.ndarray, fee_bps: float) -> BacktestResult:
    """Trade on ``signal`` and compare with buy-and-hold, paying ``fee_bps`` per position change.

    ``signal[..., t]`` (in [0, 1]; NaN means 0) is the share of wealth in the asset from step t
    to t + 1, decided with prices up to t, so there is no look-ahead. Both start in cash: the
    strategy pays fee * |change in position| each step, buy-and-hold pays one fee to buy.
    """
    prices = _as_prices(prices)
    signal = _as_signal(signal, prices.shape)
    fee = ensure_number(fee_bps, "fee_bps", minimum=0, below=10_000,
                        meaning="basis points paid per position change",
                        error=IndicatorError) / 10_000
    step_return = prices[..., 1:] / prices[..., :-1] - 1  # (..., steps - 1)
    position = signal[..., :-1]  # held over each step; the last signal has no step after it
    previous = np.concatenate([np.zeros(position.shape[:-1] + (1,)), position[..., :-1]], axis=-1)
    turnover = np.abs(position - previous)
    growth = (1 - fee * turnover) * (1 + position * step_return)
    buy_and_hold = (1 - fee) * prices[..., -1] / prices[..., 0]
    return BacktestResult(strategy=np.prod(growth, axis=-1), buy_and_hold=buy_and_hold,
                          trades=np.count_nonzero(turnover, axis=-1))


def walk_forward(prices: np.ndarray, decide: Callable[[np.ndarray], float],
                 fee_bps: float) -> float:
    """Backtest a strategy written as a function of the past, one step at a time.

    At each step t (but the last), ``decide`` sees only ``prices[:t + 1]``, as a read-only copy,
    and returns the position in [0, 1] held from t to t + 1; a change of position pays ``fee_bps``
    on the wealth moved. Returns the final value of 1 unit of cash, like ``backtest``, which does
    the same with a precomputed signal. No look-ahead is possible: the future is never passed.
    """
    prices = _as_prices(prices)
    ensure(prices.ndim == 1, InvalidPrices, "prices", prices, "one path: a 1-D array")
    ensure(callable(decide), IndicatorError, "decide", decide,
           "a function of the past prices returning a position in [0, 1]")
    fee = ensure_number(fee_bps, "fee_bps", minimum=0, below=10_000,
                        meaning="basis points paid per position change",
                        error=IndicatorError) / 10_000
    wealth, position = 1.0, 0.0
    for t in range(len(prices) - 1):
        past = prices[: t + 1].copy()
        past.flags.writeable = False
        new = ensure_number(decide(past), "position", minimum=0, maximum=1,
                            meaning=f"what decide returned at step {t}", error=InvalidSignal)
        wealth *= (1 - fee * abs(new - position)) * (1 + new * (prices[t + 1] / prices[t] - 1))
        position = new
    return wealth


def random_walk_prices(rng: np.random.Generator, n_paths: int, n_steps: int,
                       start: float = 100.0, volatility: float = 0.02) -> np.ndarray:
    """Geometric random walk with no drift: shape (n_paths, n_steps), starting at ``start``.

    Log returns are normal with mean -volatility**2 / 2, so each step's expected price change
    is exactly 0: the best forecast of tomorrow's price is today's.
    """
    ensure_generator(rng, error=IndicatorError)
    n_paths = ensure_int(n_paths, "n_paths", minimum=1, maximum=MAX_STEPS, error=IndicatorError)
    n_steps = ensure_int(n_steps, "n_steps", minimum=1, maximum=MAX_STEPS // n_paths,
                         meaning=f"n_paths * n_steps may be at most {MAX_STEPS:,}",
                         error=IndicatorError)
    start = ensure_number(start, "start", above=0, meaning="the first price",
                          error=IndicatorError)
    volatility = ensure_number(volatility, "volatility", minimum=0, below=1,
                               meaning="0.02 = 2% a step", error=IndicatorError)
    log_steps = rng.normal(-volatility**2 / 2, volatility, size=(n_paths, n_steps - 1))
    log_path = np.concatenate([np.zeros((n_paths, 1)), np.cumsum(log_steps, axis=1)], axis=1)
    return start * np.exp(log_path)  # (n_paths, n_steps)
