"""The chain: validate blocks against every rule, choose the best branch, reorganize.

A node keeps every valid block it has seen (a tree, not a list). The *main chain* is the
branch with the most cumulative work, not the most blocks. When another branch overtakes it
(a reorg), transactions of the abandoned blocks go back to the mempool to be mined again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from course.chain.blocks import (
    EMPTY_MERKLE_ROOT,
    Block,
    BlockHeader,
    check_block_form,
    mine,
    transactions_root,
)
from course.chain.clock import Clock, ManualClock
from course.chain.errors import (
    BadMerkleRoot,
    BadProofOfWork,
    BadReward,
    BlockTooLarge,
    ChainError,
    DoubleSpend,
    DuplicateBlock,
    TimestampOutOfBounds,
    UnknownParent,
    WrongDifficulty,
    WrongHeight,
)
from course.chain.params import ChainParams, block_subsidy, next_target, work
from course.chain.state import LedgerState
from course.chain.transactions import Transaction, check_form, check_signature

GENESIS_PARENT = "00" * 32
NOBODY = "0x0000000000000000000000000000000000000000"


@dataclass(frozen=True)
class BlockAdded:
    """What adding a block did to the main chain."""

    block_hash: str
    became_tip: bool
    abandoned: tuple[str, ...] = ()  # main-chain blocks replaced by a reorg, newest first

    @property
    def reorg_depth(self) -> int:
        return len(self.abandoned)


class Blockchain:
    """A full node's view: all valid blocks, the state after each, and the best tip."""

    def __init__(
        self,
        params: ChainParams | None = None,
        allocations: Mapping[str, int] | None = None,
        clock: Clock | None = None,
        genesis_time: int = 1_700_000_000,
    ) -> None:
        self.params = params or ChainParams()
        self.clock = clock or ManualClock(genesis_time)
        genesis = Block(BlockHeader(0, GENESIS_PARENT, EMPTY_MERKLE_ROOT, genesis_time,
                                    self.params.initial_target, NOBODY, 0))
        self.genesis_hash = genesis.hash
        self.blocks: dict[str, Block] = {genesis.hash: genesis}
        self.states = {genesis.hash: LedgerState.genesis(allocations or {})}
        self.cumulative_work = {genesis.hash: work(genesis.header.difficulty_target)}
        self.tip = genesis.hash
        self.mempool: dict[str, Transaction] = {}
        self.allocated = sum((allocations or {}).values())  # coins that exist at genesis

    # --- reading the chain ------------------------------------------------------------------

    @property
    def height(self) -> int:
        return self.blocks[self.tip].height

    @property
    def state(self) -> LedgerState:
        return self.states[self.tip]

    def balance(self, address: str) -> int:
        return self.state.balance(address)

    def nonce(self, address: str) -> int:
        return self.state.nonce(address)

    def main_chain(self, tip: str | None = None) -> list[Block]:
        """Blocks from genesis to ``tip`` (default: the best tip), oldest first."""
        blocks, cursor = [], tip or self.tip
        while cursor != GENESIS_PARENT:
            block = self.blocks[cursor]
            blocks.append(block)
            cursor = block.header.parent_hash
        return blocks[::-1]

    def issued_supply(self) -> int:
        """Coins that should exist on the main chain: genesis allocations + every subsidy."""
        return self.allocated + sum(
            block_subsidy(b.height, self.params) for b in self.main_chain()[1:])

    def ancestor(self, block_hash: str, height: int) -> Block:
        block = self.blocks[block_hash]
        while block.height > height:
            block = self.blocks[block.header.parent_hash]
        return block

    def expected_target(self, parent_hash: str) -> int:
        """The target a child of ``parent_hash`` must carry (retarget every N blocks)."""
        parent = self.blocks[parent_hash].header
        height = parent.height + 1
        if height % self.params.retarget_interval != 0:
            return parent.difficulty_target
        first = self.ancestor(parent_hash, height - self.params.retarget_interval).header
        return next_target(parent.difficulty_target, parent.timestamp - first.timestamp,
                           self.params)

    def median_time_past(self, parent_hash: str) -> int:
        """Median timestamp of the last 11 blocks up to ``parent_hash`` (Bitcoin's rule)."""
        times, cursor = [], parent_hash
        while cursor != GENESIS_PARENT and len(times) < self.params.median_time_blocks:
            header = self.blocks[cursor].header
            times.append(header.timestamp)
            cursor = header.parent_hash
        return sorted(times)[len(times) // 2]

    # --- validation -----------------------------------------------------------------------

    def validate_block(self, block: Block) -> LedgerState:
        """Check every rule; return the state after the block. Changes nothing on the chain."""
        check_block_form(block)
        header, block_hash = block.header, block.hash
        where = f"block #{header.height} ({block_hash[:12]})"
        if block_hash in self.blocks:
            raise DuplicateBlock(where, "hash", block_hash[:16], "a block not seen before")
        parent = self.blocks.get(header.parent_hash)
        if parent is None:
            raise UnknownParent(where, "parent_hash", header.parent_hash[:16], "a known block")
        if header.height != parent.height + 1:
            raise WrongHeight(where, "height", header.height, f"{parent.height + 1}")
        target = self.expected_target(header.parent_hash)
        if header.difficulty_target != target:
            raise WrongDifficulty(where, "difficulty_target", hex(header.difficulty_target),
                                  hex(target))
        if not header.meets_target():
            raise BadProofOfWork(where, "hash", "0x" + block_hash[:16] + "...",
                                 f"<= target {hex(target)[:18]}...")
        if (size := block.size()) > self.params.max_block_size:
            raise BlockTooLarge(where, "size", size, f"<= {self.params.max_block_size} bytes")
        if header.merkle_root != (root := transactions_root(block.transactions)):
            raise BadMerkleRoot(where, "merkle_root", header.merkle_root[:16], root[:16] + "...")
        median = self.median_time_past(header.parent_hash)
        latest = self.clock.now() + self.params.max_future_drift
        if not median < header.timestamp <= latest:
            raise TimestampOutOfBounds(where, "timestamp", header.timestamp,
                                       f"> median of recent blocks {median} and <= {latest}")
        seen: set[str] = set()
        for tx in block.transactions:
            if tx.txid in seen:
                raise DoubleSpend(where, "txid", tx.txid[:16], "each transaction once per block")
            seen.add(tx.txid)
            check_signature(tx)
        fees = sum(tx.fee for tx in block.transactions)
        allowed = block_subsidy(header.height, self.params) + fees
        if header.reward != allowed:
            raise BadReward(where, "reward", header.reward, f"{allowed} (subsidy + {fees} fees)")
        return self.states[header.parent_hash].apply(
            block.transactions, self.params.chain_id, header.miner, header.reward, where)

    # --- changing the chain ---------------------------------------------------------------

    def add_block(self, block: Block) -> BlockAdded:
        """Validate and store ``block``; make it the tip if its branch has the most work.

        Raises the ChainError of the first broken rule, leaving the chain unchanged.
        """
        state = self.validate_block(block)
        header, block_hash = block.header, block.hash
        self.blocks[block_hash] = block
        self.states[block_hash] = state
        self.cumulative_work[block_hash] = (
            self.cumulative_work[header.parent_hash] + work(header.difficulty_target))
        if self.cumulative_work[block_hash] <= self.cumulative_work[self.tip]:
            return BlockAdded(block_hash, became_tip=False)  # a side branch, kept for later
        abandoned = self._switch_tip(block_hash)
        return BlockAdded(block_hash, became_tip=True, abandoned=abandoned)

    def _switch_tip(self, new_tip: str) -> tuple[str, ...]:
        """Move the tip; return abandoned blocks and put their transactions back in the mempool."""
        new_branch = {b.hash for b in self.main_chain(new_tip)}
        abandoned, cursor = [], self.tip
        while cursor not in new_branch:
            abandoned.append(cursor)
            cursor = self.blocks[cursor].header.parent_hash
        included = {tx.txid for b in self.main_chain(new_tip) for tx in b.transactions}
        for block_hash in abandoned:
            for tx in self.blocks[block_hash].transactions:
                if tx.txid not in included:
                    self.mempool[tx.txid] = tx
        self.tip = new_tip
        for txid in included & self.mempool.keys():
            del self.mempool[txid]
        self._drop_invalid_mempool_transactions()
        return tuple(abandoned)

    def _drop_invalid_mempool_transactions(self) -> None:
        keep, state = {}, self.state
        for tx in sorted(self.mempool.values(), key=lambda t: (t.sender, t.nonce)):
            try:
                state = state.apply([tx], self.params.chain_id)
            except ChainError:
                continue
            keep[tx.txid] = tx
        self.mempool = keep

    def submit_transaction(self, tx: Transaction) -> str:
        """Check a transaction against the tip (after pending ones) and add it to the mempool."""
        check_form(tx)
        check_signature(tx)
        if tx.txid in self.mempool:
            raise DoubleSpend(f"transaction {tx.txid[:12]}", "txid", tx.txid[:16],
                              "a transaction not already in the mempool")
        pending = sorted((t for t in self.mempool.values() if t.sender == tx.sender),
                         key=lambda t: t.nonce)
        self.state.apply([*pending, tx], self.params.chain_id,
                         where=f"mempool, transaction {tx.txid[:12]}")
        self.mempool[tx.txid] = tx
        return tx.txid

    def build_block(self, miner: str, parent_hash: str | None = None) -> Block:
        """An unmined block on ``parent_hash`` (default: the tip) with the mempool's valid txs."""
        parent_hash = parent_hash or self.tip
        parent = self.blocks[parent_hash].header
        state, chosen = self.states[parent_hash], []
        room = self.params.max_block_size - 1_000  # leave space for the header
        for tx in sorted(self.mempool.values(), key=lambda t: (t.sender, t.nonce)):
            size = len(json.dumps(tx.to_dict(), separators=(",", ":"))) + 1
            if size > room:
                break
            try:
                state = state.apply([tx], self.params.chain_id)
            except ChainError:
                continue
            chosen.append(tx)
            room -= size
        txs = tuple(chosen)
        timestamp = max(self.clock.now(), self.median_time_past(parent_hash) + 1)
        reward = block_subsidy(parent.height + 1, self.params) + sum(tx.fee for tx in txs)
        header = BlockHeader(parent.height + 1, parent_hash, transactions_root(txs), timestamp,
                             self.expected_target(parent_hash), miner, reward)
        return Block(header, txs)

    def mine_block(self, miner: str, parent_hash: str | None = None,
                   progress: bool | None = None) -> Block:
        """Build a block from the mempool, mine it and add it; return it."""
        block = self.build_block(miner, parent_hash)
        mined = Block(mine(block.header, progress=progress), block.transactions)
        self.add_block(mined)
        return mined
