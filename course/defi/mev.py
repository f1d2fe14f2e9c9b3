"""MEV: a sandwich attack on a constant-product pool.

A victim sends a swap with a slippage limit (``min_out``). A searcher who sees it in the mempool
buys the same token just before it (the front-run), which pushes the price up; the victim still
trades, at a worse price, and pushes it further; the searcher then sells what it bought (the
back-run) at the higher price. The victim's ``min_out`` is what bounds the attack: the searcher
front-runs with the largest amount that still lets the victim's trade go through (or, for a
victim who accepts almost any price, with the amount that maximises its profit).

All amounts are integers in smallest units and every swap uses Uniswap V2's exact rounding
(``course.defi.amm``), so a plan predicts its execution to the wei.
Source: Zhou et al., "High-Frequency Trading on Decentralized On-Chain Exchanges" (IEEE S&P 2021).
Taught in notebook 11.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import floor

from course.defi.amm import (
    FEE_BPS,
    ConstantProductPool,
    ensure_amount,
    ensure_fee_bps,
    get_amount_out,
)
from course.errors import DefiError
from course.validation import ensure, ensure_instance, ensure_number

MAX_TOLERANCES = 1_000  # slippage tolerances one sweep plans a sandwich for


class MevError(DefiError, ValueError):
    """A sandwich the planner or executor refuses; the message names the field and the rule."""


class InvalidSandwichInput(MevError):
    """A pool, amount, min_out or tolerance that is not a valid input."""


class VictimTradeWouldFail(MevError):
    """The victim's min_out is above what its trade returns even without an attack."""


class StalePlan(MevError):
    """The pool no longer has the reserves the plan was made for."""


@dataclass(frozen=True)
class SandwichPlan:
    """What the searcher will do and what everyone gets, worked out from the pool's reserves.

    Amounts of the input token: ``front_run_in``, ``back_run_out``, ``expected_profit``.
    Amounts of the output token: ``front_run_out``, ``victim_out``, ``victim_out_without_attack``,
    ``victim_loss``.
    """

    zero_for_one: bool
    reserves_before: tuple[int, int]
    fee_bps: int
    victim_amount_in: int
    victim_min_out: int
    victim_out_without_attack: int
    front_run_in: int
    limited_by: str  # "min_out", "capital" or "profit": what stopped a bigger front-run
    front_run_out: int
    victim_out: int
    back_run_out: int

    @property
    def expected_profit(self) -> int:
        """What the back-run returns minus what the front-run cost (input token; may be < 0)."""
        return self.back_run_out - self.front_run_in

    @property
    def victim_loss(self) -> int:
        """How much less of the output token the victim gets than it would without the attack."""
        return self.victim_out_without_attack - self.victim_out

    @property
    def is_profitable(self) -> bool:
        return self.expected_profit > 0


@dataclass(frozen=True)
class SandwichResult:
    """What happened on the pool: the three swaps' outputs and ``k`` before and after each."""

    front_run_out: int
    victim_out: int
    back_run_out: int
    attacker_profit: int  # input token
    victim_loss: int  # output token, versus the trade without the attack
    k_history: tuple[int, ...]  # k before, after the front-run, the victim, the back-run


@dataclass(frozen=True)
class SlippageSweep:
    """Attacker profit and victim loss for each slippage tolerance (for the notebook's plot)."""

    tolerances: tuple[float, ...]  # fractions: 0.01 = the victim accepts 1% less than quoted
    front_run_in: tuple[int, ...]  # 0 where the searcher sits out
    attacker_profit: tuple[int, ...]  # input token, exact integers
    victim_loss: tuple[int, ...]  # output token, exact integers


def _reserves(pool: ConstantProductPool, zero_for_one: bool) -> tuple[int, int]:
    """(reserve_in, reserve_out) for a trade in the given direction, from a pool with both."""
    ensure_instance(pool, "pool", ConstantProductPool, error=InvalidSandwichInput)
    for name in ("reserve0", "reserve1"):
        ensure_amount(getattr(pool, name), f"pool.{name}", error=InvalidSandwichInput)
    ensure_fee_bps(pool.fee_bps, error=InvalidSandwichInput)
    return pool.reserves(zero_for_one)


def _sandwich(front_run: int, victim_in: int, reserve_in: int, reserve_out: int,
              fee_bps: int) -> tuple[int, int, int]:
    """(front-run output, victim output, back-run output) for a front-run of ``front_run``."""
    bought = get_amount_out(front_run, reserve_in, reserve_out, fee_bps) if front_run else 0
    victim_out = get_amount_out(victim_in, reserve_in + front_run, reserve_out - bought, fee_bps)
    if bought == 0:  # nothing bought (or too little to buy one unit): nothing to sell back
        return 0, victim_out, 0
    back_out = get_amount_out(bought, reserve_out - bought - victim_out,
                              reserve_in + front_run + victim_in, fee_bps)
    return bought, victim_out, back_out


def _profit_peak(profit: Callable[[int], int], scale: int) -> int:
    """The front-run that maximises a single-peaked profit: bracket by doubling, then ternary.

    The bracket starts from ``scale`` (not from 1, where rounding to the unit makes the profit
    jagged) and moves until the peak lies between ``high // 2`` and ``2 * high``.
    """
    high = max(1, scale)
    while high > 1 and profit(high // 2) >= profit(high):
        high //= 2
    while profit(2 * high) >= profit(high):
        high *= 2
    low, high = high // 2, 2 * high  # the peak lies in here
    while high - low > 2:
        third = (high - low) // 3
        if profit(low + third) < profit(high - third):
            low = low + third + 1
        else:
            high = high - third
    return max(range(low, high + 1), key=profit)


def plan_sandwich(pool: ConstantProductPool, victim_amount_in: int, victim_min_out: int,
                  zero_for_one: bool, *, max_front_run: int | None = None) -> SandwichPlan:
    """Find the largest front-run that still lets the victim's trade pass its ``min_out``.

    Binary search over integers: the victim's output only falls as the front-run grows. A
    victim who accepts almost any price allows a front-run past the searcher's profit-maximising
    size, where its own fees and price impact eat the gain; the plan then uses the most
    profitable size instead (``limited_by == "profit"``). ``max_front_run`` caps the searcher's
    capital (None: unlimited). The pool is never changed. A plan can lose money (a small victim
    in a deep pool): check ``is_profitable`` before executing it.

    Raises:
        InvalidSandwichInput: a non-positive amount, a min_out below 1 (an unbounded attack), or
            an empty pool.
        VictimTradeWouldFail: min_out is above what the victim gets with no attack at all.
    """
    ensure_amount(victim_amount_in, "victim_amount_in", error=InvalidSandwichInput)
    ensure_amount(victim_min_out, "victim_min_out", error=InvalidSandwichInput)
    if max_front_run is not None:
        ensure_amount(max_front_run, "max_front_run", minimum=0, error=InvalidSandwichInput)
    reserve_in, reserve_out = _reserves(pool, zero_for_one)

    def outcome(front_run: int) -> tuple[int, int, int]:
        return _sandwich(front_run, victim_amount_in, reserve_in, reserve_out, pool.fee_bps)

    def victim_passes(front_run: int) -> bool:
        return outcome(front_run)[1] >= victim_min_out

    def profit(front_run: int) -> int:
        return outcome(front_run)[2] - front_run

    fair_out = outcome(0)[1]
    if fair_out < victim_min_out:
        raise VictimTradeWouldFail(f"victim_min_out {victim_min_out} is above the {fair_out} the "
                                   f"trade returns with no attack: it would revert anyway")

    # 1. The largest front-run the victim's min_out (or the searcher's capital) allows.
    if max_front_run is not None and victim_passes(max_front_run):
        front_run, limited_by = max_front_run, "capital"
    else:
        low, high = 0, 1
        while victim_passes(high):  # double until the victim's trade would revert
            low, high = high, high * 2
        while high - low > 1:  # binary search: victim_passes(low), not victim_passes(high)
            middle = (low + high) // 2
            low, high = (middle, high) if victim_passes(middle) else (low, middle)
        front_run, limited_by = low, "min_out"
    # 2. Past the profit peak, a bigger front-run earns less: stop at the peak.
    step = max(1, front_run // 10_000)
    if front_run > step and profit(front_run) < profit(front_run - step):
        front_run, limited_by = min(front_run, _profit_peak(profit, victim_amount_in)), "profit"
    bought, victim_out, back_out = outcome(front_run)
    if back_out == 0:  # too small to buy, or to sell back, even one unit: no sandwich
        front_run, limited_by = 0, "min_out"
        bought, victim_out, back_out = outcome(0)
    return SandwichPlan(zero_for_one=zero_for_one, reserves_before=(pool.reserve0, pool.reserve1),
                        fee_bps=pool.fee_bps, victim_amount_in=victim_amount_in,
                        victim_min_out=victim_min_out, victim_out_without_attack=fair_out,
                        front_run_in=front_run, limited_by=limited_by, front_run_out=bought,
                        victim_out=victim_out, back_run_out=back_out)


def execute_sandwich(pool: ConstantProductPool, plan: SandwichPlan) -> SandwichResult:
    """Run front-run, victim, back-run on ``pool`` (one block) and report who got what.

    With ``plan.front_run_in == 0`` the searcher sits out and only the victim trades. The swaps
    run on a copy first, so a refusal leaves ``pool`` exactly as it was.

    Raises:
        StalePlan: the pool's reserves or fee differ from those the plan was made for.
    """
    ensure_instance(pool, "pool", ConstantProductPool, error=InvalidSandwichInput)
    ensure_instance(plan, "plan", SandwichPlan, rule="a SandwichPlan from plan_sandwich",
                    error=InvalidSandwichInput)
    if (pool.reserve0, pool.reserve1) != plan.reserves_before or pool.fee_bps != plan.fee_bps:
        raise StalePlan(f"pool reserves are {(pool.reserve0, pool.reserve1)} with fee_bps "
                        f"{pool.fee_bps}, the plan was made for {plan.reserves_before} with "
                        f"fee_bps {plan.fee_bps}: plan the sandwich again")
    trial = copy.deepcopy(pool)
    k_history = [trial.k]
    front_out = back_out = 0
    if plan.front_run_in > 0:
        front_out = trial.swap(plan.front_run_in, plan.zero_for_one)
        k_history.append(trial.k)
    victim_out = trial.swap(plan.victim_amount_in, plan.zero_for_one, plan.victim_min_out)
    k_history.append(trial.k)
    if plan.front_run_in > 0:
        back_out = trial.swap(front_out, not plan.zero_for_one)
        k_history.append(trial.k)
    pool.reserve0, pool.reserve1 = trial.reserve0, trial.reserve1  # commit
    return SandwichResult(front_run_out=front_out, victim_out=victim_out, back_run_out=back_out,
                          attacker_profit=back_out - plan.front_run_in,
                          victim_loss=plan.victim_out_without_attack - victim_out,
                          k_history=tuple(k_history))


def sandwich_profit_vs_slippage(pool_reserves: tuple[int, int], victim_amount_in: int,
                                tolerances: Sequence[float], *, zero_for_one: bool = True,
                                fee_bps: int = FEE_BPS) -> SlippageSweep:
    """For each slippage tolerance, the searcher's best sandwich profit and the victim's loss.

    The victim sets ``min_out = floor(quoted_out * (1 - tolerance))``. The searcher attacks only
    when the plan is profitable; otherwise it sits out and both numbers are 0. So the profit is
    0 at zero tolerance (a victim trading a large share of an odd-priced pool can still leak a
    few units of rounding dust) and grows as the victim tolerates more.

    Raises:
        InvalidSandwichInput: reserves or amount not positive integers, a tolerance outside
            [0, 1), a fee_bps outside [0, 10000).
        VictimTradeWouldFail: a trade too small to buy even one unit.
    """
    ensure(isinstance(pool_reserves, tuple | list) and len(pool_reserves) == 2,
           InvalidSandwichInput, "pool_reserves", pool_reserves, "a pair (reserve0, reserve1)")
    reserve0 = ensure_amount(pool_reserves[0], "pool_reserves[0]", error=InvalidSandwichInput)
    reserve1 = ensure_amount(pool_reserves[1], "pool_reserves[1]", error=InvalidSandwichInput)
    ensure_instance(tolerances, "tolerances", (tuple, list), rule="a list of fractions",
                    error=InvalidSandwichInput)
    ensure(len(tolerances) <= MAX_TOLERANCES, InvalidSandwichInput, "tolerances",
           tolerances, f"at most {MAX_TOLERANCES:,} fractions")
    tolerances = [ensure_number(tolerance, f"tolerances[{index}]", minimum=0, below=1,
                                meaning="0.01 = 1%", error=InvalidSandwichInput)
                  for index, tolerance in enumerate(tolerances)]
    fee_bps = ensure_fee_bps(fee_bps, error=InvalidSandwichInput)
    ensure_amount(victim_amount_in, "victim_amount_in", error=InvalidSandwichInput)
    pool = ConstantProductPool(reserve0=reserve0, reserve1=reserve1, fee_bps=fee_bps)
    reserve_in, reserve_out = _reserves(pool, zero_for_one)
    quoted = get_amount_out(victim_amount_in, reserve_in, reserve_out, fee_bps)
    front_runs, profits, losses = [], [], []
    for tolerance in tolerances:
        min_out = max(1, floor(quoted * (1 - Fraction(tolerance))))  # exact, no float rounding
        plan = plan_sandwich(pool, victim_amount_in, min_out, zero_for_one)
        attacks = plan.is_profitable
        front_runs.append(plan.front_run_in if attacks else 0)
        profits.append(plan.expected_profit if attacks else 0)
        losses.append(plan.victim_loss if attacks else 0)
    return SlippageSweep(tolerances=tuple(tolerances),
                         front_run_in=tuple(front_runs), attacker_profit=tuple(profits),
                         victim_loss=tuple(losses))
