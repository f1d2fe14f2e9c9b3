"""A time-weighted average price read from a ``CoursePair``, as Uniswap V2's oracle library does.

The pair keeps a running sum, ``price0CumulativeLast``: at the first trade of a block, before
the trade, it adds *spot price × seconds since its last update* (UQ112x112 fixed point). Two
readings of the sum, ``t`` seconds apart, give the average price over those seconds. Between
updates the stored sum is stale, so a reader adds the current spot price times the seconds since
the pair's last update itself (V2's ``currentCumulativePrices``): that is what makes the sum
"as of now". ``OracleLender.sol`` reads it the same way. Taught in notebook 10.

Price 0 is token1 per token0 (in the course's market: USDC per WETH), times 2**112.
"""

from __future__ import annotations

from web3.contract import Contract

from course.defi.oracle_attack import Q112, OracleAttackError, spot_price_x112
from course.validation import ensure, ensure_instance, ensure_int

__all__ = ["Q112", "average_price_x112", "cumulative_price_now"]


def cumulative_price_now(pair: Contract, now: int) -> int:
    """The pair's price-0 sum as of ``now``: the stored sum, plus the spot price times the
    seconds since the pair's last update (nothing to add when it updated at ``now``)."""
    ensure_instance(pair, "pair", Contract, meaning="a deployed CoursePair (web3 Contract)",
                    error=OracleAttackError)
    now = ensure_int(now, "now", minimum=0, meaning="a block timestamp", error=OracleAttackError)
    stored = pair.functions.price0CumulativeLast().call()
    last = pair.functions.blockTimestampLast().call()
    elapsed = (now - last) % 2**32  # the pair keeps 32-bit time, as V2 does
    if elapsed == 0:
        return stored
    reserve0, reserve1 = pair.functions.getReserves().call()
    return stored + spot_price_x112(reserve0, reserve1) * elapsed


def average_price_x112(pair: Contract, since_cumulative: int, since_time: int, now: int) -> int:
    """The average price 0 from ``since_time`` (when the sum was ``since_cumulative``) to
    ``now``, UQ112x112, rounded down like the Solidity division."""
    since_cumulative = ensure_int(since_cumulative, "since_cumulative", minimum=0,
                                  meaning="a reading of price0CumulativeLast",
                                  error=OracleAttackError)
    since_time = ensure_int(since_time, "since_time", minimum=0, meaning="a block timestamp",
                            error=OracleAttackError)
    now = ensure_int(now, "now", minimum=0, meaning="a block timestamp", error=OracleAttackError)
    ensure(now > since_time, OracleAttackError, "now", now,
           f"after since_time ({since_time}): an average needs at least one second")
    return (cumulative_price_now(pair, now) - since_cumulative) // (now - since_time)
