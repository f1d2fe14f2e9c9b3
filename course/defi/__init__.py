"""DeFi mechanics: an AMM with Uniswap V2's exact integer math, impermanent loss, and more.

    from course.defi import get_amount_out, get_amount_in, impermanent_loss
Taught in notebooks 09 (tokenomics), 10 and 11.
"""

from course.defi.amm import (
           MINIMUM_LIQUIDITY,
           AmmError,
           ConstantProductPool,
           get_amount_in,
           get_amount_out,
)
from course.defi.impermanent_loss import impermanent_loss

__all__ = ["MINIMUM_LIQUIDITY", "AmmError", "ConstantProductPool", "get_amount_in",
           "get_amount_out", "impermanent_loss"]
