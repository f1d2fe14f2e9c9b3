"""Try it 6 of notebook 11 (a backtest harness without look-ahead), both ways."""

import numpy as np

from course.exercises import FAILED, PASSED
from course.exercises.defi_risk_lab import check_walk_forward
from tests.exercises.both_ways import placeholder


def walk_forward(prices, decide, fee_bps):
    wealth, position = 1.0, 0.0
    for t in range(len(prices) - 1):
        new = decide(prices[: t + 1].copy())
        wealth *= 1 - fee_bps / 10_000 * abs(new - position)
        wealth *= 1 + new * (prices[t + 1] / prices[t] - 1)
        position = new
    return wealth


def walk_forward_read_only_views(prices, decide, fee_bps):
    prices = np.asarray(prices, dtype=float)
    view = prices.view()
    view.flags.writeable = False
    positions = [decide(view[: t + 1]) for t in range(len(prices) - 1)]
    moves = prices[1:] / prices[:-1] - 1
    changes = np.abs(np.diff([0.0, *positions]))
    return float(np.prod((1 - fee_bps / 10_000 * changes) * (1 + np.array(positions) * moves)))


def peeks_one_day_ahead(prices, decide, fee_bps):
    wealth, position = 1.0, 0.0
    for t in range(len(prices) - 1):
        new = decide(prices[: t + 2].copy())
        wealth *= (1 - fee_bps / 10_000 * abs(new - position)) * (
            1 + new * (prices[t + 1] / prices[t] - 1)
        )
        position = new
    return wealth


def shows_everything(prices, decide, fee_bps):
    return walk_forward(prices, lambda past: decide(prices.copy()), fee_bps)


def writable_slices(prices, decide, fee_bps):
    wealth, position = 1.0, 0.0
    for t in range(len(prices) - 1):
        new = decide(prices[: t + 1])  # a view: the strategy can write into the prices
        wealth *= (1 - fee_bps / 10_000 * abs(new - position)) * (
            1 + new * (prices[t + 1] / prices[t] - 1)
        )
        position = new
    return wealth


def same_day_return(prices, decide, fee_bps):
    wealth, position = 1.0, 0.0
    for t in range(1, len(prices)):
        new = decide(prices[: t + 1].copy()) if t < len(prices) - 1 else position
        decide_calls_ok = new
        wealth *= (1 - fee_bps / 10_000 * abs(decide_calls_ok - position)) * (
            1 + decide_calls_ok * (prices[t] / prices[t - 1] - 1)
        )
        position = new
    return wealth


def no_fee(prices, decide, fee_bps):
    return walk_forward(prices, decide, 0)


def skips_the_first_day(prices, decide, fee_bps):
    wealth, position = 1.0, 0.0
    for t in range(1, len(prices) - 1):
        new = decide(prices[: t + 1].copy())
        wealth *= (1 - fee_bps / 10_000 * abs(new - position)) * (
            1 + new * (prices[t + 1] / prices[t] - 1)
        )
        position = new
    return wealth


def test_the_harness_check_both_ways():
    assert check_walk_forward.check(placeholder).status == "not done"
    for right in (walk_forward, walk_forward_read_only_views):
        outcome = check_walk_forward.check(right)
        assert outcome.status == PASSED, outcome.message
    expected = {
        peeks_one_day_ahead: "saw day 40's 3x jump before it happened",
        shows_everything: "look-ahead",
        writable_slices: "rewrote the prices",
        no_fee: "No fee was charged",
        skips_the_first_day: "must decide once per step",
    }
    for wrong, reason in expected.items():
        outcome = check_walk_forward.check(wrong)
        assert outcome.status == FAILED, (wrong.__name__, outcome)
        assert reason in outcome.message, (wrong.__name__, outcome.message)
    outcome = check_walk_forward.check(same_day_return)
    assert outcome.status == FAILED


def test_no_hint_contains_the_solution_code():
    for hint in check_walk_forward.help_steps[1:-1]:
        assert "prices[: t + 1]" not in hint and "decide(" not in hint
