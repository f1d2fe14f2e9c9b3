"""Reputation: Laplace's rule of succession over outcomes, and picks weighted by the score."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course.compute.reputation import CHEAT_WEIGHT, Reputation, weighted_pick

outcomes = st.lists(st.sampled_from(["verified", "failed", "cheated"]), max_size=60)


def with_history(history, provider="p"):
    reputation = Reputation()
    for outcome in history:
        reputation.record(provider, outcome)
    return reputation


def test_a_stranger_scores_one_half():
    assert Reputation().score("nobody") == 0.5


def test_each_outcome_moves_the_score_the_right_way():
    assert with_history(["verified"]).score("p") == pytest.approx(2 / 3)
    assert with_history(["failed"]).score("p") == pytest.approx(1 / 3)
    assert with_history(["cheated"]).score("p") == pytest.approx(1 / 7)


def test_a_caught_cheat_weighs_as_much_as_five_failures():
    assert CHEAT_WEIGHT == 5
    assert (with_history(["verified"] * 3 + ["cheated"]).score("p")
            == with_history(["verified"] * 3 + ["failed"] * 5).score("p"))


def test_a_long_good_record_is_not_undone_by_one_failure():
    veteran = with_history(["verified"] * 50 + ["failed"])
    newcomer = with_history(["verified"])
    assert veteran.score("p") > newcomer.score("p") > 0.5


@given(outcomes)
def test_the_score_is_laplaces_rule_of_succession(history):
    good = history.count("verified")
    bad = history.count("failed") + CHEAT_WEIGHT * history.count("cheated")
    score = with_history(history).score("p")
    assert score == pytest.approx((good + 1) / (good + bad + 2))
    assert 0 < score < 1


@given(outcomes)
def test_a_verified_run_never_lowers_the_score_and_a_failure_never_raises_it(history):
    before = with_history(history).score("p")
    assert with_history(history + ["verified"]).score("p") > before
    assert with_history(history + ["failed"]).score("p") < before
    assert with_history(history + ["cheated"]).score("p") < with_history(
        history + ["failed"]).score("p")


def test_providers_are_scored_separately():
    reputation = with_history(["cheated"], "cy")
    reputation.record("ada", "verified")
    assert reputation.scores(["ada", "cy", "eve"]) == pytest.approx(
        {"ada": 2 / 3, "cy": 1 / 7, "eve": 0.5})


@pytest.mark.parametrize("outcome", ["ok", "VERIFIED", "", None])
def test_an_unknown_outcome_is_refused_and_changes_nothing(outcome):
    reputation = Reputation()
    with pytest.raises(ValueError, match="outcome must be one of 'verified', 'failed', 'cheated'"):
        reputation.record("p", outcome)
    assert reputation.good == {} and reputation.bad == {}


def test_weighted_pick_is_reproducible_for_a_seed():
    reputation = with_history(["verified"] * 3, "ada")
    picks = [weighted_pick(["ada", "bob", "cy"], reputation, random.Random(7)) for _ in range(3)]
    assert len(set(picks)) == 1


def test_weighted_pick_picks_in_proportion_to_the_score():
    reputation = with_history(["verified"] * 8, "ada")  # 0.9
    reputation.record("cy", "cheated")  # 1 / 7
    dice, trials = random.Random(3), 30_000
    picks = [weighted_pick(["ada", "bob", "cy"], reputation, dice) for _ in range(trials)]
    weights = {"ada": 0.9, "bob": 0.5, "cy": 1 / 7}
    for name, weight in weights.items():
        share = picks.count(name) / trials
        assert share == pytest.approx(weight / sum(weights.values()), abs=0.015)


def test_weighted_pick_from_nobody_is_refused():
    with pytest.raises(ValueError, match="at least one provider"):
        weighted_pick([], Reputation(), random.Random(0))
