"""Gas reports: what each call used and what it would cost at a given gas price.

Taught in notebooks 07 (gas and receipts) and 16 (what gas costs a marketplace).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from course.display import Table
from course.errors import EvmError
from course.validation import ensure, ensure_number, is_integer

GWEI_PER_ETH = 10**9
MAX_ROWS = 10_000


class InvalidGasReport(EvmError, ValueError):
    """Rows that are not (label, gas used) pairs, or a gas price that is not a price."""


def gas_report(rows: Iterable[tuple[str, int]], gas_price_gwei: float = 20.0) -> Table:
    """A table of (label, gas used) with the fee in ETH at ``gas_price_gwei``.

    Pass receipts' ``gasUsed``; calls (``.call()``) cost nothing and need no row.
    """
    gas_price_gwei = ensure_number(gas_price_gwei, "gas_price_gwei", minimum=0, maximum=10**6,
                                   error=InvalidGasReport)
    rule = f"a list of at most {MAX_ROWS:,} (label, gas used) pairs, gas a whole number >= 0"
    ensure(isinstance(rows, Iterable) and not isinstance(rows, str | bytes | dict),
           InvalidGasReport, "rows", rows, rule)
    rows = list(itertools.islice(rows, MAX_ROWS + 1))
    ensure(len(rows) <= MAX_ROWS and all(
        isinstance(row, tuple | list) and len(row) == 2 and is_integer(row[1]) and row[1] >= 0
        for row in rows), InvalidGasReport, "rows", rows, rule)
    table_rows = [(label, f"{gas:,}", f"{gas * gas_price_gwei / GWEI_PER_ETH:.8f}")
                  for label, gas in rows]
    return Table(("transaction", "gas used", f"fee in ETH at {gas_price_gwei:g} gwei"), table_rows)
