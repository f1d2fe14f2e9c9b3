"""The sandwich attack: the planner's bounds, the execution to the wei, and who pays whom."""

import copy
from fractions import Fraction
from itertools import pairwise
from math import floor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.defi import AmmError, ConstantProductPool, get_amount_out
from course.defi.mev import (
    InvalidSandwichInput,
    StalePlan,
    VictimTradeWouldFail,
    execute_sandwich,
    plan_sandwich,
    sandwich_profit_vs_slippage,
)

E18 = 10**18
RESERVES = (1_000 * E18, 2_000_000 * E18)  # 1,000 ETH and 2,000,000 USDC: ETH at 2,000
VICTIM_IN = 10 * E18  # the victim sells 10 ETH, 1% of the pool


def make_pool() -> ConstantProductPool:
    return ConstantProductPool(reserve0=RESERVES[0], reserve1=RESERVES[1])


def min_out_for(tolerance: float, pool: ConstantProductPool = None, zero_for_one: bool = True,
                amount_in: int = VICTIM_IN) -> int:
    pool = pool or make_pool()
    reserves = (pool.reserve0, pool.reserve1) if zero_for_one else (pool.reserve1, pool.reserve0)
    return floor(get_amount_out(amount_in, *reserves) * (1 - Fraction(tolerance)))  # exact


def test_victim_meets_min_out_exactly_at_the_planned_front_run_and_fails_for_one_unit_more():
    pool = make_pool()
    plan = plan_sandwich(pool, VICTIM_IN, min_out_for(0.01), zero_for_one=True)
    assert plan.limited_by == "min_out" and plan.front_run_in > 0

    at_plan = copy.deepcopy(pool)
    at_plan.swap(plan.front_run_in, zero_for_one=True)
    assert at_plan.swap(VICTIM_IN, True, plan.victim_min_out) >= plan.victim_min_out

    one_more = copy.deepcopy(pool)
    one_more.swap(plan.front_run_in + 1, zero_for_one=True)
    with pytest.raises(AmmError, match="SLIPPAGE"):
        one_more.swap(VICTIM_IN, True, plan.victim_min_out)


def test_planning_never_changes_the_pool():
    pool = make_pool()
    before = copy.deepcopy(pool)
    plan_sandwich(pool, VICTIM_IN, min_out_for(0.05), zero_for_one=True)
    sandwich_profit_vs_slippage(RESERVES, VICTIM_IN, [0.0, 0.01, 0.5])
    assert pool == before


@pytest.mark.parametrize("zero_for_one", [True, False])
def test_execution_matches_the_plan_to_the_wei(zero_for_one):
    pool = make_pool()
    amount_in = VICTIM_IN if zero_for_one else 20_000 * E18
    min_out = min_out_for(0.02, pool, zero_for_one, amount_in)
    plan = plan_sandwich(pool, amount_in, min_out, zero_for_one)
    result = execute_sandwich(pool, plan)
    assert result.front_run_out == plan.front_run_out
    assert result.victim_out == plan.victim_out >= min_out
    assert result.back_run_out == plan.back_run_out
    assert result.attacker_profit == plan.expected_profit > 0
    assert result.victim_loss == plan.victim_loss > 0


def test_attacker_profit_is_zero_at_zero_tolerance_and_grows_with_it():
    tolerances = [0.0, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 0.9]
    sweep = sandwich_profit_vs_slippage(RESERVES, VICTIM_IN, tolerances)
    assert sweep.attacker_profit[0] == 0 and sweep.victim_loss[0] == 0
    assert all(a < b for a, b in pairwise(sweep.attacker_profit))
    # 1% tolerance on a 10 ETH sale: the searcher makes about 0.07 ETH, the victim loses ~197 USDC
    assert 0.06 * E18 < sweep.attacker_profit[3] < 0.08 * E18
    assert 190 * E18 < sweep.victim_loss[3] < 200 * E18


@settings(max_examples=60, deadline=None)
@given(reserve0=st.integers(10**9, 10**24), reserve1=st.integers(10**9, 10**24),
       victim_share=st.floats(0.0001, 0.2), zero_for_one=st.booleans(),
       tolerances=st.lists(st.floats(0.0, 0.99), min_size=1, max_size=5))
def test_profit_is_never_negative_and_never_falls_as_tolerance_rises(
        reserve0, reserve1, victim_share, zero_for_one, tolerances):
    amount_in = max(1, int((reserve0 if zero_for_one else reserve1) * victim_share))
    try:
        sweep = sandwich_profit_vs_slippage((reserve0, reserve1), amount_in, sorted(tolerances),
                                            zero_for_one=zero_for_one)
    except VictimTradeWouldFail:  # a trade too small to buy one unit at any tolerance
        return
    profits = sweep.attacker_profit
    assert all(p >= 0 for p in profits)
    assert all(a <= b for a, b in pairwise(profits))


@settings(max_examples=60, deadline=None)
@given(reserve0=st.integers(10**9, 10**24), reserve1=st.integers(10**9, 10**24),
       victim_share=st.floats(0.0001, 0.5), tolerance=st.floats(0.0, 0.99),
       zero_for_one=st.booleans())
def test_k_never_decreases_and_the_attacker_gains_less_than_the_victim_loses(
        reserve0, reserve1, victim_share, tolerance, zero_for_one):
    pool = ConstantProductPool(reserve0=reserve0, reserve1=reserve1)
    reserve_in, reserve_out = (reserve0, reserve1) if zero_for_one else (reserve1, reserve0)
    amount_in = max(1, int(reserve_in * victim_share))
    quoted = get_amount_out(amount_in, reserve_in, reserve_out)
    if quoted < 1:
        return
    min_out = max(1, floor(quoted * (1 - Fraction(tolerance))))
    plan = plan_sandwich(pool, amount_in, min_out, zero_for_one)
    result = execute_sandwich(pool, plan)
    assert list(result.k_history) == sorted(result.k_history)
    # Without the attack the pool would hold X of the input token and Y of the output token.
    # The searcher's profit P comes out of the victim's loss L and the LPs keep the fees, so
    # P <= L * X / (Y + L): L valued at the pool's price. Integer rounding can hand the
    # searcher less than one unit of the output token on top (dust, even when L == 0).
    big_x, big_y = reserve_in + amount_in, reserve_out - quoted
    profit, loss = result.attacker_profit, result.victim_loss
    assert profit * (big_y + loss) <= (loss + 1) * big_x


def profit_of_front_run(pool: ConstantProductPool, front_run: int, min_out: int) -> int:
    """Run a sandwich of the given size by hand, on a copy, and return the searcher's profit."""
    trial = copy.deepcopy(pool)
    bought = trial.swap(front_run, zero_for_one=True)
    trial.swap(VICTIM_IN, True, min_out)
    return trial.swap(bought, zero_for_one=False) - front_run


def test_a_huge_tolerance_stops_the_front_run_at_the_profit_peak():
    pool = make_pool()
    min_out = min_out_for(0.99)  # the victim accepts 99% less than quoted: no real bound
    plan = plan_sandwich(pool, VICTIM_IN, min_out, zero_for_one=True)
    assert plan.limited_by == "profit"
    assert profit_of_front_run(pool, plan.front_run_in, min_out) == plan.expected_profit
    for other in (plan.front_run_in * 4 // 5, plan.front_run_in * 5 // 4):
        assert profit_of_front_run(pool, other, min_out) < plan.expected_profit


def test_the_searchers_capital_caps_the_front_run():
    pool = make_pool()
    plan = plan_sandwich(pool, VICTIM_IN, min_out_for(0.05), True, max_front_run=E18)
    assert plan.limited_by == "capital" and plan.front_run_in == E18
    assert 0 < plan.expected_profit < sandwich_profit_vs_slippage(
        RESERVES, VICTIM_IN, [0.05]).attacker_profit[0]


def test_with_no_room_to_front_run_only_the_victim_trades():
    pool = make_pool()
    plan = plan_sandwich(pool, VICTIM_IN, min_out_for(0.0), zero_for_one=True)
    assert plan.front_run_in == 0
    result = execute_sandwich(pool, plan)
    assert result.attacker_profit == 0 and result.victim_loss == 0
    assert len(result.k_history) == 2


def test_a_stale_plan_is_refused_and_the_pool_is_left_alone():
    pool = make_pool()
    plan = plan_sandwich(pool, VICTIM_IN, min_out_for(0.01), zero_for_one=True)
    pool.swap(E18, zero_for_one=True)  # someone else trades first
    before = copy.deepcopy(pool)
    with pytest.raises(StalePlan, match="reserves"):
        execute_sandwich(pool, plan)
    assert pool == before


@pytest.mark.parametrize("amount_in, min_out, match", [
    (0, 1, "victim_amount_in"),
    (VICTIM_IN, 0, "victim_min_out"),
    (1.5, 1, "victim_amount_in"),
    (True, 1, "victim_amount_in"),
])
def test_bad_trades_are_refused_with_the_field_named(amount_in, min_out, match):
    with pytest.raises(InvalidSandwichInput, match=match):
        plan_sandwich(make_pool(), amount_in, min_out, zero_for_one=True)


def test_a_min_out_the_trade_cannot_meet_even_unattacked_is_refused():
    with pytest.raises(VictimTradeWouldFail, match="victim_min_out"):
        plan_sandwich(make_pool(), VICTIM_IN, min_out_for(0.0) + 1, zero_for_one=True)


def test_an_empty_pool_is_refused():
    with pytest.raises(InvalidSandwichInput, match="pool.reserve0"):
        plan_sandwich(ConstantProductPool(), VICTIM_IN, 1, zero_for_one=True)


@pytest.mark.parametrize("tolerance", [1.0, -0.01, float("nan"), "1%"])
def test_tolerances_outside_zero_to_one_are_refused(tolerance):
    with pytest.raises(InvalidSandwichInput, match=r"tolerances\[1\]"):
        sandwich_profit_vs_slippage(RESERVES, VICTIM_IN, [0.01, tolerance])


def test_a_fee_of_100_percent_or_more_is_refused():
    with pytest.raises(InvalidSandwichInput, match="fee_bps"):
        sandwich_profit_vs_slippage(RESERVES, VICTIM_IN, [0.01], fee_bps=10_000)
