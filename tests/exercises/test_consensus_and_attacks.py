"""Checkers of notebook 06, both ways."""

import math

import pytest

from course.chain.attacks import attacker_success_probability
from course.chain.selfish_mining import TIE, selfish_step
from course.exercises import FAILED, PASSED
from course.exercises.consensus_and_attacks import (
    check_attacker_success,
    check_confirmations,
    check_nakamoto_coefficient,
    check_selfish_step,
)
from tests.exercises.both_ways import assert_checked_both_ways


def whitepaper(q, z):
    p = 1 - q
    if q >= p:
        return 1.0
    lam = z * q / p
    return 1 - sum(
        math.exp(-lam) * lam**k / math.factorial(k) * (1 - (q / p) ** (z - k)) for k in range(z + 1)
    )


def whitepaper_without_majority_case(q, z):
    p = 1 - q
    lam = z * q / p
    return 1 - sum(
        math.exp(-lam) * lam**k / math.factorial(k) * (1 - (q / p) ** (z - k)) for k in range(z + 1)
    )


def gamblers_ruin_only(q, z):
    return 1.0 if q >= 0.5 else (q / (1 - q)) ** z


def confirmations(q, max_risk):
    z = 0
    while attacker_success_probability(q, z) >= max_risk:
        z += 1
    return z


def confirmations_off_by_one(q, max_risk):
    return confirmations(q, max_risk) + 1


def nakamoto(shares):
    total, running = sum(shares), 0
    for count, share in enumerate(sorted(shares, reverse=True), start=1):
        running += share
        if running > total / 2:
            return count


def nakamoto_at_least_half(shares):
    total, running = sum(shares), 0
    for count, share in enumerate(sorted(shares, reverse=True), start=1):
        running += share
        if running >= total / 2:
            return count


def nakamoto_unsorted(shares):
    total, running = sum(shares), 0
    for count, share in enumerate(shares, start=1):
        running += share
        if running > total / 2:
            return count


CASES = [
    (
        check_attacker_success,
        [whitepaper, attacker_success_probability],
        [gamblers_ruin_only, whitepaper_without_majority_case, lambda q, z: q**z],
    ),
    (
        check_confirmations,
        [confirmations],
        [confirmations_off_by_one, lambda q, m: int(math.log(m) / math.log(q / (1 - q)))],
    ),
    (
        check_nakamoto_coefficient,
        [
            nakamoto,
            lambda s: next(n for n in range(1, len(s) + 1) if sum(sorted(s)[-n:]) > sum(s) / 2),
        ],
        [nakamoto_at_least_half, nakamoto_unsorted, lambda s: len(s) // 2 + 1],
    ),
]
ids = ["attacker_success", "confirmations", "nakamoto_coefficient"]


@pytest.mark.parametrize("check, solutions, wrong_answers", CASES, ids=ids)
def test_checker_works_both_ways(check, solutions, wrong_answers):
    assert_checked_both_ways(check, solutions, wrong_answers)


# --- selfish mining: the learner's step function ----------------------------------------------


def step_by_rules(state, finder, gamma):
    if state == TIE:
        return (0, 2, 0) if finder == "pool" else (0, gamma, 2 - gamma)
    if finder == "pool":
        return state + 1, 0, 0
    if state == 0:
        return 0, 0, 1
    if state == 1:
        return TIE, 0, 0
    if state == 2:
        return 0, 2, 0
    return state - 1, 1, 0


TABLE = {
    ("0'", "pool"): (0, 2.0, 0.0),
    (0, "honest"): (0, 0.0, 1.0),
    (1, "honest"): ("0'", 0, 0),
    (2, "honest"): (0, 2.0, 0.0),
}


def step_by_table(state, finder, gamma):
    """Another style: a lookup table for the fixed rules, lists instead of tuples."""
    if state == "0'" and finder == "honest":
        return [0, gamma * 1 + (1 - gamma) * 0, gamma * 1 + (1 - gamma) * 2]
    if (state, finder) in TABLE:
        return list(TABLE[state, finder])
    return [state + 1, 0, 0] if finder == "pool" else [state - 1, 1, 0]


def wrong_at(state_kind, finder, result):
    """The correct step, except for one (kind of state, finder) pair."""

    def step(state, found_by, gamma):
        kind = TIE if state == TIE else min(state, 3)
        if kind == state_kind and found_by == finder:
            return result(state, gamma)
        return step_by_rules(state, found_by, gamma)

    return step


WRONG_STEPS = [
    # gamma ignored: the honest branch always wins a tie
    (
        wrong_at(TIE, "honest", lambda s, g: (0, 0, 2)),
        "gamma = 1.0",
        "expected counts are pool gamma",
    ),
    # gamma the wrong way round
    (
        wrong_at(TIE, "honest", lambda s, g: (0, 1 - g, 1 + g)),
        "gamma = 0.0",
        "pool gamma, honest 2 - gamma",
    ),
    # the pool's share right, but the honest side still gets both blocks
    (wrong_at(TIE, "honest", lambda s, g: (0, g, 2)), "gamma = 1.0", "honest 2 - gamma"),
    # only the pool's block counted when it wins the tie
    (wrong_at(TIE, "pool", lambda s, g: (0, 1, 0)), "pool, honest, pool", "both its blocks win"),
    # gives up at lead 1 instead of racing
    (wrong_at(1, "honest", lambda s, g: (0, 0, 1)), "pool, honest (gamma", "two branches"),
    # treats lead 2 like a long lead
    (wrong_at(2, "honest", lambda s, g: (1, 1, 0)), "pool, pool, honest", "publishes both"),
    # a long lead pays the honest side
    (
        wrong_at(3, "honest", lambda s, g: (s - 1, 0, 1)),
        "pool, pool, pool, honest",
        "publishes one block",
    ),
    # publishes at once: plain honest mining
    (wrong_at(0, "pool", lambda s, g: (0, 1, 0)), "blocks found by: pool (gamma", "secret"),
    # a state as text
    (
        lambda state, finder, gamma: (
            ("1", 0, 0) if finder == "pool" else step_by_rules(state, finder, gamma)
        ),
        "blocks found by: pool (gamma",
        "a state is a lead",
    ),
    (lambda state, finder, gamma: 0, "", "expected a tuple"),
]


def test_selfish_step_passes_correct_answers_in_different_styles():
    assert_checked_both_ways(
        check_selfish_step,
        [step_by_rules, step_by_table, selfish_step],
        [wrong for wrong, _, _ in WRONG_STEPS],
    )


@pytest.mark.parametrize(("wrong", "where", "why"), WRONG_STEPS)
def test_a_wrong_selfish_step_is_told_which_sequence_and_which_rule(wrong, where, why):
    outcome = check_selfish_step.check(wrong)
    assert outcome.status == FAILED
    assert where in outcome.message and why in outcome.message, outcome.message


def test_a_step_right_on_short_sequences_but_wrong_on_long_leads_fails_against_the_formula():
    def forgets_long_leads(state, finder, gamma):
        if state != TIE and state > 5 and finder == "honest":
            return state - 1, 0, 1  # leads past 5 are never in the hand-made sequences
        return step_by_rules(state, finder, gamma)

    outcome = check_selfish_step.check(forgets_long_leads)
    assert outcome.status == FAILED
    assert "Eyal and Sirer's formula says" in outcome.message


def test_the_selfish_check_reports_the_closed_form_it_matched():
    outcome = check_selfish_step.check(step_by_rules)
    assert outcome.status == PASSED and "0.367 vs 0.367" in outcome.message


def _solution_lines():
    import nbformat

    from tests.conftest import ROOT

    notebook = nbformat.read(ROOT / "notebooks/06_consensus_and_attacks.ipynb", as_version=4)
    for cell in notebook.cells:
        if "solution" not in cell.metadata.get("tags", []):
            continue
        body = cell.source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
        for line in body.splitlines():
            code = line.split("#")[0].strip()
            if len(code) > 12 and not code.startswith(("def ", '"""')):
                yield code


@pytest.mark.parametrize(
    "check",
    [check_attacker_success, check_confirmations, check_selfish_step, check_nakamoto_coefficient],
    ids=lambda c: c.name,
)
def test_no_hint_before_the_solution_step_contains_a_line_of_the_solution(check):
    hints = " ".join(" ".join(step.split()) for step in check.help_steps[:-1])
    lines = list(_solution_lines())
    assert len(lines) > 10
    leaked = [line for line in lines if " ".join(line.split()) in hints]
    assert not leaked, f"{check.name}'s hints give away {leaked}"
