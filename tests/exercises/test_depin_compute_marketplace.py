"""Checkers of notebook 13, both ways."""

import math

import numpy as np
import pytest
import torch

from course.compute import commitments, market, verification
from course.compute.market import NoProviderError
from course.compute.reputation import Reputation
from course.compute.workloads import WorkResult
from course.exercises.depin_compute_marketplace import (
    AUCTIONS,
    LAZY_JOBS,
    QUORUM_CASES,
    SURVIVAL_CASES,
    check_break_even_stake,
    check_jobs_to_catch,
    check_lazy_matmul,
    check_pick_winners,
    check_quorum_vote,
    check_reputation_score,
    check_survival,
)
from tests.exercises.both_ways import assert_checked_both_ways

# --- the reverse auction ---------------------------------------------------------------------


def winners_by_sorting(job, providers):
    eligible = [p for p in providers if p.bid(job) <= job.max_price
                and p.stake >= job.min_stake and (p.gpu or not job.gpu)]
    eligible.sort(key=lambda p: (p.bid(job), p.name))
    if len(eligible) < job.redundancy:
        raise NoProviderError(f"only {len(eligible)} may take it")
    return [p.name for p in eligible[:job.redundancy]]


def winners_one_at_a_time(job, providers):
    """Pick the cheapest remaining eligible provider, redundancy times."""
    left = {p.name: p for p in providers if market.why_not(job, p) is None}
    chosen = []
    for _ in range(job.redundancy):
        if not left:
            raise NoProviderError("nobody left")
        best = min(left.values(), key=lambda p: (p.bid(job), p.name))
        chosen.append(best.name)
        del left[best.name]
    return tuple(chosen)


def winners_from_the_package(job, providers):
    return [bid.provider.name for bid in market.match(job, providers)]


def winners_ignoring_stake(job, providers):
    eligible = [p for p in providers if p.bid(job) <= job.max_price and (p.gpu or not job.gpu)]
    eligible.sort(key=lambda p: (p.bid(job), p.name))
    if len(eligible) < job.redundancy:
        raise NoProviderError("too few")
    return [p.name for p in eligible[:job.redundancy]]


def winners_ignoring_gpu(job, providers):
    eligible = [p for p in providers if p.bid(job) <= job.max_price and p.stake >= job.min_stake]
    eligible.sort(key=lambda p: (p.bid(job), p.name))
    if len(eligible) < job.redundancy:
        raise NoProviderError("too few")
    return [p.name for p in eligible[:job.redundancy]]


def winners_strictly_below_max_price(job, providers):
    eligible = [p for p in providers if p.bid(job) < job.max_price
                and p.stake >= job.min_stake and (p.gpu or not job.gpu)]
    eligible.sort(key=lambda p: (p.bid(job), p.name))
    if len(eligible) < job.redundancy:
        raise NoProviderError("too few")
    return [p.name for p in eligible[:job.redundancy]]


def winners_ties_in_input_order(job, providers):
    eligible = [p for p in providers if market.why_not(job, p) is None]
    eligible.sort(key=lambda p: p.bid(job))
    if len(eligible) < job.redundancy:
        raise NoProviderError("too few")
    return [p.name for p in eligible[:job.redundancy]]


def winners_most_expensive(job, providers):
    eligible = [p for p in providers if market.why_not(job, p) is None]
    eligible.sort(key=lambda p: (-p.bid(job), p.name))
    if len(eligible) < job.redundancy:
        raise NoProviderError("too few")
    return [p.name for p in eligible[:job.redundancy]]


def winners_all_eligible(job, providers):
    eligible = sorted((p for p in providers if market.why_not(job, p) is None),
                      key=lambda p: (p.bid(job), p.name))
    if len(eligible) < job.redundancy:
        raise NoProviderError("too few")
    return [p.name for p in eligible]


def winners_never_raising(job, providers):
    eligible = sorted((p for p in providers if market.why_not(job, p) is None),
                      key=lambda p: (p.bid(job), p.name))
    return [p.name for p in eligible[:job.redundancy]]


def winners_as_providers(job, providers):
    return [bid.provider for bid in market.match(job, providers)]


# --- a quorum vote ---------------------------------------------------------------------------


def vote_grouping(results, needed):
    groups = []
    for name, summary in results.items():
        for group in groups:
            if np.allclose(results[group[0]], summary, rtol=1e-4, atol=1e-5):
                group.append(name)
                break
        else:
            groups.append([name])
    biggest = max(groups, key=len, default=[])
    return sorted(biggest) if len(biggest) >= needed else []


def vote_by_counting_friends(results, needed):
    """For each provider, who agrees with it (math.isclose per number); keep the largest set."""
    def agree(a, b):
        return len(a) == len(b) and all(
            math.isclose(x, y, rel_tol=1e-4, abs_tol=1e-5) for x, y in zip(a, b, strict=True))
    best = set()
    for summary in results.values():
        friends = {name for name, other in results.items() if agree(summary, other)}
        best = max(best, friends, key=len)
    return best if len(best) >= needed else set()


def vote_with_the_package(results, needed):
    as_work = {n: WorkResult("matmul", s, 0, "cpu") for n, s in results.items()}
    return list(verification.quorum(as_work, needed).agreeing)


def vote_exactly_equal(results, needed):
    groups = {}
    for name, summary in results.items():
        groups.setdefault(summary, []).append(name)
    biggest = max(groups.values(), key=len, default=[])
    return sorted(biggest) if len(biggest) >= needed else []


def vote_too_lenient(results, needed):
    groups = []
    for name, summary in results.items():
        for group in groups:
            if np.allclose(results[group[0]], summary, rtol=0.05):
                group.append(name)
                break
        else:
            groups.append([name])
    biggest = max(groups, key=len, default=[])
    return sorted(biggest) if len(biggest) >= needed else []


def vote_absolute_tolerance_only(results, needed):
    groups = []
    for name, summary in results.items():
        for group in groups:
            if np.allclose(results[group[0]], summary, rtol=0, atol=1e-5):
                group.append(name)
                break
        else:
            groups.append([name])
    biggest = max(groups, key=len, default=[])
    return sorted(biggest) if len(biggest) >= needed else []


def vote_ignoring_needed(results, needed):
    return vote_grouping(results, 1)


def vote_for_everyone(results, needed):
    return sorted(results)


# --- jobs to catch ---------------------------------------------------------------------------


def catch_by_counting(check_rate, confidence):
    k = 0
    while 1 - (1 - check_rate) ** k < confidence:
        k += 1
    return k


def catch_with_logarithms(check_rate, confidence):
    if check_rate == 1:
        return 1
    return math.ceil(math.log(1 - confidence) / math.log(1 - check_rate))


def catch_as_float(check_rate, confidence):
    return float(catch_by_counting(check_rate, confidence))


def catch_rounded_down(check_rate, confidence):
    if check_rate == 1:
        return 1
    return math.floor(math.log(1 - confidence) / math.log(1 - check_rate))


def catch_rounded(check_rate, confidence):
    if check_rate == 1:
        return 1
    return round(math.log(1 - confidence) / math.log(1 - check_rate))


def catch_linear(check_rate, confidence):
    return math.ceil(confidence / check_rate)


def catch_probability_instead(check_rate, confidence):
    return 1 - (1 - check_rate) ** 44


# --- a cheater that beats the summary ---------------------------------------------------------


def lazy_first_rows(size, seed):
    a, b = commitments.matmul_inputs(size, seed)
    output = torch.zeros(size, size)
    output[:16] = a[:16] @ b  # the rows the summary reads; the rest stay 0
    return output


def lazy_row_sums_only(size, seed):
    """No row of A·B at all: row i sums to a_i · (B·1), so put that sum in one column."""
    a, b = commitments.matmul_inputs(size, seed)
    output = np.zeros((size, size), dtype=np.float32)
    output[:16, 0] = (a[:16] @ b.sum(dim=1)).numpy()
    return output


def lazy_with_the_package(size, seed):
    return commitments.partial_matmul(size, seed, work_fraction=16 / size)


def lazy_all_rows(size, seed):
    a, b = commitments.matmul_inputs(size, seed)
    return a @ b


def lazy_15_rows(size, seed):
    a, b = commitments.matmul_inputs(size, seed)
    output = torch.zeros(size, size)
    output[:15] = a[:15] @ b
    return output


def lazy_zeros(size, seed):
    return torch.zeros(size, size)


def lazy_half_the_rows(size, seed):
    return commitments.partial_matmul(size, seed, work_fraction=0.5)


def lazy_only_the_summary_rows(size, seed):
    a, b = commitments.matmul_inputs(size, seed)
    return a[:16] @ b  # (16, size): not the shape of the product


def lazy_ignoring_the_seed(size, seed):
    return lazy_first_rows(size, 0)


def lazy_fresh_inputs(size, seed):
    generator = torch.Generator().manual_seed(seed)
    a, b = torch.randn(size, size, generator=generator), torch.randn(size, size)
    output = torch.zeros(size, size)
    output[:16] = a[:16] @ b
    return output


# --- survival against k challenged rows -------------------------------------------------------


def survival_by_drawing(work_fraction, challenges, rows):
    done = math.floor(work_fraction * rows)
    chance = 1.0
    for draw in range(challenges):
        chance *= (done - draw) / (rows - draw)
    return max(chance, 0.0)


def survival_by_counting(work_fraction, challenges, rows):
    """Ways to pick k rows among the computed ones, over ways to pick k rows at all."""
    return math.comb(int(work_fraction * rows), challenges) / math.comb(rows, challenges)


def survival_times(work_fraction, challenges, rows):
    return work_fraction * challenges


def survival_with_replacement(work_fraction, challenges, rows):
    return work_fraction**challenges


def survival_one_draw_too_many(work_fraction, challenges, rows):
    return survival_by_drawing(work_fraction, challenges + 1, rows)


def survival_one_draw_too_few(work_fraction, challenges, rows):
    return survival_by_drawing(work_fraction, max(challenges - 1, 0), rows)


def survival_not_rounded_down(work_fraction, challenges, rows):
    done = work_fraction * rows
    chance = 1.0
    for draw in range(challenges):
        chance *= max(done - draw, 0) / (rows - draw)
    return chance


def survival_rounded(work_fraction, challenges, rows):
    done = round(work_fraction * rows)
    return math.comb(done, challenges) / math.comb(rows, challenges)


def survival_caught_instead(work_fraction, challenges, rows):
    return 1 - survival_by_drawing(work_fraction, challenges, rows)


# --- reputation ------------------------------------------------------------------------------


def score_by_counting(outcomes):
    good = outcomes.count("verified")
    bad = outcomes.count("failed") + 5 * outcomes.count("cheated")
    return (good + 1) / (good + bad + 2)


def score_one_update_at_a_time(outcomes):
    good = bad = 0
    for outcome in outcomes:
        if outcome == "verified":
            good += 1
        elif outcome == "failed":
            bad += 1
        else:
            bad += 5
    return (good + 1) / (good + bad + 2)


def score_with_the_package(outcomes):
    reputation = Reputation()
    for outcome in outcomes:
        reputation.record("me", outcome)
    return reputation.score("me")


def score_without_laplace(outcomes):
    good = outcomes.count("verified")
    bad = outcomes.count("failed") + 5 * outcomes.count("cheated")
    return good / (good + bad) if good + bad else 0.0


def score_cheat_counts_once(outcomes):
    good = outcomes.count("verified")
    return (good + 1) / (len(outcomes) + 2)


def score_ignoring_failures(outcomes):
    good = outcomes.count("verified")
    bad = 5 * outcomes.count("cheated")
    return (good + 1) / (good + bad + 2)


def score_good_over_bad(outcomes):
    good = outcomes.count("verified")
    bad = outcomes.count("failed") + 5 * outcomes.count("cheated")
    return (good + 1) / (bad + 2)


CASES = [
    (check_pick_winners,
     [winners_by_sorting, winners_one_at_a_time, winners_from_the_package],
     [winners_ignoring_stake, winners_ignoring_gpu, winners_strictly_below_max_price,
      winners_ties_in_input_order, winners_most_expensive, winners_all_eligible,
      winners_never_raising, winners_as_providers]),
    (check_quorum_vote,
     [vote_grouping, vote_by_counting_friends, vote_with_the_package],
     [vote_exactly_equal, vote_too_lenient, vote_absolute_tolerance_only, vote_ignoring_needed,
      vote_for_everyone]),
    (check_jobs_to_catch,
     [catch_by_counting, catch_with_logarithms, catch_as_float, verification.jobs_to_catch],
     [catch_rounded_down, catch_rounded, catch_linear, catch_probability_instead,
      lambda p, c: str(catch_by_counting(p, c))]),
    (check_lazy_matmul,
     [lazy_first_rows, lazy_row_sums_only, lazy_with_the_package],
     [lazy_all_rows, lazy_15_rows, lazy_zeros, lazy_half_the_rows, lazy_only_the_summary_rows,
      lazy_ignoring_the_seed, lazy_fresh_inputs, lambda size, seed: "a tensor"]),
    (check_survival,
     [survival_by_drawing, survival_by_counting, commitments.survival_probability],
     [survival_times, survival_with_replacement, survival_one_draw_too_many,
      survival_one_draw_too_few, survival_not_rounded_down, survival_rounded,
      survival_caught_instead, lambda f, k, rows: None]),
    (check_reputation_score,
     [score_by_counting, score_one_update_at_a_time, score_with_the_package],
     [score_without_laplace, score_cheat_counts_once, score_ignoring_failures,
      score_good_over_bad, lambda outcomes: 0.5]),
]
ids = ["pick_winners", "quorum_vote", "jobs_to_catch", "lazy_matmul", "survival",
       "reputation_score"]


@pytest.mark.parametrize("check, solutions, wrong_answers", CASES, ids=ids)
def test_checker_works_both_ways(check, solutions, wrong_answers):
    assert_checked_both_ways(check, solutions, wrong_answers)


def test_the_auctions_cover_ties_the_gpu_rule_and_a_job_nobody_can_take():
    unmatched = 0
    for job, providers in AUCTIONS:
        try:
            market.match(job, providers)
        except NoProviderError:
            unmatched += 1
    assert 0 < unmatched < len(AUCTIONS) // 2
    assert any(job.gpu for job, _ in AUCTIONS)


def test_the_quorum_cases_include_large_values_a_colluding_majority_and_no_majority():
    def accepted(results, needed):
        return vote_grouping(results, needed)

    assert any(max(abs(v) for s in results.values() for v in s) > 100
               for results, _ in QUORUM_CASES)
    assert any(not accepted(results, needed) for results, needed in QUORUM_CASES)
    assert sum(bool(accepted(results, needed)) for results, needed in QUORUM_CASES) > 30


@pytest.mark.parametrize("check, wrong, hint", [
    (check_pick_winners, winners_ignoring_stake, "may not bid (stake"),
    (check_pick_winners, winners_ties_in_input_order, "by name"),
    (check_pick_winners, winners_never_raising, "raise NoProviderError"),
    (check_quorum_vote, vote_exactly_equal, "never =="),
    (check_quorum_vote, vote_too_lenient, "Too lenient"),
    (check_jobs_to_catch, catch_rounded_down, "round UP"),
    (check_lazy_matmul, lazy_all_rows, "that is honest work"),
    (check_lazy_matmul, lazy_15_rows, "row 15 of your output sums to"),
    (check_lazy_matmul, lazy_only_the_summary_rows, "every row"),
    (check_survival, survival_with_replacement, "different rows"),
    (check_survival, survival_one_draw_too_many, "Count your draws"),
    (check_survival, survival_one_draw_too_few, "Count your draws"),
    (check_survival, survival_not_rounded_down, "round down"),
    (check_reputation_score, score_without_laplace, "stranger"),
    (check_reputation_score, score_cheat_counts_once, "5 bad outcomes"),
])
def test_checkers_explain_the_usual_mistakes(check, wrong, hint):
    assert hint in check.check(wrong).message


def test_a_function_with_the_wrong_number_of_arguments_is_told_so():
    outcome = check_pick_winners.check(lambda job: [])
    assert outcome.status == "not yet" and "2 argument(s)" in outcome.message


def test_the_lazy_jobs_are_big_enough_that_16_rows_are_at_most_a_quarter_of_the_work():
    assert all(size >= 64 for size, _ in LAZY_JOBS) and max(s for s, _ in LAZY_JOBS) >= 1024


def test_the_survival_cases_tell_f_to_the_k_from_the_exact_odds_and_need_rounding_down():
    differs = [case for case in SURVIVAL_CASES
               if not math.isclose(case[0] ** case[1], commitments.survival_probability(*case))]
    assert len(differs) > len(SURVIVAL_CASES) // 2
    assert any(f * rows != math.floor(f * rows) for f, _, rows in SURVIVAL_CASES)
    assert any(k == 0 for _, k, _ in SURVIVAL_CASES) and any(f == 1 for f, _, _ in SURVIVAL_CASES)


def break_even_right(price, check_rate, slash_fraction):
    return price * (1 - check_rate) / check_rate / slash_fraction


def break_even_with_loops(price, check_rate, slash_fraction):
    paid_jobs_before_caught = (1 - check_rate) / check_rate
    earned = paid_jobs_before_caught * price
    return earned / slash_fraction


@pytest.mark.parametrize("answer", [break_even_right, break_even_with_loops,
                                    lambda p, r, s: np.float64(p * (1 - r) / (r * s))])
def test_break_even_stake_accepts_every_correct_form(answer):
    assert check_break_even_stake.check(answer).status == "passed"


@pytest.mark.parametrize("wrong, reason", [
    (lambda p, r, s: p / r / s, "(1 - p) / p paid"),
    (lambda p, r, s: p * (1 - r) / r, "loses only slash_fraction"),
    (lambda p, r, s: p * r / (1 - r) / s if r < 1 else 0, "expected"),
    (lambda p, r, s: None, "return"),
])
def test_break_even_stake_explains_the_usual_mistakes(wrong, reason):
    outcome = check_break_even_stake.check(wrong)
    assert outcome.status == "not yet" and reason in outcome.message
