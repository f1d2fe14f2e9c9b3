"""Checks for notebook 16 (the capstone): a run's price and collateral in wei, a job spec's
on-chain hash, and the verdict the chain carries out for one run. Each runs your function on
many inputs and compares it with course.compute.onchain (pure Python: no chain needed). Try it
4, a job's payment released after its dispute window in Solidity, lives in
course.exercises.dispute_window and is re-exported here."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from web3 import Web3

from course.compute import onchain
from course.compute.jobs import JobSpec
from course.compute.runner import JobRecord
from course.exercises import CheckFailed, Exercise, expect_function, expect_type
from course.exercises.dispute_window import check_job_payment  # noqa: F401 (Try it 4, re-exported)

WEI_PER_CREDIT = onchain.WEI_PER_CREDIT

# --- payment and collateral ----------------------------------------------------------------------

MONEY_CASES = [(6, 50), (1, 50), (0, 50), (7, 33), (5, 0), (3, 100), (999, 1), (1, 99),
               (123_456_789_012, 50), (2**64 + 1, 33), (10**9 + 7, 67), (41, 25)]


def _test_payment_and_collateral(answer: Callable[[int, int], Any]) -> str:
    expect_function(answer, 2)
    for credits, percent in MONEY_CASES:
        got = answer(credits, percent)
        what = f"payment_and_collateral({credits}, {percent})"
        if not isinstance(got, tuple | list) or len(got) != 2:
            raise CheckFailed(f"{what} returned {got!r}: expected a pair (payment_wei, "
                              "collateral_wei).")
        payment, collateral = got
        for value, name in ((payment, "payment_wei"), (collateral, "collateral_wei")):
            if isinstance(value, float):
                raise CheckFailed(f"{what}: {name} is the float {value!r}. Wei are whole "
                                  "numbers and floats lose digits past 2**53: stay in integers "
                                  "(`//`, not `/` or `* 0.5`).")
            expect_type(value, int, f"{what}'s {name}")
        expected_payment = onchain.credits_to_wei(credits)
        expected = (expected_payment, onchain.collateral_wei(expected_payment, percent))
        if (payment, collateral) != expected:
            hint = ""
            if payment == credits * 10**18:
                hint = " A credit is 10**15 wei (0.001 ETH), not a whole ether."
            elif payment == expected_payment and collateral == credits * percent // 100:
                hint = " Take the percentage of the payment in wei, not of the credits."
            elif payment == expected_payment and collateral in (
                    int(payment * percent / 100), round(payment * percent / 100)):
                hint = (" That is the float payment * percent / 100 turned back into an int: a "
                        "float keeps only ~16 significant digits, so the last digits are noise. "
                        "Stay in integers: multiply first, then floor-divide with //.")
            elif payment == expected_payment and collateral == -(-payment * percent // 100):
                hint = " Solidity's division rounds down: payment * percent // 100."
            raise CheckFailed(f"{what} returned ({payment}, {collateral}); expected "
                              f"{expected}.{hint}")
    return ("Integers all the way, exactly as the contract computes: 6 credits are "
            "6,000,000,000,000,000 wei, and half of that is locked from the provider's stake.")


check_payment_and_collateral = Exercise(
    name="payment_and_collateral",
    goal="Write payment_and_collateral(price_credits, collateral_percent) returning the pair "
    "(payment_wei, collateral_wei): the price in wei at 1 credit = 10**15 wei, and the share "
    "of it JobEscrow.assign locks from the provider's stake.",
    hints=(
        "On-chain money is whole wei in uint256: the contract converts credits to wei "
        "with a fixed rate, then takes a percentage with integer division, which rounds"
        " down. Stay in Python ints: a float keeps only ~16 digits.",
        "The same steps with other numbers: at 1 credit = 1,000 units, 7 credits are "
        "7,000 units, and 33% of that is 7,000 * 33 // 100 = 2,310 (multiply first, "
        "then floor-divide: no float on the way). For 3 units at 33%: 3 * 33 // 100 = "
        "0, as Solidity would say.",
    ),
    test=_test_payment_and_collateral,
)


# --- the spec hash -------------------------------------------------------------------------------

SPEC_CASES = [
    JobSpec("matmul", {"size": 64, "seed": 0}, max_price=50),
    JobSpec("matmul", {"seed": 1, "size": 128}, max_price=50, redundancy=2),
    JobSpec("train_mlp", {"samples": 256, "steps": 20, "learning_rate": 0.05}, timeout_s=30.5),
    JobSpec("inference", {"batches": 2, "batch_size": 8}, min_stake=10, gpu=True, name="clf"),
    JobSpec("noop", {}, max_price=0, name="ping \u00e9t\u00e9"),
    JobSpec("matmul", {"size": 64, "seed": 0}, max_price=51),
]


def _canonical(job: JobSpec, **options: Any) -> str:
    return json.dumps(job.to_dict(), **options)


def _spec_hash_hint(job: JobSpec, got: bytes) -> str:
    keccak = lambda text: bytes(Web3.keccak(text=text))  # noqa: E731
    canonical = _canonical(job, sort_keys=True, separators=(",", ":"))
    if got == hashlib.sha3_256(canonical.encode()).digest():
        return (" That is NIST SHA3-256 (hashlib.sha3_256): Ethereum's keccak-256 pads "
                "differently and gives another hash. Use Web3.keccak.")
    if got == hashlib.sha256(canonical.encode()).digest():
        return " That is SHA-256; Ethereum hashes with keccak-256 (Web3.keccak)."
    if got == keccak(_canonical(job, separators=(",", ":"))):
        return " The keys must be sorted (sort_keys=True), or equal specs may hash differently."
    if got == keccak(_canonical(job, sort_keys=True)):
        return " Use the compact separators (',', ':'): one space changes every bit of the hash."
    return ""


def _test_spec_hash(answer: Callable[[JobSpec], Any]) -> str:
    expect_function(answer, 1)
    for job in SPEC_CASES:
        got = answer(job)
        if isinstance(got, str):
            raise CheckFailed(f"spec_hash returned the string {got[:20]!r}...: return the 32 "
                              "bytes themselves (what Web3.keccak gives), not text.")
        expect_type(got, bytes, f"spec_hash({job.workload} job)")
        expected = onchain.spec_hash(job)
        if bytes(got) != expected:
            raise CheckFailed(f"for {job.to_dict()} you returned 0x{bytes(got).hex()[:16]}..., "
                              f"expected 0x{expected.hex()[:16]}...{_spec_hash_hint(job, got)}")
    same = JobSpec("matmul", {"seed": 0, "size": 64}, max_price=50)
    if bytes(answer(same)) != bytes(answer(SPEC_CASES[0])):
        raise CheckFailed("two equal specs, with params written in another order, hash "
                          "differently: sort the keys.")
    return ("Anyone holding the spec can recompute this hash and compare it with the one in "
            "the JobPosted event: the chain stores 32 bytes, not the spec.")


check_spec_hash = Exercise(
    name="spec_hash",
    goal="Write spec_hash(job): the keccak-256 (32 bytes) of the job's canonical JSON, "
    "json.dumps(job.to_dict(), sort_keys=True, separators=(',', ':')).",
    hints=(
        "Equal specs must hash equally on every machine: serialise the spec to one "
        "canonical text (keys sorted, no spaces), then hash its UTF-8 bytes with "
        "Ethereum's keccak-256 (Web3.keccak), not hashlib.sha3_256, which pads "
        "differently.",
        "On another object: {'b': 1, 'a': [2, 3]} becomes the text {\"a\":[2,3],\"b\":1} "
        "with sorted keys and the separators ',' and ':'; that text, and only that "
        "text, goes into keccak-256, giving 32 bytes. Any extra space or key order "
        "changes every bit of the hash.",
    ),
    test=_test_spec_hash,
)


# --- the verdict of one run ----------------------------------------------------------------------

_JOB = JobSpec("matmul", {"size": 64}, max_price=50, redundancy=2)
VERDICT_CASES = [  # (paid, slashed, provider, returned_result, why)
    ({"ada": 6}, {}, "ada", True, "ada was paid for this run"),
    ({"ada": 6}, {"cy": 50}, "cy", True, "cy was caught cheating"),
    ({"ada": 6, "bob": 7}, {}, "bob", True, "bob was paid too (redundancy 2)"),
    ({"ada": 6}, {}, "dee", False, "dee dropped out: no result"),
    ({"ada": 6}, {}, "ada", False, "this run of ada was lost; a later one was paid"),
    ({}, {"cy": 50}, "cy", False, "cy dropped out before cheating"),
    ({}, {}, "bob", True, "the job failed before anyone judged bob's result"),
    ({"ada": 6}, {"cy": 50}, "bob", True, "bob's result was never judged"),
]


def _test_verdict(answer: Callable[[Any, str, bool], Any]) -> str:
    expect_function(answer, 3)
    for paid, slashed, provider, returned, why in VERDICT_CASES:
        record = JobRecord(0, _JOB, "requester", paid=dict(paid), slashed=dict(slashed))
        got = answer(record, provider, returned)
        expected = onchain.verdict(record, provider, returned)
        if got != expected:
            raise CheckFailed(f"paid={paid}, slashed={slashed}, a run by {provider} that "
                              f"{'returned a result' if returned else 'returned nothing'} "
                              f"({why}): you returned {got!r}, expected {expected!r}. Check "
                              "returned_result first.")
    return ("Release what the runner paid, slash whom it caught, and refund everything else "
            "after the deadline: a result nobody judged proves nothing either way.")


check_verdict = Exercise(
    name="verdict",
    goal="Write verdict(record, provider, returned_result): 'release', 'slash' or 'refund' for "
    "one run of record's job by provider.",
    hints=(
        "The escrow's rules, in order: a run that returned no result is refunded to the"
        " customer; otherwise the record says whether the provider was paid (release) "
        "or slashed (slash); a provider in neither list was never judged, which the "
        "contract treats as a refund.",
        "The same decision order on another domain, a parcel locker: no parcel "
        "delivered -> refund the sender; delivered and signed for -> pay the courier; "
        "delivered but reported damaged -> fine the courier; delivered but nobody "
        "signed or complained -> refund. First the missing result, then each list of "
        "the record, then the default.",
    ),
    test=_test_verdict,
)
