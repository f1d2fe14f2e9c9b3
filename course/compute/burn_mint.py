"""Burn-and-mint equilibrium (BME): how a DePIN token pays its providers.

Users price work in USD and pay by buying tokens and burning them (Helium's Data Credits,
Render's credits). Separately, the protocol mints a scheduled number of new tokens each epoch
and shares them among the providers, whatever was burned. When usage burns more than is
minted, the supply shrinks and each token is worth more; when it burns less, the supply grows.
Burn equals mint at one price: the equilibrium price, demand / emission.

The price model (an assumption, stated once): the equation of exchange M·V = P·Q. Holders keep
tokens worth demand / velocity in USD to pay for work (``velocity`` = the share of the supply
spent per epoch), plus ``speculative_usd`` held for other reasons, so

    price = (demand_usd / velocity + speculative_usd) / supply.

Taught in notebook 15.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from course.compute.errors import BurnMintError
from course.validation import ensure, ensure_int, ensure_number, ensure_numbers, fail

Amount = float | np.ndarray  # one value, or one per provider / per epoch
MAX_EPOCHS = 100_000  # 270 years of daily epochs; keeps every array small


def _at_least(name: str, value: object, minimum: float, strict: bool = False) -> float:
    """``value`` as a float if it is a finite number >= minimum (> minimum if ``strict``)."""
    if strict:
        return ensure_number(value, name, above=minimum, error=BurnMintError)
    return ensure_number(value, name, minimum=minimum, error=BurnMintError)


def _count(name: str, value: object, minimum: int = 1) -> int:
    return ensure_int(value, name, minimum=minimum, maximum=MAX_EPOCHS, error=BurnMintError)


def _amounts(name: str, values: Any, strictly_positive: bool = False) -> np.ndarray:
    """A float copy of one number or an array of them, all finite and >= 0 (or > 0)."""
    try:
        kind = np.asarray(values).dtype.kind
    except (TypeError, ValueError):  # a ragged list, an object numpy cannot read
        kind = "O"
    ensure(kind in "iuf", BurnMintError, name, values, "numbers (one, or a list of them)")
    if np.ndim(values) == 0:
        return np.array(_at_least(name, values, 0, strict=strictly_positive))
    above, minimum = (0.0, None) if strictly_positive else (None, 0.0)
    # a copy: the caller's array is never changed
    return ensure_numbers(values, name, minimum=minimum, above=above, ndim=np.ndim(values),
                          error=BurnMintError).copy()


def _velocity(velocity: object) -> float:
    share = _at_least("velocity", velocity, 0, strict=True)
    ensure(share < 1, BurnMintError, "velocity", velocity, "< 1",
           "the share of the supply spent per epoch; someone always holds tokens")
    return share


def _finite(path: np.ndarray, name: str, value: object) -> np.ndarray:
    """``path`` if every entry is finite; else the parameter that made it overflow is named."""
    ensure(bool(np.all(np.isfinite(path))), BurnMintError, name, value,
           "small enough that the demand stays below 1.8e308 USD (a float overflowed)")
    return path


def _same_shape(*named: tuple[str, np.ndarray]) -> None:
    """Arrays that combine element by element: each one number, or all the same length."""
    try:
        np.broadcast_shapes(*(array.shape for _, array in named))
    except ValueError:
        names = ", ".join(name for name, _ in named)
        shapes = [array.shape for _, array in named]
        fail(BurnMintError, names, shapes, "one number each or lists of the same length")


def _out(array: np.ndarray) -> Amount:
    return float(array) if array.ndim == 0 else array


# --- emissions -----------------------------------------------------------------------------------


def emissions_per_epoch(initial_per_epoch: float, epochs: int,
                        halving_every: int | None = None) -> np.ndarray:
    """Tokens minted in each of ``epochs`` epochs: ``initial_per_epoch``, halved every
    ``halving_every`` epochs if given (Helium's HIP 20: 5M HNT a month, halved every 24 months).
    """
    first = _at_least("initial_per_epoch", initial_per_epoch, 0)
    epochs = _count("epochs", epochs)
    if halving_every is None:
        return np.full(epochs, first)
    return first * 0.5 ** (np.arange(epochs) // _count("halving_every", halving_every))


def emission_cap(initial_per_epoch: float, halving_every: int) -> float:
    """Everything a halving schedule will ever mint, a geometric series:
    halving_every * initial * (1 + 1/2 + 1/4 + ...) = 2 * halving_every * initial."""
    first = _at_least("initial_per_epoch", initial_per_epoch, 0)
    return 2 * _count("halving_every", halving_every) * first


# --- demand scenarios: USD paid by users in each epoch ------------------------------------------


def constant_demand(usd_per_epoch: float, epochs: int) -> np.ndarray:
    """The same spend every epoch."""
    spend = _at_least("usd_per_epoch", usd_per_epoch, 0, strict=True)
    return np.full(_count("epochs", epochs), spend)


def growing_demand(initial_usd: float, growth_per_epoch: float, epochs: int) -> np.ndarray:
    """Spend that compounds: initial_usd * (1 + growth_per_epoch) ** epoch (0.01 = +1%)."""
    start = _at_least("initial_usd", initial_usd, 0, strict=True)
    growth = _at_least("growth_per_epoch", growth_per_epoch, -1, strict=True)
    with np.errstate(over="ignore"):
        path = start * (1 + growth) ** np.arange(_count("epochs", epochs))
    return _finite(path, "growth_per_epoch", growth_per_epoch)


def boom_and_bust_demand(base_usd: float, peak_usd: float, epochs: int, peak_epoch: int,
                         bust_usd: float | None = None) -> np.ndarray:
    """A hype cycle: spend rises by a constant percentage per epoch from ``base_usd`` to
    ``peak_usd`` at ``peak_epoch``, then falls by a constant percentage to ``bust_usd``
    (default: the base) at the last epoch."""
    base = _at_least("base_usd", base_usd, 0, strict=True)
    peak = _at_least("peak_usd", peak_usd, 0, strict=True)
    bust = base if bust_usd is None else _at_least("bust_usd", bust_usd, 0, strict=True)
    epochs, top = _count("epochs", epochs, minimum=3), _count("peak_epoch", peak_epoch)
    ensure(top <= epochs - 2, BurnMintError, "peak_epoch", peak_epoch,
           f"between 1 and epochs - 2 = {epochs - 2}",
           "the boom needs epochs before and after it")
    t = np.arange(epochs)
    with np.errstate(over="ignore", under="ignore"):
        rise = base * (peak / base) ** (t / top)
        fall = peak * (bust / peak) ** ((t - top) / (epochs - 1 - top))
    return _finite(np.where(t <= top, rise, fall), "peak_usd", peak_usd)


def random_demand(initial_usd: float, epochs: int, volatility: float,
                  seed: int | np.random.Generator) -> np.ndarray:
    """A seeded random walk of spend: each epoch it is multiplied by exp(N(0, volatility)).
    Same seed, same path."""
    start = _at_least("initial_usd", initial_usd, 0, strict=True)
    sigma = _at_least("volatility", volatility, 0)
    epochs = _count("epochs", epochs)
    if not isinstance(seed, np.random.Generator):
        seed = np.random.default_rng(ensure_int(seed, "seed", minimum=0, error=BurnMintError))
    steps = seed.normal(0.0, sigma, epochs - 1)  # (epochs - 1,) changes of log(spend)
    with np.errstate(over="ignore"):
        path = start * np.exp(np.concatenate([[0.0], np.cumsum(steps)]))
    return _finite(path, "volatility", volatility)


# --- burn, mint, price ---------------------------------------------------------------------------


def tokens_burned(demand_usd: float, price: float) -> float:
    """Tokens burned when users spend ``demand_usd`` at a token price of ``price`` USD."""
    spend = _at_least("demand_usd", demand_usd, 0)
    return spend / _at_least("price", price, 0, strict=True)


def equilibrium_price(demand_usd: float, emission_per_epoch: float) -> float:
    """The price at which burn equals mint: demand_usd / price = emission, so
    price = demand_usd / emission, whatever the price model, velocity or speculation."""
    spend = _at_least("demand_usd", demand_usd, 0)
    return spend / _at_least("emission_per_epoch", emission_per_epoch, 0, strict=True)


def token_price(demand_usd: float, supply: float, velocity: float,
                speculative_usd: float = 0.0) -> float:
    """This module's price model: (demand_usd / velocity + speculative_usd) / supply."""
    spend = _at_least("demand_usd", demand_usd, 0, strict=True)
    held = spend / _velocity(velocity) + _at_least("speculative_usd", speculative_usd, 0)
    return held / _at_least("supply", supply, 0, strict=True)


@dataclass(frozen=True, eq=False)  # arrays have no single truth value: compare fields
class BurnMintRun:
    """One simulation, one value per epoch (``supply`` has one more: after the last epoch).
    The arrays are read-only."""

    demand_usd: np.ndarray  # (epochs,) USD users paid
    price: np.ndarray  # (epochs,) token price in USD during the epoch
    burned: np.ndarray  # (epochs,) tokens burned by users
    minted: np.ndarray  # (epochs,) tokens minted to providers
    supply: np.ndarray  # (epochs + 1,) circulating supply at the start of each epoch

    @property
    def provider_income_usd(self) -> np.ndarray:
        """What all providers together earn each epoch: the minted tokens at that price."""
        income: np.ndarray = self.minted * self.price
        return income


def simulate_burn_and_mint(demand_usd: np.ndarray, emissions: float | np.ndarray,
                           initial_supply: float, velocity: float,
                           speculative_usd: float = 0.0) -> BurnMintRun:
    """Run a burn-and-mint token epoch by epoch: the price follows from the supply
    (``token_price``), users burn demand / price, providers receive the emission, and
    supply[t + 1] = supply[t] + minted[t] - burned[t].

    Args:
        demand_usd: USD spent by users in each epoch (> 0), e.g. from ``growing_demand``.
        emissions: tokens minted per epoch, one number or one per epoch (>= 0).
        initial_supply: circulating tokens before the first epoch (> 0).
        velocity: share of the supply spent per epoch, in (0, 1).
        speculative_usd: USD value held in the token for reasons other than paying for work.

    Raises:
        BurnMintError (a ValueError) naming the bad parameter; the inputs are never modified.
    """
    demand = _amounts("demand_usd", demand_usd, strictly_positive=True)
    ensure(demand.ndim == 1 and 0 < demand.size <= MAX_EPOCHS, BurnMintError, "demand_usd",
           demand_usd, f"a list of 1 to {MAX_EPOCHS} amounts of USD, one per epoch")
    minted = _amounts("emissions", emissions)
    if minted.ndim == 0:
        minted = np.full(demand.shape, float(minted))
    ensure(minted.shape == demand.shape, BurnMintError, "emissions", emissions,
           f"one number or one per epoch ({demand.size})")
    velocity = _velocity(velocity)
    speculative_usd = _at_least("speculative_usd", speculative_usd, 0)
    supply = np.empty(demand.size + 1)
    supply[0] = _at_least("initial_supply", initial_supply, 0, strict=True)
    price, burned = np.empty(demand.size), np.empty(demand.size)
    for t in range(demand.size):
        price[t] = (demand[t] / velocity + speculative_usd) / supply[t]  # the market
        burned[t] = demand[t] / price[t]  # users
        supply[t + 1] = supply[t] + minted[t] - burned[t]  # the protocol
    for array in (demand, price, burned, minted, supply):
        array.setflags(write=False)
    return BurnMintRun(demand, price, burned, minted, supply)


# --- provider economics --------------------------------------------------------------------------


def electricity_cost_usd(power_watts: Amount, hours: Amount, usd_per_kwh: Amount) -> Amount:
    """The electricity bill of a machine drawing ``power_watts`` for ``hours``: kilowatts x
    hours x price per kWh (a 350 W GPU running 24 h at $0.15/kWh costs $1.26)."""
    watts = _amounts("power_watts", power_watts)
    time = _amounts("hours", hours)
    tariff = _amounts("usd_per_kwh", usd_per_kwh)
    _same_shape(("power_watts", watts), ("hours", time), ("usd_per_kwh", tariff))
    with np.errstate(over="ignore"):
        return _out(_finite(watts / 1000 * time * tariff, "power_watts", power_watts))


def break_even_price(power_watts: Amount, hours: Amount, usd_per_kwh: Amount,
                     tokens_earned: Amount) -> Amount:
    """The token price at which ``tokens_earned`` over ``hours`` just pay the electricity."""
    cost = np.asarray(electricity_cost_usd(power_watts, hours, usd_per_kwh))
    tokens = _amounts("tokens_earned", tokens_earned, strictly_positive=True)
    _same_shape(("the electricity cost", cost), ("tokens_earned", tokens))
    with np.errstate(over="ignore"):
        return _out(_finite(cost / tokens, "tokens_earned", tokens_earned))


def profitable_share(income_usd: Amount, costs_usd: np.ndarray) -> Amount:
    """The share of providers whose income covers their cost (income >= cost), for one income
    or for each of an array of incomes (one per epoch)."""
    income = _amounts("income_usd", income_usd)
    costs = _amounts("costs_usd", costs_usd)
    ensure(costs.ndim == 1 and costs.size > 0, BurnMintError, "costs_usd", costs_usd,
           "a non-empty 1-D list, one cost per provider")
    covered = costs[None, :] <= income.reshape(-1, 1)  # (incomes, providers)
    return _out(covered.mean(axis=1).reshape(income.shape))
