"""Checks for notebook 05 (Smart contracts with web3.py): each runs your code (Python, or the
Solidity contract your %%solidity cell compiled) on a fresh in-memory chain and reads the result
back from the chain itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from course.evm.connection import connect
from course.evm.deploy import REVERTS, deploy, deploy_with_receipt, revert_reason, send
from course.evm.magic import NEEDS_A_COMPILER, SolidityContract
from course.exercises import CheckFailed, Exercise, NotDoneYet, expect_function, expect_type

SUPPLY = 1_000 * 10**18


def _test_fee(answer: Callable[[Any], int]) -> str:
    expect_function(answer, 1)
    w3 = connect()
    sender, recipient = w3.eth.accounts[:2]
    counter, deployed = deploy_with_receipt(w3, "Counter")
    receipts = [deployed, send(w3, counter.functions.increment())]
    tips = [(1, 2 * 10**9), (10**18, 7 * 10**9), (5, 0)]  # (value, priority fee per gas)
    for value, tip in tips:
        before = w3.eth.get_balance(sender)
        tx = w3.eth.send_transaction({"from": sender, "to": recipient, "value": value,
                                      "maxPriorityFeePerGas": tip,
                                      "maxFeePerGas": 100 * 10**9})
        receipt = w3.eth.wait_for_transaction_receipt(tx)
        paid = before - w3.eth.get_balance(sender) - value  # what the chain actually charged
        got = answer(receipt)
        expect_type(got, int, "transaction_fee(receipt)")
        if got != paid:
            raise CheckFailed(f"for a transfer of {value} wei you computed a fee of {got} wei, but "
                              f"the sender's balance fell by {paid} wei more than the value sent.")
        receipts.append(receipt)
    receipts += _second_in_a_block(w3)
    for receipt in receipts:
        expected = receipt["gasUsed"] * receipt["effectiveGasPrice"]
        got = answer(receipt)
        if got != expected:
            why = ""
            if got == receipt["cumulativeGasUsed"] * receipt["effectiveGasPrice"]:
                why = (" cumulativeGasUsed adds up the gas of every transaction in the block up to "
                       "this one; this transaction's own gas is gasUsed.")
            raise CheckFailed(f"for a receipt with gasUsed={receipt['gasUsed']} (transaction "
                              f"{receipt['transactionIndex']} of its block, cumulativeGasUsed="
                              f"{receipt['cumulativeGasUsed']}) you returned {got}; expected "
                              f"{expected} wei.{why}")
    return "The fee is gas used x effective gas price, in wei, exactly what left the balance."


def _second_in_a_block(w3: Any) -> list[Any]:
    """Receipts of two transfers mined in one block: the second's cumulativeGasUsed counts both."""
    tester = getattr(w3.provider, "ethereum_tester", None)
    if tester is None:  # a real node (COURSE_RPC_URL) mines on its own schedule
        return []
    tester.disable_auto_mine_transactions()
    try:
        hashes = [w3.eth.send_transaction({"from": w3.eth.accounts[i], "to": w3.eth.accounts[1],
                                           "value": i}) for i in (2, 3)]
        tester.mine_blocks(1)
    finally:
        tester.enable_auto_mine_transactions()
    return [w3.eth.get_transaction_receipt(h) for h in hashes]


check_transaction_fee = Exercise(
    name="transaction_fee",
    goal="Write transaction_fee(receipt) returning the fee in wei that the sender paid.",
    hints=(
        "A receipt says how much gas was used and at what price per unit (after EIP-1559).",
        "return receipt['gasUsed'] * receipt['effectiveGasPrice']",
    ),
    test=_test_fee,
)


def _fresh_token():
    w3 = connect()
    token = deploy(w3, "CourseToken", "Course Token", "CRS", SUPPLY)
    return w3, token


def _test_send_tokens(answer: Callable[..., Any]) -> str:
    expect_function(answer, 5)
    w3, token = _fresh_token()
    alice, bob, carol = w3.eth.accounts[:3]
    for sender, recipient, amount in [(alice, bob, 250), (bob, carol, 50), (alice, carol, 1)]:
        before = {a: token.functions.balanceOf(a).call() for a in (sender, recipient)}
        try:
            answer(w3, token, sender, recipient, amount)
        except REVERTS as error:
            raise CheckFailed(f"your transaction reverted: {revert_reason(error)}") from None
        after = {a: token.functions.balanceOf(a).call() for a in (sender, recipient)}
        sent = before[sender] - after[sender]
        if sent != amount or after[recipient] != before[recipient] + amount:
            moved = before[sender] - after[sender]
            raise CheckFailed(f"sending {amount} tokens: the sender's balance fell by {moved}, the "
                              f"recipient's rose by {after[recipient] - before[recipient]}. Did "
                              "the transaction come from `sender` (its 'from')?")
    return "Balances on-chain moved exactly as asked, three times."


check_send_tokens = Exercise(
    name="send_tokens",
    goal="Write send_tokens(w3, token, sender, recipient, amount) that makes `sender` transfer "
    "`amount` tokens to `recipient` (a transaction, not a call).",
    hints=(
        "token.functions.transfer(recipient, amount) builds the call; "
        "course.evm.deploy.send(w3, call, sender=...) sends it from an account.",
        "send(w3, token.functions.transfer(recipient, amount), sender=sender)",
    ),
    test=_test_send_tokens,
)


def _test_pay_with_allowance(answer: Callable[..., Any]) -> str:
    expect_function(answer, 6)
    w3, token = _fresh_token()
    owner, spender, shop = w3.eth.accounts[:3]
    for amount in (100, 7):
        before = token.functions.balanceOf(shop).call()
        try:
            answer(w3, token, owner, spender, shop, amount)
        except REVERTS as error:
            if "insufficient allowance" in revert_reason(error):
                raise CheckFailed("transferFrom reverted: insufficient allowance. The owner must "
                                  "approve the spender first, from the owner's account.") from None
            raise CheckFailed(f"a transaction reverted: {revert_reason(error)}") from None
        if token.functions.balanceOf(shop).call() != before + amount:
            raise CheckFailed(f"the shop should have received {amount} tokens.")
        if token.functions.allowance(owner, spender).call() != 0:
            left = token.functions.allowance(owner, spender).call()
            raise CheckFailed(f"after paying, {left} tokens are still approved for the spender: "
                              "approve exactly the amount (a leftover allowance is a risk).")
    if token.functions.balanceOf(spender).call() != 0:
        raise CheckFailed("the spender should only move the owner's tokens, not receive them.")
    return "approve + transferFrom: how every DEX and payment contract moves your tokens."


check_pay_with_allowance = Exercise(
    name="pay_with_allowance",
    goal="Write pay_with_allowance(w3, token, owner, spender, shop, amount): the owner approves "
    "the spender for exactly `amount`, then the spender moves `amount` from the owner to the "
    "shop with transferFrom.",
    hints=(
        "Two transactions from two accounts: approve (sent by the owner), then transferFrom "
        "(sent by the spender).",
        "send(w3, token.functions.approve(spender, amount), sender=owner); "
        "send(w3, token.functions.transferFrom(owner, shop, amount), sender=spender)",
    ),
    test=_test_pay_with_allowance,
)


def _account(w3: Any, address: str) -> str:
    return f"account {list(w3.eth.accounts).index(address)}"


def _sends(w3: Any, call: Any, sender: str, contract: SolidityContract) -> str | None:
    """Send ``call`` from ``sender``; None if it went through, the revert reason if it reverted."""
    try:
        send(w3, call, sender=sender)
    except REVERTS as error:
        return contract.revert_reason(error)
    return None


def _test_owner_reset(answer: Any) -> str:
    if not isinstance(answer, SolidityContract):
        raise CheckFailed(f"pass the contract your %%solidity cell bound (e.g. OwnedCounter), "
                          f"got {type(answer).__name__} {answer!r}.")
    if not answer.compiled:
        raise NotDoneYet(f"{answer.name} was not compiled: {NEEDS_A_COMPILER}")
    missing = [name for name in ("count", "increment", "owner") if name not in answer.functions()]
    if missing:
        raise CheckFailed(f"{answer.name} has no {', '.join(missing)}: keep the starting "
                          "contract's count, owner and increment() as they are.")
    if "reset" not in answer.functions():
        raise NotDoneYet(f"{answer.name} has no reset() yet: add it to the %%solidity cell, "
                         "run that cell, then this one.")
    w3 = connect()
    accounts = list(w3.eth.accounts)
    for owner, others in ((accounts[0], accounts[1:3]), (accounts[3], [accounts[0], accounts[4]])):
        counter = answer.deploy(w3, sender=owner)
        who = f"(deployed by {_account(w3, owner)})"
        expected = 0
        for sender in [owner, *others]:
            reason = _sends(w3, counter.functions.increment(), sender, answer)
            if reason is not None:
                raise CheckFailed(f"increment() from {_account(w3, sender)} {who} reverted: "
                                  f"{reason}. Everyone may still count.")
            expected += 1
            got = counter.functions.count().call()
            if got != expected:
                raise CheckFailed(f"increment() from {_account(w3, sender)} {who} left count at "
                                  f"{got}, expected {expected}: counting must still work.")
        for other in others:
            if _sends(w3, counter.functions.reset(), other, answer) is None:
                raise CheckFailed(f"reset() from {_account(w3, other)}, who is not the owner "
                                  f"{who}, went through: only the owner may reset.")
            if counter.functions.count().call() != expected:
                raise CheckFailed(f"a refused reset() from {_account(w3, other)} {who} changed "
                                  "count: a revert must leave everything as it was.")
        reason = _sends(w3, counter.functions.reset(), owner, answer)
        if reason is not None:
            raise CheckFailed(f"reset() from the owner, {_account(w3, owner)} {who}, reverted: "
                              f"{reason}. The owner is whoever deployed the contract.")
        if (got := counter.functions.count().call()) != 0:
            raise CheckFailed(f"reset() from the owner, {_account(w3, owner)} {who}, left count "
                              f"at {got}: it should set count back to 0.")
        if _sends(w3, counter.functions.increment(), others[0], answer) is not None or \
                counter.functions.count().call() != 1:
            raise CheckFailed(f"after a reset, increment() from {_account(w3, others[0])} {who} "
                              "should count from 0 again, to 1.")
    return ("Only the owner resets (each deployer owns their counter), everyone else is refused "
            "with nothing changed, and counting still works.")


check_owner_reset = Exercise(
    name="owner_reset",
    goal="In the %%solidity cell, add reset() to OwnedCounter: it sets count back to 0, and only "
    "the owner (whoever deployed the contract) may call it; everyone else's call reverts.",
    hints=(
        "A modifier runs its checks before the function body (the `_;`): write an onlyOwner "
        "modifier that reverts unless msg.sender == owner, and put it on reset().",
        "The same shape guards other rules, e.g. `modifier onlyAfter(uint256 time) { if "
        "(block.timestamp < time) revert TooEarly(time); _; }` on `function claim() external "
        "onlyAfter(start)`. Yours compares msg.sender with owner, and reset() sets count = 0.",
    ),
    test=_test_owner_reset,
)
