"""A mint policy: steering a burn-and-mint token's price by feedback, epoch by epoch.

Section 3 of notebook 15 mints a fixed schedule, and the price goes wherever demand takes it.
A protocol that wants a steadier price can instead choose each epoch's mint from what it can
observe, as a thermostat chooses the heating from the room's temperature. A **mint policy** is
that choice: ``policy(price, supply, burned, band) -> tokens to mint this epoch``.

One epoch of ``run_mint_policy``:

1. the protocol observes last epoch's ``price``, the circulating ``supply``, the tokens ``burned``
   by users last epoch and the price ``band`` it aims for; the policy returns the mint;
2. providers receive the minted tokens and sell ``sell_share`` of them (they stake the rest), so
   the float on the market grows by ``sell_share * minted``;
3. users pay ``demand_usd`` for work; the market price follows section 3's equation of exchange,
   ``token_price(demand_usd, float, velocity, speculative_usd)``;
4. users burn ``demand_usd / price`` tokens: ``supply = float - burned``.

A larger float lowers the price, a smaller one raises it; minting is the only lever, burning
the only brake. The run starts at rest at the band's middle (mint = burn / sell_share).

Taught in notebook 15 (Try it 5).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from course.compute import burn_mint
from course.compute.errors import BurnMintError
from course.validation import ensure, ensure_int, ensure_number, is_number

VELOCITY = 0.05  # share of the float spent per epoch (section 3's 5% a day)
SELL_SHARE = 0.8  # providers sell 80% of what they are minted and stake the rest
SPECULATIVE_USD = 500_000.0  # held for reasons other than paying for work: 10 days of demand
DEMAND_USD = 50_000.0  # every scenario starts at section 3's demand


class Band(NamedTuple):
    """The price range (USD) a policy aims to keep; a tuple, so ``low, high = band`` works."""

    low: float
    high: float

    @property
    def target(self) -> float:
        """The middle of the band."""
        return (self.low + self.high) / 2


def band_around(target: float, width: float = 0.2) -> Band:
    """``target`` ± ``width`` (0.2 = ±20%)."""
    middle = ensure_number(target, "target", above=0, error=BurnMintError)
    share = ensure_number(width, "width", above=0, below=1, error=BurnMintError)
    return Band(middle * (1 - share), middle * (1 + share))


Policy = Callable[[float, float, float, Band], float]


class PolicyError(BurnMintError):
    """The policy returned what no protocol can mint (or raised); the message names the epoch,
    the inputs it saw and what it returned."""


@dataclass(frozen=True, eq=False)  # arrays have no single truth value: compare fields
class PolicyRun:
    """One run, one value per epoch (``supply`` has one more: after the last epoch)."""

    band: Band
    demand_usd: np.ndarray  # (epochs,) USD users paid
    price: np.ndarray  # (epochs,) market price during the epoch
    minted: np.ndarray  # (epochs,) tokens the policy minted to providers
    burned: np.ndarray  # (epochs,) tokens users burned
    supply: np.ndarray  # (epochs + 1,) circulating supply at the start of each epoch

    @property
    def in_band(self) -> np.ndarray:
        """(epochs,) True where the price was within the band."""
        inside: np.ndarray = (self.price >= self.band.low) & (self.price <= self.band.high)
        return inside

    @property
    def provider_income_usd(self) -> np.ndarray:
        """(epochs,) what providers earned: the minted tokens at that epoch's price."""
        income: np.ndarray = self.minted * self.price
        return income


def _shown(value: object, width: int = 60) -> str:
    """``repr(value)``, cut short (a mint of 10**400 is not printed in full; 10**5000 has no
    repr at all)."""
    try:
        text = repr(value)
    except ValueError:  # an int too long to convert to text
        return f"an {type(value).__name__} too long to print"
    return text if len(text) <= width else f"{text[: width - 20]}... ({len(text)} characters)"


def _minted(value: object, epoch: int, call: str, supply: float) -> float:
    """The policy's answer as a float, or a PolicyError saying which rule it breaks.

    The checks are made on the float itself, so a number type that is finite when asked and
    NaN when converted (a stateful ``__float__``) is caught too."""
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    where = f"epoch {epoch}: {call} returned {_shown(value)}"
    if value is None:
        raise PolicyError(f"{where}; did the policy forget a `return`?")
    if not is_number(value):
        raise PolicyError(f"{where}; a mint must be one finite number of tokens")
    value = float(value)  # type: ignore[arg-type]  # is_number: a finite real number
    if not math.isfinite(value):
        raise PolicyError(f"{where}, which float() reads as {value}; a mint must be finite")
    if value < 0:
        raise PolicyError(
            f"{where}; a mint cannot be negative (a protocol cannot un-mint: "
            "only users' burns remove tokens)"
        )
    if value > supply:
        raise PolicyError(
            f"{where}, more than the whole circulating supply ({supply:,.0f}): "
            "minting more than doubles the supply in one epoch is printing"
        )
    return value


def run_mint_policy(
    policy: Policy,
    demand_usd: np.ndarray,
    band: Band,
    velocity: float = VELOCITY,
    sell_share: float = SELL_SHARE,
    speculative_usd: float = SPECULATIVE_USD,
) -> PolicyRun:
    """Run ``policy`` for one epoch per entry of ``demand_usd`` (the steps are in the module's
    docstring), starting at rest at ``band.target``.

    Raises:
        PolicyError naming the epoch and the inputs when the policy raises or returns a mint
        that is not a finite number in [0, circulating supply]; BurnMintError for bad
        parameters. ``NotImplementedError`` (a placeholder) is passed on unchanged.
    """
    demand = _demand(demand_usd)
    low = ensure_number(band.low, "band.low", above=0, error=BurnMintError)
    ensure(
        is_number(band.high) and band.high > low,
        BurnMintError,
        "band.high",
        band.high,
        f"a finite number above band.low = {low:g}",
    )
    velocity = ensure_number(velocity, "velocity", above=0, below=1, error=BurnMintError)
    sell_share = ensure_number(sell_share, "sell_share", above=0, maximum=1, error=BurnMintError)
    held = ensure_number(speculative_usd, "speculative_usd", minimum=0, error=BurnMintError)
    band = Band(low, float(band.high))

    epochs = demand.size
    price, minted, burned = np.empty(epochs), np.empty(epochs), np.empty(epochs)
    supply = np.empty(epochs + 1)
    last_price, last_burned = band.target, demand[0] / band.target  # at rest at the target
    supply[0] = burn_mint.token_price(demand[0], 1.0, velocity, held) / band.target - last_burned
    for t in range(epochs):
        seen = (last_price, float(supply[t]), last_burned, band)
        call = f"{getattr(policy, '__name__', 'policy')}{_inputs(seen)}"
        try:
            answer = policy(*seen)
        except NotImplementedError:
            raise
        except Exception as error:  # the policy's own bug: name the inputs that caused it
            raise PolicyError(
                f"epoch {t}: {call} raised {type(error).__name__}: {error}"
            ) from error
        minted[t] = _minted(answer, t, call, supply[t])
        on_market = supply[t] + sell_share * minted[t]  # the float after providers sell
        price[t] = burn_mint.token_price(demand[t], on_market, velocity, held)  # the market
        burned[t] = demand[t] / price[t]  # users
        supply[t + 1] = on_market - burned[t]  # the protocol's books (staked tokens excluded)
        last_price, last_burned = float(price[t]), float(burned[t])
    for array in (demand, price, minted, burned, supply):
        array.setflags(write=False)
    return PolicyRun(band, demand, price, minted, burned, supply)


def _demand(demand_usd: object) -> np.ndarray:
    demand = (
        np.array(demand_usd, dtype=float)
        if isinstance(demand_usd, list | tuple | np.ndarray)
        else np.array([])
    )
    ensure(
        demand.ndim == 1
        and 0 < demand.size <= burn_mint.MAX_EPOCHS
        and bool(np.all(np.isfinite(demand)))
        and bool(np.all(demand > 0)),
        BurnMintError,
        "demand_usd",
        demand_usd,
        f"a list of 1 to {burn_mint.MAX_EPOCHS} positive amounts of USD, one per epoch",
    )
    return demand


def _inputs(seen: tuple[float, float, float, Band]) -> str:
    price, supply, burned, band = seen
    return (
        f"(price={price:.6g}, supply={supply:.6g}, burned={burned:.6g}, "
        f"band=({band.low:.6g}, {band.high:.6g}))"
    )


# --- demand scenarios ----------------------------------------------------------------------------


def crash_demand(
    usd: float, epochs: int, crash_epoch: int, keep: float, crash_epochs: int = 5
) -> np.ndarray:
    """Steady spend that falls to ``keep`` of itself (0.4 = -60%) over ``crash_epochs`` epochs
    from ``crash_epoch`` on, and stays there."""
    start = ensure_number(usd, "usd", above=0, error=BurnMintError)
    count = ensure_int(
        epochs, "epochs", minimum=2, maximum=burn_mint.MAX_EPOCHS, error=BurnMintError
    )
    at = ensure_int(crash_epoch, "crash_epoch", minimum=0, maximum=count - 1, error=BurnMintError)
    left = ensure_number(keep, "keep", above=0, maximum=1, error=BurnMintError)
    spread = ensure_int(crash_epochs, "crash_epochs", minimum=1, error=BurnMintError)
    fall = np.clip((np.arange(count) - at) / spread, 0, 1)  # 0 before, 1 after the crash
    path: np.ndarray = start * left**fall
    return path


def seasonal_demand(usd: float, epochs: int, swing: float, period: int) -> np.ndarray:
    """Spend that swings ±``swing`` (0.3 = ±30%) around ``usd`` with a period of ``period``
    epochs, like the weekly or yearly rhythm of real usage."""
    start = ensure_number(usd, "usd", above=0, error=BurnMintError)
    count = ensure_int(
        epochs, "epochs", minimum=1, maximum=burn_mint.MAX_EPOCHS, error=BurnMintError
    )
    share = ensure_number(swing, "swing", minimum=0, below=1, error=BurnMintError)
    cycle = ensure_int(period, "period", minimum=2, error=BurnMintError)
    path: np.ndarray = start * (1 + share * np.sin(2 * math.pi * np.arange(count) / cycle))
    return path


def policy_scenarios(epochs: int = 240, seed: int = 13) -> dict[str, np.ndarray]:
    """Four seeded demand paths a policy must ride out, each starting at ``DEMAND_USD``:
    growth (+1% an epoch), a crash (-60% at epoch epochs/3), a seasonal swing (±30%, period 90)
    and noise (a random walk, 4% an epoch, from ``seed``)."""
    count = ensure_int(
        epochs, "epochs", minimum=10, maximum=burn_mint.MAX_EPOCHS, error=BurnMintError
    )
    return {
        "growth": burn_mint.growing_demand(DEMAND_USD, 0.01, count),
        "crash": crash_demand(DEMAND_USD, count, crash_epoch=count // 3, keep=0.4),
        "seasonal swing": seasonal_demand(DEMAND_USD, count, swing=0.3, period=90),
        "noise": burn_mint.random_demand(DEMAND_USD, count, volatility=0.04, seed=seed),
    }


# --- the rules a good policy keeps ---------------------------------------------------------------


@dataclass(frozen=True)
class PolicyRules:
    """What "keeps the band" means: in band on ``min_in_band`` of the epochs after ``warm_up``,
    and at the last epoch if ``end_in_band`` (a policy cannot dump tokens when the run ends);
    providers never unpaid (rewards under ``min_reward_share`` of what users paid) for more than
    ``max_unpaid_epochs`` epochs in a row; at most ``issuance_budget`` x the burn plus the starting
    supply minted in all (no printing)."""

    warm_up: int = 20
    min_in_band: float = 0.8
    end_in_band: bool = True
    max_unpaid_epochs: int = 7
    min_reward_share: float = 0.05
    issuance_budget: float = 2.0


def broken_rule(run: PolicyRun, rules: PolicyRules | None = None) -> str | None:
    """The first rule ``run`` breaks, in one sentence naming epochs and prices; None if none."""
    rules = rules or PolicyRules()
    after = slice(rules.warm_up, None)
    share = float(np.mean(run.in_band[after]))
    if share < rules.min_in_band:
        out = np.flatnonzero(~run.in_band[after])[0] + rules.warm_up
        side = "below" if run.price[out] < run.band.low else "above"
        seen = run.burned[out - 1] if out > 0 else run.burned[0]  # the burn the policy saw
        lean = ""  # a policy that leans the wrong way is told which way minting moves the price
        if side == "below" and run.minted[out] > seen:
            lean = (
                f", more than the {seen:,.0f} burned the epoch before: more tokens on the "
                "market push a low price lower"
            )
        elif abs(run.minted[out] - seen) <= 0.01 * seen:
            lean = (
                f", just the {seen:,.0f} burned the epoch before: replacing the burn ignores "
                "the price, so it drifts and nothing pulls it back"
            )
        elif side == "above" and run.minted[out] < seen:
            lean = (
                f", fewer than the {seen:,.0f} burned the epoch before: fewer tokens on the "
                "market push a high price higher"
            )
        return (
            f"the price was in the band on {share:.0%} of the epochs after the warm-up "
            f"(needed {rules.min_in_band:.0%}); after the warm-up it was first out at epoch {out}: "
            f"${run.price[out]:.4g}, {side} the band [${run.band.low:.4g}, "
            f"${run.band.high:.4g}], the policy had minted {run.minted[out]:,.0f} tokens{lean}"
        )
    unpaid = run.provider_income_usd < rules.min_reward_share * run.demand_usd
    streak, longest, end = 0, 0, 0
    for t, dry in enumerate(unpaid):
        streak = streak + 1 if dry else 0
        if streak > longest:
            longest, end = streak, t
    if longest > rules.max_unpaid_epochs:
        return (
            f"providers earned less than {rules.min_reward_share:.0%} of what users paid for "
            f"{longest} epochs in a row (epochs {end - longest + 1}-{end}; at most "
            f"{rules.max_unpaid_epochs} allowed): unpaid providers switch off their machines"
        )
    budget = rules.issuance_budget * run.burned.sum() + run.supply[0]
    if run.minted.sum() > budget:
        return (
            f"{run.minted.sum():,.0f} tokens minted in all, more than {rules.issuance_budget:g}"
            f" x the {run.burned.sum():,.0f} burned plus the starting supply ({budget:,.0f}): "
            "that is printing, not paying for work"
        )
    last = run.price.size - 1
    if rules.end_in_band and not run.in_band[last]:
        side = "below" if run.price[last] < run.band.low else "above"
        return (
            f"the price ended the run out of the band: ${run.price[last]:.4g} at the last epoch "
            f"({last}), {side} [${run.band.low:.4g}, ${run.band.high:.4g}], after a mint of "
            f"{run.minted[last]:,.0f} tokens: the band must hold at the end too, when nothing "
            "after it is checked"
        )
    return None
