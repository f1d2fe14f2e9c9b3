"""Merkle trees by Bitcoin's rules, checked against a real block and by properties."""

from __future__ import annotations

import math
from dataclasses import replace
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course.chain.hashing import NotBytes, double_sha256, sha256
from course.chain.merkle import (
    EmptyTree,
    InvalidLeaf,
    LeafIndexOutOfRange,
    MerkleProof,
    ProofStep,
    internal_to_txid,
    merkle_levels,
    merkle_proof,
    merkle_proofs,
    merkle_root,
    txid_to_internal,
    verify_proof,
)

# Bitcoin mainnet block 100000 (hash 000000000003ba27...1a8250506), as block explorers show it.
BLOCK_100000_TXIDS = [
    "8c14f0db3df150123e6f3dbbf30f8b955a8249b62ac1d1ff16284aefa3d06d87",
    "fff2525b8931402dd09222c50775608f75787bd2b87e56995a7bdd30f79702c4",
    "6359f0868171b1d194cbee1af2f16ea598ae8fad666d9b012c8ed2b79a236ec4",
    "e9a66845e05d5abc0ad04ec80f774a7e585c6e8db975962d069a522137b80c1d",
]
BLOCK_100000_MERKLE_ROOT = "f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766"

hashes = st.binary(min_size=32, max_size=32)
leaf_lists = st.lists(hashes, min_size=1, max_size=40)


def make_leaves(count: int) -> list[bytes]:
    return [sha256(f"transaction {i}".encode()) for i in range(count)]


def flip_first_bit(digest: bytes) -> bytes:
    return bytes([digest[0] ^ 0x80]) + digest[1:]


def test_block_100000_transactions_reproduce_its_merkle_root() -> None:
    leaves = [txid_to_internal(txid) for txid in BLOCK_100000_TXIDS]
    assert internal_to_txid(merkle_root(leaves)) == BLOCK_100000_MERKLE_ROOT


def test_block_100000_root_is_wrong_without_the_byte_reversal() -> None:
    leaves = [bytes.fromhex(txid) for txid in BLOCK_100000_TXIDS]
    assert internal_to_txid(merkle_root(leaves)) != BLOCK_100000_MERKLE_ROOT
    assert merkle_root(leaves).hex() != BLOCK_100000_MERKLE_ROOT


def test_every_block_100000_transaction_has_a_valid_proof() -> None:
    leaves = [txid_to_internal(txid) for txid in BLOCK_100000_TXIDS]
    root = txid_to_internal(BLOCK_100000_MERKLE_ROOT)
    for index, leaf in enumerate(leaves):
        assert verify_proof(leaf, merkle_proof(leaves, index), root)


def test_txid_display_order_is_the_internal_bytes_reversed() -> None:
    internal = txid_to_internal(BLOCK_100000_TXIDS[0])
    assert internal == bytes.fromhex(BLOCK_100000_TXIDS[0])[::-1]
    assert internal_to_txid(internal) == BLOCK_100000_TXIDS[0]


def test_root_of_a_single_leaf_is_the_leaf_itself() -> None:
    (leaf,) = make_leaves(1)
    assert merkle_root([leaf]) == leaf


def test_root_of_two_leaves_is_the_double_sha256_of_their_concatenation() -> None:
    a, b = make_leaves(2)
    assert merkle_root([a, b]) == double_sha256(a + b)


def test_an_odd_level_pairs_its_last_node_with_itself() -> None:
    a, b, c = make_leaves(3)
    assert merkle_root([a, b, c]) == double_sha256(double_sha256(a + b) + double_sha256(c + c))


def test_duplicating_the_last_leaf_keeps_the_root_cve_2012_2459_mutation() -> None:
    a, b, c = make_leaves(3)
    assert merkle_root([a, b, c]) == merkle_root([a, b, c, c])
    leaves = make_leaves(5)  # levels 5 -> 3 -> 2 -> 1 and 6 -> 3 -> 2 -> 1 are the same above
    assert merkle_root(leaves) == merkle_root([*leaves, leaves[4]])


def test_merkle_root_does_not_modify_the_callers_list() -> None:
    leaves = make_leaves(3)
    merkle_root(leaves)
    assert leaves == make_leaves(3)


def test_merkle_levels_go_from_the_leaves_up_to_the_root() -> None:
    leaves = make_leaves(5)
    levels = merkle_levels(leaves)
    assert [len(level) for level in levels] == [5, 3, 2, 1]
    assert levels[0] == leaves
    assert levels[-1] == [merkle_root(leaves)]
    assert levels[1][2] == double_sha256(leaves[4] + leaves[4])


@pytest.mark.parametrize("count", range(1, 18))
def test_every_proof_verifies_for_trees_of_1_to_17_leaves(count: int) -> None:
    leaves = make_leaves(count)
    root = merkle_root(leaves)
    for index, leaf in enumerate(leaves):
        proof = merkle_proof(leaves, index)
        assert proof.leaf_index == index
        assert len(proof.steps) == math.ceil(math.log2(count))
        assert verify_proof(leaf, proof, root)


@pytest.fixture
def tree() -> tuple[list[bytes], bytes]:
    leaves = make_leaves(7)
    return leaves, merkle_root(leaves)


def test_a_proof_fails_for_a_wrong_leaf(tree) -> None:
    leaves, root = tree
    assert not verify_proof(sha256(b"not in the tree"), merkle_proof(leaves, 3), root)


def test_a_proof_fails_for_a_wrong_root(tree) -> None:
    leaves, root = tree
    assert not verify_proof(leaves[3], merkle_proof(leaves, 3), flip_first_bit(root))


def test_a_proof_fails_when_any_sibling_is_tampered_with(tree) -> None:
    leaves, root = tree
    proof = merkle_proof(leaves, 3)
    for level, step in enumerate(proof.steps):
        tampered = replace(step, sibling=flip_first_bit(step.sibling))
        steps = proof.steps[:level] + (tampered,) + proof.steps[level + 1:]
        assert not verify_proof(leaves[3], replace(proof, steps=steps), root)


def test_a_proof_for_another_index_fails(tree) -> None:
    leaves, root = tree
    for index in range(len(leaves)):
        for other in range(len(leaves)):
            if other != index:
                assert not verify_proof(leaves[index], merkle_proof(leaves, other), root)


def test_a_proof_with_a_relabelled_leaf_index_fails(tree) -> None:
    leaves, root = tree
    proof = merkle_proof(leaves, 2)
    assert not verify_proof(leaves[2], replace(proof, leaf_index=3), root)
    assert not verify_proof(leaves[2], replace(proof, leaf_index=2 + 8), root)


def test_a_proof_with_a_swapped_side_fails(tree) -> None:
    leaves, root = tree
    proof = merkle_proof(leaves, 2)
    first = replace(proof.steps[0], sibling_on_left=not proof.steps[0].sibling_on_left)
    assert not verify_proof(leaves[2], replace(proof, steps=(first, *proof.steps[1:])), root)


def test_a_malformed_proof_returns_false_instead_of_raising(tree) -> None:
    leaves, root = tree
    proof = merkle_proof(leaves, 3)
    short_sibling = (ProofStep(b"\x00" * 5, sibling_on_left=True), *proof.steps[1:])
    assert not verify_proof(leaves[3], replace(proof, steps=short_sibling), root)
    assert not verify_proof(leaves[3], replace(proof, leaf_index=-1), root)
    assert not verify_proof(leaves[3], replace(proof, steps=()), root)
    assert not verify_proof(leaves[3], replace(proof, steps=("junk",)), root)  # type: ignore[arg-type]
    assert not verify_proof(leaves[3], "not a proof", root)  # type: ignore[arg-type]
    assert not verify_proof(leaves[3][:31], proof, root)


def test_verify_proof_rejects_a_hex_str_root_with_a_hint(tree) -> None:
    leaves, root = tree
    with pytest.raises(NotBytes, match=r"root takes bytes; got str .*bytes\.fromhex"):
        verify_proof(leaves[0], merkle_proof(leaves, 0), root.hex())  # type: ignore[arg-type]


def test_an_empty_list_of_leaves_is_an_empty_tree() -> None:
    with pytest.raises(EmptyTree, match="at least one leaf"):
        merkle_root([])
    with pytest.raises(EmptyTree):
        merkle_proof([], 0)


def test_a_31_byte_leaf_is_invalid_and_named_by_position() -> None:
    leaves = make_leaves(3)
    leaves[1] = leaves[1][:31]
    named = r"leaves\[1\] \(bytes, 31 bytes\) must be a 32-byte hash"
    with pytest.raises(InvalidLeaf, match=named):
        merkle_root(leaves)


def test_a_str_leaf_is_invalid() -> None:
    named = r"leaves\[0\] \(str, not bytes\) must be a 32-byte hash.*got 'abc'"
    with pytest.raises(InvalidLeaf, match=named):
        merkle_root(["abc"])  # type: ignore[list-item]


def test_a_single_bytes_object_instead_of_a_list_is_invalid() -> None:
    with pytest.raises(InvalidLeaf, match=r"wrap it in a list"):
        merkle_root(make_leaves(1)[0])


@pytest.mark.parametrize("index", [4, 100, -1, -4])
def test_a_proof_index_outside_the_tree_is_out_of_range(index: int) -> None:
    named = r"index \(the leaf to prove; the tree has 4 leaves\) must be an integer in \[0, 3\]"
    with pytest.raises(LeafIndexOutOfRange, match=rf"{named}, got {index}$"):
        merkle_proof(make_leaves(4), index)


def test_a_non_integer_proof_index_is_out_of_range() -> None:
    with pytest.raises(LeafIndexOutOfRange, match="index .* got '1'"):
        merkle_proof(make_leaves(4), "1")  # type: ignore[arg-type]


@pytest.mark.parametrize("txid", ["ab" * 31, "ab" * 33, "zz" * 32, ""])
def test_a_txid_that_is_not_64_hex_characters_is_invalid(txid: str) -> None:
    with pytest.raises(InvalidLeaf, match=r"txid_hex must be 64 hex characters \(a txid"):
        txid_to_internal(txid)


def test_internal_to_txid_needs_32_bytes() -> None:
    with pytest.raises(InvalidLeaf, match="must be a 32-byte hash"):
        internal_to_txid(b"\x00" * 31)


@given(leaf_lists, st.data())
def test_any_proof_from_any_tree_verifies(leaves, data) -> None:
    index = data.draw(st.integers(0, len(leaves) - 1))
    proof = merkle_proof(leaves, index)
    assert verify_proof(leaves[index], proof, merkle_root(leaves))
    assert len(proof.steps) == (len(leaves) - 1).bit_length()  # ceil(log2(n)) in integers


@given(leaf_lists, st.data())
def test_changing_any_leaf_changes_the_root(leaves, data) -> None:
    index = data.draw(st.integers(0, len(leaves) - 1))
    changed = [*leaves[:index], flip_first_bit(leaves[index]), *leaves[index + 1:]]
    assert merkle_root(changed) != merkle_root(leaves)


@given(leaf_lists)
def test_the_levels_shrink_by_half_rounded_up_until_the_root(leaves) -> None:
    sizes = [len(level) for level in merkle_levels(leaves)]
    assert sizes[-1] == 1
    assert all(above == (below + 1) // 2 for below, above in pairwise(sizes))


@given(hashes)
def test_txid_conversion_round_trips(digest) -> None:
    assert txid_to_internal(internal_to_txid(digest)) == digest


def test_merkle_proof_is_a_frozen_record() -> None:
    proof = MerkleProof(0, ())
    with pytest.raises(AttributeError):
        proof.leaf_index = 1  # type: ignore[misc]


@given(leaf_lists)
def test_many_proofs_at_once_are_the_proofs_one_at_a_time(leaves) -> None:
    indices = list(range(len(leaves)))[::-1]
    assert merkle_proofs(leaves, indices) == [merkle_proof(leaves, i) for i in indices]
    with pytest.raises(LeafIndexOutOfRange):
        merkle_proofs(leaves, [len(leaves)])
    with pytest.raises(LeafIndexOutOfRange, match="a list of leaf positions"):
        merkle_proofs(leaves, 0)
