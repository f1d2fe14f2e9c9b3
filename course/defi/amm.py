"""A constant-product AMM with Uniswap V2's exact integer arithmetic.

The pool holds reserves x and y and only accepts trades that keep x * y from falling (after a
0.3% fee on the input). Every number here is an integer rounded exactly as UniswapV2Library and
UniswapV2Pair round it, so the Python model and the on-chain contract agree to the wei.
Taught in notebooks 10 (swaps, price impact) and 11 (MEV, depegs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import isqrt

from course.errors import DefiError
from course.validation import ensure, ensure_bool, ensure_instance, ensure_int, ensure_text, fail

MINIMUM_LIQUIDITY = 10**3  # LP shares locked forever by the first deposit (UniswapV2Pair)
FEE_BPS = 30  # 0.3%, in basis points
BPS = 10_000

# The swaps Uniswap v2-core tests its pair with (test/UniswapV2Pair.spec.ts, swapTestCases):
# (amount in, reserve in, reserve out) in whole tokens of 18 decimals, and the exact output in wei.
# The course's tests, and notebook 10's check, hold get_amount_out and CoursePair to them.
V2_CORE_SWAP_CASES: tuple[tuple[int, int, int, int], ...] = (
    (1, 5, 10, 1662497915624478906),
    (1, 10, 5, 453305446940074565),
    (2, 5, 10, 2851015155847869602),
    (2, 10, 5, 831248957812239453),
    (1, 10, 10, 906610893880149131),
    (1, 100, 100, 987158034397061298),
    (1, 1000, 1000, 996006981039903216),
)


class AmmError(DefiError, ValueError):
    """A trade or deposit the pool refuses; the message names the rule (Uniswap's wording)."""


def ensure_fee_bps(fee_bps: object, error: type[DefiError] = AmmError) -> int:
    """``fee_bps`` as an int in [0, 9999]: a fee of 100% or more would leave nothing to trade."""
    return ensure_int(fee_bps, "fee_bps", minimum=0, maximum=BPS - 1,
                      meaning="the pool's fee in basis points, below 100%", error=error)


def ensure_amount(value: object, name: str, *, minimum: int = 1, uniswap_error: str = "",
                  error: type[DefiError] = AmmError) -> int:
    """``value`` as an int number of a token's smallest units, at least ``minimum``."""
    meaning = f"smallest units; Uniswap: {uniswap_error}" if uniswap_error else "smallest units"
    return ensure_int(value, name, minimum=minimum, meaning=meaning, error=error)


def _ensure_reserves(reserve_in: object, reserve_out: object) -> tuple[int, int]:
    """Both reserves as positive ints: an empty pool cannot price a trade."""
    return (ensure_amount(reserve_in, "reserve_in", uniswap_error="INSUFFICIENT_LIQUIDITY"),
            ensure_amount(reserve_out, "reserve_out", uniswap_error="INSUFFICIENT_LIQUIDITY"))


def get_amount_out(
    amount_in: int, reserve_in: int, reserve_out: int, fee_bps: int = FEE_BPS
) -> int:
    """Output for exactly ``amount_in`` (UniswapV2Library.getAmountOut), rounded down.

    Raises:
        AmmError: INSUFFICIENT_INPUT_AMOUNT or INSUFFICIENT_LIQUIDITY, as Uniswap names them,
            or a fee_bps outside [0, 9999].
    """
    amount_in = ensure_amount(amount_in, "amount_in",
                              uniswap_error="INSUFFICIENT_INPUT_AMOUNT")
    reserve_in, reserve_out = _ensure_reserves(reserve_in, reserve_out)
    fee_bps = ensure_fee_bps(fee_bps)
    amount_in_with_fee = amount_in * (BPS - fee_bps)
    numerator = amount_in_with_fee * reserve_out
    denominator = reserve_in * BPS + amount_in_with_fee
    return numerator // denominator


def get_amount_in(
    amount_out: int, reserve_in: int, reserve_out: int, fee_bps: int = FEE_BPS
) -> int:
    """Input needed to receive exactly ``amount_out`` (UniswapV2Library.getAmountIn), rounded up.

    Raises:
        AmmError: INSUFFICIENT_OUTPUT_AMOUNT or INSUFFICIENT_LIQUIDITY, or a fee_bps outside
            [0, 9999].
    """
    amount_out = ensure_amount(amount_out, "amount_out",
                               uniswap_error="INSUFFICIENT_OUTPUT_AMOUNT")
    reserve_in, reserve_out = _ensure_reserves(reserve_in, reserve_out)
    fee_bps = ensure_fee_bps(fee_bps)
    ensure(amount_out < reserve_out, AmmError, "amount_out", amount_out,
           f"below reserve_out {reserve_out}", "Uniswap: INSUFFICIENT_LIQUIDITY")
    numerator = reserve_in * amount_out * BPS
    denominator = (reserve_out - amount_out) * (BPS - fee_bps)
    return numerator // denominator + 1


@dataclass
class ConstantProductPool:
    """A two-token pool mirroring UniswapV2Pair (no protocol fee): mint, burn, swap.

    Reserves and LP shares are integers in the tokens' smallest units. Every method checks
    everything before changing anything: a refused call leaves the pool exactly as it was.
    """

    reserve0: int = 0
    reserve1: int = 0
    total_supply: int = 0
    shares: dict[str, int] = field(default_factory=dict)
    fee_bps: int = FEE_BPS

    def __post_init__(self) -> None:
        for name in ("reserve0", "reserve1", "total_supply"):
            ensure_amount(getattr(self, name), name, minimum=0)
        ensure_fee_bps(self.fee_bps)
        ensure_instance(self.shares, "shares", dict, rule="a dict of provider -> LP shares",
                        error=AmmError)
        for provider, owned in self.shares.items():
            ensure_text(provider, "a provider in shares", error=AmmError)
            ensure_int(owned, f"shares[{provider!r}]", minimum=0, error=AmmError)
        ensure(sum(self.shares.values()) == self.total_supply, AmmError, "total_supply",
               self.total_supply, f"the sum of shares ({sum(self.shares.values())})")
        if self.total_supply > 0:  # shares outstanding: the locked ones keep both reserves > 0
            for name in ("reserve0", "reserve1"):
                ensure_int(getattr(self, name), name, minimum=1,
                           meaning="a pool with LP shares holds both tokens", error=AmmError)

    def mint(self, provider: str, amount0: int, amount1: int) -> int:
        """Deposit both tokens; return the LP shares minted to ``provider``."""
        ensure_text(provider, "provider", error=AmmError)
        ensure_amount(amount0, "amount0")
        ensure_amount(amount1, "amount1")
        if self.total_supply == 0:
            liquidity = isqrt(amount0 * amount1) - MINIMUM_LIQUIDITY
            locked = MINIMUM_LIQUIDITY
        else:
            liquidity = min(amount0 * self.total_supply // self.reserve0,
                            amount1 * self.total_supply // self.reserve1)
            locked = 0
        if liquidity <= 0:
            raise AmmError(f"INSUFFICIENT_LIQUIDITY_MINTED: depositing {amount0} and {amount1} "
                           f"would mint {liquidity} shares")
        if locked:
            self.shares["0x0"] = locked  # the zero address: these shares can never be burned
        self.shares[provider] = self.shares.get(provider, 0) + liquidity
        self.total_supply += liquidity + locked
        self.reserve0 += amount0
        self.reserve1 += amount1
        return liquidity

    def burn(self, provider: str, liquidity: int) -> tuple[int, int]:
        """Return ``liquidity`` shares; get back a proportional amount of both tokens."""
        ensure_text(provider, "provider", error=AmmError)
        ensure_int(liquidity, "liquidity", minimum=1, meaning="LP shares to burn", error=AmmError)
        owned = self.shares.get(provider, 0)
        if liquidity > owned:
            raise AmmError(f"burn: {provider} owns {owned} shares, cannot burn {liquidity}")
        amount0 = liquidity * self.reserve0 // self.total_supply
        amount1 = liquidity * self.reserve1 // self.total_supply
        if amount0 == 0 or amount1 == 0:
            raise AmmError("INSUFFICIENT_LIQUIDITY_BURNED: too few shares to get anything back")
        self.shares[provider] = owned - liquidity
        self.total_supply -= liquidity
        self.reserve0 -= amount0
        self.reserve1 -= amount1
        return amount0, amount1

    def swap(self, amount_in: int, zero_for_one: bool, min_out: int = 1) -> int:
        """Sell ``amount_in`` of token0 (or token1) for the other; refuse if below ``min_out``.

        Raises:
            AmmError: the Uniswap errors, or SLIPPAGE when the output is below ``min_out``.
        """
        ensure_int(min_out, "min_out", minimum=0, meaning="the least output accepted",
                   error=AmmError)
        reserve_in, reserve_out = self.reserves(zero_for_one)
        amount_out = get_amount_out(amount_in, reserve_in, reserve_out, self.fee_bps)
        if amount_out < min_out:
            raise AmmError(f"SLIPPAGE: the trade would return {amount_out}, below min_out "
                           f"{min_out}; nothing was traded")
        if amount_out == 0:
            raise AmmError("INSUFFICIENT_OUTPUT_AMOUNT: the input is too small to buy anything")
        if zero_for_one:
            self.reserve0, self.reserve1 = self.reserve0 + amount_in, self.reserve1 - amount_out
        else:
            self.reserve1, self.reserve0 = self.reserve1 + amount_in, self.reserve0 - amount_out
        return amount_out

    def reserves(self, zero_for_one: bool) -> tuple[int, int]:
        """(reserve_in, reserve_out) for a trade in the given direction."""
        ensure_bool(zero_for_one, "zero_for_one", meaning="True sells token0", error=AmmError)
        if zero_for_one:
            return self.reserve0, self.reserve1
        return self.reserve1, self.reserve0

    @property
    def k(self) -> int:
        return self.reserve0 * self.reserve1

    def spot_price(self) -> float:
        """Price of token0 in token1 for an infinitesimal trade (reserve1 / reserve0)."""
        if self.reserve0 <= 0 or self.reserve1 <= 0:
            fail(AmmError, "the pool's reserves", (self.reserve0, self.reserve1),
                 "both positive to have a price", "Uniswap: INSUFFICIENT_LIQUIDITY")
        return self.reserve1 / self.reserve0

    def price_impact(self, amount_in: int, zero_for_one: bool = True) -> float:
        """How much worse than the spot price the execution price of this trade is (0.01 = 1%)."""
        reserve_in, reserve_out = self.reserves(zero_for_one)
        out = get_amount_out(amount_in, reserve_in, reserve_out, self.fee_bps)
        return 1 - (out / amount_in) / (reserve_out / reserve_in)
