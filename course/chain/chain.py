"""The chain: validate blocks against every rule, choose the best branch, reorganize.

A node keeps every valid block it has seen (a tree, not a list). The *main chain* is the
branch with the most cumulative work, not the most blocks. When another branch overtakes it
(a reorg), transactions of the abandoned blocks go back to the mempool to be mined again.

The genesis block commits to the chain's parameters and allocations (its Merkle root field
holds their hash), so two chains with different rules or different starting balances have
different genesis hashes, and no block of one can ever join the other.
Taught in notebooks 04 and 06.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from course.chain.blocks import Block, BlockHeader, check_block_form, transactions_root
from course.chain.clock import Clock, ManualClock
from course.chain.errors import (
    BadMerkleRoot,
    BadProofOfWork,
    BadReward,
    BlockTooLarge,
    ChainError,
    DoubleSpend,
    DuplicateBlock,
    InvalidAllocations,
    InvalidChainInput,
    TimestampOutOfBounds,
    UnknownParent,
    WrongDifficulty,
    WrongHeight,
)
from course.chain.hashing import sha256
from course.chain.keys import is_checksum_address
from course.chain.mining import mine_fast
from course.chain.params import MAX_UINT64, ChainParams, block_subsidy, next_target, work
from course.chain.state import LedgerState
from course.chain.transactions import Transaction, check_form
from course.validation import ensure, ensure_instance, ensure_int

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


def check_allocations(allocations: object) -> dict[str, int]:
    """Genesis allocations must be {EIP-55 address: whole number of coins >= 0}."""
    ensure_instance(allocations, "allocations", Mapping, rule="a dict {address: coins}",
                    error=InvalidAllocations)
    checked = {}
    for address, amount in allocations.items():  # type: ignore[attr-defined]
        ensure(is_checksum_address(address), InvalidAllocations, "allocations address", address,
               "an EIP-55 checksummed address")
        checked[address] = ensure_int(amount, f"allocations[{address}]", minimum=0,
                                      maximum=MAX_UINT64, error=InvalidAllocations)
    return checked


def genesis_commitment(params: ChainParams, allocations: Mapping[str, int]) -> str:
    """SHA-256 of the parameters and allocations, as hex: what the genesis block commits to."""
    ensure_instance(params, "params", ChainParams, error=InvalidChainInput)
    allocations = check_allocations(allocations)
    content = {"params": asdict(params), "allocations": dict(sorted(allocations.items()))}
    return sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hex()


class Blockchain:
    """A full node's view: all valid blocks, the state after each, and the best tip."""

    def __init__(
        self,
        params: ChainParams | None = None,
        allocations: Mapping[str, int] | None = None,
        clock: Clock | None = None,
        genesis_time: int = 1_700_000_000,
    ) -> None:
        self.params = ensure_instance(params or ChainParams(), "params", ChainParams,
                                      error=InvalidChainInput)
        allocations = check_allocations(allocations if allocations is not None else {})
        genesis_time = ensure_int(genesis_time, "genesis_time", minimum=0, maximum=MAX_UINT64,
                                  error=InvalidChainInput)
        ensure(clock is None or callable(getattr(clock, "now", None)), InvalidChainInput, "clock",
               clock, "None or a clock with .now(), e.g. ManualClock(1_700_000_000)")
        self.clock = clock or ManualClock(genesis_time)
        genesis = Block(BlockHeader(0, GENESIS_PARENT, genesis_commitment(self.params, allocations),
                                    genesis_time, self.params.initial_target, NOBODY, 0))
        self.genesis_hash = genesis.hash
        self.blocks: dict[str, Block] = {genesis.hash: genesis}
        self.states = {genesis.hash: LedgerState.genesis(allocations)}
        self.cumulative_work = {genesis.hash: work(genesis.header.difficulty_target)}
        self.tip = genesis.hash
        self.mempool: dict[str, Transaction] = {}
        self.allocated = sum(allocations.values())  # coins that exist at genesis

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

    def block(self, block_hash: str, name: str = "block_hash") -> Block:
        """The known block with this hash; a clear error for any other value."""
        block = self.blocks.get(block_hash) if isinstance(block_hash, str) else None
        ensure(block is not None, InvalidChainInput, name, block_hash, "the hash of a known block")
        return block  # type: ignore[return-value]

    def main_chain(self, tip: str | None = None) -> list[Block]:
        """Blocks from genesis to ``tip`` (default: the best tip), oldest first."""
        blocks, cursor = [], self.block(tip, "tip").hash if tip is not None else self.tip
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
        """The block at ``height`` on the branch that ends at ``block_hash``."""
        block = self.block(block_hash)
        ensure_int(height, "height", minimum=0, maximum=block.height, error=InvalidChainInput)
        while block.height > height:
            block = self.blocks[block.header.parent_hash]
        return block

    def expected_target(self, parent_hash: str) -> int:
        """The target a child of ``parent_hash`` must carry (retarget every N blocks).

        The window is the last N blocks, timed from the block just *before* it to its last
        block: N intervals for N blocks, so blocks exactly on schedule keep the target.
        (Bitcoin times 2015 intervals for 2016 blocks, an off-by-one kept forever.) The first
        window holds genesis, which has no block before it, so the first retarget is at 2N.
        """
        parent = self.block(parent_hash, "parent_hash").header
        height, interval = parent.height + 1, self.params.retarget_interval
        if height % interval != 0 or height < 2 * interval:
            return parent.difficulty_target
        before_window = self.ancestor(parent_hash, height - interval - 1).header
        return next_target(parent.difficulty_target,
                           parent.timestamp - before_window.timestamp, self.params)

    def median_time_past(self, parent_hash: str) -> int:
        """Median timestamp of the last 11 blocks up to ``parent_hash`` (Bitcoin's rule)."""
        times: list[int] = []
        cursor = self.block(parent_hash, "parent_hash").hash
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
        fees = sum(tx.fee for tx in block.transactions)
        allowed = block_subsidy(header.height, self.params) + fees
        if header.reward != allowed:
            raise BadReward(where, "reward", header.reward, f"{allowed} (subsidy + {fees} fees)")
        # Every transaction takes the one path: form, signature, chain id, nonce, balance.
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
        """Move the tip; return abandoned blocks and put their transactions back in the mempool.

        Walks back only to the fork point (one step when the new block extends the tip), so
        adding a block costs the same at height 10,000 as at height 10.
        """
        old, new = self.blocks[self.tip], self.blocks[new_tip]
        abandoned: list[Block] = []
        adopted: list[Block] = []
        while new.height > old.height:
            adopted.append(new)
            new = self.blocks[new.header.parent_hash]
        while old.height > new.height:
            abandoned.append(old)
            old = self.blocks[old.header.parent_hash]
        while old.hash != new.hash:  # the same height on two branches: step both to the fork
            abandoned.append(old)
            adopted.append(new)
            old, new = (self.blocks[old.header.parent_hash], self.blocks[new.header.parent_hash])
        included = {tx.txid for block in adopted for tx in block.transactions}
        for block in abandoned:
            for tx in block.transactions:
                if tx.txid not in included:
                    self.mempool[tx.txid] = tx
        self.tip = new_tip
        for txid in included & self.mempool.keys():
            del self.mempool[txid]
        if abandoned or included:
            self._drop_invalid_mempool_transactions()
        return tuple(block.hash for block in abandoned)

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
        parent_hash = self.tip if parent_hash is None else parent_hash
        parent = self.block(parent_hash, "parent_hash").header
        ensure(is_checksum_address(miner), InvalidChainInput, "miner", miner,
               "an EIP-55 checksummed address")
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
        mined = Block(mine_fast(block.header, progress=progress), block.transactions)
        self.add_block(mined)
        return mined
