"""A constant-product AMM with Uniswap V2's exact integer arithmetic.

The pool holds reserves x and y and only accepts trades that keep x * y from falling (after a
0.3% fee on the input). Every number here is an integer rounded exactly as UniswapV2Library and
UniswapV2Pair round it, so the Python model and the on-chain contract agree to the wei.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import isqrt

MINIMUM_LIQUIDITY = 10**3  # LP shares locked forever by the first deposit (UniswapV2Pair)
FEE_BPS = 30  # 0.3%, in basis points
BPS = 10_000


class AmmError(ValueError):
    """A trade or deposit the pool refuses; the message names the rule (Uniswap's wording)."""


def _require_positive(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise AmmError(f"{name} must be a positive integer (smallest units), got {value!r}")


def get_amount_out(
    amount_in: int, reserve_in: int, reserve_out: int, fee_bps: int = FEE_BPS
) -> int:
    """Output for exactly ``amount_in`` (UniswapV2Library.getAmountOut), rounded down.

    Raises:
        AmmError: INSUFFICIENT_INPUT_AMOUNT or INSUFFICIENT_LIQUIDITY, as Uniswap names them.
    """
    if isinstance(amount_in, bool) or not isinstance(amount_in, int) or amount_in <= 0:
        raise AmmError(f"INSUFFICIENT_INPUT_AMOUNT: amount_in must be a positive integer, "
                       f"got {amount_in!r}")
    _check_reserves(reserve_in, reserve_out)
    amount_in_with_fee = amount_in * (BPS - fee_bps)
    numerator = amount_in_with_fee * reserve_out
    denominator = reserve_in * BPS + amount_in_with_fee
    return numerator // denominator


def get_amount_in(
    amount_out: int, reserve_in: int, reserve_out: int, fee_bps: int = FEE_BPS
) -> int:
    """Input needed to receive exactly ``amount_out`` (UniswapV2Library.getAmountIn), rounded up.

    Raises:
        AmmError: INSUFFICIENT_OUTPUT_AMOUNT or INSUFFICIENT_LIQUIDITY.
    """
    if isinstance(amount_out, bool) or not isinstance(amount_out, int) or amount_out <= 0:
        raise AmmError(f"INSUFFICIENT_OUTPUT_AMOUNT: amount_out must be a positive integer, "
                       f"got {amount_out!r}")
    _check_reserves(reserve_in, reserve_out)
    if amount_out >= reserve_out:
        raise AmmError(f"INSUFFICIENT_LIQUIDITY: cannot take {amount_out} out of a reserve of "
                       f"{reserve_out}")
    numerator = reserve_in * amount_out * BPS
    denominator = (reserve_out - amount_out) * (BPS - fee_bps)
    return numerator // denominator + 1


def _check_reserves(reserve_in: int, reserve_out: int) -> None:
    for name, value in (("reserve_in", reserve_in), ("reserve_out", reserve_out)):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise AmmError(f"INSUFFICIENT_LIQUIDITY: {name} must be a positive integer, "
                           f"got {value!r} (an empty pool cannot price a trade)")


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

    def mint(self, provider: str, amount0: int, amount1: int) -> int:
        """Deposit both tokens; return the LP shares minted to ``provider``."""
        _require_positive("amount0", amount0)
        _require_positive("amount1", amount1)
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
        _require_positive("liquidity", liquidity)
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
        reserve_in, reserve_out = ((self.reserve0, self.reserve1) if zero_for_one
                                   else (self.reserve1, self.reserve0))
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

    @property
    def k(self) -> int:
        return self.reserve0 * self.reserve1

    def spot_price(self) -> float:
        """Price of token0 in token1 for an infinitesimal trade (reserve1 / reserve0)."""
        return self.reserve1 / self.reserve0

    def price_impact(self, amount_in: int, zero_for_one: bool = True) -> float:
        """How much worse than the spot price the execution price of this trade is (0.01 = 1%)."""
        reserve_in, reserve_out = ((self.reserve0, self.reserve1) if zero_for_one
                                   else (self.reserve1, self.reserve0))
        out = get_amount_out(amount_in, reserve_in, reserve_out, self.fee_bps)
        return 1 - (out / amount_in) / (reserve_out / reserve_in)
