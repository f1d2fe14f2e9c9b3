"""The checks of the Solidity exercises and of notebook 08's levels on a real node: with
COURSE_RPC_URL pointing at anvil, a learner's contract (or exploit) is deployed, fuzzed and judged
there exactly as on the in-memory EVM; a correct one passes and a wrong one fails for the same
reason.

One correct and one wrong version per exercise, each checked on anvil; the full both-ways
tables run on the in-memory EVM (tests/exercises)."""

from __future__ import annotations

import os

import pytest

from course.evm.anvil import ANVIL_CHAIN_ID
from course.evm.connection import connect
from course.evm.magic import compile_cell
from course.exercises import FAILED, PASSED
from course.exercises.contract_security import check_attacker, check_become_owner, check_replay
from course.exercises.dispute_window import check_job_payment
from course.exercises.smart_contracts_with_web3 import check_escrow, check_tip_jar
from course.exercises.tokens_nfts_tokenomics import check_transfer_from, check_vesting_wallet
from tests.exercises import test_contract_security_levels as levels
from tests.exercises.solidity_answers import (
    escrow_source,
    job_payment_source,
    tip_jar_source,
    token_source,
    vesting_source,
)

CASES = [  # check, its answers, a contract that passes, one that fails, a part of its reason
    (check_escrow, escrow_source, "Correct", "RefundByAnyone",
     "refund() from the buyer went through: only the seller or the arbiter may refund"),
    (check_tip_jar, tip_jar_source, "Correct", "WithdrawByAnyone", "withdraw"),
    (check_transfer_from, token_source, "Correct", "NoAllowanceCheck",
     "only an approved spender may move them"),
    (check_vesting_wallet, vesting_source, "Correct", "NoCliff",
     "before the cliff nothing has vested"),
    (check_job_payment, job_payment_source, "Correct", "RequesterRefunds",
     "the requester took back the payment for a result submitted on time"),
]


@pytest.fixture
def on_anvil(anvil_url, monkeypatch):
    """connect() without a URL now reaches anvil, as in a notebook run with COURSE_RPC_URL set."""
    monkeypatch.setitem(os.environ, "COURSE_RPC_URL", anvil_url)
    assert connect().eth.chain_id == ANVIL_CHAIN_ID  # the checks will reach anvil, not eth-tester
    return anvil_url


@pytest.mark.parametrize("check, answers, right, wrong, reason", CASES,
                         ids=[case[1].__name__ for case in CASES])
def test_a_learners_contract_is_checked_on_anvil_both_ways(on_anvil, check, answers, right,
                                                           wrong, reason):
    contracts = compile_cell(answers())
    passed = check.check(contracts[right])
    assert passed.status == PASSED, passed.message
    failed = check.check(contracts[wrong])
    assert failed.status == FAILED, failed.message
    assert reason in failed.message and "Traceback" not in failed.message


# --- notebook 08's find-the-bug levels: the learner's exploit, judged on anvil ----------------


def test_a_learners_reentrancy_attacker_drains_the_vault_on_anvil(on_anvil):
    header = "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n"
    robbers = compile_cell(header + levels.ROBBERS)
    passed = check_attacker.check(robbers["Robber"])
    assert passed.status == PASSED, passed.message
    failed = check_attacker.check(robbers["Honest"])
    assert failed.status == FAILED and "it paid your contract 1 time(s)" in failed.message


@pytest.mark.parametrize("level", ["delegatecall", "replay"])
def test_a_learners_exploit_in_python_is_judged_on_anvil(on_anvil, level):
    check, right, wrong, reason = {
        "delegatecall": (check_become_owner, levels.become_owner,
                         levels.withdraw_without_taking_over,
                         "change who the vault thinks its owner is first"),
        "replay": (check_replay, levels.replay, levels.cash_once,
                   "after you cashed it 1 time(s)"),
    }[level]
    passed = check.check(right)
    assert passed.status == PASSED, passed.message
    failed = check.check(wrong)
    assert failed.status == FAILED and reason in failed.message, failed.message
