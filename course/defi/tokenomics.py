"""Tokenomics: how many tokens exist over time, who can sell them when, and who holds them.

- Supply: Bitcoin's halvings (exact, in satoshis) and a generic inflationary token whose
  inflation rate decays each year towards a floor (the shape Solana and others use).
- Vesting: team and investor tokens unlock after a cliff, then linearly (a contract does it).
- Yield: a staking reward paid in new tokens is partly dilution: the *real* yield is
  (1 + nominal) / (1 + inflation) - 1.
- Concentration: the Gini coefficient and the Lorenz curve of token balances.
Taught in notebook 09.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from course.chain.params import ChainParams, block_subsidy
from course.errors import DefiError
from course.validation import ensure, ensure_int, ensure_number, ensure_numbers

SATOSHIS_PER_BTC = 10**8
BITCOIN = ChainParams(initial_reward=50 * SATOSHIS_PER_BTC, halving_interval=210_000)
BITCOIN_BLOCKS_PER_YEAR = 365 * 24 * 6  # one block every ten minutes, on average
MAX_YEARS = 1_000  # of an emission schedule
MAX_MONTHS = 1_200  # of a vesting schedule: a century
MAX_RATE = 10.0  # 1000% a year: beyond any token's inflation or yield


class InvalidTokenomics(DefiError, ValueError):
    """A parameter outside the range where the model means something; the message says which."""


def _require_int(name: str, value: object, minimum: int, maximum: int | None = None) -> int:
    return ensure_int(value, name, minimum=minimum, maximum=maximum, error=InvalidTokenomics)


def _require_rate(name: str, value: object) -> float:
    """A rate as a fraction (0.05 = 5%) above -1: a rate of -100% or less means nothing."""
    return ensure_number(value, name, above=-1, maximum=MAX_RATE, meaning="0.05 = 5%",
                         error=InvalidTokenomics)


def _require_share(name: str, value: object, below_one: bool = False,
                   meaning: str = "0.05 = 5%") -> float:
    """A fraction in [0, 1) or [0, MAX_RATE]."""
    bounds = {"below": 1} if below_one else {"maximum": MAX_RATE}
    return ensure_number(value, name, minimum=0, meaning=meaning, error=InvalidTokenomics,
                         **bounds)


# --- supply --------------------------------------------------------------------------------------


def bitcoin_supply(height: int) -> int:
    """Satoshis created by Bitcoin blocks 0 to ``height`` inclusive (the genesis block's 50 BTC
    included): the subsidy, halved in integers every 210,000 blocks.

    It stops growing at block 6,929,999, the last with a subsidy, at 2,099,999,997,690,000
    satoshis: 20,999,999.9769 BTC, just under 21 million because each halving rounds down.
    """
    _require_int("height", height, 0)
    blocks, interval, total = height + 1, BITCOIN.halving_interval, 0
    for era in range(blocks // interval + 1):
        blocks_in_era = min(interval, blocks - era * interval)
        subsidy = block_subsidy(era * interval, BITCOIN)
        if blocks_in_era <= 0 or subsidy == 0:
            break
        total += blocks_in_era * subsidy
    return total


def inflation_rate(year: int, initial_rate: float, disinflation: float = 0.0,
                   floor: float = 0.0) -> float:
    """The yearly inflation in ``year`` (0 = the first): ``initial_rate`` shrunk by
    ``disinflation`` each year, never below ``floor``. Solana's schedule: 8%, 15%, 1.5%."""
    _require_int("year", year, 0, MAX_YEARS)
    _require_share("initial_rate", initial_rate)
    _require_share("floor", floor)
    _require_share("disinflation", disinflation, below_one=True,
                   meaning="the share of the rate removed each year")
    return max(initial_rate * (1 - disinflation) ** year, floor)


def emission_schedule(initial_supply: float, initial_rate: float, years: int,
                      disinflation: float = 0.0, floor: float = 0.0) -> np.ndarray:
    """Total supply at the start of years 0, 1, ..., ``years`` (``years + 1`` values) when new
    tokens are minted at ``inflation_rate(year, ...)`` of the supply each year.

    ``emission_schedule(1000, 0.10, 2)`` is ``[1000, 1100, 1210]``: inflation compounds.
    """
    ensure_number(initial_supply, "initial_supply", above=0, maximum=1e30, meaning="tokens",
                  error=InvalidTokenomics)
    _require_int("years", years, 0, MAX_YEARS)
    inflation_rate(0, initial_rate, disinflation, floor)  # checks the rates even for 0 years
    supply = np.empty(years + 1)
    supply[0] = initial_supply
    for year in range(years):
        supply[year + 1] = supply[year] * (1 + inflation_rate(year, initial_rate, disinflation,
                                                               floor))
    return supply


# --- vesting -------------------------------------------------------------------------------------


def unlocked_at(month: int, total: int, cliff_months: int, vesting_months: int) -> int:
    """Tokens of a ``total`` grant that may be sold ``month`` months after the start.

    Nothing before the cliff; from then on, the share of the vesting period that has passed
    (rounded down, as a contract's integer division does). So a 48-month grant with a 12-month
    cliff unlocks 25% at once in month 12, then 1/48 more each month (OpenZeppelin's
    VestingWalletCliff works the same way).
    """
    for name, value, minimum in [("month", month, 0), ("total", total, 0),
                                 ("cliff_months", cliff_months, 0),
                                 ("vesting_months", vesting_months, 1)]:
        _require_int(name, value, minimum, MAX_MONTHS if name == "vesting_months" else None)
    ensure(cliff_months <= vesting_months, InvalidTokenomics, "cliff_months", cliff_months,
           f"at most vesting_months ({vesting_months})", "the cliff is part of the vesting period")
    if month < cliff_months:
        return 0
    return total * min(month, vesting_months) // vesting_months


def vesting_unlocks(total: int, cliff_months: int, vesting_months: int,
                    months: int | None = None) -> list[int]:
    """Cumulative unlocked tokens at months 0, 1, ..., ``months`` (default: to the end of vesting).

    ``vesting_unlocks(1200, 3, 12, 4)`` is ``[0, 0, 0, 300, 400]``: the cliff releases three
    months' worth at once.
    """
    unlocked_at(0, total, cliff_months, vesting_months)  # checks the grant before the months
    months = vesting_months if months is None else months
    _require_int("months", months, 0, MAX_MONTHS)
    return [unlocked_at(m, total, cliff_months, vesting_months) for m in range(months + 1)]


# --- yield ---------------------------------------------------------------------------------------


def real_yield(nominal: float, inflation: float) -> float:
    """What a yield buys after inflation: (1 + nominal) / (1 + inflation) - 1.

    10% paid in a token whose supply grows 8% is about 1.85% more of the network, not 2%
    (the difference ``nominal - inflation`` is only a first-order approximation).
    """
    _require_rate("nominal", nominal)
    _require_rate("inflation", inflation)
    return (1 + nominal) / (1 + inflation) - 1


def staking_yield(inflation: float, staked_fraction: float) -> float:
    """Nominal yield of stakers when all new tokens go to them: inflation / staked fraction.

    With 5% inflation and half the supply staked, stakers earn 10% nominal; holders who do not
    stake earn nothing and are diluted by the 5%.
    """
    _require_share("inflation", inflation)
    ensure_number(staked_fraction, "staked_fraction", above=0, maximum=1,
                  meaning="the share of the supply staked", error=InvalidTokenomics)
    return inflation / staked_fraction


# --- concentration -------------------------------------------------------------------------------


def _balances_array(balances: Sequence[float] | np.ndarray) -> np.ndarray:
    values = ensure_numbers(balances, "balances", minimum=0, meaning="tokens per holder",
                            error=InvalidTokenomics)
    ensure(0 < values.sum() < np.inf, InvalidTokenomics, "balances", balances,
           "a list with a positive, finite total (all zero: nobody holds anything)")
    return values


def gini(balances: Sequence[float] | np.ndarray) -> float:
    """The Gini coefficient: 0 when everyone holds the same, (n - 1) / n when one holds all.

    It is the mean absolute difference between two holders' balances, divided by twice the mean
    balance; with balances sorted ascending x_1 <= ... <= x_n it equals
    2 * sum(i * x_i) / (n * sum(x)) - (n + 1) / n.
    """
    values = np.sort(_balances_array(balances))
    n = values.size
    ranks = np.arange(1, n + 1)
    value = 2 * np.sum(ranks * values) / (n * values.sum()) - (n + 1) / n
    return float(max(value, 0.0))  # equal balances can round to -2e-16: Gini is never negative


def lorenz_curve(balances: Sequence[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points (share of holders, share of tokens they hold), poorest first, from (0, 0) to (1, 1).

    The Gini coefficient is twice the area between this curve and the diagonal.
    """
    values = np.sort(_balances_array(balances))
    holders = np.arange(values.size + 1) / values.size
    tokens = np.concatenate([[0.0], np.cumsum(values) / values.sum()])
    return holders, tokens
