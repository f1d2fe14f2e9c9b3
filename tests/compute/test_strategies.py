"""Bidding strategies: costs from hardware, auctions one job at a time, honest accounting."""

import dataclasses
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.compute.errors import ProviderError
from course.compute.jobs import JobSpec
from course.compute.reputation import Reputation
from course.compute.strategies import (
    SCENARIOS,
    YOU,
    Bidder,
    MarketView,
    Sale,
    StrategyMarket,
    at_cost,
    at_max_price,
    fixed_markup,
    run_market,
    undercutter,
)


def job(size=128, max_price=20, redundancy=1, min_stake=0):
    return JobSpec(
        "matmul",
        {"size": size},
        max_price=max_price,
        redundancy=redundancy,
        min_stake=min_stake,
        name="j",
    )


def asks(price):
    return lambda job, view: price


def test_a_run_costs_its_seconds_times_watts_times_the_price_of_a_joule_rounded_up():
    bidder = Bidder("ada", at_cost, throughput_gflops=1.0, watts=250.0, energy_price=4.0)
    # 4.194304 MFLOPs at 1 GFLOP/s: 4.19 ms at 250 W is 1.049 J, at 4 credits: 4.19 -> 5
    assert bidder.cost(job()) == 5
    assert (
        Bidder("bob", at_cost, throughput_gflops=2.0, watts=250.0, energy_price=4.0).cost(job())
        == 3
    )  # twice as fast: half the energy
    assert Bidder("cy", at_cost, energy_price=1e-9).cost(job()) == 1  # never free


def test_the_cheapest_ask_wins_and_is_paid_its_own_bid_and_profit_is_income_minus_cost():
    ada = Bidder("ada", asks(9), energy_price=5.0)  # 1.26 J at 5 credits: cost 7
    bob = Bidder("bob", asks(12), energy_price=3.0)  # cost 4
    market = StrategyMarket([ada, bob])
    done = market.auction(job())
    assert done.winners == {"ada": 9}
    assert done.costs == {"ada": 7, "bob": 4}
    assert market.profit("ada") == 2 and market.profit("bob") == 0
    assert market.sales == [Sale(job().flops / 1e6, 1, 20, (9,))]


def test_skipping_bidders_and_bids_above_max_price_never_win():
    skipper = Bidder("ada", lambda job, view: None)
    greedy = Bidder("bob", asks(21))
    fair = Bidder("cy", asks(20))
    market = StrategyMarket([skipper, greedy, fair])
    assert market.auction(job(max_price=20)).winners == {"cy": 20}
    unsold = StrategyMarket([skipper, greedy]).auction(job(max_price=20))
    assert unsold.winners == {} and "bob: bid 21 > max_price 20" in unsold.reason


def test_an_unsold_job_is_published_with_no_prices():
    market = StrategyMarket([Bidder("ada", lambda job, view: None)])
    market.auction(job())
    (sale,) = market.sales
    assert sale.prices == () and sale.price_per_mflop is None


def test_every_bidder_sees_its_own_cost_stake_reputation_and_every_past_sale():
    seen = {}

    def spy(job, view):
        seen[view.cost] = view
        return view.cost + 1

    market = StrategyMarket([Bidder("ada", spy, stake=70, energy_price=2.0)])  # costs 3, 21
    market.auction(job(max_price=60))
    market.auction(job(size=256, max_price=60))
    first, second = seen.values()
    assert first.stake == 70 and first.reputation == 0.5 and first.sales == ()
    assert second.reputation == pytest.approx(2 / 3) and len(second.sales) == 1
    assert second.sales[0].prices == (first.cost + 1,)


@pytest.mark.parametrize("bad", [0, -3, 2.5, 7.0, True, "5", [5]])
def test_a_bid_that_is_not_whole_credits_is_refused_naming_the_bidder_and_nothing_is_kept(bad):
    market = StrategyMarket([Bidder("ada", asks(5)), Bidder("bob", asks(bad))])
    with pytest.raises(ProviderError, match="the bid of bob for 'j' must be whole credits >= 1"):
        market.auction(job())
    assert market.rounds == [] and market.sales == [] and not market.income


def test_a_strategy_that_raises_leaves_the_market_as_it_was():
    def broken(job, view):
        raise ZeroDivisionError("oops")

    market = StrategyMarket([Bidder("ada", asks(5)), Bidder("bob", broken)])
    with pytest.raises(ZeroDivisionError):
        market.auction(job())
    assert market.rounds == [] and market.sales == [] and not market.income


def test_a_strategy_cannot_rewrite_what_it_sees():
    def vandal(job, view):
        with pytest.raises(dataclasses.FrozenInstanceError):
            view.cost = 0
        with pytest.raises(AttributeError):
            view.sales.append(Sale(1.0, 1, 1, (1,)))
        return 5

    assert StrategyMarket([Bidder("ada", vandal)]).auction(job()).winners == {"ada": 5}


def test_a_strategy_that_gets_past_frozen_changes_only_its_own_copies():
    """object.__setattr__ rewrites a frozen dataclass: each strategy gets copies of its own."""
    market = StrategyMarket([Bidder("ada", asks(5)), Bidder("bob", asks(6))])
    market.auction(job())
    seen = []

    def vandal(job, view):
        object.__setattr__(job, "max_price", 10**6)
        object.__setattr__(job, "params", {"size": 4000})  # the rivals' costs would soar
        object.__setattr__(view.sales[0], "prices", (999,))
        return 5

    def honest(job, view):
        seen.append((job.max_price, job.flops, view.cost, view.sales[0].prices))
        return 6

    market = StrategyMarket([Bidder("eve", vandal), Bidder("bob", honest)])
    market.sales.append(Sale(4.2, 1, 20, (5,)))
    done = market.auction(job())
    assert seen == [(20, 2 * 128**3, 2, (5,))]
    assert done.job == job() and done.winners == {"eve": 5}
    assert market.sales[0].prices == (5,) and market.sales[1].mflops == 2 * 128**3 / 1e6


class _AlwaysBig(int):
    """An int that claims to be at least anything."""

    def __ge__(self, other):
        return True


def test_a_bid_is_read_as_a_plain_int():
    market = StrategyMarket([Bidder("ada", asks(_AlwaysBig(0))), Bidder("bob", asks(6))])
    with pytest.raises(ProviderError, match="the bid of ada"):
        market.auction(job())
    done = StrategyMarket([Bidder("ada", asks(_AlwaysBig(4)))]).auction(job())
    assert type(done.asks["ada"]) is int and done.winners == {"ada": 4}


def test_with_reputation_a_proven_bidder_beats_a_cheaper_stranger():
    record = Reputation({"old": 20}, {})
    bidders = [Bidder("old", asks(10)), Bidder("new", asks(8))]
    assert run_market(bidders, [job()]).rounds[0].winners == {"new": 8}
    ranked = run_market(bidders, [job()], use_reputation=True, reputation=record)
    assert ranked.rounds[0].winners == {"old": 10}
    assert record.good == {"old": 20}, "the record passed in is copied, not changed"


def test_bad_bidders_and_markets_are_refused():
    with pytest.raises(ProviderError, match="strategy of ada"):
        Bidder("ada", 5)
    with pytest.raises(ProviderError, match="watts of ada"):
        Bidder("ada", at_cost, watts=0)
    with pytest.raises(ProviderError, match="unique names"):
        StrategyMarket([Bidder("ada", at_cost), Bidder("ada", at_cost)])
    with pytest.raises(ProviderError, match="non-empty list of Bidder"):
        StrategyMarket([])


def test_the_baselines_and_rivals_never_bid_below_cost_or_above_max_price():
    for strategy in (at_cost, at_max_price, fixed_markup(0.3), undercutter()):
        for cost in (1, 7, 20, 25):
            sales = (Sale(4.0, 1, 30, (3, 50)),)
            bid = strategy(job(max_price=20), MarketView(cost, 100, 0.5, sales))
            assert bid is None or cost <= bid <= 20, (strategy, cost, bid)
            if cost > 20:
                assert bid is None


def test_every_scenario_runs_the_same_way_twice():
    for scenario in SCENARIOS:
        first, second = scenario.run(fixed_markup(0.2)), scenario.run(fixed_markup(0.2))
        assert first.rounds == second.rounds
        assert len(first.rounds) == scenario.jobs_count
        assert {b.name for b in scenario.bidders(at_cost)} >= {YOU}


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=6))
def test_random_bids_keep_the_books_straight(seed, count):
    """Whatever the strategies bid: winners asked within max_price, at most redundancy of them,
    each paid its bid, and all income is what the sales say was paid."""
    dice = random.Random(seed)

    def gambler(job, view):
        return dice.choice(
            [None, 1, view.cost, job.max_price, job.max_price + 1, dice.randint(1, 80)]
        )

    bidders = [Bidder(f"p{i}", gambler, energy_price=dice.uniform(1, 20)) for i in range(count)]
    jobs = [
        job(
            size=dice.choice([64, 128, 192]),
            max_price=dice.randint(1, 60),
            redundancy=dice.randint(1, 3),
        )
        for _ in range(8)
    ]
    market = run_market(bidders, jobs)
    for done in market.rounds:
        assert len(done.winners) in (0, done.job.redundancy)
        for name, price in done.winners.items():
            assert price == done.asks[name] <= done.job.max_price
    assert sum(market.income.values()) == sum(sum(sale.prices) for sale in market.sales)
    for bidder in bidders:
        wins = [d for d in market.rounds if bidder.name in d.winners]
        assert market.spent[bidder.name] == sum(d.costs[bidder.name] for d in wins)
