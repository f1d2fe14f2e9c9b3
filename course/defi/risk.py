"""Risk metrics and simple strategies, measured on simulated price paths.

Metrics summarize a distribution of outcomes in one number: how bad is a bad day (VaR), how bad
is the average bad day (CVaR), the deepest fall from a peak (max drawdown), return per unit of
risk (Sharpe). Strategies turn price paths into position values so they can be compared:
dollar-cost averaging, a stop-loss, and providing liquidity to a constant-product AMM.

Arrays follow one convention: time is the last axis. Prices are (paths, steps + 1), returns are
(paths, steps); several assets stack in front, (assets, paths, steps + 1).
Taught in notebook 11.
"""

from __future__ import annotations

import math

import numpy as np

from course.defi.paths import DAY, correlated_gbm
from course.errors import DefiError
from course.validation import ensure, ensure_int, ensure_number, ensure_numbers, fail

MAX_BUDGET = 1e15  # a quadrillion: keeps budget * price ratios finite

__all__ = ["InvalidRiskInput", "conditional_value_at_risk", "correlated_gbm", "dca_vs_lump_sum",
           "lp_vs_hodl", "max_drawdown", "portfolio_returns", "sharpe_ratio", "simple_returns",
           "stop_loss", "value_at_risk"]


class InvalidRiskInput(DefiError, ValueError):
    """A metric or strategy input that breaks a rule; the message names field, value and rule."""


# --- metrics ---------------------------------------------------------------------------------

def value_at_risk(returns: np.ndarray, level: float = 0.95) -> float:
    """Historical VaR: the loss that is exceeded only (1 - level) of the time, as a positive number.

    ``returns`` is a sample of outcomes (all values are pooled, whatever the shape). At 95%,
    VaR is minus the 5th percentile: for standard-normal returns, about 1.645.
    """
    sample = _sample("returns", returns)
    level = _check_level(level)
    return float(-np.quantile(sample, 1 - level))


def conditional_value_at_risk(returns: np.ndarray, level: float = 0.95) -> float:
    """Expected shortfall: the average loss on the days at or beyond the VaR (positive number).

    VaR says where the tail starts; CVaR says how deep it goes. For standard-normal returns at
    95% it is about 2.063 (= pdf(1.645) / 0.05).
    """
    sample = _sample("returns", returns)
    level = _check_level(level)
    cutoff = np.quantile(sample, 1 - level)
    return float(-sample[sample <= cutoff].mean())


def max_drawdown(prices: np.ndarray) -> float | np.ndarray:
    """The largest fall from a running peak, as a fraction (0.25 = lost a quarter from the top).

    A 1-D price series gives a float; 2-D prices (paths, steps + 1) give one value per path.
    """
    values = _prices("prices", prices)
    running_peak = np.maximum.accumulate(values, axis=-1)  # (..., steps + 1)
    drawdown = 1 - values / running_peak  # (..., steps + 1)
    worst = drawdown.max(axis=-1)
    return float(worst) if worst.ndim == 0 else worst


def sharpe_ratio(returns: np.ndarray, risk_free: float = 0.0,
                 periods_per_year: int = 365) -> float | np.ndarray:
    """Annualized Sharpe ratio: mean excess return / its standard deviation * sqrt(periods).

    ``risk_free`` is a yearly rate, spread evenly over the periods. 1-D returns give a float,
    (paths, steps) returns one value per path. A series that never varies has no risk to divide
    by: its Sharpe is +inf above the risk-free rate, -inf below it and nan exactly at it.
    """
    values = _array("returns", returns, "finite numbers of shape (steps,) or (paths, steps) "
                    "with at least 2 steps")
    ensure(values.ndim in (1, 2) and values.shape[-1] >= 2, InvalidRiskInput, "returns",
           returns, "finite numbers of shape (steps,) or (paths, steps) with at least 2 steps")
    risk_free = ensure_number(risk_free, "risk_free", minimum=-1, maximum=1_000,
                              meaning="a yearly rate", error=InvalidRiskInput)
    periods_per_year = ensure_int(periods_per_year, "periods_per_year", minimum=1,
                                  maximum=10**9, error=InvalidRiskInput)
    excess = values - risk_free / periods_per_year  # (..., steps)
    mean = excess.mean(axis=-1)
    spread = excess.std(axis=-1, ddof=1)
    constant = np.ptp(excess, axis=-1) == 0  # rounding leaves a tiny std on constant series
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(constant, np.sign(mean) * np.inf, mean / spread)
    ratio = np.where(constant & (mean == 0), np.nan, ratio) * math.sqrt(periods_per_year)
    return float(ratio) if ratio.ndim == 0 else ratio


def simple_returns(prices: np.ndarray) -> np.ndarray:
    """Step-by-step returns p[t] / p[t-1] - 1 along the last (time) axis: (..., steps)."""
    values = _prices("prices", prices)
    return values[..., 1:] / values[..., :-1] - 1


def log_returns(prices: np.ndarray) -> np.ndarray:
    """Step-by-step log-returns ln(p[t] / p[t-1]) along the last axis: they add up over time."""
    values = _prices("prices", prices)
    return np.log(values[..., 1:] / values[..., :-1])


def apr_to_apy(apr: float, periods_per_year: int = 365) -> float:
    """The yearly growth of a rate ``apr`` paid ``periods_per_year`` times and reinvested."""
    rate = ensure_number(apr, "apr", minimum=-1, maximum=100, meaning="a yearly rate (0.05 = 5%)",
                         error=InvalidRiskInput)
    periods = ensure_int(periods_per_year, "periods_per_year", minimum=1, maximum=10**7,
                         meaning="compounding periods a year", error=InvalidRiskInput)
    return float((1 + rate / periods) ** periods - 1)


# --- strategies: each returns (strategy, baseline) ---------------------------------------------

def dca_vs_lump_sum(paths: np.ndarray, budget: float,
                    periods: int) -> tuple[np.ndarray, np.ndarray]:
    """Final values of dollar-cost averaging vs investing the whole budget at the start.

    DCA spends budget / periods at ``periods`` evenly spaced steps (the first at t = 0); cash
    waiting to be invested earns nothing. Both are valued at the last price of each path.

    Returns:
        (dca, lump_sum), each of shape (paths,).
    """
    prices = _paths("paths", paths)
    budget = _check_budget(budget)
    steps = prices.shape[1] - 1
    periods = ensure_int(periods, "periods", minimum=1, maximum=steps,
                         meaning="purchases, at most one a step of the paths",
                         error=InvalidRiskInput)
    buy_steps = np.arange(periods) * steps // periods  # (periods,) 0, steps/periods, ...
    units = (budget / periods / prices[:, buy_steps]).sum(axis=1)  # (paths,)
    dca = units * prices[:, -1]
    lump_sum = budget * prices[:, -1] / prices[:, 0]
    return dca, lump_sum


def stop_loss(paths: np.ndarray, threshold: float,
              budget: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Final values of a position sold the first step its price closes below threshold * entry.

    Prices are only checked once per step, so the exit is at that step's price, which can be
    well below the threshold after a gap down. After the exit the cash earns nothing.

    Returns:
        (with_stop, buy_and_hold), each of shape (paths,).
    """
    prices = _paths("paths", paths)
    budget = _check_budget(budget)
    threshold = ensure_number(threshold, "threshold", above=0, maximum=1,
                              meaning="a fraction of the entry price", error=InvalidRiskInput)
    entry = prices[:, :1]  # (paths, 1)
    below = prices < threshold * entry  # (paths, steps + 1)
    stopped = below.any(axis=1)  # (paths,)
    exit_step = np.where(stopped, below.argmax(axis=1), prices.shape[1] - 1)  # (paths,)
    exit_price = prices[np.arange(len(prices)), exit_step]  # (paths,)
    with_stop = budget * exit_price / entry[:, 0]
    buy_and_hold = budget * prices[:, -1] / entry[:, 0]
    return with_stop, buy_and_hold


def lp_vs_hodl(paths: np.ndarray, fee_apr: float = 0.0,
               dt: float = DAY) -> tuple[np.ndarray, np.ndarray]:
    """Value of a 50/50 constant-product LP position vs holding the two tokens, over time.

    ``paths`` is the price of the volatile token in the other one. Both positions start worth 1.
    With price ratio r = p / p0, holding is worth (1 + r) / 2 and the LP position sqrt(r), so
    lp / hodl = 1 + impermanent_loss(r). Fees, if any, are earned at ``fee_apr`` a year and
    added to the pool every step (so they compound): lp = sqrt(r) * (1 + fee_apr * dt)^t.

    Returns:
        (lp, hodl), each of shape (paths, steps + 1).
    """
    prices = _paths("paths", paths)
    fee_apr = ensure_number(fee_apr, "fee_apr", minimum=0, maximum=10,
                            meaning="a yearly rate", error=InvalidRiskInput)
    dt = ensure_number(dt, "dt", above=0, maximum=1, meaning="one step in years",
                       error=InvalidRiskInput)
    ratio = prices / prices[:, :1]  # (paths, steps + 1)
    hodl = ratio + 1  # (paths, steps + 1)
    hodl *= 0.5
    lp = np.sqrt(ratio, out=ratio)  # (paths, steps + 1), reusing the ratio's memory
    if fee_apr > 0:
        lp *= (1 + fee_apr * dt) ** np.arange(prices.shape[1])  # (steps + 1,) fee growth
    return lp, hodl


# --- several assets: the diversification lesson (paths from paths.correlated_gbm) -------------

def portfolio_returns(weights: np.ndarray, returns: np.ndarray) -> np.ndarray:
    """Returns of a portfolio rebalanced to fixed ``weights`` every step: sum_i w_i * r_i.

    ``returns`` are simple returns of shape (assets, ...); weights must sum to 1.
    Returns one portfolio return per remaining entry, shape (...).
    """
    w = ensure_numbers(weights, "weights", meaning="one per asset", error=InvalidRiskInput)
    values = _array("returns", returns, "finite numbers of shape (assets, ...)")
    ensure(values.ndim >= 1 and values.shape[0] == len(w), InvalidRiskInput, "weights",
           weights, f"one value per asset (the first axis of returns, shape {values.shape})")
    ensure(math.isclose(w.sum(), 1, abs_tol=1e-9), InvalidRiskInput, "weights", weights,
           "fractions that sum to 1")
    return np.tensordot(w, values, axes=1)  # (...)


# --- input checks ----------------------------------------------------------------------------

def _array(name: str, values: np.ndarray, rule: str) -> np.ndarray:
    """``values`` as a float array of finite numbers (of any shape)."""
    if isinstance(values, str | bytes) or values is None:
        fail(InvalidRiskInput, name, values, rule)
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError, OverflowError):
        fail(InvalidRiskInput, name, values, rule)
    ensure(np.asarray(values).dtype != bool and bool(np.isfinite(array).all()),
           InvalidRiskInput, name, values, rule)
    return array


def _check_budget(budget: object) -> float:
    return ensure_number(budget, "budget", above=0, maximum=MAX_BUDGET, meaning="cash to invest",
                         error=InvalidRiskInput)


def _check_level(level: object) -> float:
    return ensure_number(level, "level", above=0, below=1,
                         meaning="a confidence level, e.g. 0.95", error=InvalidRiskInput)


def _sample(name: str, values: np.ndarray) -> np.ndarray:
    sample = np.ravel(_array(name, values, "a non-empty array of finite numbers"))
    ensure(sample.size > 0, InvalidRiskInput, name, values, "a non-empty array of finite numbers")
    return sample


def _prices(name: str, prices: np.ndarray) -> np.ndarray:
    rule = "positive finite prices with at least 2 steps along the last axis"
    values = _array(name, prices, rule)
    ensure(values.ndim >= 1 and values.shape[-1] >= 2 and bool((values > 0).all()),
           InvalidRiskInput, name, prices, rule)
    return values


def _paths(name: str, paths: np.ndarray) -> np.ndarray:
    values = _prices(name, paths)
    ensure(values.ndim == 2, InvalidRiskInput, name, paths,
           "2-D, (paths, steps + 1); use prices[None, :] for a single path")
    return values
