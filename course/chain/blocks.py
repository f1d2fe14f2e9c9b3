"""Blocks: a header that commits to everything, and the transactions it carries.

The header holds the parent's hash (the "chain" in blockchain), the Merkle root of the
transactions, a timestamp, the difficulty target and a nonce. Mining (course.chain.mining) is
trying nonces until the header's double SHA-256, read as a number, is at most the target.
Taught in notebook 04.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from course.chain.errors import MalformedBlock
from course.chain.hashing import double_sha256
from course.chain.keys import is_checksum_address
from course.chain.merkle import merkle_root
from course.chain.params import MAX_HASH, MAX_UINT64
from course.chain.transactions import Transaction

EMPTY_MERKLE_ROOT = "00" * 32  # the root of a block with no transactions
NONCE_BYTES = 8
HEADER_FIELDS = (
    "height", "parent_hash", "merkle_root", "timestamp", "difficulty_target", "miner", "reward",
)


@dataclass(frozen=True)
class BlockHeader:
    height: int
    parent_hash: str  # 64 hex characters
    merkle_root: str  # 64 hex characters
    timestamp: int  # seconds since the Unix epoch
    difficulty_target: int  # the header hash must be <= this number
    miner: str  # address paid the reward
    reward: int  # subsidy + fees, claimed by the miner
    nonce: int = 0

    def prefix_bytes(self) -> bytes:
        """Everything but the nonce, as canonical JSON: miners hash this part only once."""
        fields = {name: getattr(self, name) for name in HEADER_FIELDS}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()

    def serialize(self) -> bytes:
        return self.prefix_bytes() + self.nonce.to_bytes(NONCE_BYTES, "little")

    @property
    def hash(self) -> str:
        """Double SHA-256 of the serialized header, as 64 hex characters."""
        return double_sha256(self.serialize()).hex()

    def meets_target(self) -> bool:
        return int(self.hash, 16) <= self.difficulty_target


@dataclass(frozen=True)
class Block:
    header: BlockHeader
    transactions: tuple[Transaction, ...] = ()

    @property
    def hash(self) -> str:
        return self.header.hash

    @property
    def height(self) -> int:
        return self.header.height

    def size(self) -> int:
        """Bytes of the serialized block (what the size limit counts)."""
        return len(json.dumps(self.to_dict(), separators=(",", ":")))

    def to_dict(self) -> dict[str, Any]:
        return {"header": asdict(self.header),
                "transactions": [tx.to_dict() for tx in self.transactions]}

    @classmethod
    def from_dict(cls, data: Any) -> Block:
        """Rebuild a block from ``to_dict()`` output, rejecting anything malformed."""
        if not isinstance(data, dict) or set(data) != {"header", "transactions"}:
            raise MalformedBlock("block data", "keys", data, "{'header', 'transactions'}")
        header, txs = data["header"], data["transactions"]
        if not isinstance(header, dict) or set(header) != {*HEADER_FIELDS, "nonce"}:
            raise MalformedBlock("block data", "header", header,
                                 f"a dict with exactly {sorted({*HEADER_FIELDS, 'nonce'})}")
        if not isinstance(txs, list):
            raise MalformedBlock("block data", "transactions", txs, "a list")
        block = cls(BlockHeader(**header), tuple(Transaction.from_dict(tx) for tx in txs))
        check_block_form(block)
        return block


def transactions_root(transactions: tuple[Transaction, ...]) -> str:
    """The Merkle root of the transaction ids, or EMPTY_MERKLE_ROOT for an empty block."""
    if not isinstance(transactions, list | tuple) or not all(
            isinstance(tx, Transaction) for tx in transactions):
        raise MalformedBlock("block", "transactions", transactions, "a tuple of Transactions")
    if not transactions:
        return EMPTY_MERKLE_ROOT
    return merkle_root([bytes.fromhex(tx.txid) for tx in transactions]).hex()


def check_block_form(block: Any) -> None:
    """Reject anything that is not a well-formed block: types and formats, not consensus rules."""
    if not isinstance(block, Block):
        raise MalformedBlock("input", "type", type(block).__name__, "a Block")
    check_header_form(block.header)
    if not isinstance(block.transactions, tuple) or not all(
        isinstance(tx, Transaction) for tx in block.transactions
    ):
        raise MalformedBlock(f"block #{block.header.height}", "transactions", block.transactions,
                             "a tuple of Transactions")


def check_header_form(header: Any) -> None:
    """Reject a header whose fields have the wrong type or format (before anything hashes it)."""
    if not isinstance(header, BlockHeader):
        raise MalformedBlock("block", "header", type(header).__name__, "a BlockHeader")
    where = "block"
    for name, maximum in (("height", MAX_UINT64), ("timestamp", MAX_UINT64),
                          ("difficulty_target", MAX_HASH), ("reward", MAX_UINT64),
                          ("nonce", 2 ** (8 * NONCE_BYTES) - 1)):
        value = getattr(header, name)
        if type(value) is not int or not 0 <= value <= maximum:  # not a bool, not a float
            raise MalformedBlock(where, name, value, f"an int in [0, {maximum:#x}]")
    where = f"block #{header.height}"
    for name in ("parent_hash", "merkle_root"):
        value = getattr(header, name)
        if not (isinstance(value, str) and len(value) == 64
                and all(c in "0123456789abcdef" for c in value)):
            raise MalformedBlock(where, name, value, "64 lowercase hex characters")
    if not is_checksum_address(header.miner):
        raise MalformedBlock(where, "miner", header.miner, "an EIP-55 checksummed address")
