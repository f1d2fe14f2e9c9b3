"""Transactions in the account model: who pays whom, how much, with which nonce, signed.

A transaction's *signing hash* covers every field except the signature; its *id* is the
hash of everything, signature included. The nonce is the number of transactions the sender
has sent before: a node accepts nonce n only once, so a copied transaction cannot be replayed.
The chain id does the same across chains (a testnet payment is worthless on mainnet).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any

from course.chain.errors import BadSignature, MalformedTransaction
from course.chain.hashing import keccak256, sha256
from course.chain.keys import InvalidSignature, Wallet, is_checksum_address, recover_address

SIGNATURE_BYTES = 65
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


def sign_transaction(
    wallet: Wallet, recipient: str, amount: int, fee: int, nonce: int, chain_id: int
) -> Transaction:
    """Make a transaction from ``wallet`` and sign it."""
    unsigned = Transaction(wallet.address, recipient, amount, fee, nonce, chain_id)
    check_form(unsigned, signed=False)
    return Transaction(**{**asdict(unsigned), "signature": wallet.sign(unsigned.signing_hash())})


def check_form(tx: Any, signed: bool = True) -> None:
    """Reject anything that is not a well-formed transaction (types, ranges, address format)."""
    if not isinstance(tx, Transaction):
        raise MalformedTransaction("input", "type", type(tx).__name__, "a Transaction")
    where = "transaction"
    for name in ("sender", "recipient"):
        value = getattr(tx, name)
        if not isinstance(value, str) or not is_checksum_address(value):
            raise MalformedTransaction(where, name, value, "an EIP-55 checksummed address")
    for name, minimum in (("amount", 1), ("fee", 0), ("nonce", 0), ("chain_id", 1)):
        value = getattr(tx, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise MalformedTransaction(where, name, value, f"an integer >= {minimum}")
    if signed and (not isinstance(tx.signature, bytes) or len(tx.signature) != SIGNATURE_BYTES):
        raise MalformedTransaction(where, "signature", tx.signature, f"{SIGNATURE_BYTES} bytes")


def check_signature(tx: Transaction) -> None:
    """The signature must recover to the sender's address."""
    where = f"transaction {tx.txid[:12]}"
    try:
        signer = recover_address(tx.signing_hash(), tx.signature)
    except InvalidSignature as error:
        raise BadSignature(where, "signature", tx.signature.hex()[:16], str(error)) from None
    if signer != tx.sender:
        raise BadSignature(where, "signer", signer, f"the sender {tx.sender}")
