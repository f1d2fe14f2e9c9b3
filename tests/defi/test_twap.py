"""course.defi.twap: the average read in Python equals the TWAP lender's, on-chain, to the unit."""

import pytest

from course.defi.amm import get_amount_out
from course.defi.oracle_attack import OracleAttackError, deploy_market
from course.defi.twap import Q112, average_price_x112, cumulative_price_now
from course.evm.chain_time import advance_time
from course.evm.connection import connect
from course.evm.deploy import send

E18 = 10**18


@pytest.fixture(scope="module")
def market():
    return deploy_market(connect(), twap=True)


def _buy_weth(market, usdc_in):
    w3, me = market.w3, market.w3.eth.accounts[0]
    reserve_weth, reserve_usdc = market.pair.functions.getReserves().call()
    send(w3, market.usdc.functions.transfer(market.pair.address, usdc_in), me)
    send(w3, market.pair.functions.swap(get_amount_out(usdc_in, reserve_usdc, reserve_weth), 0,
                                        me), me)


def test_the_average_is_the_lenders_before_and_after_a_pump_and_as_time_passes(market):
    lender = market.lender
    since = (lender.functions.observedCumulative().call(), lender.functions.observedAt().call())

    def both():
        now = market.w3.eth.get_block("latest")["timestamp"]
        return lender.functions.priceX112().call(), average_price_x112(market.pair, *since, now)

    on_chain, in_python = both()
    assert on_chain == in_python == 2_000 * Q112  # an untouched pool: the spot price exactly
    _buy_weth(market, 800_000 * E18)
    on_chain, in_python = both()
    assert on_chain == in_python == 2_000 * Q112  # the pump's own block adds nothing
    advance_time(market.w3, 300)
    on_chain, in_python = both()
    assert on_chain == in_python and 2_000 * Q112 < in_python < 2_400 * Q112


def test_the_sum_as_of_now_adds_the_seconds_since_the_last_update(market):
    pair = market.pair
    last = pair.functions.blockTimestampLast().call()
    stored = pair.functions.price0CumulativeLast().call()
    reserve0, reserve1 = pair.functions.getReserves().call()
    assert cumulative_price_now(pair, last) == stored
    assert cumulative_price_now(pair, last + 7) == stored + (reserve1 * Q112 // reserve0) * 7


@pytest.mark.parametrize(("call", "message"), [
    (lambda m: average_price_x112(m.pair, 0, 100, 100),
     r"now must be after since_time \(100\).*got 100"),
    (lambda m: average_price_x112(m.pair, -1, 0, 100), r"since_cumulative"),
    (lambda m: average_price_x112(m.pair, 0, 0, 10.5), r"now"),
    (lambda m: cumulative_price_now("0xpair", 100), r"pair .*CoursePair"),
])
def test_bad_arguments_are_refused_by_name(market, call, message):
    with pytest.raises(OracleAttackError, match=message):
        call(market)
