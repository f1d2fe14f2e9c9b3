"""Merkle trees, by Bitcoin's rules: one 32-byte root that commits to every transaction.

Leaves are 32-byte hashes (txids). Each parent is ``double_sha256(left + right)``; a level
with an odd number of nodes pairs its last node with itself; the root of one leaf is that
leaf. A *proof* is the list of siblings on the path from a leaf to the root: about log2(n)
hashes let a light client check that a transaction is in a block without downloading it.
Taught in notebook 01 (built by hand, then checked against this module) and used in 03.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from course.chain.errors import InvalidChainInput
from course.chain.hashing import NotBytes, double_sha256
from course.validation import ensure, ensure_int, fail

HASH_BYTES = 32


class EmptyTree(InvalidChainInput):
    """A Merkle tree needs at least one leaf."""


class LeafIndexOutOfRange(InvalidChainInput, IndexError):
    """A proof was asked for a leaf the tree does not have."""


class InvalidLeaf(InvalidChainInput):
    """A leaf (or txid) that is not a 32-byte hash."""


@dataclass(frozen=True)
class ProofStep:
    sibling: bytes  # the other child of the current node's parent
    sibling_on_left: bool  # True: parent = H(sibling + node); False: parent = H(node + sibling)


@dataclass(frozen=True)
class MerkleProof:
    leaf_index: int  # position of the proven leaf, counted from 0
    steps: tuple[ProofStep, ...]  # from the leaf's level up to just below the root


def _checked_leaves(leaves: Sequence[bytes]) -> list[bytes]:
    list_of_hashes = "a list of 32-byte hashes"
    ensure(not isinstance(leaves, bytes | bytearray | str), InvalidLeaf, "leaves", leaves,
           f"{list_of_hashes}, not a single one: wrap it in a list, e.g. [leaf]")
    ensure(isinstance(leaves, Iterable), InvalidLeaf, "leaves", leaves, list_of_hashes)
    given = list(leaves)
    ensure(len(given) > 0, EmptyTree, "leaves", given,
           f"{list_of_hashes} (a Merkle tree needs at least one leaf)")
    for position, leaf in enumerate(given):
        if not isinstance(leaf, bytes | bytearray) or len(leaf) != HASH_BYTES:
            size = f"{len(leaf)} bytes" if isinstance(leaf, bytes | bytearray) else "not bytes"
            fail(InvalidLeaf, f"leaves[{position}]", leaf,
                 "a 32-byte hash, e.g. double_sha256(data)", f"{type(leaf).__name__}, {size}")
    return [bytes(leaf) for leaf in given]


def _parent_level(level: list[bytes]) -> list[bytes]:
    """Hash pairs of nodes into the level above; an odd last node is paired with itself."""
    padded = level + [level[-1]] if len(level) % 2 == 1 else level
    return [double_sha256(padded[i] + padded[i + 1]) for i in range(0, len(padded), 2)]


def merkle_levels(leaves: Sequence[bytes]) -> list[list[bytes]]:
    """Every level of the tree, from the leaves (first) to ``[root]`` (last), for drawing.

    The duplicated odd nodes are not stored: a level of 3 nodes is drawn as 3.

    Raises:
        EmptyTree: ``leaves`` is empty.
        InvalidLeaf: a leaf is not 32 bytes.
    """
    levels = [_checked_leaves(leaves)]
    while len(levels[-1]) > 1:
        levels.append(_parent_level(levels[-1]))
    return levels


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """The 32-byte Merkle root of ``leaves`` (internal byte order, as hashed).

    Because an odd last node is duplicated, ``[a, b, c]`` and ``[a, b, c, c]`` have the
    same root: Bitcoin's block-mutation weakness, CVE-2012-2459. Nodes must therefore
    also reject blocks that repeat their last transactions.

    Raises:
        EmptyTree, InvalidLeaf: as for ``merkle_levels``.
    """
    return merkle_levels(leaves)[-1][0]


def merkle_proof(leaves: Sequence[bytes], index: int) -> MerkleProof:
    """The siblings that link ``leaves[index]`` to the root, bottom level first.

    Raises:
        EmptyTree, InvalidLeaf: as for ``merkle_levels``.
        LeafIndexOutOfRange: ``index`` is not in ``0 .. len(leaves) - 1`` (no negatives).
    """
    return _proof(merkle_levels(leaves), index)


def merkle_proofs(leaves: Sequence[bytes], indices: Sequence[int]) -> list[MerkleProof]:
    """``merkle_proof`` for each of ``indices``, building the tree only once.

    Opening many leaves of one tree (a provider answering row challenges, or opening every
    row in a dispute) then costs one tree, not one tree per proof.

    Raises:
        EmptyTree, InvalidLeaf: as for ``merkle_levels``.
        LeafIndexOutOfRange: ``indices`` is not a list of leaf positions, or one is outside the
            tree.
    """
    ensure(isinstance(indices, list | tuple | range), LeafIndexOutOfRange, "indices", indices,
           "a list of leaf positions, e.g. [0, 3]")
    levels = merkle_levels(leaves)
    return [_proof(levels, index) for index in indices]


def _proof(levels: list[list[bytes]], index: int) -> MerkleProof:
    """One walk up the tree's levels from leaf ``index``: one sibling per level."""
    count = len(levels[0])
    index = ensure_int(index, "index", minimum=0, maximum=count - 1,
                       meaning=f"the leaf to prove; the tree has {count} leaves",
                       error=LeafIndexOutOfRange)
    steps: list[ProofStep] = []
    position = index
    for level in levels[:-1]:
        sibling_position = position ^ 1  # the other child of the same parent
        if sibling_position == len(level):  # odd last node: its sibling is itself
            sibling_position = position
        steps.append(ProofStep(level[sibling_position], sibling_on_left=position % 2 == 1))
        position //= 2
    return MerkleProof(index, tuple(steps))


def _is_well_formed(proof: object) -> bool:
    """An index that fits in the proof's steps, and every sibling a 32-byte hash."""
    if not isinstance(proof, MerkleProof) or not isinstance(proof.steps, tuple):
        return False
    index_fits = type(proof.leaf_index) is int and 0 <= proof.leaf_index < 2 ** len(proof.steps)
    return index_fits and all(
        isinstance(step, ProofStep) and isinstance(step.sibling, bytes | bytearray)
        and len(step.sibling) == HASH_BYTES for step in proof.steps
    )


def verify_proof(leaf: bytes, proof: MerkleProof, root: bytes) -> bool:
    """Does ``proof`` link ``leaf`` to ``root``? Rehash up the path and compare.

    A wrong or malformed proof returns False, never raises: proofs come from strangers.
    Each step's side must match a bit of ``proof.leaf_index`` (bit k set: the sibling is
    on the left at level k), so a proof for one position cannot pose as another.

    Raises:
        NotBytes: ``leaf`` or ``root`` is not bytes (for a hex str, use bytes.fromhex).
    """
    for name, value in (("leaf", leaf), ("root", root)):
        if not isinstance(value, bytes | bytearray):
            raise NotBytes.describing(f"verify_proof's {name}", value)
    if len(leaf) != HASH_BYTES or not _is_well_formed(proof):
        return False
    node = bytes(leaf)
    for level, step in enumerate(proof.steps):
        if step.sibling_on_left != bool(proof.leaf_index >> level & 1):  # wrong side
            return False
        pair = step.sibling + node if step.sibling_on_left else node + step.sibling
        node = double_sha256(bytes(pair))
    return node == root


def txid_to_internal(txid_hex: str) -> bytes:
    """Bitcoin prints txids byte-reversed: turn a printed txid into the 32 bytes it hashes.

    Raises InvalidLeaf unless ``txid_hex`` is 64 hex characters.
    """
    try:
        digest = bytes.fromhex(txid_hex)
    except (TypeError, ValueError):
        digest = b""
    ensure(len(digest) == HASH_BYTES, InvalidLeaf, "txid_hex", txid_hex,
           "64 hex characters (a txid, as a block explorer prints it)")
    return digest[::-1]


def internal_to_txid(digest: bytes) -> str:
    """The inverse of ``txid_to_internal``: 32 hashed bytes as a block explorer shows them.

    Raises InvalidLeaf unless ``digest`` is 32 bytes.
    """
    ok = isinstance(digest, bytes | bytearray) and len(digest) == HASH_BYTES
    ensure(ok, InvalidLeaf, "digest", digest, "a 32-byte hash")
    return bytes(digest)[::-1].hex()
