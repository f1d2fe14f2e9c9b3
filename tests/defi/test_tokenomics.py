"""Supply, vesting, yield and concentration, against hand-computed values and Bitcoin's facts."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course.defi.tokenomics import (
    BITCOIN,
    SATOSHIS_PER_BTC,
    InvalidTokenomics,
    bitcoin_supply,
    emission_schedule,
    gini,
    inflation_rate,
    lorenz_curve,
    real_yield,
    staking_yield,
    unlocked_at,
    vesting_unlocks,
)

FINAL_BITCOIN_SUPPLY = 2_099_999_997_690_000  # satoshis: 20,999,999.9769 BTC


# --- Bitcoin -----------------------------------------------------------------------------------


def test_bitcoin_supply_ends_at_20_999_999_9769_btc():
    assert bitcoin_supply(10**9) == FINAL_BITCOIN_SUPPLY
    assert FINAL_BITCOIN_SUPPLY / SATOSHIS_PER_BTC == 20_999_999.9769


def test_the_last_satoshi_of_subsidy_is_created_by_block_6_929_999():
    assert bitcoin_supply(6_929_999) == FINAL_BITCOIN_SUPPLY
    assert bitcoin_supply(6_929_998) == FINAL_BITCOIN_SUPPLY - 1  # the subsidy is 1 satoshi


def test_bitcoin_supply_by_hand_at_the_first_halvings():
    assert bitcoin_supply(0) == 50 * SATOSHIS_PER_BTC  # the genesis block
    assert bitcoin_supply(209_999) == 10_500_000 * SATOSHIS_PER_BTC  # 210,000 blocks x 50 BTC
    assert bitcoin_supply(210_000) == (10_500_000 + 25) * SATOSHIS_PER_BTC
    assert bitcoin_supply(419_999) == 15_750_000 * SATOSHIS_PER_BTC
    assert bitcoin_supply(839_999) == 19_687_500 * SATOSHIS_PER_BTC  # before the 2024 halving


def test_bitcoin_supply_is_the_running_sum_of_the_block_subsidies():
    heights = np.arange(500_000)
    subsidies = BITCOIN.initial_reward >> (heights // BITCOIN.halving_interval)  # (500000,)
    running = np.cumsum(subsidies)
    for height in [0, 1, 209_999, 210_000, 210_001, 420_000, 499_999]:
        assert bitcoin_supply(height) == running[height]
    assert sum(210_000 * (BITCOIN.initial_reward >> era) for era in range(33)) == (
        FINAL_BITCOIN_SUPPLY)


@pytest.mark.parametrize("height", [-1, 1.5, True, "10"])
def test_bitcoin_supply_rejects_a_height_that_is_not_a_block_number(height):
    with pytest.raises(InvalidTokenomics, match="height must be an integer >= 0"):
        bitcoin_supply(height)


# --- inflationary tokens -----------------------------------------------------------------------


def test_constant_inflation_compounds():
    assert emission_schedule(1_000, 0.10, 3) == pytest.approx([1_000, 1_100, 1_210, 1_331])


def test_disinflation_shrinks_the_rate_down_to_its_floor():
    rates = [inflation_rate(year, 0.10, disinflation=0.5, floor=0.02) for year in range(4)]
    assert rates == pytest.approx([0.10, 0.05, 0.025, 0.02])
    supply = emission_schedule(1_000, 0.10, 4, disinflation=0.5, floor=0.02)
    assert supply == pytest.approx([1_000, 1_100, 1_155, 1_183.875, 1_207.5525])


def test_solanas_schedule_reaches_its_floor_in_year_11():
    rates = [inflation_rate(year, 0.08, 0.15, 0.015) for year in range(12)]
    assert rates[1] == pytest.approx(0.068)
    assert rates[10] == pytest.approx(0.08 * 0.85**10) and rates[10] > 0.015
    assert rates[11] == 0.015


@pytest.mark.parametrize("call, message", [
    (lambda: emission_schedule(0, 0.05, 3), r"initial_supply .* in \(0, 1e\+30\], got 0"),
    (lambda: emission_schedule(100, -0.05, 3), r"initial_rate .* in \[0, 10\], got -0.05"),
    (lambda: emission_schedule(100, 0.05, -1), r"years must be an integer in \[0, 1000\]"),
    (lambda: inflation_rate(0, 0.05, disinflation=1.0), r"disinflation .* in \[0, 1\)"),
])
def test_emission_rejects_meaningless_parameters(call, message):
    with pytest.raises(InvalidTokenomics, match=message):
        call()


# --- vesting -----------------------------------------------------------------------------------


def test_a_cliff_releases_the_months_it_covered_at_once_then_linear():
    assert vesting_unlocks(1_200, 3, 12, 4) == [0, 0, 0, 300, 400]
    unlocks = vesting_unlocks(4_800, 12, 48)
    assert unlocks[11] == 0 and unlocks[12] == 1_200 and unlocks[13] == 1_300
    assert unlocks[-1] == 4_800 and len(unlocks) == 49


def test_nothing_vests_past_the_end_and_no_cliff_means_linear_from_the_start():
    assert unlocked_at(100, 1_000, 6, 24) == 1_000
    assert vesting_unlocks(1_000, 0, 4) == [0, 250, 500, 750, 1_000]


def test_unlocks_round_down_like_a_contract():
    assert vesting_unlocks(10, 0, 3) == [0, 3, 6, 10]


@given(st.integers(0, 10**27), st.integers(1, 120), st.data())
def test_unlocks_never_decrease_and_never_exceed_the_grant(total, vesting, data):
    cliff = data.draw(st.integers(0, vesting))
    unlocks = vesting_unlocks(total, cliff, vesting, vesting + 3)
    assert all(a <= b for a, b in itertools.pairwise(unlocks))
    assert unlocks[-1] == total and max(unlocks) == total


@pytest.mark.parametrize("args, message", [
    ((3, 1_000, 13, 12), r"cliff_months .* must be at most vesting_months \(12\), got 13"),
    ((3, 1_000, 0, 0), r"vesting_months must be an integer in \[1, 1200\]"),
    ((-1, 1_000, 0, 12), "month must be an integer >= 0"),
    ((3, 10.5, 0, 12), "total must be an integer >= 0"),
])
def test_vesting_rejects_meaningless_parameters(args, message):
    with pytest.raises(InvalidTokenomics, match=message):
        unlocked_at(*args)


# --- yield -------------------------------------------------------------------------------------


def test_real_yield_divides_out_inflation():
    assert real_yield(0.10, 0.08) == pytest.approx(0.02 / 1.08)  # 1.85%, not 2%
    assert real_yield(1.00, 0.50) == pytest.approx(1 / 3)  # 33%, not 50%
    assert real_yield(0.05, 0.05) == 0.0
    assert real_yield(0.0, 0.25) == pytest.approx(-0.2)  # not staking: diluted by 1/1.25
    assert real_yield(0.03, -0.02) == pytest.approx(1.03 / 0.98 - 1)  # a shrinking supply


def test_stakers_share_the_new_tokens():
    assert staking_yield(0.05, 0.5) == pytest.approx(0.10)
    assert staking_yield(0.05, 1.0) == pytest.approx(0.05)
    assert real_yield(staking_yield(0.05, 1.0), 0.05) == pytest.approx(0.0)  # all stake: no gain


@pytest.mark.parametrize("call, message", [
    (lambda: real_yield(0.05, -1.0), r"inflation .* in \(-1, 10\], got -1.0"),
    (lambda: real_yield(float("nan"), 0.02), r"nominal .* in \(-1, 10\], got nan"),
    (lambda: staking_yield(0.05, 0), r"staked_fraction .* must be a finite number in \(0, 1\]"),
])
def test_yields_reject_meaningless_rates(call, message):
    with pytest.raises(InvalidTokenomics, match=message):
        call()


# --- concentration -----------------------------------------------------------------------------


def test_gini_by_hand():
    assert gini([5, 5, 5, 5]) == 0.0
    assert gini([0, 0, 0, 7]) == pytest.approx(0.75)  # one of four holds everything: (n-1)/n
    assert gini([1, 2, 3, 4]) == pytest.approx(0.25)  # 20 / (2 * 4**2 * 2.5)
    assert gini([4, 1, 3, 2]) == pytest.approx(0.25)  # order does not matter
    assert gini([42]) == 0.0


@given(st.lists(st.floats(0, 1e9), min_size=1, max_size=40).filter(lambda xs: sum(xs) > 0))
def test_gini_equals_the_mean_absolute_difference_over_twice_the_mean(balances):
    x = np.array(balances)
    expected = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    assert gini(balances) == pytest.approx(expected, abs=1e-9)
    assert 0 <= gini(balances) <= 1


def test_gini_is_twice_the_area_between_the_lorenz_curve_and_the_diagonal():
    balances = np.random.default_rng(7).pareto(1.5, 500)
    holders, tokens = lorenz_curve(balances)
    assert (holders[0], tokens[0], holders[-1], tokens[-1]) == (0, 0, 1, pytest.approx(1))
    area_under = np.sum((tokens[1:] + tokens[:-1]) / 2 * np.diff(holders))
    assert gini(balances) == pytest.approx(2 * (0.5 - area_under))


@pytest.mark.parametrize("balances, message", [
    ([], "non-empty"), ([0, 0], "positive, finite total"), ([1, -2], "finite numbers >= 0"),
    ([1, float("inf")], "finite numbers >= 0"),
])
def test_gini_rejects_balances_that_are_not_holdings(balances, message):
    with pytest.raises(InvalidTokenomics, match=message):
        gini(balances)
