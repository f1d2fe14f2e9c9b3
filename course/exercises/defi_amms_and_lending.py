"""Checks for notebook 08 (DeFi: AMMs and lending): each runs your function on many inputs and
compares it with course.defi, whose AMM matches Uniswap V2 (and the on-chain CoursePair) to the
wei and whose lending rules follow Aave."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping

import numpy as np

from course.defi.amm import V2_CORE_SWAP_CASES, get_amount_out
from course.defi.impermanent_loss import impermanent_loss
from course.defi.lending import Asset, health_factor
from course.exercises import CheckFailed, Exercise, expect_function, expect_type

E18 = 10**18

def _amount_out_cases() -> list[tuple[int, int, int]]:
    """The v2-core vectors, tiny pools where rounding decides everything, then random pools."""
    cases = [(a * E18, r_in * E18, r_out * E18) for a, r_in, r_out, _ in V2_CORE_SWAP_CASES]
    cases += [(1, 1, 1), (1, 1000, 1000), (1000, 1000, 1000), (3, 10, 7), (997, 1000, 1),
              (10**40, 10**40, 10**40), (1, 10**30, 10**30)]
    rng = random.Random(2020)  # Uniswap V2's launch year
    for _ in range(300):
        cases.append((rng.randrange(1, 10**rng.randint(1, 30)),
                      rng.randrange(1, 10**rng.randint(1, 30)),
                      rng.randrange(1, 10**rng.randint(1, 30))))
    return cases


def _test_amount_out(answer: Callable[[int, int, int], int]) -> str:
    expect_function(answer, 3)
    for amount_in, reserve_in, reserve_out in _amount_out_cases():
        got = answer(amount_in, reserve_in, reserve_out)
        call = f"amount_out({amount_in}, {reserve_in}, {reserve_out})"
        if isinstance(got, float):
            raise CheckFailed(f"{call} returned the float {got!r}: token amounts are whole "
                              "numbers of the smallest unit, and a float keeps only ~16 digits. "
                              "Use integers and // (floor division) throughout.")
        expect_type(got, int, call)
        expected = get_amount_out(amount_in, reserve_in, reserve_out)
        if got == expected:
            continue
        no_fee = amount_in * reserve_out // (reserve_in + amount_in)
        fee_on_output = no_fee * 997 // 1000
        if got == no_fee:
            why = " That is the trade without the 0.3% fee: only 99.7% of the input counts."
        elif got == fee_on_output and fee_on_output != no_fee:
            why = (" You took the fee from the output; Uniswap takes it from the input "
                   "(amount_in * 997) before applying x·y = k.")
        elif abs(got - expected) <= max(2, expected // 10**12):
            why = (" Off by a little: a rounding problem (a float on the way keeps only ~16 "
                   "digits). Use integers, multiply first and divide once at the end with //, "
                   "which rounds down like Solidity.")
        else:
            why = ""
        raise CheckFailed(f"{call} returned {got}, expected {expected}.{why}")
    return (f"{len(_amount_out_cases())} swaps to the wei, Uniswap v2-core's test vectors "
            "included: 1 into 5/10 gives 1662497915624478906.")


check_amount_out = Exercise(
    name="amount_out",
    goal="Write amount_out(amount_in, reserve_in, reserve_out): what a Uniswap V2 pool pays out "
    "for exactly amount_in, after the 0.3% fee on the input, rounded down to a whole unit.",
    hints=(
        "Only 99.7% of the input counts: amount_in * 997 / 1000. Then keep (x + dx)(y - dy) = x·y "
        "and solve for dy. Integers only: multiply first, divide last with //.",
        "with_fee = amount_in * 997; "
        "return with_fee * reserve_out // (reserve_in * 1000 + with_fee)",
    ),
    test=_test_amount_out,
)


def _ratios() -> list[float]:
    classic = [1.25, 1.5, 1.75, 2.0, 3.0, 4.0, 5.0]
    rng = np.random.default_rng(2019)  # Pintail's table appeared in 2019
    return ([1.0] + classic + [1 / r for r in classic] + [0.01, 100.0, 1e-6, 1e6, 7, 1]
            + [float(r) for r in rng.lognormal(0.0, 1.0, 40)])


def _test_impermanent_loss(answer: Callable[[float], float]) -> str:
    expect_function(answer, 1)
    for ratio in _ratios():
        got = answer(ratio)
        expect_type(got, (int, float, np.floating), f"impermanent_loss({ratio})")
        expected = impermanent_loss(ratio)
        if math.isclose(float(got), expected, rel_tol=1e-9, abs_tol=1e-12):
            continue
        got = float(got)
        if math.isclose(got, -expected, rel_tol=1e-9):
            why = " The sign is flipped: the LP is worse off than holding, so the answer is <= 0."
        elif math.isclose(got, expected + 1, rel_tol=1e-9):
            why = (" That is the LP's value as a fraction of holding; the loss is that minus 1 "
                   "(0 when the price has not moved).")
        elif math.isclose(got, math.sqrt(ratio) - 1, rel_tol=1e-9, abs_tol=1e-12):
            why = (" That compares the LP with its own deposit (sqrt(r) - 1). Compare it with "
                   "holding the deposit instead, worth (1 + r) / 2 of it.")
        elif math.isclose(got, 1 / (expected + 1) - 1, rel_tol=1e-9):
            why = " Upside down: LP value divided by HODL value, not the other way round."
        else:
            why = ""
        raise CheckFailed(f"impermanent_loss({ratio}) returned {got:.6f}, expected "
                          f"{expected:.6f}.{why}")
    return "IL(r) = 2·sqrt(r) / (1 + r) - 1: -5.72% at 2x and at 0.5x alike, fees not counted."


check_impermanent_loss = Exercise(
    name="impermanent_loss",
    goal="Write impermanent_loss(price_ratio): the value of a 50/50 constant-product LP position "
    "divided by the value of simply holding the deposit, minus 1, when the price has changed by "
    "price_ratio (new price / price at deposit). Ignore fees.",
    hints=(
        "Measure in the quote token with the old price 1 and the new price r: holding is worth "
        "(1 + r) / 2 of the deposit; the LP, whose x·y stays constant, is worth sqrt(r) of it.",
        "return 2 * math.sqrt(price_ratio) / (1 + price_ratio) - 1",
    ),
    test=_test_impermanent_loss,
)


# Risk parameters of the order Aave V3 lists on Ethereum (fractions).
CHECK_ASSETS = {
    "WETH": Asset("WETH", ltv=0.80, liquidation_threshold=0.825, liquidation_bonus=0.05),
    "WBTC": Asset("WBTC", ltv=0.73, liquidation_threshold=0.78, liquidation_bonus=0.065),
    "USDC": Asset("USDC", ltv=0.77, liquidation_threshold=0.80, liquidation_bonus=0.045),
    "DAI": Asset("DAI", ltv=0.63, liquidation_threshold=0.77, liquidation_bonus=0.05),
    "LINK": Asset("LINK", ltv=0.53, liquidation_threshold=0.68, liquidation_bonus=0.07),
}
BASE_PRICES = {"WETH": 2_000.0, "WBTC": 60_000.0, "USDC": 1.0, "DAI": 1.0, "LINK": 15.0}

Book = dict[str, float]


def _positions() -> list[tuple[Book, Book, Book]]:
    """(collateral, debt, prices): a hand-made one, then random positions of 1-3 by 1-2 assets."""
    cases = [({"WETH": 10.0, "WBTC": 1.0}, {"USDC": 25_000.0, "WETH": 5.0}, dict(BASE_PRICES)),
             ({"WETH": 1.0}, {"USDC": 1_650.0}, dict(BASE_PRICES))]
    rng = random.Random(2020)
    symbols = sorted(CHECK_ASSETS)
    for _ in range(200):
        prices = {s: p * rng.uniform(0.3, 3.0) for s, p in BASE_PRICES.items()}
        collateral = {s: rng.uniform(0.01, 50_000.0) / prices[s]
                      for s in rng.sample(symbols, rng.randint(1, 3))}
        debt = {s: rng.uniform(0.01, 40_000.0) / prices[s]
                for s in rng.sample(symbols, rng.randint(1, 2))}
        cases.append((collateral, debt, prices))
    return cases


def _value(amounts: Mapping[str, float], prices: Mapping[str, float],
           weight: Callable[[str], float] = lambda s: 1.0) -> float:
    return sum(amount * prices[s] * weight(s) for s, amount in amounts.items())


def _test_health_factor(answer: Callable[..., float]) -> str:
    expect_function(answer, 4)
    for collateral, debt, prices in _positions():
        got = answer(dict(collateral), dict(debt), dict(prices), dict(CHECK_ASSETS))
        shown = (f"health_factor(collateral={_rounded(collateral)}, debt={_rounded(debt)}, "
                 f"prices={_rounded(prices)}, assets)")
        expect_type(got, (int, float, np.floating), shown)
        expected = health_factor(collateral, debt, prices, CHECK_ASSETS)
        if math.isclose(float(got), expected, rel_tol=1e-9):
            continue
        got = float(got)
        threshold = _value(collateral, prices, lambda s: CHECK_ASSETS[s].liquidation_threshold)
        with_ltv = _value(collateral, prices, lambda s: CHECK_ASSETS[s].ltv) / _value(debt, prices)
        unpriced_debt = threshold / sum(debt.values())
        if math.isclose(got, with_ltv, rel_tol=1e-9):
            why = (" You used the LTV: it limits how much you may borrow; the health factor uses "
                   "the liquidation threshold.")
        elif math.isclose(got, 1 / expected, rel_tol=1e-9):
            why = " Upside down: collateral (times its threshold) goes on top, debt below."
        elif math.isclose(got, unpriced_debt, rel_tol=1e-9):
            why = " The debt must be valued too: amount * price for every borrowed asset."
        else:
            why = (" Does every collateral asset count with its own threshold, and every debt "
                   "at its own price?")
        raise CheckFailed(f"{shown} returned {got:.6f}, expected {expected:.6f}.{why}")
    try:
        no_debt = answer({"WETH": 1.0}, {}, dict(BASE_PRICES), dict(CHECK_ASSETS))
    except ZeroDivisionError:
        raise CheckFailed("a position with no debt raised ZeroDivisionError: with nothing owed it "
                          "can never be liquidated, so its health factor is math.inf.") from None
    if no_debt != math.inf:
        raise CheckFailed(f"a position with no debt returned {no_debt!r}; it can never be "
                          "liquidated, so its health factor is math.inf.")
    return (f"{len(_positions()) + 1} positions: HF = sum(collateral·price·threshold) / "
            "sum(debt·price); below 1, liquidators may step in.")


def _rounded(book: Mapping[str, float]) -> dict[str, float]:
    return {symbol: float(f"{value:.6g}") for symbol, value in book.items()}


check_health_factor = Exercise(
    name="health_factor",
    goal="Write health_factor(collateral, debt, prices, assets) for a position of several assets: "
    "sum of collateral amount * price * liquidation_threshold, divided by the sum of debt amount "
    "* price; math.inf when nothing is owed. Amounts and prices are dicts by symbol; assets maps "
    "a symbol to its Asset.",
    hints=(
        "Loop over collateral.items() and debt.items(); assets[symbol].liquidation_threshold is "
        "the weight of a collateral asset. Debt is not weighted.",
        "top = sum(a * prices[s] * assets[s].liquidation_threshold "
        "for s, a in collateral.items()); bottom = sum(a * prices[s] for s, a in debt.items()); "
        "return top / bottom if bottom else math.inf",
    ),
    test=_test_health_factor,
)
