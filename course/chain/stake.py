"""Proof of stake: validators lock up coins instead of burning electricity.

In proof of work the right to add a block is won by hashing; in proof of stake it is drawn
by lot, each validator's chance proportional to its stake. Every node must draw the same lot,
so the draw is a hash of shared randomness (the seed) and the slot number. A validator that
signs two different blocks for one slot has *double signed*: the two signed proposals prove
it, anyone can submit them, and part of its stake is burned (slashed). The threat of losing
stake, not spent energy, is what makes cheating expensive.
"""

from __future__ import annotations

import math
import numbers
import re
from bisect import bisect_right
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import accumulate

from course.chain.hashing import keccak256, sha256
from course.chain.keys import InvalidSignature, Wallet, is_checksum_address, recover_address

SLOT_BYTES = 8  # a slot is encoded as 8 big-endian bytes
PROPOSAL_DOMAIN = b"course/pos/proposal/v1"  # a proposal signature can never pass for a tx's
SECONDS_PER_DAY = 86_400
JOULES_PER_KWH = 3_600_000
_BLOCK_HASH = re.compile(r"0x[0-9a-f]{64}")


class StakeError(ValueError):
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


class InvalidEnergyAssumption(StakeError):
    """Energy inputs are positive, finite numbers."""


def _require(ok: bool, error: type[StakeError], name: str, value: object, rule: str) -> None:
    """Unless ``ok``, raise ``error`` (the rule) naming the field, its value and the expectation."""
    if not ok:
        shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
        raise error(f"{name} = {shown}, expected {rule}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # True is an int in Python


def _check_slot(slot: object, name: str = "slot") -> int:
    _require(_is_int(slot) and 0 <= slot < 2**64, InvalidSlot, name, slot, "an int in 0..2**64-1")
    return slot


def _check_positive(name: str, value: object) -> None:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    ok = ok and math.isfinite(value) and value > 0
    _require(ok, InvalidEnergyAssumption, name, value, "a positive, finite number")


def _check_seed(seed: object) -> bytes:
    ok = isinstance(seed, bytes) and len(seed) > 0
    _require(ok, InvalidSeed, "seed", seed, "non-empty bytes, e.g. b'epoch 1 randomness'")
    return seed


# --- choosing the proposer ------------------------------------------------------------------


@dataclass(frozen=True)
class Validator:
    """Someone who locked ``stake`` coins for the right to propose blocks, signed by ``wallet``."""

    name: str
    wallet: Wallet
    stake: int

    def __post_init__(self) -> None:
        name, wallet, stake = self.name, self.wallet, self.stake
        ok = isinstance(name, str) and name != ""
        _require(ok, InvalidValidator, "name", name, "a non-empty str")
        kind = type(wallet).__name__  # show only the type: it may be a private key
        ok = isinstance(wallet, Wallet)
        _require(ok, InvalidValidator, f"type({name}.wallet)", kind, "Wallet (wallet_from_seed)")
        _require(_is_int(stake) and stake >= 0, InvalidStake, f"{name}.stake", stake, "an int >= 0")

    @property
    def address(self) -> str:
        return self.wallet.address


def _lottery(validators: Iterable[Validator]) -> tuple[list[Validator], list[int]]:
    """Check the set; sort it by address (list order must not change the draw); sum the stakes."""
    ok = isinstance(validators, Iterable) and not isinstance(validators, str | bytes)
    _require(ok, InvalidValidator, "validators", validators, "a list of Validator")
    given = list(validators)
    _require(len(given) > 0, NoStake, "validators", given, "at least one validator with stake")
    for item in given:
        _require(isinstance(item, Validator), InvalidValidator, "validator", item, "a Validator")
    for key, plural in (("name", "names"), ("address", "addresses")):
        values = [getattr(validator, key) for validator in given]
        repeated = sorted({value for value in values if values.count(value) > 1})
        _require(not repeated, DuplicateValidator, f"repeated {plural}", repeated, "none")
    ordered = sorted(given, key=lambda validator: validator.address.lower())
    cumulative = list(accumulate(validator.stake for validator in ordered))
    _require(cumulative[-1] > 0, NoStake, "total stake", 0, "at least one validator with stake > 0")
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
    _require(_is_int(slots) and 0 <= slots <= 2**64, InvalidSlot, "slots", slots, "an int >= 0")
    counts = {validator.name: 0 for validator in validators}  # in the order given
    for slot in range(slots):
        counts[_draw(ordered, cumulative, seed, slot).name] += 1
    return counts


# --- signed proposals and double signing ----------------------------------------------------


def _check_block_hash(block_hash: object) -> str:
    ok = isinstance(block_hash, str) and _BLOCK_HASH.fullmatch(block_hash) is not None
    rule = "'0x' + 64 lowercase hex digits (one spelling per block)"
    _require(ok, InvalidProposal, "block_hash", block_hash, rule)
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
        address, kind = self.validator, type(self.signature).__name__
        ok = is_checksum_address(address)
        _require(ok, InvalidProposal, "validator", address, "an EIP-55 checksummed address")
        ok = isinstance(self.signature, bytes)
        _require(ok, InvalidProposal, "type(signature)", kind, "bytes (65: r || s || v)")


def sign_proposal(validator: Validator, slot: int, block_hash: str) -> Proposal:
    """Sign ``proposal_digest(slot, block_hash)`` with the validator's key."""
    ok = isinstance(validator, Validator)
    _require(ok, InvalidValidator, "validator", validator, "a Validator")
    signature = validator.wallet.sign(proposal_digest(slot, block_hash))
    return Proposal(slot, block_hash, validator.address, signature)


def proposal_is_valid(proposal: Proposal) -> bool:
    """True if the signature recovers to ``proposal.validator``; False for any other signature."""
    _require(isinstance(proposal, Proposal), InvalidProposal, "proposal", proposal, "a Proposal")
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
            _require(ok, InvalidEvidence, name, proposal, "a validly signed Proposal")
        first, second = self.first, self.second
        for key in ("validator", "slot"):
            mine, theirs = getattr(second, key), getattr(first, key)
            rule = f"equal to first.{key} ({theirs!r}): one validator, one slot"
            _require(mine == theirs, InvalidEvidence, f"second.{key}", mine, rule)
        rule = "differs from first.block_hash: two blocks, not one"
        _require(second.block_hash != first.block_hash, InvalidEvidence, "second.block_hash",
                 second.block_hash, rule)

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
    blocks: dict[tuple[int, str], dict[str, Proposal]] = {}  # (slot, validator) -> hash -> proposal
    for proposal in proposals:
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
    _require(isinstance(stakes, Mapping), InvalidStake, "stakes", stakes, "an address -> int map")
    for address, amount in stakes.items():
        _require(_is_int(amount) and amount >= 0, InvalidStake, f"stakes[{address!r}]", amount,
                 "an int >= 0")
    ok = isinstance(fraction, numbers.Real) and not isinstance(fraction, bool)
    ok = ok and 0 <= fraction <= 1  # NaN fails here too
    _require(ok, InvalidFraction, "fraction", fraction, "a number in [0, 1], e.g. 0.05 for 5%")
    rate = Fraction(str(fraction))  # read 0.29 as 29/100, not as the float just below it
    items = list(evidence)
    for item in items:
        _require(isinstance(item, Evidence), InvalidEvidence, "evidence item", item, "an Evidence")
    done = frozenset(already_slashed)
    offences = sorted({(item.validator, item.slot) for item in items} - done)
    for address, _slot in offences:
        _require(address in stakes, UnknownValidator, "evidence validator", address,
                 "a key of stakes")
    after, burned = dict(stakes), {}
    for address, _slot in offences:
        penalty = math.floor(after[address] * rate)
        after[address] -= penalty
        burned[address] = burned.get(address, 0) + penalty
    return SlashResult(after, burned, done | frozenset(offences))


# --- energy: proof of work vs proof of stake --------------------------------------------------


@dataclass(frozen=True)
class EnergyAssumptions:
    """Inputs to a PoW vs PoS energy estimate: parameters with a source and a date, not facts.

    They drift month to month and published estimates disagree by several times; what survives
    any reasonable choice is the gap of orders of magnitude (the Ethereum Foundation estimated
    that the Merge would cut Ethereum's energy use by ~99.95%). Change them and re-run.
    """

    # Bitcoin: 149 TWh/yr, Cambridge Bitcoin Electricity Consumption Index (CBECI), as quoted
    # on ethereum.org/energy-consumption (accessed July 2023); 149e12 Wh / 8,766 h ~ 17 GW.
    pow_network_power_watts: float = 17.0e9
    # Bitcoin on-chain transactions: a few hundred thousand a day in 2023 (blockchain.com chart).
    pow_transactions_per_day: float = 400_000
    # Ethereum: the Ethereum Foundation's estimate (C. Beekhuizen, "Ethereum's energy usage will
    # soon decrease by ~99.95%", blog.ethereum.org, 2021-05-18): 140,592 validators, ~5.4 per
    # home machine (ratio applied here to all), "100W all in" per machine. ~2.6 MW, 0.023 TWh/yr;
    # CCRI's measured post-Merge figure (Sept 2022, quoted by ethereum.org) is ~0.0026 TWh/yr.
    pos_validators: int = 140_592
    pos_validators_per_node: float = 5.4
    pos_node_power_watts: float = 100.0
    # Ethereum transactions: about a million a day in 2023 (etherscan.io/chart/tx).
    pos_transactions_per_day: float = 1_000_000

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            _check_positive(name, value)

    @property
    def pos_network_power_watts(self) -> float:
        return self.pos_validators / self.pos_validators_per_node * self.pos_node_power_watts

    @property
    def pow_kwh_per_transaction(self) -> float:
        joules = energy_per_transaction(self.pow_network_power_watts, self.pow_transactions_per_day)
        return joules / JOULES_PER_KWH

    @property
    def pos_kwh_per_transaction(self) -> float:
        joules = energy_per_transaction(self.pos_network_power_watts, self.pos_transactions_per_day)
        return joules / JOULES_PER_KWH

    @property
    def pos_to_pow_ratio(self) -> float:
        """Energy per transaction under proof of stake as a fraction of proof of work's."""
        return self.pos_kwh_per_transaction / self.pow_kwh_per_transaction


def energy_per_transaction(network_power_watts: float, transactions_per_day: float) -> float:
    """Joules per transaction: a day's energy (watts x 86,400 s) shared over its transactions.

    An average, not a marginal cost: a block costs the same energy full or empty, and the
    figure swings with what counts as a transaction (layer-2 rollups, for one).
    """
    _check_positive("network_power_watts", network_power_watts)
    _check_positive("transactions_per_day", transactions_per_day)
    return network_power_watts * SECONDS_PER_DAY / transactions_per_day
