"""Impermanent loss: what a liquidity provider gives up, versus simply holding, when prices move.

Taught in notebook 10.
"""

from __future__ import annotations

import math

from course.errors import DefiError
from course.validation import ensure_number


class InvalidPriceRatio(DefiError, ValueError):
    """A price ratio must be a positive number."""


def impermanent_loss(price_ratio: float) -> float:
    """Value of a 50/50 constant-product LP position relative to holding, minus 1.

    ``price_ratio`` is the new price divided by the price at deposit. The LP holds
    sqrt(ratio) times its initial value; holding gives (1 + ratio) / 2 of it, so the loss is
    2 sqrt(r) / (1 + r) - 1: -5.72% at 2x (and at 0.5x), 0 at 1x. Fees earned are not included.
    """
    price_ratio = ensure_number(price_ratio, "price_ratio", above=0,
                                meaning="new price / price at deposit", error=InvalidPriceRatio)
    return 2 * math.sqrt(price_ratio) / (1 + price_ratio) - 1
