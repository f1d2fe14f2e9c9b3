"""Selfish mining as a state machine you can step through (Eyal & Sirer 2014, Algorithm 1).

The state is the pool's private lead: how many blocks it has found and kept secret beyond the
public chain (0, 1, 2, ...), plus the state 0' (``TIE``): the pool has just published its one
secret block to match an honest block, and two branches of equal length race. Each newly found
block (by the pool or by an honest miner) moves the machine one step and may settle blocks on
the main chain for good. ``selfish_step`` is one step; ``selfish_revenue`` feeds any step
function a random sequence of finders and returns the pool's share of the settled blocks, which
``course.chain.attacks.selfish_mining_revenue`` gives in closed form.
Taught in notebook 06 (the learner writes the step function).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from course.chain.attacks import InvalidParameter
from course.validation import ensure, ensure_choice, ensure_generator, ensure_int, ensure_number

TIE = "0'"  # the state where the pool's published block and an honest block race
POOL, HONEST = "pool", "honest"  # who found the next block
FINDERS = (POOL, HONEST)
MAX_BLOCKS = 1_000_000  # blocks in one run (a second or two of Python calls)

State = int | str  # a lead 0, 1, 2, ... or TIE
Finder = str  # POOL or HONEST
Step = tuple[State, float, float]  # (next state, blocks settled for the pool, for honest miners)
StepFunction = Callable[[State, Finder, float], Step]


def _check_state(state: object) -> State:
    is_lead = isinstance(state, int | np.integer) and not isinstance(state, bool)
    ok = state == TIE or (is_lead and int(state) >= 0)  # type: ignore[call-overload]
    ensure(
        ok,
        InvalidParameter,
        "state",
        state,
        f"a lead 0, 1, 2, ... or {TIE!r} (TIE)",
        "the pool's private lead",
    )
    return TIE if state == TIE else int(state)  # type: ignore[call-overload]


def _check_gamma(gamma: float) -> float:
    return ensure_number(
        gamma,
        "gamma",
        minimum=0,
        maximum=1,
        error=InvalidParameter,
        meaning="the share of honest miners that build on the pool's block in a tie",
    )


def selfish_step(state: State, finder: Finder, gamma: float) -> Step:
    """One step of the selfish pool's strategy: the next state and the blocks settled by it.

    ``finder`` is ``"pool"`` or ``"honest"``. In the tie, an honest block lands on the pool's
    branch with probability ``gamma`` (pool 1 block, honest 1) and on the honest branch
    otherwise (honest 2): the step returns the expected counts, ``gamma`` and ``2 - gamma``.

    Raises:
        InvalidParameter: for a state that is not a lead >= 0 or TIE, an unknown finder, or a
            ``gamma`` outside [0, 1].
    """
    state = _check_state(state)
    ensure_choice(finder, "finder", FINDERS, meaning="who found the block", error=InvalidParameter)
    gamma = _check_gamma(gamma)
    if state == TIE:
        if finder == POOL:
            return 0, 2.0, 0.0  # the pool extends its branch and publishes: both blocks win
        return 0, gamma, 2.0 - gamma  # the honest block settles the race on one branch
    lead = int(state)
    if finder == POOL:
        return lead + 1, 0.0, 0.0  # keep the new block secret
    if lead == 0:
        return 0, 0.0, 1.0  # nothing withheld: the honest block simply wins
    if lead == 1:
        return TIE, 0.0, 0.0  # publish the secret block: two branches of equal length
    if lead == 2:
        return 0, 2.0, 0.0  # publish both: the pool's branch is longer and wins outright
    return lead - 1, 1.0, 0.0  # publish one block, stay ahead: that block is safe


def random_finders(alpha: float, blocks: int, rng: np.random.Generator) -> list[Finder]:
    """Who finds each of the next ``blocks`` blocks: the pool with probability ``alpha``.

    Raises:
        InvalidParameter: for ``alpha`` outside [0, 0.5), ``blocks`` outside 1..1,000,000 or an
            ``rng`` that is not a numpy Generator.
    """
    alpha = ensure_number(
        alpha,
        "alpha",
        minimum=0,
        below=0.5,
        error=InvalidParameter,
        meaning="the selfish pool's share of the hash power",
    )
    blocks = ensure_int(
        blocks,
        "blocks",
        minimum=1,
        maximum=MAX_BLOCKS,
        meaning="blocks to simulate",
        error=InvalidParameter,
    )
    ensure_generator(rng, error=InvalidParameter)
    return [POOL if u < alpha else HONEST for u in rng.random(blocks).tolist()]


def run_steps(
    step: StepFunction, finders: Iterable[Finder], gamma: float, state: State = 0
) -> tuple[State, float, float]:
    """Feed ``finders`` to ``step`` from ``state``: the final state and the blocks each side won.

    Blocks the pool still holds at the end are not counted (over a long run they do not matter).
    """
    pool = honest = 0.0
    for finder in finders:
        state, pool_won, honest_won = step(state, finder, gamma)
        pool, honest = pool + pool_won, honest + honest_won
    return state, pool, honest


def selfish_revenue(
    step: StepFunction, alpha: float, gamma: float, blocks: int, rng: np.random.Generator
) -> float:
    """The pool's share of the settled blocks when ``step`` plays ``blocks`` random blocks.

    Raises:
        InvalidParameter: for ``alpha``, ``gamma``, ``blocks`` or ``rng`` out of range (as in
            ``random_finders`` and ``selfish_step``).
    """
    gamma = _check_gamma(gamma)
    _, pool, honest = run_steps(step, random_finders(alpha, blocks, rng), gamma)
    return pool / (pool + honest) if pool + honest else 0.0
