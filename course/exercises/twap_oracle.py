"""Check for notebook 10, Try it 6 (a build task): read a pair's time-weighted average price
yourself, as Uniswap V2's oracle library does, and as the TWAP lender of section 9 does.

The check deploys a fresh market on its own in-memory chain, trades and waits at random, and
asks your function for the average at each moment (and some seconds later, with nothing
mined), comparing it with ``course.defi.twap.average_price_x112``. Notebook 10 imports it
from ``course.exercises.defi_amms_and_lending``, which re-exports it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from course.defi.amm import get_amount_out
from course.defi.oracle_attack import deploy_market
from course.defi.twap import Q112, average_price_x112, cumulative_price_now
from course.evm.chain_time import advance_time
from course.evm.connection import connect
from course.evm.deploy import send
from course.exercises import CheckFailed, Exercise, expect_function, expect_type

E18 = 10**18
MOMENTS = 12  # trades and waits per check


def _usdc(price_x112: int) -> str:
    return f"{price_x112 / Q112:,.4f} USDC per WETH"


def _trade(market: Any, dice: random.Random) -> str:
    """A random swap by the market's deployer, WETH for USDC or back; returns what it did."""
    w3, me = market.w3, market.w3.eth.accounts[0]
    reserve_weth, reserve_usdc = market.pair.functions.getReserves().call()
    if dice.random() < 0.5:
        usdc_in = int(reserve_usdc * dice.uniform(0.01, 0.6))
        weth_out = get_amount_out(usdc_in, reserve_usdc, reserve_weth)
        send(w3, market.usdc.functions.transfer(market.pair.address, usdc_in), me)
        send(w3, market.pair.functions.swap(weth_out, 0, me), me)
        return f"a trade bought {weth_out / E18:,.2f} WETH"
    weth_in = int(reserve_weth * dice.uniform(0.01, 0.6))
    usdc_out = get_amount_out(weth_in, reserve_weth, reserve_usdc)
    send(w3, market.weth.functions.transfer(market.pair.address, weth_in), me)
    send(w3, market.pair.functions.swap(0, usdc_out, me), me)
    return f"a trade sold {weth_in / E18:,.2f} WETH"


def _why(answer_value: int, market: Any, since: tuple[int, int], now: int, last: int) -> str:
    """A hint for the two classic mistakes, when the answer is one of them."""
    stored = market.pair.functions.price0CumulativeLast().call()
    reserve0, reserve1 = market.pair.functions.getReserves().call()
    if now > last and answer_value == (stored - since[0]) // (now - since[1]):
        return (f" That is the stored sum's average: the pair last updated {now - last} s "
                "before now, and its sum does not include those seconds until someone trades. "
                "Add the current spot price times those seconds yourself.")
    if answer_value == reserve1 * Q112 // reserve0:
        return " That is the spot price now, not the average since since_time."
    return ""


def _test_twap_price(answer: Callable[[Any, int, int, int], int]) -> str:
    expect_function(answer, 4)
    dice = random.Random(2020)  # the year flash loans drained their first spot-price lenders
    w3 = connect()  # a fresh in-memory chain of the check's own
    market = deploy_market(w3, twap=True, reserve_weth=dice.randint(300, 3_000) * E18,
                           reserve_usdc=dice.randint(600_000, 6_000_000) * E18)
    since = (market.lender.functions.observedCumulative().call(),
             market.lender.functions.observedAt().call())
    asked = 0
    for moment in range(MOMENTS):
        what = "nothing happened"
        if moment % 3 != 1:
            advance_time(w3, dice.randint(5, 900))
            what = "the chain moved on"
        if moment % 3 != 0:
            what = _trade(market, dice)
        last = market.pair.functions.blockTimestampLast().call()
        latest = w3.eth.get_block("latest")["timestamp"]
        for later in (0, dice.randint(1, 600)):
            now = latest + later
            expected = average_price_x112(market.pair, since[0], since[1], now)
            block = w3.eth.block_number
            got = answer(market.pair, since[0], since[1], now)
            if w3.eth.block_number != block:
                raise CheckFailed("average_price sent a transaction: read the pair with "
                                  ".call() only; an oracle reading must not change the chain.")
            where = (f"after moment {moment + 1} ({what}; the pair last updated at t={last}), "
                     f"the average from t={since[1]} to now=t={now}")
            expect_type(got, int, f"average_price(pair, {since[0]}, {since[1]}, {now})")
            if got != expected:
                raise CheckFailed(f"{where} is {expected:,} ({_usdc(expected)}); you returned "
                                  f"{got:,} ({_usdc(got)})." + _why(got, market, since, now, last))
            asked += 1
        if moment in (5, 8):  # a lender starts a new window, as observe() does (time moves next)
            since = (cumulative_price_now(market.pair, latest), latest)
    return (f"Right at {asked} moments of a market that traded and waited, to the unit: the "
            "average moves only as fast as time passes at a price, so a trade inside one "
            "block cannot move it.")


check_twap_price = Exercise(
    name="twap_price",
    goal="Write average_price(pair, since_cumulative, since_time, now): the pair's average price "
    "of WETH in USDC (UQ112x112, an int) from since_time, when price0CumulativeLast read "
    "since_cumulative, to now. Read the pair with .call(): price0CumulativeLast(), "
    "blockTimestampLast() and getReserves().",
    hints=(
        "Section 9: the pair adds price × seconds to its sum only when it updates (at a trade). "
        "For the sum as of now, add the current spot price, (reserve1 * 2**112) // reserve0, "
        "times the seconds since blockTimestampLast, unless the pair updated at now. An average "
        "is a difference of two sums divided by the seconds between them, in integers.",
        "On other numbers: a stored sum of 900·2**112 written at t=50, reserves 10 and 40 (spot "
        "4·2**112) and now t=80 give a sum of 900·2**112 + 4·2**112·30 as of t=80. With a "
        "reading of 300·2**112 at t=20, the average is (1020 − 300)·2**112 // 60 = 12·2**112.",
    ),
    test=_test_twap_price,
    references=(average_price_x112, cumulative_price_now),
)
