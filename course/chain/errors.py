"""Why a transaction or block was rejected: one exception per consensus rule.

Every message says where (which block or transaction), which rule, which field, the
value found and what was expected, e.g.

    block #3 (00a1f3...) broke rule 'proof of work': hash = 0x3f2a..., expected <= target 0x00ff...

A rejected block or transaction changes nothing: the chain validates on a copy first.
Taught in notebooks 04 (every rule, broken once), 05 and 06.
"""

from __future__ import annotations

from course.errors import ChainError, short_repr

__all__ = ["ChainError"]  # the package's branch of course.errors, re-exported here


class BrokenRule(ChainError, ValueError):
    """Base class of the consensus rules: a block or transaction the chain refuses.

    Also a ValueError: a block that breaks a rule is a bad value handed to the chain.
    """

    rule = "chain rule"

    def __init__(self, where: str, field: str, value: object, expected: str) -> None:
        self.where, self.field, self.value, self.expected = where, field, value, expected
        super().__init__(
            f"{where} broke rule '{self.rule}': {field} = {short_repr(value)}, expected {expected}"
        )


class InvalidChainInput(ChainError, ValueError):
    """A function of course.chain was called with an argument that breaks its rule."""


class InvalidChainParams(InvalidChainInput):
    """A ChainParams field out of range (e.g. a retarget interval of 0)."""


class InvalidAllocations(InvalidChainInput):
    """Genesis allocations that are not {EIP-55 address: whole number >= 0}."""


# Malformed input: the wrong type, a missing field, a value out of range.
class MalformedTransaction(BrokenRule):
    rule = "well-formed transaction"


class MalformedBlock(BrokenRule):
    rule = "well-formed block"


# Transaction rules.
class NonCanonicalSignature(BrokenRule):
    rule = "canonical signature (low s, v is 0 or 1)"


class BadSignature(BrokenRule):
    rule = "signed by the sender"


class WrongChainId(BrokenRule):
    rule = "chain id (replay protection across chains)"


class WrongNonce(BrokenRule):
    rule = "sender nonce (replay protection)"


class InsufficientFunds(BrokenRule):
    rule = "sender can pay amount + fee"


class DoubleSpend(BrokenRule):
    rule = "no transaction spent twice"


# Block rules.
class UnknownParent(BrokenRule):
    rule = "parent is a known block"


class WrongHeight(BrokenRule):
    rule = "height = parent height + 1"


class WrongDifficulty(BrokenRule):
    rule = "difficulty target follows the retarget schedule"


class BadProofOfWork(BrokenRule):
    rule = "proof of work"


class BadMerkleRoot(BrokenRule):
    rule = "merkle root commits to the transactions"


class TimestampOutOfBounds(BrokenRule):
    rule = "timestamp within bounds"


class BlockTooLarge(BrokenRule):
    rule = "block size limit"


class BadReward(BrokenRule):
    rule = "reward = subsidy + fees"


class DuplicateBlock(BrokenRule):
    rule = "block not already known"
