"""Bitcoin's way of keeping the books: unspent transaction outputs (UTXOs) instead of accounts.

There are no balances. Every transaction consumes whole outputs of earlier transactions (its
inputs) and creates new outputs, each locked to an owner. Whatever the inputs hold beyond the
new outputs is the fee, so a payment of 3 from a coin of 10 needs a "change" output of 7 back
to the payer, or the miner keeps it. A coin can be spent once: spending removes it from the
set of unspent outputs. The mini-chain uses accounts (balances and nonces, like Ethereum)
because they are shorter to read; this module is the other model, for comparison.
Taught in notebook 05.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from course.chain.errors import (
    BadSignature,
    DoubleSpend,
    InsufficientFunds,
    InvalidChainInput,
    MalformedTransaction,
)
from course.chain.keys import InvalidSignature, Wallet, is_checksum_address, recover_address
from course.validation import ensure_instance


@dataclass(frozen=True)
class OutPoint:
    """Which coin: output number ``index`` of transaction ``txid``."""

    txid: str
    index: int


@dataclass(frozen=True)
class Output:
    """A coin: an amount locked to an owner's address."""

    owner: str
    amount: int


@dataclass(frozen=True)
class Spend:
    """A UTXO transaction: the coins it consumes, the coins it makes, one signature per input."""

    inputs: tuple[OutPoint, ...]
    outputs: tuple[Output, ...]
    signatures: tuple[bytes, ...] = ()

    def signing_hash(self) -> bytes:
        """What every input's owner signs: all inputs and outputs (so none can be changed)."""
        body = {"inputs": [[i.txid, i.index] for i in self.inputs],
                "outputs": [[o.owner, o.amount] for o in self.outputs]}
        return hashlib.sha256(json.dumps(body, separators=(",", ":")).encode()).digest()

    @property
    def txid(self) -> str:
        return hashlib.sha256(self.signing_hash() + b"".join(self.signatures)).hexdigest()


UtxoSet = Mapping[OutPoint, Output]


def sign_spend(inputs: tuple[OutPoint, ...], outputs: tuple[Output, ...],
               owners: tuple[Wallet, ...]) -> Spend:
    """Make a spend signed by the owner of each input (``owners[i]`` signs input i)."""
    unsigned = Spend(tuple(inputs), tuple(outputs))
    digest = unsigned.signing_hash()
    return Spend(unsigned.inputs, unsigned.outputs, tuple(w.sign(digest) for w in owners))


def validate_spend(utxos: UtxoSet, spend: Spend) -> int:
    """Check every rule of a UTXO spend against the unspent set; return its fee.

    Rules: at least one input and one output; each input is an unspent coin, listed once;
    each input is signed by its coin's owner; outputs are whole amounts >= 1 to valid
    addresses; the outputs do not exceed the inputs (fee = inputs - outputs >= 0).
    """
    ensure_instance(utxos, "utxos", Mapping, rule="a mapping {OutPoint: Output}",
                    error=InvalidChainInput)
    ensure_instance(spend, "spend", Spend, error=InvalidChainInput)
    where = f"spend {spend.txid[:12]}"
    if not spend.inputs or not spend.outputs:
        raise MalformedTransaction(where, "inputs, outputs", (len(spend.inputs),
                                   len(spend.outputs)), "at least one of each")
    if len(spend.signatures) != len(spend.inputs):
        raise MalformedTransaction(where, "signatures", len(spend.signatures),
                                   f"one per input ({len(spend.inputs)})")
    for output in spend.outputs:
        if type(output.amount) is not int or output.amount < 1 or not is_checksum_address(
                output.owner):
            raise MalformedTransaction(where, "output", output,
                                       "an amount >= 1 to an EIP-55 address")
    digest, total_in, seen = spend.signing_hash(), 0, set()
    for number, (point, signature) in enumerate(zip(spend.inputs, spend.signatures,
                                                    strict=True)):
        if point in seen:
            raise DoubleSpend(where, f"inputs[{number}]", point, "each coin once per spend")
        seen.add(point)
        coin = utxos.get(point)
        if coin is None:
            raise DoubleSpend(where, f"inputs[{number}]", point,
                              "an unspent coin (this one is spent or never existed)")
        try:
            signer = recover_address(digest, signature)
        except InvalidSignature as error:
            raise BadSignature(where, f"signatures[{number}]", signature.hex()[:16],
                               str(error)) from None
        if signer != coin.owner:
            raise BadSignature(where, f"signatures[{number}]", signer, f"the owner {coin.owner}")
        total_in += coin.amount
    total_out = sum(output.amount for output in spend.outputs)
    if total_out > total_in:
        raise InsufficientFunds(where, "outputs", total_out, f"<= inputs {total_in}")
    return total_in - total_out


def apply_spend(utxos: UtxoSet, spend: Spend) -> dict[OutPoint, Output]:
    """The unspent set after ``spend``: its inputs gone, its outputs added (a new dict)."""
    validate_spend(utxos, spend)
    after = {point: coin for point, coin in utxos.items() if point not in spend.inputs}
    after.update({OutPoint(spend.txid, i): output for i, output in enumerate(spend.outputs)})
    return after


def balance(utxos: UtxoSet, owner: str) -> int:
    """What an account model would call a balance: the sum of the owner's unspent coins."""
    return sum(coin.amount for coin in utxos.values() if coin.owner == owner)
