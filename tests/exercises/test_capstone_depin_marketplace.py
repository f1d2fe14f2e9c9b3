"""Checkers of notebook 16 (the capstone), both ways."""

import hashlib
import json

import pytest
from eth_utils import keccak
from web3 import Web3

from course.compute import onchain
from course.exercises import FAILED, NOT_DONE, PASSED
from course.exercises.capstone_depin_marketplace import (
    check_job_payment,
    check_payment_and_collateral,
    check_spec_hash,
    check_verdict,
)
from tests.exercises.both_ways import assert_checked_both_ways

# --- payment and collateral ------------------------------------------------------------------


def money_in_integers(price_credits, collateral_percent):
    payment = price_credits * 10**15
    return payment, payment * collateral_percent // 100


def money_with_divmod(price_credits, collateral_percent):
    payment = price_credits * onchain.WEI_PER_CREDIT
    collateral, _ = divmod(payment * collateral_percent, 100)
    return (payment, collateral)


def money_with_the_package(price_credits, collateral_percent):
    payment = onchain.credits_to_wei(price_credits)
    return payment, onchain.collateral_wei(payment, collateral_percent)


def money_in_floats(price_credits, collateral_percent):
    payment = price_credits * 1e15
    return payment, payment * collateral_percent / 100


def money_float_then_int(price_credits, collateral_percent):
    payment = price_credits * 10**15
    return payment, int(payment * collateral_percent / 100)


def money_rounded(price_credits, collateral_percent):
    payment = price_credits * 10**15
    return payment, round(payment * collateral_percent / 100)


def money_in_ether(price_credits, collateral_percent):
    payment = price_credits * 10**18
    return payment, payment * collateral_percent // 100


def money_collateral_of_credits(price_credits, collateral_percent):
    return price_credits * 10**15, price_credits * collateral_percent // 100


def money_collateral_only(price_credits, collateral_percent):
    return price_credits * 10**15 * collateral_percent // 100


# --- the spec hash ---------------------------------------------------------------------------


def spec_hash_with_web3(job):
    text = json.dumps(job.to_dict(), sort_keys=True, separators=(",", ":"))
    return Web3.keccak(text=text)


def spec_hash_with_eth_utils(job):
    return keccak(json.dumps(job.to_dict(), separators=(",", ":"), sort_keys=True).encode())


def spec_hash_nist_sha3(job):
    text = json.dumps(job.to_dict(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha3_256(text.encode()).digest()


def spec_hash_sha256(job):
    text = json.dumps(job.to_dict(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).digest()


def spec_hash_unsorted(job):
    return Web3.keccak(text=json.dumps(job.to_dict(), separators=(",", ":")))


def spec_hash_spaces(job):
    return Web3.keccak(text=json.dumps(job.to_dict(), sort_keys=True))


def spec_hash_repr(job):
    return Web3.keccak(text=str(job.to_dict()))


def spec_hash_hex_text(job):
    return spec_hash_with_web3(job).hex()


# --- the verdict -----------------------------------------------------------------------------


def verdict_in_order(record, provider, returned_result):
    if not returned_result:
        return "refund"
    if provider in record.paid:
        return "release"
    if provider in record.slashed:
        return "slash"
    return "refund"


def verdict_in_one_expression(record, provider, returned_result):
    return ("release" if returned_result and provider in record.paid
            else "slash" if returned_result and provider in record.slashed else "refund")


def verdict_ignores_returned(record, provider, returned_result):
    if provider in record.paid:
        return "release"
    if provider in record.slashed:
        return "slash"
    return "refund"


def verdict_unjudged_is_slashed(record, provider, returned_result):
    if not returned_result:
        return "refund"
    return "release" if provider in record.paid else "slash"


def verdict_unjudged_is_released(record, provider, returned_result):
    if not returned_result:
        return "refund"
    return "slash" if provider in record.slashed else "release"


def verdict_capitalised(record, provider, returned_result):
    return verdict_in_order(record, provider, returned_result).capitalize()


CASES = [
    (check_payment_and_collateral,
     [money_in_integers, money_with_divmod, money_with_the_package],
     [money_in_floats, money_float_then_int, money_rounded, money_in_ether,
      money_collateral_of_credits, money_collateral_only, lambda c, p: None]),
    (check_spec_hash, [spec_hash_with_web3, spec_hash_with_eth_utils, onchain.spec_hash],
     [spec_hash_nist_sha3, spec_hash_sha256, spec_hash_unsorted, spec_hash_spaces,
      spec_hash_repr, spec_hash_hex_text, lambda job: b"\0" * 32]),
    (check_verdict, [verdict_in_order, verdict_in_one_expression, onchain.verdict],
     [verdict_ignores_returned, verdict_unjudged_is_slashed, verdict_unjudged_is_released,
      verdict_capitalised, lambda record, provider, returned: "release"]),
]
ids = ["payment_and_collateral", "spec_hash", "verdict"]


@pytest.mark.parametrize("check, solutions, wrong_answers", CASES, ids=ids)
def test_checker_works_both_ways(check, solutions, wrong_answers):
    assert_checked_both_ways(check, solutions, wrong_answers)


@pytest.mark.parametrize("wrong, hint", [
    (money_in_floats, "floats lose digits"),
    (money_in_ether, "not a whole ether"),
    (money_collateral_of_credits, "of the payment in wei"),
    (money_rounded, "~16 significant digits"),  # the float, not the rounding, is off
])
def test_payment_and_collateral_explains_the_usual_mistakes(wrong, hint):
    assert hint in check_payment_and_collateral.check(wrong).message


@pytest.mark.parametrize("wrong, hint", [
    (spec_hash_nist_sha3, "NIST SHA3-256"),
    (spec_hash_sha256, "That is SHA-256"),
    (spec_hash_unsorted, "sort_keys=True"),
    (spec_hash_spaces, "compact separators"),
    (spec_hash_hex_text, "not text"),
])
def test_spec_hash_explains_the_usual_mistakes(wrong, hint):
    assert hint in check_spec_hash.check(wrong).message


def test_the_verdict_check_names_the_case_it_failed_on():
    message = check_verdict.check(verdict_ignores_returned).message
    assert "returned nothing" in message and "a later one was paid" in message


# --- Try it 4: JobPayment in Solidity, fuzzed in time -------------------------------------------


@pytest.fixture(scope="module")
def job_payments():
    from course.evm.magic import compile_cell
    from tests.exercises.solidity_answers import job_payment_source

    return compile_cell(job_payment_source())


@pytest.mark.parametrize("name", ["Correct", "IfRevertTransfer"])
def test_job_payment_accepts_requires_or_if_revert_and_call_or_transfer(job_payments, name):
    outcome = check_job_payment.check(job_payments[name])
    assert outcome.status == PASSED, (name, outcome.message)


@pytest.mark.parametrize("name, missing", [("Placeholder", "refund()"),
                                           ("HalfDone", "refund()")])
def test_job_payment_says_not_done_until_both_functions_are_written(job_payments, name,
                                                                    missing):
    outcome = check_job_payment.check(job_payments[name])
    assert outcome.status == NOT_DONE and f"{missing} still reverts" in outcome.message


@pytest.mark.parametrize("name, reason", [
    ("RequesterRefunds", "the requester took back the payment for a result submitted on time"),
    ("NoWindow", "inside the 600 s dispute window"),
    ("PaysTwice", "after release(), settled() is still false: mark the job settled"),
    ("ProviderOnly", "anyone may release an unsettled result"),
    ("EarlyRefund", "before the deadline the provider may still submit"),
    ("NoEvent", "no Paid event for the 7000000 wei paid to the provider"),
])
def test_job_payment_names_the_calls_and_the_rule_that_broke(job_payments, name, reason):
    outcome = check_job_payment.check(job_payments[name])
    assert outcome.status == FAILED, (name, outcome.message)
    assert reason in outcome.message and "Traceback" not in outcome.message


def test_job_payment_without_a_compiler_says_how_to_get_one():
    from course.evm.magic import SolidityContract

    outcome = check_job_payment.check(SolidityContract("JobPayment", (), ""))
    assert outcome.status == NOT_DONE and "needs a Solidity compiler" in outcome.message
