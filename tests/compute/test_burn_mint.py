"""Burn-and-mint equilibrium: emissions against Helium's HIP 20 table, the equilibrium price,
supply conservation, demand scenarios, provider economics by hand, and bad input."""

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.compute.burn_mint import (
    BurnMintRun,
    boom_and_bust_demand,
    break_even_price,
    constant_demand,
    electricity_cost_usd,
    emission_cap,
    emissions_per_epoch,
    equilibrium_price,
    growing_demand,
    profitable_share,
    random_demand,
    simulate_burn_and_mint,
    token_price,
    tokens_burned,
)
from course.compute.errors import BurnMintError
from course.errors import ComputeError

positive = st.floats(min_value=1e-3, max_value=1e9, allow_nan=False, allow_infinity=False)
velocities = st.floats(min_value=0.01, max_value=0.5)

# --- emissions -----------------------------------------------------------------------------------


def test_constant_emissions_mint_the_same_every_epoch():
    assert emissions_per_epoch(100.0, 4).tolist() == [100.0] * 4


def test_a_halving_schedule_halves_every_halving_every_epochs():
    assert emissions_per_epoch(80, 7, halving_every=2).tolist() == [80, 80, 40, 40, 20, 20, 10]


def test_hip_20_halvings_match_its_table_of_hnt_at_the_start_of_each_year():
    """HIP 20: 5M HNT a month, halved every 2 years; its table lists 120M HNT at the start of
    year 3, 180M at year 5, 210M at year 7, 239,648,438 at year 20, and a 240M theoretical max."""
    monthly = emissions_per_epoch(5_000_000, 50 * 12, halving_every=24)
    minted_by_start_of_year = np.concatenate([[0.0], np.cumsum(monthly)])[::12]  # (51,)
    assert minted_by_start_of_year[[2, 4, 6]].tolist() == [120e6, 180e6, 210e6]
    assert round(minted_by_start_of_year[19]) == 239_648_438
    assert emission_cap(5_000_000, 24) == 240_000_000
    assert monthly.sum() < emission_cap(5_000_000, 24)


@given(first=positive, halving_every=st.integers(1, 50), halvings=st.integers(1, 30))
def test_a_halving_schedule_sums_to_the_geometric_series(first, halving_every, halvings):
    schedule = emissions_per_epoch(first, halving_every * halvings, halving_every=halving_every)
    cap = emission_cap(first, halving_every)
    assert schedule.sum() == pytest.approx(cap * (1 - 0.5**halvings), rel=1e-12)
    assert schedule.sum() <= cap


# --- demand scenarios ----------------------------------------------------------------------------


def test_constant_and_growing_demand_by_hand():
    assert constant_demand(50.0, 3).tolist() == [50.0, 50.0, 50.0]
    assert growing_demand(1_000, 0.10, 4) == pytest.approx([1_000, 1_100, 1_210, 1_331])
    assert growing_demand(1_000, -0.5, 3) == pytest.approx([1_000, 500, 250])


def test_boom_and_bust_rises_to_the_peak_then_falls_to_the_bust():
    demand = boom_and_bust_demand(100, 1_600, 9, peak_epoch=4, bust_usd=25)
    rise = [100, 200, 400, 800, 1_600]  # x2 per epoch
    fall = [1_600 * (25 / 1_600) ** (k / 4) for k in (1, 2, 3, 4)]  # /2.83 per epoch to 25
    assert demand == pytest.approx(rise + fall)
    assert demand.argmax() == 4 and demand[-1] == pytest.approx(25)
    assert boom_and_bust_demand(100, 400, 5, peak_epoch=2)[-1] == pytest.approx(100)


def test_random_demand_is_the_same_for_the_same_seed_and_differs_for_another():
    first = random_demand(1_000, 200, 0.05, seed=7)
    assert np.array_equal(first, random_demand(1_000, 200, 0.05, seed=7))
    assert np.array_equal(first, random_demand(1_000, 200, 0.05, np.random.default_rng(7)))
    assert not np.array_equal(first, random_demand(1_000, 200, 0.05, seed=8))
    assert first[0] == 1_000 and np.all(first > 0)
    assert np.all(random_demand(1_000, 5, 0.0, seed=1) == 1_000)


# --- burn, mint and the equilibrium --------------------------------------------------------------


def test_tokens_burned_and_the_equilibrium_price_by_hand():
    assert tokens_burned(50_000, 2.5) == 20_000
    assert tokens_burned(0, 3.0) == 0
    assert equilibrium_price(50_000, 100_000) == 0.5
    # at the equilibrium price, users burn exactly what is minted
    assert tokens_burned(50_000, equilibrium_price(50_000, 100_000)) == 100_000


def test_token_price_is_the_equation_of_exchange():
    assert token_price(50_000, 1_000_000, velocity=0.05) == 1.0  # $1M held for work / 1M tokens
    assert token_price(50_000, 1_000_000, velocity=0.05, speculative_usd=1e6) == 2.0


@pytest.mark.parametrize("initial_supply", [100_000.0, 2_000_000.0, 30_000_000.0])
@pytest.mark.parametrize("speculative_usd", [0.0, 2_000_000.0])
def test_constant_demand_converges_to_burn_equals_mint_at_demand_over_emission(
        initial_supply, speculative_usd):
    run = simulate_burn_and_mint(constant_demand(50_000, 2_000), 100_000, initial_supply,
                                 velocity=0.05, speculative_usd=speculative_usd)
    assert run.burned[-1] == pytest.approx(run.minted[-1], rel=1e-9)
    assert run.price[-1] == pytest.approx(equilibrium_price(50_000, 100_000), rel=1e-9)
    assert run.provider_income_usd[-1] == pytest.approx(50_000, rel=1e-9)  # providers earn
    # what users pay; the supply settles at emission / velocity + speculation's share
    assert run.supply[-1] == pytest.approx(100_000 / 0.05 + speculative_usd / 0.5, rel=1e-9)


def test_starting_at_the_equilibrium_supply_nothing_moves():
    run = simulate_burn_and_mint(constant_demand(50_000, 50), 100_000, 2_000_000, velocity=0.05)
    assert np.allclose(run.supply, 2_000_000) and np.allclose(run.price, 0.5)


def test_a_halving_doubles_the_equilibrium_price():
    minted = emissions_per_epoch(100_000, 3_000, halving_every=1_500)
    run = simulate_burn_and_mint(constant_demand(50_000, 3_000), minted, 2e6, velocity=0.05)
    assert run.price[1_499] == pytest.approx(0.5) and run.price[-1] == pytest.approx(1.0)
    assert np.all(run.burned[1_500:] >= run.minted[1_500:])  # supply shrinks after the halving


@settings(max_examples=60, deadline=None)
@given(demand=st.lists(positive, min_size=1, max_size=40), emission=st.floats(0, 1e7),
       initial_supply=positive, velocity=velocities, speculative=st.floats(0, 1e8))
def test_supply_is_conserved_exactly_and_burns_are_demand_over_price(
        demand, emission, initial_supply, velocity, speculative):
    run = simulate_burn_and_mint(np.array(demand), emission, initial_supply, velocity,
                                 speculative)
    assert np.array_equal(run.supply[1:], run.supply[:-1] + run.minted - run.burned)
    assert np.allclose(run.burned, run.demand_usd / run.price, rtol=1e-12)
    assert np.all(run.supply > 0) and np.all(run.price > 0)
    assert np.all(run.burned <= velocity * run.supply[:-1] * (1 + 1e-12))


@settings(max_examples=60, deadline=None)
@given(demand=positive, emission=positive)
def test_at_the_equilibrium_price_burn_equals_mint(demand, emission):
    assert tokens_burned(demand, equilibrium_price(demand, emission)) == pytest.approx(emission)


def test_a_run_is_frozen_and_its_arrays_are_read_only():
    run = simulate_burn_and_mint(constant_demand(10.0, 3), 5.0, 100.0, velocity=0.1)
    assert isinstance(run, BurnMintRun) and run.supply.shape == (4,)
    with pytest.raises(ValueError, match="read-only"):
        run.price[0] = 0.0
    with pytest.raises(AttributeError):
        run.price = np.zeros(3)


def test_the_simulation_does_not_change_its_inputs():
    demand, minted = np.array([10.0, 20.0, 30.0]), np.array([5.0, 5.0, 5.0])
    simulate_burn_and_mint(demand, minted, 100.0, velocity=0.1)
    assert demand.tolist() == [10.0, 20.0, 30.0] and minted.tolist() == [5.0] * 3
    assert demand.flags.writeable


# --- provider economics --------------------------------------------------------------------------


def test_electricity_cost_by_hand():
    assert electricity_cost_usd(350, 24, 0.15) == pytest.approx(1.26)  # 8.4 kWh
    assert electricity_cost_usd(1_000, 1, 0.10) == pytest.approx(0.10)  # 1 kWh
    assert electricity_cost_usd(700, 24 * 30, 0.30) == pytest.approx(151.2)  # 504 kWh
    assert electricity_cost_usd(0, 24, 0.30) == 0
    costs = electricity_cost_usd(np.array([100, 200]), 10, np.array([0.1, 0.2]))
    assert costs == pytest.approx([0.1, 0.4])


def test_break_even_price_by_hand():
    assert break_even_price(350, 24, 0.15, tokens_earned=5) == pytest.approx(0.252)
    assert break_even_price(np.array([350, 700]), 24, 0.15, 5) == pytest.approx([0.252, 0.504])


def test_profitable_share_counts_providers_whose_income_covers_their_cost():
    costs = np.array([0.5, 1.0, 1.5, 2.5])
    assert profitable_share(1.0, costs) == 0.5  # income == cost counts as covered
    assert profitable_share(np.array([0.1, 2.0, 9.0]), costs).tolist() == [0.0, 0.75, 1.0]


@given(income=st.floats(0, 100), costs=st.lists(st.floats(0, 100), min_size=1, max_size=50))
def test_profitable_share_is_a_fraction_that_grows_with_income(income, costs):
    share = profitable_share(income, np.array(costs))
    assert 0 <= share <= 1
    assert profitable_share(income + 1, np.array(costs)) >= share


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize("call, message", [
    (lambda: tokens_burned(-1, 2.0), "demand_usd must be a finite number >= 0"),
    (lambda: tokens_burned(10, 0), "price must be a finite number > 0"),
    (lambda: tokens_burned(10, -2.0), "price must be"),
    (lambda: tokens_burned("10", 2.0), "demand_usd must be a finite number >= 0, got '10'"),
    (lambda: tokens_burned(10, math.nan), "price must be a finite number"),
    (lambda: equilibrium_price(10, 0), "emission_per_epoch must be"),
    (lambda: emissions_per_epoch(10, 0), "epochs must be an integer in [1, 100000], got 0"),
    (lambda: emissions_per_epoch(10, 2.5), "epochs must be an integer in [1, 100000], got 2.5"),
    (lambda: emissions_per_epoch(10, True), "epochs must be an integer in [1, 100000], got True"),
    (lambda: emissions_per_epoch(10, 10**30), "epochs must be an integer in [1, 100000]"),
    (lambda: emissions_per_epoch(-10, 5), "initial_per_epoch must be"),
    (lambda: emissions_per_epoch(10, 5, 0), "halving_every must be"),
    (lambda: growing_demand(100, -1, 5), "growth_per_epoch must be"),
    (lambda: constant_demand(0, 5), "usd_per_epoch must be"),
    (lambda: boom_and_bust_demand(1, 2, 10, peak_epoch=9), "peak_epoch"),
    (lambda: random_demand(1, 10, -0.1, seed=1), "volatility must be"),
    (lambda: random_demand(1, 10, 0.1, seed=-1), "seed must be"),
    (lambda: token_price(10, 0, 0.1), "supply must be a finite number > 0"),
    (lambda: token_price(10, 5, 1.0), "must be < 1, got 1.0"),
    (lambda: token_price(10, 5, 0), "velocity must be"),
    (lambda: electricity_cost_usd(-350, 24, 0.15), "power_watts must be"),
    (lambda: electricity_cost_usd(350, "24", 0.15), "hours must be numbers"),
    (lambda: electricity_cost_usd([350, -1], 24, 0.15), "power_watts must be a non-empty list "
     "of finite numbers >= 0, got [350, -1]"),
    (lambda: break_even_price(350, 24, 0.15, 0), "tokens_earned must be"),
    (lambda: profitable_share(1.0, []), "costs_usd must be a non-empty"),
])
def test_bad_input_names_the_parameter_and_the_rule(call, message):
    with pytest.raises(BurnMintError, match=re.escape(message)):
        call()


@pytest.mark.parametrize("kwargs, message", [
    ({"demand_usd": np.array([10.0, -1.0])}, "demand_usd must be a non-empty list of finite "
     "numbers > 0"),
    ({"demand_usd": np.array([10.0, 0.0])}, "demand_usd must be a non-empty list of finite "
     "numbers > 0"),
    ({"demand_usd": np.array([])}, "demand_usd must be a non-empty list"),
    ({"demand_usd": ["10", "20"]}, "demand_usd must be numbers"),
    ({"emissions": np.array([1.0, 2.0])}, "emissions must be one number or one per epoch"),
    ({"emissions": -5.0}, "emissions must be a finite number >= 0"),
    ({"initial_supply": 0.0}, "initial_supply must be a finite number > 0"),
    ({"velocity": 1.5}, "must be < 1"),
    ({"speculative_usd": -1.0}, "speculative_usd must be"),
])
def test_a_bad_simulation_parameter_is_named(kwargs, message):
    arguments = {"demand_usd": np.array([10.0, 20.0, 30.0]), "emissions": 5.0,
                 "initial_supply": 100.0, "velocity": 0.1} | kwargs
    with pytest.raises(BurnMintError, match=re.escape(message)):
        simulate_burn_and_mint(**arguments)


def test_a_burn_mint_error_is_a_compute_error_and_a_value_error():
    assert issubclass(BurnMintError, ComputeError) and issubclass(BurnMintError, ValueError)
