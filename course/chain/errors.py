"""Why a transaction or block was rejected: one exception per consensus rule.

Every message says where (which block or transaction), which rule, which field, the
value found and what was expected, e.g.

    block #3 (00a1f3...) broke rule 'proof of work': hash = 0x3f2a..., expected <= target 0x00ff...

A rejected block or transaction changes nothing: the chain validates on a copy first.
"""

from __future__ import annotations


class ChainError(Exception):
    """Base class: something the chain refuses to accept."""

    rule = "chain rule"

    def __init__(self, where: str, field: str, value: object, expected: str) -> None:
        self.where, self.field, self.value, self.expected = where, field, value, expected
        super().__init__(
            f"{where} broke rule '{self.rule}': {field} = {_short(value)}, expected {expected}"
        )


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# Malformed input: the wrong type, a missing field, a value out of range.
class MalformedTransaction(ChainError, ValueError):
    rule = "well-formed transaction"


class MalformedBlock(ChainError, ValueError):
    rule = "well-formed block"


# Transaction rules.
class BadSignature(ChainError):
    rule = "signed by the sender"


class WrongChainId(ChainError):
    rule = "chain id (replay protection across chains)"


class WrongNonce(ChainError):
    rule = "sender nonce (replay protection)"


class InsufficientFunds(ChainError):
    rule = "sender can pay amount + fee"


class DoubleSpend(ChainError):
    rule = "no transaction spent twice"


# Block rules.
class UnknownParent(ChainError):
    rule = "parent is a known block"


class WrongHeight(ChainError):
    rule = "height = parent height + 1"


class WrongDifficulty(ChainError):
    rule = "difficulty target follows the retarget schedule"


class BadProofOfWork(ChainError):
    rule = "proof of work"


class BadMerkleRoot(ChainError):
    rule = "merkle root commits to the transactions"


class TimestampOutOfBounds(ChainError):
    rule = "timestamp within bounds"


class BlockTooLarge(ChainError):
    rule = "block size limit"


class BadReward(ChainError):
    rule = "reward = subsidy + fees"


class DuplicateBlock(ChainError):
    rule = "block not already known"
