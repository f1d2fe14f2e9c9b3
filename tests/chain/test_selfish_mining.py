"""Selfish mining as a state machine: each step by hand, long runs against the closed form."""

from __future__ import annotations

import numpy as np
import pytest

from course.chain.attacks import InvalidParameter, selfish_mining_revenue, simulate_selfish_mining
from course.chain.errors import ChainError
from course.chain.selfish_mining import (
    HONEST,
    POOL,
    TIE,
    random_finders,
    run_steps,
    selfish_revenue,
    selfish_step,
)


@pytest.mark.parametrize(
    ("state", "finder", "expected"),
    [
        (0, POOL, (1, 0, 0)),
        (0, HONEST, (0, 0, 1)),
        (1, POOL, (2, 0, 0)),
        (1, HONEST, (TIE, 0, 0)),
        (2, HONEST, (0, 2, 0)),
        (7, POOL, (8, 0, 0)),
        (7, HONEST, (6, 1, 0)),
        (TIE, POOL, (0, 2, 0)),
    ],
)
def test_each_rule_of_the_strategy_by_hand(state, finder, expected):
    assert selfish_step(state, finder, 0.5) == expected


@pytest.mark.parametrize("gamma", [0.0, 0.25, 1.0])
def test_an_honest_block_in_a_tie_settles_gamma_for_the_pool_and_the_rest_for_honest(gamma):
    assert selfish_step(TIE, HONEST, gamma) == (0, gamma, 2 - gamma)


def test_a_sequence_settles_every_block_found_once_the_pool_has_published():
    # pool, pool, pool, honest, honest, honest: the pool's three blocks win, the first two honest
    # blocks are orphaned, the last one is on the main chain.
    finders = [POOL, POOL, POOL, HONEST, HONEST, HONEST]
    assert run_steps(selfish_step, finders, 0.0) == (0, 3, 1)


@pytest.mark.parametrize(
    ("alpha", "gamma"), [(0.1, 0.0), (0.3, 0.0), (1 / 3, 0.0), (0.3, 0.5), (0.25, 1.0), (0.45, 0.5)]
)
def test_a_long_run_of_the_state_machine_earns_the_closed_form_revenue(alpha, gamma):
    revenue = selfish_revenue(selfish_step, alpha, gamma, 60_000, np.random.default_rng(1))
    assert revenue == pytest.approx(selfish_mining_revenue(alpha, gamma), abs=0.02)


def test_the_state_machine_and_the_branch_by_branch_simulation_agree():
    for alpha, gamma in [(0.3, 0.0), (0.4, 0.5)]:
        machine = selfish_revenue(selfish_step, alpha, gamma, 60_000, np.random.default_rng(2))
        branches = simulate_selfish_mining(alpha, gamma, 60_000, np.random.default_rng(3))
        assert machine == pytest.approx(branches, abs=0.02)


def test_at_the_threshold_the_pool_earns_exactly_its_share_and_above_it_more():
    assert selfish_mining_revenue(1 / 3, 0.0) == pytest.approx(1 / 3)
    rng = np.random.default_rng(4)
    assert selfish_revenue(selfish_step, 0.42, 0.0, 100_000, rng) > 0.42 + 0.05
    assert selfish_revenue(selfish_step, 0.2, 0.0, 100_000, rng) < 0.2 - 0.03


def test_the_finders_follow_the_seed_and_the_share():
    first = random_finders(0.3, 10_000, np.random.default_rng(5))
    assert first == random_finders(0.3, 10_000, np.random.default_rng(5))
    assert first.count(POOL) / len(first) == pytest.approx(0.3, abs=0.02)


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda: selfish_step(-1, POOL, 0.5), "state"),
        (lambda: selfish_step(True, POOL, 0.5), "state"),
        (lambda: selfish_step("0", POOL, 0.5), "state"),
        (lambda: selfish_step(1.0, POOL, 0.5), "state"),
        (lambda: selfish_step(0, "miner", 0.5), "finder"),
        (lambda: selfish_step(0, ["pool"], 0.5), "finder"),
        (lambda: selfish_step(TIE, HONEST, 1.5), "gamma"),
        (lambda: selfish_step(TIE, HONEST, float("nan")), "gamma"),
        (lambda: random_finders(0.5, 10, np.random.default_rng(0)), "alpha"),
        (lambda: random_finders(0.3, 0, np.random.default_rng(0)), "blocks"),
        (lambda: random_finders(0.3, 10, 42), "rng"),
        (lambda: selfish_revenue(selfish_step, 0.3, -0.1, 10, np.random.default_rng(0)), "gamma"),
    ],
)
def test_bad_input_is_refused_naming_the_parameter(call, named):
    with pytest.raises(InvalidParameter, match=named) as raised:
        call()
    assert isinstance(raised.value, ChainError)
