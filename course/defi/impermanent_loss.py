"""Impermanent loss: what a liquidity provider gives up, versus simply holding, when prices move."""

from __future__ import annotations

import math


class InvalidPriceRatio(ValueError):
    """A price ratio must be a positive number."""


def impermanent_loss(price_ratio: float) -> float:
    """Value of a 50/50 constant-product LP position relative to holding, minus 1.

    ``price_ratio`` is the new price divided by the price at deposit. The LP holds
    sqrt(ratio) times its initial value; holding gives (1 + ratio) / 2 of it, so the loss is
    2 sqrt(r) / (1 + r) - 1: -5.72% at 2x (and at 0.5x), 0 at 1x. Fees earned are not included.
    """
    if isinstance(price_ratio, bool) or not isinstance(price_ratio, int | float) or not (
            price_ratio > 0 and math.isfinite(price_ratio)):
        raise InvalidPriceRatio(f"price_ratio must be a positive finite number (new price / "
                                f"price at deposit), got {price_ratio!r}")
    return 2 * math.sqrt(price_ratio) / (1 + price_ratio) - 1
