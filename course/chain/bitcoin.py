"""Real Bitcoin: read 80-byte block headers, check their proof of work, retarget the difficulty.

The rules follow Bitcoin Core (``primitives/block.h``, ``arith_uint256.cpp``, ``pow.cpp``)
byte for byte, with nothing but ``hashlib``. Hashes are written the way block explorers show
them: the double SHA-256 digest reversed, as 64 hex characters (big-endian).

The shipped file ``data/bitcoin_mainnet_headers.txt`` holds real mainnet headers, one
``<height> <160 hex characters>`` line each; lines starting with ``#`` are comments.
Taught in notebook 04 (the real genesis block and a retarget, checked by the learner's code).
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass
from importlib import resources
from typing import cast

from course.chain.errors import InvalidChainInput
from course.errors import CourseError
from course.validation import ensure, ensure_instance, ensure_int, fail, is_integer

HEADER_SIZE = 80
HEADERS_FILE = "bitcoin_mainnet_headers.txt"
POW_LIMIT = 0xFFFF << 208  # 0x00000000ffff0000...0000: the easiest target mainnet allows
POW_LIMIT_BITS = 0x1D00FFFF  # the same limit in compact form ("difficulty 1")
RETARGET_INTERVAL = 2016  # blocks between two difficulty changes
TARGET_TIMESPAN = 14 * 24 * 60 * 60  # two weeks: 2016 blocks at ten minutes each

# version (int32), prev_hash, merkle_root (32 bytes each), timestamp, bits, nonce (uint32):
# every number little-endian, every hash in the byte order SHA-256 produced it (reversed on screen).
_HEADER_LAYOUT = struct.Struct("<i32s32sIII")
UINT32 = "an integer in 0 .. 2**32 - 1 (4 unsigned bytes)"
INT32 = "an integer in -2**31 .. 2**31 - 1 (4 signed bytes)"
_HASH_HEX = re.compile(r"[0-9a-fA-F]{64}")
_FILE_NAME = re.compile(r"[\w.-]+")  # a plain file name: no folders, no odd characters


class MalformedHeader(InvalidChainInput):
    """Raw header bytes, or a header field, that Bitcoin's 80-byte format cannot hold."""


class InvalidCompactBits(InvalidChainInput):
    """A compact ``bits`` value Bitcoin Core rejects: not 32 bits, negative, or overflowing."""


class InvalidTarget(InvalidChainInput):
    """A target that is not a whole number a 256-bit hash can be compared with."""


class InvalidTimestamp(InvalidChainInput):
    """A block time that does not fit the header's 32-bit seconds-since-1970 field."""


class HeaderChainError(InvalidChainInput):
    """A list of headers that is not a valid chain."""


class EmptyHeaderChain(HeaderChainError):
    """No headers at all: there is nothing to verify."""


class BrokenLink(HeaderChainError):
    """A header whose ``prev_hash`` is not the hash of the header before it."""


class InsufficientWork(HeaderChainError):
    """A header whose hash is above its target, or whose target is above the proof-of-work limit."""


class UnknownHeaderFile(InvalidChainInput, FileNotFoundError):
    """No data file of that name ships with the course."""


def _check_field(value: object, name: str, low: int, high: int, rule: str,
                 error: type[CourseError]) -> int:
    """A header field: an integer that fits its bytes (``rule`` says which)."""
    number = cast(int, value)  # an integer once is_integer says so
    if not is_integer(value) or not low <= number <= high:
        fail(error, name, value, rule)
    return int(number)


def _check_uint32(value: object, name: str, error: type[CourseError]) -> int:
    return _check_field(value, name, 0, 2**32 - 1, UINT32, error)


def _require_raw_header(raw80: object, where: str = "raw header") -> bytes:
    """Return ``raw80`` as bytes if it is exactly one 80-byte header, else raise MalformedHeader."""
    ensure(not isinstance(raw80, str), MalformedHeader, where, raw80,
           "bytes, not text: convert hex with bytes.fromhex()")
    if not isinstance(raw80, bytes | bytearray):
        fail(MalformedHeader, where, raw80, "bytes")
    if len(raw80) != HEADER_SIZE:
        raise MalformedHeader(f"{where} must be exactly {HEADER_SIZE} bytes, "
                              f"got {len(raw80)} bytes")
    return bytes(raw80)


@dataclass(frozen=True)
class BitcoinHeader:
    """The six fields of a Bitcoin block header; hashes big-endian hex, as explorers show them."""

    version: int
    prev_hash: str
    merkle_root: str
    timestamp: int
    bits: int
    nonce: int

    def __post_init__(self) -> None:
        _check_field(self.version, "version", -(2**31), 2**31 - 1, INT32, MalformedHeader)
        for name in ("prev_hash", "merkle_root"):
            value = getattr(self, name)
            ensure(isinstance(value, str) and _HASH_HEX.fullmatch(value) is not None,
                   MalformedHeader, name, value, "64 hex characters (a 32-byte hash)")
        for name in ("timestamp", "bits", "nonce"):
            _check_uint32(getattr(self, name), name, MalformedHeader)


def parse_header(raw80: bytes) -> BitcoinHeader:
    """Read the six little-endian fields of an 80-byte header."""
    fields = _HEADER_LAYOUT.unpack(_require_raw_header(raw80))
    version, prev, merkle, timestamp, bits, nonce = fields
    return BitcoinHeader(version, prev[::-1].hex(), merkle[::-1].hex(), timestamp, bits, nonce)


def serialize_header(header: BitcoinHeader) -> bytes:
    """Write a header back to the exact 80 bytes that miners hash (the inverse of parse_header)."""
    ensure_instance(header, "header", BitcoinHeader, error=MalformedHeader)
    prev = bytes.fromhex(header.prev_hash)[::-1]
    merkle = bytes.fromhex(header.merkle_root)[::-1]
    return _HEADER_LAYOUT.pack(header.version, prev, merkle, header.timestamp, header.bits,
                               header.nonce)


def header_hash(raw80: bytes) -> str:
    """The block hash: SHA-256 of SHA-256 of the 80 bytes, reversed to big-endian hex."""
    digest = hashlib.sha256(hashlib.sha256(_require_raw_header(raw80)).digest()).digest()
    return digest[::-1].hex()


def bits_to_target(bits: int) -> int:
    """Expand compact ``bits`` (1 size byte, 3 mantissa bytes) to the target, as SetCompact."""
    bits = _check_uint32(bits, "bits", InvalidCompactBits)
    size = bits >> 24  # how many bytes the target is long
    mantissa = bits & 0x007FFFFF  # its leading 3 bytes, without the sign bit
    if size <= 3:
        mantissa >>= 8 * (3 - size)
        target = mantissa
    else:
        target = mantissa << 8 * (size - 3)
    if mantissa != 0 and bits & 0x00800000:
        raise InvalidCompactBits(
            f"bits 0x{bits:08x} has the sign bit 0x00800000 set: a negative target, never valid"
        )
    if mantissa != 0 and (size > 34 or (mantissa > 0xFF and size > 33)
                          or (mantissa > 0xFFFF and size > 32)):
        raise InvalidCompactBits(
            f"bits 0x{bits:08x} overflows: mantissa 0x{mantissa:x} shifted to {size} bytes "
            "does not fit in 256 bits"
        )
    return target


def target_to_bits(target: int) -> int:
    """Compress a target to compact bits as GetCompact: 3 leading bytes, never the sign bit."""
    target = _check_field(target, "target", 0, 2**256 - 1, "an integer in 0 .. 2**256 - 1",
                          InvalidTarget)
    size = (target.bit_length() + 7) // 8
    # keep the target's 3 leading bytes; whatever lies below them is rounded off
    mantissa = target << 8 * (3 - size) if size <= 3 else target >> 8 * (size - 3)
    if mantissa & 0x00800000:  # would read back as negative: give one byte to the size instead
        mantissa >>= 8
        size += 1
    return size << 24 | mantissa


def check_proof_of_work(raw80: bytes) -> bool:
    """True when the header's hash, read as a number, is at most the target its bits encode.

    As Bitcoin Core's CheckProofOfWork, a zero, negative or overflowing target, or one easier
    than the mainnet limit (bits 0x1d00ffff), is never enough work.
    """
    bits = parse_header(raw80).bits
    try:
        target = bits_to_target(bits)
    except InvalidCompactBits:
        return False
    if target == 0 or target > POW_LIMIT:
        return False
    return int(header_hash(raw80), 16) <= target


def next_bits(bits: int, first_time: int, last_time: int) -> int:
    """The bits of the first block after a 2016-block window, as CalculateNextWorkRequired.

    ``first_time`` and ``last_time`` are the timestamps of the window's first and last blocks:
    2015 intervals, not 2016 (Satoshi's off-by-one, kept for ever by consensus). The measured
    time is clamped to [two weeks / 4, two weeks * 4], and the target never gets easier than
    the proof-of-work limit.
    """
    old_target = bits_to_target(bits)
    first_time = _check_uint32(first_time, "first_time", InvalidTimestamp)
    last_time = _check_uint32(last_time, "last_time", InvalidTimestamp)
    actual_timespan = last_time - first_time
    actual_timespan = max(TARGET_TIMESPAN // 4, min(actual_timespan, TARGET_TIMESPAN * 4))
    new_target = old_target * actual_timespan // TARGET_TIMESPAN
    return target_to_bits(min(new_target, POW_LIMIT))


def verify_header_chain(raws: list[bytes], first_height: int = 0) -> None:
    """Check every header's proof of work and that each names the one before it as its parent.

    Raises:
        EmptyHeaderChain, MalformedHeader, BrokenLink or InsufficientWork, naming the height
        (``first_height`` + index) of the first header that breaks a rule.
    """
    ensure_instance(raws, "raws", list | tuple, rule="a list of 80-byte headers",
                    error=MalformedHeader)
    ensure(len(raws) > 0, EmptyHeaderChain, "raws", raws, "at least one 80-byte header")
    ensure_int(first_height, "first_height", minimum=0, meaning="the height of raws[0]",
               error=HeaderChainError)
    previous_hash = None
    for index, raw in enumerate(raws):
        where = f"header at height {first_height + index} (index {index})"
        header = parse_header(_require_raw_header(raw, where))
        if previous_hash is not None and header.prev_hash != previous_hash:
            raise BrokenLink(
                f"{where} has prev_hash {header.prev_hash}, but the header before it hashes to "
                f"{previous_hash}"
            )
        if not check_proof_of_work(raw):
            raise InsufficientWork(
                f"{where} hashes to {header_hash(raw)}, which is above the target of its bits "
                f"0x{header.bits:08x} (or that target is easier than the limit 0x1d00ffff)"
            )
        previous_hash = header_hash(raw)


def load_headers_by_height(name: str = HEADERS_FILE) -> dict[int, bytes]:
    """Read a shipped ``<height> <hex>`` file into {height: raw 80-byte header}, in file order."""
    data_dir = resources.files("course.chain").joinpath("data")
    plain_name = isinstance(name, str) and _FILE_NAME.fullmatch(name) is not None
    if not plain_name or not data_dir.joinpath(name).is_file():
        shipped = sorted(entry.name for entry in data_dir.iterdir() if entry.name.endswith(".txt"))
        raise UnknownHeaderFile(f"no header file {name!r} in course/chain/data; shipped: {shipped}")
    headers: dict[int, bytes] = {}
    for line_number, line in enumerate(data_dir.joinpath(name).read_text().splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{name} line {line_number}"
        height_text, _, hex_text = line.strip().partition(" ")
        try:
            height, raw = int(height_text), bytes.fromhex(hex_text.strip())
        except ValueError:
            raise MalformedHeader(f"{where}: expected '<height> <160 hex characters>'") from None
        if height in headers:
            raise MalformedHeader(f"{where}: height {height} appears twice")
        headers[height] = _require_raw_header(raw, where)
    return headers


def load_headers(name: str = HEADERS_FILE) -> list[bytes]:
    """Every raw header in a shipped data file, in file order (heights: load_headers_by_height)."""
    return list(load_headers_by_height(name).values())
