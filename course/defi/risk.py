"""Risk metrics and simple strategies, measured on simulated price paths.

Metrics summarize a distribution of outcomes in one number: how bad is a bad day (VaR), how bad
is the average bad day (CVaR), the deepest fall from a peak (max drawdown), return per unit of
risk (Sharpe). Strategies turn price paths into position values so they can be compared:
dollar-cost averaging, a stop-loss, and providing liquidity to a constant-product AMM.

Arrays follow one convention: time is the last axis. Prices are (paths, steps + 1), returns are
(paths, steps); several assets stack in front, (assets, paths, steps + 1).
"""

from __future__ import annotations

import math

import numpy as np

from course.defi.paths import DAY, correlated_gbm

__all__ = ["InvalidRiskInput", "conditional_value_at_risk", "correlated_gbm", "dca_vs_lump_sum",
           "lp_vs_hodl", "max_drawdown", "portfolio_returns", "sharpe_ratio", "simple_returns",
           "stop_loss", "value_at_risk"]


class InvalidRiskInput(ValueError):
    """A metric or strategy input that breaks a rule; the message names field, value and rule."""


# --- metrics ---------------------------------------------------------------------------------

def value_at_risk(returns: np.ndarray, level: float = 0.95) -> float:
    """Historical VaR: the loss that is exceeded only (1 - level) of the time, as a positive number.

    ``returns`` is a sample of outcomes (all values are pooled, whatever the shape). At 95%,
    VaR is minus the 5th percentile: for standard-normal returns, about 1.645.
    """
    sample = _sample("returns", returns)
    _check_level(level)
    return float(-np.quantile(sample, 1 - level))


def conditional_value_at_risk(returns: np.ndarray, level: float = 0.95) -> float:
    """Expected shortfall: the average loss on the days at or beyond the VaR (positive number).

    VaR says where the tail starts; CVaR says how deep it goes. For standard-normal returns at
    95% it is about 2.063 (= pdf(1.645) / 0.05).
    """
    sample = _sample("returns", returns)
    _check_level(level)
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
    values = np.asarray(returns, dtype=float)
    if values.ndim not in (1, 2) or values.shape[-1] < 2 or not np.isfinite(values).all():
        raise InvalidRiskInput(f"returns must be finite numbers, shape (steps,) or (paths, steps) "
                               f"with at least 2 steps, got shape {values.shape}")
    if not (_is_number(risk_free)):
        raise InvalidRiskInput(f"risk_free must be a finite yearly rate, got {risk_free!r}")
    if isinstance(periods_per_year, bool) or not isinstance(periods_per_year, int) or \
            periods_per_year < 1:
        raise InvalidRiskInput(f"periods_per_year must be a whole number >= 1, "
                               f"got {periods_per_year!r}")
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
    _check_positive_number("budget", budget)
    steps = prices.shape[1] - 1
    if isinstance(periods, bool) or not isinstance(periods, int) or not 1 <= periods <= steps:
        raise InvalidRiskInput(f"periods must be a whole number from 1 to the {steps} steps "
                               f"of the paths, got {periods!r}")
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
    _check_positive_number("budget", budget)
    if not (_is_number(threshold) and 0 < threshold <= 1):
        raise InvalidRiskInput(f"threshold is a fraction of the entry price and must lie in "
                               f"(0, 1], got {threshold!r}")
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
    if not (_is_number(fee_apr) and fee_apr >= 0):
        raise InvalidRiskInput(f"fee_apr must be a finite yearly rate >= 0, got {fee_apr!r}")
    _check_positive_number("dt", dt)
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
    w = np.asarray(weights, dtype=float)
    values = np.asarray(returns, dtype=float)
    if w.ndim != 1 or values.ndim < 1 or values.shape[0] != len(w):
        raise InvalidRiskInput(f"weights need one value per asset (the first axis of returns); "
                               f"got weights shape {w.shape}, returns shape {values.shape}")
    if not np.isfinite(w).all() or not math.isclose(w.sum(), 1, abs_tol=1e-9):
        raise InvalidRiskInput(f"weights must be finite and sum to 1, got {w.tolist()}")
    return np.tensordot(w, values, axes=1)  # (...)


# --- input checks ----------------------------------------------------------------------------

def _is_number(value: object) -> bool:
    return (not isinstance(value, bool) and isinstance(value, int | float | np.number)
            and math.isfinite(value))


def _check_positive_number(name: str, value: object) -> None:
    if not (_is_number(value) and value > 0):
        raise InvalidRiskInput(f"{name} must be a finite number > 0, got {value!r}")


def _check_level(level: object) -> None:
    if not (_is_number(level) and 0 < level < 1):
        raise InvalidRiskInput(f"level is a confidence level and must lie strictly between 0 "
                               f"and 1 (e.g. 0.95), got {level!r}")


def _sample(name: str, values: np.ndarray) -> np.ndarray:
    sample = np.ravel(np.asarray(values, dtype=float))
    if sample.size == 0 or not np.isfinite(sample).all():
        raise InvalidRiskInput(f"{name} must be a non-empty array of finite numbers, "
                               f"got {sample.size} values")
    return sample


def _prices(name: str, prices: np.ndarray) -> np.ndarray:
    values = np.asarray(prices, dtype=float)
    if values.ndim < 1 or values.shape[-1] < 2 or not (np.isfinite(values).all()
                                                      and (values > 0).all()):
        raise InvalidRiskInput(f"{name} must be positive finite prices with at least 2 steps "
                               f"along the last axis, got shape {values.shape}")
    return values


def _paths(name: str, paths: np.ndarray) -> np.ndarray:
    values = _prices(name, paths)
    if values.ndim != 2:
        raise InvalidRiskInput(f"{name} must be 2-D, (paths, steps + 1), got shape "
                               f"{values.shape}; use prices[None, :] for a single path")
    return values
