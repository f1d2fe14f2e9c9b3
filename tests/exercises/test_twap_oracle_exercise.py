"""Try it 6 of notebook 10 (read a pair's time-weighted average price), checked both ways."""

import pytest

from course.exercises import FAILED
from course.exercises.defi_amms_and_lending import check_twap_price
from tests.exercises.both_ways import assert_checked_both_ways


def average_price(pair, since_cumulative, since_time, now):
    cumulative = pair.functions.price0CumulativeLast().call()
    last = pair.functions.blockTimestampLast().call()
    if now != last:
        reserve0, reserve1 = pair.functions.getReserves().call()
        cumulative += (reserve1 * 2**112 // reserve0) * (now - last)
    return (cumulative - since_cumulative) // (now - since_time)


def average_price_always_adding(pair, since_cumulative, since_time, now):
    """Adds spot × 0 when the pair updated at now: the same number."""
    reserve0, reserve1 = pair.functions.getReserves().call()
    elapsed = (now - pair.functions.blockTimestampLast().call()) % 2**32
    spot = (reserve1 << 112) // reserve0
    cumulative = pair.functions.price0CumulativeLast().call() + spot * elapsed
    return int((cumulative - since_cumulative) // (now - since_time))


def stored_sum_only(pair, since_cumulative, since_time, now):
    return (pair.functions.price0CumulativeLast().call() - since_cumulative) // (now - since_time)


def spot_price(pair, since_cumulative, since_time, now):
    reserve0, reserve1 = pair.functions.getReserves().call()
    return reserve1 * 2**112 // reserve0


def float_division(pair, since_cumulative, since_time, now):
    return average_price(pair, since_cumulative, since_time, now) / 1


def over_the_lenders_window(pair, since_cumulative, since_time, now):
    last = pair.functions.blockTimestampLast().call()
    reserve0, reserve1 = pair.functions.getReserves().call()
    cumulative = pair.functions.price0CumulativeLast().call()
    cumulative += (reserve1 * 2**112 // reserve0) * (now - last)
    return (cumulative - since_cumulative) // 3_600


def price_of_the_other_token(pair, since_cumulative, since_time, now):
    last = pair.functions.blockTimestampLast().call()
    reserve0, reserve1 = pair.functions.getReserves().call()
    cumulative = pair.functions.price1CumulativeLast().call()
    cumulative += (reserve0 * 2**112 // reserve1) * (now - last)
    return (cumulative - since_cumulative) // (now - since_time)


def sends_a_sync(pair, since_cumulative, since_time, now):
    """Right number, but it mines a block to read it: an oracle read must not change the chain."""
    w3 = pair.w3
    w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(
        {"from": w3.eth.accounts[5], "to": w3.eth.accounts[6], "value": 1}))
    return average_price(pair, since_cumulative, since_time, now)


def test_the_twap_check_works_both_ways():
    assert_checked_both_ways(
        check_twap_price, [average_price, average_price_always_adding],
        [stored_sum_only, spot_price, float_division, over_the_lenders_window,
         price_of_the_other_token, sends_a_sync])


@pytest.mark.parametrize(("wrong", "why"), [
    (stored_sum_only, "That is the stored sum's average: the pair last updated"),
    (spot_price, "That is the spot price now, not the average since since_time."),
    (float_division, "should be an int, got float"),
    (sends_a_sync, "average_price sent a transaction: read the pair with .call() only"),
])
def test_a_wrong_reading_is_told_what_it_missed(wrong, why):
    outcome = check_twap_price.check(wrong)
    assert outcome.status == FAILED and why in outcome.message, outcome.message
