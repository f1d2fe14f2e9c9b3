"""Checks for notebook 07 (Smart contracts with web3.py): each runs your code (Python, or the
Solidity contract your %%solidity cell compiled) on a fresh in-memory chain and reads the result
back from the chain itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from web3.logs import DISCARD

from course.evm.connection import connect
from course.evm.deploy import REVERTS, deploy, deploy_with_receipt, revert_reason, send
from course.evm.invariants import Action, Invariant, Run, Step, fuzz
from course.evm.magic import NEEDS_A_COMPILER, SolidityContract
from course.exercises import CheckFailed, Exercise, NotDoneYet, expect_function, expect_type
from course.exercises.solidity import (
    emitted_amount,
    expect_contract,
    holds_until_settled,
    refused_as_placeholder,
)

SUPPLY = 1_000 * 10**18
FUZZ_EXAMPLES = 20  # random call sequences per Solidity check: enough to find the usual bugs


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
        "Section 2: a receipt records the gas the transaction used and the price per unit of "
        "gas it actually paid (since EIP-1559, the effective gas price: base fee plus tip). The "
        "fee, in wei, follows from those two fields alone.",
        "On other numbers: a plain transfer uses 21,000 gas; at an effective price of 3 gwei "
        "(3 * 10**9 wei per gas) it costs 21,000 * 3 * 10**9 = 63,000,000,000,000 wei. Read "
        "your two numbers from the receipt (it is a dict) instead of writing them in.",
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
        "A call only reads; a transaction changes state and is signed by the account in its "
        "'from'. ERC-20's transfer moves tokens away from whoever sends the transaction.",
        "On another contract: to make carol increment section 3's counter, "
        "`send(w3, counter.functions.increment(), sender=carol)`. A token function with "
        "arguments is built the same way, with its arguments in the parentheses.",
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
        "Two transactions from two accounts: the one who gives permission signs the first, "
        "the one who uses it signs the second. The permission names the spender and an amount.",
        "The same two steps with a car: `send(w3, car.functions.lend(bob, 2), sender=alice)` "
        "lets bob drive 2 days, then `send(w3, car.functions.drive(alice, garage, 2), "
        "sender=bob)` uses them. Map lend to approve and drive to transferFrom.",
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


# --- Try it 5: release and refund of a small escrow, fuzzed from four accounts -----------------

DEPOSIT = 5_000_000  # wei the buyer locks in the escrow
ESCROW_LABELS = ["buyer", "seller", "arbiter", "stranger"]
MAY = {"release": ("buyer", "arbiter"), "refund": ("seller", "arbiter")}
PAYS = {"release": "seller", "refund": "buyer"}


def _escrow_state(run: Run) -> dict[str, Any]:
    escrow, w3 = run.contract, run.w3
    return run.read("state", lambda: {
        "settled": escrow.functions.settled().call(),
        "held": w3.eth.get_balance(escrow.address),
        **{role: w3.eth.get_balance(account)
           for role, account in zip(ESCROW_LABELS, run.actors, strict=True)}})


def _settle_rule(run: Run, step: Step) -> str | None:
    before, after = step.seen_before, _escrow_state(run)
    who, action = run.name(step.sender), step.action
    allowed = who in MAY[action]
    if step.reverted is not None:
        refused_as_placeholder(step.reverted, f"{action}()")
        if allowed and not before["settled"]:
            return (f"{action}() from the {who} was refused ({step.reverted}); the {who} may "
                    f"{action} a deal that is not settled yet")
        return None
    if not allowed:
        return (f"{action}() from the {who} went through: only the "
                f"{' or the '.join(MAY[action])} may {action}")
    if before["settled"]:
        return f"{action}() went through on a deal that was already settled: settle only once"
    payee = PAYS[action]
    got = after[payee] - before[payee] + (step.fee() if payee == who else 0)
    if got != DEPOSIT:
        paid = [f"the {role} {after[role] - before[role] + (step.fee() if role == who else 0):+}"
                for role in ESCROW_LABELS if role != payee]
        return (f"{action}() from the {who} paid the {payee} {got} wei instead of the deposit, "
                f"{DEPOSIT} ({', '.join(paid)} wei)")
    if not after["settled"]:
        return f"after {action}(), settled() is still false: mark the deal settled"
    event = "Released" if action == "release" else "Refunded"
    if not emitted_amount(run.contract, event, step.receipt, DEPOSIT):
        return f"no {event} event for the {DEPOSIT} wei paid to the {payee}"
    return None


def _deposit_accounted(run: Run) -> str | None:
    state = _escrow_state(run)
    return holds_until_settled(state["held"], state["settled"], DEPOSIT, "escrow")


def _every_role_tries(actors: tuple[str, ...]) -> list[tuple[str, int, tuple[Any, ...]]]:
    return [("release", 3, ()), ("refund", 3, ()), ("release", 1, ()), ("refund", 0, ()),
            ("release", 0, ()), ("release", 2, ()), ("refund", 2, ()), ("refund", 1, ())]


def _arbiter_refunds(actors: tuple[str, ...]) -> list[tuple[str, int, tuple[Any, ...]]]:
    return [("refund", 2, ()), ("release", 0, ()), ("refund", 1, ())]


def _seller_refunds(actors: tuple[str, ...]) -> list[tuple[str, int, tuple[Any, ...]]]:
    return [("refund", 1, ()), ("refund", 2, ())]


def _test_escrow(answer: Any) -> str:
    factory = expect_contract(answer, keep=("buyer", "seller", "arbiter", "amount", "settled"),
                              write=("release", "refund"), events=("Released", "Refunded"))

    def setup(w3: Any, actors: tuple[str, ...]) -> Any:
        return factory.deploy(w3, actors[1], actors[2], sender=actors[0], value=DEPOSIT)

    look = lambda run, sender, args: dict(_escrow_state(run))  # noqa: E731
    actions = [Action(name, rule=_settle_rule, look=look) for name in ("release", "refund")]
    broken = fuzz(setup, actions, [Invariant("deposit accounted for", _deposit_accounted)],
                  labels=ESCROW_LABELS, describe_revert=factory.revert_reason,
                  examples=FUZZ_EXAMPLES, steps=4,
                  scenarios=(_every_role_tries, _arbiter_refunds, _seller_refunds))
    if broken is not None:
        raise CheckFailed(f"{broken}.")
    return ("Only the buyer or arbiter released, only the seller or arbiter refunded, the deposit "
            f"went to exactly one side, once, through 3 scenarios and {FUZZ_EXAMPLES} random "
            "sequences from 4 accounts.")


check_escrow = Exercise(
    name="escrow",
    goal="In the %%solidity cell, write Escrow's release() (the buyer or the arbiter pays the "
    "deposit to the seller) and refund() (the seller or the arbiter pays it back to the buyer). "
    "Either settles the deal: afterwards both refuse. Each emits its event with the amount.",
    hints=(
        "Each function is a guard (who may call it, and only while the deal is open), then the "
        "effects (mark it settled), then the interaction (send the ether): checks, effects, "
        "interactions, in that order, so a receiver that calls back finds the deal closed.",
        "The same shape for a prize that the organiser or a judge hands to the winner, once: "
        "`function award() external { require(msg.sender == organiser || msg.sender == judge, "
        "\"not allowed\"); require(!awarded, \"already awarded\"); awarded = true; "
        "payable(winner).transfer(prize); emit Awarded(winner, prize); }`.",
    ),
    test=_test_escrow,
)


# --- Try it 6: a tip jar: receive() takes plain ether, only the owner withdraws ----------------

JAR_LABELS = ["owner", "account 1", "account 2", "account 3"]


def _jar_state(run: Run) -> dict[str, Any]:
    jar, w3 = run.contract, run.w3
    return run.read("state", lambda: {
        "held": w3.eth.get_balance(jar.address),
        "withdrawn": jar.functions.withdrawn().call(),
        "tipped": {a: jar.functions.tipped(a).call() for a in run.actors},
        "balances": {a: w3.eth.get_balance(a) for a in run.actors}})


def _tip(run: Run, sender: str, args: tuple[Any, ...]) -> Any:
    """A tip is plain ether sent to the contract's address: no function named, so receive() runs."""
    tx = run.w3.eth.send_transaction({"from": sender, "to": run.contract.address, "value": args[0]})
    return run.w3.eth.wait_for_transaction_receipt(tx)


def _tip_rule(run: Run, step: Step) -> str | None:
    before, after, who, value = step.seen_before, _jar_state(run), run.name(step.sender), \
        step.args[0]
    if step.reverted is not None:
        refused_as_placeholder(step.reverted, "receive()")
        return f"a tip of {value} wei from {who} was refused ({step.reverted}): anyone may tip"
    total, was = after["tipped"][step.sender], before["tipped"][step.sender]
    if total != was + value:
        return (f"after a tip of {value} wei from {who}, tipped({who}) is {total}, it should be "
                f"{was + value}: add each tip to the tipper's total")
    events = run.contract.events.Tipped().process_receipt(step.receipt, errors=DISCARD)
    if not any(e.args["from"] == step.sender and e.args["amount"] == value for e in events):
        return f"no Tipped event for the {value} wei from {who}"
    return None


def _withdraw_rule(run: Run, step: Step) -> str | None:
    before, after, who = step.seen_before, _jar_state(run), run.name(step.sender)
    owner = run.actors[0]
    if step.reverted is not None:
        refused_as_placeholder(step.reverted, "withdraw()")
        if step.sender == owner and before["held"] > 0:
            return (f"withdraw() from the owner was refused ({step.reverted}) while the jar "
                    f"held {before['held']} wei; the owner may withdraw")
        return None
    if step.sender != owner:
        return f"withdraw() from {who} went through: only the owner may withdraw"
    got = after["balances"][owner] - before["balances"][owner] + step.fee()
    if got != before["held"]:
        return (f"withdraw() paid the owner {got} wei; the jar held {before['held']}: send the "
                "whole balance")
    rose = after["withdrawn"] - before["withdrawn"]
    if rose != got:
        return (f"withdraw() paid {got} wei but withdrawn() rose by {rose}: add what you pay out "
                "to withdrawn (an effect: before sending the ether)")
    return None


def _jar_accounted(run: Run) -> str | None:
    state = _jar_state(run)
    tips = sum(state["tipped"].values())
    if state["held"] != tips - state["withdrawn"]:
        return (f"the jar holds {state['held']} wei, but the tips add up to {tips} and "
                f"withdrawn() says {state['withdrawn']}: it should hold "
                f"{tips - state['withdrawn']}")
    return None


def _tip_twice_then_withdraw(actors: tuple[str, ...]) -> list[tuple[str, int, tuple[Any, ...]]]:
    return [("tip", 1, (1_000,)), ("tip", 1, (2_500,)), ("withdraw", 2, ()), ("tip", 0, (7,)),
            ("withdraw", 0, ()), ("tip", 3, (40,)), ("withdraw", 0, ())]


def _test_tip_jar(answer: Any) -> str:
    factory = expect_contract(answer, keep=("owner", "tipped", "withdrawn"), write=("withdraw",),
                              events=("Tipped",))
    if not any(item.get("type") == "receive" for item in factory.abi):
        raise CheckFailed(f"{factory.name} has no receive(): keep the template's receive() "
                          "external payable, it is what takes a tip.")
    look = lambda run, sender, args: dict(_jar_state(run))  # noqa: E731
    tip_sizes = lambda actors: st.tuples(st.integers(1, 10**15))  # noqa: E731
    actions = [Action("tip", tip_sizes, rule=_tip_rule, look=look, perform=_tip,
                      says="{sender} tips {0} wei"),
               Action("withdraw", rule=_withdraw_rule, look=look)]
    broken = fuzz(lambda w3, actors: factory.deploy(w3, sender=actors[0]), actions,
                  [Invariant("tips accounted for", _jar_accounted)], labels=JAR_LABELS,
                  describe_revert=factory.revert_reason, examples=FUZZ_EXAMPLES, steps=5,
                  scenarios=(_tip_twice_then_withdraw,))
    if broken is not None:
        raise CheckFailed(f"{broken}.")
    return ("Every tip was recorded to the wei with its event, only the owner withdrew, and the "
            f"jar always held tips minus withdrawals, through a scenario and {FUZZ_EXAMPLES} "
            "random sequences from 4 accounts.")


check_tip_jar = Exercise(
    name="tip_jar",
    goal="In the %%solidity cell, write TipJar's receive() (add the tip to tipped[msg.sender], "
    "emit Tipped) and withdraw() (only the owner; the whole balance goes to the owner, counted "
    "in withdrawn before it is sent).",
    hints=(
        "receive() is what runs when plain ether arrives with no function named; msg.value is "
        "the amount. withdraw() is a guard (who may call), then the effect (the books), then the "
        "interaction (the transfer): checks, effects, interactions.",
        "The same shape for a savings box a child fills and a parent empties: `receive() "
        "external payable { saved[msg.sender] += msg.value; emit Saved(msg.sender, msg.value); "
        "}`, and `function empty() external { require(msg.sender == parent, \"no\"); uint256 x = "
        "savedTotal(); emptied += x; payable(parent).transfer(x); }` (the contract's own balance "
        "is address(this).balance).",
    ),
    test=_test_tip_jar,
)


# --- Try it 7: an allowlist: a modifier, an internal helper, a view ----------------------------

LIST_LABELS = ["owner", "account 1", "account 2", "account 3"]


def _expected_list(run: Run) -> set[str]:
    """Who should be on the list after the calls so far: the owner's adds and removes, in order."""
    listed: set[str] = set()
    for step in run.steps:
        if step.reverted is None and step.sender == run.actors[0]:
            (listed.add if step.action == "add" else listed.discard)(step.args[0])
    return listed


def _list_state(run: Run, describe: Callable[[BaseException], str]) -> dict[str, Any]:
    def read() -> dict[str, Any]:
        allowed = {}
        for who in run.actors:
            try:
                allowed[who] = run.contract.functions.isAllowed(who).call()
            except REVERTS as error:
                reason = describe(error)
                refused_as_placeholder(reason, "isAllowed()")
                raise CheckFailed(f"isAllowed({run.name(who)}) reverted ({reason}): a view "
                                  "answers for every address, true or false.") from None
        return {"allowed": allowed, "count": run.contract.functions.count().call()}
    return run.read("state", read)


def _list_rule(describe: Callable[[BaseException], str]) -> Callable[[Run, Step], str | None]:
    def rule(run: Run, step: Step) -> str | None:
        who, target, action = run.name(step.sender), run.name(step.args[0]), step.action
        was = step.seen_before["allowed"][step.args[0]]
        if step.reverted is not None:
            refused_as_placeholder(step.reverted, f"{action}()")
            changes = was != (action == "add")
            if step.sender == run.actors[0] and changes:
                return (f"{action}({target}) from the owner was refused ({step.reverted}); the "
                        f"owner may {action} anyone")
            return None
        if step.sender != run.actors[0]:
            return f"{action}({target}) from {who} went through: only the owner may {action}"
        now = _list_state(run, describe)["allowed"][step.args[0]]
        if now != (action == "add"):
            return f"after {action}({target}) from the owner, isAllowed({target}) is {now}"
        event = "Added" if action == "add" else "Removed"
        if was != now and not any(
                e.args["who"] == step.args[0]
                for e in run.contract.events[event]().process_receipt(step.receipt,
                                                                      errors=DISCARD)):
            return f"no {event} event for {target}"
        return None
    return rule


def _list_exact(describe: Callable[[BaseException], str]) -> Callable[[Run], str | None]:
    def holds(run: Run) -> str | None:
        state, listed = _list_state(run, describe), _expected_list(run)
        for who in run.actors:
            if state["allowed"][who] != (who in listed):
                return (f"isAllowed({run.name(who)}) is {state['allowed'][who]}, but the owner "
                        f"{'added' if who in listed else 'never added (or removed)'} it")
        if state["count"] != len(listed):
            names = ", ".join(sorted(run.name(a) for a in listed)) or "nobody"
            return (f"count() is {state['count']}, but the list holds {len(listed)} ({names}): "
                    "count an address once when it joins, and once when it leaves")
        return None
    return holds


def _add_twice_remove(actors: tuple[str, ...]) -> list[tuple[str, int, tuple[Any, ...]]]:
    return [("add", 1, (actors[1],)), ("add", 0, (actors[2],)), ("add", 0, (actors[2],)),
            ("remove", 3, (actors[2],)), ("remove", 0, (actors[2],)), ("remove", 0, (actors[2],)),
            ("add", 0, (actors[3],))]


def _test_allowlist(answer: Any) -> str:
    factory = expect_contract(answer, keep=("owner", "count"), write=("add", "remove",
                                                                     "isAllowed"),
                              events=("Added", "Removed"))
    describe = factory.revert_reason
    look = lambda run, sender, args: dict(_list_state(run, describe))  # noqa: E731
    anyone = lambda actors: st.tuples(st.sampled_from(actors))  # noqa: E731
    actions = [Action(name, anyone, rule=_list_rule(describe), look=look)
               for name in ("add", "remove")]
    broken = fuzz(lambda w3, actors: factory.deploy(w3, sender=actors[0]), actions,
                  [Invariant("isAllowed and count match the list", _list_exact(describe))],
                  labels=LIST_LABELS, describe_revert=describe, examples=FUZZ_EXAMPLES, steps=5,
                  scenarios=(_add_twice_remove,))
    if broken is not None:
        raise CheckFailed(f"{broken}.")
    return ("Only the owner changed the list, isAllowed and count were exact after every call, "
            f"through a scenario and {FUZZ_EXAMPLES} random sequences from 4 accounts.")


check_allowlist = Exercise(
    name="allowlist",
    goal="In the %%solidity cell, write Allowlist's onlyOwner modifier, add(who) and remove(who) "
    "(owner only, through the internal helper _set), and isAllowed(who); count() says how many "
    "addresses are on the list.",
    hints=(
        "The list is a private mapping: no getter, so isAllowed is the only way in. A modifier "
        "says 'owner only' once for both writers; an internal helper holds what add and remove "
        "share: change the entry, adjust the count only when the entry really changes, emit.",
        "The same shape for a set of moderators: `modifier onlyAdmin() { if (msg.sender != "
        "admin) revert NotAdmin(msg.sender); _; }` and `function _mark(address m, bool on) "
        "internal { if (mods[m] == on) return; mods[m] = on; if (on) total++; else total--; }`; "
        "events are emitted where the entry changes.",
    ),
    test=_test_allowlist,
)
