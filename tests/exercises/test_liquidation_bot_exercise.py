"""Try it 4 of notebook 10 (a liquidation bot), run over random markets both ways."""

import copy

from course.defi.lending import close_factor, liquidate
from course.exercises import FAILED, PASSED
from course.exercises.defi_amms_and_lending import check_liquidation_bot
from tests.exercises.both_ways import placeholder


def _only(side):
    ((symbol, amount),) = side.items()
    return symbol, amount


def bot(positions, prices, assets, gas_usd):
    """Try the largest allowed liquidation on a copy; send it if the bonus beats the gas."""
    orders = []
    for i, position in enumerate(positions):
        hf = position.health_factor(prices, assets)
        if hf >= 1:
            continue
        (debt, owed), (coll, _) = _only(position.debt), _only(position.collateral)
        repay = close_factor(hf) * owed
        trial = liquidate(copy.deepcopy(position), debt, coll, repay, prices, assets)
        if trial.seized * prices[coll] - trial.repaid * prices[debt] > gas_usd:
            orders.append((i, debt, coll, repay))
    return orders


def bot_by_formula(positions, prices, assets, gas_usd):
    """The same by arithmetic: profit = repaid value x bonus, repaid capped by the collateral."""
    orders = []
    for i, p in enumerate(positions):
        hf = p.health_factor(prices, assets)
        (debt, owed), (coll, held) = _only(p.debt), _only(p.collateral)
        bonus = assets[coll].liquidation_bonus
        repaid = min(close_factor(hf) * owed, held * prices[coll] / prices[debt] / (1 + bonus))
        if hf < 1 and repaid * prices[debt] * bonus > gas_usd * (1 + 1e-9):
            orders.append((i, debt, coll, close_factor(hf) * owed))
    return orders


def bot_ignores_gas(positions, prices, assets, gas_usd):
    return bot(positions, prices, assets, 0.0)


def bot_liquidates_at_hf_one_point_one(positions, prices, assets, gas_usd):
    orders = []
    for i, p in enumerate(positions):
        hf = p.health_factor(prices, assets)
        (debt, owed), (coll, _) = _only(p.debt), _only(p.collateral)
        if hf < 1.1:
            orders.append((i, debt, coll, 0.5 * owed))
    return orders


def bot_skips_everything(positions, prices, assets, gas_usd):
    return []


def bot_repays_a_tenth(positions, prices, assets, gas_usd):
    return [(i, d, c, r / 5) for i, d, c, r in bot(positions, prices, assets, gas_usd)]


def bot_returns_a_count(positions, prices, assets, gas_usd):
    return len(bot(positions, prices, assets, gas_usd))


def test_the_bot_check_both_ways():
    assert check_liquidation_bot.check(placeholder).status == "not done"
    for right in (bot, bot_by_formula):
        outcome = check_liquidation_bot.check(right)
        assert outcome.status == PASSED, outcome.message
    expected = {
        bot_ignores_gas: "a loss",
        bot_liquidates_at_hf_one_point_one: "a healthy position cannot be liquidated",
        bot_skips_everything: "skipped position",
        bot_repays_a_tenth: "repay as much as allowed",
        bot_returns_a_count: "expected a list",
    }
    for wrong, reason in expected.items():
        outcome = check_liquidation_bot.check(wrong)
        assert outcome.status == FAILED, (wrong.__name__, outcome)
        assert reason in outcome.message, (wrong.__name__, outcome.message)


def test_the_bot_may_not_send_two_orders_for_one_position():
    def twice(positions, prices, assets, gas_usd):
        orders = bot(positions, prices, assets, gas_usd)
        return orders + orders[:1]

    assert "liquidated twice" in check_liquidation_bot.check(twice).message


def test_no_hint_contains_the_solution_code():
    for hint in check_liquidation_bot.help_steps[1:-1]:
        assert "close_factor(hf) * owed" not in hint and "health_factor(prices" not in hint
