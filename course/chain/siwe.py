"""Sign-In with Ethereum (EIP-4361): your wallet as your login, with no password.

A site asks the wallet to sign a fixed-format text that names the site's domain, the
address, a one-time nonce and when the sign-in was issued and expires; the server checks
each of them and that the signature recovers to the address. Taught in notebook 02
(including the phishing and replay attacks that each check stops).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from course.chain.errors import InvalidChainInput
from course.chain.keys import InvalidSignature, is_checksum_address, recover_message_signer
from course.validation import ensure, ensure_instance, ensure_int, fail

_NONCE = re.compile(r"[A-Za-z0-9]{8,}")


class SiweError(InvalidChainInput):
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
        fail(SiweMalformed, field, value,
             "ISO 8601 with a time zone, e.g. '2026-01-01T00:00:00Z'")
    return parsed


def _require_line(field: str, value: object, allow_empty: bool = False) -> None:
    ok = isinstance(value, str) and "\n" not in value and "\r" not in value
    ensure(ok and (value != "" or allow_empty), SiweMalformed, field, value,
           "one line of text" if allow_empty else "one non-empty line of text")


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
        ensure(is_checksum_address(self.address), SiweMalformed, "address", self.address,
               "an EIP-55 checksummed address")
        ensure_int(self.chain_id, "chain_id", minimum=1,
                   meaning="the chain signed in to; 1 is Ethereum mainnet", error=SiweMalformed)
        ensure(isinstance(self.nonce, str) and _NONCE.fullmatch(self.nonce) is not None,
               SiweMalformed, "nonce", self.nonce, "8 or more letters or digits")
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
    ensure_instance(message, "message", SiweMessage, error=SiweMalformed)
    _require_line("expected_domain", expected_domain)
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
