"""Checks for notebook 05 (Transactions by hand): the mini-chain's signing hash and
transaction rules, fuzzed against course.chain's own, and an Ethereum EIP-1559 transaction
encoded with RLP, compared byte for byte with eth-account's.

The UTXO checks of its first Try its live in ``course.exercises.utxo_spends`` and are
re-exported here, so the notebook imports every check from this module.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import rlp
from eth_account import Account as EthAccount
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st

from course.chain.errors import (
    BadSignature,
    ChainError,
    InsufficientFunds,
    NonCanonicalSignature,
    WrongChainId,
    WrongNonce,
)
from course.chain.hashing import keccak256, sha256
from course.chain.keys import SECP256K1_ORDER, to_checksum_address, wallet_from_seed
from course.chain.params import MAX_UINT64
from course.chain.state import Account, LedgerState
from course.chain.transactions import FIELDS, Transaction, sign_transaction
from course.exercises import CheckFailed, Exercise, NotDoneYet, expect_function
from course.exercises.utxo_spends import check_build_spend, check_utxo_spend  # noqa: F401 (Try its 1-2)

FUZZ_EXAMPLES = 150
"""Transactions hypothesis draws per mini-chain check: every mutation many times over."""

WALLETS = tuple(wallet_from_seed("check transactions", index) for index in range(3))
CHAIN_ID = 7

RULES: dict[type[ChainError], str] = {
    NonCanonicalSignature: "signature",
    BadSignature: "signature",
    WrongChainId: "chain_id",
    WrongNonce: "nonce",
    InsufficientFunds: "funds",
}
"""The rule name the learner's validator returns for each of the chain's own errors."""


def _short(value: object, keep: int = 16) -> str:
    text = repr(value)
    return text if len(text) <= keep + 6 else f"{text[:keep]}...{text[-4:]}"


def _run(answer: Callable[..., Any], args: tuple, call: str) -> Any:
    try:
        return answer(*args)
    except (NotDoneYet, NotImplementedError):
        raise
    except Exception as error:
        raise CheckFailed(f"{call} raised {type(error).__name__}: {error}.") from None


def _fuzz(strategy: st.SearchStrategy[Any], test: Callable[[Any], None]) -> None:
    """Run ``test`` on FUZZ_EXAMPLES values hypothesis draws (the same ones every run)."""

    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=(Phase.explicit, Phase.generate),
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        print_blob=False,
    )
    @given(strategy)
    def search(value: Any) -> None:
        test(value)

    search()


# --- Try it 3: signing_hash ---------------------------------------------------------------------


def transactions() -> st.SearchStrategy[Transaction]:
    """Signed, well-formed mini-chain transactions with any amounts, fees, nonces, chain ids."""
    return st.builds(
        sign_transaction,
        st.sampled_from(WALLETS),
        st.sampled_from([w.address for w in WALLETS]),
        amount=st.integers(1, MAX_UINT64),
        fee=st.integers(0, MAX_UINT64),
        nonce=st.integers(0, MAX_UINT64),
        chain_id=st.integers(1, MAX_UINT64),
    )


def _why_hash(got: bytes, tx: Transaction) -> str:
    fields = {name: getattr(tx, name) for name in FIELDS}
    if got == sha256(tx.signing_bytes()):
        return "that is SHA-256: the mini-chain signs with Keccak-256, keccak256(...)."
    if got == keccak256(json.dumps(fields).encode()):
        return "the JSON has spaces or unsorted keys: sort_keys=True, separators=(',', ':')."
    if got == keccak256(json.dumps(fields, sort_keys=True).encode()):
        return "the JSON has spaces: separators=(',', ':') writes it without any."
    if got == keccak256(json.dumps(tx.to_dict(), sort_keys=True, separators=(",", ":")).encode()):
        return "the signature is not signed: hash the six fields only, without it."
    return (
        "hash the six fields (sender ... chain_id) as sorted JSON without spaces, with keccak256."
    )


def _test_signing_hash(answer: Callable[[Transaction], bytes]) -> str:
    expect_function(answer, 1)

    def one(tx: Transaction) -> None:
        call = f"signing_hash(tx with amount={tx.amount}, nonce={tx.nonce})"
        got = _run(answer, (tx,), call)
        if isinstance(got, str):
            raise CheckFailed(f"{call} returned text {_short(got)}: return the 32 bytes.")
        if not isinstance(got, bytes) or len(got) != 32:
            raise CheckFailed(f"{call} returned {_short(got)}: expected 32 bytes.")
        if got != tx.signing_hash():
            raise CheckFailed(f"{call} differs from the chain's: {_why_hash(got, tx)}")

    _fuzz(transactions(), one)
    return (
        f"Equal to the chain's signing hash on {FUZZ_EXAMPLES} random transactions. Every byte "
        "the sender signs is in it, and nothing the signature adds."
    )


check_signing_hash = Exercise(
    name="signing_hash",
    goal="Write signing_hash(tx) that returns the 32 bytes a mini-chain sender signs: keccak256 "
    "of the six fields (no signature) as JSON with sorted keys and no spaces.",
    hints=(
        "A hash is only reproducible if the bytes are: the same fields, the same order, the "
        "same spacing. json.dumps has arguments for the order of keys and for the separators; "
        "the signature itself cannot be part of what it signs.",
        "The same recipe for another record: a = {'to': 'x', 'n': 1}; "
        "json.dumps(a, sort_keys=True, separators=(',', ':')) gives '{\"n\":1,\"to\":\"x\"}'; "
        "encode that text to bytes and hash it. tx.signing_bytes() shows you the expected bytes.",
    ),
    test=_test_signing_hash,
)


# --- Try it 4: validate_transaction -------------------------------------------------------------

MUTATIONS = (
    "valid",
    "wrong chain id",
    "nonce already used (a replay)",
    "nonce with a gap",
    "amount + fee above the balance",
    "amount changed after signing",
    "amount raised past the balance after signing",
    "signed by another wallet",
    "the high-s twin of the signature",
    "v written as 27/28",
)


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, Transaction, LedgerState]:
    """(mutation, transaction, state): a valid transaction, then one rule broken, or none."""
    balances = [draw(st.integers(0, 10**6)) for _ in WALLETS]
    nonces = [draw(st.integers(0, 5)) for _ in WALLETS]
    state = LedgerState(
        {w.address: Account(b, n) for w, b, n in zip(WALLETS, balances, nonces, strict=True)}
    )
    index = draw(st.integers(0, len(WALLETS) - 1))
    sender, balance, nonce = WALLETS[index], balances[index], nonces[index]
    recipient = draw(st.sampled_from(WALLETS)).address
    mutation = draw(st.sampled_from(MUTATIONS))
    amount = draw(st.integers(1, max(1, balance)))
    fee = draw(st.integers(0, max(0, balance - amount)))
    if mutation != "amount + fee above the balance" and amount + fee > balance:
        balance = amount + fee  # an empty wallet gets just enough for a valid payment
        state = LedgerState(
            {
                **{w.address: state.account(w.address) for w in WALLETS},
                sender.address: Account(balance, nonce),
            }
        )
    chain_id = CHAIN_ID
    if mutation == "wrong chain id":
        chain_id = draw(st.sampled_from([1, CHAIN_ID + 1, 31337]))
    if mutation == "nonce already used (a replay)":
        state = LedgerState(
            {
                **{w.address: state.account(w.address) for w in WALLETS},
                sender.address: Account(balance, nonce + 1),
            }
        )
    if mutation == "nonce with a gap":
        nonce += draw(st.integers(1, 3))
    if mutation == "amount + fee above the balance":
        fee = balance - amount + draw(st.integers(1, 1000))
    tx = sign_transaction(sender, recipient, amount, fee, nonce, chain_id)
    if mutation == "amount changed after signing":
        tx = replace(tx, amount=amount + 1)
    if mutation == "amount raised past the balance after signing":
        tx = replace(tx, amount=balance + 1)  # breaks two rules: the signature comes first
    if mutation == "signed by another wallet":
        other = WALLETS[(index + 1) % len(WALLETS)]
        tx = replace(tx, signature=other.sign(tx.signing_hash()))
    if mutation == "the high-s twin of the signature":
        s = int.from_bytes(tx.signature[32:64], "big")
        twin = (SECP256K1_ORDER - s).to_bytes(32, "big")
        tx = replace(tx, signature=tx.signature[:32] + twin + bytes([1 - tx.signature[64]]))
    if mutation == "v written as 27/28":
        tx = replace(tx, signature=tx.signature[:64] + bytes([tx.signature[64] + 27]))
    return mutation, tx, state


def expected_rule(tx: Transaction, state: LedgerState) -> str | None:
    """What the chain's own validate_transaction says: None, or the name of the broken rule."""
    try:
        state.validate_transaction(tx, CHAIN_ID, "tx")
    except ChainError as error:
        return RULES[type(error)]
    return None


def _test_validate_transaction(answer: Callable[[Transaction, LedgerState, int], Any]) -> str:
    expect_function(answer, 3)
    seen: set[str] = set()

    def one(case: tuple[str, Transaction, LedgerState]) -> None:
        mutation, tx, state = case
        expected = expected_rule(tx, state)
        call = f"validate_transaction(tx, state, {CHAIN_ID}) on a transaction with {mutation}"
        if mutation == "valid":
            call = f"validate_transaction(tx, state, {CHAIN_ID}) on a valid transaction"
        got = _run(answer, (tx, state, CHAIN_ID), call)
        if got != expected:
            if got is not None and got not in set(RULES.values()):
                raise CheckFailed(
                    f"{call} returned {got!r}: return None or one of "
                    "'signature', 'chain_id', 'nonce', 'funds'."
                )
            verdict = "accepted it" if got is None else f"named {got!r}"
            wanted = "accepts it" if expected is None else f"names {expected!r}"
            raise CheckFailed(
                f"{call}: you {verdict}, the chain {wanted}. Check the rules in "
                "the chain's order: signature, chain id, nonce, funds."
            )
        seen.add(mutation)

    _fuzz(cases(), one)
    return (
        f"Same verdict as the chain on {FUZZ_EXAMPLES} random transactions ({len(seen)} kinds: "
        "valid, replayed, tampered, twin signatures...). Every node runs these rules on every "
        "transaction it hears of."
    )


check_validate_transaction = Exercise(
    name="validate_transaction",
    goal="Write validate_transaction(tx, state, chain_id) that returns None for a transaction "
    "the chain accepts, else the first broken rule: 'signature', 'chain_id', 'nonce' or "
    "'funds', in that order.",
    hints=(
        "The list above Try it 4 gives the four rules and their order. 'signature' covers "
        "both the canonical form (low s, v of 0 or 1) and recovery to the sender, using your "
        "signing_hash; the nonce must equal state.nonce(sender) exactly; the sender pays "
        "amount + fee out of state.balance(sender).",
        "The same shape for a library card: def check_loan(card, library, branch): if not "
        "card.signed_by_owner(): return 'signature'; if card.branch != branch: return "
        "'branch'; if card.number != library.next_number(card.owner): return 'number'; "
        "if library.fines(card.owner) > 0: return 'fines'; return None. Cheap checks that "
        "need no state come first.",
    ),
    test=_test_validate_transaction,
)


# --- Try it 5: raw_transaction (EIP-1559) --------------------------------------------------------

TYPE_2_FIELDS = (
    "chain_id",
    "nonce",
    "max_priority_fee_per_gas",
    "max_fee_per_gas",
    "gas_limit",
    "destination",
    "amount",
    "data",
    "access_list",
    "y_parity",
    "r",
    "s",
)
"""A type-2 transaction's RLP list, in EIP-1559's order (the last three are the signature)."""


def random_type_2(rng: random.Random) -> dict[str, Any]:
    """Fields of an EIP-1559 transaction in web3.py's spelling, with random values."""
    access_list = [
        {
            "address": to_checksum_address("0x" + rng.randbytes(20).hex()),
            "storageKeys": ["0x" + rng.randbytes(32).hex() for _ in range(rng.randrange(3))],
        }
        for _ in range(rng.choice([0, 0, 1, 2]))
    ]
    priority = rng.choice([0, 1, 10**9, rng.randrange(10**12)])
    return {
        "type": 2,
        "chainId": rng.choice([1, 11155111, 31337, 131277322940537, rng.randrange(1, 2**32)]),
        "nonce": rng.choice([0, 1, 127, 128, rng.randrange(2**20)]),
        "maxPriorityFeePerGas": priority,
        "maxFeePerGas": priority + rng.randrange(10**12),
        "gas": rng.choice([21_000, rng.randrange(21_000, 10**7)]),
        "to": to_checksum_address("0x" + rng.randbytes(20).hex()),
        "value": rng.choice([0, 1, 10**18, rng.randrange(10**24)]),
        "data": rng.randbytes(rng.choice([0, 0, 1, 4, 36, 100])),
        "accessList": access_list,
    }


def _decode(raw: bytes) -> list[Any] | None:
    try:
        items = rlp.decode(raw[1:])
    except Exception:
        return None
    return items if isinstance(items, list) else None


def _why_raw(got: bytes, expected: bytes) -> str:
    if got[:1] != b"\x02":
        return (
            f"it starts with byte {got[:1].hex() or 'nothing'}: a type-2 transaction is the "
            "byte 0x02 followed by the RLP list (EIP-2718)."
        )
    mine, theirs = _decode(got), _decode(expected)
    assert theirs is not None
    if mine is None:
        return "after the 0x02 byte comes one RLP list: rlp.encode([...12 fields...])."
    if len(mine) != len(theirs):
        if len(mine) == len(theirs) - 1:
            return (
                f"your list has {len(mine)} items, expected 12: is the access list missing? It "
                "is item 9, an RLP list even when it is empty ([])."
            )
        return f"your list has {len(mine)} items, expected 12: the nine fields, then v, r, s."
    names = TYPE_2_FIELDS
    if mine[2] == theirs[3] and mine[3] == theirs[2] and mine[2] != mine[3]:
        return (
            "items 3 and 4 are swapped: EIP-1559 puts max_priority_fee_per_gas before "
            "max_fee_per_gas."
        )
    for index, (a, b) in enumerate(zip(mine[:9], theirs[:9], strict=True)):
        if a != b:
            hint = ""
            if index == 0:
                hint = " Take the chain id from the transaction, never a constant."
            elif isinstance(a, bytes) and int.from_bytes(a or b"\x00", "big") == int.from_bytes(
                b or b"\x00", "big"
            ):
                hint = " Same number, other bytes: give RLP the int itself (0 is b'')."
            elif index == 5:
                hint = " The destination is the 20 address bytes, not the hex text."
            return f"item {index + 1}, {names[index]}, is {_short(a)}, expected {_short(b)}.{hint}"
    if mine[9] in (b"\x1b", b"\x1c", b"\x25", b"\x26") or mine[9] not in (b"", b"\x01"):
        return "y_parity (item 10) is 0 or 1, the recovery id itself: not 27/28, not EIP-155's v."
    return (
        "the nine fields are right but the signature is not: sign keccak256(0x02 + "
        "rlp.encode(the nine fields)), the type byte included, with eth-keys' sign_msg_hash."
    )


def _test_raw_transaction(answer: Callable[[dict[str, Any], bytes], bytes]) -> str:
    expect_function(answer, 2)
    rng = random.Random("check raw transaction")
    count = 40
    for index in range(count):
        fields = random_type_2(rng)
        wallet = wallet_from_seed("check raw transaction", index % 5)
        key = wallet.private_key.to_bytes()
        expected = bytes(EthAccount.sign_transaction(fields, key).raw_transaction)
        call = (
            f"raw_transaction(tx #{index}: chainId {fields['chainId']}, nonce {fields['nonce']}, "
            f"{len(fields['data'])} data bytes, {len(fields['accessList'])} access-list entries)"
        )
        got = _run(answer, (dict(fields), key), call)
        if isinstance(got, str):
            raise CheckFailed(f"{call} returned text: return the bytes themselves.")
        if not isinstance(got, bytes):
            raise CheckFailed(f"{call} returned {type(got).__name__}: expected bytes.")
        if bytes(got) != expected:
            raise CheckFailed(
                f"{call} differs from eth-account's: {_why_raw(bytes(got), expected)}"
            )
    return (
        f"Byte for byte eth-account's signed transaction on {count} random EIP-1559 "
        "transactions (access lists, data, chain ids). A node needs nothing else to run it."
    )


check_raw_transaction = Exercise(
    name="raw_transaction",
    goal="Write raw_transaction(tx, private_key) that returns the signed EIP-1559 transaction "
    "as bytes: 0x02 + rlp([chain_id, nonce, max_priority_fee_per_gas, max_fee_per_gas, gas, "
    "to, value, data, access_list, y_parity, r, s]).",
    hints=(
        "Two RLP lists share their first nine items: the unsigned one, whose keccak256 (after "
        "the type byte 0x02) is what the key signs, and the signed one, which appends the "
        "signature's v (0 or 1), r and s. Numbers go in as ints, addresses and storage keys "
        "as bytes, the access list as a list of [address, [keys]] pairs.",
        "The same envelope for a made-up type 7 with three fields (a, b, c): body = [a, b, c]; "
        "digest = keccak(b'\\x07' + rlp.encode(body)); signature = "
        "keys.PrivateKey(key).sign_msg_hash(digest); raw = b'\\x07' + rlp.encode(body + "
        "[signature.v, signature.r, signature.s]).",
    ),
    test=_test_raw_transaction,
)
