"""Checks for notebook 10 (DeFi: AMMs and lending): each runs your function on many inputs and
compares it with course.defi, whose AMM matches Uniswap V2 (and the on-chain CoursePair) to the
wei and whose lending rules follow Aave."""

from __future__ import annotations

import copy
import math
import random
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from course.defi.amm import V2_CORE_SWAP_CASES, get_amount_out
from course.defi.impermanent_loss import impermanent_loss
from course.defi.lending import (
    Asset,
    LendingError,
    Position,
    PositionHealthy,
    close_factor,
    health_factor,
    liquidate,
)
from course.exercises import CheckFailed, Exercise, expect_function, expect_type
from course.exercises.twap_oracle import check_twap_price  # noqa: F401 (Try it 6, re-exported)

E18 = 10**18


def _amount_out_cases() -> list[tuple[int, int, int]]:
    """The v2-core vectors, tiny pools where rounding decides everything, then random pools."""
    cases = [(a * E18, r_in * E18, r_out * E18) for a, r_in, r_out, _ in V2_CORE_SWAP_CASES]
    cases += [
        (1, 1, 1),
        (1, 1000, 1000),
        (1000, 1000, 1000),
        (3, 10, 7),
        (997, 1000, 1),
        (10**40, 10**40, 10**40),
        (1, 10**30, 10**30),
    ]
    rng = random.Random(2020)  # Uniswap V2's launch year
    for _ in range(300):
        cases.append(
            (
                rng.randrange(1, 10 ** rng.randint(1, 30)),
                rng.randrange(1, 10 ** rng.randint(1, 30)),
                rng.randrange(1, 10 ** rng.randint(1, 30)),
            )
        )
    return cases


def _test_amount_out(answer: Callable[[int, int, int], int]) -> str:
    expect_function(answer, 3)
    for amount_in, reserve_in, reserve_out in _amount_out_cases():
        got = answer(amount_in, reserve_in, reserve_out)
        call = f"amount_out({amount_in}, {reserve_in}, {reserve_out})"
        if isinstance(got, float):
            raise CheckFailed(
                f"{call} returned the float {got!r}: token amounts are whole "
                "numbers of the smallest unit, and a float keeps only ~16 digits. "
                "Use integers and // (floor division) throughout."
            )
        expect_type(got, int, call)
        expected = get_amount_out(amount_in, reserve_in, reserve_out)
        if got == expected:
            continue
        no_fee = amount_in * reserve_out // (reserve_in + amount_in)
        fee_on_output = no_fee * 997 // 1000
        if got == no_fee:
            why = " That is the trade without the 0.3% fee: only 99.7% of the input counts."
        elif got == fee_on_output and fee_on_output != no_fee:
            why = (
                " You took the fee from the output; Uniswap takes it from the input "
                "(amount_in * 997) before applying x·y = k."
            )
        elif abs(got - expected) <= max(2, expected // 10**12):
            why = (
                " Off by a little: a rounding problem (a float on the way keeps only ~16 "
                "digits). Use integers, multiply first and divide once at the end with //, "
                "which rounds down like Solidity."
            )
        else:
            why = ""
        raise CheckFailed(f"{call} returned {got}, expected {expected}.{why}")
    return (
        f"{len(_amount_out_cases())} swaps to the wei, Uniswap v2-core's test vectors "
        "included: 1 into 5/10 gives 1662497915624478906."
    )


check_amount_out = Exercise(
    name="amount_out",
    references=(get_amount_out,),
    goal="Write amount_out(amount_in, reserve_in, reserve_out): what a Uniswap V2 pool pays out "
    "for exactly amount_in, after the 0.3% fee on the input, rounded down to a whole unit.",
    hints=(
        "Section 1's rule: the pool keeps x·y from falling, but only 99.7% of the input counts "
        "(the 0.3% fee stays in the pool). Solve (x + counted input)(y - out) = x·y for out, "
        "in integers, rounding down like Solidity.",
        "The same algebra with a 1% fee, on a pool of 50 and 80 selling 10: counted = 10 * 99 "
        "= 990 (hundredths); out = 990 * 80 // (50 * 100 + 990) = 79200 // 5990 = 13. Multiply "
        "first, divide once at the end with //, never through a float.",
    ),
    test=_test_amount_out,
)


def _ratios() -> list[float]:
    classic = [1.25, 1.5, 1.75, 2.0, 3.0, 4.0, 5.0]
    rng = np.random.default_rng(2019)  # Pintail's table appeared in 2019
    return (
        [1.0]
        + classic
        + [1 / r for r in classic]
        + [0.01, 100.0, 1e-6, 1e6, 7, 1]
        + [float(r) for r in rng.lognormal(0.0, 1.0, 40)]
    )


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
            why = (
                " That is the LP's value as a fraction of holding; the loss is that minus 1 "
                "(0 when the price has not moved)."
            )
        elif math.isclose(got, math.sqrt(ratio) - 1, rel_tol=1e-9, abs_tol=1e-12):
            why = (
                " That compares the LP with its own deposit (sqrt(r) - 1). Compare it with "
                "holding the deposit instead, worth (1 + r) / 2 of it."
            )
        elif math.isclose(got, 1 / (expected + 1) - 1, rel_tol=1e-9):
            why = " Upside down: LP value divided by HODL value, not the other way round."
        else:
            why = ""
        raise CheckFailed(
            f"impermanent_loss({ratio}) returned {got:.6f}, expected {expected:.6f}.{why}"
        )
    return "IL(r) = 2·sqrt(r) / (1 + r) - 1: -5.72% at 2x and at 0.5x alike, fees not counted."


check_impermanent_loss = Exercise(
    name="impermanent_loss",
    goal="Write impermanent_loss(price_ratio): the value of a 50/50 constant-product LP position "
    "divided by the value of simply holding the deposit, minus 1, when the price has changed by "
    "price_ratio (new price / price at deposit). Ignore fees.",
    hints=(
        "Section 4: value both positions in the quote token. Holding keeps the deposit's "
        "amounts; the LP's reserves move along x·y = k so that the pool's price equals the new "
        "price. Compare the two values.",
        "Worked on numbers: deposit 1 ETH + 100 USDC (price 100, k = 100). Price goes to 400: "
        "holding is worth 400 + 100 = 500; the pool now holds x = sqrt(k / 400) = 0.5 ETH and "
        "y = sqrt(k * 400) = 200 USDC, worth 0.5 * 400 + 200 = 400. Loss = 400 / 500 - 1 = -20%. "
        "Now do it with a ratio r instead of 4.",
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
    cases = [
        ({"WETH": 10.0, "WBTC": 1.0}, {"USDC": 25_000.0, "WETH": 5.0}, dict(BASE_PRICES)),
        ({"WETH": 1.0}, {"USDC": 1_650.0}, dict(BASE_PRICES)),
    ]
    rng = random.Random(2020)
    symbols = sorted(CHECK_ASSETS)
    for _ in range(200):
        prices = {s: p * rng.uniform(0.3, 3.0) for s, p in BASE_PRICES.items()}
        collateral = {
            s: rng.uniform(0.01, 50_000.0) / prices[s]
            for s in rng.sample(symbols, rng.randint(1, 3))
        }
        debt = {
            s: rng.uniform(0.01, 40_000.0) / prices[s]
            for s in rng.sample(symbols, rng.randint(1, 2))
        }
        cases.append((collateral, debt, prices))
    return cases


def _value(
    amounts: Mapping[str, float],
    prices: Mapping[str, float],
    weight: Callable[[str], float] = lambda s: 1.0,
) -> float:
    return sum(amount * prices[s] * weight(s) for s, amount in amounts.items())


def _test_health_factor(answer: Callable[..., float]) -> str:
    expect_function(answer, 4)
    for collateral, debt, prices in _positions():
        got = answer(dict(collateral), dict(debt), dict(prices), dict(CHECK_ASSETS))
        shown = (
            f"health_factor(collateral={_rounded(collateral)}, debt={_rounded(debt)}, "
            f"prices={_rounded(prices)}, assets)"
        )
        expect_type(got, (int, float, np.floating), shown)
        expected = health_factor(collateral, debt, prices, CHECK_ASSETS)
        if math.isclose(float(got), expected, rel_tol=1e-9):
            continue
        got = float(got)
        threshold = _value(collateral, prices, lambda s: CHECK_ASSETS[s].liquidation_threshold)
        with_ltv = _value(collateral, prices, lambda s: CHECK_ASSETS[s].ltv) / _value(debt, prices)
        unpriced_debt = threshold / sum(debt.values())
        if math.isclose(got, with_ltv, rel_tol=1e-9):
            why = (
                " You used the LTV: it limits how much you may borrow; the health factor uses "
                "the liquidation threshold."
            )
        elif math.isclose(got, 1 / expected, rel_tol=1e-9):
            why = " Upside down: collateral (times its threshold) goes on top, debt below."
        elif math.isclose(got, unpriced_debt, rel_tol=1e-9):
            why = " The debt must be valued too: amount * price for every borrowed asset."
        else:
            why = (
                " Does every collateral asset count with its own threshold, and every debt "
                "at its own price?"
            )
        raise CheckFailed(f"{shown} returned {got:.6f}, expected {expected:.6f}.{why}")
    try:
        no_debt = answer({"WETH": 1.0}, {}, dict(BASE_PRICES), dict(CHECK_ASSETS))
    except ZeroDivisionError:
        raise CheckFailed(
            "a position with no debt raised ZeroDivisionError: with nothing owed it "
            "can never be liquidated, so its health factor is math.inf."
        ) from None
    if no_debt != math.inf:
        raise CheckFailed(
            f"a position with no debt returned {no_debt!r}; it can never be "
            "liquidated, so its health factor is math.inf."
        )
    return (
        f"{len(_positions()) + 1} positions: HF = sum(collateral·price·threshold) / "
        "sum(debt·price); below 1, liquidators may step in."
    )


def _rounded(book: Mapping[str, float]) -> dict[str, float]:
    return {symbol: float(f"{value:.6g}") for symbol, value in book.items()}


check_health_factor = Exercise(
    name="health_factor",
    goal="Write health_factor(collateral, debt, prices, assets) for a position of several assets: "
    "sum of collateral amount * price * liquidation_threshold, divided by the sum of debt amount "
    "* price; math.inf when nothing is owed. Amounts and prices are dicts by symbol; assets maps "
    "a symbol to its Asset.",
    hints=(
        "Section 5: each collateral asset counts at its price times its own liquidation "
        "threshold (not its LTV); debt counts at its price, unweighted. The ratio of the two "
        "sums is the health factor.",
        "In pseudo-code: weighted = 0; for each (symbol, amount) held: weighted += amount * "
        "price of symbol * threshold of symbol; owed = 0; for each (symbol, amount) owed: owed "
        "+= amount * price of symbol; nothing owed -> infinity, else weighted / owed. E.g. 2 "
        "ETH at 1,000 with threshold 0.8 against 1,000 USDC owed: 1,600 / 1,000 = 1.6.",
    ),
    test=_test_health_factor,
)


# Try it 5: the oracle attack, run on-chain against fresh markets of several sizes.
ATTACK_MARKETS = (
    {"reserve_weth": 1_000 * E18, "reserve_usdc": 2_000_000 * E18, "lender_cash": 3_000_000 * E18},
    {"reserve_weth": 37 * E18, "reserve_usdc": 111_111 * E18, "lender_cash": 400_000 * E18},
)

_ATTACK_REASONS = {
    "CoursePair: K": "the pair refused your swap (K): you asked for more WETH than the USDC you "
    "paid in buys; compute weth_out with get_amount_out on the current reserves",
    "OracleLender: INSUFFICIENT_COLLATERAL": "the lender refused the borrow: it is more than "
    "LTV x your collateral x the price *after* your swap (rounded down)",
    "OracleLender: NOT_ENOUGH_CASH": "you asked the lender for more USDC than it holds "
    "(market.view().lender_cash)",
    "FlashLoanPool: NOT_REPAID": "the attack contract could not repay loan + fee: it ended the "
    "steps with less USDC than it borrowed plus the fee",
    "ERC20: transfer amount exceeds balance": "a transfer ran short. Usually that is the "
    "repayment: the USDC you borrowed did not cover loan + fee, so the attack does not pay; buy "
    "with a bigger share of the pool's USDC (the gain grows with the square of the price move). "
    "Or a step spent tokens the attack contract did not have yet",
    "FlashLoanPool: NOT_ENOUGH_LIQUIDITY": "the flash pool cannot lend that much "
    "(market.view().flash_available)",
}


def _test_oracle_attack(answer: Callable[[Any], Any]) -> str:
    from course.defi.oracle_attack import (
        FlashAttack,
        deploy_market,
        flash_fee,
        reconcile,
        run_attack,
    )
    from course.evm.connection import connect

    expect_function(answer, 1)
    w3 = connect()
    profits = []
    for sizes in ATTACK_MARKETS:
        where = (
            f"a pool of {sizes['reserve_weth'] // E18:,} WETH / "
            f"{sizes['reserve_usdc'] // E18:,} USDC, lender cash "
            f"{sizes['lender_cash'] // E18:,} USDC"
        )
        reports = []
        for twap in (False, True):
            market = deploy_market(w3, twap=twap, **sizes)
            plan = answer(market)
            if not isinstance(plan, FlashAttack):
                raise CheckFailed(
                    f"attack(market) on {where} returned {type(plan).__name__}, "
                    "expected FlashAttack(loan=..., steps=tuple of market steps)."
                )
            report = run_attack(market, plan)
            broken = reconcile(report, flash_fee(plan.loan))
            if broken:  # the course's own accounting failed: say so plainly
                raise CheckFailed(f"on {where} the books do not balance: {broken[0]}")
            reports.append(report)
        spot, twap_report = reports
        if not spot.succeeded:
            why = _ATTACK_REASONS.get(spot.reason, f"it reverted with {spot.reason!r}")
            raise CheckFailed(
                f"against the spot-price lender on {where}, your attack reverted: {why}."
            )
        if spot.profit <= 0:
            raise CheckFailed(
                f"against the spot-price lender on {where} your attack ran but made "
                f"{spot.profit / E18:,.2f} USDC. Borrowing at 80% of the value pays only when "
                "your purchase lifts the price enough: buy with a bigger share of the pool's "
                "USDC (the gain grows with the square of the price move)."
            )
        if twap_report.profit > 0:
            raise CheckFailed(
                f"the same attack also profits {twap_report.profit / E18:,.2f} USDC "
                f"from the TWAP lender on {where}: it must not (the check expects "
                "your plan to rely on the manipulated spot price)."
            )
        profits.append(spot.profit)
    best = max(profits)
    return (
        f"on-chain, {len(ATTACK_MARKETS)} markets: spot-price lender drained (up to "
        f"{best / E18:,.0f} USDC kept, every wei reconciled); the TWAP lender refused the "
        "same plan."
    )


check_oracle_attack = Exercise(
    name="oracle_attack",
    goal="Write attack(market) returning FlashAttack(loan, steps): flash-borrow USDC, buy WETH "
    "from the pair, deposit it in the lender, borrow against the price you just moved, and end "
    "with enough USDC to repay loan + fee. The check runs it on-chain: it must profit from the "
    "spot-price lender and not from the TWAP lender.",
    hints=(
        "Section 8: the spot-price lender believes whatever price the pair shows inside the "
        "transaction. A purchase lifts the price; your collateral is then valued at the lifted "
        "price, and the loan is paid with the victim lender's money. Every amount must be "
        "computed beforehand from market.view(), with the pair's exact integer rules.",
        "Pseudo-code on other names: v = market.view(); spend = a big share of v.reserve_debt; "
        "got = swap output for spend (the AMM formula of Try it 1, USDC in, WETH out); new "
        "reserves = (collateral - got, debt + spend); price = new spot price * 2**112; limit = "
        "borrow limit of got at that price (oracle_attack.borrow_limit), no more than the "
        "lender's cash; steps = buy, deposit, borrow; loan = spend.",
    ),
    test=_test_oracle_attack,
)


# Try it 4 (a build task): a liquidation bot, run over random markets.
GAS_USD = 40.0  # what one liquidation transaction costs the bot, in dollars


def _bot_markets() -> list[tuple[list[Position], Book]]:
    """Random books of one-collateral, one-debt positions, each after a random price shock."""
    rng = random.Random(2012)  # MakerDAO's first year: the first on-chain liquidations
    symbols = sorted(CHECK_ASSETS)
    markets = []
    for _ in range(8):
        prices = {s: p * rng.uniform(0.5, 1.5) for s, p in BASE_PRICES.items()}
        positions = []
        for _ in range(40):
            coll, owed = rng.sample(symbols, 2)
            value = 10 ** rng.uniform(1.5, 6)  # 30 USD to 1,000,000 USD of collateral
            hf = rng.uniform(0.6, 1.4)
            threshold = CHECK_ASSETS[coll].liquidation_threshold
            positions.append(
                Position(
                    collateral={coll: value / prices[coll]},
                    debt={owed: value * threshold / hf / prices[owed]},
                )
            )
        markets.append((positions, prices))
    return markets


def _best_liquidation_profit(position: Position, prices: Book) -> float:
    """Dollar profit of repaying the most the close factor allows, before gas; 0 if healthy."""
    if position.health_factor(prices, CHECK_ASSETS) >= 1:
        return 0.0
    (owed_symbol, owed), (coll_symbol, _) = (*position.debt.items(), *position.collateral.items())
    factor = close_factor(position.health_factor(prices, CHECK_ASSETS))
    done = liquidate(
        copy.deepcopy(position), owed_symbol, coll_symbol, factor * owed, prices, CHECK_ASSETS
    )
    return done.seized * prices[coll_symbol] - done.repaid * prices[owed_symbol]


def _test_liquidation_bot(answer: Callable[..., Any]) -> str:
    expect_function(answer, 4)
    done, worth = 0, 0.0
    for number, (positions, prices) in enumerate(_bot_markets()):
        book = [copy.deepcopy(p) for p in positions]
        orders = answer(book, dict(prices), dict(CHECK_ASSETS), GAS_USD)
        where = f"market #{number} (40 positions, prices {_rounded(prices)})"
        if not isinstance(orders, list | tuple):
            raise CheckFailed(
                f"on {where} the bot returned {type(orders).__name__}, expected a list of "
                "(index, debt_symbol, collateral_symbol, repay_amount) orders."
            )
        chosen: set[int] = set()
        healthy = [
            order[0]
            for order in orders
            if isinstance(order, tuple | list)
            and len(order) == 4
            and isinstance(order[0], int | np.integer)
            and 0 <= order[0] < len(positions)
            and positions[order[0]].health_factor(prices, CHECK_ASSETS) >= 1
        ]
        if healthy:
            hf = positions[healthy[0]].health_factor(prices, CHECK_ASSETS)
            raise CheckFailed(
                f"on {where} the bot liquidated position {healthy[0]}, whose health factor is "
                f"{hf:.4f}: a healthy position cannot be liquidated (the transaction "
                "reverts and the bot pays the gas for nothing)."
            )
        for order in orders:
            if not (isinstance(order, tuple | list) and len(order) == 4):
                raise CheckFailed(
                    f"on {where} the order {order!r} is not (index, debt_symbol, "
                    "collateral_symbol, repay_amount)."
                )
            index, owed_symbol, coll_symbol, repay = order
            if not isinstance(index, int | np.integer) or not 0 <= index < len(positions):
                raise CheckFailed(f"on {where} the order {order!r} names no position.")
            if index in chosen:
                raise CheckFailed(
                    f"on {where} position {index} is liquidated twice: send one order."
                )
            chosen.add(int(index))
            position = copy.deepcopy(positions[index])
            hf = position.health_factor(prices, CHECK_ASSETS)
            try:
                result = liquidate(position, owed_symbol, coll_symbol, repay, prices, CHECK_ASSETS)
            except PositionHealthy:
                raise CheckFailed(
                    f"on {where} the bot liquidated position {index}, whose health factor is "
                    f"{hf:.4f}: a healthy position cannot be liquidated (the transaction "
                    "reverts and the bot pays the gas for nothing)."
                ) from None
            except LendingError as refused:
                raise CheckFailed(f"on {where} order {order!r} was refused: {refused}") from None
            profit = result.seized * prices[coll_symbol] - result.repaid * prices[owed_symbol]
            if profit <= GAS_USD:
                raise CheckFailed(
                    f"on {where} liquidating position {index} (HF {hf:.4f}) earned "
                    f"{profit:,.2f} USD of bonus against {GAS_USD:.0f} USD of gas: a loss. Skip "
                    "positions too small to pay for the gas, and repay as much as allowed."
                )
            done += 1
            worth += profit - GAS_USD
        for index, position in enumerate(positions):
            best = _best_liquidation_profit(position, prices)
            if best > GAS_USD and index not in chosen:
                raise CheckFailed(
                    f"on {where} the bot skipped position {index} (HF "
                    f"{position.health_factor(prices, CHECK_ASSETS):.4f}, {best:,.2f} USD of "
                    f"bonus at the largest repayment allowed, gas {GAS_USD:.0f} USD): a "
                    "profitable liquidation left for a competitor."
                )
    return (
        f"{len(_bot_markets())} random markets: {done} profitable liquidations sent, no healthy or "
        f"loss-making one, {worth:,.0f} USD earned after gas."
    )


check_liquidation_bot = Exercise(
    name="liquidation_bot",
    goal="Write liquidation_bot(positions, prices, assets, gas_usd): scan a list of positions "
    "(each one collateral and one debt asset) and return the liquidations worth sending, as a "
    "list of (index, debt_symbol, collateral_symbol, repay_amount): every unhealthy position "
    "whose liquidation bonus pays more than gas_usd, and no other.",
    hints=(
        "Section 5: only a health factor below 1 may be liquidated; the liquidator repays up to "
        "close_factor(hf) of the debt and earns the bonus on what it seizes, so its profit in "
        "dollars is (seized value - repaid value), capped when the collateral runs out. A "
        "bot sends an order only when that profit beats the gas.",
        "Pseudo-code for a bot that buys discounted coupons instead: for each (i, coupon) in "
        "enumerate(book): if coupon is not yet due: skip; most = the largest amount the rules "
        "allow; gain = try it on a copy (copy.deepcopy) and measure; if gain > fee: orders."
        "append((i, ..., most)). Trying the real rule on a copy (course.defi.lending.liquidate) "
        "is the surest way to know the gain.",
    ),
    test=_test_liquidation_bot,
)
