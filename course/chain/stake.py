"""Proof of stake: validators lock up coins instead of burning electricity.

In proof of work the right to add a block is won by hashing; in proof of stake it is drawn
by lot, each validator's chance proportional to its stake. Every node must draw the same lot,
so the draw is a hash of shared randomness (the seed) and the slot number. A validator that
signs two different blocks for one slot has *double signed*: the two signed proposals prove
it, anyone can submit them, and part of its stake is burned (slashed). The threat of losing
stake, not spent energy, is what makes cheating expensive. Taught in notebook 06 (the energy
comparison with proof of work is in ``course.chain.energy``).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import accumulate
from typing import Any

from course.chain.errors import InvalidChainInput
from course.chain.hashing import keccak256, sha256
from course.chain.keys import (
    Hidden,
    InvalidSignature,
    Wallet,
    is_checksum_address,
    recover_address,
)
from course.validation import ensure, ensure_instance, ensure_int, ensure_number, ensure_text, fail

SLOT_BYTES = 8  # a slot is encoded as 8 big-endian bytes
MAX_SLOT = 2**64 - 1  # the largest slot 8 bytes can hold
MAX_SIMULATED_SLOTS = 1_000_000  # simulate_proposers draws at most this many slots (~2 s)
PROPOSAL_DOMAIN = b"course/pos/proposal/v1"  # a proposal signature can never pass for a tx's
_BLOCK_HASH = re.compile(r"0x[0-9a-f]{64}")


class StakeError(InvalidChainInput):
    """Base class: input that proof of stake refuses. Each subclass is one rule."""


class InvalidValidator(StakeError):
    """A validator is a Validator with a non-empty name and a Wallet."""


class DuplicateValidator(StakeError):
    """Names and addresses identify validators, so no two may share one."""


class NoStake(StakeError):
    """No validators, or none with stake: there is nothing to weight the draw by."""


class InvalidStake(StakeError):
    """A stake is a whole number of coins, >= 0."""


class InvalidSlot(StakeError):
    """A slot is an int in 0..2**64-1."""


class InvalidSeed(StakeError):
    """The shared randomness is non-empty bytes."""


class InvalidProposal(StakeError):
    """A proposal field of the wrong type or format."""


class InvalidEvidence(StakeError):
    """Not two validly signed proposals by one validator, for one slot, naming two blocks."""


class InvalidFraction(StakeError):
    """The share of stake to slash is a number in [0, 1]."""


class UnknownValidator(StakeError):
    """Evidence against a validator that has no stake entry."""


def _check_slot(slot: object, name: str = "slot") -> int:
    return ensure_int(slot, name, minimum=0, maximum=MAX_SLOT,
                      meaning="a slot number, 8 bytes: 0 .. 2**64 - 1", error=InvalidSlot)


def _check_seed(seed: object) -> bytes:
    if not isinstance(seed, bytes) or len(seed) == 0:
        fail(InvalidSeed, "seed", seed, "non-empty bytes, e.g. b'epoch 1 randomness'",
             "the shared randomness of the draw")
    return seed


def _is_hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _check_list(value: object, name: str, error: type[StakeError], rule: str) -> list[Any]:
    """``value`` as a list, if it is a list-like of items (not text, bytes or a mapping)."""
    if not isinstance(value, Iterable) or isinstance(value, str | bytes | Mapping):
        fail(error, name, value, rule)
    return list(value)


# --- choosing the proposer ------------------------------------------------------------------


@dataclass(frozen=True)
class Validator:
    """Someone who locked ``stake`` coins for the right to propose blocks, signed by ``wallet``."""

    name: str
    wallet: Wallet
    stake: int

    def __post_init__(self) -> None:
        name = ensure_text(self.name, "name", meaning="the validator's name",
                           error=InvalidValidator)
        ensure(isinstance(self.wallet, Wallet), InvalidValidator, f"{name}.wallet",
               Hidden(self.wallet), "a Wallet, e.g. wallet_from_seed('alice')")
        ensure_int(self.stake, f"{name}.stake", minimum=0, meaning="coins locked",
                   error=InvalidStake)

    @property
    def address(self) -> str:
        return self.wallet.address


def _lottery(validators: Iterable[Validator]) -> tuple[list[Validator], list[int]]:
    """Check the set; sort it by address (list order must not change the draw); sum the stakes."""
    given = _check_list(validators, "validators", InvalidValidator, "a list of Validator")
    ensure(len(given) > 0, NoStake, "validators", given, "at least one validator with stake")
    for item in given:
        ensure_instance(item, "validator", Validator, error=InvalidValidator)
    for key, plural in (("name", "names"), ("address", "addresses")):
        values = [getattr(validator, key) for validator in given]
        repeated = sorted({value for value in values if values.count(value) > 1})
        ensure(not repeated, DuplicateValidator, f"validator {plural}", repeated,
               "all different, but these repeat")
    ordered = sorted(given, key=lambda validator: validator.address.lower())
    cumulative = list(accumulate(validator.stake for validator in ordered))
    ensure(cumulative[-1] > 0, NoStake, "total stake", 0, "> 0: at least one validator with stake")
    return ordered, cumulative


def _draw(ordered: list[Validator], cumulative: list[int], seed: bytes, slot: int) -> Validator:
    """The ticket lands on one validator's stretch of the number line [0, total stake)."""
    digest = sha256(seed + slot.to_bytes(SLOT_BYTES, "big"))
    ticket = int.from_bytes(digest, "big") % cumulative[-1]  # bias ~ total / 2**256: negligible
    return ordered[bisect_right(cumulative, ticket)]  # zero stake = empty stretch, never hit


def select_proposer(validators: Sequence[Validator], seed: bytes, slot: int) -> Validator:
    """The validator whose turn it is to propose in ``slot``, chosen with odds = stake share.

    A pure function of (validators, seed, slot), so every node computes the same proposer.
    Ethereum draws from its RANDAO seed with a "swap-or-not" shuffle; the idea is the same.

    Raises:
        StakeError: a subclass naming the rule broken (NoStake, InvalidSeed, InvalidSlot...).
    """
    ordered, cumulative = _lottery(validators)
    return _draw(ordered, cumulative, _check_seed(seed), _check_slot(slot))


def simulate_proposers(validators: Sequence[Validator], slots: int, seed: bytes) -> dict[str, int]:
    """How many of slots 0..slots-1 each validator (by name) proposes."""
    validators = list(validators) if isinstance(validators, Iterable) else validators
    ordered, cumulative = _lottery(validators)
    _check_seed(seed)
    slots = ensure_int(slots, "slots", minimum=0, maximum=MAX_SIMULATED_SLOTS,
                       meaning="how many slots to draw", error=InvalidSlot)
    counts = {validator.name: 0 for validator in validators}  # in the order given
    for slot in range(slots):
        counts[_draw(ordered, cumulative, seed, slot).name] += 1
    return counts


# --- signed proposals and double signing ----------------------------------------------------


def _check_block_hash(block_hash: object) -> str:
    if not isinstance(block_hash, str) or _BLOCK_HASH.fullmatch(block_hash) is None:
        fail(InvalidProposal, "block_hash", block_hash,
             "'0x' + 64 lowercase hex digits (one spelling per block)")
    return block_hash


def proposal_digest(slot: int, block_hash: str) -> bytes:
    """What a validator signs: keccak256(domain tag || slot (8 bytes) || block hash (32 bytes))."""
    slot_bytes = _check_slot(slot).to_bytes(SLOT_BYTES, "big")
    hash_bytes = bytes.fromhex(_check_block_hash(block_hash)[2:])
    return keccak256(PROPOSAL_DOMAIN + slot_bytes + hash_bytes)


@dataclass(frozen=True)
class Proposal:
    """A signed claim by address ``validator``: "for ``slot`` I propose block ``block_hash``"."""

    slot: int
    block_hash: str
    validator: str
    signature: bytes

    def __post_init__(self) -> None:
        _check_slot(self.slot)
        _check_block_hash(self.block_hash)
        ensure(is_checksum_address(self.validator), InvalidProposal, "validator", self.validator,
               "an EIP-55 checksummed address")
        ensure_instance(self.signature, "signature", bytes, rule="bytes (65: r || s || v)",
                        error=InvalidProposal)


def sign_proposal(validator: Validator, slot: int, block_hash: str) -> Proposal:
    """Sign ``proposal_digest(slot, block_hash)`` with the validator's key."""
    ensure_instance(validator, "validator", Validator, error=InvalidValidator)
    signature = validator.wallet.sign(proposal_digest(slot, block_hash))
    return Proposal(slot, block_hash, validator.address, signature)


def proposal_is_valid(proposal: Proposal) -> bool:
    """True if the signature recovers to ``proposal.validator``; False for any other signature."""
    ensure_instance(proposal, "proposal", Proposal, error=InvalidProposal)
    digest = proposal_digest(proposal.slot, proposal.block_hash)
    try:
        return recover_address(digest, proposal.signature) == proposal.validator
    except InvalidSignature:
        return False  # malformed bytes or no key: it proves nothing


@dataclass(frozen=True)
class Evidence:
    """Proof of double signing: two valid proposals, one validator, one slot, two blocks.

    Checked on creation: no Evidence exists unless the validator really signed both.
    """

    first: Proposal
    second: Proposal

    def __post_init__(self) -> None:
        for name, proposal in (("first", self.first), ("second", self.second)):
            ok = isinstance(proposal, Proposal) and proposal_is_valid(proposal)
            ensure(ok, InvalidEvidence, name, proposal, "a validly signed Proposal")
        first, second = self.first, self.second
        for key in ("validator", "slot"):
            mine, theirs = getattr(second, key), getattr(first, key)
            rule = f"equal to first.{key} ({theirs!r}): one validator, one slot"
            ensure(mine == theirs, InvalidEvidence, f"second.{key}", mine, rule)
        ensure(second.block_hash != first.block_hash, InvalidEvidence, "second.block_hash",
               second.block_hash, "different from first.block_hash: two blocks, not one")

    @property
    def validator(self) -> str:
        return self.first.validator

    @property
    def slot(self) -> int:
        return self.first.slot


def find_double_signing(proposals: Iterable[Proposal]) -> list[Evidence]:
    """Evidence for every (validator, slot) with two validly signed blocks, sorted by slot.

    Badly signed proposals are dropped first: otherwise anyone could frame anyone.
    """
    given = _check_list(proposals, "proposals", InvalidProposal, "a list of Proposal")
    blocks: dict[tuple[int, str], dict[str, Proposal]] = {}  # (slot, validator) -> hash -> proposal
    for proposal in given:
        if proposal_is_valid(proposal):  # raises InvalidProposal for a non-Proposal
            offence = (proposal.slot, proposal.validator)
            blocks.setdefault(offence, {}).setdefault(proposal.block_hash, proposal)
    evidence = []
    for _offence, by_hash in sorted(blocks.items()):
        if len(by_hash) > 1:
            first, second = sorted(by_hash)[:2]  # order-independent: same input, same Evidence
            evidence.append(Evidence(by_hash[first], by_hash[second]))
    return evidence


# --- slashing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlashResult:
    """Stakes after slashing, coins burned per validator, and every (validator, slot) punished."""

    stakes: dict[str, int]
    burned: dict[str, int]
    slashed: frozenset[tuple[str, int]]

    @property
    def total_burned(self) -> int:
        return sum(self.burned.values())


def slash(
    stakes: Mapping[str, int], evidence: Iterable[Evidence], fraction: float,
    *, already_slashed: Collection[tuple[str, int]] = frozenset(),
) -> SlashResult:
    """Burn ``fraction`` of an offender's stake (rounded down) once per (validator, slot).

    ``stakes`` maps address -> stake. Burned coins are destroyed, so the total is conserved:
    sum(before) == sum(after) + total_burned. An offence repeated in ``evidence`` or listed in
    ``already_slashed`` (pass the previous result's ``slashed``) is not punished again.
    Nothing changes unless every input is valid; ``stakes`` itself is never modified.
    """
    if not isinstance(stakes, Mapping):
        fail(InvalidStake, "stakes", stakes, "a map address -> stake")
    for address, amount in stakes.items():
        ensure_int(amount, f"stakes[{address!r}]", minimum=0, meaning="coins locked",
                   error=InvalidStake)
    ensure_number(fraction, "fraction", minimum=0, maximum=1,
                  meaning="the share of stake to burn, e.g. 0.05 for 5%", error=InvalidFraction)
    rate = Fraction(str(fraction))  # read 0.29 as 29/100, not as the float just below it
    items = _check_list(evidence, "evidence", InvalidEvidence, "a list of Evidence")
    for item in items:
        ensure_instance(item, "evidence item", Evidence, rule="an Evidence", error=InvalidEvidence)
    pairs = _check_list(already_slashed, "already_slashed", InvalidEvidence,
                        "a set of (validator address, slot) pairs, e.g. a SlashResult's slashed")
    for pair in pairs:
        ok = isinstance(pair, tuple) and len(pair) == 2 and _is_hashable(pair)
        ensure(ok, InvalidEvidence, "already_slashed item", pair, "a (address, slot) pair")
    done = frozenset(pairs)
    offences = sorted({(item.validator, item.slot) for item in items} - done)
    for address, _slot in offences:
        ensure(address in stakes, UnknownValidator, "evidence validator", address,
               "a key of stakes")
    after, burned = dict(stakes), dict[str, int]()
    for address, _slot in offences:
        penalty = math.floor(after[address] * rate)
        after[address] -= penalty
        burned[address] = burned.get(address, 0) + penalty
    return SlashResult(after, burned, done | frozenset(offences))
