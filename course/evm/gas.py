"""Gas reports: what each call used and what it would cost at a given gas price."""

from __future__ import annotations

from collections.abc import Iterable

from course.display import Table

GWEI_PER_ETH = 10**9


def gas_report(rows: Iterable[tuple[str, int]], gas_price_gwei: float = 20.0) -> Table:
    """A table of (label, gas used) with the fee in ETH at ``gas_price_gwei``.

    Pass receipts' ``gasUsed``; calls (``.call()``) cost nothing and need no row.
    """
    table_rows = [(label, f"{gas:,}", f"{gas * gas_price_gwei / GWEI_PER_ETH:.8f}")
                  for label, gas in rows]
    return Table(("transaction", "gas used", f"fee in ETH at {gas_price_gwei:g} gwei"), table_rows)
