"""Checks for notebook 08's levels where you write Solidity or sign messages: your own reentrancy
attacker, the fixed vault's withdraw (fuzzed from several accounts), the delegatecall level and
the two signed-cheque levels, with the on-chain bookkeeping every level's check shares. Each
deploys on a fresh chain and checks the GOAL on-chain, however you reached it. The notebook
imports them all from ``course.exercises.contract_security``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct
from hypothesis import strategies as st
from web3 import Web3

from course.evm.connection import connect
from course.evm.deploy import REVERTS, deploy, revert_reason, send
from course.evm.invariants import Action, Invariant, Run, Step, fuzz
from course.evm.magic import NEEDS_A_COMPILER, SolidityContract
from course.exercises import CheckFailed, Exercise, NotDoneYet, expect_function

ETH = 10**18
DEPOSITS = (1 * ETH, 2 * ETH, 3 * ETH)  # what three honest users keep in the vault


def _eth(wei: int) -> str:
    return f"{wei / ETH:g} ETH"


def _attempt(answer: Callable[..., Any], *args: Any) -> str | None:
    """Run the learner's exploit; the revert reason if a transaction of it reverted."""
    try:
        answer(*args)
    except REVERTS as error:
        return revert_reason(error)
    return None


def _transactions_since(w3: Web3, first_block: int) -> list[Any]:
    return [tx for number in range(first_block, w3.eth.block_number + 1)
            for tx in w3.eth.get_block(number, full_transactions=True)["transactions"]]


def _net_gain(w3: Web3, account: str, before: int, first_block: int) -> int:
    """How much richer ``account`` got since ``before``, not counting the gas fees it paid."""
    fees = 0
    for tx in _transactions_since(w3, first_block):
        if tx["from"] == account:
            receipt = w3.eth.get_transaction_receipt(tx["hash"])
            fees += receipt["gasUsed"] * receipt["effectiveGasPrice"]
    return w3.eth.get_balance(account) - before + fees


def _only_from(w3: Web3, first_block: int, allowed: set[str], who: str) -> None:
    for tx in _transactions_since(w3, first_block):
        if tx["from"] not in allowed:
            raise CheckFailed(f"a transaction was sent from {tx['from']}, which is not {who}. "
                              "An attacker has only their own key: send everything from the "
                              "attacker's account (sender=attacker).")


def _vault_with_deposits(w3: Web3, name: str) -> Any:
    vault = deploy(w3, name)
    for depositor, amount in zip(w3.eth.accounts[1:4], DEPOSITS, strict=True):
        send(w3, vault.functions.deposit(), sender=depositor, value=amount)
    return vault


ALICE_KEY = Web3.keccak(text="alice's key in notebook 07: a test key, never use it for real")
"""Alice signs cheques with this key in the checks (eth-account derives her address)."""


def _expect_contract(answer: Any, example: str, needs: tuple[str, ...]) -> None:
    """Fail unless ``answer`` is a compiled SolidityContract with every function of ``needs``."""
    if not isinstance(answer, SolidityContract):
        raise CheckFailed(f"pass the contract your %%solidity cell bound (e.g. {example}), got "
                          f"{type(answer).__name__} {answer!r}.")
    if not answer.compiled:
        raise NotDoneYet(f"{answer.name} was not compiled: {NEEDS_A_COMPILER}")
    missing = [name for name in needs if name not in answer.functions()]
    if missing:
        raise NotDoneYet(f"{answer.name} has no {', '.join(missing)} yet: write it in the "
                         "%%solidity cell, run that cell, then this one.")


def _reason(contract: SolidityContract, error: BaseException) -> str:
    return contract.revert_reason(error)


# Level 1: write your own reentrancy attacker


def _test_attacker(answer: Any) -> str:
    _expect_contract(answer, "Robber", ("attack",))
    w3 = connect()
    attacker = w3.eth.accounts[5]
    vault = _vault_with_deposits(w3, "VulnerableVault")
    constructor = [item for item in answer.abi if item.get("type") == "constructor"]
    if [i["type"] for i in (constructor[0]["inputs"] if constructor else [])] != ["address"]:
        raise CheckFailed(f"{answer.name} must be deployed with the vault's address as its one "
                          "constructor argument: write `constructor(address vault_)`.")
    before, start = w3.eth.get_balance(attacker), w3.eth.block_number + 1
    try:
        robber = answer.deploy(w3, vault.address, sender=attacker)
    except REVERTS as error:
        raise CheckFailed(f"deploying {answer.name}(vault) reverted: "
                          f"{_reason(answer, error)}.") from None
    except Exception as error:  # web3 refuses the arguments: the constructor takes others
        raise CheckFailed(f"could not deploy {answer.name} with the vault's address as its one "
                          f"constructor argument ({type(error).__name__}): write "
                          "`constructor(address vault_)`.") from None
    calls = [("attack", 1 * ETH)] + ([("collect", 0)] if "collect" in answer.functions() else [])
    for name, value in calls:
        try:
            send(w3, getattr(robber.functions, name)(), sender=attacker, value=value)
        except REVERTS as error:
            reason = _reason(answer, error)
            extra = (" The vault's payment to your contract failed: your contract needs a "
                     "receive() that accepts ether, and it must stop re-entering once the vault "
                     "holds less than your stake." if "transfer failed" in reason else "")
            raise CheckFailed(f"{name}() from the attacker (value {_eth(value)}) reverted: "
                              f"{reason}.{extra}") from None
        except Exception as error:  # e.g. attack takes arguments
            raise CheckFailed(f"could not call {name}() ({type(error).__name__}): the check "
                              f"calls {name}() with no arguments.") from None
    _only_from(w3, start, {attacker}, "the attacker")
    payouts = len(vault.events.Withdrawn.get_logs(from_block=start))
    left = w3.eth.get_balance(vault.address)
    if left:
        raise CheckFailed(f"the vault still holds {_eth(left)} (others deposited "
                          f"{_eth(sum(DEPOSITS))}): it paid your contract {payouts} time(s) for "
                          "its 1 ETH stake. When a "
                          "payment arrives (receive), call withdraw() again while the vault "
                          "still holds at least your stake.")
    loot = w3.eth.get_balance(robber.address)
    gain = _net_gain(w3, attacker, before, start)
    if loot:
        raise CheckFailed(f"the vault is empty but {_eth(loot)} sit in your contract, not with "
                          "the attacker: send them home (at the end of attack(), or in a "
                          "collect() function that the check calls if it exists).")
    if gain != sum(DEPOSITS):
        raise CheckFailed(f"the vault is empty, but the attacker's balance changed by "
                          f"{_eth(gain)} (not counting gas), not by the {_eth(sum(DEPOSITS))} the "
                          "others deposited: send the loot to the attacker's account.")
    return (f"{answer.name} drained VulnerableVault in {payouts} payouts: the "
            f"{_eth(sum(DEPOSITS))} of three depositors is the attacker's.")


check_attacker = Exercise(
    name="attacker",
    goal="Write a contract (constructor(address vault_), attack() payable, optionally collect()) "
    "that, deployed by the attacker and called with a 1 ETH stake, empties the "
    "VulnerableVault holding 6 ETH of others and brings all of it to the attacker's account.",
    hints=(
        "Sending ether to a contract runs that contract's receive() function, in the middle of "
        "the sender's code. Look at the order of withdraw's steps: what has the vault not done "
        "yet when your receive() runs?",
        "The same shape against a different contract: a raffle that calls "
        "`IRaffle(raffle).claimPrize()` and pays with `call` before marking the prize claimed "
        "is robbed by `receive() external payable { if (address(raffle).balance >= prize) "
        "raffle.claimPrize(); }`. For the vault: deposit the stake, withdraw once, re-enter "
        "from receive() while the vault still holds a stake, then send address(this).balance "
        "to the attacker.",
    ),
    test=_test_attacker,
)


# Level 1, the fix: write the fixed vault's withdraw


def _deposit(run: Run, sender: str, args: tuple[Any, ...]) -> Any:
    return send(run.w3, run.contract.functions.deposit(), sender=sender, value=args[0])


def _before_withdraw(run: Run, sender: str, args: tuple[Any, ...]) -> tuple[int, int]:
    return run.contract.functions.balanceOf(sender).call(), run.w3.eth.get_balance(sender)


def _withdraw_pays_the_balance(run: Run, step: Step) -> str | None:
    """withdraw() pays the caller exactly their balance and zeroes it; refusing is fine only
    when there is nothing to pay."""
    owed, before = step.seen_before
    if step.reverted is not None:
        return None if owed == 0 else (f"withdraw() reverted ({step.reverted}) while the caller "
                                       f"was owed {_eth(owed)}: an honest withdrawal must go "
                                       "through (does your guard unlock at the end?)")
    got = run.w3.eth.get_balance(step.sender) - before + step.fee()
    left = run.contract.functions.balanceOf(step.sender).call()
    if got != owed or left != 0:
        return (f"the caller was owed {_eth(owed)}, received {_eth(got)} and still has "
                f"{_eth(left)} in the books: withdraw() pays the whole balance and zeroes it")
    return None


def _books_match_the_ether(run: Run) -> str | None:
    held = run.w3.eth.get_balance(run.contract.address)
    owed = sum(run.contract.functions.balanceOf(a).call() for a in run.actors)
    if held != owed:
        return f"the vault holds {_eth(held)} but its books sum to {_eth(owed)}"
    return None


def _books_match_the_deposits(run: Run) -> str | None:
    """Each account's balance is what it deposited since its last withdrawal: nobody is
    credited (or paid) more than they put in."""
    expected = dict.fromkeys(run.actors, 0)
    for step in run.steps:
        if step.reverted is None:
            expected[step.sender] = expected[step.sender] + step.args[0] \
                if step.action == "deposit" else 0
    for account, amount in expected.items():
        if (books := run.contract.functions.balanceOf(account).call()) != amount:
            return f"balanceOf({run.name(account)}) is {_eth(books)}, deposits say {_eth(amount)}"
    return None


VAULT_ACTIONS = (
    Action("deposit", lambda actors: st.tuples(st.integers(1, 20).map(lambda k: k * ETH // 10)),
           perform=_deposit, says="{sender} deposits {0} wei"),
    Action("withdraw", look=_before_withdraw, rule=_withdraw_pays_the_balance),
)
VAULT_INVARIANTS = (
    Invariant("ether held == sum of balances", _books_match_the_ether),
    Invariant("each balance == its deposits since the last withdrawal", _books_match_the_deposits),
)


def _two_rounds(actors: tuple[str, ...]) -> list[tuple[str, int, tuple[Any, ...]]]:
    """Deposit, withdraw, deposit, withdraw from two accounts: a guard that never unlocks or books
    that never clear show up at once."""
    return [("deposit", 1, (ETH,)), ("deposit", 2, (2 * ETH,)), ("withdraw", 1, ()),
            ("deposit", 1, (3 * ETH // 10,)), ("withdraw", 2, ()), ("withdraw", 1, ())]


def _fixed_vault_honest_run(answer: SolidityContract) -> None:
    """Foundry-style: random sequences of deposits and withdrawals from four accounts, every
    rule and invariant checked after each call (course.evm.invariants)."""
    broken = fuzz(setup=lambda w3, actors: answer.deploy(w3), actions=VAULT_ACTIONS,
                  invariants=VAULT_INVARIANTS, actors=4, steps=6, examples=12,
                  describe_revert=answer.revert_reason, scenarios=[_two_rounds])
    if broken is not None:
        raise CheckFailed(f"fuzzing honest deposits and withdrawals: {broken}.")


def _test_fixed_vault(answer: Any) -> str:
    _expect_contract(answer, "FixedVault", ("deposit", "withdraw", "balanceOf"))
    w3 = connect()
    users, attacker = w3.eth.accounts[1:4], w3.eth.accounts[5]
    vault = answer.deploy(w3)
    for user, amount in zip(users, DEPOSITS, strict=True):
        send(w3, vault.functions.deposit(), sender=user, value=amount)
    robber = deploy(w3, "VaultAttacker", vault.address, sender=attacker)
    try:
        send(w3, robber.functions.attack(), sender=attacker, value=ETH)
        send(w3, robber.functions.collect(), sender=attacker)
        outcome = "moved nothing"
    except REVERTS as error:
        outcome = f"reverted ({_reason(answer, error)})"
    held = w3.eth.get_balance(vault.address)
    books = tuple(vault.functions.balanceOf(u).call() for u in users)
    owed = sum(books) + vault.functions.balanceOf(robber.address).call()
    if held < sum(DEPOSITS) or books != DEPOSITS:
        raise CheckFailed(f"the course's VaultAttacker (1 ETH stake, re-entering withdraw from "
                          f"receive) left your vault holding {_eth(held)} of the "
                          f"{_eth(sum(DEPOSITS))} three depositors put in: update the books "
                          "before sending the ether, or lock re-entry.")
    if held != owed:
        raise CheckFailed(f"after the attacker deposited 1 ETH and called withdraw(), your vault "
                          f"holds {_eth(held)} but its books sum to {_eth(owed)}: withdraw() "
                          "must pay the caller exactly their balance.")
    _fixed_vault_honest_run(answer)
    return (f"The reentrancy attacker {outcome}, and random sequences of deposits and withdrawals "
            "from four accounts kept every invariant: ether held == sum of balances, each "
            "withdrawal paid exactly the balance, nobody credited more than they put in.")


check_fixed_vault = Exercise(
    name="fixed_vault",
    goal="In the %%solidity cell, fix FixedVault's withdraw() so that a reentrancy attacker "
    "gets nothing while honest deposits and withdrawals from many accounts still work.",
    hints=(
        "Checks, effects, interactions: check the caller's balance, update your own state, and "
        "only then call out. Or a guard (a bool that is set on entry, cleared on exit) that makes "
        "any nested call revert. Either alone stops the attack.",
        "The same fix on a raffle: `function claimPrize() external { uint256 prize = "
        "prizeOf[msg.sender]; require(prize > 0); prizeOf[msg.sender] = 0; (bool ok, ) = "
        "msg.sender.call{value: prize}(\"\"); require(ok); }` reads the amount, zeroes the "
        "entry, then pays. A guard must also unlock at the end, or the second honest "
        "withdrawal reverts.",
    ),
    test=_test_fixed_vault,
)


# Level 5: delegatecall and storage layout


def _vault_with_guestbook(w3: Web3, name: str) -> tuple[Any, Any]:
    guestbook = deploy(w3, "Guestbook")
    return deploy(w3, name, guestbook.address, sender=w3.eth.accounts[0], value=10 * ETH), guestbook


def _test_become_owner(answer: Callable[[Any, str, str], None]) -> str:
    expect_function(answer, 3)
    w3 = connect()
    owner, attacker = w3.eth.accounts[0], w3.eth.accounts[5]
    vault, guestbook = _vault_with_guestbook(w3, "GuestbookVault")
    before, start = w3.eth.get_balance(attacker), w3.eth.block_number + 1
    reason = _attempt(answer, w3, vault.address, attacker)
    if reason is not None:
        extra = (" Only the owner may withdraw: change who the vault thinks its owner is first."
                 if "not the owner" in reason else "")
        raise CheckFailed(f"a transaction of your attack reverted: {reason}.{extra}")
    _only_from(w3, start, {attacker}, "the attacker")
    now = vault.functions.owner().call()
    if now != attacker:
        signed = guestbook.functions.lastVisitor().call() == attacker
        why = (" You signed the Guestbook contract itself, which changed ITS storage: make the "
               "vault run that code, on the vault's storage." if signed else "")
        raise CheckFailed(f"the vault's owner() is still {now}, not the attacker.{why}")
    left = w3.eth.get_balance(vault.address)
    if left:
        raise CheckFailed(f"you are the vault's owner now, but it still holds {_eth(left)}: "
                          "withdraw it.")
    gain = _net_gain(w3, attacker, before, start)
    if gain != 10 * ETH:
        raise CheckFailed(f"the vault is empty, but the attacker's balance changed by "
                          f"{_eth(gain)} (not counting gas) instead of 10 ETH.")
    safe, _ = _vault_with_guestbook(w3, "SafeGuestbookVault")
    refused = _attempt(answer, w3, safe.address, attacker) or "nothing moved"
    if safe.functions.owner().call() != owner or w3.eth.get_balance(safe.address) != 10 * ETH:
        raise CheckFailed("your attack also took SafeGuestbookVault, which should be impossible: "
                          "please report this to the course maintainers.")
    return (f"GuestbookVault is yours, 10 ETH: the guestbook's code wrote slot 0, the vault's "
            f"owner. SafeGuestbookVault, whose slot 0 is the guestbook's, refused: {refused}.")


check_become_owner = Exercise(
    name="become_owner",
    goal="Write become_owner(w3, vault_address, attacker): from the attacker's account only, "
    "become the GuestbookVault's owner() and withdraw its 10 ETH.",
    hints=(
        "delegatecall runs another contract's code on the CALLER's storage, and storage is "
        "addressed by slot number (0, 1, 2... in declaration order), not by variable name. "
        "Compare slot 0 of Guestbook with slot 0 of GuestbookVault.",
        "The same trick elsewhere: a proxy `Wallet { address admin; ... }` that delegates to "
        "`Settings { uint256 fee; function setFee(uint256 f) external { fee = f; } }`: "
        "calling setFee(uint256(uint160(me))) AT THE WALLET'S ADDRESS (build the call with "
        "w3.eth.contract(address=wallet, abi=Settings's abi)) writes slot 0, the admin. Then "
        "act as admin.",
    ),
    test=_test_become_owner,
)


# Level 6: signature replay


def alice() -> Any:
    """Alice's eth-account key pair (a fixed test key): she signs the cheques of the checks."""
    return Account.from_key(ALICE_KEY)


def sign_plain_cheque(to: str, amount: int) -> dict[str, Any]:
    """Alice's ChequeBank cheque: an Ethereum signed message over keccak256(to, amount)."""
    message = Web3.solidity_keccak(["address", "uint256"], [to, amount])
    signed = Account.sign_message(encode_defunct(primitive=message), ALICE_KEY)
    return {"payer": alice().address, "to": to, "amount": amount,
            "v": signed.v, "r": signed.r.to_bytes(32, "big"), "s": signed.s.to_bytes(32, "big")}


REPLAY_ROUNDS = ((1 * ETH, 5 * ETH), (3 * ETH // 10, 12 * ETH // 10))  # (cheque, Alice's balance)


def _test_replay(answer: Callable[[Any, str, dict[str, Any], str], None]) -> str:
    expect_function(answer, 4)
    w3 = connect()
    bob, attacker = w3.eth.accounts[2], w3.eth.accounts[5]
    payer = alice().address
    for amount, balance in REPLAY_ROUNDS:
        bank = deploy(w3, "ChequeBank")
        send(w3, bank.functions.depositFor(payer), value=balance)
        send(w3, bank.functions.deposit(), sender=bob, value=2 * ETH)
        cheque = sign_plain_cheque(attacker, amount)
        before, start = w3.eth.get_balance(attacker), w3.eth.block_number + 1
        reason = _attempt(answer, w3, bank.address, dict(cheque), attacker)
        if reason is not None:
            extra = (" A changed amount or recipient is a different message: ecrecover then "
                     "gives some other address, with no money. Cash the cheque exactly as "
                     "signed." if "insufficient" in reason else "")
            raise CheckFailed(f"a transaction of your attack reverted: {reason}.{extra}")
        _only_from(w3, start, {attacker}, "the attacker")
        left = bank.functions.balanceOf(payer).call()
        cashed = len(bank.events.Cashed.get_logs(from_block=start))
        if left:
            raise CheckFailed(f"Alice had {_eth(balance)} in the bank and a cheque of "
                              f"{_eth(amount)} to you; she still has {_eth(left)} after you "
                              f"cashed it {cashed} time(s). What stops you cashing it again?")
        gain = _net_gain(w3, attacker, before, start)
        if gain != balance:
            raise CheckFailed(f"Alice's account is empty, but the attacker gained {_eth(gain)} "
                              f"(not counting gas) instead of her {_eth(balance)}.")
    return ("One cheque, cashed again and again: Alice's whole account is yours, twice. Nothing "
            "in the signed message said 'once', 'this chain' or 'this bank'.")


check_replay = Exercise(
    name="replay",
    goal="Write replay(w3, bank_address, cheque, attacker): Alice signed ONE cheque paying the "
    "attacker `cheque['amount']`; from the attacker's account only, take her whole balance "
    "from the ChequeBank.",
    hints=(
        "A signature proves who signed a message, not how many times it may be used. Read what "
        "cash() hashes and what it remembers after paying.",
        "The same flaw on a different contract: a faucet that pays whoever presents "
        "`sign(keccak256(user, 10 tokens))` and never records it pays on every call, so "
        "`while faucet_balance(user) >= 10: claim(user, 10, v, r, s)` empties it. Here: call "
        "cash(to, amount, v, r, s) from the attacker while balanceOf(payer) >= amount.",
    ),
    test=_test_replay,
)


# Level 6, the fix: sign EIP-712 cheques with a nonce, a chain id and the bank's address


def _vrs(signature: Any) -> tuple[int, bytes, bytes]:
    """(v, r, s) from a SignedMessage, 65 signature bytes or their hex."""
    if hasattr(signature, "v") and hasattr(signature, "r") and hasattr(signature, "s"):
        return int(signature.v), int(signature.r).to_bytes(32, "big"), \
            int(signature.s).to_bytes(32, "big")
    if isinstance(signature, str):
        try:
            signature = bytes.fromhex(signature.removeprefix("0x"))
        except ValueError:
            raise CheckFailed(f"the signature {signature[:20]!r}... is not hex.") from None
    if not isinstance(signature, (bytes, bytearray)) or len(signature) != 65:
        raise CheckFailed(f"sign_cheque returned {type(signature).__name__} {signature!r:.60}: "
                          "return what Account.sign_message returns (or its 65 signature "
                          "bytes).")
    return signature[64], bytes(signature[:32]), bytes(signature[32:64])


def _cash(w3: Web3, bank: Any, cheque: tuple[str, int, int], signature: Any) -> str | None:
    to, amount, _nonce = cheque
    v, r, s = _vrs(signature)
    try:
        send(w3, bank.functions.cash(to, amount, alice().address, v, r, s))
    except REVERTS as error:
        return revert_reason(error)
    return None


def _test_sign_cheque(answer: Callable[..., Any]) -> str:
    expect_function(answer, 6)
    w3 = connect()
    bob, carol = w3.eth.accounts[2], w3.eth.accounts[3]
    bank, other_bank = deploy(w3, "SafeChequeBank"), deploy(w3, "SafeChequeBank")
    for b in (bank, other_bank):
        send(w3, b.functions.depositFor(alice().address), value=5 * ETH)
    chain = w3.eth.chain_id
    for nonce, (to, amount) in enumerate([(bob, ETH), (carol, 3 * ETH // 10), (bob, 7)]):
        cheque = (to, amount, nonce)
        signature = answer(ALICE_KEY, bank.address, chain, to, amount, nonce)
        refused = _cash(w3, bank, cheque, signature)
        if refused is not None:
            raise CheckFailed(f"SafeChequeBank refused your cheque #{nonce} ({_eth(amount)} to "
                              f"account {w3.eth.accounts.index(to)}): {refused}. Sign the typed "
                              "data Cheque(to, amount, nonce) under the domain name "
                              "'SafeChequeBank', version '1', chainId, verifyingContract = the "
                              "bank, with Alice's key.")
    first = answer(ALICE_KEY, bank.address, chain, bob, ETH, 0)
    if _cash(w3, bank, (bob, ETH, 0), first) is None:
        raise CheckFailed("SafeChequeBank cashed cheque #0 a second time, which should be "
                          "impossible: please report this to the course maintainers.")
    signature = answer(ALICE_KEY, other_bank.address, 1, bob, ETH, 0)
    if _cash(w3, other_bank, (bob, ETH, 0), signature) is None:
        raise CheckFailed(f"a cheque you signed for chain id 1 was cashed on chain {chain}: put "
                          "the chain_id argument in the domain.")
    signature = answer(ALICE_KEY, other_bank.address, chain, bob, ETH, 3)
    if _cash(w3, bank, (bob, ETH, 3), signature) is None:
        raise CheckFailed("a cheque you signed for one bank was cashed at another: put the "
                          "bank_address argument in the domain (verifyingContract).")
    return ("Three cheques cashed once each, in nonce order. The bank refused a replay, a cheque "
            "for another chain and one for another bank: the signed data names all three.")


check_sign_cheque = Exercise(
    name="sign_cheque",
    goal="Write sign_cheque(private_key, bank_address, chain_id, to, amount, nonce) returning "
    "Alice's EIP-712 signature of Cheque(to, amount, nonce) for SafeChequeBank (domain: name "
    "'SafeChequeBank', version '1', chain_id, the bank's address).",
    hints=(
        "EIP-712 signs structured data: a domain (which app, which version, which chain, which "
        "contract) and a message of named, typed fields. eth-account builds the bytes for you "
        "with encode_typed_data, and Account.sign_message signs them; never hash by hand.",
        "The same call for a different message, a vote in a 'Poll' app: "
        "a full_message with 'types' (the domain's field list, then 'Vote' as proposal "
        "uint256 and support bool), 'primaryType' 'Vote', a 'domain' naming 'Poll', and "
        "'message' {'proposal': 7, 'support': True}; encode_typed_data(full_message=...) turns "
        "it into the bytes to sign, then Account.sign_message(those bytes, key). "
        "The domain's fields must be exactly those SafeChequeBank's DOMAIN_TYPEHASH lists.",
    ),
    test=_test_sign_cheque,
)
