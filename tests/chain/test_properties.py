"""Hypothesis: random mutations of a valid block are never accepted, and leave no trace."""

import contextlib
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from course.chain.blocks import Block
from course.chain.chain import Blockchain
from course.chain.clock import ManualClock
from course.chain.errors import ChainError
from course.chain.keys import wallet_from_seed
from course.chain.mining import mine_fast
from course.chain.params import ChainParams
from course.chain.transactions import sign_transaction

HARD = ChainParams(initial_target=2**242, max_target=2**252)  # a mutated nonce rarely passes
ALICE, BOB, MINER = (wallet_from_seed(f"property {n}") for n in ("alice", "bob", "miner"))


def fresh_chain_and_block():
    chain = Blockchain(HARD, {ALICE.address: 1_000}, ManualClock(1_700_000_000))
    for n in range(3):
        chain.submit_transaction(sign_transaction(ALICE, BOB.address, 10 + n, 1, n, 1337))
    chain.clock.advance(10)
    block = chain.build_block(MINER.address)
    return chain, Block(mine_fast(block.header, progress=False), block.transactions)


CHAIN, VALID = fresh_chain_and_block()
HEADER_INTS = ["height", "timestamp", "difficulty_target", "reward", "nonce"]
TX_INTS = ["amount", "fee", "nonce", "chain_id"]


def state_of(chain):
    return chain.tip, len(chain.blocks), chain.state.balances(), len(chain.mempool)


@settings(max_examples=60, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(HEADER_INTS), delta=st.integers(1, 2**32))
def test_a_mutated_header_is_never_accepted(field, delta):
    before = state_of(CHAIN)
    value = getattr(VALID.header, field)
    mutated = Block(replace(VALID.header, **{field: max(0, value - delta) if value >= delta
                                             else value + delta}), VALID.transactions)
    with pytest.raises(ChainError):
        CHAIN.add_block(mutated)
    assert state_of(CHAIN) == before


@settings(max_examples=60, derandomize=True, deadline=None)
@given(index=st.integers(0, 2), field=st.sampled_from(TX_INTS), delta=st.integers(1, 1000))
def test_a_mutated_transaction_is_never_accepted(index, field, delta):
    before = state_of(CHAIN)
    txs = list(VALID.transactions)
    txs[index] = replace(txs[index], **{field: getattr(txs[index], field) + delta})
    with pytest.raises(ChainError):
        CHAIN.add_block(Block(VALID.header, tuple(txs)))
    assert state_of(CHAIN) == before


@settings(max_examples=30, derandomize=True, deadline=None)
@given(order=st.permutations([0, 1, 2]))
def test_reordering_transactions_breaks_the_merkle_root_unless_unchanged(order):
    txs = tuple(VALID.transactions[i] for i in order)
    if list(order) == [0, 1, 2]:
        return
    with pytest.raises(ChainError):
        CHAIN.add_block(Block(VALID.header, txs))


def test_the_unmutated_block_is_valid():
    chain, block = fresh_chain_and_block()
    assert chain.add_block(block).became_tip


# --- reorgs always end in a consistent state ---------------------------------------------------

EASY_FORKS = ChainParams(initial_target=2**249, max_target=2**252, retarget_interval=1_000)
PAYERS = [wallet_from_seed(f"reorg {n}") for n in range(3)]
actions = st.lists(st.one_of(
    st.tuples(st.just("tip")),
    st.tuples(st.just("fork"), st.integers(1, 4), st.integers(1, 5)),
    st.tuples(st.just("pay"), st.integers(0, 2), st.integers(0, 2), st.integers(1, 400)),
), min_size=1, max_size=25)


def replayed_balances(chain):
    """Balances recomputed from genesis along the main chain: what the tip state must equal."""
    state = chain.states[chain.genesis_hash]
    for block in chain.main_chain()[1:]:
        state = state.apply(block.transactions, chain.params.chain_id, block.header.miner,
                            block.header.reward)
    return state.balances()


@settings(max_examples=40, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(steps=actions)
@example(steps=[("pay", 0, 1, 300), ("tip",), ("tip",), ("fork", 2, 3), ("pay", 1, 2, 50)])
def test_any_sequence_of_forks_and_reorgs_ends_consistent(steps):
    chain = Blockchain(EASY_FORKS, {w.address: 1_000 for w in PAYERS}, ManualClock(1_700_000_000))
    for step in steps:
        if step[0] == "pay":
            _, sender, recipient, amount = step
            payer = PAYERS[sender]
            pending = sum(1 for tx in chain.mempool.values() if tx.sender == payer.address)
            tx = sign_transaction(payer, PAYERS[recipient].address, amount, 1,
                                  chain.nonce(payer.address) + pending, 1337)
            with contextlib.suppress(ChainError):  # not enough funds: refused, nothing changes
                chain.submit_transaction(tx)
        else:  # mine on the tip, or a branch of `length` blocks starting `back` blocks behind it
            back, length = step[1:] if step[0] == "fork" else (0, 1)
            parent = chain.main_chain()[max(0, len(chain.main_chain()) - 1 - back)].hash
            for _ in range(length):
                chain.clock.advance(10)
                template = chain.build_block(MINER.address, parent)
                block = Block(mine_fast(template.header, progress=False), template.transactions)
                chain.add_block(block)
                parent = block.hash
        assert chain.state.balances() == replayed_balances(chain)
        assert chain.state.total_supply() == chain.issued_supply()
        on_main = {tx.txid for block in chain.main_chain() for tx in block.transactions}
        assert not on_main & chain.mempool.keys()
        assert chain.cumulative_work[chain.tip] == max(chain.cumulative_work.values())
