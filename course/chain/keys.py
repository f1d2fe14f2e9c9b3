"""Keys, addresses and signatures: what a wallet is.

A private key is a secret number; the public key is that number times the secp256k1
generator point; the address is the last 20 bytes of keccak256(public key), written with
EIP-55 mixed-case checksum. A signature over a 32-byte digest lets anyone *recover* the
signer's address, which is how Ethereum checks who sent a transaction.

The elliptic-curve maths comes from eth-keys (backed by libsecp256k1 through coincurve),
message formats from eth-account and hashing from eth-utils: we never hand-roll crypto.
Error messages never print a private key, only its type or length. Sign-In with Ethereum
lives in ``course.chain.siwe``, BIP-39 mnemonics in ``course.chain.mnemonic``.
Taught in notebooks 02 (keys, signatures) and 03 (messages, SIWE, mnemonics); used by notebooks
04 and 05 (signed transactions) and 06 (validators).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import eth_utils
from eth_account import Account
from eth_account.messages import defunct_hash_message, encode_defunct
from eth_keys import keys
from eth_keys.datatypes import PrivateKey, PublicKey, Signature
from eth_keys.exceptions import BadSignature as EthKeysBadSignature

from course.chain.errors import InvalidChainInput
from course.validation import ensure, ensure_int, ensure_text, fail

SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
"""n, the number of points on the curve: private keys, r and s must lie in 1..n-1."""

MAX_INDEX = 2**31 - 1
"""The last unhardened BIP-32 child number: wallets count accounts 0, 1, 2... up to here."""

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


class InvalidKey(InvalidChainInput):
    """A seed, private key, mnemonic or derivation index that cannot make a wallet."""


class InvalidAddress(InvalidChainInput):
    """Not 0x + 40 hex digits, or mixed case whose EIP-55 checksum does not match."""


class InvalidDigest(InvalidChainInput):
    """We sign 32-byte digests (keccak256 of the data), never raw data."""


class InvalidSignature(InvalidChainInput):
    """Signature bytes of the wrong shape, or from which no public key can be recovered."""


class InvalidMessage(InvalidChainInput):
    """A personal message to sign must be text."""


class Hidden:
    """Stands in for a value that may be a secret: its repr tells the size or type, never the
    content, so an error message can say what was wrong without leaking a key."""

    def __init__(self, value: object) -> None:
        if isinstance(value, bytes | bytearray):
            self.shape = f"{len(value)} bytes"
        elif isinstance(value, str):
            self.shape = f"a str of {len(value)} characters"
        else:
            self.shape = f"a {type(value).__name__}"

    def __repr__(self) -> str:
        return f"<{self.shape}, not shown: it may be a secret>"


@dataclass(frozen=True, repr=False)
class Wallet:
    """A private key and what follows from it: public key, address, signatures."""

    private_key: PrivateKey

    def __post_init__(self) -> None:
        if not isinstance(self.private_key, PrivateKey):
            fail(InvalidKey, "private_key", Hidden(self.private_key),
                 "an eth_keys PrivateKey (make wallets with wallet_from_seed or "
                 "wallet_from_private_key)")

    @property
    def public_key(self) -> PublicKey:
        return self.private_key.public_key

    @property
    def address(self) -> str:
        """The EIP-55 checksummed address, e.g. 0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf."""
        return self.public_key.to_checksum_address()

    def sign(self, digest: bytes) -> bytes:
        """Sign a 32-byte digest; returns 65 bytes r (32) || s (32) || v (1, 0 or 1)."""
        return self.private_key.sign_msg_hash(_require_digest(digest)).to_bytes()

    def __repr__(self) -> str:
        return f"Wallet(address={self.address!r})"  # never show the private key


def _require_digest(digest: object) -> bytes:
    if not isinstance(digest, bytes | bytearray) or len(digest) != 32:
        fail(InvalidDigest, "digest", digest, "32 bytes (a keccak256 hash of the data)")
    return bytes(digest)


def utf8_text(value: object, name: str, *, meaning: str, allow_empty: bool = False,
              error: type[InvalidChainInput] = InvalidChainInput) -> str:
    """Return ``value`` if it is text UTF-8 can encode (no lone surrogates): it gets hashed."""
    text = ensure_text(value, name, allow_empty=allow_empty, meaning=meaning, error=error)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        fail(error, name, value, "text UTF-8 can encode (no lone surrogates)", meaning)
    return text


def ensure_index(index: object) -> int:
    """Return ``index`` if it is an account number a derivation path accepts."""
    return ensure_int(index, "index", minimum=0, maximum=MAX_INDEX,
                      meaning="the account number in the derivation path", error=InvalidKey)


# --- making wallets -----------------------------------------------------------------------


def wallet_from_seed(seed: str, index: int = 0) -> Wallet:
    """A deterministic wallet: private key = keccak256(f"{seed}/{index}").

    Same seed and index, same wallet on every run, so notebooks are reproducible. Anyone
    who knows the seed knows the key: fine for a course, never for real money.
    """
    seed = utf8_text(seed, "seed", meaning="any text: the same seed, the same wallet",
                     error=InvalidKey)
    key = eth_utils.keccak(f"{seed}/{ensure_index(index)}".encode())
    while not 1 <= int.from_bytes(key, "big") < SECP256K1_ORDER:  # odds ~ 2**-128
        key = eth_utils.keccak(key)
    return Wallet(keys.PrivateKey(key))


def wallet_from_private_key(private_key: bytes | str) -> Wallet:
    """A wallet from 32 raw bytes or a 64-digit hex string (0x optional)."""
    rule = "32 bytes or 64 hex digits (0x optional)"
    if isinstance(private_key, str):
        digits = private_key.removeprefix("0x")
        ensure(re.fullmatch(r"[0-9a-fA-F]{64}", digits) is not None, InvalidKey, "private_key",
               Hidden(private_key), rule)
        private_key = bytes.fromhex(digits)
    ok = isinstance(private_key, bytes | bytearray) and len(private_key) == 32
    ensure(ok, InvalidKey, "private_key", Hidden(private_key), rule)
    ensure(1 <= int.from_bytes(private_key, "big") < SECP256K1_ORDER, InvalidKey, "private_key",
           Hidden(private_key), "a number in 1..n-1 (n = the secp256k1 order)")
    return Wallet(keys.PrivateKey(bytes(private_key)))


# --- addresses ------------------------------------------------------------------------------


def to_checksum_address(address: str) -> str:
    """Write an address in EIP-55 mixed case; the case of each letter is a checksum bit.

    All-lowercase or all-uppercase input carries no checksum and is accepted; mixed-case
    input claims a checksum, so a wrong one (a typo) raises InvalidAddress.
    """
    ok = isinstance(address, str) and _ADDRESS.fullmatch(address) is not None
    ensure(ok, InvalidAddress, "address", address, "'0x' + 40 hex digits")
    checksummed = eth_utils.to_checksum_address(address)
    digits = address[2:]
    if digits not in (digits.lower(), digits.upper()) and address != checksummed:
        raise InvalidAddress(
            f"address {address!r} fails its EIP-55 checksum (expected {checksummed!r}): "
            "a typo, or a tampered address"
        )
    return checksummed


def is_checksum_address(address: str) -> bool:
    """True only for an address written exactly in its EIP-55 mixed case."""
    return isinstance(address, str) and _is_checksum_text(address)


@functools.lru_cache(maxsize=65_536)
def _is_checksum_text(address: str) -> bool:
    """Cached: a node checks the same few addresses in every transaction and block."""
    return bool(eth_utils.is_checksum_address(address))


# --- signatures -------------------------------------------------------------------------------


def _parse_signature(signature: object) -> Signature:
    """Check a 65-byte r || s || v signature's shape; v may be 0/1 or 27/28."""
    if not isinstance(signature, bytes | bytearray) or len(signature) != 65:
        fail(InvalidSignature, "signature", signature, "65 bytes r || s || v")
    r, s, v = (int.from_bytes(signature[i:j], "big") for i, j in ((0, 32), (32, 64), (64, 65)))
    ensure(v in (0, 1, 27, 28), InvalidSignature, "signature v", v, "0, 1, 27 or 28")
    for name, value in (("r", r), ("s", s)):
        ensure(1 <= value < SECP256K1_ORDER, InvalidSignature, f"signature {name}", hex(value),
               "in 1..n-1 (n = the secp256k1 order)")
    return Signature(vrs=(v % 27, r, s))


def recover_address(digest: bytes, signature: bytes) -> str:
    """The address whose key made `signature` over `digest`: the heart of a transaction check."""
    parsed = _parse_signature(signature)
    try:
        public_key = parsed.recover_public_key_from_msg_hash(_require_digest(digest))
    except EthKeysBadSignature as error:
        raise InvalidSignature(f"no public key can be recovered from signature: {error}") from None
    return public_key.to_checksum_address()


def verify_signature(digest: bytes, signature: bytes, address: str) -> bool:
    """True if `address` signed `digest`; False for a well-formed signature by anyone else."""
    expected = to_checksum_address(address)
    _parse_signature(signature)  # malformed bytes raise InvalidSignature here
    try:
        return recover_address(digest, signature) == expected
    except InvalidSignature:
        return False  # well-formed bytes, but no key made them


# --- EIP-191 personal messages ("Sign message" in a wallet) ---------------------------------


def _require_text(text: object) -> str:
    return utf8_text(text, "text", meaning="the personal message", allow_empty=True,
                     error=InvalidMessage)


def sign_message(wallet: Wallet, text: str) -> bytes:
    """Sign keccak256("\\x19Ethereum Signed Message:\\n" + len + text); v is 27 or 28."""
    ensure(isinstance(wallet, Wallet), InvalidKey, "wallet", Hidden(wallet),
           "a Wallet, e.g. wallet_from_seed('alice')")
    signable = encode_defunct(text=_require_text(text))
    signed = Account.sign_message(signable, private_key=wallet.private_key.to_bytes())
    return bytes(signed.signature)


def recover_message_signer(text: str, signature: bytes) -> str:
    """The address that signed personal message `text`."""
    return recover_address(defunct_hash_message(text=_require_text(text)), signature)
