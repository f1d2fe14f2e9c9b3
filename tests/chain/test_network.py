"""The network simulation: natural forks, stale blocks and attacks, checked against theory.

- Stale rate for small delays: the classic approximation 1 - exp(-latency / interval).
- Double spend: the exact race of Rosenfeld (2014), as computed by
  ``attacks.double_spend_race(..., attacker_progress="negative_binomial")``, which is riskier
  than the Bitcoin whitepaper's §11 Poisson approximation.
"""

import math
from collections import Counter
from dataclasses import FrozenInstanceError

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.chain.attacks import attacker_success_probability, double_spend_race
from course.chain.network import (
    InvalidNetwork,
    NoMajority,
    SimulationResult,
    double_spend_on_network,
    majority_attack,
    simulate_network,
    stale_rate_sweep,
)

TEN_EQUAL_MINERS = [0.1] * 10
INTERVAL = 600.0  # seconds, as in Bitcoin


def assert_main_chain_is_valid(result: SimulationResult) -> None:
    chain = [result.blocks[i] for i in result.main_chain]
    assert chain[0].id == 0 and chain[0].parent is None
    for parent, child in zip(chain, chain[1:], strict=False):
        assert child.parent == parent.id
        assert child.height == parent.height + 1
        assert child.found_at >= parent.found_at
    top = max(block.height for block in result.blocks)
    assert chain[-1].height == top
    tied_at_the_top = [block for block in result.blocks if block.height == top]
    assert chain[-1] == min(tied_at_the_top, key=lambda block: block.found_at)


# --- determinism --------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_blocks_forks_and_main_chain():
    first = simulate_network(TEN_EQUAL_MINERS, 30.0, INTERVAL, 2_000, seed=7)
    again = simulate_network(TEN_EQUAL_MINERS, 30.0, INTERVAL, 2_000, seed=7)
    other = simulate_network(TEN_EQUAL_MINERS, 30.0, INTERVAL, 2_000, seed=8)
    assert first == again
    assert first.fork_count > 0
    assert first.blocks != other.blocks


def test_a_numpy_generator_can_stand_in_for_the_seed():
    from_seed = simulate_network([0.5, 0.5], 1.0, INTERVAL, 100, seed=3)
    from_generator = simulate_network([0.5, 0.5], 1.0, INTERVAL, 100, np.random.default_rng(3))
    assert from_seed == from_generator


def test_simulated_blocks_are_frozen_records():
    block = simulate_network([1.0], 0.0, INTERVAL, 1, seed=0).blocks[1]
    with pytest.raises(FrozenInstanceError):
        block.height = 99


# --- natural forks and stale blocks --------------------------------------------------------------


def test_with_zero_latency_no_block_goes_stale_and_the_chain_never_forks():
    result = simulate_network(TEN_EQUAL_MINERS, 0.0, INTERVAL, 5_000, seed=1)
    assert result.stale_rate == 0.0
    assert result.fork_count == 0
    assert len(result.main_chain) == len(result.blocks) == 5_001


def test_blocks_found_within_the_propagation_delay_fork_the_chain():
    result = simulate_network(TEN_EQUAL_MINERS, 60.0, INTERVAL, 2_000, seed=2)
    stale_blocks = len(result.blocks) - len(result.main_chain)
    assert 0 < result.fork_count <= stale_blocks
    assert result.stale_rate == pytest.approx(stale_blocks / 2_000)


def test_the_stale_rate_grows_with_latency():
    sweep = stale_rate_sweep([0.0, 6.0, 30.0, 60.0, 120.0], INTERVAL, 10, 5_000, seed=3)
    ratios = [ratio for ratio, _ in sweep]
    stale_rates = [stale_rate for _, stale_rate in sweep]
    assert ratios == [0.0, 0.01, 0.05, 0.1, 0.2]
    assert stale_rates[0] == 0.0
    assert stale_rates == sorted(stale_rates)
    assert stale_rates[-1] > 5 * stale_rates[1]


@pytest.mark.parametrize("latency", [6.0, 12.0, 30.0])  # 1%, 2% and 5% of the interval
def test_for_small_latency_the_stale_rate_is_about_1_minus_exp_of_minus_latency_over_interval(
    latency,
):
    # Tolerance 25%: the approximation counts any block found within the delay, but a miner
    # never forks against itself (-1/N = -10% with ten miners), and 20,000 blocks leave a
    # Monte Carlo error of 1/sqrt(stale blocks), about 7% at 1% latency.
    ((_, stale_rate),) = stale_rate_sweep([latency], INTERVAL, 10, 20_000, seed=4)
    assert stale_rate == pytest.approx(1 - math.exp(-latency / INTERVAL), rel=0.25)


def test_a_poorly_connected_miner_loses_more_of_its_blocks():
    far = 60.0  # seconds to and from node 2; nodes 0 and 1 are 1 s apart
    latency = [[0.0, 1.0, far], [1.0, 0.0, far], [far, far, 0.0]]
    result = simulate_network([1 / 3, 1 / 3, 1 / 3], latency, INTERVAL, 10_000, seed=5)
    found = Counter(block.miner for block in result.blocks[1:])
    kept = Counter(result.blocks[i].miner for i in result.main_chain[1:])
    kept_fraction = [kept[miner] / found[miner] for miner in range(3)]  # about 0.98, 0.98, 0.92
    assert kept_fraction[2] < min(kept_fraction[0], kept_fraction[1]) - 0.03


# --- who mines, the main chain, block times ------------------------------------------------------


def test_each_miner_finds_blocks_in_proportion_to_its_hash_share():
    shares, mined = [0.5, 0.3, 0.15, 0.05], 20_000
    result = simulate_network(shares, 0.0, INTERVAL, mined, seed=6)
    found = Counter(block.miner for block in result.blocks[1:])
    for miner, share in enumerate(shares):
        standard_error = math.sqrt(share * (1 - share) / mined)
        assert abs(found[miner] / mined - share) < 4 * standard_error
        # with no delay every block is on the main chain, so the two shares are the same
        assert result.share_of_main_chain(miner) == found[miner] / mined


def test_the_main_chain_is_a_parent_linked_path_from_genesis_to_the_highest_block():
    result = simulate_network(TEN_EQUAL_MINERS, 120.0, INTERVAL, 3_000, seed=7)
    assert result.fork_count > 0
    assert_main_chain_is_valid(result)


def test_block_times_average_the_block_interval_at_zero_latency():
    result = simulate_network(TEN_EQUAL_MINERS, 0.0, INTERVAL, 10_000, seed=8)
    times = result.block_times
    assert len(times) == 10_000 and min(times) > 0
    standard_error = INTERVAL / math.sqrt(len(times))  # exponential: sd = mean
    assert abs(np.mean(times) - INTERVAL) < 4 * standard_error


@settings(max_examples=25, deadline=None)
@given(
    weights=st.lists(st.integers(1, 10), min_size=1, max_size=5),
    latency=st.floats(0.0, 2.0),
    blocks=st.integers(1, 200),
    seed=st.integers(0, 2**32),
)
def test_any_run_keeps_the_invariants(weights, latency, blocks, seed):
    shares = [w / sum(weights) for w in weights]
    result = simulate_network(shares, latency, 1.0, blocks, seed)
    assert len(result.blocks) == blocks + 1
    assert [block.id for block in result.blocks] == list(range(blocks + 1))
    assert 0.0 <= result.stale_rate < 1.0
    assert sum(result.share_of_main_chain(m) for m in range(len(shares))) == pytest.approx(1.0)
    assert_main_chain_is_valid(result)


# --- attacks -------------------------------------------------------------------------------------


def test_the_double_spend_on_the_network_matches_the_exact_race_and_beats_the_whitepaper():
    q, z, trials = 0.3, 5, 10_000
    on_network = double_spend_on_network(q, z, trials, seed=9)
    exact_race = double_spend_race(
        q, z, 1_000_000, np.random.default_rng(9), attacker_progress="negative_binomial"
    )  # about 0.1976 (Rosenfeld 2014)
    standard_error = math.sqrt(exact_race * (1 - exact_race) / trials)  # about 0.004
    assert abs(on_network - exact_race) < 4 * standard_error
    whitepaper = attacker_success_probability(q, z)  # 0.1773523
    assert on_network > whitepaper + 2 * standard_error


def test_a_merchant_who_waits_for_no_confirmation_is_always_double_spent():
    assert double_spend_on_network(0.1, 0, 50, seed=10) == 1.0


def test_an_attacker_without_hash_power_never_double_spends_a_confirmed_payment():
    assert double_spend_on_network(0.0, 1, 50, seed=11) == 0.0


def test_a_majority_attacker_overtakes_the_public_chain_from_behind():
    assert majority_attack(0.6, 6, seed=12) >= 7
    assert majority_attack(1.0, 6, seed=12) == 7  # he finds every block: 7 beats 6


def test_a_majority_attacker_needs_about_b_plus_1_times_q_over_2q_minus_1_blocks():
    q, behind, runs = 0.6, 6, 400
    rng = np.random.default_rng(13)
    needed = [majority_attack(q, behind, rng) for _ in range(runs)]
    standard_error = np.std(needed) / math.sqrt(runs)
    assert abs(np.mean(needed) - (behind + 1) * q / (2 * q - 1)) < 4 * standard_error


@pytest.mark.parametrize("q", [0.5, 0.3, 0.0])
def test_a_majority_attack_without_a_majority_is_refused(q):
    with pytest.raises(NoMajority, match=r"^q \(.*must be > 0.5"):
        majority_attack(q, 6, seed=0)


# --- bad input -----------------------------------------------------------------------------------


def simulate(**changes):
    arguments = dict(hash_shares=[0.5, 0.5], latency=1.0, block_interval=INTERVAL, blocks=10,
                     seed=0)
    return simulate_network(**(arguments | changes))


@pytest.mark.parametrize(
    "call, parameter",
    [
        (lambda: simulate(hash_shares=[0.5, 0.4]), "hash_shares"),
        (lambda: simulate(hash_shares=[1.5, -0.5]), "hash_shares"),
        (lambda: simulate(hash_shares=[]), "hash_shares"),
        (lambda: simulate(hash_shares=["a", "b"]), "hash_shares"),
        (lambda: simulate(latency=-1.0), "latency"),
        (lambda: simulate(latency=[[0.0, 1.0], [-1.0, 0.0]]), "latency"),
        (lambda: simulate(latency=[[0.0, 1.0, 1.0], [1.0, 0.0, 1.0]]), "latency"),
        (lambda: simulate(latency=float("nan")), "latency"),
        (lambda: simulate(block_interval=0.0), "block_interval"),
        (lambda: simulate(blocks=0), "blocks"),
        (lambda: simulate(blocks=2.5), "blocks"),
        (lambda: simulate(seed="abc"), "seed"),
        (lambda: stale_rate_sweep([], INTERVAL, 10, 10, seed=0), "latencies"),
        (lambda: stale_rate_sweep([1.0], INTERVAL, 0, 10, seed=0), "nodes"),
        (lambda: double_spend_on_network(1.0, 5, 10, seed=0), "q"),
        (lambda: double_spend_on_network(-0.1, 5, 10, seed=0), "q"),
        (lambda: double_spend_on_network(0.3, -1, 10, seed=0), "z"),
        (lambda: double_spend_on_network(0.3, 5, 0, seed=0), "trials"),
        (lambda: majority_attack(1.5, 6, seed=0), "q"),
        (lambda: majority_attack(0.6, -1, seed=0), "blocks_behind"),
    ],
)
def test_bad_input_is_rejected_with_a_message_naming_the_parameter(call, parameter):
    with pytest.raises(InvalidNetwork, match=rf"^{parameter} \("):
        call()
