"""Commit, then challenge: honest work passes, partial work is caught at the rate f^k says,
and a commitment cannot be changed after the challenge."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from course.compute.commitments import (
    challenges_needed,
    choose_rows,
    commit,
    first_rows_summary,
    freivalds_check,
    matmul_inputs,
    old_summary_result,
    opening_matches,
    partial_matmul,
    survival_probability,
    verify_matmul_rows,
)
from course.compute.errors import VerificationError
from course.compute.workloads import matmul, summary_of_rows

SIZE, SEED = 64, 3


def honest_output(size=SIZE, seed=SEED):
    a, b = matmul_inputs(size, seed)
    return a @ b


def challenge(output, count, secret, size=SIZE, seed=SEED):
    committed = commit(output)
    rows = choose_rows(committed.commitment, count, secret)
    openings = [committed.open(i) for i in rows]
    return verify_matmul_rows(committed.commitment, openings, size, seed)


def test_the_inputs_are_the_workloads_own_so_the_summary_matches():
    assert summary_of_rows("matmul", honest_output()) == matmul(size=SIZE, seed=SEED).summary


def test_the_old_summary_is_fooled_by_a_cheater_who_did_a_quarter_of_the_work():
    """The cautionary tale of notebook 13: the summary only looks at the first 16 rows."""
    cheat = partial_matmul(SIZE, SEED, work_fraction=0.25)  # 16 of 64 rows
    assert first_rows_summary(cheat) == old_summary_result(SIZE, SEED).summary
    # today's summary covers every row: the same cheat no longer matches
    assert summary_of_rows("matmul", cheat) != matmul(size=SIZE, seed=SEED).summary
    assert not torch.allclose(cheat, honest_output())


@pytest.mark.parametrize("secret", range(10))
def test_an_honest_provider_passes_every_challenge(secret):
    assert challenge(honest_output(), count=8, secret=secret) == []


def test_honest_rows_computed_differently_still_pass_the_error_bound():
    """Float sums in another order (as on another machine) differ in the last bits only."""
    a, b = matmul_inputs(SIZE, SEED)
    other_order = (a.double() @ b.double()).float()
    assert not torch.equal(other_order, a @ b)
    assert challenge(other_order, count=SIZE, secret=1) == []


def test_a_partial_worker_survives_about_f_to_the_k():
    f, k, trials = 0.5, 3, 400
    cheat = partial_matmul(SIZE, SEED, work_fraction=f)
    survived = sum(challenge(cheat, count=k, secret=s) == [] for s in range(trials))
    expected = survival_probability(f, k, rows=SIZE)  # C(32, 3) / C(64, 3) = 0.118
    assert expected < f**k
    assert abs(survived / trials - expected) < 4 * math.sqrt(expected / trials)


def test_a_row_changed_after_the_commitment_fails_its_proof():
    committed = commit(honest_output())
    (row,) = choose_rows(committed.commitment, 1, verifier_secret=5)
    opening = committed.open(row)
    forged = replace(opening, values=(opening.values[0] + 1.0, *opening.values[1:]))
    assert opening_matches(committed.commitment, opening)
    assert not opening_matches(committed.commitment, forged)
    moved = replace(opening, index=(row + 1) % SIZE)  # the right values claimed for another row
    assert not opening_matches(committed.commitment, moved)
    assert verify_matmul_rows(committed.commitment, [forged, moved], SIZE, SEED) == [
        forged.index, moved.index]


def test_challenged_rows_depend_on_the_secret_and_the_root_only():
    committed = commit(honest_output())
    first = choose_rows(committed.commitment, 5, verifier_secret=7)
    assert first == choose_rows(committed.commitment, 5, verifier_secret=7)
    assert first != choose_rows(committed.commitment, 5, verifier_secret=8)
    assert len(set(first)) == 5 and all(0 <= i < SIZE for i in first)


def test_freivalds_accepts_the_product_and_refuses_a_single_wrong_entry():
    a, b = matmul_inputs(SIZE, SEED)
    c = a @ b
    assert freivalds_check(a, b, c, rounds=4)
    wrong = c.clone()
    wrong[10, 20] += 1.0
    assert not freivalds_check(a, b, wrong, rounds=8)
    assert not freivalds_check(a, b, partial_matmul(SIZE, SEED, 0.9), rounds=2)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(f=st.floats(0.01, 0.99), confidence=st.floats(0.5, 0.999999))
def test_challenges_needed_is_the_smallest_k_that_reaches_the_confidence(f, confidence):
    k = challenges_needed(f, confidence)
    assert survival_probability(f, k) <= 1 - confidence
    assert k == 0 or survival_probability(f, k - 1) > 1 - confidence


@pytest.mark.parametrize("call", [
    lambda: choose_rows(commit(honest_output()).commitment, 0, 1),
    lambda: choose_rows(commit(honest_output()).commitment, SIZE + 1, 1),
    lambda: commit(torch.zeros(3)),
    lambda: partial_matmul(SIZE, SEED, 1.5),
    lambda: survival_probability(math.nan, 3),
    lambda: challenges_needed(1.0, 0.9),
    lambda: freivalds_check(*matmul_inputs(4, 0), torch.zeros(4, 4), precision="fp8"),
])
def test_bad_arguments_are_named_errors(call):
    with pytest.raises(VerificationError):
        call()
