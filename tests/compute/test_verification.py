"""Verification: results compared with a tolerance, a quorum that accepts the honest majority,
and the spot-check and collusion probabilities against seeded Monte Carlo simulations."""

import itertools
import math
import random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from course.compute.errors import VerificationError
from course.compute.verification import (
    colluding_majority_probability,
    detection_probability,
    jobs_to_catch,
    quorum,
    results_agree,
    should_spot_check,
)
from course.compute.workloads import WorkResult

TRUTH = (12.5, -3.25, 1000.0, 0.001, -77.7, 4.0)


def result(values, workload="matmul"):
    return WorkResult(workload, tuple(values), 0, "cpu")


def noisy(values, dice, relative=1e-7):
    """The same answer computed elsewhere: float rounding noise, as on another device."""
    return result(v * (1 + dice.gauss(0, relative)) for v in values)


def garbage(dice):
    return result(dice.gauss(0, 10) for _ in TRUTH)


# --- comparing two results -------------------------------------------------------------------


def test_float_noise_agrees_and_a_one_percent_error_does_not():
    dice = random.Random(0)
    assert results_agree(result(TRUTH), noisy(TRUTH, dice))
    assert not results_agree(result(TRUTH), result(v * 1.01 for v in TRUTH))


def test_addition_order_changes_the_bits_but_not_the_verdict():
    a, b = (0.1 + 0.2) + 0.3, 0.1 + (0.2 + 0.3)
    assert a != b
    assert results_agree(result([a]), result([b]))


def test_results_of_different_workloads_or_lengths_never_agree():
    assert not results_agree(result(TRUTH), result(TRUTH, workload="inference"))
    assert not results_agree(result(TRUTH), result(TRUTH[:-1]))


# --- the quorum ------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(honest=st.integers(min_value=1, max_value=6), cheaters=st.integers(min_value=0, max_value=5),
       seed=st.integers(min_value=0, max_value=10**6))
def test_a_quorum_accepts_an_honest_majority_despite_float_noise(honest, cheaters, seed):
    assume(honest > cheaters)
    dice = random.Random(seed)
    results = {f"honest{i}": noisy(TRUTH, dice) for i in range(honest)}
    results |= {f"lazy{i}": garbage(dice) for i in range(cheaters)}
    names = list(results)
    dice.shuffle(names)
    results = {name: results[name] for name in names}
    needed = len(results) // 2 + 1
    verdict = quorum(results, needed)
    assert verdict.accepted is not None and results_agree(verdict.accepted, result(TRUTH))
    assert sorted(verdict.agreeing) == sorted(n for n in results if n.startswith("honest"))
    assert sorted(verdict.disagreeing) == sorted(n for n in results if n.startswith("lazy"))


def test_a_colluding_majority_wins_the_vote():
    forged = [v * 1.5 for v in TRUTH]
    results = {"honest": result(TRUTH), "colluder1": result(forged), "colluder2": result(forged)}
    verdict = quorum(results, 2)
    assert verdict.agreeing == ("colluder1", "colluder2") and verdict.disagreeing == ("honest",)


@pytest.mark.parametrize("needed", [1, 2])
def test_a_tie_between_the_biggest_groups_accepts_nothing_and_judges_nobody(needed):
    forged = [v * 2 for v in TRUTH]
    results = {"a": result(TRUTH), "b": result(TRUTH), "c": result(forged), "d": result(forged)}
    verdict = quorum(results, needed)
    assert (verdict.accepted, verdict.agreeing, verdict.disagreeing) == (None, (), ())


def test_a_one_to_one_disagreement_is_a_tie():
    verdict = quorum({"a": result(TRUTH), "b": garbage(random.Random(1))}, 1)
    assert verdict.accepted is None


def test_a_group_smaller_than_needed_is_not_accepted():
    dice = random.Random(2)
    results = {"a": result(TRUTH), "b": noisy(TRUTH, dice), "c": garbage(dice)}
    assert quorum(results, 3).accepted is None
    assert quorum(results, 2).agreeing == ("a", "b")


def test_a_single_result_is_accepted_when_one_is_needed_and_no_results_never():
    assert quorum({"solo": result(TRUTH)}, 1).agreeing == ("solo",)
    assert quorum({}, 1).accepted is None


# --- spot checks -----------------------------------------------------------------------------


def simulated_detection(check_rate, cheated_jobs, trials, seed):
    """Share of trials in which at least one of the cheated jobs was drawn for a check."""
    dice = random.Random(seed)
    caught = sum(any(dice.random() < check_rate for _ in range(cheated_jobs))
                 for _ in range(trials))
    return caught / trials


@pytest.mark.parametrize("check_rate, cheated_jobs", [
    (0.1, 1), (0.1, 10), (0.05, 20), (0.2, 5), (0.01, 100), (0.5, 3)])
def test_detection_probability_matches_a_seeded_simulation(check_rate, cheated_jobs):
    trials = 20_000
    expected = detection_probability(check_rate, cheated_jobs)
    simulated = simulated_detection(check_rate, cheated_jobs, trials, seed=cheated_jobs)
    sigma = math.sqrt(expected * (1 - expected) / trials)
    assert abs(simulated - expected) < 4 * sigma + 1e-9


def test_detection_probability_at_its_edges():
    assert detection_probability(0.1, 0) == 0
    assert detection_probability(0.0, 50) == 0
    assert detection_probability(1.0, 1) == 1
    assert detection_probability(0.1, 1) == pytest.approx(0.1)
    assert detection_probability(0.1, 10) == pytest.approx(0.6513215599)


@settings(max_examples=200)
@given(st.floats(min_value=0, max_value=1), st.integers(min_value=0, max_value=200))
def test_more_cheats_are_never_less_likely_to_be_caught(check_rate, cheated_jobs):
    assert (detection_probability(check_rate, cheated_jobs + 1)
            >= detection_probability(check_rate, cheated_jobs))


def test_a_ten_percent_check_rate_needs_44_cheats_for_99_percent():
    assert jobs_to_catch(0.1, 0.99) == 44
    assert detection_probability(0.1, 43) < 0.99 <= detection_probability(0.1, 44)


@settings(max_examples=300)
@given(st.floats(min_value=0.001, max_value=0.999), st.floats(min_value=0.01, max_value=0.999))
def test_jobs_to_catch_is_the_smallest_count_that_reaches_the_confidence(check_rate, confidence):
    ratio = math.log(1 - confidence) / math.log(1 - check_rate)
    assume(abs(ratio - round(ratio)) > 1e-6)  # not right on a float rounding boundary
    k = jobs_to_catch(check_rate, confidence)
    assert detection_probability(check_rate, k) >= confidence
    assert k == 1 or detection_probability(check_rate, k - 1) < confidence


def test_checking_every_job_catches_the_first_cheat():
    assert jobs_to_catch(1.0, 0.999) == 1


@pytest.mark.parametrize("call", [
    lambda: detection_probability(1.5, 3), lambda: detection_probability(0.1, -1),
    lambda: detection_probability(0.1, 2.5), lambda: jobs_to_catch(0.0, 0.9),
    lambda: jobs_to_catch(0.1, 1.0), lambda: should_spot_check(-0.1, random.Random(0)),
    lambda: colluding_majority_probability(1.2, 3), lambda: colluding_majority_probability(0.2, 0),
    lambda: colluding_majority_probability(0.2, True),
])
def test_probabilities_and_counts_out_of_range_are_refused(call):
    with pytest.raises(VerificationError, match="must be"):
        call()


def test_should_spot_check_checks_the_asked_share_of_jobs():
    dice = random.Random(5)
    checked = sum(should_spot_check(0.25, dice) for _ in range(20_000))
    assert abs(checked / 20_000 - 0.25) < 0.015
    assert not any(should_spot_check(0.0, dice) for _ in range(100))
    assert all(should_spot_check(1.0, dice) for _ in range(100))


# --- collusion -------------------------------------------------------------------------------


def by_enumeration(share, redundancy):
    """Sum the probability of every cheater/honest assignment of the replicas with a cheater
    majority: an independent way to get the binomial tail."""
    total = 0.0
    for seats in itertools.product((True, False), repeat=redundancy):
        if sum(seats) > redundancy / 2:
            total += math.prod(share if cheat else 1 - share for cheat in seats)
    return total


@settings(max_examples=100)
@given(st.floats(min_value=0, max_value=1), st.integers(min_value=1, max_value=9))
def test_colluding_majority_probability_is_the_binomial_tail(share, redundancy):
    expected = by_enumeration(share, redundancy)
    assert colluding_majority_probability(share, redundancy) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("share, redundancy", [(0.2, 3), (0.3, 5), (0.45, 7), (0.6, 3)])
def test_colluding_majority_probability_matches_a_seeded_simulation(share, redundancy):
    dice, trials = random.Random(redundancy), 20_000
    wins = sum(sum(dice.random() < share for _ in range(redundancy)) > redundancy / 2
               for _ in range(trials))
    expected = colluding_majority_probability(share, redundancy)
    sigma = math.sqrt(expected * (1 - expected) / trials)
    assert abs(wins / trials - expected) < 4 * sigma


def test_more_replicas_help_against_a_minority_of_colluders_and_hurt_against_a_majority():
    minority = [colluding_majority_probability(0.2, r) for r in (1, 3, 5, 7)]
    majority = [colluding_majority_probability(0.6, r) for r in (1, 3, 5, 7)]
    assert minority == sorted(minority, reverse=True)
    assert majority == sorted(majority)
    assert colluding_majority_probability(0.2, 1) == pytest.approx(0.2)
    assert colluding_majority_probability(0.2, 3) == pytest.approx(3 * 0.2**2 * 0.8 + 0.2**3)


def test_an_even_split_is_not_a_majority():
    assert colluding_majority_probability(0.5, 2) == pytest.approx(0.25)  # both must collude
    assert colluding_majority_probability(1.0, 4) == 1 and colluding_majority_probability(0, 4) == 0


@pytest.mark.parametrize("check_rate", [0.01, 0.05, 0.1, 0.3, 0.5])
@pytest.mark.parametrize("cheats", [1, 2, 3, 10, 44])
def test_jobs_to_catch_at_exactly_the_confidence_of_k_cheats_is_k(check_rate, cheats):
    confidence = detection_probability(check_rate, cheats)
    if confidence < 1:
        assert jobs_to_catch(check_rate, confidence) == cheats
