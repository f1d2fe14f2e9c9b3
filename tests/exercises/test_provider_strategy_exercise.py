"""Try it 8 of notebook 13 (a provider's bidding strategy), run on seeded markets, both ways."""

import math
import time
from types import MappingProxyType

import numpy as np
import pytest

from course.compute.strategies import SCENARIOS, YOU, at_cost, at_max_price, fixed_markup
from course.exercises import FAILED, NOT_DONE, PASSED
from course.exercises.depin_compute_marketplace import check_provider_strategy
from tests.exercises.both_ways import placeholder, typed_by_learner


def _going_rate(job, view):
    """What won the last sold job, per MFLOP, scaled to this job; None before any sale."""
    sold = [sale for sale in view.sales if sale.prices]
    return sold[-1].price_per_mflop * job.flops / 1e6 if sold else None


def cost_plus_capped(job, view):
    """Cost plus 30%, capped one credit under the going rate; skip what cannot pay."""
    ask = math.ceil(view.cost * 1.3)
    rate = _going_rate(job, view)
    if rate is not None:
        ask = min(ask, math.floor(rate) - 1)
    ask = min(ask, job.max_price)
    return ask if ask > view.cost else None


def undercut_by_a_tick(job, view):
    """One credit under the going rate when that is above cost; twice the cost to open."""
    rate = _going_rate(job, view)
    ask = 2 * view.cost if rate is None else math.floor(rate) - 1
    ask = min(ask, job.max_price)
    return ask if ask > view.cost else None


def same_redundancy(job, view):
    """Undercut the last sale of a job with the same redundancy (what a bid had to beat)."""
    sold = [s for s in view.sales if s.prices and s.redundancy == job.redundancy]
    ask = math.floor(sold[-1].price_per_mflop * job.flops / 1e6) - 1 if sold else 2 * view.cost
    ask = min(ask, job.max_price)
    return ask if ask > view.cost else None


def numpy_bids(job, view):
    bid = cost_plus_capped(job, view)
    return None if bid is None else np.int64(bid)


# --- wrong answers ------------------------------------------------------------------------


def always_cost(job, view):
    return view.cost if view.cost <= job.max_price else None


def always_max_price(job, view):
    return job.max_price if view.cost <= job.max_price else None


def below_cost(job, view):
    return max(1, view.cost - 2)


def crashes_without_history(job, view):
    return math.floor(view.sales[-1].price_per_mflop * job.flops / 1e6) - 1


def ignores_size(job, view):
    """Undercuts the last sale's price in credits, whatever the size of that job."""
    sold = [s for s in view.sales if s.prices]
    return min(max(sold[-1].prices) - 1 if sold else 2 * view.cost, job.max_price)


def splits_max_price_among_replicas(job, view):
    """Reads max_price as the budget for all replicas together."""
    return job.max_price // job.redundancy


def ignores_max_price(job, view):
    return 2 * view.cost


def a_float(job, view):
    return view.cost * 1.3


def skips_everything(job, view):
    return None


def one_credit_over_cost(job, view):
    return view.cost + 1 if view.cost < job.max_price else None


def test_correct_strategies_of_several_styles_pass():
    for right in (
        cost_plus_capped,
        undercut_by_a_tick,
        same_redundancy,
        numpy_bids,
        typed_by_learner(fixed_markup(0.2)),  # the course's baseline, typed by a learner
    ):
        outcome = check_provider_strategy.check(right)
        assert outcome.status == PASSED, (right.__name__, outcome.message)
        assert "A profit in all 5 markets" in outcome.message


def test_the_placeholder_is_not_done():
    assert check_provider_strategy.check(placeholder).status == NOT_DONE


WRONG = {
    always_cost: "made 0 credits: every job you won paid exactly your cost",
    always_max_price: "You won 3 of the 53 jobs where your cost was the lowest",
    below_cost: "you bid 7, below your cost of 9, and won: you lost 2 credit(s)",
    crashes_without_history: "raised IndexError: tuple index out of range on job 0 of market "
    "'steady rivals' (8.2 MFLOPs, max_price 17, redundancy 1)",
    ignores_size: "compare prices per MFLOP (sale.price_per_mflop) and scale them",
    splits_max_price_among_replicas: "max_price is per run, not per job: each of the 3 winners",
    ignores_max_price: "you bid 18, above max_price 17: the market refuses such a bid",
    a_float: "your strategy returned 11.7 (float). A bid is whole credits",
    skips_everything: "you won 0 of 30 jobs and made 0 credits: on job 0",
    one_credit_over_cost: "no more than always bidding max_price (192)",
}


@pytest.mark.parametrize("wrong", list(WRONG), ids=[w.__name__ for w in WRONG])
def test_wrong_strategies_fail_with_the_reason(wrong):
    outcome = check_provider_strategy.check(wrong)
    assert outcome.status == FAILED, (wrong.__name__, outcome)
    assert WRONG[wrong] in outcome.message, (wrong.__name__, outcome.message)
    assert "Traceback" not in outcome.message


def test_a_failure_names_the_market_and_the_job():
    message = check_provider_strategy.check(always_max_price).message
    assert "On job 1 of market 'an undercutter' (33.6 MFLOPs, max_price 56, redundancy 1)" in (
        message
    )
    assert "you bid 56, and it was won by ada at 47" in message


def test_a_below_cost_bid_that_lost_the_auction_is_still_refused():
    def below_cost_when_dear(job, view):
        if view.cost > 40:  # a big job: hopelessly low, it cannot win against max_price rivals
            return 1
        return cost_plus_capped(job, view)

    outcome = check_provider_strategy.check(below_cost_when_dear)
    assert outcome.status == FAILED
    assert "below your cost" in outcome.message


def test_rewriting_the_job_or_the_sales_changes_nothing_the_market_or_the_rivals_see():
    """object.__setattr__ gets past frozen, but the strategy only ever holds its own copies."""
    rewritten = []

    def sabotages_rivals(job, view):
        """Bids max_price, then makes the job look huge so the rivals' costs soar and they skip;
        puts it back on the next call (it passed, 1556 credits, before the copies)."""
        for old, params in rewritten:
            object.__setattr__(old, "params", params)
        rewritten.clear()
        if view.cost >= job.max_price:
            return None
        rewritten.append((job, job.params))
        object.__setattr__(job, "params", MappingProxyType({**job.params, "size": 4000}))
        return job.max_price

    def raises_the_cap(job, view):
        object.__setattr__(job, "max_price", 10**6)
        return 10**6

    def inflates_past_prices(job, view):
        for sale in view.sales:
            object.__setattr__(sale, "prices", tuple(5 * price for price in sale.prices))
        return one_credit_over_cost(job, view)

    def hides_its_cost(job, view):
        if view.cost > 40:
            object.__setattr__(view, "cost", 0)
            return 1
        return cost_plus_capped(job, view)

    expected = {
        sabotages_rivals: "You won 3 of the 53 jobs where your cost was the lowest",
        raises_the_cap: "(8.2 MFLOPs, max_price 17, redundancy 1) you bid 1000000, above max_price",
        inflates_past_prices: check_provider_strategy.check(one_credit_over_cost).message,
        hides_its_cost: "you bid 1, below your cost of 66",
    }
    for wrong, reason in expected.items():
        outcome = check_provider_strategy.check(wrong)
        assert outcome.status == FAILED, (wrong.__name__, outcome)
        assert reason in outcome.message, (wrong.__name__, outcome.message)


class _NeverLess(int):
    """An int that says it is never less than anything: a bid under cost in disguise."""

    def __lt__(self, other):
        return False


def test_an_int_subclass_cannot_hide_a_bid_under_cost():
    def disguised(job, view):
        return _NeverLess(1) if view.cost > 40 else cost_plus_capped(job, view)

    outcome = check_provider_strategy.check(disguised)
    assert outcome.status == FAILED
    assert "you bid 1, below your cost of 66" in outcome.message


def test_odd_but_whole_bids_are_accepted():
    def as_0d_array(job, view):
        bid = cost_plus_capped(job, view)
        return None if bid is None else np.array(bid)

    def as_whole_float(job, view):
        bid = cost_plus_capped(job, view)
        return None if bid is None else float(bid)

    for right in (as_0d_array, as_whole_float):
        assert check_provider_strategy.check(right).status == PASSED, right.__name__


def test_an_absurd_bid_is_named_in_one_short_line():
    for absurd, shown in ((10**5000, "a 5000-digit number"), (-(10**5000), "minus a 5000-digit")):
        message = check_provider_strategy.check(lambda job, view, bid=absurd: bid).message
        assert shown in message and len(message) < 400 and "\n" not in message, message


def test_the_baselines_make_what_the_messages_say():
    assert sum(s.run(at_cost).profit(YOU) for s in SCENARIOS) == 0
    assert sum(s.run(at_max_price).profit(YOU) for s in SCENARIOS) == 192


def test_the_check_is_deterministic_and_fast():
    start = time.perf_counter()
    first = check_provider_strategy.check(undercut_by_a_tick).message
    assert time.perf_counter() - start < 3
    assert check_provider_strategy.check(undercut_by_a_tick).message == first


def test_a_strategy_with_memory_is_run_fresh_in_every_market():
    """A strategy may keep state; every market still starts from the same jobs and rivals."""
    seen = []

    def remembers(job, view):
        seen.append(len(view.sales))
        return cost_plus_capped(job, view)

    assert check_provider_strategy.check(remembers).status == PASSED
    assert seen.count(0) == len(SCENARIOS)


def test_no_hint_contains_the_solution_code():
    for hint in check_provider_strategy.help_steps[1:-1]:
        assert "view.cost" not in hint and "price_per_mflop *" not in hint
