"""Sign-In with Ethereum (EIP-4361): your wallet as your login, with no password.

A site asks the wallet to sign a fixed-format text that names the site's domain, the
address, a one-time nonce and when the sign-in was issued, becomes valid and expires; the
server checks each of them, that the signature recovers to the address, and (with a
``NonceStore``) that the nonce is one it issued and nobody used yet, so a captured sign-in
cannot be replayed. Taught in notebook 03 (including the phishing and replay attacks that
each check stops).
"""

from __future__ import annotations

import random
import re
import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from course.chain.errors import InvalidChainInput
from course.chain.keys import InvalidSignature, is_checksum_address, recover_message_signer
from course.validation import ensure, ensure_instance, ensure_int, fail

_NONCE = re.compile(r"[A-Za-z0-9]{8,}")
_REQUEST_ID = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@%]*")  # RFC 3986 pchar, as EIP-4361 asks
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+")  # scheme ":" then no spaces (RFC 3986)
NONCE_CHARACTERS = string.ascii_letters + string.digits
NONCE_LENGTH = 12  # 71 bits: enough that nobody guesses an open nonce
MAX_LINE = 2_000  # characters in one field: EIP-4361 asks servers to choose maximum lengths
MAX_RESOURCES = 100


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


class SiweNotYetValid(SiweError):
    """Used before its not_before time."""


class SiweReplayed(SiweError):
    """A nonce the server never issued, or one already used: a captured sign-in sent again."""


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
    ok = (isinstance(value, str) and "\n" not in value and "\r" not in value
          and (value != "" or allow_empty) and len(value) <= MAX_LINE)
    ensure(ok, SiweMalformed, field, value,
           f"one {'' if allow_empty else 'non-empty '}line of text, at most {MAX_LINE} characters")


def _checked_resources(resources: object) -> tuple[str, ...]:
    rule = f"a list of at most {MAX_RESOURCES} URIs, e.g. ['https://example.com/my-claim.json']"
    if not isinstance(resources, Sequence) or isinstance(resources, str | bytes):
        fail(SiweMalformed, "resources", resources, rule)
    ensure(len(resources) <= MAX_RESOURCES, SiweMalformed, "resources", resources, rule)
    for index, resource in enumerate(resources):
        _require_line(f"resources[{index}]", resource)
        ensure(_URI.fullmatch(resource) is not None, SiweMalformed, f"resources[{index}]",
               resource, "a URI (scheme:rest, no spaces), e.g. 'ipfs://bafy...'")
    return tuple(resources)


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
    not_before: str | None = None
    request_id: str | None = None
    resources: tuple[str, ...] = ()

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
        for name in ("expiration_time", "not_before"):
            if getattr(self, name) is not None:
                _parse_time(name, getattr(self, name))
        if self.request_id is not None:
            _require_line("request_id", self.request_id, allow_empty=True)
            ensure(_REQUEST_ID.fullmatch(self.request_id) is not None, SiweMalformed,
                   "request_id", self.request_id, "URI path characters (RFC 3986 pchar)")
        object.__setattr__(self, "resources", _checked_resources(self.resources))

    def text(self) -> str:
        """The exact EIP-4361 plaintext that the wallet shows and signs."""
        statement = f"{self.statement}\n" if self.statement else ""  # optional in EIP-4361
        optional = [  # each optional field is a line of its own, in the EIP's order
            ("Expiration Time", self.expiration_time),
            ("Not Before", self.not_before),
            ("Request ID", self.request_id),
        ]
        tail = "".join(f"\n{label}: {value}" for label, value in optional if value is not None)
        if self.resources:
            tail += "\nResources:" + "".join(f"\n- {uri}" for uri in self.resources)
        return (
            f"{self.domain} wants you to sign in with your Ethereum account:\n"
            f"{self.address}\n\n{statement}\n"
            f"URI: {self.uri}\nVersion: 1\nChain ID: {self.chain_id}\n"
            f"Nonce: {self.nonce}\nIssued At: {self.issued_at}{tail}"
        )


class NonceStore:
    """A server's one-time nonces: each issued by the server and accepted once.

    EIP-4361 ("Preventing replay attacks"): a man in the middle who captures a signed sign-in
    must not be able to send it again and open a session of his own. ``seed`` makes the nonces
    reproducible for a notebook; a real server leaves it out and gets ``secrets`` randomness.
    """

    def __init__(self, seed: int | None = None) -> None:
        if seed is None:
            self._rng: random.Random = secrets.SystemRandom()
        else:
            seed = ensure_int(seed, "seed", minimum=0, meaning="for reproducible nonces",
                              error=InvalidChainInput)
            self._rng = random.Random(seed)
        self._open: set[str] = set()

    def new_nonce(self) -> str:
        """A fresh nonce to put in the next sign-in message; remembered until it is used."""
        nonce = "".join(self._rng.choices(NONCE_CHARACTERS, k=NONCE_LENGTH))
        self._open.add(nonce)
        return nonce

    def is_open(self, nonce: str) -> bool:
        """True for a nonce this store issued and nobody has used yet."""
        return nonce in self._open if isinstance(nonce, str) else False

    def use(self, nonce: str) -> None:
        """Accept ``nonce`` once: afterwards it is closed, so the same sign-in is refused."""
        if not self.is_open(nonce):
            raise SiweReplayed(f"nonce {nonce!r} is unknown or already used: a replay")
        self._open.remove(nonce)


def verify_siwe(message: SiweMessage, signature: bytes, expected_domain: str, now: str,
                nonces: NonceStore | None = None) -> str:
    """Check a sign-in the way a server must; returns the signed-in address.

    Rules, in order: the message names *this* site's domain (else a phishing site could
    replay it), it has not expired at `now` and its not_before time has come, with ``nonces``
    its nonce is one the server issued and nobody used, and its signature recovers to its
    address. Only a sign-in that passes every rule uses up its nonce.

    Raises:
        SiweError: the subclass naming the rule broken (SiweWrongDomain, SiweExpired,
            SiweNotYetValid, SiweReplayed, SiweBadSignature, SiweWrongSigner, SiweMalformed).
    """
    ensure_instance(message, "message", SiweMessage, error=SiweMalformed)
    _require_line("expected_domain", expected_domain)
    if nonces is not None:
        ensure_instance(nonces, "nonces", NonceStore, error=SiweMalformed)
    current_time = _parse_time("now", now)
    if message.domain != expected_domain:
        raise SiweWrongDomain(
            f"domain {message.domain!r} is not this site's domain {expected_domain!r}: "
            "the sign-in was made for another site (phishing or replay)"
        )
    expiry = message.expiration_time
    if expiry is not None and current_time >= _parse_time("expiration_time", expiry):
        raise SiweExpired(f"expiration_time {expiry!r} is not after now {now!r}: sign in again")
    start = message.not_before
    if start is not None and current_time < _parse_time("not_before", start):
        raise SiweNotYetValid(f"not_before {start!r} is after now {now!r}: not valid yet")
    if nonces is not None and not nonces.is_open(message.nonce):
        raise SiweReplayed(f"nonce {message.nonce!r} is unknown or already used: a replay")
    try:
        signer = recover_message_signer(message.text(), signature)
    except InvalidSignature as error:
        raise SiweBadSignature(f"signature is unusable: {error}") from None
    if signer != message.address:
        raise SiweWrongSigner(f"signature recovers to {signer}, not to address {message.address}")
    if nonces is not None:
        nonces.use(message.nonce)  # one nonce, one sign-in
    return signer
