"""Proof of stake: a fair, deterministic proposer draw; signed proposals; slashing."""

from __future__ import annotations

import math
import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.chain.keys import recover_address, wallet_from_seed
from course.chain.stake import (
    DuplicateValidator,
    Evidence,
    InvalidEvidence,
    InvalidFraction,
    InvalidProposal,
    InvalidSeed,
    InvalidSlot,
    InvalidStake,
    InvalidValidator,
    NoStake,
    Proposal,
    StakeError,
    UnknownValidator,
    Validator,
    find_double_signing,
    proposal_digest,
    proposal_is_valid,
    select_proposer,
    sign_proposal,
    simulate_proposers,
    slash,
)

SEED = b"epoch 7 randomness"
BLOCK_A = "0x" + "aa" * 32
BLOCK_B = "0x" + "bb" * 32

ALICE = Validator("alice", wallet_from_seed("stake alice"), 10)
BOB = Validator("bob", wallet_from_seed("stake bob"), 20)
CAROL = Validator("carol", wallet_from_seed("stake carol"), 30)
DAVE = Validator("dave", wallet_from_seed("stake dave"), 40)
MALLORY = Validator("mallory", wallet_from_seed("stake mallory"), 50)
VALIDATORS = [ALICE, BOB, CAROL, DAVE]
STAKES = {validator.address: validator.stake for validator in VALIDATORS}


def double_sign(validator: Validator, slot: int) -> Evidence:
    """The evidence a validator leaves by signing two blocks for one slot."""
    (evidence,) = find_double_signing(
        [sign_proposal(validator, slot, BLOCK_A), sign_proposal(validator, slot, BLOCK_B)]
    )
    return evidence


def forged(victim: Validator, slot: int, block_hash: str) -> Proposal:
    """Mallory's signature on a proposal that claims to come from ``victim``."""
    signature = MALLORY.wallet.sign(proposal_digest(slot, block_hash))
    return Proposal(slot, block_hash, victim.address, signature)


# --- choosing the proposer --------------------------------------------------------------------


def test_same_seed_and_slot_give_the_same_proposer_on_every_call():
    first = [select_proposer(VALIDATORS, SEED, slot) for slot in range(50)]
    again = [select_proposer(VALIDATORS, SEED, slot) for slot in range(50)]
    assert first == again


def test_the_order_nodes_list_validators_in_does_not_change_the_proposer():
    shuffled = VALIDATORS[:]
    random.Random(1).shuffle(shuffled)
    assert shuffled != VALIDATORS
    for slot in range(50):
        assert select_proposer(shuffled, SEED, slot) == select_proposer(VALIDATORS, SEED, slot)


def test_a_different_seed_gives_a_different_schedule():
    schedule = [select_proposer(VALIDATORS, SEED, slot).name for slot in range(30)]
    other = [select_proposer(VALIDATORS, b"another epoch", slot).name for slot in range(30)]
    assert schedule != other


def test_each_validator_proposes_in_proportion_to_its_stake():
    slots = 20_000
    counts = simulate_proposers(VALIDATORS, slots, SEED)
    assert sum(counts.values()) == slots
    total = sum(validator.stake for validator in VALIDATORS)
    for validator in VALIDATORS:
        share = validator.stake / total
        standard_error = math.sqrt(share * (1 - share) / slots)
        assert abs(counts[validator.name] / slots - share) < 4 * standard_error, validator.name


def test_simulate_agrees_with_select_proposer_slot_by_slot():
    expected = {validator.name: 0 for validator in VALIDATORS}
    for slot in range(200):
        expected[select_proposer(VALIDATORS, SEED, slot).name] += 1
    assert simulate_proposers(VALIDATORS, 200, SEED) == expected


def test_a_validator_with_zero_stake_is_never_chosen():
    idle = Validator("idle", wallet_from_seed("stake idle"), 0)
    counts = simulate_proposers([idle, *VALIDATORS], 5_000, SEED)
    assert counts["idle"] == 0


def test_the_only_staked_validator_proposes_every_slot():
    idle = [replace(validator, stake=0) for validator in VALIDATORS[1:]]
    assert simulate_proposers([ALICE, *idle], 100, SEED)["alice"] == 100


# --- signed proposals -------------------------------------------------------------------------


def test_a_signed_proposal_verifies_and_recovers_its_signer():
    proposal = sign_proposal(ALICE, 12, BLOCK_A)
    assert proposal.validator == ALICE.address
    assert proposal_is_valid(proposal)
    assert recover_address(proposal_digest(12, BLOCK_A), proposal.signature) == ALICE.address


def test_a_proposal_with_a_tampered_block_hash_is_invalid():
    proposal = sign_proposal(ALICE, 12, BLOCK_A)
    assert not proposal_is_valid(replace(proposal, block_hash=BLOCK_B))


def test_a_proposal_moved_to_another_slot_is_invalid():
    assert not proposal_is_valid(replace(sign_proposal(ALICE, 12, BLOCK_A), slot=13))


def test_a_proposal_signed_by_someone_else_is_invalid():
    assert not proposal_is_valid(forged(ALICE, 12, BLOCK_A))


@pytest.mark.parametrize("signature", [b"", b"\x00" * 65, b"\xff" * 65, b"\x01" * 64 + b"\x00"])
def test_a_proposal_with_garbage_signature_bytes_is_invalid(signature):
    proposal = Proposal(12, BLOCK_A, ALICE.address, signature)
    assert not proposal_is_valid(proposal)


def test_the_digest_commits_to_slot_and_block_hash():
    variants = [(1, BLOCK_A), (2, BLOCK_A), (1, BLOCK_B)]
    assert len({proposal_digest(slot, block) for slot, block in variants}) == 3


# --- double signing ---------------------------------------------------------------------------


def test_two_blocks_signed_for_one_slot_are_evidence():
    first, second = sign_proposal(BOB, 5, BLOCK_A), sign_proposal(BOB, 5, BLOCK_B)
    honest = sign_proposal(ALICE, 5, BLOCK_A)
    (evidence,) = find_double_signing([honest, first, second])
    assert (evidence.validator, evidence.slot) == (BOB.address, 5)
    assert {evidence.first.block_hash, evidence.second.block_hash} == {BLOCK_A, BLOCK_B}


def test_evidence_does_not_depend_on_the_order_proposals_arrive_in():
    first, second = sign_proposal(BOB, 5, BLOCK_A), sign_proposal(BOB, 5, BLOCK_B)
    assert find_double_signing([first, second]) == find_double_signing([second, first])


def test_a_forged_conflicting_proposal_is_not_evidence():
    honest = sign_proposal(ALICE, 5, BLOCK_A)
    assert find_double_signing([honest, forged(ALICE, 5, BLOCK_B)]) == []
    with pytest.raises(InvalidEvidence, match="second must be a validly signed Proposal"):
        Evidence(honest, forged(ALICE, 5, BLOCK_B))


def test_proposals_for_different_slots_are_not_evidence():
    proposals = [sign_proposal(ALICE, 5, BLOCK_A), sign_proposal(ALICE, 6, BLOCK_B)]
    assert find_double_signing(proposals) == []
    with pytest.raises(InvalidEvidence, match=r"second.slot must be equal to first.slot \(5\)"):
        Evidence(*proposals)


def test_the_same_block_signed_twice_is_not_evidence():
    proposal = sign_proposal(ALICE, 5, BLOCK_A)
    assert find_double_signing([proposal, proposal]) == []
    with pytest.raises(InvalidEvidence, match="two blocks"):
        Evidence(proposal, proposal)


def test_two_validators_signing_different_blocks_is_not_evidence():
    proposals = [sign_proposal(ALICE, 5, BLOCK_A), sign_proposal(BOB, 5, BLOCK_B)]
    assert find_double_signing(proposals) == []
    with pytest.raises(InvalidEvidence, match="second.validator"):
        Evidence(*proposals)


# --- slashing ---------------------------------------------------------------------------------


def test_slashing_burns_a_fraction_and_conserves_the_total():
    result = slash(STAKES, [double_sign(BOB, 5)], 0.25)
    assert result.burned == {BOB.address: 5}
    assert result.stakes[BOB.address] == 15
    assert sum(STAKES.values()) == sum(result.stakes.values()) + result.total_burned
    assert result.slashed == {(BOB.address, 5)}


def test_slashing_leaves_other_validators_and_the_input_untouched():
    before = dict(STAKES)
    result = slash(STAKES, [double_sign(BOB, 5)], 0.5)
    assert before == STAKES  # the caller's mapping is not modified
    assert {a: s for a, s in result.stakes.items() if a != BOB.address} == {
        a: s for a, s in before.items() if a != BOB.address
    }


def test_the_fraction_is_read_as_the_decimal_you_typed():
    stakes = {CAROL.address: 100}
    assert slash(stakes, [double_sign(CAROL, 1)], 0.29).burned == {CAROL.address: 29}


def test_the_same_offence_in_the_evidence_twice_is_punished_once():
    evidence = double_sign(BOB, 5)
    assert slash(STAKES, [evidence, evidence], 0.5).burned == {BOB.address: 10}


def test_slashing_again_for_an_already_slashed_offence_changes_nothing():
    evidence = [double_sign(BOB, 5)]
    once = slash(STAKES, evidence, 0.5)
    twice = slash(once.stakes, evidence, 0.5, already_slashed=once.slashed)
    assert twice.stakes == once.stakes
    assert twice.total_burned == 0
    assert twice.slashed == once.slashed


def test_a_second_offence_in_another_slot_is_punished_again():
    once = slash(STAKES, [double_sign(DAVE, 5)], 0.5)
    twice = slash(once.stakes, [double_sign(DAVE, 6)], 0.5, already_slashed=once.slashed)
    assert twice.stakes[DAVE.address] == 10
    assert twice.slashed == {(DAVE.address, 5), (DAVE.address, 6)}


EVIDENCE_POOL = [double_sign(validator, slot) for validator in VALIDATORS for slot in (1, 2)]


@settings(max_examples=60, deadline=None)
@given(
    stakes=st.lists(st.integers(0, 10**30), min_size=4, max_size=4),
    picks=st.lists(st.sampled_from(EVIDENCE_POOL), max_size=12),
    fraction=st.floats(0, 1),
)
def test_slashing_always_conserves_stake_and_is_idempotent(stakes, picks, fraction):
    before = {validator.address: stake for validator, stake in zip(VALIDATORS, stakes, strict=True)}
    result = slash(before, picks, fraction)
    assert sum(before.values()) == sum(result.stakes.values()) + result.total_burned
    assert all(0 <= result.stakes[a] <= before[a] for a in before)
    again = slash(result.stakes, picks, fraction, already_slashed=result.slashed)
    assert again.stakes == result.stakes and again.total_burned == 0


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: select_proposer([], SEED, 1), NoStake,
         r"validators must be at least one validator with stake, got \[\]"),
        (lambda: select_proposer([replace(ALICE, stake=0)], SEED, 1), NoStake,
         "total stake must be > 0: at least one validator with stake, got 0"),
        (lambda: select_proposer([ALICE, "bob"], SEED, 1), InvalidValidator,
         "validator must be a Validator, got 'bob'"),
        (lambda: select_proposer(None, SEED, 1), InvalidValidator,
         "validators must be a list of Validator, got None"),
        (lambda: select_proposer([ALICE, replace(BOB, name="alice")], SEED, 1),
         DuplicateValidator, r"validator names must be all different.*got \['alice'\]"),
        (lambda: select_proposer([ALICE, replace(ALICE, name="twin")], SEED, 1),
         DuplicateValidator, r"validator addresses must be all different.*got \['0x"),
        (lambda: select_proposer(VALIDATORS, "seed", 1), InvalidSeed,
         r"seed \(the shared randomness of the draw\) must be non-empty bytes.*got 'seed'"),
        (lambda: select_proposer(VALIDATORS, b"", 1), InvalidSeed, "non-empty bytes"),
        (lambda: select_proposer(VALIDATORS, SEED, -1), InvalidSlot, r"slot \(a slot .*got -1"),
        (lambda: select_proposer(VALIDATORS, SEED, True), InvalidSlot, "slot .*got True"),
        (lambda: select_proposer(VALIDATORS, SEED, 2**64), InvalidSlot, r"0 .. 2\*\*64 - 1"),
        (lambda: simulate_proposers(VALIDATORS, 1.5, SEED), InvalidSlot,
         r"slots \(how many slots to draw\) must be an integer .*, got 1.5"),
        (lambda: Validator("", ALICE.wallet, 1), InvalidValidator,
         r"name \(the validator's name\) must be non-empty text, got ''"),
        (lambda: Validator("eve", ALICE.wallet, -5), InvalidStake,
         r"eve.stake \(coins locked\) must be an integer >= 0, got -5"),
        (lambda: Validator("eve", ALICE.wallet, 2.5), InvalidStake, "eve.stake .*got 2.5"),
        (lambda: sign_proposal(ALICE, 1, "0x" + "AA" * 32), InvalidProposal, "lowercase hex"),
        (lambda: sign_proposal(ALICE, 1, "0xabc"), InvalidProposal,
         "block_hash must be .*, got '0xabc'"),
        (lambda: sign_proposal("alice", 1, BLOCK_A), InvalidValidator,
         "validator must be a Validator, got 'alice'"),
        (lambda: Proposal(1, BLOCK_A, ALICE.address.lower(), b""), InvalidProposal, "EIP-55"),
        (lambda: Proposal(1, BLOCK_A, ALICE.address, "0x12"), InvalidProposal,
         r"signature must be bytes \(65: r \|\| s \|\| v\), got '0x12'"),
        (lambda: proposal_is_valid("proposal"), InvalidProposal,
         "proposal must be a Proposal, got 'proposal'"),
        (lambda: find_double_signing([None]), InvalidProposal,
         "proposal must be a Proposal, got None"),
        (lambda: slash(STAKES, [], 1.5), InvalidFraction,
         r"fraction \(the share of stake to burn.*\) must be a finite number in \[0, 1\], got 1.5"),
        (lambda: slash(STAKES, [], math.nan), InvalidFraction, "fraction .*got nan"),
        (lambda: slash(STAKES, [], True), InvalidFraction, "fraction .*got True"),
        (lambda: slash({ALICE.address: -1}, [], 0.1), InvalidStake,
         "must be an integer >= 0, got -1"),
        (lambda: slash(STAKES, ["evidence"], 0.1), InvalidEvidence,
         "evidence item must be an Evidence, got 'evidence'"),
        (lambda: slash(STAKES, [double_sign(MALLORY, 1)], 0.1), UnknownValidator,
         "evidence validator must be a key of stakes, got '0x"),
    ],
)
def test_bad_input_raises_a_specific_error_that_names_field_value_and_rule(call, error, message):
    with pytest.raises(error, match=message) as raised:
        call()
    assert isinstance(raised.value, StakeError)


def test_a_wallet_error_shows_the_type_never_the_key():
    secret = b"\x42" * 32
    with pytest.raises(InvalidValidator, match="eve.wallet must be a Wallet.*<32 bytes") as raised:
        Validator("eve", secret, 1)
    assert secret.hex() not in str(raised.value) and repr(secret) not in str(raised.value)


def test_a_failed_slash_changes_nothing():
    stakes = dict(STAKES)
    with pytest.raises(UnknownValidator):
        slash(stakes, [double_sign(BOB, 1), double_sign(MALLORY, 1)], 0.5)
    assert stakes == STAKES
