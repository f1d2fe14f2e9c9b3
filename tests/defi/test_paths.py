"""Price-path simulators: reproducible, and with the statistics their formulas promise."""

import math
import random

import numpy as np
import pytest

from course.defi.paths import (
    InvalidPathParameter,
    correlated_gbm,
    gbm_paths,
    jump_diffusion_paths,
    markov_regimes,
    regime_switching_paths,
    student_t_paths,
)

DT = 1 / 365


def log_returns(prices: np.ndarray) -> np.ndarray:
    return np.diff(np.log(prices), axis=-1)


def kurtosis(values: np.ndarray) -> float:
    """Plain (not excess) kurtosis: 3 for a normal distribution, more for fat tails."""
    centred = values.ravel() - values.mean()
    return float(np.mean(centred**4) / np.mean(centred**2) ** 2)


SIMULATORS = {
    "gbm": lambda rng: gbm_paths(100.0, 0.1, 0.6, 30, 50, rng),
    "jump": lambda rng: jump_diffusion_paths(100.0, 0.1, 0.6, 30, 50, rng),
    "regime": lambda rng: regime_switching_paths(100.0, 0.1, 0.4, 1.2, 30, 50, rng),
    "student_t": lambda rng: student_t_paths(100.0, 0.1, 0.6, 30, 50, rng),
}


@pytest.mark.parametrize("name", SIMULATORS)
def test_the_same_seed_gives_identical_paths_and_another_seed_does_not(name):
    simulate = SIMULATORS[name]
    first = simulate(np.random.default_rng(7))
    assert first.shape == (50, 31)
    assert np.array_equal(first, simulate(np.random.default_rng(7)))
    assert not np.array_equal(first, simulate(np.random.default_rng(8)))


@pytest.mark.parametrize("name", SIMULATORS)
def test_every_path_starts_at_s0_and_stays_positive(name):
    prices = SIMULATORS[name](np.random.default_rng(1))
    assert np.all(prices[:, 0] == 100.0)
    assert np.all(prices > 0) and np.all(np.isfinite(prices))


def test_gbm_log_returns_have_the_textbook_mean_and_standard_deviation():
    mu, sigma, days, paths = 0.3, 0.8, 365, 2_000
    returns = log_returns(gbm_paths(1.0, mu, sigma, days, paths, np.random.default_rng(11)))
    standard_error = sigma * math.sqrt(DT) / math.sqrt(returns.size)
    assert abs(returns.mean() - (mu - sigma**2 / 2) * DT) < 4 * standard_error
    assert returns.std() == pytest.approx(sigma * math.sqrt(DT), rel=0.01)


@pytest.mark.parametrize("simulate", [
    lambda rng: gbm_paths(100.0, 0.2, 0.5, 365, 20_000, rng),
    lambda rng: jump_diffusion_paths(100.0, 0.2, 0.5, 365, 20_000, rng, jump_rate=8.0),
    lambda rng: regime_switching_paths(100.0, 0.2, 0.3, 0.9, 365, 20_000, rng),
], ids=["gbm", "jump", "regime"])
def test_the_average_final_price_grows_at_rate_mu(simulate):
    final = simulate(np.random.default_rng(3))[:, -1]  # one year of daily steps
    standard_error = final.std() / math.sqrt(final.size)
    assert abs(final.mean() - 100.0 * math.exp(0.2 * 1.0)) < 4 * standard_error


def test_jumps_make_fatter_tails_than_gbm_with_the_same_variance():
    sigma, jump_rate, jump_mean, jump_std = 0.4, 10.0, -0.03, 0.10
    matched_sigma = math.sqrt(sigma**2 + jump_rate * (jump_mean**2 + jump_std**2))
    jumps = log_returns(jump_diffusion_paths(100.0, 0.0, sigma, 365, 2_000,
                                             np.random.default_rng(5), jump_rate=jump_rate,
                                             jump_mean=jump_mean, jump_std=jump_std))
    smooth = log_returns(gbm_paths(100.0, 0.0, matched_sigma, 365, 2_000,
                                   np.random.default_rng(5)))
    assert jumps.std() == pytest.approx(smooth.std(), rel=0.03)
    assert kurtosis(smooth) == pytest.approx(3.0, abs=0.1)
    assert kurtosis(jumps) > kurtosis(smooth) + 2


def test_student_t_shocks_match_gbm_variance_with_fatter_tails():
    returns = log_returns(student_t_paths(100.0, 0.0, 0.6, 365, 2_000, np.random.default_rng(9),
                                          degrees_of_freedom=6.0))
    assert returns.std() == pytest.approx(0.6 * math.sqrt(DT), rel=0.02)
    assert kurtosis(returns) > 4.5  # a t with 6 degrees of freedom has kurtosis 6


def test_regimes_spend_the_stationary_share_of_days_stressed():
    stressed = markov_regimes(2_000, 1_000, np.random.default_rng(2), calm_to_stressed=0.05,
                              stressed_to_calm=0.20)
    assert stressed.shape == (1_000, 2_000) and stressed.dtype == bool
    assert stressed[:, 500:].mean() == pytest.approx(0.05 / (0.05 + 0.20), abs=0.01)


def test_regime_paths_are_wilder_in_the_stressed_regime():
    # Same seed: the regimes drawn inside regime_switching_paths are these ones.
    stressed = markov_regimes(365, 2_000, np.random.default_rng(4))
    prices = regime_switching_paths(100.0, 0.0, 0.3, 1.5, 365, 2_000, np.random.default_rng(4))
    returns = log_returns(prices)  # (paths, days)
    assert returns[stressed].std() == pytest.approx(1.5 * math.sqrt(DT), rel=0.03)
    assert returns[~stressed].std() == pytest.approx(0.3 * math.sqrt(DT), rel=0.03)


def test_correlated_paths_have_the_requested_correlation():
    correlation = [[1.0, 0.7, -0.3], [0.7, 1.0, 0.0], [-0.3, 0.0, 1.0]]
    prices = correlated_gbm([100.0, 10.0, 1.0], [0.1, 0.0, 0.2], [0.5, 0.9, 0.3], correlation,
                            365, 1_000, np.random.default_rng(6))
    assert prices.shape == (3, 1_000, 366)
    assert np.array_equal(prices[:, :, 0].mean(axis=1), [100.0, 10.0, 1.0])
    returns = log_returns(prices).reshape(3, -1)  # (assets, paths * days)
    assert np.allclose(np.corrcoef(returns), correlation, atol=0.01)
    assert np.allclose(returns.std(axis=1), np.array([0.5, 0.9, 0.3]) * math.sqrt(DT),
                       rtol=0.01)


@pytest.mark.parametrize("field, value", [
    ("s0", 0.0), ("s0", -5.0), ("s0", math.nan), ("mu", math.inf), ("sigma", -0.1),
    ("days", 0), ("days", 2.5), ("days", True), ("paths", 0), ("dt", 0.0),
])
def test_bad_inputs_are_rejected_naming_the_field(field, value):
    arguments = {"s0": 100.0, "mu": 0.0, "sigma": 0.5, "days": 10, "paths": 10,
                 "rng": np.random.default_rng(0), "dt": DT, field: value}
    with pytest.raises(InvalidPathParameter, match=field):
        gbm_paths(**arguments)


@pytest.mark.parametrize("rng", [42, random.Random(42), np.random.RandomState(42)])
def test_only_a_numpy_generator_is_accepted_as_randomness(rng):
    with pytest.raises(InvalidPathParameter, match="numpy.random.Generator"):
        gbm_paths(100.0, 0.0, 0.5, 10, 10, rng)


def test_model_specific_bad_inputs_are_rejected():
    rng = np.random.default_rng(0)
    with pytest.raises(InvalidPathParameter, match="jump_rate"):
        jump_diffusion_paths(100.0, 0.0, 0.5, 10, 10, rng, jump_rate=-1.0)
    with pytest.raises(InvalidPathParameter, match="jump_std"):
        jump_diffusion_paths(100.0, 0.0, 0.5, 10, 10, rng, jump_std=-0.1)
    with pytest.raises(InvalidPathParameter, match="calm_to_stressed"):
        regime_switching_paths(100.0, 0.0, 0.3, 1.0, 10, 10, rng, calm_to_stressed=1.5)
    with pytest.raises(InvalidPathParameter, match="sigma_stressed"):
        regime_switching_paths(100.0, 0.0, 0.3, -1.0, 10, 10, rng)
    with pytest.raises(InvalidPathParameter, match="degrees_of_freedom"):
        student_t_paths(100.0, 0.0, 0.5, 10, 10, rng, degrees_of_freedom=2.0)


@pytest.mark.parametrize("correlation, rule", [
    ([[1.0, 0.5], [0.4, 1.0]], "symmetric"),
    ([[2.0, 0.0], [0.0, 1.0]], "diagonal"),
    ([[1.0, 1.0], [1.0, 1.0]], "positive definite"),
    ([[1.0]], "one value per asset"),
])
def test_a_matrix_that_is_not_a_correlation_matrix_is_rejected(correlation, rule):
    with pytest.raises(InvalidPathParameter, match=rule):
        correlated_gbm([1.0, 1.0], [0.0, 0.0], [0.5, 0.5], correlation, 10, 10,
                       np.random.default_rng(0))
