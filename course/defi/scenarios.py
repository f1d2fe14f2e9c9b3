"""Two stress scenarios on a constant-product pool: a stablecoin depeg and an oracle attack.

1. **Depeg.** A pool of two stablecoins priced 1:1 has no idea they "should" be worth the same:
   a large one-sided sell moves its price exactly as it would for any other pair.
2. **Oracle manipulation.** A lending protocol that reads its collateral price from a thin
   AMM pool can be fooled within one transaction: pump the price with a big swap, borrow against
   the inflated collateral, swap back, walk away from the loan (bZx 2020, Harvest 2020, Mango
   2022). A deep pool or a time-weighted average price (TWAP) over many blocks defends against it.

Amounts are integers in smallest units (both tokens with the same decimals); prices are exact
fractions of one reserve over the other, shown as floats.
Taught in notebook 11.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import floor

from course.defi.amm import FEE_BPS, ConstantProductPool, ensure_amount, ensure_fee_bps
from course.errors import DefiError
from course.validation import (
    ensure,
    ensure_choice,
    ensure_instance,
    ensure_int,
    ensure_number,
    is_number,
)

MAX_BLOCKS = 100_000  # a TWAP window of about two weeks of Ethereum blocks (12 s each)
MAX_SIZES = 10_000  # sell sizes one depeg curve tries


class ScenarioError(DefiError, ValueError):
    """A scenario input that makes no sense; the message names the field and the rule."""


class InvalidScenario(ScenarioError):
    """An amount, reserve, LTV or block count outside its allowed range."""


class UnknownOracle(ScenarioError):
    """An oracle kind other than "spot" or "twap"."""


# --- 1. stablecoin depeg -------------------------------------------------------------------

@dataclass(frozen=True)
class DepegCurve:
    """For each sell size: the sold coin's price after the sell and the average price received."""

    sell_amounts: tuple[int, ...]
    sell_fraction: tuple[float, ...]  # sell / reserve of the sold coin
    price_after: tuple[float, ...]  # marginal price of the sold coin, in the other coin
    average_price: tuple[float, ...]  # what the seller got per coin sold

    @property
    def depeg(self) -> tuple[float, ...]:
        """How far below 1.00 each sell leaves the sold coin (0.05 = trades at 0.95)."""
        return tuple(1 - price for price in self.price_after)


def stablecoin_depeg(reserve: int, sell_amounts: Sequence[int],
                     fee_bps: int = FEE_BPS) -> DepegCurve:
    """Sell each amount of coin A into a fresh A/B pool of ``reserve`` each; record the damage.

    A constant-product pool's price after selling s is about (R / (R + s))**2: selling 10% of
    the reserve leaves the coin at about 0.83, a 17% depeg, however stable both coins "are".

    Raises:
        InvalidScenario: a reserve or sell amount that is not a positive integer.
    """
    ensure_amount(reserve, "reserve", error=InvalidScenario)
    ensure_instance(sell_amounts, "sell_amounts", (tuple, list), rule="a list of amounts",
                    error=InvalidScenario)
    ensure(len(sell_amounts) <= MAX_SIZES, InvalidScenario, "sell_amounts", sell_amounts,
           f"at most {MAX_SIZES:,} amounts")
    for index, amount in enumerate(sell_amounts):
        ensure_amount(amount, f"sell_amounts[{index}]", error=InvalidScenario)
    ensure_fee_bps(fee_bps, error=InvalidScenario)
    prices, averages = [], []
    for amount in sell_amounts:
        pool = ConstantProductPool(reserve0=reserve, reserve1=reserve, fee_bps=fee_bps)
        received = pool.swap(amount, zero_for_one=True)  # sell coin A (token0) for coin B
        prices.append(pool.reserve1 / pool.reserve0)
        averages.append(received / amount)
    return DepegCurve(sell_amounts=tuple(sell_amounts),
                      sell_fraction=tuple(amount / reserve for amount in sell_amounts),
                      price_after=tuple(prices), average_price=tuple(averages))


# --- 2. oracle manipulation ----------------------------------------------------------------

@dataclass(frozen=True)
class ManipulationResult:
    """The attack's numbers. Prices are in USD per collateral token; amounts are USD units."""

    fair_price: float  # pool price before the attack (and, after arbitrage, after it)
    manipulated_price: float  # pool spot price right after the pump
    oracle_price: float  # what the lending protocol believed
    price_move: float  # manipulated / fair - 1 (3.0 = the price quadrupled)
    borrowed: int  # ltv * collateral * oracle_price
    collateral_value: int  # collateral * fair_price: what the protocol can recover
    pump_cost: int  # USD spent on the pump minus USD got back when swapping back (fees, mostly)
    attacker_profit: int  # what the attacker ends with minus what it started with
    bad_debt: int  # debt no collateral covers: the protocol's (its depositors') loss


def time_weighted_price(block_prices: Sequence[Fraction]) -> Fraction:
    """The average of the price recorded at the end of each block (a TWAP over equal blocks)."""
    ensure(isinstance(block_prices, tuple | list) and len(block_prices) > 0
           and all(is_number(price) and price > 0 for price in block_prices),
           InvalidScenario, "block_prices", block_prices,
           "a non-empty list of positive prices (Fractions), one a block")
    return sum(block_prices, Fraction(0)) / len(block_prices)


def oracle_manipulation(pool_reserves: tuple[int, int], pump_amount: int, collateral_amount: int,
                        *, ltv: float = 0.8, oracle: str = "spot", twap_blocks: int = 30,
                        manipulated_blocks: int = 1, fee_bps: int = FEE_BPS,
                        ) -> ManipulationResult:
    """Pump a collateral/USD pool, borrow against the inflated price, swap back, default.

    ``pool_reserves`` is (collateral token, USD) in the pool the protocol uses as its oracle. The
    attacker owns ``collateral_amount`` of the collateral and spends ``pump_amount`` USD to buy
    more, which pushes the price up. It deposits its collateral, borrows ``ltv`` times its
    value at the oracle price, sells the pumped tokens back and keeps the loan: the loan is worth
    more than the collateral at the fair price, so repaying would be a loss. With
    ``oracle="twap"`` the protocol averages the last ``twap_blocks`` block prices, of which the
    attacker can hold only ``manipulated_blocks`` at the pumped level (and each held block lets
    arbitrageurs trade against it: we ignore that cost, in the attacker's favour).

    Raises:
        InvalidScenario: non-positive amounts, an LTV outside (0, 1) or bad block counts.
        UnknownOracle: an oracle other than "spot" or "twap".
        AmmError: a pump too small to buy even one unit of the collateral token.
    """
    ensure(isinstance(pool_reserves, tuple | list) and len(pool_reserves) == 2,
           InvalidScenario, "pool_reserves", pool_reserves, "a pair (collateral, usd)")
    ensure_amount(pool_reserves[0], "pool_reserves[0]", error=InvalidScenario)
    ensure_amount(pool_reserves[1], "pool_reserves[1]", error=InvalidScenario)
    ensure_amount(pump_amount, "pump_amount", error=InvalidScenario)
    ensure_amount(collateral_amount, "collateral_amount", error=InvalidScenario)
    ltv = ensure_number(ltv, "ltv", above=0, below=1,
                        meaning="0.8 = borrow 80% of the collateral's value", error=InvalidScenario)
    ensure_choice(oracle, "oracle", ("spot", "twap"), error=UnknownOracle)
    ensure_int(twap_blocks, "twap_blocks", minimum=1, maximum=MAX_BLOCKS,
               meaning="blocks the TWAP averages over", error=InvalidScenario)
    ensure_int(manipulated_blocks, "manipulated_blocks", minimum=1, maximum=twap_blocks,
               meaning="blocks held at the pumped price, of the twap_blocks",
               error=InvalidScenario)
    ensure_fee_bps(fee_bps, error=InvalidScenario)
    pool = ConstantProductPool(reserve0=pool_reserves[0], reserve1=pool_reserves[1],
                               fee_bps=fee_bps)
    fair = Fraction(pool.reserve1, pool.reserve0)

    # 1. Pump: buy the collateral token with USD; its price in the pool shoots up.
    bought = pool.swap(pump_amount, zero_for_one=False)
    manipulated = Fraction(pool.reserve1, pool.reserve0)
    # 2. Borrow: the protocol values the attacker's collateral at its oracle price.
    if oracle == "spot":
        oracle_price = manipulated
    else:
        history = [fair] * (twap_blocks - manipulated_blocks) + [manipulated] * manipulated_blocks
        oracle_price = time_weighted_price(history)
    borrowed = floor(Fraction(ltv) * collateral_amount * oracle_price)
    # 3. Swap back: sell the pumped tokens; the price returns (close) to fair.
    usd_back = pool.swap(bought, zero_for_one=True)
    pump_cost = pump_amount - usd_back
    # 4. Walk away if the loan is worth more than the collateral, else repay it.
    collateral_value = floor(collateral_amount * fair)
    bad_debt = max(borrowed - collateral_value, 0)
    return ManipulationResult(
        fair_price=float(fair), manipulated_price=float(manipulated),
        oracle_price=float(oracle_price), price_move=float(manipulated / fair - 1),
        borrowed=borrowed, collateral_value=collateral_value, pump_cost=pump_cost,
        attacker_profit=bad_debt - pump_cost, bad_debt=bad_debt)
