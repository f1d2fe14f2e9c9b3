"""Attack models: how safe is a payment after z confirmations, and when does selfish mining pay?

Two primary sources, each as a closed form and as a simulation that must agree with it:

- the Bitcoin whitepaper (Nakamoto 2008), §11 "Calculations": the chance that an attacker
  with a share ``q`` of the hash power rewrites a payment buried under ``z`` blocks;
- "Majority is not Enough" (Eyal & Sirer 2014): a pool with a share ``alpha`` that withholds
  its blocks earns more than its fair share once ``alpha`` passes a threshold.

Taught in notebook 06 (the learner computes the whitepaper's table, then the Nakamoto coefficient).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Literal

import numpy as np

from course.chain.errors import InvalidChainInput
from course.validation import (
    ensure,
    ensure_choice,
    ensure_generator,
    ensure_int,
    ensure_number,
    ensure_numbers,
    fail,
)

AttackerProgress = Literal["poisson", "negative_binomial"]
ATTACKER_PROGRESS = ("poisson", "negative_binomial")
MAX_CONFIRMATIONS = 100_000  # z in the closed form and the Monte Carlo race (two years of blocks)
MAX_WAIT_SEARCHED = 1_000  # confirmations_needed looks no further (a week of Bitcoin blocks)
MAX_TRIALS = 10_000_000  # races in one Monte Carlo estimate (arrays of this length)
MAX_BLOCKS = 1_000_000  # blocks in one selfish-mining run (about a second)


class InvalidParameter(InvalidChainInput):
    """A model parameter is outside the range where the model means something."""


class MajorityAttacker(InvalidParameter):
    """An attacker with half the hash power or more: no number of confirmations is ever safe."""


# --- checking inputs -------------------------------------------------------------------------


def _check_attacker_share(q: float) -> float:
    return ensure_number(q, "q", minimum=0, below=1, error=InvalidParameter,
                         meaning="the attacker's share of the hash power")


def _check_pool_share(alpha: float) -> float:
    return ensure_number(alpha, "alpha", minimum=0, below=0.5,
                         meaning="the selfish pool's share of the hash power",
                         error=InvalidParameter)


def _check_tie_share(gamma: float) -> float:
    meaning = "the share of honest miners that build on the pool's block in a tie"
    return ensure_number(gamma, "gamma", minimum=0, maximum=1, meaning=meaning,
                         error=InvalidParameter)


def _check_confirmations(z: int) -> int:
    return ensure_int(z, "z", minimum=0, maximum=MAX_CONFIRMATIONS,
                      meaning="blocks the merchant waits for", error=InvalidParameter)


# --- double spending: the whitepaper, section 11 ---------------------------------------------


def _poisson(k: int, lam: float) -> float:
    """P(K = k) for K ~ Poisson(lam), with logarithms so that large k and lam do not overflow."""
    if lam == 0.0:
        return 1.0 if k == 0 else 0.0
    return math.exp(k * math.log(lam) - lam - math.lgamma(k + 1))


def _poisson_tail(z: int, lam: float) -> float:
    """P(K > z) for K ~ Poisson(lam) with lam < z + 1, summed term by term (never ``1 - ...``)."""
    total, k = 0.0, z + 1
    while (term := _poisson(k, lam)) > 1e-18 * total:
        total += term
        k += 1
    return total


def attacker_success_probability(q: float, z: int) -> float:
    """Chance that an attacker with hash share ``q`` ever catches up from ``z`` blocks behind.

    Bitcoin whitepaper §11. While the merchant waits for ``z`` blocks the attacker makes
    progress k ~ Poisson(z q / p), with p = 1 - q the honest share. From z - k blocks behind
    he still draws level with probability (q/p)^(z-k) (gambler's ruin); from level or ahead
    he has already won. The whitepaper writes this as 1 - sum_{k<=z} Poisson(k) (1 - (q/p)^(z-k));
    here the same sum is regrouped into positive terms, so tiny risks stay accurate.

    Raises:
        InvalidParameter: if ``q`` is not in [0, 1) or ``z`` is not an integer in 0..100,000.
    """
    q = _check_attacker_share(q)
    z = _check_confirmations(z)
    p = 1.0 - q
    if q >= p:
        return 1.0  # the attacker's chain grows at least as fast: he catches up for sure
    lam = z * q / p
    catches_up_later = sum(_poisson(k, lam) * (q / p) ** (z - k) for k in range(z + 1))
    already_level = _poisson_tail(z, lam)
    return catches_up_later + already_level


def confirmations_needed(q: float, max_risk: float) -> int:
    """The smallest z with ``attacker_success_probability(q, z) < max_risk``.

    With ``max_risk=0.001`` this reproduces the whitepaper's second table (q = 0.10 -> 5, ...).

    Raises:
        MajorityAttacker: if ``q >= 0.5``: the attacker always catches up eventually.
        InvalidParameter: if ``q`` is not in [0, 1), ``max_risk`` is not in (0, 1], or no wait
            up to 1,000 blocks brings the risk below ``max_risk``.
    """
    q = _check_attacker_share(q)
    if q >= 0.5:
        raise MajorityAttacker(
            f"q (the attacker's share of the hash power) = {q!r}: with half the hash power or "
            f"more the attacker always catches up, so no number of confirmations is safe; "
            f"q must be in [0, 0.5)"
        )
    max_risk = ensure_number(max_risk, "max_risk", above=0, maximum=1,
                             meaning="the acceptable chance of a double spend",
                             error=InvalidParameter)
    for z in range(MAX_WAIT_SEARCHED + 1):
        if attacker_success_probability(q, z) < max_risk:
            return z
    risk = attacker_success_probability(q, MAX_WAIT_SEARCHED)
    fail(InvalidParameter, "max_risk", max_risk,
         f"reachable within {MAX_WAIT_SEARCHED:,} confirmations against q = {q:g} (the risk "
         f"after {MAX_WAIT_SEARCHED:,} is {risk:.3g})", "the acceptable chance of a double spend")


def double_spend_race(
    q: float,
    z: int,
    trials: int,
    rng: np.random.Generator,
    *,
    attacker_progress: AttackerProgress = "poisson",
) -> float:
    """Monte Carlo estimate of the double-spend risk: run the attacker's race ``trials`` times.

    Phase 1, the merchant waits: the honest chain gains ``z`` blocks while the attacker gains k.
    With ``attacker_progress="poisson"`` (the whitepaper's model, so the estimate matches
    ``attacker_success_probability``) k ~ Poisson(z q / p), as if honest blocks came exactly on
    schedule. With ``"negative_binomial"`` k counts the attacker's blocks before the z-th honest
    one, each new block being his with probability q: the exact race (Rosenfeld 2014), whose
    risk is higher. Phase 2, the catch-up: from d = z - k behind, the attacker ever draws level
    with probability (q/p)^d (gambler's ruin), so one biased coin settles each race.

    Raises:
        InvalidParameter: for ``q`` outside [0, 1), a bad ``z``, ``trials`` outside
            1..10,000,000, an ``rng`` that is not a numpy Generator, or an unknown
            ``attacker_progress``.
    """
    q = _check_attacker_share(q)
    z = _check_confirmations(z)
    trials = ensure_int(trials, "trials", minimum=1, maximum=MAX_TRIALS,
                        meaning="races to simulate", error=InvalidParameter)
    ensure_generator(rng, error=InvalidParameter)
    ensure_choice(attacker_progress, "attacker_progress", ATTACKER_PROGRESS,
                  error=InvalidParameter)
    p = 1.0 - q
    if attacker_progress == "poisson":
        attacker_blocks = rng.poisson(z * q / p, size=trials)  # (trials,)
    else:  # "negative_binomial": the exact race
        attacker_blocks = (
            rng.negative_binomial(z, p, size=trials) if z > 0 else np.zeros(trials, dtype=int)
        )
    deficit = np.maximum(z - attacker_blocks, 0)  # (trials,) blocks still to make up
    catch_up = min(q / p, 1.0) ** deficit  # (trials,) 1.0 where he is already level
    return float(np.mean(rng.random(trials) < catch_up))


# --- selfish mining: Eyal & Sirer 2014 -------------------------------------------------------


def selfish_mining_revenue(alpha: float, gamma: float) -> float:
    """The selfish pool's share of the main chain's blocks (Eyal & Sirer 2014, R_pool).

    ``alpha`` is the pool's hash share; ``gamma`` the share of honest miners that build on the
    pool's block when two blocks tie. Honest mining would earn exactly ``alpha``.

    Raises:
        InvalidParameter: if ``alpha`` is not in [0, 0.5) or ``gamma`` is not in [0, 1].
    """
    a, g = _check_pool_share(alpha), _check_tie_share(gamma)
    numerator = a * (1 - a) ** 2 * (4 * a + g * (1 - 2 * a)) - a**3
    denominator = 1 - a * (1 + (2 - a) * a)
    return numerator / denominator


def selfish_mining_threshold(gamma: float) -> float:
    """The smallest pool share for which selfish mining pays: (1 - gamma) / (3 - 2 gamma).

    1/3 when no honest miner helps the pool in a tie (gamma = 0), 1/4 at gamma = 1/2, and 0 when
    every honest miner does (gamma = 1).

    Raises:
        InvalidParameter: if ``gamma`` is not in [0, 1].
    """
    gamma = _check_tie_share(gamma)
    return (1 - gamma) / (3 - 2 * gamma)


def simulate_selfish_mining(
    alpha: float, gamma: float, blocks: int, rng: np.random.Generator
) -> float:
    """Play the Eyal–Sirer strategy for ``blocks`` found blocks; return the pool's main-chain share.

    The state is the pool's private lead over the public chain (0, 1, 2, more), plus the
    state 0' (``tie``): the pool has just matched an honest block and two branches race.
    At the end the pool publishes what it still holds, and an open race goes to the honest side.

    Raises:
        InvalidParameter: for ``alpha`` outside [0, 0.5), ``gamma`` outside [0, 1],
            ``blocks`` outside 1..1,000,000 or an ``rng`` that is not a numpy Generator.
    """
    alpha, gamma = _check_pool_share(alpha), _check_tie_share(gamma)
    blocks = ensure_int(blocks, "blocks", minimum=1, maximum=MAX_BLOCKS,
                        meaning="blocks to simulate", error=InvalidParameter)
    ensure_generator(rng, error=InvalidParameter)
    pool, honest = 0, 0  # blocks each side has on the main chain
    lead, tie = 0, False
    honest_on_pool_branch = alpha + gamma * (1 - alpha)
    for u in rng.random(blocks).tolist():
        pool_found_it = u < alpha
        if tie:  # state 0': the next block decides the race
            if pool_found_it:
                pool += 2  # the pool extends its branch and publishes: both its blocks win
            elif u < honest_on_pool_branch:
                pool, honest = pool + 1, honest + 1  # an honest miner extends the pool's branch
            else:
                honest += 2  # an honest miner extends the honest branch; the pool's block dies
            tie = False
        elif pool_found_it:
            lead += 1  # keep the new block private
        elif lead == 0:
            honest += 1  # nothing withheld: the honest block simply wins
        elif lead == 1:
            lead, tie = 0, True  # publish the withheld block: a tie, two branches race
        elif lead == 2:
            pool, lead = pool + 2, 0  # publish both: the longer chain wins outright
        else:
            pool, lead = pool + 1, lead - 1  # publish one block, stay ahead
    pool += lead
    honest += 1 if tie else 0
    return pool / (pool + honest)


# --- concentration: who could attack? -------------------------------------------------------


def nakamoto_coefficient(shares: dict[str, float] | list[float], threshold: float = 0.5) -> int:
    """The smallest number of entities whose shares together exceed ``threshold`` (default 50%).

    Applied to mining pools' hash shares it counts the pools that would have to collude for a
    51% attack. Shares need not sum to 1 (they are normalised).

    Raises:
        InvalidParameter: if there are no shares, any share is negative, or all are zero.
    """
    meaning = "each entity's share of the power, e.g. a pool's hash share"
    values = list(shares.values()) if isinstance(shares, dict) else shares
    ensure_numbers(values, "shares", minimum=0, meaning=meaning, error=InvalidParameter)
    values = list(values)
    ensure(sum(values) > 0, InvalidParameter, "shares", values, "not all zero", meaning)
    threshold = ensure_number(threshold, "threshold", minimum=0, below=1,
                              meaning="the share to exceed", error=InvalidParameter)
    # Exact arithmetic: with floats, five shares of 0.1 would "exceed" half of ten by rounding.
    exact = sorted((Fraction(v) for v in values), reverse=True)
    bar, running = sum(exact) * Fraction(threshold), Fraction(0)
    for count, share in enumerate(exact, start=1):
        running += share
        if running > bar:
            return count
    return len(values)
