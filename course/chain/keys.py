"""Keys, addresses and signatures: what a wallet is.

A private key is a secret number; the public key is that number times the secp256k1
generator point; the address is the last 20 bytes of keccak256(public key), written with
EIP-55 mixed-case checksum. A signature over a 32-byte digest lets anyone *recover* the
signer's address, which is how Ethereum checks who sent a transaction.

The elliptic-curve maths comes from eth-keys (backed by libsecp256k1 through coincurve),
message formats from eth-account and hashing from eth-utils: we never hand-roll crypto.
Error messages never print a private key, only its type or length.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime

import eth_utils
from eth_account import Account
from eth_account.hdaccount.mnemonic import VALID_ENTROPY_SIZES, VALID_WORD_COUNTS, Mnemonic
from eth_account.messages import defunct_hash_message, encode_defunct
from eth_keys import keys
from eth_keys.datatypes import PrivateKey, PublicKey
from eth_keys.exceptions import BadSignature
from eth_utils import ValidationError

SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
"""n, the number of points on the curve: private keys, r and s must lie in 1..n-1."""

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


class InvalidKey(ValueError):
    """A seed, private key, mnemonic or derivation index that cannot make a wallet."""


class InvalidAddress(ValueError):
    """Not 0x + 40 hex digits, or mixed case whose EIP-55 checksum does not match."""


class InvalidDigest(ValueError):
    """We sign 32-byte digests (keccak256 of the data), never raw data."""


class InvalidSignature(ValueError):
    """Signature bytes of the wrong shape, or from which no public key can be recovered."""


class InvalidMessage(ValueError):
    """A personal message to sign must be text."""


@dataclass(frozen=True, repr=False)
class Wallet:
    """A private key and what follows from it: public key, address, signatures."""

    private_key: PrivateKey

    def __post_init__(self) -> None:
        if not isinstance(self.private_key, PrivateKey):
            raise InvalidKey(
                f"private_key must be an eth_keys PrivateKey, got {_shape(self.private_key)}"
            )

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
        raise InvalidDigest(f"digest must be 32 bytes (a keccak256 hash), got {_shape(digest)}")
    return bytes(digest)


def _shape(value: object) -> str:
    """Describe a value by its size or type, never its content (it may be a secret)."""
    if isinstance(value, bytes | bytearray):
        return f"{len(value)} bytes"
    return f"a {type(value).__name__}"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # True is an int in Python


def _require_index(index: object) -> int:
    if not _is_int(index) or not 0 <= index < 2**31:
        raise InvalidKey(f"index must be an int in 0..2**31-1, got {index!r}")
    return index


# --- making wallets -----------------------------------------------------------------------


def wallet_from_seed(seed: str, index: int = 0) -> Wallet:
    """A deterministic wallet: private key = keccak256(f"{seed}/{index}").

    Same seed and index, same wallet on every run, so notebooks are reproducible. Anyone
    who knows the seed knows the key: fine for a course, never for real money.
    """
    if not isinstance(seed, str) or not seed:
        raise InvalidKey(f"seed must be a non-empty str, got {seed!r}")
    key = eth_utils.keccak(f"{seed}/{_require_index(index)}".encode())
    while not 1 <= int.from_bytes(key, "big") < SECP256K1_ORDER:  # odds ~ 2**-128
        key = eth_utils.keccak(key)
    return Wallet(keys.PrivateKey(key))


def wallet_from_private_key(private_key: bytes | str) -> Wallet:
    """A wallet from 32 raw bytes or a 64-digit hex string (0x optional)."""
    if isinstance(private_key, str):
        digits = private_key.removeprefix("0x")
        if not re.fullmatch(r"[0-9a-fA-F]{64}", digits):
            raise InvalidKey(
                f"private_key as text must be 64 hex digits (0x optional), got {len(digits)} "
                "characters (value not shown: it is a secret)"
            )
        private_key = bytes.fromhex(digits)
    if not isinstance(private_key, bytes | bytearray) or len(private_key) != 32:
        raise InvalidKey(f"private_key must be 32 bytes or hex, got {_shape(private_key)}")
    if not 1 <= int.from_bytes(private_key, "big") < SECP256K1_ORDER:
        raise InvalidKey("private_key must be a number in 1..n-1 (n = secp256k1 order)")
    return Wallet(keys.PrivateKey(bytes(private_key)))


# --- addresses ------------------------------------------------------------------------------


def to_checksum_address(address: str) -> str:
    """Write an address in EIP-55 mixed case; the case of each letter is a checksum bit.

    All-lowercase or all-uppercase input carries no checksum and is accepted; mixed-case
    input claims a checksum, so a wrong one (a typo) raises InvalidAddress.
    """
    if not isinstance(address, str) or not _ADDRESS.fullmatch(address):
        raise InvalidAddress(f"address must be '0x' + 40 hex digits, got {address!r}")
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


def _parse_signature(signature: object) -> keys.Signature:
    """Check a 65-byte r || s || v signature's shape; v may be 0/1 or 27/28."""
    if not isinstance(signature, bytes | bytearray) or len(signature) != 65:
        raise InvalidSignature(f"signature must be 65 bytes r || s || v, got {_shape(signature)}")
    r, s, v = (int.from_bytes(signature[i:j], "big") for i, j in ((0, 32), (32, 64), (64, 65)))
    if v not in (0, 1, 27, 28):
        raise InvalidSignature(f"signature v must be 0, 1, 27 or 28, got {v}")
    for name, value in (("r", r), ("s", s)):
        if not 1 <= value < SECP256K1_ORDER:
            raise InvalidSignature(f"signature {name} must be in 1..n-1, got {value:#x}")
    return keys.Signature(vrs=(v % 27, r, s))


def recover_address(digest: bytes, signature: bytes) -> str:
    """The address whose key made `signature` over `digest`: the heart of a transaction check."""
    parsed = _parse_signature(signature)
    try:
        public_key = parsed.recover_public_key_from_msg_hash(_require_digest(digest))
    except BadSignature as error:
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
    if not isinstance(text, str):
        raise InvalidMessage(f"message text must be a str, got {type(text).__name__}")
    return text


def sign_message(wallet: Wallet, text: str) -> bytes:
    """Sign keccak256("\\x19Ethereum Signed Message:\\n" + len + text); v is 27 or 28."""
    signable = encode_defunct(text=_require_text(text))
    signed = Account.sign_message(signable, private_key=wallet.private_key.to_bytes())
    return bytes(signed.signature)


def recover_message_signer(text: str, signature: bytes) -> str:
    """The address that signed personal message `text`."""
    return recover_address(defunct_hash_message(text=_require_text(text)), signature)


# --- Sign-In with Ethereum (EIP-4361) ---------------------------------------------------------


class SiweError(ValueError):
    """A sign-in that must be refused; each subclass is one rule."""


class SiweMalformed(SiweError):
    """A field breaks the EIP-4361 format."""


class SiweWrongDomain(SiweError):
    """Signed for another site: a phishing page replaying your sign-in."""


class SiweExpired(SiweError):
    """Past its expiration time."""


class SiweBadSignature(SiweError):
    """Signature bytes that are malformed or recover no key."""


class SiweWrongSigner(SiweError):
    """Signed, but by someone other than the address in the message."""


def _parse_time(field: str, value: object) -> datetime:
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        example = "'2026-01-01T00:00:00Z'"
        raise SiweMalformed(f"{field} must be ISO 8601 with a zone, e.g. {example}, got {value!r}")
    return parsed


def _require_line(field: str, value: object, allow_empty: bool = False) -> None:
    if not isinstance(value, str) or "\n" in value or not (value or allow_empty):
        raise SiweMalformed(f"{field} must be one line of text, got {value!r}")


@dataclass(frozen=True)
class SiweMessage:
    """The text a site asks your wallet to sign to log you in, field by field."""

    domain: str
    address: str
    statement: str
    uri: str
    chain_id: int
    nonce: str
    issued_at: str
    expiration_time: str | None = None

    def __post_init__(self) -> None:
        _require_line("domain", self.domain)
        _require_line("statement", self.statement, allow_empty=True)
        _require_line("uri", self.uri)
        if not is_checksum_address(self.address):
            raise SiweMalformed(f"address must be EIP-55 checksummed, got {self.address!r}")
        if not _is_int(self.chain_id) or self.chain_id < 1:
            raise SiweMalformed(f"chain_id must be a positive int, got {self.chain_id!r}")
        if not isinstance(self.nonce, str) or not re.fullmatch(r"[A-Za-z0-9]{8,}", self.nonce):
            raise SiweMalformed(f"nonce must be 8+ letters or digits, got {self.nonce!r}")
        _parse_time("issued_at", self.issued_at)
        if self.expiration_time is not None:
            _parse_time("expiration_time", self.expiration_time)

    def text(self) -> str:
        """The exact EIP-4361 plaintext that the wallet shows and signs."""
        statement = f"{self.statement}\n" if self.statement else ""  # optional in EIP-4361
        expiry = f"\nExpiration Time: {self.expiration_time}" if self.expiration_time else ""
        return (
            f"{self.domain} wants you to sign in with your Ethereum account:\n"
            f"{self.address}\n\n{statement}\n"
            f"URI: {self.uri}\nVersion: 1\nChain ID: {self.chain_id}\n"
            f"Nonce: {self.nonce}\nIssued At: {self.issued_at}{expiry}"
        )


def verify_siwe(message: SiweMessage, signature: bytes, expected_domain: str, now: str) -> str:
    """Check a sign-in the way a server must; returns the signed-in address.

    Rules, in order: the message names *this* site's domain (else a phishing site could
    replay it), it has not expired at `now`, and its signature recovers to its address.
    """
    current_time = _parse_time("now", now)
    if message.domain != expected_domain:
        raise SiweWrongDomain(
            f"domain {message.domain!r} is not this site's domain {expected_domain!r}: "
            "the sign-in was made for another site (phishing or replay)"
        )
    expiry = message.expiration_time
    if expiry is not None and current_time >= _parse_time("expiration_time", expiry):
        raise SiweExpired(f"expiration_time {expiry!r} is not after now {now!r}: sign in again")
    try:
        signer = recover_message_signer(message.text(), signature)
    except InvalidSignature as error:
        raise SiweBadSignature(f"signature is unusable: {error}") from None
    if signer != message.address:
        raise SiweWrongSigner(f"signature recovers to {signer}, not to address {message.address}")
    return signer


# --- BIP-39 mnemonics ---------------------------------------------------------------------------


def mnemonic_from_entropy(entropy: bytes) -> str:
    """Spell 16..32 bytes of entropy as 12..24 English words (the last carries a checksum)."""
    if not isinstance(entropy, bytes | bytearray) or len(entropy) not in VALID_ENTROPY_SIZES:
        raise InvalidKey(f"entropy must be {VALID_ENTROPY_SIZES} bytes, got {_shape(entropy)}")
    return Mnemonic().to_mnemonic(bytes(entropy))


def wallet_from_mnemonic(mnemonic: str, index: int = 0) -> Wallet:
    """The wallet at BIP-44 path m/44'/60'/0'/0/{index}, as MetaMask and others derive it."""
    if not isinstance(mnemonic, str):
        raise InvalidKey(f"mnemonic must be a str, got {type(mnemonic).__name__}")
    words = mnemonic.split()
    path = f"m/44'/60'/0'/0/{_require_index(index)}"
    if len(words) not in VALID_WORD_COUNTS:
        raise InvalidKey(f"mnemonic must have {VALID_WORD_COUNTS} words, got {len(words)}")
    english = Mnemonic()
    unknown = [n for n, word in enumerate(words, start=1) if word not in english.wordlist]
    if unknown:  # name positions, not words: the words are the secret
        raise InvalidKey(f"mnemonic words at positions {unknown} are not BIP-39 English words")
    if not english.is_mnemonic_valid(" ".join(words)):
        raise InvalidKey("mnemonic fails its BIP-39 checksum: a word is wrong or out of order")
    Account.enable_unaudited_hdwallet_features()  # eth-account's opt-in for HD wallets
    try:
        account = Account.from_mnemonic(" ".join(words), account_path=path)
    except ValidationError as error:  # e.g. words valid in two languages' lists
        raise InvalidKey(f"eth-account rejected the mnemonic: {error}") from None
    return Wallet(keys.PrivateKey(bytes(account.key)))
