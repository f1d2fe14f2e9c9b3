"""Checkers of notebook 05, both ways (each check runs on its own in-memory chain)."""

import pytest

from course.evm.deploy import send
from course.exercises import FAILED
from course.exercises.smart_contracts_with_web3 import (
    check_pay_with_allowance,
    check_send_tokens,
    check_transaction_fee,
)
from tests.exercises.both_ways import assert_checked_both_ways


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
