"""Price paths for Monte Carlo risk: many possible futures of one price, all at once.

Every simulator returns an array of shape (paths, days + 1): one row per simulated future,
column 0 is today's price ``s0``. Prices move by multiplying random daily factors, so they stay
positive; what changes between models is how wild the daily log-returns are:

- ``gbm_paths``: normal log-returns (geometric Brownian motion, the Black-Scholes world);
- ``jump_diffusion_paths``: GBM plus rare sudden jumps (Merton, 1976): crashes and squeezes;
- ``regime_switching_paths``: calm and stressed spells that follow each other (a Markov chain);
- ``student_t_paths``: fat-tailed daily moves with the same variance as GBM;
- ``correlated_gbm``: several assets at once, moving together as much as you ask.

``mu`` and ``sigma`` are per year and ``dt`` is one step in years (a day by default). All
randomness comes from the one ``numpy.random.Generator`` you pass in: same seed, same paths.
Taught in notebooks 10 and 11 (price paths for the Monte Carlo risk lab).
"""

from __future__ import annotations

import math

import numpy as np

from course.errors import DefiError
from course.validation import ensure, ensure_generator, ensure_int, ensure_number, ensure_numbers

DAY = 1 / 365  # crypto markets never close
MAX_DAYS = 100 * 365  # a century of daily steps
MAX_PRICES = 50_000_000  # paths * (days + 1) floats: 400 MB, beyond 100,000 paths of a year


class InvalidPathParameter(DefiError, ValueError):
    """A simulation input that breaks a rule; the message names the field, value and rule."""


def gbm_paths(s0: float, mu: float, sigma: float, days: int, paths: int,
              rng: np.random.Generator, dt: float = DAY) -> np.ndarray:
    """Geometric Brownian motion, stepped exactly: log S grows by N((mu - sigma²/2) dt, sigma² dt).

    The -sigma²/2 drift correction makes the *average* price grow at rate mu,
    E[S_T] = s0 exp(mu T), even though the typical (median) path grows more slowly.

    Returns:
        Prices, shape (paths, days + 1), column 0 equal to ``s0``.

    Raises:
        InvalidPathParameter: s0 <= 0, sigma < 0, days or paths < 1, dt <= 0, or no Generator.
    """
    _check_common(s0, mu, sigma, days, paths, rng, dt)
    prices = _price_buffer(days, paths)  # (days + 1, paths)
    shocks = rng.standard_normal(out=prices[1:])  # (days, paths), drawn straight into place
    _diffusion_steps(mu, sigma, shocks, dt)
    return _compound(s0, prices)


def jump_diffusion_paths(s0: float, mu: float, sigma: float, days: int, paths: int,
                         rng: np.random.Generator, jump_rate: float = 12.0,
                         jump_mean: float = -0.02, jump_std: float = 0.08,
                         dt: float = DAY) -> np.ndarray:
    """Merton's jump diffusion: GBM plus jumps arriving as a Poisson process.

    On average ``jump_rate`` jumps happen per year; each multiplies the price by exp(Y) with
    Y ~ N(jump_mean, jump_std²). The drift is lowered by jump_rate * k, k = E[exp(Y)] - 1,
    so that E[S_T] = s0 exp(mu T) still holds: jumps add risk, not expected return.

    Returns:
        Prices, shape (paths, days + 1).

    Raises:
        InvalidPathParameter: as ``gbm_paths``, or jump_rate < 0, jump_std < 0.
    """
    _check_common(s0, mu, sigma, days, paths, rng, dt)
    _check_number("jump_rate", jump_rate, "jumps per year", minimum=0, maximum=10_000)
    _check_number("jump_mean", jump_mean, "mean log size of a jump", minimum=-10, maximum=10)
    _check_number("jump_std", jump_std, "a standard deviation", minimum=0, maximum=10)
    compensator = jump_rate * (math.exp(jump_mean + 0.5 * jump_std**2) - 1)
    prices = _price_buffer(days, paths)  # (days + 1, paths)
    log_steps = _diffusion_steps(mu - compensator, sigma, rng.standard_normal(out=prices[1:]), dt)
    jump_counts = rng.poisson(jump_rate * dt, size=(days, paths))  # (days, paths)
    # The sum of n independent N(m, s²) jumps is N(n m, n s²).
    jump_sizes = rng.standard_normal((days, paths))  # (days, paths)
    log_steps += jump_counts * jump_mean + np.sqrt(jump_counts) * jump_std * jump_sizes
    return _compound(s0, prices)


def markov_regimes(days: int, paths: int, rng: np.random.Generator,
                   calm_to_stressed: float = 0.02, stressed_to_calm: float = 0.10) -> np.ndarray:
    """Which days are stressed, shape (paths, days), from a two-state Markov chain.

    Every path starts calm. Each day a calm market turns stressed with probability
    ``calm_to_stressed`` and a stressed one calms down with probability ``stressed_to_calm``,
    so a stressed spell lasts 1 / stressed_to_calm days on average.
    """
    _check_size(days, paths)
    ensure_generator(rng, error=InvalidPathParameter)
    _check_number("calm_to_stressed", calm_to_stressed, "a daily probability", minimum=0,
                  maximum=1)
    _check_number("stressed_to_calm", stressed_to_calm, "a daily probability", minimum=0,
                  maximum=1)
    draws = rng.random((days, paths))  # (days, paths)
    stressed = np.empty((days, paths), dtype=bool)  # (days, paths)
    today = np.zeros(paths, dtype=bool)  # (paths,) everyone starts calm
    for day in range(days):  # a loop over days, vectorized over paths
        switch_probability = np.where(today, stressed_to_calm, calm_to_stressed)  # (paths,)
        today = today ^ (draws[day] < switch_probability)
        stressed[day] = today
    return stressed.T  # (paths, days)


def regime_switching_paths(s0: float, mu: float, sigma_calm: float, sigma_stressed: float,
                           days: int, paths: int, rng: np.random.Generator,
                           calm_to_stressed: float = 0.02, stressed_to_calm: float = 0.10,
                           dt: float = DAY) -> np.ndarray:
    """GBM whose volatility jumps between a calm and a stressed level (see ``markov_regimes``).

    Each day's log-return is N((mu - sigma²/2) dt, sigma² dt) with that day's sigma, so
    E[S_T] = s0 exp(mu T) whatever the regimes; volatility clusters in stressed spells.

    Returns:
        Prices, shape (paths, days + 1).

    Raises:
        InvalidPathParameter: as ``gbm_paths``, or a switch probability outside [0, 1].
    """
    _check_common(s0, mu, sigma_calm, days, paths, rng, dt, sigma_name="sigma_calm")
    _check_number("sigma_stressed", sigma_stressed, "a volatility per year", minimum=0,
                  maximum=10)
    stressed = markov_regimes(days, paths, rng, calm_to_stressed, stressed_to_calm)
    sigma = np.where(stressed.T, sigma_stressed, sigma_calm)  # (days, paths)
    prices = _price_buffer(days, paths)  # (days + 1, paths)
    _diffusion_steps(mu, sigma, rng.standard_normal(out=prices[1:]), dt)
    return _compound(s0, prices)


def student_t_paths(s0: float, mu: float, sigma: float, days: int, paths: int,
                    rng: np.random.Generator, degrees_of_freedom: float = 3.0,
                    dt: float = DAY) -> np.ndarray:
    """Like ``gbm_paths`` but with Student-t daily shocks: same variance, fatter tails.

    A t variable with nu degrees of freedom has variance nu / (nu - 2); scaling it by
    sqrt((nu - 2) / nu) gives variance 1, so log-returns have the same mean and standard
    deviation as GBM's but big moves are far more frequent. The smaller nu, the fatter the tails.
    (Only GBM's drift correction is applied, so E[S_T] is not exactly s0 exp(mu T) here.)

    Returns:
        Prices, shape (paths, days + 1).

    Raises:
        InvalidPathParameter: as ``gbm_paths``, or degrees_of_freedom <= 2 (infinite variance).
    """
    _check_common(s0, mu, sigma, days, paths, rng, dt)
    nu = ensure_number(degrees_of_freedom, "degrees_of_freedom", above=2,
                       meaning="the t distribution has no variance at or below 2",
                       error=InvalidPathParameter)
    prices = _price_buffer(days, paths)  # (days + 1, paths)
    prices[1:] = rng.standard_t(nu, size=(days, paths))  # (days, paths), variance nu / (nu - 2)
    prices[1:] *= math.sqrt((nu - 2) / nu)  # now variance 1
    _diffusion_steps(mu, sigma, prices[1:], dt)
    return _compound(s0, prices)


def correlated_gbm(s0: np.ndarray, mu: np.ndarray, sigma: np.ndarray, correlation: np.ndarray,
                   days: int, paths: int, rng: np.random.Generator,
                   dt: float = DAY) -> np.ndarray:
    """GBM paths for several assets whose daily shocks have the given correlation matrix.

    Independent normal shocks z are mixed by the Cholesky factor L of the correlation matrix
    (L @ L.T = correlation), so L @ z has exactly that correlation. s0, mu and sigma hold one
    value per asset.

    Returns:
        Prices, shape (assets, paths, days + 1): ``prices[i]`` is asset i, like ``gbm_paths``.

    Raises:
        InvalidPathParameter: mismatched shapes, a matrix that is not a correlation matrix
            (symmetric, 1 on the diagonal, positive definite), or any ``gbm_paths`` rule.
    """
    s0, mu, sigma = (ensure_numbers([v] if np.isscalar(v) else v, name,
                                    meaning="one value per asset", error=InvalidPathParameter)
                     for v, name in ((s0, "s0"), (mu, "mu"), (sigma, "sigma")))
    matrix = ensure_numbers(correlation, "correlation", ndim=2, error=InvalidPathParameter)
    assets = len(s0)
    ensure(mu.shape == sigma.shape == (assets,) and matrix.shape == (assets, assets),
           InvalidPathParameter, "correlation", correlation,
           f"(assets, assets) with s0, mu and sigma holding one value per asset; got shapes "
           f"{s0.shape}, {mu.shape}, {sigma.shape}, {matrix.shape}")
    for i in range(assets):
        _check_common(s0[i], mu[i], sigma[i], days, paths, rng, dt)
    _check_size(days, paths, assets)
    ensure(np.allclose(matrix, matrix.T) and np.allclose(np.diag(matrix), 1),
           InvalidPathParameter, "correlation", matrix.tolist(), "symmetric with 1 on the diagonal")
    try:
        cholesky = np.linalg.cholesky(matrix)  # (assets, assets), lower triangular
    except np.linalg.LinAlgError:
        raise InvalidPathParameter(f"correlation must be positive definite (no asset an exact "
                                   f"mix of the others), got {matrix.tolist()}") from None
    independent = rng.standard_normal((assets, days, paths))  # (assets, days, paths)
    shocks = np.tensordot(cholesky, independent, axes=1)  # (assets, days, paths), correlated
    prices = np.empty((assets, paths, days + 1))  # (assets, paths, days + 1)
    for i in range(assets):
        buffer = _price_buffer(days, paths)  # (days + 1, paths)
        buffer[1:] = _diffusion_steps(mu[i], sigma[i], shocks[i], dt)
        prices[i] = _compound(s0[i], buffer)
    return prices


# --- the shared arithmetic -------------------------------------------------------------------

def _diffusion_steps(mu: float, sigma: float | np.ndarray, shocks: np.ndarray,
                     dt: float) -> np.ndarray:
    """Daily log-returns (mu - sigma²/2) dt + sigma sqrt(dt) z, computed in place in ``shocks``."""
    shocks *= sigma * math.sqrt(dt)  # (days, paths)
    shocks += (mu - 0.5 * np.square(sigma)) * dt
    return shocks


def _price_buffer(days: int, paths: int) -> np.ndarray:
    """Room for prices stored day by day: row 0 for today, rows 1.. for each day's log-return.

    Time-major storage keeps every day in one contiguous row, so drawing shocks, the running
    sum over days and exp all happen in this one array: 100,000 x 365 floats are 290 MB.
    """
    return np.empty((days + 1, paths))  # (days + 1, paths)


def _compound(s0: float, buffer: np.ndarray) -> np.ndarray:
    """Turn the log-returns in rows 1.. into prices s0 * exp(running sum), in place."""
    buffer[0] = 0.0
    np.cumsum(buffer, axis=0, out=buffer)  # log(S_t / s0), (days + 1, paths)
    np.exp(buffer, out=buffer)
    buffer *= s0
    return buffer.T  # (paths, days + 1): a transposed view, no copy


# --- input checks ----------------------------------------------------------------------------

def _check_common(s0: float, mu: float, sigma: float, days: int, paths: int,
                  rng: np.random.Generator, dt: float, sigma_name: str = "sigma") -> None:
    _check_number("s0", s0, "the starting price", above=0)
    _check_number("mu", mu, "a drift per year", minimum=-10, maximum=10)
    _check_number(sigma_name, sigma, "a volatility per year", minimum=0, maximum=10)
    _check_size(days, paths)
    _check_number("dt", dt, "one step in years", above=0, maximum=1)
    ensure_generator(rng, error=InvalidPathParameter)


def _check_number(name: str, value: object, meaning: str, **bounds: float) -> float:
    return ensure_number(value, name, meaning=meaning, error=InvalidPathParameter, **bounds)


def _check_size(days: int, paths: int, assets: int = 1) -> None:
    """Days and paths as whole numbers whose price array fits in memory."""
    days = ensure_int(days, "days", minimum=1, maximum=MAX_DAYS, meaning="steps",
                      error=InvalidPathParameter)
    ensure_int(paths, "paths", minimum=1, maximum=max(1, MAX_PRICES // ((days + 1) * assets)),
               meaning=f"assets * paths * (days + 1) may be at most {MAX_PRICES:,}",
               error=InvalidPathParameter)
