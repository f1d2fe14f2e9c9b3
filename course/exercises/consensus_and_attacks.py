"""Checks for notebook 06 (Consensus and attacks): the whitepaper's numbers, selfish mining as a
state machine, and concentration."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import numpy as np

from course.chain.attacks import (
    attacker_success_probability,
    confirmations_needed,
    nakamoto_coefficient,
    selfish_mining_revenue,
)
from course.chain.selfish_mining import (
    HONEST,
    POOL,
    TIE,
    random_finders,
    selfish_step,
)
from course.exercises import CheckFailed, Exercise, expect_function, expect_number, expect_type


def _test_attacker_success(answer: Callable[[float, int], float]) -> str:
    expect_function(answer, 2)
    for q in (0.0, 0.1, 0.15, 0.3, 0.45):
        for z in (0, 1, 2, 5, 10, 20):
            got = answer(q, z)
            expect_type(got, (int, float), f"attacker_success({q}, {z})")
            expected = attacker_success_probability(q, z)
            if not math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-12):
                raise CheckFailed(
                    f"attacker_success(q={q}, z={z}) returned {got:.7f}, "
                    f"expected {expected:.7f} (whitepaper §11)."
                )
    for q in (0.5, 0.7):
        if answer(q, 6) != 1:
            raise CheckFailed(
                f"attacker_success(q={q}, z=6) returned {answer(q, 6)!r}: with "
                "q >= p the attacker always catches up, so the answer is 1."
            )
    return "Your numbers match the whitepaper's table to 7 digits."


check_attacker_success = Exercise(
    name="attacker_success",
    goal="Write attacker_success(q, z): the probability that an attacker with hash share q "
    "catches up from z blocks behind (Bitcoin whitepaper §11).",
    hints=(
        "Two phases. While the merchant waits for z blocks, the attacker's progress k is "
        "Poisson with mean lam = z q / p; from z - k behind he then catches up with probability "
        "(q/p)^(z-k) (gambler's ruin). The formula above sums, over every k up to z, the chance "
        "he does NOT catch up, and takes 1 minus that. With q >= p he always catches up.",
        "On other numbers, by hand: q = 0.2, z = 2 gives p = 0.8, q/p = 0.25, lam = 0.5. "
        "Poisson(k; lam) = lam^k e^-lam / k!: 0.607, 0.303, 0.076 for k = 0, 1, 2. "
        "Terms Poisson(k) * (1 - 0.25^(2-k)): 0.607 * 0.9375 + 0.303 * 0.75 + 0.076 * 0 = 0.796, "
        "so the risk is 1 - 0.796 = 0.204. A loop over k with math.exp and math.factorial does "
        "the same for any z.",
    ),
    test=_test_attacker_success,
)


def _test_confirmations(answer: Callable[[float, float], int]) -> str:
    expect_function(answer, 2)
    for q in (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4):
        for max_risk in (0.001, 0.01, 0.05):
            got = answer(q, max_risk)
            expect_type(got, int, f"confirmations(q={q}, max_risk={max_risk})")
            expected = confirmations_needed(q, max_risk)
            if got != expected:
                raise CheckFailed(
                    f"confirmations(q={q}, max_risk={max_risk}) returned {got}, "
                    f"expected {expected}: the smallest z with risk < max_risk."
                )
    return "q=0.1 needs 5 blocks and q=0.3 needs 24 for a 0.1% risk, as in the whitepaper."


check_confirmations = Exercise(
    name="confirmations",
    goal="Write confirmations(q, max_risk): the smallest z whose attacker success probability "
    "is below max_risk.",
    hints=(
        "The risk falls as z grows, so the answer is a search: try z = 0, 1, 2, ... and stop at "
        "the first z whose risk (attacker_success_probability, or your function) is strictly "
        "below max_risk.",
        "The same search on another question: the first n with 0.5**n < 0.01. Try n = 0 "
        "(1.0), 1 (0.5), ... 6 (0.0156), 7 (0.0078): stop at 7. Careful with the boundary: "
        "'below' means a risk equal to max_risk is not enough yet.",
    ),
    test=_test_confirmations,
)


def _share_lists() -> list[list[float]]:
    rng = random.Random(4)
    lists: list[list[float]] = [
        [0.6],
        [0.5, 0.5],
        [30, 30, 20, 20],
        [25] * 4,
        [1] * 10,
        [5, 3, 2],
        [0.0, 0.2, 0.31, 0.49],
    ]  # exact ties use integers: float rounding is not the lesson
    for size in (3, 7, 15, 40):
        lists.append([rng.paretovariate(1.2) for _ in range(size)])
    return lists


def _test_nakamoto(answer: Callable[[list[float]], int]) -> str:
    expect_function(answer, 1)
    for shares in _share_lists():
        got = answer(list(shares))
        expect_type(got, int, "nakamoto_coefficient(...)")
        expected = nakamoto_coefficient(shares)
        if got != expected:
            shown = [round(s, 3) for s in shares][:8]
            raise CheckFailed(
                f"for shares {shown}{'...' if len(shares) > 8 else ''} you "
                f"returned {got}, expected {expected}: the fewest entities "
                "holding MORE than half of the total."
            )
    return "A coefficient of 2 means two colluding pools (two phone calls) can attack the chain."


check_nakamoto_coefficient = Exercise(
    name="nakamoto_coefficient",
    goal="Write nakamoto_coefficient(shares): the smallest number of entities whose shares "
    "add up to more than half of the total (shares need not sum to 1).",
    hints=(
        "The fewest colluders are the biggest ones: take the entities from the largest share "
        "down, keep a running total, and count how many it takes to pass half of the total "
        "(shares need not sum to 1, so compare with half of their sum).",
        "By hand on other numbers: shares 10, 40, 20, 30 (total 100, half 50). Largest first: "
        "40 (running 40, not past 50), 30 (running 70 > 50): two entities. With 25, 25, 25, 25, "
        "two reach exactly 50, which is not MORE than half: it takes three.",
    ),
    test=_test_nakamoto,
)


# --- selfish mining as a state machine ----------------------------------------------------------

_WHY = {  # (kind of state, finder) -> the rule of Eyal & Sirer's Algorithm 1 that applies
    ("0", POOL): "the pool keeps its new block secret: lead 1, nothing settled yet",
    ("0", HONEST): "with no secret block the honest block simply wins: honest +1, stay at 0",
    ("1", POOL): "the pool keeps this one secret too: lead 2, nothing settled yet",
    ("1", HONEST): "the honest network caught up, so the pool publishes its secret block and "
    f"two branches of equal length race: state {TIE!r} (TIE), nothing settled yet",
    ("2", POOL): "the pool keeps it secret: lead 3",
    ("2", HONEST): "with a lead of 2 the pool publishes both secret blocks: its branch is longer, "
    "both its blocks win (pool +2), the honest block is orphaned; back to 0",
    ("n", POOL): "the pool keeps it secret: the lead grows by one",
    ("n", HONEST): "with a lead above 2 the pool publishes one block, which is now safe "
    "(pool +1), and stays ahead: the lead drops by one",
    (TIE, POOL): "in the tie the pool mines on its own branch and publishes at once: both its "
    "blocks win (pool +2); back to 0",
    (TIE, HONEST): "in the tie the honest block settles the race: with probability gamma it was "
    "mined on the pool's branch (pool 1, honest 1), otherwise on the honest branch "
    "(honest 2), so the expected counts are pool gamma, honest 2 - gamma; back to 0",
}

# Hand-made block sequences: (start state, finders, gamma). Each walks to a rule worth checking.
_SEQUENCES: list[tuple[int | str, tuple[str, ...], float]] = [
    (0, (HONEST,), 0.0),
    (0, (POOL,), 0.0),
    (0, (POOL, HONEST), 0.0),
    (0, (POOL, HONEST, POOL), 0.0),
    (0, (POOL, HONEST, HONEST), 0.0),
    (0, (POOL, HONEST, HONEST), 1.0),
    (0, (POOL, HONEST, HONEST), 0.5),
    (0, (POOL, HONEST, HONEST), 0.3),
    (0, (POOL, POOL, HONEST), 0.0),
    (0, (POOL, POOL, POOL, HONEST, HONEST, HONEST), 0.0),
    (5, (HONEST, HONEST, POOL, HONEST), 0.0),
    (TIE, (HONEST,), 0.8),
    (0, (POOL, HONEST, HONEST, POOL, HONEST, POOL, POOL, HONEST, POOL), 0.25),
]

# Random runs compared with the closed form: (alpha, gamma); fixed seed, so the check repeats.
_RUNS = [(0.2, 0.0), (0.35, 0.0), (0.3, 0.5), (0.25, 1.0), (0.4, 0.75)]
_RUN_BLOCKS = 60_000
_TOLERANCE = 0.02  # a correct step lands within ~0.005 of the formula at this length and seed


def _kind(state: int | str) -> str:
    return TIE if state == TIE else ("n" if int(state) > 2 else str(state))


def _one_step(
    answer: Callable, state: int | str, finder: str, gamma: float, where: str
) -> tuple[int | str, float, float]:
    got = answer(state, finder, gamma)
    call = f"selfish_step({state!r}, {finder!r}, {gamma})"
    if not isinstance(got, tuple | list) or len(got) != 3:
        raise CheckFailed(
            f"{where}{call} returned {got!r}: expected a tuple "
            "(next state, blocks for the pool, blocks for the honest miners)."
        )
    next_state = got[0]
    if not (
        next_state == TIE
        or (isinstance(next_state, int | np.integer) and not isinstance(next_state, bool))
    ):
        raise CheckFailed(
            f"{where}{call} returned the state {next_state!r}: a state is a lead "
            f"0, 1, 2, ... (an int) or TIE ({TIE!r})."
        )
    pool = expect_number(got[1], f"the pool's blocks from {call}")
    honest = expect_number(got[2], f"the honest blocks from {call}")
    return (next_state if next_state == TIE else int(next_state)), pool, honest


def _test_selfish_step(answer: Callable) -> str:
    expect_function(answer, 3)
    for start, finders, gamma in _SEQUENCES:
        state = start
        for number, finder in enumerate(finders, start=1):
            shown = ", ".join(finders[:number])
            where = f"from state {start!r}, blocks found by: {shown} (gamma = {gamma}): "
            got = _one_step(answer, state, finder, gamma, where)
            expected = selfish_step(state, finder, gamma)
            same = got[0] == expected[0] and all(
                math.isclose(g, e, abs_tol=1e-9) for g, e in zip(got[1:], expected[1:], strict=True)
            )
            if not same:
                raise CheckFailed(
                    f"{where}the last step returned {got}, expected {expected}: "
                    f"{_WHY[_kind(state), finder]}."
                )
            state = got[0]
    rows = []
    for index, (alpha, gamma) in enumerate(_RUNS):
        blocks = random_finders(alpha, _RUN_BLOCKS, np.random.default_rng(2014 + index))
        state, pool, honest = 0, 0.0, 0.0
        for finder in blocks:
            state, pool_won, honest_won = answer(state, finder, gamma)
            pool, honest = pool + pool_won, honest + honest_won
        revenue = pool / (pool + honest) if pool + honest else 0.0
        formula = selfish_mining_revenue(alpha, gamma)
        if not abs(revenue - formula) <= _TOLERANCE:
            raise CheckFailed(
                f"over {_RUN_BLOCKS:,} random blocks with alpha = {alpha}, gamma = {gamma} your "
                f"pool earned {revenue:.3f} of the blocks; Eyal and Sirer's formula says "
                f"{formula:.3f}. Every hand-made sequence passed, so look at long leads (3+)."
            )
        rows.append(f"{revenue:.3f} vs {formula:.3f}")
    return (
        f"Your state machine earns what the paper's formula says ({'; '.join(rows[:3])} "
        "for the first runs): at alpha = 0.35 the pool beats its fair share with gamma = 0."
    )


check_selfish_step = Exercise(
    name="selfish_step",
    goal="Write selfish_step(state, finder, gamma): one step of Eyal and Sirer's selfish "
    "mining state machine. It returns (next state, blocks settled for the pool, blocks settled "
    "for the honest miners) after a block found by finder ('pool' or 'honest').",
    hints=(
        "A state machine is a function from (state, event) to (next state, output). Here the "
        "state is the pool's secret lead (0, 1, 2, ... or TIE = \"0'\"), the event is who found "
        "the block, and the output is how many blocks became final for each side. Go through the "
        "strategy above state by state: 0, 1, 2, more than 2, and the tie. The only random rule "
        "is the tie: count expected blocks there, each outcome times its probability.",
        "The same technique on a different machine, a tennis game from deuce (pseudo-code): "
        "state 'deuce', 'adv A' or 'adv B'; step(state, winner): from 'deuce' go to 'adv ' + "
        "winner and award nothing; from 'adv X' a point for X awards X one game and goes back to "
        "'deuce', a point for the other side goes back to 'deuce' with nothing awarded. "
        "Expected counts: an outcome worth 1 with probability 0.3 and 3 otherwise counts as "
        "0.3 * 1 + 0.7 * 3 = 2.4.",
    ),
    test=_test_selfish_step,
)
