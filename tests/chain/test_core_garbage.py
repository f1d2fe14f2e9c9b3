"""The chain's own API (chain, blocks, transactions, state, params, mining, storage) answers
garbage with a value or a named ChainError that is a ValueError: never a raw TypeError,
KeyError or ZeroDivisionError, and a refused call changes nothing."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from course.chain.blocks import Block, BlockHeader, transactions_root
from course.chain.chain import Blockchain, check_allocations, genesis_commitment
from course.chain.clock import ManualClock
from course.chain.errors import ChainError, InvalidChainInput, InvalidChainParams
from course.chain.keys import wallet_from_seed
from course.chain.mining import mine, mine_fast
from course.chain.params import ChainParams, block_subsidy, next_target, work
from course.chain.state import LedgerState
from course.chain.storage import CorruptChainFile, load_chain, save_chain
from course.chain.transactions import Transaction, check_form, sign_transaction
from tests.garbage import ValidCall, assert_calls_are_valid, fuzz_valid_calls

EASY = ChainParams(initial_target=2**250, max_target=2**252, retarget_interval=3)
ALICE, BOB = wallet_from_seed("garbage alice"), wallet_from_seed("garbage bob")
ALLOCATIONS = {ALICE.address: 1_000}
HEADER = BlockHeader(1, "00" * 32, "11" * 32, 1_700_000_000, 2**250, ALICE.address, 7)
FOLDER = Path(__file__).parent  # only read from: save_chain calls go to a temporary folder


def a_chain() -> Blockchain:
    chain = Blockchain(EASY, ALLOCATIONS, ManualClock(1_700_000_000))
    chain.clock.advance(10)
    chain.mine_block(BOB.address, progress=False)
    return chain


def a_payment(**changes) -> Transaction:
    fields = {"recipient": BOB.address, "amount": 5, "fee": 1, "nonce": 0,
              "chain_id": 1337, **changes}
    return sign_transaction(ALICE, **fields)


def on_a_chain(method: str):
    def call(**kwargs):
        return getattr(a_chain(), method)(**kwargs)
    call.__qualname__ = f"Blockchain.{method}"
    return call


def add_to_a_fresh_chain(**kwargs):
    return Blockchain(EASY, ALLOCATIONS, ManualClock(1_700_000_010)).add_block(**kwargs)


def submit(**kwargs):
    return a_chain().submit_transaction(a_payment(**kwargs))


def add_a_block_with_header(**changes):
    chain = a_chain()
    template = chain.build_block(ALICE.address)
    header = BlockHeader(**{**vars(template.header), **changes})
    with contextlib.suppress(TypeError, ValueError, OverflowError):  # unhashable: sent unmined
        header = mine_fast(header, progress=False)  # so proof of work is not what refuses it
    return chain.add_block(Block(header, template.transactions))


def transaction_from_dict(**changes):
    return Transaction.from_dict({**a_payment().to_dict(), **changes})


def block_from_dict(**changes):
    block = a_chain().main_chain()[1].to_dict()
    return Block.from_dict({**block, "header": {**block["header"], **changes}})


def apply_to_genesis(**kwargs):
    return LedgerState.genesis(ALLOCATIONS).apply(**kwargs)


def save_then_load(tmp: Path, **kwargs):
    path = tmp / "chain.jsonl"
    save_chain(a_chain(), path)
    return load_chain(path, **kwargs)


CHAIN = a_chain()
TIP = CHAIN.tip

CALLS = [
    ValidCall(Blockchain, {"params": EASY, "allocations": ALLOCATIONS, "clock": None,
                           "genesis_time": 1_700_000_000}),
    ValidCall(ChainParams, {"chain_id": 7, "block_interval": 10, "retarget_interval": 10,
                            "retarget_clamp": 4, "initial_target": 2**240,
                            "max_target": 2**250, "initial_reward": 50, "halving_interval": 9,
                            "max_block_size": 10_000, "max_future_drift": 60,
                            "median_time_blocks": 11}),
    ValidCall(check_allocations, {"allocations": ALLOCATIONS}),
    ValidCall(genesis_commitment, {"params": EASY, "allocations": ALLOCATIONS}),
    ValidCall(block_subsidy, {"height": 3, "params": EASY}),
    ValidCall(next_target, {"previous_target": 2**240, "actual_seconds": 77, "params": EASY}),
    ValidCall(work, {"target": 2**240}),
    ValidCall(on_a_chain("balance"), {"address": ALICE.address}),
    ValidCall(on_a_chain("nonce"), {"address": ALICE.address}),
    ValidCall(on_a_chain("main_chain"), {"tip": TIP}),
    ValidCall(on_a_chain("block"), {"block_hash": TIP}),
    ValidCall(on_a_chain("ancestor"), {"block_hash": TIP, "height": 0}),
    ValidCall(on_a_chain("expected_target"), {"parent_hash": TIP}),
    ValidCall(on_a_chain("median_time_past"), {"parent_hash": TIP}),
    ValidCall(on_a_chain("build_block"), {"miner": ALICE.address, "parent_hash": TIP}),
    ValidCall(on_a_chain("mine_block"), {"miner": ALICE.address, "parent_hash": TIP,
                                         "progress": False}),
    ValidCall(add_to_a_fresh_chain, {"block": CHAIN.main_chain()[1]}),
    ValidCall(submit, {"recipient": BOB.address, "amount": 5, "fee": 1, "nonce": 0,
                       "chain_id": 1337}),
    ValidCall(add_a_block_with_header, {"timestamp": 1_700_000_020,
                                        "miner": ALICE.address, "reward": 50_000}),
    ValidCall(transaction_from_dict, {"amount": 5, "fee": 1, "sender": ALICE.address,
                                      "signature": a_payment().signature.hex()}),
    ValidCall(block_from_dict, {"height": 1, "nonce": CHAIN.main_chain()[1].header.nonce}),
    ValidCall(check_form, {"tx": a_payment(), "signed": True}),
    ValidCall(apply_to_genesis, {"transactions": [a_payment()], "chain_id": 1337,
                                 "miner": BOB.address, "reward": 3}),
    ValidCall(mine, {"header": HEADER}),
    ValidCall(mine_fast, {"header": HEADER, "progress": False}),
    ValidCall(transactions_root, {"transactions": (a_payment(),)}),
]
LOAD_MISSING = ValidCall(load_chain, {"path": FOLDER / "no such chain.jsonl", "clock": None})


def test_the_listed_calls_are_valid():
    assert_calls_are_valid(CALLS)
    with pytest.raises(CorruptChainFile):  # the one listed call that must refuse: no such file
        load_chain(**LOAD_MISSING.kwargs)


test_every_public_chain_core_function_answers_or_refuses_garbage = fuzz_valid_calls(
    [*CALLS, LOAD_MISSING], examples=1_500)


def test_save_then_load_round_trips(tmp_path):
    assert save_then_load(tmp_path).tip == a_chain().tip


@pytest.mark.parametrize("field, value", [("retarget_interval", 0), ("block_interval", -10),
                                          ("initial_target", 2**253), ("chain_id", True),
                                          ("halving_interval", 2.5)])
def test_chain_params_name_the_field_that_breaks_its_rule(field, value):
    """retarget_interval=0 used to raise ZeroDivisionError at the first retarget."""
    with pytest.raises(InvalidChainParams, match=field):
        ChainParams(**{**vars(EASY), field: value})


@pytest.mark.parametrize("allocations", [{"alice": 5}, {ALICE.address.lower(): 5},
                                         {ALICE.address: -1}, {ALICE.address: 1.5}, [1, 2]])
def test_bad_allocations_are_refused_before_a_chain_exists(allocations):
    with pytest.raises(ChainError, match="allocations"):
        Blockchain(EASY, allocations)


def test_an_unknown_block_hash_is_a_clear_error_not_a_key_error():
    with pytest.raises(InvalidChainInput, match="the hash of a known block"):
        CHAIN.expected_target("ab" * 32)
    with pytest.raises(InvalidChainInput, match="miner"):
        CHAIN.build_block("not an address")


def test_a_refused_submission_changes_nothing():
    chain = a_chain()
    before = (chain.tip, dict(chain.mempool), chain.state.balances())
    for bad in ({"amount": -5}, {"fee": 1.0}, {"chain_id": 0}):
        with pytest.raises(ChainError):
            chain.submit_transaction(Transaction(**{**vars(a_payment()), **bad}))
    assert (chain.tip, dict(chain.mempool), chain.state.balances()) == before
