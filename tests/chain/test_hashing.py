"""Hash functions against published test vectors, plus the avalanche effect as a property."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.chain.hashing import (
    DIGEST_BITS,
    LengthMismatch,
    NotBytes,
    bits_differ,
    double_sha256,
    hex_digest,
    keccak256,
    sha256,
)

# FIPS 180-2, Appendix B (SHA-256 examples) and the NIST CAVP empty-message vector.
SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
SHA256_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
SHA256_TWO_BLOCKS = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
KECCAK256_EMPTY = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
SHA3_256_EMPTY = "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"


def test_sha256_matches_the_fips_180_2_vectors() -> None:
    assert sha256(b"abc").hex() == SHA256_ABC
    assert sha256(b"").hex() == SHA256_EMPTY
    message = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
    assert sha256(message).hex() == SHA256_TWO_BLOCKS


def test_hex_digest_is_sha256_in_lowercase_hex() -> None:
    assert hex_digest(b"abc") == SHA256_ABC
    assert hex_digest(b"") == SHA256_EMPTY


def test_double_sha256_is_sha256_of_sha256() -> None:
    assert double_sha256(b"abc") == sha256(bytes.fromhex(SHA256_ABC))
    # The Bitcoin wiki's worked example ("Protocol documentation", Hashes).
    expected = "9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50"
    assert double_sha256(b"hello").hex() == expected


def test_keccak256_of_empty_input_is_ethereums_empty_hash() -> None:
    assert keccak256(b"").hex() == KECCAK256_EMPTY


def test_keccak256_is_not_nist_sha3_256() -> None:
    assert hashlib.sha3_256(b"").hexdigest() == SHA3_256_EMPTY
    assert keccak256(b"").hex() != SHA3_256_EMPTY


def test_keccak256_gives_the_erc20_transfer_selector() -> None:
    # A Solidity function selector is the first 4 bytes of keccak256 of its signature.
    assert keccak256(b"transfer(address,uint256)")[:4].hex() == "a9059cbb"


def test_every_digest_is_32_bytes() -> None:
    for hash_function in (sha256, double_sha256, keccak256):
        assert len(hash_function(b"any input at all")) * 8 == DIGEST_BITS


def test_bytearray_and_memoryview_hash_like_bytes() -> None:
    assert sha256(bytearray(b"abc")) == sha256(memoryview(b"abc")) == sha256(b"abc")


def test_str_input_raises_not_bytes_with_an_encode_hint() -> None:
    with pytest.raises(NotBytes) as error:
        sha256("abc")  # type: ignore[arg-type]
    expected = "sha256 takes bytes; got str 'abc': encode it first, e.g. 'abc'.encode()"
    assert str(error.value) == expected


def test_hex_str_input_also_suggests_bytes_fromhex() -> None:
    with pytest.raises(NotBytes, match=r"bytes\.fromhex"):
        double_sha256(SHA256_ABC)  # type: ignore[arg-type]


@pytest.mark.parametrize("function", [sha256, double_sha256, keccak256, hex_digest])
@pytest.mark.parametrize(
    ("value", "hint"), [(42, r"got int 42: .*to_bytes"), (None, "got None"), ([1], "got list")]
)
def test_int_none_and_list_inputs_raise_not_bytes(function, value, hint) -> None:
    with pytest.raises(NotBytes, match=f"{function.__name__} takes bytes; {hint}"):
        function(value)


def test_not_bytes_is_a_type_error() -> None:
    assert issubclass(NotBytes, TypeError)


def test_bits_differ_counts_differing_bits() -> None:
    assert bits_differ(b"", b"") == 0
    assert bits_differ(b"\x00", b"\x00") == 0
    assert bits_differ(b"\x00", b"\x01") == 1
    assert bits_differ(b"\x00", b"\xff") == 8
    assert bits_differ(b"\x0f\xf0", b"\xff\xff") == 8
    assert bits_differ(bytes(32), b"\xff" * 32) == DIGEST_BITS


def test_bits_differ_rejects_inputs_of_different_lengths() -> None:
    with pytest.raises(LengthMismatch, match=r"len\(a\) = 1 and len\(b\) = 2"):
        bits_differ(b"\x00", b"\x00\x00")


def test_bits_differ_rejects_str() -> None:
    with pytest.raises(NotBytes, match="bits_differ takes bytes; got str"):
        bits_differ("ab", b"ab")  # type: ignore[arg-type]


def flip_bit(data: bytes, bit: int) -> bytes:
    """``data`` with bit number ``bit`` (0 = the most significant bit of byte 0) inverted."""
    flipped = bytearray(data)
    flipped[bit // 8] ^= 0x80 >> (bit % 8)
    return bytes(flipped)


@given(st.binary(min_size=1, max_size=64), st.data())
def test_flipping_one_input_bit_always_changes_the_digest(message, data) -> None:
    bit = data.draw(st.integers(0, len(message) * 8 - 1))
    assert bits_differ(flip_bit(message, bit), message) == 1
    assert bits_differ(sha256(flip_bit(message, bit)), sha256(message)) > 0


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=8, max_size=64))
@pytest.mark.parametrize("hash_function", [sha256, keccak256])
def test_flipping_one_input_bit_changes_about_half_the_output_bits(hash_function, message):
    # Flip every input bit in turn (64 to 512 flips). Each flip changes a Binomial(256, 1/2)
    # number of output bits: mean 128, standard deviation 8, so the mean over at least
    # 64 flips stays within 128 +- 10 with overwhelming probability.
    original = hash_function(message)
    changes = [
        bits_differ(hash_function(flip_bit(message, bit)), original)
        for bit in range(len(message) * 8)
    ]
    assert 118 <= sum(changes) / len(changes) <= 138
