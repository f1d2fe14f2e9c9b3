"""Transactions in the account model: who pays whom, how much, with which nonce, signed.

A transaction's *signing hash* covers every field except the signature; its *id* is the
hash of everything, signature included. The nonce is the number of transactions the sender
has sent before: a node accepts nonce n only once, so a copied transaction cannot be replayed.
The chain id does the same across chains (a testnet payment is worthless on mainnet).

A signature has exactly one accepted encoding (low ``s``, ``v`` of 0 or 1, as EIP-2 and
BIP-62 require), so nobody but the sender can make a second valid id for the same payment.
Taught in notebooks 02 (malleability), 04 and 05 (the signing
hash and the rules, by hand).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any

from course.chain.errors import BadSignature, MalformedTransaction, NonCanonicalSignature
from course.chain.hashing import keccak256, sha256
from course.chain.keys import (
    SECP256K1_ORDER,
    InvalidSignature,
    Wallet,
    is_checksum_address,
    recover_address,
)
from course.chain.params import MAX_UINT64

SIGNATURE_BYTES = 65
HIGH_S = SECP256K1_ORDER // 2  # s above this has a twin n - s that verifies too (EIP-2)
FIELDS = ("sender", "recipient", "amount", "fee", "nonce", "chain_id")


@dataclass(frozen=True)
class Transaction:
    sender: str  # EIP-55 address of the payer
    recipient: str
    amount: int  # in the smallest unit
    fee: int  # goes to the miner of the block that includes the transaction
    nonce: int  # the sender's count of earlier transactions
    chain_id: int
    signature: bytes = b""

    # A transaction never changes (frozen), so its encodings and hashes are computed once.

    @cached_property
    def _signing_bytes(self) -> bytes:
        payload = {name: getattr(self, name) for name in FIELDS}
        return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()

    def signing_bytes(self) -> bytes:
        """Canonical serialization of the signed fields: sorted JSON, no spaces."""
        return self._signing_bytes

    def signing_hash(self) -> bytes:
        """The 32 bytes the sender signs (Keccak-256, as Ethereum does)."""
        return keccak256(self._signing_bytes)

    @cached_property
    def txid(self) -> str:
        """The transaction's id: SHA-256 of the signed fields and the signature, as hex."""
        return sha256(self._signing_bytes + self.signature).hex()

    def to_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in FIELDS}
        data["signature"] = self.signature.hex()
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Transaction:
        """Rebuild a transaction from ``to_dict()`` output, rejecting anything malformed."""
        if not isinstance(data, dict) or set(data) != {*FIELDS, "signature"}:
            raise MalformedTransaction("transaction data", "fields", data,
                                       f"a dict with exactly {sorted({*FIELDS, 'signature'})}")
        signature = data["signature"]
        try:
            signature = bytes.fromhex(signature)
        except (TypeError, ValueError):
            raise MalformedTransaction("transaction data", "signature", signature,
                                       "hex text of 65 bytes") from None
        tx = cls(**{**data, "signature": signature})
        check_form(tx)
        return tx

    @property
    def where(self) -> str:
        return f"transaction {self.txid[:12]}"


def sign_transaction(
    wallet: Wallet, recipient: str, amount: int, fee: int, nonce: int, chain_id: int
) -> Transaction:
    """Make a transaction from ``wallet`` and sign it."""
    unsigned = Transaction(wallet.address, recipient, amount, fee, nonce, chain_id)
    check_form(unsigned, signed=False)
    return Transaction(**{**asdict(unsigned), "signature": wallet.sign(unsigned.signing_hash())})


def check_form(tx: Any, signed: bool = True, where: str = "transaction") -> None:
    """Reject anything that is not a well-formed transaction (types, ranges, address format)."""
    if not isinstance(tx, Transaction):
        raise MalformedTransaction(where, "type", type(tx).__name__, "a Transaction")
    for name in ("sender", "recipient"):
        value = getattr(tx, name)
        if not isinstance(value, str) or not is_checksum_address(value):
            raise MalformedTransaction(where, name, value, "an EIP-55 checksummed address")
    for name, minimum in (("amount", 1), ("fee", 0), ("nonce", 0), ("chain_id", 1)):
        value = getattr(tx, name)
        if type(value) is not int or not minimum <= value <= MAX_UINT64:  # not bool, not float
            raise MalformedTransaction(where, name, value, f"an int in [{minimum}, 2**64 - 1]")
    if not isinstance(tx.signature, bytes):
        raise MalformedTransaction(where, "signature", tx.signature, "bytes")
    if signed:
        if len(tx.signature) != SIGNATURE_BYTES:
            raise MalformedTransaction(where, "signature", tx.signature,
                                       f"{SIGNATURE_BYTES} bytes")
        # the fields are sound now, so the id can name the transaction
        check_canonical_signature(tx.signature, tx.where if where == "transaction" else where)


def check_canonical_signature(signature: bytes, where: str = "transaction") -> None:
    """Accept one encoding per signature: r, s in 1..n-1, s in the low half, v = 0 or 1.

    (r, s) and (r, n - s) both verify (ECDSA's symmetry), and v = 27/28 is an old spelling
    of 0/1; without this rule anyone could re-encode a signature and get a new txid.
    """
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:64], "big")
    v = signature[64]
    if not 1 <= r < SECP256K1_ORDER:
        raise NonCanonicalSignature(where, "signature r", hex(r), "1 <= r < n")
    if not 1 <= s <= HIGH_S:
        raise NonCanonicalSignature(where, "signature s", hex(s),
                                    "1 <= s <= n/2 (low s; the twin n - s is refused)")
    if v not in (0, 1):
        raise NonCanonicalSignature(where, "signature v", v, "0 or 1 (not 27/28)")


def check_signature(tx: Transaction, where: str | None = None) -> None:
    """The signature must recover to the sender's address."""
    where = where or tx.where
    try:
        signer = recover_address(tx.signing_hash(), tx.signature)
    except InvalidSignature as error:
        raise BadSignature(where, "signature", tx.signature.hex()[:16], str(error)) from None
    if signer != tx.sender:
        raise BadSignature(where, "signer", signer, f"the sender {tx.sender}")
