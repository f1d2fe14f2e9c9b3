"""Play the attacker: a miner who signs and mines whatever it likes.

The fuzzer takes a valid block, mutates one field of one transaction or of the header to a
value hypothesis draws (legal values included), re-signs the transaction with its sender's
key and mines the block again, so proof of work and signatures are never what stops it. An
independent reference model of the rules (written here, from the course's text, not from
the package) says whether the mutated block is valid. The chain must agree with it exactly:
nothing invalid accepted, nothing valid refused, each rejection a named rule, no trace left.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import replace
from typing import Any

import pytest
from eth_utils import is_checksum_address
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from course.chain.blocks import Block, BlockHeader, transactions_root
from course.chain.chain import Blockchain
from course.chain.clock import ManualClock
from course.chain.errors import BrokenRule, NonCanonicalSignature
from course.chain.keys import SECP256K1_ORDER, wallet_from_seed
from course.chain.mining import mine_fast
from course.chain.params import ChainParams, block_subsidy
from course.chain.transactions import Transaction, sign_transaction

FAST = ChainParams(initial_target=2**251, max_target=2**252)  # 32 hashes: re-mining is cheap
WALLETS = {name: wallet_from_seed(f"adversary {name}") for name in ("alice", "bob", "miner")}
BY_ADDRESS = {w.address: w for w in WALLETS.values()}
ALLOCATIONS = {WALLETS["alice"].address: 1_000, WALLETS["bob"].address: 700}
NOW = 1_700_000_100
MAX_UINT64 = 2**64 - 1


def fresh_chain() -> tuple[Blockchain, Block]:
    chain = Blockchain(FAST, ALLOCATIONS, ManualClock(NOW - 100))
    alice, bob = WALLETS["alice"], WALLETS["bob"]
    for tx in (sign_transaction(alice, bob.address, 400, 3, 0, 1337),
               sign_transaction(bob, alice.address, 650, 5, 0, 1337),
               sign_transaction(alice, bob.address, 100, 2, 1, 1337)):
        chain.submit_transaction(tx)
    chain.clock.advance(100)
    template = chain.build_block(WALLETS["miner"].address)
    return chain, Block(mine_fast(template.header, progress=False), template.transactions)


CHAIN, VALID = fresh_chain()
BEFORE = (CHAIN.tip, len(CHAIN.blocks), CHAIN.state.balances(), dict(CHAIN.mempool))


# --- the reference model: the rules as the course states them ---------------------------------


def is_uint64(value: Any, minimum: int) -> bool:
    return type(value) is int and minimum <= value <= MAX_UINT64


def reference_valid(block: Block) -> bool:
    """The consensus rules, re-stated independently (parent, height, target and nonce are
    not mutated here, and the timestamp rule is: median of the last blocks < t <= now + 2 h)."""
    header = block.header
    if header != replace(VALID.header, timestamp=header.timestamp, miner=header.miner,
                         reward=header.reward, merkle_root=header.merkle_root,
                         nonce=header.nonce):
        return False
    if not (is_uint64(header.timestamp, 0) and CHAIN.median_time_past(CHAIN.tip)
            < header.timestamp <= NOW + FAST.max_future_drift):
        return False
    if not (isinstance(header.miner, str) and is_checksum_address(header.miner)):
        return False
    balances, nonces, fees = dict(ALLOCATIONS), {}, 0
    for tx in block.transactions:
        if not all(isinstance(a, str) and is_checksum_address(a) for a in (tx.sender,
                                                                          tx.recipient)):
            return False
        if not (is_uint64(tx.amount, 1) and is_uint64(tx.fee, 0) and is_uint64(tx.nonce, 0)
                and tx.chain_id == 1337 and type(tx.chain_id) is int):
            return False
        wallet = BY_ADDRESS.get(tx.sender)
        if wallet is None or tx.signature != wallet.sign(tx.signing_hash()):
            return False  # only the sender's own (deterministic, low-s) signature is valid
        if tx.nonce != nonces.get(tx.sender, 0) or balances.get(tx.sender, 0) < tx.amount + tx.fee:
            return False
        balances[tx.sender] -= tx.amount + tx.fee
        balances[tx.recipient] = balances.get(tx.recipient, 0) + tx.amount
        nonces[tx.sender] = tx.nonce + 1
        fees += tx.fee
    if len({tx.txid for tx in block.transactions}) != len(block.transactions):
        return False
    return (type(header.reward) is int and header.reward == block_subsidy(1, FAST) + fees
            and header.merkle_root == transactions_root(block.transactions))


# --- the attacker ---------------------------------------------------------------------------

addresses = st.one_of(
    st.sampled_from([w.address for w in WALLETS.values()]),
    st.sampled_from([w.address.lower() for w in WALLETS.values()]),  # no checksum
    st.sampled_from(["0x" + "00" * 20, "0x123", "", "alice"]),
    st.none(),
)
numbers = st.one_of(
    st.integers(-5, 1_000), st.integers(-(2**70), 2**70), st.sampled_from([0, 1, MAX_UINT64,
                                                                          MAX_UINT64 + 1]),
    st.floats(allow_nan=False, allow_infinity=False, width=32), st.booleans(),
    st.sampled_from(["10", None, 1337.0, 1e30]),
)
TX_FIELDS = {"sender": addresses, "recipient": addresses, "amount": numbers, "fee": numbers,
             "nonce": numbers, "chain_id": st.one_of(numbers, st.just(1337), st.just(1))}
HEADER_FIELDS = {"timestamp": st.one_of(numbers, st.integers(NOW - 400, NOW + 8_000)),
                 "miner": addresses, "reward": st.one_of(numbers, st.integers(49_990, 50_020))}


def signed(tx: Transaction) -> Transaction:
    """Re-sign as the attacker would: with the sender's key if it is a known one."""
    wallet = BY_ADDRESS.get(tx.sender, WALLETS["miner"])
    try:
        return replace(tx, signature=wallet.sign(tx.signing_hash()))
    except (TypeError, ValueError):  # a field that cannot even be serialized
        return tx


def assemble(transactions: tuple[Transaction, ...], **header_changes: Any) -> Block:
    """The attacker's block: correct root and reward for these transactions, then mined."""
    try:
        root = transactions_root(transactions)
        reward = block_subsidy(1, FAST) + sum(tx.fee for tx in transactions)
    except (TypeError, ValueError):
        root, reward = VALID.header.merkle_root, VALID.header.reward
    header = replace(VALID.header, merkle_root=root, reward=reward, nonce=0)
    header = replace(header, **header_changes)
    with contextlib.suppress(TypeError, ValueError, OverflowError, BrokenRule):
        header = mine_fast(header, progress=False)  # garbage that cannot be hashed is sent unmined
    return Block(header, transactions)


def assert_chain_agrees_with_reference(block: Block) -> None:
    chain_state = (CHAIN.tip, len(CHAIN.blocks), CHAIN.state.balances(), dict(CHAIN.mempool))
    assert chain_state == BEFORE
    try:
        state = CHAIN.validate_block(block)
    except BrokenRule:
        accepted = False
    else:
        accepted = True
        assert state.total_supply() == sum(ALLOCATIONS.values()) + block_subsidy(1, FAST)
    assert accepted == reference_valid(block), (
        f"chain {'accepted' if accepted else 'refused'} a block the rules "
        f"{'refuse' if accepted else 'accept'}: {json.dumps(block.to_dict(), default=str)[:400]}")
    after = (CHAIN.tip, len(CHAIN.blocks), CHAIN.state.balances(), dict(CHAIN.mempool))
    assert after == BEFORE


def fuzz(examples: int) -> settings:
    """Seeded (the same cases on every run), no deadline, no example database."""
    return settings(max_examples=examples, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@fuzz(5_000)
@given(data=st.data())
def test_a_mutated_and_resigned_transaction_is_judged_as_the_rules_say(data):
    index = data.draw(st.integers(0, len(VALID.transactions) - 1))
    field = data.draw(st.sampled_from(sorted(TX_FIELDS)))
    value = data.draw(TX_FIELDS[field])
    txs = list(VALID.transactions)
    txs[index] = signed(replace(txs[index], **{field: value}))
    assert_chain_agrees_with_reference(assemble(tuple(txs)))


@fuzz(3_000)
@given(data=st.data())
def test_a_mutated_header_is_judged_as_the_rules_say(data):
    field = data.draw(st.sampled_from(sorted(HEADER_FIELDS)))
    value = data.draw(HEADER_FIELDS[field])
    assert_chain_agrees_with_reference(assemble(VALID.transactions, **{field: value}))


def twin(signature: bytes, kind: str, number: int) -> bytes:
    r, s, v = signature[:32], int.from_bytes(signature[32:64], "big"), signature[64]
    if kind == "high s":  # (r, n - s) verifies too, with the other v
        return r + (SECP256K1_ORDER - s).to_bytes(32, "big") + bytes([v ^ 1])
    if kind == "v + 27":
        return r + s.to_bytes(32, "big") + bytes([v + 27])
    if kind == "flip v":
        return r + s.to_bytes(32, "big") + bytes([v ^ 1])
    if kind == "flip a bit":
        flipped = bytearray(signature)
        flipped[number % 64] ^= 1 << (number % 8)
        return bytes(flipped)
    return r + s.to_bytes(32, "big") + bytes([number % 256])  # any other v


@fuzz(2_000)
@given(index=st.integers(0, 2), kind=st.sampled_from(["high s", "v + 27", "flip v",
                                                       "flip a bit", "other v"]),
       number=st.integers(0, 10_000))
def test_a_re_encoded_signature_never_makes_a_second_valid_transaction(index, kind, number):
    txs = list(VALID.transactions)
    txs[index] = replace(txs[index], signature=twin(txs[index].signature, kind, number))
    assume(txs[index].signature != VALID.transactions[index].signature)
    assert txs[index].txid != VALID.transactions[index].txid
    assert_chain_agrees_with_reference(assemble(tuple(txs)))


def test_the_high_s_twin_is_refused_by_name_even_though_it_recovers_the_sender():
    from course.chain.keys import recover_address

    tx = VALID.transactions[0]
    malleated = replace(tx, signature=twin(tx.signature, "high s", 0))
    assert recover_address(tx.signing_hash(), malleated.signature) == tx.sender  # ECDSA's twin
    with pytest.raises(NonCanonicalSignature, match="low s"):
        CHAIN.submit_transaction(malleated)
    with pytest.raises(NonCanonicalSignature, match="not 27/28"):
        CHAIN.submit_transaction(replace(tx, signature=twin(tx.signature, "v + 27", 0)))


def test_the_unmutated_block_is_valid_and_the_reference_agrees():
    chain, block = fresh_chain()
    assert reference_valid(block)
    assert chain.add_block(block).became_tip


@pytest.mark.parametrize("field, value", [("amount", 10), ("fee", 0), ("recipient", None)])
def test_a_legal_mutation_re_signed_by_its_sender_is_accepted(field, value):
    """The fuzzer's mutations are not refused wholesale: legal ones pass, as the rules say."""
    value = WALLETS["miner"].address if value is None else value
    txs = list(VALID.transactions)
    txs[0] = signed(replace(txs[0], **{field: value}))
    block = assemble(tuple(txs))
    assert reference_valid(block)
    assert CHAIN.validate_block(block).balances() != CHAIN.validate_block(VALID).balances()


def test_a_negative_amount_cannot_steal_even_when_signed_and_mined():
    """The attack the review found: bob signs 'pay alice -900', i.e. take 900 from her."""
    bob, alice = WALLETS["bob"], WALLETS["alice"]
    theft = signed(Transaction(bob.address, alice.address, -900, 0, 0, 1337))
    block = assemble((theft,))
    assert not reference_valid(block)
    with pytest.raises(BrokenRule, match="amount"):
        CHAIN.add_block(block)


def test_a_block_header_of_garbage_types_is_a_named_error():
    for field, value in [("height", 1.0), ("timestamp", "now"), ("reward", True),
                         ("difficulty_target", None), ("miner", 5)]:
        block = Block(replace(VALID.header, **{field: value}), VALID.transactions)
        with pytest.raises(BrokenRule, match=field):
            CHAIN.add_block(block)


def test_a_header_that_is_not_a_header_is_a_named_error():
    with pytest.raises(BrokenRule, match="header"):
        CHAIN.add_block(Block("header", ()))  # type: ignore[arg-type]
    assert isinstance(VALID.header, BlockHeader)
