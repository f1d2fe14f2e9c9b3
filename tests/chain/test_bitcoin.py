"""Real Bitcoin headers and Bitcoin Core's compact-target and retarget rules.

Primary sources: real mainnet headers (shipped in course/chain/data), the vectors of Bitcoin
Core's src/test/arith_uint256_tests.cpp (SetCompact / GetCompact), and the mainnet's first
difficulty change at height 32256 (bits 0x1d00d86a).
"""

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course.chain.bitcoin import (
    POW_LIMIT,
    POW_LIMIT_BITS,
    TARGET_TIMESPAN,
    BitcoinHeader,
    BrokenLink,
    EmptyHeaderChain,
    InsufficientWork,
    InvalidCompactBits,
    InvalidTarget,
    InvalidTimestamp,
    MalformedHeader,
    UnknownHeaderFile,
    bits_to_target,
    check_proof_of_work,
    header_hash,
    load_headers,
    load_headers_by_height,
    next_bits,
    parse_header,
    serialize_header,
    target_to_bits,
    verify_header_chain,
)

GENESIS_HEX = (
    "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b2"
    "7ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c"
)
GENESIS = bytes.fromhex(GENESIS_HEX)
GENESIS_HASH = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
NONCE_OFFSET = 76  # the nonce is the last 4 bytes of the header

HEADERS = load_headers_by_height()
FIRST_ELEVEN = [HEADERS[height] for height in range(11)]


def with_byte_flipped(raw: bytes, offset: int, mask: int = 0x01) -> bytes:
    changed = bytearray(raw)
    changed[offset] ^= mask
    return bytes(changed)


# --- headers: bytes <-> fields <-> hash ------------------------------------------------------


def test_the_genesis_header_hashes_to_the_famous_genesis_hash():
    assert header_hash(GENESIS) == GENESIS_HASH


def test_the_genesis_header_parses_to_its_known_fields():
    genesis = parse_header(GENESIS)
    assert genesis == BitcoinHeader(
        version=1,
        prev_hash="00" * 32,
        merkle_root="4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b",
        timestamp=1231006505,  # 2009-01-03 18:15:05 UTC
        bits=0x1D00FFFF,
        nonce=2083236893,
    )


def test_block_one_names_the_genesis_hash_as_its_parent():
    assert parse_header(HEADERS[1]).prev_hash == GENESIS_HASH


def test_parse_then_serialize_gives_back_every_shipped_header():
    for raw in load_headers():
        assert serialize_header(parse_header(raw)) == raw


@given(st.binary(min_size=80, max_size=80))
def test_parse_then_serialize_gives_back_any_80_bytes(raw):
    assert serialize_header(parse_header(raw)) == raw


def test_the_shipped_file_holds_genesis_to_ten_and_the_first_retarget_window():
    assert sorted(HEADERS) == [*range(11), 30240, 32255, 32256]
    assert load_headers()[0] == GENESIS


# --- proof of work ----------------------------------------------------------------------------


def test_every_shipped_header_meets_its_own_target():
    assert all(check_proof_of_work(raw) for raw in load_headers())


def test_flipping_one_bit_of_the_nonce_breaks_the_proof_of_work():
    assert not check_proof_of_work(with_byte_flipped(GENESIS, NONCE_OFFSET))


def test_an_easy_regtest_target_is_above_the_mainnet_pow_limit():
    easy = BitcoinHeader(1, "00" * 32, "11" * 32, 1231006505, 0x207FFFFF, 0)
    nonce = 0
    while int(header_hash(serialize_header(easy)), 16) > bits_to_target(easy.bits):
        nonce += 1  # about one try in two meets a target this easy
        easy = BitcoinHeader(1, "00" * 32, "11" * 32, 1231006505, 0x207FFFFF, nonce)
    assert not check_proof_of_work(serialize_header(easy))


def test_the_pow_limit_is_difficulty_one():
    assert bits_to_target(POW_LIMIT_BITS) == POW_LIMIT == 0xFFFF * 2**208
    assert target_to_bits(POW_LIMIT) == 0x1D00FFFF


# --- chains of headers ------------------------------------------------------------------------


def test_the_first_eleven_mainnet_headers_verify_as_a_chain():
    verify_header_chain(FIRST_ELEVEN)


def test_the_first_retarget_block_verifies_on_top_of_its_parent():
    verify_header_chain([HEADERS[32255], HEADERS[32256]], first_height=32255)


def test_a_chain_with_a_missing_header_is_a_broken_link_at_that_height():
    gap = FIRST_ELEVEN[:2] + FIRST_ELEVEN[3:]
    with pytest.raises(BrokenLink, match="height 2 "):
        verify_header_chain(gap)


def test_a_chain_with_a_tampered_nonce_has_insufficient_work_at_that_height():
    tampered = list(FIRST_ELEVEN)
    tampered[5] = with_byte_flipped(tampered[5], NONCE_OFFSET)
    with pytest.raises(InsufficientWork, match="height 5 "):
        verify_header_chain(tampered)


def test_an_empty_chain_is_rejected():
    with pytest.raises(EmptyHeaderChain):
        verify_header_chain([])


def test_a_chain_with_a_short_header_names_its_height():
    with pytest.raises(MalformedHeader, match="height 3 .*80 bytes"):
        verify_header_chain(FIRST_ELEVEN[:3] + [FIRST_ELEVEN[3][:79]])


# --- compact bits: Bitcoin Core's arith_uint256_tests.cpp --------------------------------------


@pytest.mark.parametrize(
    "bits",
    [0, 0x00123456, 0x01003456, 0x02000056, 0x03000000, 0x04000000,
     0x00923456, 0x01803456, 0x02800056, 0x03800000, 0x04800000],
)
def test_compact_values_whose_mantissa_shifts_away_mean_target_zero(bits):
    assert bits_to_target(bits) == 0
    assert target_to_bits(0) == 0


@pytest.mark.parametrize(
    ("bits", "target", "compact_again"),
    [
        (0x01123456, 0x12, 0x01120000),
        (0x02123456, 0x1234, 0x02123400),
        (0x03123456, 0x123456, 0x03123456),
        (0x04123456, 0x12345600, 0x04123456),
        (0x05009234, 0x92340000, 0x05009234),
        (0x20123456, 0x123456 << 8 * 29, 0x20123456),
    ],
)
def test_compact_bits_expand_and_compress_as_bitcoin_core(bits, target, compact_again):
    assert bits_to_target(bits) == target
    assert target_to_bits(target) == compact_again


def test_a_target_with_its_top_bit_set_moves_a_byte_into_the_exponent():
    assert target_to_bits(0x80) == 0x02008000  # not 0x01800000, which would read as negative


@pytest.mark.parametrize("bits", [0x01FEDCBA, 0x04923456])
def test_compact_bits_with_the_sign_bit_are_rejected_as_negative(bits):
    with pytest.raises(InvalidCompactBits, match="negative"):
        bits_to_target(bits)


def test_compact_bits_beyond_256_bits_are_rejected_as_overflow():
    with pytest.raises(InvalidCompactBits, match="overflows"):
        bits_to_target(0xFF123456)


@given(st.integers(min_value=3, max_value=32), st.integers(min_value=0x8000, max_value=0x7FFFFF))
def test_normalized_compact_bits_survive_a_round_trip(size, mantissa):
    bits = size << 24 | mantissa
    assert target_to_bits(bits_to_target(bits)) == bits


@given(st.integers(min_value=1, max_value=2**256 - 1))
def test_compressing_a_target_only_rounds_it_down_and_never_sets_the_sign_bit(target):
    bits = target_to_bits(target)
    size = bits >> 24
    assert not bits & 0x00800000
    assert 0 <= target - bits_to_target(bits) < 256 ** max(size - 3, 0)


# --- retargeting: CalculateNextWorkRequired ----------------------------------------------------


def test_the_first_retarget_reproduces_the_real_bits_of_block_32256():
    first_time = parse_header(HEADERS[30240]).timestamp
    last_time = parse_header(HEADERS[32255]).timestamp
    assert next_bits(0x1D00FFFF, first_time, last_time) == 0x1D00D86A
    assert parse_header(HEADERS[32256]).bits == 0x1D00D86A


def test_measuring_2016_intervals_instead_of_2015_would_not_match_the_real_chain():
    first_time = parse_header(HEADERS[30240]).timestamp
    one_block_too_late = parse_header(HEADERS[32256]).timestamp
    assert next_bits(0x1D00FFFF, first_time, one_block_too_late) != 0x1D00D86A


def test_a_window_of_exactly_two_weeks_keeps_the_bits():
    assert next_bits(0x1B0404CB, 0, TARGET_TIMESPAN) == 0x1B0404CB


def test_a_slow_window_makes_the_target_at_most_four_times_easier():
    four_times = target_to_bits(bits_to_target(0x1B0404CB) * 4)
    assert next_bits(0x1B0404CB, 0, 4 * TARGET_TIMESPAN) == four_times
    assert next_bits(0x1B0404CB, 0, 10 * TARGET_TIMESPAN) == four_times


def test_a_fast_window_makes_the_target_at_most_four_times_harder():
    quarter = target_to_bits(bits_to_target(0x1B0404CB) // 4)
    assert next_bits(0x1B0404CB, 0, TARGET_TIMESPAN // 4) == quarter
    assert next_bits(0x1B0404CB, 0, 1) == quarter
    assert next_bits(0x1B0404CB, 1000, 0) == quarter  # time going backwards is clamped too


def test_a_slow_window_at_difficulty_one_stays_at_the_pow_limit():
    assert next_bits(0x1D00FFFF, 0, 2 * TARGET_TIMESPAN) == POW_LIMIT_BITS


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [GENESIS[:79], GENESIS + b"\x00", b""])
def test_a_header_that_is_not_80_bytes_is_malformed(raw):
    with pytest.raises(MalformedHeader, match=f"exactly 80 bytes, got {len(raw)}"):
        parse_header(raw)


def test_a_hex_string_instead_of_bytes_is_malformed_and_the_message_says_how_to_fix_it():
    with pytest.raises(MalformedHeader, match="bytes.fromhex"):
        header_hash(GENESIS_HEX)


def test_a_list_of_ints_instead_of_bytes_is_malformed():
    with pytest.raises(MalformedHeader, match=r"must be bytes, got \[1, 0, 0"):
        check_proof_of_work(list(GENESIS))


def test_malformed_header_is_a_value_error():
    assert issubclass(MalformedHeader, ValueError)


@pytest.mark.parametrize(
    ("field", "value"),
    [("prev_hash", "zz" * 32), ("merkle_root", "00"), ("timestamp", -1), ("bits", 2**32),
     ("nonce", 1.5), ("version", 2**31)],
)
def test_a_header_field_out_of_its_range_is_malformed_and_named(field, value):
    with pytest.raises(MalformedHeader, match=field):
        dataclasses.replace(parse_header(GENESIS), **{field: value})


def test_serializing_something_that_is_not_a_header_is_malformed():
    with pytest.raises(MalformedHeader, match="BitcoinHeader"):
        serialize_header(GENESIS)


@pytest.mark.parametrize("bits", [-1, 2**32, "0x1d00ffff", True])
def test_bits_that_are_not_a_32_bit_integer_are_rejected(bits):
    with pytest.raises(InvalidCompactBits, match="bits"):
        bits_to_target(bits)


@pytest.mark.parametrize("target", [-1, 2**256, 1.0])
def test_a_target_outside_256_bits_is_rejected(target):
    with pytest.raises(InvalidTarget, match="target"):
        target_to_bits(target)


def test_a_retarget_with_a_timestamp_that_is_not_a_32_bit_integer_is_rejected():
    with pytest.raises(InvalidTimestamp, match="last_time"):
        next_bits(0x1D00FFFF, 0, "two weeks")
    with pytest.raises(InvalidTimestamp, match="first_time"):
        next_bits(0x1D00FFFF, -5, 10)


def test_an_unknown_header_file_lists_the_shipped_ones():
    with pytest.raises(UnknownHeaderFile, match="bitcoin_mainnet_headers.txt"):
        load_headers("testnet.txt")
    with pytest.raises(UnknownHeaderFile):
        load_headers("../bitcoin.py")
