"""Every checker of notebook 01, both ways: it rejects the placeholder and plausible wrong
answers, and accepts correct solutions written in different styles."""

import hashlib

import pytest

from course.chain.hashing import double_sha256, sha256
from course.exercises.hashing_and_merkle_trees import (
    _proof_cases,
    check_flip_bit,
    check_leading_zero_bits,
    check_my_merkle_root,
    check_verify_inclusion,
)
from tests.exercises.both_ways import assert_checked_both_ways

# flip_bit ------------------------------------------------------------------------------------


def flip_bit_bytearray(data, bit_index):
    out = bytearray(data)
    out[bit_index // 8] ^= 0x80 >> (bit_index % 8)
    return bytes(out)


def flip_bit_as_integer(data, bit_index):
    number = int.from_bytes(data, "big") ^ (1 << (8 * len(data) - 1 - bit_index))
    return number.to_bytes(len(data), "big")


def flip_bit_lowest_first(data, bit_index):
    """Counts bits from the right of each byte: bit 0 is the lowest bit of data[0]."""
    out = bytearray(data)
    out[bit_index // 8] ^= 1 << (bit_index % 8)
    return bytes(out)


def flip_bit_from_the_end(data, bit_index):
    """Counts bits from the end of the data: bit 0 is the lowest bit of the last byte."""
    number = int.from_bytes(data, "big") ^ (1 << bit_index)
    return number.to_bytes(len(data), "big")


def set_bit_instead_of_flipping(data, bit_index):
    out = bytearray(data)
    out[bit_index // 8] |= 0x80 >> (bit_index % 8)
    return bytes(out)


def flip_whole_byte(data, bit_index):
    out = bytearray(data)
    out[bit_index // 8] ^= 0xFF
    return bytes(out)


# leading_zero_bits ---------------------------------------------------------------------------


def leading_zero_bits_integer(digest):
    return 8 * len(digest) - int.from_bytes(digest, "big").bit_length()


def leading_zero_bits_loop(digest):
    count = 0
    for byte in digest:
        if byte == 0:
            count += 8
            continue
        mask = 0x80
        while not byte & mask:
            count += 1
            mask >>= 1
        break
    return count


def leading_zero_bits_binary_text(digest):
    bits = "".join(f"{byte:08b}" for byte in digest)
    return len(bits) - len(bits.lstrip("0"))


def leading_zero_hex_digits_times_4(digest):
    text = digest.hex()
    return 4 * (len(text) - len(text.lstrip("0")))


def leading_zero_bytes_times_8(digest):
    text = digest.hex()
    return 8 * ((len(text) - len(text.lstrip("0"))) // 2)


def all_zero_bits(digest):
    return sum(8 - bin(byte).count("1") for byte in digest)


def assumes_256_bits(digest):
    return 256 - int.from_bytes(digest, "big").bit_length()


# my_merkle_root ------------------------------------------------------------------------------


def merkle_root_loop(leaves):
    level = list(leaves)
    while len(level) > 1:
        if len(level) % 2 == 1:
            level = level + [level[-1]]
        level = [double_sha256(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def merkle_root_recursive(leaves):
    if len(leaves) == 1:
        return leaves[0]
    padded = [*leaves, leaves[-1]] if len(leaves) % 2 else leaves
    pairs = zip(padded[::2], padded[1::2], strict=True)
    return merkle_root_recursive([hashlib.sha256(hashlib.sha256(a + b).digest()).digest()
                                  for a, b in pairs])


def merkle_root_promotes_the_odd_node(leaves):
    """No duplication: the odd last node moves up a level unchanged."""
    level = list(leaves)
    while len(level) > 1:
        parents = [double_sha256(level[i] + level[i + 1]) for i in range(0, len(level) - 1, 2)]
        level = parents + ([level[-1]] if len(level) % 2 else [])
    return level[0]


def merkle_root_single_sha256(leaves):
    level = list(leaves)
    while len(level) > 1:
        if len(level) % 2 == 1:
            level = level + [level[-1]]
        level = [sha256(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def merkle_root_pads_with_zeros(leaves):
    level = list(leaves)
    while len(level) > 1:
        if len(level) % 2 == 1:
            level = level + [bytes(32)]
        level = [double_sha256(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def merkle_root_duplicates_only_leaves(leaves):
    """Duplicates an odd last leaf, but forgets the rule on the levels above."""
    level = [*leaves, leaves[-1]] if len(leaves) % 2 and len(leaves) > 1 else list(leaves)
    while len(level) > 1:
        parents = [double_sha256(level[i] + level[i + 1]) for i in range(0, len(level) - 1, 2)]
        level = parents + ([level[-1]] if len(level) % 2 else [])
    return level[0]


def merkle_root_mutating_its_input(leaves):
    """Right root, but appends the duplicate to the caller's list."""
    level = leaves
    while len(level) > 1:
        if len(level) % 2 == 1:
            level.append(level[-1])
        level = [double_sha256(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def merkle_root_as_hex(leaves):
    return merkle_root_loop(leaves).hex()


# verify_inclusion ----------------------------------------------------------------------------


def verify_loop(leaf, proof, root):
    node = leaf
    for step in proof.steps:
        pair = step.sibling + node if step.sibling_on_left else node + step.sibling
        node = double_sha256(pair)
    return node == root


def verify_also_checks_the_index_bits(leaf, proof, root):
    node = leaf
    for level, step in enumerate(proof.steps):
        if step.sibling_on_left != bool((proof.leaf_index >> level) & 1):
            return False
        left, right = (step.sibling, node) if step.sibling_on_left else (node, step.sibling)
        node = hashlib.sha256(hashlib.sha256(left + right).digest()).digest()
    return bool(node == root)


def verify_ignoring_the_side(leaf, proof, root):
    node = leaf
    for step in proof.steps:
        node = double_sha256(node + step.sibling)
    return node == root


def verify_sorted_pairs(leaf, proof, root):
    """OpenZeppelin-style sorted pairs: right for some trees, not for Bitcoin's."""
    node = leaf
    for step in proof.steps:
        node = double_sha256(min(node, step.sibling) + max(node, step.sibling))
    return node == root


def verify_single_sha256(leaf, proof, root):
    node = leaf
    for step in proof.steps:
        node = sha256(step.sibling + node if step.sibling_on_left else node + step.sibling)
    return node == root


def verify_top_down(leaf, proof, root):
    node = leaf
    for step in reversed(proof.steps):
        node = double_sha256(step.sibling + node if step.sibling_on_left else node + step.sibling)
    return node == root


def verify_returns_hex_comparison_as_text(leaf, proof, root):
    return "yes" if verify_loop(leaf, proof, root) else "no"


CASES = [
    (check_flip_bit, [flip_bit_bytearray, flip_bit_as_integer],
     [flip_bit_lowest_first, flip_bit_from_the_end, set_bit_instead_of_flipping,
      flip_whole_byte, lambda data, bit: data]),
    (check_leading_zero_bits,
     [leading_zero_bits_integer, leading_zero_bits_loop, leading_zero_bits_binary_text],
     [leading_zero_hex_digits_times_4, leading_zero_bytes_times_8, all_zero_bits,
      assumes_256_bits, lambda digest: str(leading_zero_bits_integer(digest))]),
    (check_my_merkle_root, [merkle_root_loop, merkle_root_recursive],
     [merkle_root_promotes_the_odd_node, merkle_root_single_sha256, merkle_root_pads_with_zeros,
      merkle_root_duplicates_only_leaves, merkle_root_mutating_its_input, merkle_root_as_hex,
      lambda leaves: leaves[0]]),
    (check_verify_inclusion, [verify_loop, verify_also_checks_the_index_bits],
     [verify_ignoring_the_side, verify_sorted_pairs, verify_single_sha256, verify_top_down,
      verify_returns_hex_comparison_as_text, lambda leaf, proof, root: True,
      lambda leaf, proof, root: False]),
]


@pytest.mark.parametrize("check, solutions, wrong_answers", CASES,
                         ids=lambda c: getattr(c, "name", ""))
def test_checker_works_both_ways(check, solutions, wrong_answers):
    assert_checked_both_ways(check, solutions, wrong_answers)


def test_merkle_without_odd_leaf_duplication_is_told_about_the_odd_rule():
    outcome = check_my_merkle_root.check(merkle_root_promotes_the_odd_node)
    assert "my_merkle_root(3 leaves)" in outcome.message
    assert "pairs its LAST node with itself" in outcome.message


def test_merkle_with_a_single_sha256_is_told_to_hash_twice():
    outcome = check_my_merkle_root.check(merkle_root_single_sha256)
    assert "you hashed once" in outcome.message


def test_merkle_that_changes_the_callers_list_is_told_to_copy_it():
    outcome = check_my_merkle_root.check(merkle_root_mutating_its_input)
    assert "changed the list it was given" in outcome.message


def test_verification_ignoring_the_side_rejects_a_valid_proof_and_says_so():
    outcome = check_verify_inclusion.check(verify_ignoring_the_side)
    assert "a valid proof was rejected" in outcome.message
    assert "sibling_on_left" in outcome.message


def test_accepting_everything_is_caught_on_a_forged_proof():
    outcome = check_verify_inclusion.check(lambda leaf, proof, root: True)
    assert "a bad proof was accepted" in outcome.message


def test_flip_bit_in_the_wrong_order_is_told_which_bit_is_bit_0():
    outcome = check_flip_bit.check(flip_bit_lowest_first)
    assert "flip_bit(b'\\x00', 0) returned b'\\x01', expected b'\\x80'" in outcome.message


def test_every_forged_proof_fails_even_without_checking_the_leaf_index():
    """The checker's expectations do not depend on the index-bit rule of verify_proof, so a
    plain rehash-and-compare solution (what the notebook asks for) is judged fairly."""
    forged = [case for case in _proof_cases() if not case[0].startswith("the real")]
    assert len(forged) > 100
    assert not any(verify_loop(leaf, proof, root) for _, leaf, proof, root in forged)


def test_checks_are_named_after_their_variables_so_hints_point_to_them():
    from course.exercises import hashing_and_merkle_trees

    for name, value in vars(hashing_and_merkle_trees).items():
        if name.startswith("check_"):
            assert value.name == name.removeprefix("check_")
