"""Checks for notebook 08 (Contract security), levels 2-4: each deploys a level's contract on a
fresh chain, runs your exploit, and reads the goal back from the chain (who owns it, who holds the
ether), whatever route you took; then it runs the same exploit against the fixed contract, which
must resist. The Solidity and signature levels are in ``contract_security_levels``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from web3 import Web3

from course.evm.connection import connect
from course.evm.deploy import Reverted, deploy, send
from course.exercises import CheckFailed, Exercise, expect_function, expect_type
from course.exercises.contract_security_levels import (  # the levels that write Solidity or sign
    ETH,
    _attempt,
    _eth,
    _net_gain,
    _only_from,
    _transactions_since,
    check_attacker,
    check_become_owner,
    check_fixed_vault,
    check_replay,
    check_sign_cheque,
)

__all__ = ["check_attacker", "check_become_owner", "check_commitment", "check_fixed_vault",
           "check_front_run", "check_phish", "check_replay", "check_sign_cheque",
           "check_take_over"]

GWEI = 10**9


# Level 2: missing access control


def _test_take_over(answer: Callable[[Any, str, str], None]) -> str:
    expect_function(answer, 3)
    w3 = connect()
    owner, attacker = w3.eth.accounts[0], w3.eth.accounts[5]
    treasury = deploy(w3, "UnguardedTreasury", sender=owner, value=10 * ETH)
    before, start = w3.eth.get_balance(attacker), w3.eth.block_number + 1
    reason = _attempt(answer, w3, treasury.address, attacker)
    if reason is not None:
        hint = (" Only the owner may withdraw: become the owner first."
                if "not the owner" in reason else "")
        raise CheckFailed(f"a transaction of your attack reverted: {reason}.{hint}")
    _only_from(w3, start, {attacker}, "the attacker")
    left = w3.eth.get_balance(treasury.address)
    if left:
        now = treasury.functions.owner().call()
        state = "you are the owner now" if now == attacker else "you are not even the owner"
        raise CheckFailed(f"the treasury still holds {_eth(left)}: {state}. Take over, then "
                          "call withdrawAll().")
    gain = _net_gain(w3, attacker, before, start)
    if gain != 10 * ETH:
        raise CheckFailed(f"the treasury is empty, but the attacker's balance changed by "
                          f"{_eth(gain)} (not counting gas) instead of 10 ETH: withdrawAll "
                          "pays the owner, so make the attacker the owner.")

    guarded = deploy(w3, "GuardedTreasury", sender=owner, value=10 * ETH)
    refused = _attempt(answer, w3, guarded.address, attacker) or "nothing moved"
    if (w3.eth.get_balance(guarded.address) != 10 * ETH
            or guarded.functions.owner().call() != owner):
        raise CheckFailed("your attack also worked on GuardedTreasury, which should be "
                          "impossible: please report this to the course maintainers.")
    return (f"UnguardedTreasury is yours, 10 ETH. GuardedTreasury refused the same two calls: "
            f"{refused}.")


check_take_over = Exercise(
    name="take_over",
    goal="Write take_over(w3, treasury_address, attacker): from the attacker's account, make "
    "yourself the owner of the UnguardedTreasury and withdraw everything.",
    hints=(
        "Access control: list every function that moves money or changes who is in charge, and "
        "ask of each one who may call it. A modifier guards only the functions it is written on.",
        "The same audit on a different contract: a Raffle whose `draw()` has onlyOwner but whose "
        "`setPrizePool(address)` has none is taken in two transactions from your own account: "
        "`send(w3, raffle.functions.setPrizePool(me), sender=me)`, then the guarded call. Get "
        "a contract object with w3.eth.contract(address=..., abi=load_artifact(name)['abi']).",
    ),
    test=_test_take_over,
)


# Level 3: tx.origin phishing


def _test_phish(answer: Callable[[Any, str, str, str], None]) -> str:
    expect_function(answer, 4)
    w3 = connect()
    owner, attacker = w3.eth.accounts[2], w3.eth.accounts[5]
    wallet = deploy(w3, "TxOriginWallet", sender=owner, value=5 * ETH)
    before, start = w3.eth.get_balance(attacker), w3.eth.block_number + 1
    reason = _attempt(answer, w3, wallet.address, owner, attacker)
    if reason is not None:
        hint = (" A call from the attacker's own account fails the tx.origin check: the owner "
                "must sign the transaction." if "not the owner" in reason else "")
        raise CheckFailed(f"a transaction of your phishing reverted: {reason}.{hint}")
    _only_from(w3, start, {attacker, owner}, "the attacker or the owner")
    for tx in _transactions_since(w3, start):
        if tx["from"] == owner and tx["to"] == wallet.address:
            raise CheckFailed("the owner called the wallet directly. The owner would never sign "
                              "'send everything to the attacker': trick them into calling "
                              "a contract of yours (your Bait) instead.")
    left = w3.eth.get_balance(wallet.address)
    if left:
        raise CheckFailed(f"the wallet still holds {_eth(left)}. Deploy your Bait aimed at it "
                          "and have the owner call the function that moves the wallet's ether.")
    gain = _net_gain(w3, attacker, before, start)
    if gain != 5 * ETH:
        raise CheckFailed(f"the wallet is empty, but the attacker's balance changed by "
                          f"{_eth(gain)} (not counting gas) instead of 5 ETH: the bait must pay "
                          "the attacker (deploy it with the attacker as the account to pay).")

    safe = deploy(w3, "SafeWallet", sender=owner, value=5 * ETH)
    refused = _attempt(answer, w3, safe.address, owner, attacker) or "nothing moved"
    if w3.eth.get_balance(safe.address) != 5 * ETH:
        raise CheckFailed("your phishing also emptied SafeWallet, which should be impossible: "
                          "please report this to the course maintainers.")
    return (f"The owner clicked 'claim airdrop' and lost 5 ETH to tx.origin. SafeWallet, which "
            f"checks msg.sender, refused the same trick: {refused}.")


check_phish = Exercise(
    name="phish",
    goal="Write phish(w3, wallet_address, owner, attacker): the attacker deploys what they "
    "like, and the owner falls for one call to a contract of the attacker's (never to the "
    "wallet itself); afterwards the TxOriginWallet's ether must be the attacker's.",
    hints=(
        "msg.sender is the immediate caller; tx.origin is the account that signed the whole "
        "transaction, however many contracts it went through. Which one does the wallet check, "
        "and who signs when the owner calls some other contract?",
        "The same trick on a different victim: a Vault that checks `tx.origin == admin` is "
        "emptied by any contract whose function, called by the admin, calls the Vault in turn: "
        "deploy it from your account aimed at the victim (its constructor takes the vault and "
        "the account to pay), then send the victim's call to IT.",
    ),
    test=_test_phish,
)


# Level 4: front-running and commit-reveal

MEMPOOL_FIELDS = ("from", "to", "data", "value", "gas", "maxPriorityFeePerGas", "maxFeePerGas")


def _include_by_tip(w3: Web3, mempool: list[dict[str, Any]]) -> list[str]:
    """Play the block builder: send pending transactions highest tip first (ties: first seen).

    Returns what happened to each transaction in mempool order: "ok", "reverted" or why the
    node refused it.
    """
    outcome = {}
    for index in sorted(range(len(mempool)), key=lambda i: -mempool[i]["maxPriorityFeePerGas"]):
        fields = {"gas": 200_000, **{k: v for k, v in mempool[index].items()
                                     if k in MEMPOOL_FIELDS}}
        try:
            receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(fields))
            outcome[index] = "ok" if receipt["status"] == 1 else "reverted"
        except Exception as error:  # the node refused it (bad fields, fee below base fee...)
            outcome[index] = f"refused by the node: {error}"
    return [outcome[i] for i in range(len(mempool))]


def _pending_tx(sender: str, to: str, data: str, tip_gwei: int) -> dict[str, Any]:
    return {"from": sender, "to": to, "data": data, "value": 0, "gas": 200_000,
            "maxPriorityFeePerGas": tip_gwei * GWEI, "maxFeePerGas": 200 * GWEI}


def _test_front_run(answer: Callable[[Any, dict[str, Any], str], dict[str, Any]]) -> str:
    expect_function(answer, 3)
    w3 = connect()
    solver, attacker = w3.eth.accounts[1], w3.eth.accounts[5]
    for number, tip in [(42, 2), (7_777, 5), (123_456_789, 30)]:
        game = deploy(w3, "GuessTheNumber", Web3.solidity_keccak(["uint256"], [number]),
                      value=3 * ETH)
        pending = _pending_tx(solver, game.address, game.encode_abi("guess", [number]), tip)
        height = w3.eth.block_number
        mine = answer(w3, dict(pending), attacker)
        if w3.eth.block_number != height:
            raise CheckFailed("front_run sent a transaction itself. Yours must wait in the "
                              "mempool like everyone's: return it, and the builder orders it.")
        expect_type(mine, dict, "front_run(w3, pending_tx, attacker)")
        if not isinstance(mine.get("maxPriorityFeePerGas"), int):
            raise CheckFailed("your transaction has no integer 'maxPriorityFeePerGas': the tip "
                              "is what builders sort by.")
        if str(mine.get("from", "")).lower() != attacker.lower():
            raise CheckFailed(f"your transaction is 'from' {mine.get('from')!r}, but you can only "
                              "sign as the attacker: set 'from' to the attacker.")
        results = _include_by_tip(w3, [pending, mine])
        if game.functions.winner().call() != attacker:
            theirs, yours = pending["maxPriorityFeePerGas"], mine["maxPriorityFeePerGas"]
            order = ("yours went first" if yours > theirs else
                     f"the solver's went first (your tip {yours / GWEI:g} gwei is not above "
                     f"theirs, {theirs / GWEI:g} gwei)")
            raise CheckFailed(f"the solver won game #{number}: {order}; your transaction: "
                              f"{results[1]}. Copy their input (the number) into a transaction "
                              "from the attacker with a higher tip.")
    return ("Three prizes taken without solving anything: whatever waits in the public mempool "
            "can be copied and outbid.")


check_front_run = Exercise(
    name="front_run",
    goal="Write front_run(w3, pending_tx, attacker): given the solver's pending transaction "
    "(a dict with 'from', 'to', 'data', 'maxPriorityFeePerGas', ...), return the attacker's "
    "transaction that the builder will include first and that wins the prize.",
    hints=(
        "Everything in the mempool is public, inputs included, and builders order by the tip "
        "(maxPriorityFeePerGas). A copied input from another sender wins just as well.",
        "The same move on a different pending transaction: to beat `tx = {'from': bob, 'to': "
        "shop, 'data': buy_data, 'maxPriorityFeePerGas': 5 * GWEI, ...}`, a bot returns a copy "
        "of the dict with its own 'from' and a tip of 6 gwei.",
    ),
    test=_test_front_run,
)


def _as_bytes32(value: Any, what: str) -> bytes:
    if isinstance(value, str) and value.startswith("0x") and len(value) == 66:
        return bytes.fromhex(value[2:])
    expect_type(value, (bytes, bytearray), what)
    if len(value) != 32:
        raise CheckFailed(f"{what} is {len(value)} bytes long; a keccak256 hash has 32.")
    return bytes(value)


COMMIT_CASES = [  # (number, salt)
    (42, bytes(range(32))), (0, b"\xff" * 32), (2**256 - 1, bytes(31) + b"\x01"),
    (123_456_789, Web3.keccak(text="a salt from a seeded random generator")),
]


def _test_commitment(answer: Callable[[int, bytes, str], bytes]) -> str:
    expect_function(answer, 3)
    w3 = connect()
    players = w3.eth.accounts[1:5]
    games = []
    for (number, salt), player in zip(COMMIT_CASES, players, strict=True):
        got = _as_bytes32(answer(number, salt, player), f"commitment({number}, salt, player)")
        commit_blocks = len(COMMIT_CASES) + 2
        game = deploy(w3, "CommitReveal", Web3.solidity_keccak(["uint256"], [number]),
                      commit_blocks, value=ETH)
        send(w3, game.functions.commit(got), sender=player)
        games.append((game, number, salt, player, got))
    while w3.eth.block_number <= max(g.functions.commitDeadline().call() for g, *_ in games):
        w3.eth.send_transaction({"from": w3.eth.accounts[9], "to": w3.eth.accounts[9]})
    for game, number, salt, player, got in games:
        try:
            send(w3, game.functions.reveal(number, salt), sender=player)
        except Reverted as error:
            expected = Web3.solidity_keccak(["uint256", "bytes32", "address"],
                                            [number, salt, player])
            raise CheckFailed(
                f"for number={number}, salt=0x{salt.hex()[:8]}..., player={player[:10]}... you "
                f"committed 0x{got.hex()[:12]}..., the contract expected "
                f"0x{expected.hex()[:12]}... and refused the reveal ({error.reason}). Hash the "
                "three values packed: uint256 (32 bytes), bytes32, address (20 bytes).") from None
        if game.functions.winner().call() != player:
            raise CheckFailed(f"the reveal of {number} went through but did not win.")
    return ("Four commitments accepted by the contract at reveal time. The player's address is "
            "inside each hash, so a copied commitment is useless to the copier.")


check_commitment = Exercise(
    name="commitment",
    goal="Write commitment(number, salt, player) returning the 32 bytes the CommitReveal "
    "contract checks: keccak256(abi.encodePacked(number, salt, player)).",
    hints=(
        "abi.encodePacked concatenates values at their own sizes, and keccak256 hashes the "
        "bytes; web3.py does both at once with Web3.solidity_keccak(types, values).",
        "The same on different values: keccak256(abi.encodePacked(bid, nonce)) for a uint128 "
        "bid and a bytes16 nonce is `Web3.solidity_keccak(['uint128', 'bytes16'], [bid, "
        "nonce])`. Use the contract's three types, in its order.",
    ),
    test=_test_commitment,
)
