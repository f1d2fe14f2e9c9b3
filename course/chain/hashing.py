"""Cryptographic hash functions: the fingerprints every blockchain is built from.

A hash function maps any bytes to a fixed-size digest. It is deterministic, fast to
compute, infeasible to invert, and a one-bit change in the input flips about half of
the output bits (the *avalanche effect*). Bitcoin uses SHA-256 (applied twice);
Ethereum uses Keccak-256. The primitives come from libraries, never from this course:
``hashlib`` for SHA-256 and ``eth_hash`` for Keccak-256. Taught in notebook 01.
"""

from __future__ import annotations

import hashlib

from eth_hash.auto import keccak as _keccak

from course.chain.errors import InvalidChainInput
from course.errors import short_repr

DIGEST_BITS = 256  # every hash here has 32-byte (256-bit) digests
_BYTES_LIKE = (bytes, bytearray, memoryview)


class NotBytes(InvalidChainInput, TypeError):
    """A hash function was given something other than bytes (a str, an int, None...)."""

    @classmethod
    def describing(cls, function: str, value: object) -> NotBytes:
        """Build the error for ``function`` receiving ``value``, with a hint on how to fix it."""
        shown = short_repr(value, limit=40)
        if isinstance(value, str):
            hint = f"encode it first, e.g. {shown}.encode()"
            if len(value) == 64 and all(c in "0123456789abcdefABCDEF" for c in value):
                hint += f", or if it is a hex digest, bytes.fromhex({shown})"
        elif isinstance(value, int):
            hint = f"convert it first, e.g. ({shown}).to_bytes(32, 'big')"
        elif value is None:
            hint = "pass the bytes you want to hash"
        else:
            hint = "pass bytes"
        kind = "None" if value is None else f"{type(value).__name__} {shown}"
        return cls(f"{function} takes bytes; got {kind}: {hint}")


def _require_bytes(function: str, data: object) -> bytes:
    if not isinstance(data, _BYTES_LIKE):
        raise NotBytes.describing(function, data)
    return bytes(data)


def sha256(data: bytes) -> bytes:
    """SHA-256 (FIPS 180-4): the 32-byte digest of ``data``.

    Raises:
        NotBytes: ``data`` is not bytes (encode text first).
    """
    return hashlib.sha256(_require_bytes("sha256", data)).digest()


def double_sha256(data: bytes) -> bytes:
    """SHA-256 applied twice, ``sha256(sha256(data))``: Bitcoin's hash for blocks and txids.

    Raises:
        NotBytes: ``data`` is not bytes.
    """
    return sha256(sha256(_require_bytes("double_sha256", data)))


def keccak256(data: bytes) -> bytes:
    """Keccak-256: Ethereum's hash, used for addresses, function selectors and signatures.

    Careful: this is the original Keccak submission, NOT the NIST-standard SHA3-256
    (``hashlib.sha3_256``). NIST changed the padding, so the two give different digests
    for the same input: Ethereum fixed its hash before the standard was finished.

    Raises:
        NotBytes: ``data`` is not bytes.
    """
    return _keccak(_require_bytes("keccak256", data))


def hex_digest(data: bytes) -> str:
    """SHA-256 of ``data`` as 64 lowercase hex characters, the way digests are printed.

    Raises:
        NotBytes: ``data`` is not bytes.
    """
    return hashlib.sha256(_require_bytes("hex_digest", data)).hexdigest()


class LengthMismatch(InvalidChainInput):
    """Two byte strings that should be compared bit by bit have different lengths."""


def bits_differ(a: bytes, b: bytes) -> int:
    """How many bit positions differ between ``a`` and ``b`` (their Hamming distance).

    XOR leaves a 1 exactly where the two inputs disagree; counting the 1s counts the
    differences. For two unrelated 256-bit digests the answer is about 128.

    Raises:
        NotBytes: ``a`` or ``b`` is not bytes.
        LengthMismatch: ``a`` and ``b`` have different lengths.
    """
    a, b = _require_bytes("bits_differ", a), _require_bytes("bits_differ", b)
    if len(a) != len(b):
        raise LengthMismatch(
            f"bits_differ compares equal-length inputs; got len(a) = {len(a)} and "
            f"len(b) = {len(b)} bytes"
        )
    xor = int.from_bytes(a, "big") ^ int.from_bytes(b, "big")
    return xor.bit_count()
