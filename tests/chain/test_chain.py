"""The chain enforces every rule, changes nothing when it rejects, and follows the most work."""

from dataclasses import replace

import pytest

from course.chain.blocks import Block, BlockHeader, transactions_root
from course.chain.chain import Blockchain
from course.chain.clock import ManualClock
from course.chain.errors import (
    BadMerkleRoot,
    BadProofOfWork,
    BadReward,
    BadSignature,
    BlockTooLarge,
    ChainError,
    DoubleSpend,
    DuplicateBlock,
    InsufficientFunds,
    MalformedBlock,
    MalformedTransaction,
    TimestampOutOfBounds,
    UnknownParent,
    WrongChainId,
    WrongDifficulty,
    WrongHeight,
    WrongNonce,
)
from course.chain.mining import mine, mine_fast
from course.chain.params import block_subsidy, work
from course.chain.transactions import Transaction, sign_transaction
from tests.chain.conftest import EASY, mine_next


def snapshot(chain: Blockchain):
    """Everything a rejected block must leave as it was."""
    return (chain.tip, len(chain.blocks), chain.state.balances(),
            {a: chain.nonce(a) for a in chain.state.balances()}, dict(chain.mempool))


def pay(chain, wallets, sender, recipient, amount, fee=1, nonce=None):
    wallet = wallets[sender]
    nonce = chain.nonce(wallet.address) if nonce is None else nonce
    return sign_transaction(wallet, wallets[recipient].address, amount, fee, nonce,
                            chain.params.chain_id)


def remined(chain, block, **header_changes):
    """The same block with header fields changed and valid proof of work again."""
    return Block(mine_fast(replace(block.header, nonce=0, **header_changes), progress=False),
                 block.transactions)


def block_with(chain, wallets, transactions, **header_changes):
    template = chain.build_block(wallets["miner"].address)
    txs = tuple(transactions)
    fees = sum(tx.fee for tx in txs)
    header = replace(template.header, merkle_root=transactions_root(txs),
                     reward=block_subsidy(template.height, chain.params) + fees)
    return remined(chain, Block(header, txs), **header_changes)


def test_genesis_holds_the_allocations_and_nothing_else(chain, wallets):
    assert chain.height == 0
    assert chain.balance(wallets["alice"].address) == 1_000
    assert chain.state.total_supply() == 1_500 == chain.issued_supply()


def test_a_mined_payment_moves_coins_and_pays_the_miner_subsidy_plus_fee(chain, wallets):
    chain.submit_transaction(pay(chain, wallets, "alice", "carol", 300, fee=7))
    block = mine_next(chain, wallets["miner"].address)
    assert chain.tip == block.hash and chain.height == 1
    assert chain.balance(wallets["alice"].address) == 1_000 - 307
    assert chain.balance(wallets["carol"].address) == 300
    assert chain.balance(wallets["miner"].address) == EASY.initial_reward + 7
    assert chain.nonce(wallets["alice"].address) == 1
    assert chain.mempool == {}


def test_rejections_name_the_rule_and_the_field(chain, wallets):
    tx = pay(chain, wallets, "alice", "carol", 5_000)  # more than alice has
    with pytest.raises(InsufficientFunds) as error:
        chain.add_block(block_with(chain, wallets, [tx]))
    message = str(error.value)
    assert "block #1" in message and "rule 'sender can pay amount + fee'" in message
    assert "amount + fee = 5001" in message and "<= balance 1000" in message


def bad_blocks(chain, wallets):
    """One block per rule, each breaking exactly that rule."""
    good = pay(chain, wallets, "alice", "carol", 10)
    forged = Transaction(wallets["alice"].address, wallets["carol"].address, 10, 1, 0,
                         chain.params.chain_id)
    forged = replace(forged, signature=wallets["bob"].sign(forged.signing_hash()))
    other_chain = sign_transaction(wallets["alice"], wallets["carol"].address, 10, 1, 0, 999)
    twin = pay(chain, wallets, "alice", "bob", 20)  # same nonce as `good`: a double spend
    template = chain.build_block(wallets["miner"].address)
    median = chain.median_time_past(chain.tip)
    valid = block_with(chain, wallets, [good])
    unmined = replace(valid.header, nonce=next(
        n for n in range(1000) if not replace(valid.header, nonce=n).meets_target()))
    return {
        BadSignature: block_with(chain, wallets, [forged]),
        WrongChainId: block_with(chain, wallets, [other_chain]),
        WrongNonce: block_with(chain, wallets, [pay(chain, wallets, "alice", "bob", 1, nonce=3)]),
        InsufficientFunds: block_with(chain, wallets, [pay(chain, wallets, "bob", "carol", 600)]),
        DoubleSpend: block_with(chain, wallets, [good, twin]),
        BadProofOfWork: Block(unmined, valid.transactions),
        UnknownParent: remined(chain, template, parent_hash="ab" * 32),
        WrongHeight: remined(chain, template, height=5),
        WrongDifficulty: remined(chain, template, difficulty_target=EASY.initial_target * 2),
        BadMerkleRoot: block_with(chain, wallets, [good], merkle_root="cd" * 32),
        TimestampOutOfBounds: remined(chain, template, timestamp=median),
        BadReward: block_with(chain, wallets, [good], reward=valid.header.reward + 1),
    }


@pytest.mark.parametrize("rule", [
    BadSignature, WrongChainId, WrongNonce, InsufficientFunds, DoubleSpend, BadProofOfWork,
    UnknownParent, WrongHeight, WrongDifficulty, BadMerkleRoot, TimestampOutOfBounds, BadReward,
], ids=lambda rule: rule.__name__)
def test_each_rule_rejects_its_block_and_changes_nothing(chain, wallets, rule):
    mine_next(chain, wallets["miner"].address)  # a non-genesis tip, so state is not trivial
    block = bad_blocks(chain, wallets)[rule]
    before = snapshot(chain)
    with pytest.raises(rule):
        chain.add_block(block)
    assert snapshot(chain) == before


def test_a_block_from_the_far_future_is_rejected(chain, wallets):
    template = chain.build_block(wallets["miner"].address)
    future = chain.clock.now() + EASY.max_future_drift + 1
    with pytest.raises(TimestampOutOfBounds, match="timestamp"):
        chain.add_block(remined(chain, template, timestamp=future))


def test_a_block_over_the_size_limit_is_rejected(wallets):
    small = Blockchain(replace(EASY, max_block_size=2_000),
                       {wallets["alice"].address: 1_000}, ManualClock(1_700_000_000))
    txs = [sign_transaction(wallets["alice"], wallets["bob"].address, 1, 0, n, EASY.chain_id)
           for n in range(10)]
    with pytest.raises(BlockTooLarge, match="size"):
        small.add_block(block_with(small, wallets, txs))


def test_a_block_whose_second_payment_fails_applies_neither(chain, wallets):
    fine = pay(chain, wallets, "alice", "carol", 100)
    too_much = pay(chain, wallets, "alice", "carol", 2_000, nonce=1)
    before = snapshot(chain)
    with pytest.raises(InsufficientFunds, match="transaction 1"):
        chain.add_block(block_with(chain, wallets, [fine, too_much]))
    assert snapshot(chain) == before
    assert chain.balance(wallets["carol"].address) == 0


def test_a_transaction_cannot_be_replayed_in_a_later_block(chain, wallets):
    tx = pay(chain, wallets, "alice", "carol", 10)
    chain.submit_transaction(tx)
    mine_next(chain, wallets["miner"].address)
    with pytest.raises(WrongNonce, match="already used"):
        chain.add_block(block_with(chain, wallets, [tx]))
    with pytest.raises(WrongNonce):
        chain.submit_transaction(tx)


def test_the_same_block_twice_is_a_duplicate(chain, wallets):
    block = mine_next(chain, wallets["miner"].address)
    with pytest.raises(DuplicateBlock):
        chain.add_block(block)


@pytest.mark.parametrize("junk", [None, "block", 42, {"header": {}}])
def test_malformed_input_of_any_type_is_rejected_clearly(chain, junk):
    before = snapshot(chain)
    with pytest.raises(MalformedBlock, match="well-formed block"):
        chain.add_block(junk)
    assert snapshot(chain) == before


def test_malformed_fields_are_rejected_before_any_rule(chain, wallets):
    template = chain.build_block(wallets["miner"].address)
    with pytest.raises(MalformedBlock, match="height"):
        chain.add_block(Block(replace(template.header, height="1"), ()))
    with pytest.raises(MalformedTransaction, match="amount"):
        sign_transaction(wallets["alice"], wallets["bob"].address, 1.5, 0, 0, EASY.chain_id)
    with pytest.raises(MalformedTransaction, match="recipient"):
        sign_transaction(wallets["alice"], "not an address", 1, 0, 0, EASY.chain_id)


def test_the_mempool_rejects_what_a_block_would_reject(chain, wallets):
    with pytest.raises(InsufficientFunds):
        chain.submit_transaction(pay(chain, wallets, "bob", "carol", 501, fee=0))
    chain.submit_transaction(pay(chain, wallets, "alice", "carol", 10))
    with pytest.raises(DoubleSpend):
        chain.submit_transaction(pay(chain, wallets, "alice", "bob", 10, nonce=0))
    chain.submit_transaction(pay(chain, wallets, "alice", "bob", 10, nonce=1))  # next in line
    assert len(chain.mempool) == 2


def test_fork_choice_follows_most_work_not_most_blocks(chain, wallets):
    miner = wallets["miner"].address
    genesis = chain.genesis_hash
    fast = [mine_next(chain, miner, seconds=1)]  # fast blocks: the retarget makes them harder
    for _ in range(11):  # the first retarget is at height 2 x retarget_interval = 10
        fast.append(mine_next(chain, miner, seconds=1))
    assert fast[-1].header.difficulty_target < EASY.initial_target
    slow, parent = [], genesis
    for _ in range(15):
        block = mine_on(chain, miner, parent)
        chain.add_block(block)
        slow.append(block)
        parent = block.hash
    assert len(slow) > len(fast)
    assert chain.cumulative_work[fast[-1].hash] > chain.cumulative_work[slow[-1].hash]
    assert chain.tip == fast[-1].hash


def test_a_reorg_returns_orphaned_transactions_to_the_mempool(chain, wallets):
    miner = wallets["miner"].address
    tx = pay(chain, wallets, "alice", "carol", 50)
    chain.submit_transaction(tx)
    a1 = mine_next(chain, miner)
    mine_next(chain, miner)
    assert tx.txid in {t.txid for t in a1.transactions}
    b, added = chain.genesis_hash, None
    for _ in range(3):  # a longer branch of equal-difficulty blocks, without the payment
        added = chain.add_block(mine_on(chain, miner, b))
        b = added.block_hash
    assert added.became_tip and added.reorg_depth == 2
    assert tx.txid in chain.mempool
    assert chain.balance(wallets["carol"].address) == 0
    mine_next(chain, miner)
    assert chain.balance(wallets["carol"].address) == 50 and not chain.mempool


def mine_on(chain, miner, parent, seconds=10):
    """A mined block on ``parent`` (not added): for building a competing branch."""
    chain.clock.advance(seconds)
    block = chain.build_block(miner, parent)
    return Block(mine_fast(block.header, progress=False), block.transactions)


def test_total_supply_equals_genesis_plus_subsidies_through_halvings(chain, wallets):
    for n in range(12):  # heights 1-12; the subsidy halves at heights 4, 8 and 12
        if n % 3 == 0:
            chain.submit_transaction(pay(chain, wallets, "alice", "bob", 5, fee=2))
        mine_next(chain, wallets["miner"].address)
    subsidies = 3 * 5_000 + 4 * 2_500 + 4 * 1_250 + 625  # fees move coins, they create none
    assert chain.state.total_supply() == chain.issued_supply() == 1_500 + subsidies


def test_work_of_a_block_is_the_expected_number_of_hashes():
    assert work(2**248) == 255  # 2**256 // (target + 1), as Bitcoin Core's GetBlockProof
    assert work(2**256 - 1) == 1


def test_chain_error_is_the_base_of_every_rule():
    for rule in (BadSignature, WrongNonce, BadProofOfWork, BadReward, MalformedBlock):
        assert issubclass(rule, ChainError)


@pytest.mark.parametrize("seed", range(20))
def test_the_lessons_mining_loop_and_the_fast_one_find_the_same_nonce(seed):
    """notebook 04's plain loop (course.chain.mining.mine) and the midstate version agree."""
    header = BlockHeader(seed, f"{seed:064x}", "ab" * 32, 1_700_000_000 + seed, 2**250,
                         "0x" + "00" * 20, 7)
    assert mine(header) == mine_fast(header, progress=False)
    assert mine(header).meets_target()
