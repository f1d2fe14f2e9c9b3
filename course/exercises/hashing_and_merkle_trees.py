"""Checks for notebook 01 (Hashing and Merkle trees): flip a bit, count leading zero bits,
build Bitcoin's Merkle root by hand, and verify an inclusion proof by hand."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import replace

from course.chain.hashing import double_sha256, sha256
from course.chain.merkle import (
    MerkleProof,
    merkle_proof,
    merkle_root,
    txid_to_internal,
    verify_proof,
)
from course.exercises import CheckFailed, Exercise, expect_function, expect_type

# Bitcoin mainnet block 100000: its four txids (as explorers print them) and its Merkle root.
BLOCK_100000_TXIDS = (
    "8c14f0db3df150123e6f3dbbf30f8b955a8249b62ac1d1ff16284aefa3d06d87",
    "fff2525b8931402dd09222c50775608f75787bd2b87e56995a7bdd30f79702c4",
    "6359f0868171b1d194cbee1af2f16ea598ae8fad666d9b012c8ed2b79a236ec4",
    "e9a66845e05d5abc0ad04ec80f774a7e585c6e8db975962d069a522137b80c1d",
)
BLOCK_100000_MERKLE_ROOT = "f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766"


def _short(data: bytes) -> str:
    """bytes as a short readable repr for messages: b'\\x80\\x00' or the first hex digits."""
    return repr(data) if len(data) <= 4 else f"{bytes(data[:4]).hex()}...({len(data)} bytes)"


def _random_bytes(rng: random.Random, size: int) -> bytes:
    return bytes(rng.getrandbits(8) for _ in range(size))


# Try it 1: flip one bit ---------------------------------------------------------------------


def _flipped(data: bytes, bit_index: int) -> bytes:
    """Bit 0 is the highest (leftmost) bit of data[0]; bit 8 the highest bit of data[1]."""
    out = bytearray(data)
    out[bit_index // 8] ^= 0x80 >> (bit_index % 8)
    return bytes(out)


def _test_flip_bit(answer: Callable[[bytes, int], bytes]) -> str:
    expect_function(answer, 2)
    rng = random.Random(1)
    cases = [(b"\x00", 0), (b"\x00", 7), (b"\xff", 0), (b"\x0f\xf0", 4), (b"\xff\x00", 8)]
    cases += [(b"hash", bit) for bit in range(32)]
    cases += [(_random_bytes(rng, 32), rng.randrange(256)) for _ in range(200)]
    for data, bit_index in cases:
        got = answer(data, bit_index)
        what = f"flip_bit({_short(data)}, {bit_index})"
        expect_type(got, (bytes, bytearray), what)
        expected = _flipped(data, bit_index)
        if bytes(got) != expected:
            raise CheckFailed(f"{what} returned {_short(bytes(got))}, expected "
                              f"{_short(expected)}. Bit 0 is the highest (leftmost) bit of "
                              "the first byte; bit 8 the highest bit of the second byte.")
    return (f"Right on {len(cases)} inputs. One flipped input bit is the smallest possible "
            "change: watch what it does to a hash.")


check_flip_bit = Exercise(
    name="flip_bit",
    goal="Write flip_bit(data, bit_index) that returns a copy of data with one bit flipped: "
    "bit 0 is the highest (leftmost) bit of data[0], bit 8 the highest bit of data[1].",
    hints=(
        "Bits are numbered from the first byte's leftmost (most significant) bit. Split"
        " bit_index into which byte (integer division by 8) and which bit inside it "
        "(the remainder, counted from the left), then flip that one bit with XOR and a "
        "one-bit mask. bytes cannot be changed in place: work on a bytearray copy.",
        "Flip bit 11 of b'\\x00\\x00': byte 11 // 8 = 1, position 11 % 8 = 3 from the "
        "left. The mask with a single 1 at position 3 from the left is 0b00010000 = "
        "0x10 (0x80 shifted right by 3). 0x00 XOR 0x10 = 0x10, so the result is "
        "b'\\x00\\x10'; XOR again with the same mask flips it back.",
    ),
    test=_test_flip_bit,
)


# Try it 2: leading zero bits ----------------------------------------------------------------


def _count_leading_zero_bits(digest: bytes) -> int:
    return 8 * len(digest) - int.from_bytes(digest, "big").bit_length()


def _test_leading_zero_bits(answer: Callable[[bytes], int]) -> str:
    expect_function(answer, 1)
    cases = [b"\x80", b"\x01", b"\x00\x0f", b"\x00\x00\x00\x00", b"\xff" * 32, b"\x00" * 32,
             b"\x00\x00\x01" + b"\xff" * 29, b"\x10" + b"\x00" * 31]
    cases += [sha256(f"block {n}".encode()) for n in range(1000)]  # a few start with 8+ zeros
    for digest in cases:
        got = answer(digest)
        what = f"leading_zero_bits({_short(digest)})"
        expect_type(got, int, what)
        expected = _count_leading_zero_bits(digest)
        if got != expected:
            raise CheckFailed(f"{what} returned {got}, expected {expected}. Count bits, not "
                              "hex digits or bytes, and stop at the first 1 bit.")
    return (f"Right on {len(cases)} inputs. A hash with k leading zero bits takes about 2**k "
            "tries to find: that is proof of work.")


check_leading_zero_bits = Exercise(
    name="leading_zero_bits",
    goal="Write leading_zero_bits(digest) that returns how many 0 bits the bytes start with, "
    "for bytes of any length (b'\\x01' -> 7, b'\\x00\\x0f' -> 12).",
    hints=(
        "Count zero bits from the left: each zero byte contributes 8, and the first "
        "non-zero byte contributes the zeros above its highest 1 bit. Python can also "
        "read all the bytes as one big-endian integer, whose bit_length() says where "
        "the highest 1 bit is.",
        "For b'\\x00\\x00\\x1f\\xff': two zero bytes give 16, and 0x1f = 0b00011111 starts "
        "with 3 zeros: 19 in all. Checked the other way: the 4 bytes hold 32 bits, and "
        "the number 0x00001fff needs 13 bits, so 32 - 13 = 19 leading zeros.",
    ),
    test=_test_leading_zero_bits,
)


# Try it 3: Bitcoin's Merkle root ------------------------------------------------------------


def _leaf_lists() -> list[list[bytes]]:
    """Small trees first (so a failure names the simplest case), then many random sizes."""
    rng = random.Random(3)
    made = [[double_sha256(f"tx {size}.{i}".encode()) for i in range(size)]
            for size in (1, 2, 4, 3, 5, 6, 7, 8)]
    made.append([txid_to_internal(txid) for txid in BLOCK_100000_TXIDS])
    made += [[_random_bytes(rng, 32) for _ in range(size)]
             for size in [*range(1, 34), 64, 100, 127]]
    return made


def _test_my_merkle_root(answer: Callable[[Sequence[bytes]], bytes]) -> str:
    expect_function(answer, 1)
    cases = _leaf_lists()
    for leaves in cases:
        given = list(leaves)
        got = answer(given)
        what = f"my_merkle_root({len(leaves)} {'leaf' if len(leaves) == 1 else 'leaves'})"
        expect_type(got, (bytes, bytearray), what)
        if given != leaves:
            raise CheckFailed(f"{what} changed the list it was given (now {len(given)} items): "
                              "work on a copy, e.g. level = list(leaves).")
        expected = merkle_root(leaves)
        if bytes(got) == expected:
            continue
        if len(leaves) == 1:
            raise CheckFailed(f"{what} returned {_short(bytes(got))}: the root of a single "
                              "leaf is that leaf itself.")
        if len(leaves) == 2 and bytes(got) == sha256(leaves[0] + leaves[1]):
            raise CheckFailed(f"{what}: you hashed once; Bitcoin's parent is "
                              "double_sha256(left + right), SHA-256 twice.")
        advice = ("a level with an odd number of nodes pairs its LAST node with itself."
                  if len(leaves) % 2 else "parent = double_sha256(left + right), level by level.")
        raise CheckFailed(f"{what} returned {_short(bytes(got))}, expected {_short(expected)}: "
                          f"{advice}")
    return (f"Your root matches Bitcoin's on {len(cases)} trees, from 1 to 127 leaves, "
            "including real block 100000.")


check_my_merkle_root = Exercise(
    name="my_merkle_root",
    references=(merkle_root,),
    goal="Write my_merkle_root(leaves) that returns Bitcoin's Merkle root of a list of 32-byte "
    "leaves: parent = double_sha256(left + right); a level with an odd number of nodes pairs "
    "its last node with itself; the root of one leaf is the leaf.",
    hints=(
        "A Merkle root is built level by level: pair up the nodes, hash each pair into "
        "a parent, and repeat on the parents until one node is left. Bitcoin's rule for"
        " an odd count: the last node is paired with itself. Work on a copy, never on "
        "the list you were given.",
        "On 5 leaves A B C D E: the count is odd, so E pairs with itself: parents AB, "
        "CD, EE. Three is odd again: AB CD EE EE gives ABCD and EEEE, then one parent "
        "of those two: the root. Pseudo-code: level = a copy of the leaves; repeat "
        "while the level has more than one node: if its length is odd, append its last "
        "node; replace it by the parents of positions (0, 1), (2, 3), ...; finally the "
        "single node left is the root.",
    ),
    test=_test_my_merkle_root,
)


# Try it 4: verify an inclusion proof --------------------------------------------------------


def _flip_first_bit(digest: bytes) -> bytes:
    return bytes([digest[0] ^ 0x80]) + digest[1:]


def _proof_cases() -> list[tuple[str, bytes, MerkleProof, bytes]]:
    """(description, leaf, proof, root): every real proof, then tampered ones (all False)."""
    cases = []
    for size in range(1, 18):
        leaves = [sha256(f"transaction {size}.{i}".encode()) for i in range(size)]
        root = merkle_root(leaves)
        for index in range(size):
            cases.append((f"the real proof of leaf {index} of {size}",
                          leaves[index], merkle_proof(leaves, index), root))
    block = [txid_to_internal(txid) for txid in BLOCK_100000_TXIDS]
    block_root = txid_to_internal(BLOCK_100000_MERKLE_ROOT)
    for index, leaf in enumerate(block):
        cases.append((f"the real proof of transaction {index} of block 100000",
                      leaf, merkle_proof(block, index), block_root))
    for size in (2, 5, 8, 16):  # sizes 8 and 16 have no duplicated nodes: every side matters
        leaves = [sha256(f"tampered {size}.{i}".encode()) for i in range(size)]
        root = merkle_root(leaves)
        for index in range(size):
            proof = merkle_proof(leaves, index)
            leaf = leaves[index]
            cases.append((f"leaf {index} of {size} with a wrong root",
                          leaf, proof, _flip_first_bit(root)))
            cases.append((f"a transaction not in the tree, with the proof of leaf {index} of "
                          f"{size}", sha256(b"not in the tree"), proof, root))
            for level, step in enumerate(proof.steps):
                steps = list(proof.steps)
                steps[level] = replace(step, sibling=_flip_first_bit(step.sibling))
                cases.append((f"leaf {index} of {size}, sibling {level} tampered with",
                              leaf, replace(proof, steps=tuple(steps)), root))
                if size in (8, 16):
                    steps[level] = replace(step, sibling_on_left=not step.sibling_on_left)
                    cases.append((f"leaf {index} of {size}, sibling {level} on the wrong side",
                                  leaf, replace(proof, steps=tuple(steps)), root))
    return cases


def _test_verify_inclusion(answer: Callable[[bytes, MerkleProof, bytes], bool]) -> str:
    expect_function(answer, 3)
    cases = _proof_cases()
    for description, leaf, proof, root in cases:
        got = answer(leaf, proof, root)
        expect_type(got, bool, f"verify_inclusion({description})")
        expected = verify_proof(leaf, proof, root)
        if got != expected:
            if expected:
                advice = ("a valid proof was rejected. For each step, hash sibling + node when "
                          "step.sibling_on_left is True, else node + sibling, with "
                          "double_sha256; then compare with the root.")
            else:
                advice = "a bad proof was accepted: the final hash must equal the root."
            raise CheckFailed(f"verify_inclusion({description}) returned {got}, expected "
                              f"{expected}: {advice}")
    real = sum(1 for case in cases if case[0].startswith("the real"))
    return (f"Right on {real} real proofs and {len(cases) - real} forged ones. A light client "
            "checks a payment with about log2(n) hashes: the whitepaper's §8.")


check_verify_inclusion = Exercise(
    name="verify_inclusion",
    references=(verify_proof,),
    goal="Write verify_inclusion(leaf, proof, root) that returns True exactly when hashing the "
    "leaf up through proof.steps ends at root.",
    hints=(
        "An inclusion proof is the list of siblings on the path from the leaf up to the"
        " root. Recompute the path: at each step hash your current node together with "
        "the sibling, in the order the step says (sibling on the left or on the right)."
        " The proof is good exactly when the last hash equals the root.",
        "By hand, for leaf C among A B C D: the proof is [D on the right, AB on the "
        "left]. Step 1: parent = H(C + D), because D is on the right. Step 2: parent = "
        "H(AB + CD), because AB is on the left. The final value is compared with the "
        "root: equal means 'included', anything else means a forged or mismatched "
        "proof.",
    ),
    test=_test_verify_inclusion,
)

