"""Loopholes and misleading feedback found by trying the checks as a learner (issue 14): each
wrong answer now fails, and for the right reason; each correct numpy answer passes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course.exercises import FAILED, PASSED, CheckFailed, Exercise, expect_number, expect_type
from course.exercises.capstone_depin_marketplace import check_payment_and_collateral
from course.exercises.depin_compute_marketplace import check_jobs_to_catch, check_quorum_vote
from course.exercises.start_here import check_find_nonce, check_leading_zeros, sha256_hex


def fails_with(check: Exercise, answer, *reasons: str) -> str:
    outcome = check.check(answer)
    assert outcome.status == FAILED, outcome
    for reason in reasons:
        assert reason in outcome.message, outcome.message
    assert "Traceback" not in outcome.message
    return outcome.message


def test_cumulative_gas_used_is_not_a_transactions_gas():
    from course.exercises.smart_contracts_with_web3 import check_transaction_fee

    fails_with(
        check_transaction_fee,
        lambda r: r["cumulativeGasUsed"] * r["effectiveGasPrice"],
        "transaction 1 of its block",
        "cumulativeGasUsed adds up the gas of every transaction in the block",
        "own gas is gasUsed",
    )
    assert (
        check_transaction_fee.check(lambda r: r["gasUsed"] * r["effectiveGasPrice"]).status
        == PASSED
    )


# --- numpy scalars are numbers --------------------------------------------------------------


def leading_zeros_numpy(hex_digest):
    digits = np.frombuffer(hex_digest.encode(), dtype=np.uint8)
    nonzero = np.flatnonzero(digits != ord("0"))
    return nonzero[0] if nonzero.size else np.int64(len(digits))  # an np.int64


def test_a_correct_numpy_answer_is_accepted_where_an_int_is_expected():
    assert isinstance(leading_zeros_numpy("00a"), np.integer)
    outcome = check_leading_zeros.check(leading_zeros_numpy)
    assert outcome.status == PASSED, outcome.message


@pytest.mark.parametrize(
    "value, expected",
    [
        (np.int64(3), int),
        (np.int32(3), (int, float)),
        (np.float64(0.5), float),
        (np.float32(0.5), (int, float)),
        (np.bool_(True), bool),
        (np.array(7), int),
    ],
)
def test_numpy_scalars_count_as_python_numbers_and_come_back_as_them(value, expected):
    got = expect_type(value, expected, "x")
    assert type(got) in (int, float, bool)


@pytest.mark.parametrize(
    "value, expected, message",
    [
        (np.bool_(True), int, "should be a number, got the bool"),
        (True, (int, float), "should be a number, got the bool"),
        (np.float64(2.0), int, "should be an int, got float64"),
        ("3", int, "should be an int, got str '3'"),
    ],
)
def test_what_is_not_a_number_is_still_refused(value, expected, message):
    with pytest.raises(CheckFailed, match=message):
        expect_type(value, expected, "x")


def test_expect_number_accepts_numpy_ints_and_refuses_infinity():
    assert expect_number(np.int64(5), "x") == 5.0
    with pytest.raises(CheckFailed, match="finite"):
        expect_number(np.float64("inf"), "x")


# --- a None from a loop that ran out is not a forgotten return ---------------------------


def find_nonce_capped(prefix, zeros):
    for nonce in range(50):  # too few tries for 3 zeros
        if sha256_hex(f"{prefix}{nonce}").startswith("0" * zeros):
            return nonce


def find_nonce_no_return(prefix, zeros):
    nonce = 0
    while not sha256_hex(f"{prefix}{nonce}").startswith("0" * zeros):
        nonce += 1


def test_a_loop_that_ran_out_is_named_instead_of_a_forgotten_return():
    message = fails_with(
        check_find_nonce,
        find_nonce_capped,
        "find_nonce_capped('block 1:', 2) ended without reaching a `return`",
        "the loop ran out first",
    )
    assert "forget" not in message


def test_a_function_without_any_return_is_still_told_to_return():
    fails_with(check_find_nonce, find_nonce_no_return, "did you forget a `return`?")


# --- a crash names the input -----------------------------------------------------------------


def catch_with_logarithms_only(check_rate, confidence):
    return math.ceil(math.log(1 - confidence) / math.log(1 - check_rate))


def test_a_crash_names_the_call_that_raised_it():
    fails_with(
        check_jobs_to_catch,
        catch_with_logarithms_only,
        "catch_with_logarithms_only(1.0, 0.5) raised ValueError: math domain error",
        "handle this case",
    )
    assert "check_rate = 1" in check_jobs_to_catch.concept


def test_an_exception_a_check_expects_keeps_its_type():
    caught = []

    def test(answer):
        try:
            answer(0)
        except ZeroDivisionError as error:  # a check may expect an error from the answer
            caught.append(error)
        return "fine"

    exercise = Exercise("expects_error", "Raise on 0.", ("Concept.", "Example."), test)
    assert exercise.check(lambda x: 1 / x).status == PASSED
    assert isinstance(caught[0], ZeroDivisionError)


def test_a_value_the_check_cannot_use_names_the_call_that_returned_it():
    def test(answer):
        if answer(2) == 4:  # an array: "truth value of an array is ambiguous"
            return "fine"
        raise CheckFailed("no")

    exercise = Exercise("square", "Square it.", ("Concept.", "Example."), test)
    fails_with(
        exercise,
        lambda x: np.array([x, x]) ** 2,
        "<lambda>(2) returned array([4, 4])",
        "checking it raised ValueError",
    )


# --- float precision is not a rounding rule -------------------------------------------------


def money_float_then_int(price_credits, collateral_percent):
    payment = price_credits * 10**15
    return payment, int(payment * collateral_percent / 100)


def test_int_of_a_float_is_told_about_float_precision_not_rounding():
    message = fails_with(
        check_payment_and_collateral,
        money_float_then_int,
        "~16 significant digits",
        "floor-divide with //",
    )
    assert "rounds down" not in message


# --- a wrong quorum vote gets a hint about its own mistake -------------------------------------


def vote_strictly_more_than_needed(results, needed):
    groups: list[list[str]] = []
    for name, summary in results.items():
        for group in groups:
            if np.allclose(results[group[0]], summary, rtol=1e-4, atol=1e-5):
                group.append(name)
                break
        else:
            groups.append([name])
    biggest = max(groups, key=len, default=[])
    return sorted(biggest) if len(biggest) > needed else []


def vote_nobody(results, needed):
    return []


def test_a_wrong_quorum_vote_is_not_told_to_avoid_equality():
    message = fails_with(check_quorum_vote, vote_strictly_more_than_needed, ">=, not >")
    assert "never ==" not in message
    assert "never ==" not in fails_with(check_quorum_vote, vote_nobody)


# ---- the library is not the answer -----------------------------------------------------------


def _every_exercise():
    import importlib
    import pkgutil

    import course.exercises as package
    from course.exercises import Exercise

    found = {}
    for info in pkgutil.walk_packages(package.__path__, "course.exercises."):
        for value in vars(importlib.import_module(info.name)).values():
            if isinstance(value, Exercise):
                found[value.name] = value
    return found


def _library_twins():
    from course.exercises import _course_twins

    return sorted(((name, reference) for name, check in _every_exercise().items()
                   for reference in (*check.references, *_course_twins(name))),
                  key=lambda pair: (pair[0], pair[1].__module__, pair[1].__qualname__))


@pytest.mark.parametrize(("name", "reference"), _library_twins(),
                         ids=lambda value: value if isinstance(value, str) else "")
def test_the_library_function_an_exercise_is_checked_against_is_not_an_answer(name, reference):
    check = _every_exercise()[name]
    outcome = check.check(reference)
    assert outcome.status == FAILED, outcome
    assert "is the library's own" in outcome.message and "Traceback" not in outcome.message


def test_a_function_that_calls_the_library_is_told_to_write_it_even_if_it_hides_the_call():
    from course.defi.impermanent_loss import impermanent_loss
    from course.exercises.defi_amms_and_lending import check_impermanent_loss

    namespace = {"impermanent_loss": impermanent_loss}
    exec("def wrapper(r):\n    return impermanent_loss(r)\n\n"
         "def hidden(r):\n    try:\n        return impermanent_loss(r)\n"
         "    except Exception:\n        return 0.0\n", namespace)
    for answer in (namespace["wrapper"], namespace["hidden"]):
        outcome = check_impermanent_loss.check(answer)
        assert outcome.status == FAILED
        assert "calls the library's own course.defi.impermanent_loss" in outcome.message
    assert namespace["impermanent_loss"] is impermanent_loss  # the learner's names restored


def test_the_same_code_typed_by_a_learner_passes():
    from course.defi.impermanent_loss import impermanent_loss
    from course.exercises.defi_amms_and_lending import check_impermanent_loss
    from tests.exercises.both_ways import typed_by_learner

    assert check_impermanent_loss.check(typed_by_learner(impermanent_loss)).status == PASSED
