"""Attack models checked against their primary sources.

- Bitcoin whitepaper (Nakamoto 2008), §11 "Calculations": the two printed tables.
- Eyal & Sirer (2014), "Majority is not Enough": R_pool and the profitability threshold.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course.chain.attacks import (
    InvalidParameter,
    MajorityAttacker,
    attacker_success_probability,
    confirmations_needed,
    double_spend_race,
    selfish_mining_revenue,
    selfish_mining_threshold,
    simulate_selfish_mining,
)

# Bitcoin whitepaper §11, as printed (7 decimals).
WHITEPAPER_Q_010 = {
    0: 1.0000000, 1: 0.2045873, 2: 0.0509779, 3: 0.0131722, 4: 0.0034552, 5: 0.0009137,
    6: 0.0002428, 7: 0.0000647, 8: 0.0000173, 9: 0.0000046, 10: 0.0000012,
}
WHITEPAPER_Q_030 = {
    0: 1.0000000, 5: 0.1773523, 10: 0.0416605, 15: 0.0101008, 20: 0.0024804, 25: 0.0006132,
    30: 0.0001522, 35: 0.0000379, 40: 0.0000095, 45: 0.0000024, 50: 0.0000006,
}
# "Solving for P less than 0.1%..."
WHITEPAPER_CONFIRMATIONS_FOR_RISK_BELOW_0_1_PERCENT = {
    0.10: 5, 0.15: 8, 0.20: 11, 0.25: 15, 0.30: 24, 0.35: 41, 0.40: 89, 0.45: 340,
}


def rosenfeld_exact_risk(q: float, z: int) -> float:
    """Rosenfeld (2014) eq. for the exact race (honest block times random too), for comparison."""
    p = 1 - q
    return 1 - sum(math.comb(m + z - 1, m) * (p**z * q**m - q**z * p**m) for m in range(z + 1))


# --- double spending: closed form -------------------------------------------------------------


@pytest.mark.parametrize("z, printed", WHITEPAPER_Q_010.items())
def test_attacker_success_matches_the_whitepaper_table_for_q_0_1(z, printed):
    assert round(attacker_success_probability(0.1, z), 7) == printed


@pytest.mark.parametrize("z, printed", WHITEPAPER_Q_030.items())
def test_attacker_success_matches_the_whitepaper_table_for_q_0_3(z, printed):
    assert round(attacker_success_probability(0.3, z), 7) == printed


@pytest.mark.parametrize("q", [0.5, 0.6, 0.99])
def test_an_attacker_with_half_the_hash_power_or_more_always_succeeds(q):
    assert attacker_success_probability(q, 100) == 1.0


def test_an_attacker_without_hash_power_succeeds_only_with_zero_confirmations():
    assert attacker_success_probability(0.0, 0) == 1.0
    assert attacker_success_probability(0.0, 1) == 0.0


def test_tiny_risks_stay_positive_and_finite_for_long_waits():
    risk = attacker_success_probability(0.01, 200)
    assert 0.0 < risk < 1e-100
    assert 0.0 < attacker_success_probability(0.45, 2000) < 1e-10


@pytest.mark.parametrize("q, z", WHITEPAPER_CONFIRMATIONS_FOR_RISK_BELOW_0_1_PERCENT.items())
def test_confirmations_needed_matches_the_whitepaper_table(q, z):
    assert confirmations_needed(q, 0.001) == z


def test_confirmations_needed_is_the_first_wait_below_the_risk():
    z = confirmations_needed(0.2, 0.001)
    assert attacker_success_probability(0.2, z) < 0.001 <= attacker_success_probability(0.2, z - 1)


@given(
    q=st.floats(min_value=0.0, max_value=0.49),
    z=st.integers(min_value=0, max_value=60),
)
def test_waiting_one_more_block_never_raises_the_risk(q, z):
    assert attacker_success_probability(q, z + 1) <= attacker_success_probability(q, z)


@given(
    q1=st.floats(min_value=0.0, max_value=0.49),
    q2=st.floats(min_value=0.0, max_value=0.49),
    z=st.integers(min_value=0, max_value=60),
)
def test_a_stronger_attacker_never_has_a_smaller_chance(q1, q2, z):
    weaker, stronger = sorted((q1, q2))
    # 1e-12 relative slack: q values one float apart may differ only by rounding.
    assert attacker_success_probability(weaker, z) <= attacker_success_probability(
        stronger, z
    ) * (1 + 1e-12)


# --- double spending: Monte Carlo race --------------------------------------------------------


@pytest.mark.parametrize("q, z", [(0.1, 2), (0.3, 5), (0.25, 3)])
def test_the_simulated_race_agrees_with_the_whitepaper_within_4_standard_errors(q, z):
    trials = 200_000
    estimate = double_spend_race(q, z, trials, np.random.default_rng(2008))
    exact = attacker_success_probability(q, z)
    standard_error = math.sqrt(exact * (1 - exact) / trials)
    assert abs(estimate - exact) < 4 * standard_error


def test_the_exact_race_is_riskier_than_the_whitepaper_approximation_and_matches_rosenfeld():
    q, z, trials = 0.3, 5, 200_000
    estimate = double_spend_race(
        q, z, trials, np.random.default_rng(2014), attacker_progress="negative_binomial"
    )
    exact = rosenfeld_exact_risk(q, z)  # 0.1976 against the whitepaper's 0.1774
    standard_error = math.sqrt(exact * (1 - exact) / trials)
    assert abs(estimate - exact) < 4 * standard_error
    assert estimate > attacker_success_probability(q, z) + 10 * standard_error


def test_the_same_seed_gives_the_same_race():
    first = double_spend_race(0.2, 3, 10_000, np.random.default_rng(7))
    again = double_spend_race(0.2, 3, 10_000, np.random.default_rng(7))
    assert first == again


def test_with_zero_confirmations_the_attacker_always_wins_the_race():
    rng = np.random.default_rng(0)
    assert double_spend_race(0.1, 0, 1000, rng) == 1.0
    assert double_spend_race(0.1, 0, 1000, rng, attacker_progress="negative_binomial") == 1.0


# --- selfish mining ---------------------------------------------------------------------------


@pytest.mark.parametrize("gamma, threshold", [(0.0, 1 / 3), (0.5, 1 / 4), (1.0, 0.0)])
def test_the_threshold_is_one_third_without_help_and_falls_with_gamma(gamma, threshold):
    assert selfish_mining_threshold(gamma) == pytest.approx(threshold)


@pytest.mark.parametrize("gamma, alpha", [(0.0, 1 / 3), (0.5, 1 / 4)])
def test_revenue_equals_the_fair_share_exactly_at_the_threshold(gamma, alpha):
    assert selfish_mining_revenue(alpha, gamma) == pytest.approx(alpha, abs=1e-12)


@pytest.mark.parametrize("gamma", [0.0, 0.25, 0.5, 0.75])
def test_selfish_mining_pays_above_the_threshold_and_loses_below_it(gamma):
    threshold = selfish_mining_threshold(gamma)
    below, above = threshold - 0.02, threshold + 0.02
    assert selfish_mining_revenue(below, gamma) < below
    assert selfish_mining_revenue(above, gamma) > above


@pytest.mark.parametrize("alpha", [0.01, 0.1, 0.2, 0.3, 0.49])
def test_when_every_honest_miner_helps_in_a_tie_any_pool_profits(alpha):
    assert selfish_mining_revenue(alpha, 1.0) > alpha


def test_a_pool_without_hash_power_earns_nothing():
    assert selfish_mining_revenue(0.0, 0.5) == 0.0


@pytest.mark.parametrize("alpha", [0.2, 0.3, 0.4])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0])
def test_the_simulated_pool_share_agrees_with_eyal_and_sirer(alpha, gamma):
    simulated = simulate_selfish_mining(alpha, gamma, 200_000, np.random.default_rng(2014))
    # About 4 standard errors for 200,000 blocks (the spread measured over many seeds).
    assert simulated == pytest.approx(selfish_mining_revenue(alpha, gamma), abs=0.01)


def test_a_pool_without_hash_power_gets_no_blocks_in_the_simulation():
    assert simulate_selfish_mining(0.0, 0.5, 1000, np.random.default_rng(1)) == 0.0


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("q", [1.0, 1.2, -0.1, float("nan"), True, "0.1"])
def test_attacker_share_outside_0_to_1_is_rejected_naming_q(q):
    with pytest.raises(InvalidParameter, match=r"q \(the attacker's share.*\[0, 1\)"):
        attacker_success_probability(q, 3)


@pytest.mark.parametrize("z", [-1, 2.5, True, "3"])
def test_confirmations_that_are_not_an_integer_are_rejected_naming_z(z):
    with pytest.raises(InvalidParameter, match=r"z \(blocks the merchant waits for\)"):
        attacker_success_probability(0.1, z)


@pytest.mark.parametrize("q", [0.5, 0.7])
def test_no_wait_is_long_enough_against_a_majority_attacker(q):
    with pytest.raises(MajorityAttacker, match=r"q .* no number of confirmations is safe"):
        confirmations_needed(q, 0.001)


@pytest.mark.parametrize("q", [1.2, -0.1])
def test_confirmations_needed_rejects_a_share_outside_0_to_1_naming_q(q):
    with pytest.raises(InvalidParameter, match=r"q \(the attacker's share"):
        confirmations_needed(q, 0.001)


@pytest.mark.parametrize("max_risk", [0.0, -0.01, 1.5])
def test_confirmations_needed_rejects_a_risk_outside_0_to_1_naming_max_risk(max_risk):
    with pytest.raises(InvalidParameter, match=r"max_risk .* \(0, 1\]"):
        confirmations_needed(0.1, max_risk)


@pytest.mark.parametrize(
    "kwargs, named",
    [
        ({"q": 1.2}, "q"),
        ({"z": -1}, "z"),
        ({"trials": 0}, "trials"),
        ({"rng": 42}, "rng"),
        ({"attacker_progress": "binomial"}, "attacker_progress"),
    ],
)
def test_the_race_rejects_bad_input_naming_the_parameter(kwargs, named):
    arguments = {"q": 0.1, "z": 2, "trials": 100, "rng": np.random.default_rng(0)} | kwargs
    with pytest.raises(InvalidParameter, match=rf"^{named}\b"):
        double_spend_race(**arguments)


@pytest.mark.parametrize("alpha", [0.6, 0.5, -0.1])
def test_selfish_mining_rejects_a_pool_share_outside_0_to_one_half_naming_alpha(alpha):
    with pytest.raises(InvalidParameter, match=r"alpha .*\[0, 0\.5\)"):
        selfish_mining_revenue(alpha, 0.5)
    with pytest.raises(InvalidParameter, match=r"alpha .*\[0, 0\.5\)"):
        simulate_selfish_mining(alpha, 0.5, 100, np.random.default_rng(0))


@pytest.mark.parametrize("gamma", [2, -0.5, 1.01])
def test_selfish_mining_rejects_a_tie_share_outside_0_to_1_naming_gamma(gamma):
    with pytest.raises(InvalidParameter, match=r"gamma .*\[0, 1\]"):
        selfish_mining_revenue(0.3, gamma)
    with pytest.raises(InvalidParameter, match=r"gamma .*\[0, 1\]"):
        selfish_mining_threshold(gamma)


@pytest.mark.parametrize(
    "blocks, rng, named", [(0, np.random.default_rng(0), "blocks"), (100, 7, "rng")]
)
def test_the_selfish_mining_simulation_rejects_bad_input_naming_the_parameter(blocks, rng, named):
    with pytest.raises(InvalidParameter, match=rf"^{named}\b"):
        simulate_selfish_mining(0.3, 0.5, blocks, rng)


def test_bad_input_errors_are_value_errors_so_generic_handlers_still_catch_them():
    with pytest.raises(ValueError):
        attacker_success_probability(0.1, -1)


# --- nakamoto_coefficient ---------------------------------------------------------------------


@pytest.mark.parametrize("shares, expected", [
    ([0.6, 0.4], 1), ([0.5, 0.5], 2), ([0.3, 0.25, 0.2, 0.15, 0.1], 2), ([0.1] * 10, 6),
    ([1] * 10, 6),
    ({"pool a": 30, "pool b": 20, "pool c": 50}, 2), ([0.25] * 4, 3),
])
def test_nakamoto_coefficient_counts_the_fewest_entities_above_half(shares, expected):
    from course.chain.attacks import nakamoto_coefficient

    assert nakamoto_coefficient(shares) == expected


@pytest.mark.parametrize("shares", [[], [0, 0], [0.5, -0.1], ["a"]])
def test_nakamoto_coefficient_rejects_meaningless_shares(shares):
    from course.chain.attacks import InvalidParameter, nakamoto_coefficient

    with pytest.raises(InvalidParameter, match="shares"):
        nakamoto_coefficient(shares)
