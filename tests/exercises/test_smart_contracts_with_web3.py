"""Checkers of notebook 07, both ways (each check runs on its own in-memory chain)."""

import pytest

from course.evm.deploy import send
from course.evm.magic import SolidityContract, compile_cell
from course.exercises import FAILED, NOT_DONE, PASSED
from course.exercises.smart_contracts_with_web3 import (
    check_allowlist,
    check_escrow,
    check_owner_reset,
    check_pay_with_allowance,
    check_send_tokens,
    check_tip_jar,
    check_transaction_fee,
)
from tests.exercises.both_ways import assert_checked_both_ways
from tests.exercises.solidity_answers import allowlist_source, escrow_source, tip_jar_source


def send_tokens(w3, token, sender, recipient, amount):
    send(w3, token.functions.transfer(recipient, amount), sender=sender)


def send_tokens_raw(w3, token, sender, recipient, amount):
    tx = token.functions.transfer(recipient, amount).transact({"from": sender})
    w3.eth.wait_for_transaction_receipt(tx)


def pay(w3, token, owner, spender, shop, amount):
    send(w3, token.functions.approve(spender, amount), sender=owner)
    send(w3, token.functions.transferFrom(owner, shop, amount), sender=spender)


CASES = [
    (check_transaction_fee,
     [lambda r: r["gasUsed"] * r["effectiveGasPrice"], lambda r: r.gasUsed * r.effectiveGasPrice],
     [lambda r: r["gasUsed"], lambda r: r["gasUsed"] * 10**9, lambda r: r["cumulativeGasUsed"] * 1,
      lambda r: (r["gasUsed"] * r["effectiveGasPrice"]) / 10**18]),
    (check_send_tokens, [send_tokens, send_tokens_raw],
     [lambda w3, token, s, r, a: token.functions.transfer(r, a).call({"from": s}),  # a call
      lambda w3, token, s, r, a: send(w3, token.functions.transfer(r, a)),  # wrong sender
      lambda w3, token, s, r, a: send(w3, token.functions.approve(r, a), sender=s)]),
    (check_pay_with_allowance, [pay],
     [lambda w3, t, o, s, shop, a: send(w3, t.functions.transferFrom(o, shop, a), sender=s),
      lambda w3, t, o, s, shop, a: (send(w3, t.functions.approve(s, 10**30), sender=o),
                                    send(w3, t.functions.transferFrom(o, shop, a), sender=s)),
      lambda w3, t, o, s, shop, a: (send(w3, t.functions.approve(s, a), sender=o),
                                    send(w3, t.functions.transferFrom(o, s, a), sender=s))]),
]
ids = ["transaction_fee", "send_tokens", "pay_with_allowance"]


@pytest.mark.parametrize("check, solutions, wrong_answers", CASES, ids=ids)
def test_checker_works_both_ways(check, solutions, wrong_answers):
    assert_checked_both_ways(check, solutions, wrong_answers)


def send_tokens_raw_from_the_wrong_account(w3, token, sender, recipient, amount):
    empty = w3.eth.accounts[9]  # holds no tokens: the transfer reverts inside web3.py's transact
    token.functions.transfer(recipient, amount).transact({"from": empty})


def test_a_revert_from_plain_web3_gets_the_contracts_reason_not_a_traceback():
    outcome = check_send_tokens.check(send_tokens_raw_from_the_wrong_account)
    assert outcome.status == FAILED
    assert "your transaction reverted: ERC20: transfer amount exceeds balance" in outcome.message


# --- check_owner_reset: the learner's Solidity, compiled once for all the cases below ---------

OWNED_COUNTER = """
contract {name} {{
    address public owner;
    uint256 public count;
    event Incremented(address indexed by, uint256 newCount);
    {error}
    constructor() {{ owner = msg.sender; }}

    function increment() external {{
        {increment}
        emit Incremented(msg.sender, count);
    }}
    {reset}
}}
"""
VERSIONS = {
    "Start": ("", "count += 1;", ""),  # the starting contract: no reset() yet
    "WithModifier": ("error NotOwner(address caller);", "count += 1;",
                     "modifier onlyOwner() { if (msg.sender != owner) revert NotOwner(msg.sender); "
                     "_; } function reset() external onlyOwner { count = 0; }"),
    "WithRequire": ("", "count += 1;",
                    'function reset() public { require(msg.sender == owner, "not owner"); '
                    "count = 0; }"),
    "NoOwnerCheck": ("", "count += 1;", "function reset() external { count = 0; }"),
    "ResetDoesNothing": ("", "count += 1;",
                         'function reset() external { require(msg.sender == owner, "no"); }'),
    "BreaksIncrement": ("", "count += 2;",
                        'function reset() external { require(msg.sender == owner, "no"); '
                        "count = 0; }"),
    "OwnerOnlyIncrement": ("", 'require(msg.sender == owner, "owner only"); count += 1;',
                           'function reset() external { require(msg.sender == owner, "no"); '
                           "count = 0; }"),
    "HardCodedOwner": ("", "count += 1;",
                       "function reset() external { require(msg.sender == "
                       '0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf, "no"); count = 0; }'),
}


@pytest.fixture(scope="module")
def owned_counters():
    source = "pragma solidity ^0.8.20;\n" + "".join(
        OWNED_COUNTER.format(name=name, error=error, increment=increment, reset=reset)
        for name, (error, increment, reset) in VERSIONS.items())
    return compile_cell(source)


def test_owner_reset_accepts_a_modifier_or_a_require(owned_counters):
    for name in ("WithModifier", "WithRequire"):
        outcome = check_owner_reset.check(owned_counters[name])
        assert outcome.status == PASSED, (name, outcome.message)


def test_owner_reset_says_not_done_for_the_starting_contract(owned_counters):
    outcome = check_owner_reset.check(owned_counters["Start"])
    assert outcome.status == NOT_DONE
    assert "Start has no reset() yet" in outcome.message


@pytest.mark.parametrize("name, reason", [
    ("NoOwnerCheck", "reset() from account 1, who is not the owner (deployed by account 0), "
                     "went through"),
    ("ResetDoesNothing", "reset() from the owner, account 0 (deployed by account 0), left count "
                         "at 3"),
    ("BreaksIncrement", "increment() from account 0 (deployed by account 0) left count at 2, "
                        "expected 1"),
    ("OwnerOnlyIncrement", "increment() from account 1 (deployed by account 0) reverted: "
                           "owner only"),
    ("HardCodedOwner", "reset() from account 0, who is not the owner (deployed by account 3), "
                       "went through"),
])
def test_owner_reset_names_the_call_and_account_that_broke_the_rule(owned_counters, name, reason):
    outcome = check_owner_reset.check(owned_counters[name])
    assert outcome.status == FAILED
    assert reason in outcome.message and "Traceback" not in outcome.message


def test_owner_reset_without_a_compiler_says_not_done_and_how_to_get_one():
    outcome = check_owner_reset.check(SolidityContract("OwnedCounter", (), ""))
    assert outcome.status == NOT_DONE and "needs a Solidity compiler" in outcome.message


def test_owner_reset_refuses_something_that_is_not_a_compiled_contract():
    outcome = check_owner_reset.check("contract OwnedCounter {}")
    assert outcome.status == FAILED and "pass the contract your %%solidity cell bound" in \
        outcome.message


# --- check_escrow: release/refund written in Solidity, fuzzed from buyer, seller, arbiter ------


@pytest.fixture(scope="module")
def escrows():
    return compile_cell(escrow_source())


@pytest.mark.parametrize("name", ["Correct", "WithModifiers"])
def test_escrow_accepts_a_require_or_a_modifier_with_custom_errors(escrows, name):
    outcome = check_escrow.check(escrows[name])
    assert outcome.status == PASSED, (name, outcome.message)


def test_escrow_says_not_done_for_the_template(escrows):
    outcome = check_escrow.check(escrows["Placeholder"])
    assert outcome.status == NOT_DONE and "still reverts with 'your code here'" in outcome.message


@pytest.mark.parametrize("name, reason", [
    ("RefundByAnyone", "after buyer calls refund(): the rule of refund broke: refund() from the "
                       "buyer went through: only the seller or the arbiter may refund"),
    ("SellerReleases", "release() from the buyer was refused (Escrow: not allowed); the buyer "
                       "may release a deal that is not settled yet"),
    ("RefundPaysSeller", "refund() from the seller paid the buyer 0 wei instead of the deposit, "
                         "5000000 (the seller +5000000"),
    ("ForgetsSettled", "after release(), settled() is still false"),
    ("NoEvents", "no Released event for the 5000000 wei paid to the seller"),
])
def test_escrow_names_the_call_the_account_and_the_rule_that_broke(escrows, name, reason):
    outcome = check_escrow.check(escrows[name])
    assert outcome.status == FAILED, (name, outcome.message)
    assert reason in outcome.message and "Traceback" not in outcome.message


def test_escrow_without_a_compiler_says_not_done_and_how_to_get_one():
    outcome = check_escrow.check(SolidityContract("Escrow", (), ""))
    assert outcome.status == NOT_DONE and "needs a Solidity compiler" in outcome.message


def test_escrow_refuses_a_contract_without_the_templates_pieces(owned_counters):
    outcome = check_escrow.check(owned_counters["WithModifier"])
    assert outcome.status == FAILED and "keep the template's functions" in outcome.message


# --- check_tip_jar: receive() and an owner-only withdraw(), fuzzed from four accounts ----------


@pytest.fixture(scope="module")
def tip_jars():
    return compile_cell(tip_jar_source())


@pytest.mark.parametrize("name", ["Correct", "WithModifier"])
def test_tip_jar_accepts_a_require_or_a_modifier_and_call(tip_jars, name):
    outcome = check_tip_jar.check(tip_jars[name])
    assert outcome.status == PASSED, (name, outcome.message)


def test_tip_jar_says_not_done_for_the_template(tip_jars):
    outcome = check_tip_jar.check(tip_jars["Placeholder"])
    assert outcome.status == NOT_DONE and "receive() still reverts with 'your code here'" in \
        outcome.message


@pytest.mark.parametrize("name, reason", [
    ("WithdrawByAnyone", "the rule of withdraw broke: withdraw() from account 2 went through: "
                         "only the owner may withdraw"),
    ("TipNotRecorded", "tipped(account 3) is 0, it should be 40: add each tip"),
    ("TipOverwritten", "after a tip of 2500 wei from account 1, tipped(account 1) is 2500, it "
                       "should be 3500"),
    ("NoEvent", "no Tipped event for the 40 wei from account 3"),
    ("ForgetsWithdrawn", "withdraw() paid 40 wei but withdrawn() rose by 0"),
])
def test_tip_jar_names_the_call_the_account_and_the_rule_that_broke(tip_jars, name, reason):
    outcome = check_tip_jar.check(tip_jars[name])
    assert outcome.status == FAILED, (name, outcome.message)
    assert reason in outcome.message and "Traceback" not in outcome.message


def test_tip_jar_refuses_a_contract_without_receive(escrows):
    outcome = check_tip_jar.check(escrows["Correct"])
    assert outcome.status == FAILED and "keep the template's functions" in outcome.message


def test_tip_jar_without_a_compiler_says_not_done():
    outcome = check_tip_jar.check(SolidityContract("TipJar", (), ""))
    assert outcome.status == NOT_DONE and "needs a Solidity compiler" in outcome.message


# --- check_allowlist: an onlyOwner list with a private mapping and a view ----------------------


@pytest.fixture(scope="module")
def allowlists():
    return compile_cell(allowlist_source())


@pytest.mark.parametrize("name", ["Correct", "WithoutHelper"])
def test_allowlist_accepts_a_helper_or_custom_errors_without_one(allowlists, name):
    outcome = check_allowlist.check(allowlists[name])
    assert outcome.status == PASSED, (name, outcome.message)


def test_allowlist_says_not_done_for_the_template(allowlists):
    outcome = check_allowlist.check(allowlists["Placeholder"])
    assert outcome.status == NOT_DONE and "still reverts with 'your code here'" in outcome.message


@pytest.mark.parametrize("name, reason", [
    ("RemoveByAnyone", "remove(account 2) from account 3 went through: only the owner may remove"),
    ("AddByAnyone", "add(account 1) from account 1 went through: only the owner may add"),
    ("CountsTwice", "count() is 2, but the list holds 1 (account 2)"),
    ("NoRemovedEvent", "no Removed event for account 2"),
    ("OwnerAlwaysAllowed", "isAllowed(owner) is True, but the owner never added (or removed) it"),
])
def test_allowlist_names_the_call_the_account_and_the_rule_that_broke(allowlists, name, reason):
    outcome = check_allowlist.check(allowlists[name])
    assert outcome.status == FAILED, (name, outcome.message)
    assert reason in outcome.message and "Traceback" not in outcome.message


def test_allowlist_without_a_compiler_says_not_done():
    outcome = check_allowlist.check(SolidityContract("Allowlist", (), ""))
    assert outcome.status == NOT_DONE and "needs a Solidity compiler" in outcome.message
