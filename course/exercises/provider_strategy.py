"""Try it 8 of notebook 13 (a build task): a provider's bidding strategy, run on seeded markets.

The learner writes ``strategy(job, view) -> bid or None``. The check plugs it into the provider
"you" of every market in ``course.compute.strategies.SCENARIOS`` (rivals with fixed markups and
undercutters, jobs of several sizes and redundancies, a market with stake rules, one ranked by
reputation), runs the auctions, and requires: no bid below your cost or above max_price, a
profit in every market, a fair share of the jobs where your cost is the lowest, and more profit
in all than the two naive baselines (always bid your cost, always bid max_price). Re-exported by
``course.exercises.depin_compute_marketplace``.

Cheats it stops: the strategy gets its own copies of the job and the sales, so changing them
(``object.__setattr__`` gets past ``frozen``) changes nothing the market, the rivals or the check
see; a bid is read as a plain int (an int subclass cannot fake its comparisons), and a bid under
cost is refused even where it lost. What it cannot stop (the bound; the check runs in the
learner's process and is no sandbox, see course/check_channel.py): the markets are fixed and
public (the same seeds on every call, so the notebook's output is reproducible), so a strategy
that imports ``course.compute.strategies`` to replay the rivals, remembers a previous run's
winning prices, reads the check's frames or patches the course library (rewrites a Scenario's
rivals, Bidder.cost) can pass. Such an answer is caught by reading it.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from course.compute.jobs import JobSpec
from course.compute.strategies import (
    SCENARIOS,
    YOU,
    MarketView,
    Round,
    Scenario,
    StrategyMarket,
    at_cost,
    at_max_price,
)
from course.exercises import CheckFailed, Exercise, expect_function

SHARE = 0.25  # of the jobs where your cost is the lowest, a strategy must win at least this


@dataclass(frozen=True)
class _Slip:
    """A bid that breaks a rule, noted while the market runs (the market still gets it)."""

    rule: str  # "below cost" or "above max_price"
    number: int
    bid: int
    view: MarketView


def _job(job: JobSpec, scenario: Scenario, number: int) -> str:
    stake = f", min_stake {job.min_stake}" if job.min_stake else ""
    return (
        f"job {number} of market '{scenario.name}' ({job.flops / 1e6:.1f} MFLOPs, max_price "
        f"{job.max_price}, redundancy {job.redundancy}{stake})"
    )


def _as_bid(got: Any, where: str) -> int | None:
    """The learner's bid as a plain int (numpy ints, 0-d arrays and whole floats count), or None
    to skip. Subclasses of int or float are read by the base type's methods: they cannot fake a
    comparison or ``is_integer``."""
    if got is None:
        return None
    if isinstance(got, np.ndarray) and got.shape == ():
        got = got[()]
    if isinstance(got, np.generic):
        got = got.item()
    if isinstance(got, float) and float.is_integer(got):
        got = int(float.__float__(got))
    if isinstance(got, bool) or not isinstance(got, int):
        shown = f"{float.__float__(got):.4g}" if isinstance(got, float) else _short(repr(got))
        raise CheckFailed(
            f"On {where} your strategy returned {shown} ({type(got).__name__}). A bid is whole "
            "credits (an int: round with math.floor or math.ceil), or None to skip the job."
        )
    return int.__index__(got)


def _short(text: str, width: int = 60) -> str:
    """``text`` cut to ``width`` characters."""
    return text if len(text) <= width else f"{text[: width - 20]}... ({len(text)} characters)"


def _credits(bid: int) -> str:
    """A bid as the message shows it: in full, unless absurdly long (10**5000 is not printed)."""
    if abs(bid) < 10**15:
        return str(bid)
    return f"{'minus ' if bid < 0 else ''}a {round(abs(bid).bit_length() * 0.30103)}-digit number"


def _run(scenario: Scenario, answer: Callable[..., Any]) -> tuple[StrategyMarket, list[_Slip]]:
    """Run the scenario with the learner's strategy as "you"; note every bid that breaks a rule."""
    slips: list[_Slip] = []

    def watched(job: JobSpec, view: MarketView) -> int | None:
        number = len(view.sales)  # every past auction is one sale, sold or not
        where = _job(job, scenario, number)
        try:  # the learner gets copies: the job and view kept here are the ones checked against
            got = answer(copy.copy(job), view.copy())
        except NotImplementedError:
            raise
        except Exception as error:  # the learner's code crashed: name the job
            history = (
                "no sales yet: view.sales is empty"
                if not view.sales
                else (f"{len(view.sales)} past sales")
            )
            raise CheckFailed(
                f"Your strategy raised {type(error).__name__}: {error} on {where}, with your "
                f"cost {view.cost}, stake {view.stake}, reputation {view.reputation:.2f} and "
                f"{history}. Handle that case (return None to skip a job)."
            ) from None
        bid = _as_bid(got, where)
        if bid is None:
            return None
        if bid < view.cost:
            slips.append(_Slip("below cost", number, bid, view))
            return bid if bid >= 1 else None  # the market takes no bid under 1 credit
        if bid > job.max_price:
            slips.append(_Slip("above max_price", number, bid, view))
            return None  # the market refuses it: the job is lost as if skipped
        return bid

    return scenario.run(watched), slips


def _scale_hint(job: JobSpec, bid: int, view: MarketView) -> str:
    """Why a bid might be off: a per-run price misread, or a past price not scaled to size."""
    if job.redundancy > 1 and bid in (
        job.max_price // job.redundancy,
        -(-job.max_price // job.redundancy),
    ):
        return (
            f" max_price is per run, not per job: each of the {job.redundancy} winners is paid "
            "its own bid, up to max_price."
        )
    sold = [sale for sale in view.sales if sale.prices]
    if (
        sold
        and not math.isclose(sold[-1].mflops, job.flops / 1e6)
        and any(abs(bid - price) <= 1 for price in sold[-1].prices)
    ):
        return (
            f" The last sale was a job of {sold[-1].mflops:.1f} MFLOPs, this one has "
            f"{job.flops / 1e6:.1f}: compare prices per MFLOP (sale.price_per_mflop) and scale "
            "them to this job's size."
        )
    return ""


def _report_slip(scenario: Scenario, market: StrategyMarket, slip: _Slip) -> str:
    done = market.rounds[slip.number]
    where = _job(done.job, scenario, slip.number)
    hint = _scale_hint(done.job, slip.bid, slip.view)
    if slip.rule == "above max_price":
        return (
            f"On {where} you bid {_credits(slip.bid)}, above max_price {done.job.max_price}: "
            "the market "
            f"refuses such a bid, so the job was lost before the auction began. Bid at most "
            f"max_price, or return None to skip.{hint}"
        )
    loss = slip.view.cost - slip.bid
    if YOU in done.winners:
        outcome = f"and won: you lost {_credits(loss)} credit(s) on that job"
    else:
        outcome = (
            f"and lost the auction, but had it won you would have lost {_credits(loss)} credit(s)"
        )
    return (
        f"On {where} you bid {_credits(slip.bid)}, below your cost of {slip.view.cost}, "
        f"{outcome}. Never "
        f"sell below cost: bid at least your cost, or return None.{hint}"
    )


def _lost(done: Round) -> str:
    """Who won a round you did not, at what prices."""
    if not done.winners:
        return "nobody took the job"
    return "won by " + ", ".join(f"{name} at {price}" for name, price in done.winners.items())


def _cheapest(done: Round, scenario: Scenario) -> bool:
    """Your cost is the lowest of all, you may take the job, and a profit is possible."""
    rivals = [cost for name, cost in done.costs.items() if name != YOU]
    mine = done.costs[YOU]
    return mine < min(rivals) and mine < done.job.max_price and scenario.stake >= done.job.min_stake


def _test_provider_strategy(answer: Callable[..., Any]) -> str:
    expect_function(answer, 2)
    markets = []
    for scenario in SCENARIOS:
        market, slips = _run(scenario, answer)
        if slips:
            raise CheckFailed(_report_slip(scenario, market, slips[0]))
        markets.append((scenario, market))
    for scenario, market in markets:
        won = [done for done in market.rounds if YOU in done.winners]
        profit = market.profit(YOU)
        if profit > 0:
            continue
        if won:
            why = (
                "every job you won paid exactly your cost, so you only paid for the "
                "electricity: ask for a margin above your cost."
            )
        else:
            missed = next(
                (d for d in market.rounds if d.costs[YOU] < d.job.max_price and d.winners), None
            )
            why = "no job was worth taking."
            if missed is not None:
                ask = missed.asks[YOU]
                bid = "skipped it" if ask is None else f"bid {ask}"
                why = (
                    f"on {_job(missed.job, scenario, missed.number)} your cost was "
                    f"{missed.costs[YOU]}, you {bid}, and it was {_lost(missed)}."
                )
        raise CheckFailed(
            f"In market '{scenario.name}' you won {len(won)} of {len(market.rounds)} jobs and "
            f"made {profit} credits: {why}"
        )
    cheapest = [(s, d) for s, m in markets for d in m.rounds if _cheapest(d, s)]
    taken = [(s, d) for s, d in cheapest if YOU in d.winners]
    if len(taken) < SHARE * len(cheapest):
        scenario, missed = next((s, d) for s, d in cheapest if YOU not in d.winners)
        ask = missed.asks[YOU]
        bid = "you skipped it" if ask is None else f"you bid {ask}"
        rivals = min(cost for name, cost in missed.costs.items() if name != YOU)
        raise CheckFailed(
            f"You won {len(taken)} of the {len(cheapest)} jobs where your cost was the lowest "
            f"of all providers: fewer than a quarter. On "
            f"{_job(missed.job, scenario, missed.number)} your cost was {missed.costs[YOU]} "
            f"(the rivals' lowest {rivals}), {bid}, and it was {_lost(missed)}: where you are "
            "the cheapest, you can undercut everyone and still profit."
        )
    total = sum(market.profit(YOU) for _, market in markets)
    baselines = {
        "always bidding your cost": sum(s.run(at_cost).profit(YOU) for s in SCENARIOS),
        "always bidding max_price": sum(s.run(at_max_price).profit(YOU) for s in SCENARIOS),
    }
    for name, earned in baselines.items():
        if total <= earned:
            raise CheckFailed(
                f"In all {len(SCENARIOS)} markets your strategy made {total} credits, no more "
                f"than {name} ({earned}). A margin too thin earns little on each win; aim for "
                "just under what won recent jobs, not just over your cost."
            )
    return (
        f"A profit in all {len(SCENARIOS)} markets, {total} credits in all (always bidding your "
        f"cost: {baselines['always bidding your cost']}, always max_price: "
        f"{baselines['always bidding max_price']}); you won {len(taken)} of the "
        f"{len(cheapest)} jobs where your cost was the lowest. Price just under the market, "
        "never under your cost."
    )


check_provider_strategy = Exercise(
    name="provider_strategy",
    goal="Write strategy(job, view): the bid (whole credits) of a provider for one job, or None "
    "to skip it. view.cost is what one run costs you (electricity), view.stake and "
    "view.reputation are yours, view.sales lists every past auction (its mflops, redundancy, "
    "max_price and winning prices). The check runs five seeded markets: never bid below your "
    "cost or above max_price, make a profit in each market, win at least a quarter of the jobs "
    "where your cost is the lowest, and earn more in all than always bidding your cost or "
    "always bidding max_price.",
    hints=(
        "Section 2's reverse auction pays each winner its own bid; your profit on a job is bid "
        "minus cost when you win, nothing when you lose. A bid at cost wins often and earns "
        "nothing; a bid at max_price earns most per win and almost never wins. The market tells "
        "you what won recently: price just under that, scaled to this job's size (prices per "
        "MFLOP), but never under your cost and never over max_price; skip a job you cannot do at "
        "a profit. Redundancy: each winner is paid its own bid, and max_price is per run.",
        "The same idea for a taxi at a rank, in pseudo-code: a 12 km ride costs the driver 18 in "
        "fuel and time; the last ride sold was 9 km for 27, i.e. 3 per km, so this ride's going "
        "rate is 3 × 12 = 36. Ask one less than the going rate (35), raise it to cost + 1 if it "
        "falls below, lower it to the fare cap (40) if above; if even cost + 1 exceeds the cap, "
        "decline the ride. Before any ride has sold, ask a fixed markup over cost.",
    ),
    test=_test_provider_strategy,
)
