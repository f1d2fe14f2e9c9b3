"""Every public function of course.chain's lesson modules answers garbage or refuses it by name.

The modules are hashing, merkle, keys, siwe, mnemonic, network, attacks, stake, energy,
bitcoin and clock; the chain core (blocks, transactions, chain, storage...) has its own tests.
Each ValidCall below is a call the function accepts, with small sizes so each one is fast; the
fuzzer swaps one argument for garbage (None, NaN, infinities, negatives, huge numbers, wrong
types) and requires a return value or a ChainError that is also a ValueError: never a raw
TypeError, an AttributeError or a hang. The tests after it pin what the fuzzer found.
"""

from __future__ import annotations

import inspect
from dataclasses import replace
from types import ModuleType

import numpy as np
import pytest

from course.chain import (
    attacks,
    bitcoin,
    clock,
    energy,
    hashing,
    keys,
    merkle,
    mnemonic,
    network,
    siwe,
    stake,
)
from course.chain.errors import ChainError
from tests.garbage import ValidCall, assert_calls_are_valid, fuzz_valid_calls

ALICE = keys.wallet_from_seed("garbage alice")
DIGEST = hashing.keccak256(b"pay bob 10")
SIGNATURE = ALICE.sign(DIGEST)
LEAVES = [hashing.double_sha256(bytes([i])) for i in range(5)]
PROOF = merkle.merkle_proof(LEAVES, 3)
ROOT = merkle.merkle_root(LEAVES)
GENESIS_RAW = bitcoin.load_headers()[0]
GENESIS = bitcoin.parse_header(GENESIS_RAW)
BLOCK_A, BLOCK_B = "0x" + "aa" * 32, "0x" + "bb" * 32
VALIDATORS = [stake.Validator(name, keys.wallet_from_seed(f"garbage {name}"), stake_)
              for name, stake_ in (("ana", 30), ("ben", 20))]
PROPOSAL = stake.sign_proposal(VALIDATORS[0], 5, BLOCK_A)
EVIDENCE = stake.Evidence(PROPOSAL, stake.sign_proposal(VALIDATORS[0], 5, BLOCK_B))
STAKES = {validator.address: validator.stake for validator in VALIDATORS}
SIWE_FIELDS = {
    "domain": "app.example.org", "address": ALICE.address, "statement": "Sign in.",
    "uri": "https://app.example.org/login", "chain_id": 1,
    "nonce": siwe.NonceStore(seed=0).new_nonce(),  # the first nonce a_server() issues
    "issued_at": "2026-03-01T12:00:00Z", "expiration_time": "2026-03-01T12:10:00Z",
}
SIWE_OPTIONAL_FIELDS = {**SIWE_FIELDS, "not_before": "2026-03-01T12:00:00Z",
                        "request_id": "req-1", "resources": ("https://app.example.org/me",)}
LOGIN = siwe.SiweMessage(**SIWE_FIELDS)
LOGIN_SIGNATURE = keys.sign_message(ALICE, LOGIN.text())
RUN = network.simulate_network([0.5, 0.5], 1.0, 600.0, 5, seed=0)


def rng() -> np.random.Generator:
    return np.random.default_rng(0)


# Methods run on a fresh object each time, so every call starts valid.

def sign_with_a_wallet(**kwargs):
    return ALICE.sign(**kwargs)


def text_of_a_sign_in(**fields):
    return siwe.SiweMessage(**fields).text()


def a_server() -> siwe.NonceStore:
    """A fresh server that has just issued LOGIN's nonce, so each call is a first sign-in."""
    nonces = siwe.NonceStore(seed=0)
    nonces.new_nonce()
    return nonces


def sign_in_once(**kwargs):
    return siwe.verify_siwe(nonces=a_server(), **kwargs)


def use_a_nonce(**kwargs):
    return a_server().use(**kwargs)


def open_nonce(**kwargs):
    return a_server().is_open(**kwargs)


def new_nonce_of_a_store(**kwargs):
    return siwe.NonceStore(**kwargs).new_nonce()


def share_of_a_run(**kwargs):
    return RUN.share_of_main_chain(**kwargs)


def advance_a_clock(**kwargs):
    return clock.ManualClock().advance(**kwargs)


def energy_ratio(**fields):
    return energy.EnergyAssumptions(**fields).pos_to_pow_ratio


def describe_not_bytes(**kwargs):
    return hashing.NotBytes.describing(**kwargs)


CALLS = [
    # hashing
    ValidCall(hashing.sha256, {"data": b"abc"}),
    ValidCall(hashing.double_sha256, {"data": b"abc"}),
    ValidCall(hashing.keccak256, {"data": b"abc"}),
    ValidCall(hashing.hex_digest, {"data": b"abc"}),
    ValidCall(hashing.bits_differ, {"a": b"\x00\xff", "b": b"\x0f\x0f"}),
    ValidCall(describe_not_bytes, {"function": "sha256", "value": "hello"}),
    # merkle
    ValidCall(merkle.merkle_levels, {"leaves": LEAVES}),
    ValidCall(merkle.merkle_root, {"leaves": LEAVES}),
    ValidCall(merkle.merkle_proof, {"leaves": LEAVES, "index": 3}),
    ValidCall(merkle.merkle_proofs, {"leaves": LEAVES, "indices": [3, 0]}),
    ValidCall(merkle.verify_proof, {"leaf": LEAVES[3], "proof": PROOF, "root": ROOT}),
    ValidCall(merkle.txid_to_internal, {"txid_hex": "ab" * 32}),
    ValidCall(merkle.internal_to_txid, {"digest": LEAVES[0]}),
    ValidCall(merkle.ProofStep, {"sibling": LEAVES[0], "sibling_on_left": True}),
    ValidCall(merkle.MerkleProof, {"leaf_index": 0, "steps": ()}),
    # keys
    ValidCall(keys.wallet_from_seed, {"seed": "alice", "index": 1}),
    ValidCall(keys.wallet_from_private_key, {"private_key": "00" * 31 + "01"}),
    ValidCall(keys.Wallet, {"private_key": ALICE.private_key}),
    ValidCall(sign_with_a_wallet, {"digest": DIGEST}),
    ValidCall(keys.to_checksum_address, {"address": ALICE.address.lower()}),
    ValidCall(keys.is_checksum_address, {"address": ALICE.address}),
    ValidCall(keys.recover_address, {"digest": DIGEST, "signature": SIGNATURE}),
    ValidCall(keys.verify_signature, {"digest": DIGEST, "signature": SIGNATURE,
                                      "address": ALICE.address}),
    ValidCall(keys.sign_message, {"wallet": ALICE, "text": "gm"}),
    ValidCall(keys.recover_message_signer, {"text": "Sign in.", "signature": SIGNATURE}),
    ValidCall(keys.utf8_text, {"value": "gm", "name": "text", "meaning": "a message"}),
    ValidCall(keys.ensure_index, {"index": 7}),
    ValidCall(keys.Hidden, {"value": b"secret"}),
    # siwe
    ValidCall(siwe.SiweMessage, SIWE_FIELDS),
    ValidCall(text_of_a_sign_in, SIWE_OPTIONAL_FIELDS),
    ValidCall(sign_in_once, {"message": LOGIN, "signature": LOGIN_SIGNATURE,
                             "expected_domain": "app.example.org", "now": "2026-03-01T12:00:20Z"}),
    ValidCall(new_nonce_of_a_store, {"seed": 4361}),
    ValidCall(use_a_nonce, {"nonce": LOGIN.nonce}),
    ValidCall(open_nonce, {"nonce": LOGIN.nonce}),
    ValidCall(siwe.verify_siwe, {"message": LOGIN, "signature": LOGIN_SIGNATURE,
                                 "expected_domain": "app.example.org",
                                 "now": "2026-03-01T12:00:20Z"}),
    # mnemonic
    ValidCall(mnemonic.mnemonic_from_entropy, {"entropy": bytes(16)}),
    ValidCall(mnemonic.wallet_from_mnemonic, {"mnemonic": " ".join(["abandon"] * 11 + ["about"]),
                                              "index": 1}),
    # network
    ValidCall(network.simulate_network, {"hash_shares": [0.5, 0.5], "latency": 1.0,
                                         "block_interval": 600.0, "blocks": 5, "seed": 0}),
    ValidCall(network.stale_rate_sweep, {"latencies": [0.0, 60.0], "block_interval": 600.0,
                                         "nodes": 3, "blocks": 5, "seed": 0}),
    ValidCall(network.double_spend_on_network, {"q": 0.3, "z": 2, "trials": 5, "seed": 0}),
    ValidCall(network.majority_attack, {"q": 0.6, "blocks_behind": 2, "seed": 0}),
    ValidCall(share_of_a_run, {"miner": 1}),
    ValidCall(network.SimBlock, {"id": 1, "parent": 0, "height": 1, "miner": 0, "found_at": 1.0}),
    ValidCall(network.SimulationResult, {"blocks": RUN.blocks, "main_chain": RUN.main_chain}),
    # attacks
    ValidCall(attacks.attacker_success_probability, {"q": 0.1, "z": 5}),
    ValidCall(attacks.confirmations_needed, {"q": 0.1, "max_risk": 0.001}),
    ValidCall(attacks.double_spend_race, {"q": 0.1, "z": 3, "trials": 50, "rng": rng(),
                                          "attacker_progress": "poisson"}),
    ValidCall(attacks.selfish_mining_revenue, {"alpha": 0.3, "gamma": 0.5}),
    ValidCall(attacks.selfish_mining_threshold, {"gamma": 0.5}),
    ValidCall(attacks.simulate_selfish_mining, {"alpha": 0.3, "gamma": 0.5, "blocks": 50,
                                                "rng": rng()}),
    ValidCall(attacks.nakamoto_coefficient, {"shares": [0.3, 0.25, 0.2, 0.25],
                                             "threshold": 0.5}),
    # stake
    ValidCall(stake.Validator, {"name": "cy", "wallet": ALICE, "stake": 10}),
    ValidCall(stake.select_proposer, {"validators": VALIDATORS, "seed": b"epoch 1", "slot": 3}),
    ValidCall(stake.simulate_proposers, {"validators": VALIDATORS, "slots": 20,
                                         "seed": b"epoch 1"}),
    ValidCall(stake.proposal_digest, {"slot": 5, "block_hash": BLOCK_A}),
    ValidCall(stake.Proposal, {"slot": 5, "block_hash": BLOCK_A, "validator": ALICE.address,
                               "signature": SIGNATURE}),
    ValidCall(stake.sign_proposal, {"validator": VALIDATORS[1], "slot": 5, "block_hash": BLOCK_B}),
    ValidCall(stake.proposal_is_valid, {"proposal": PROPOSAL}),
    ValidCall(stake.Evidence, {"first": EVIDENCE.first, "second": EVIDENCE.second}),
    ValidCall(stake.find_double_signing, {"proposals": [EVIDENCE.first, EVIDENCE.second]}),
    ValidCall(stake.slash, {"stakes": STAKES, "evidence": [EVIDENCE], "fraction": 0.5,
                            "already_slashed": frozenset()}),
    ValidCall(stake.SlashResult, {"stakes": STAKES, "burned": {}, "slashed": frozenset()}),
    # energy
    ValidCall(energy.EnergyAssumptions, {"pow_network_power_watts": 17e9,
                                         "pow_transactions_per_day": 400_000,
                                         "pos_network_power_watts": 296_600.0,
                                         "pos_transactions_per_day": 1_000_000}),
    ValidCall(energy_ratio, {"pow_network_power_watts": 17e9,
                             "pos_network_power_watts": 296_600.0}),
    ValidCall(energy.energy_per_transaction, {"network_power_watts": 1_000.0,
                                              "transactions_per_day": 86_400}),
    # bitcoin
    ValidCall(bitcoin.BitcoinHeader, {"version": GENESIS.version, "prev_hash": GENESIS.prev_hash,
                                      "merkle_root": GENESIS.merkle_root,
                                      "timestamp": GENESIS.timestamp, "bits": GENESIS.bits,
                                      "nonce": GENESIS.nonce}),
    ValidCall(bitcoin.parse_header, {"raw80": GENESIS_RAW}),
    ValidCall(bitcoin.serialize_header, {"header": GENESIS}),
    ValidCall(bitcoin.header_hash, {"raw80": GENESIS_RAW}),
    ValidCall(bitcoin.bits_to_target, {"bits": bitcoin.POW_LIMIT_BITS}),
    ValidCall(bitcoin.target_to_bits, {"target": bitcoin.POW_LIMIT}),
    ValidCall(bitcoin.check_proof_of_work, {"raw80": GENESIS_RAW}),
    ValidCall(bitcoin.next_bits, {"bits": bitcoin.POW_LIMIT_BITS, "first_time": 1_231_006_505,
                                  "last_time": 1_232_000_000}),
    ValidCall(bitcoin.verify_header_chain, {"raws": bitcoin.load_headers()[:2],
                                            "first_height": 0}),
    ValidCall(bitcoin.load_headers_by_height, {"name": bitcoin.HEADERS_FILE}),
    ValidCall(bitcoin.load_headers, {"name": bitcoin.HEADERS_FILE}),
    # clock
    ValidCall(clock.ManualClock, {"start": 1_700_000_000}),
    ValidCall(advance_a_clock, {"seconds": 10}),
]

test_every_public_chain_function_answers_or_refuses_garbage = fuzz_valid_calls(CALLS, examples=800)


def test_the_listed_calls_are_valid():
    assert_calls_are_valid(CALLS)


MODULES = (hashing, merkle, keys, siwe, mnemonic, network, attacks, stake, energy, bitcoin, clock)
COVERED_BY_A_WRAPPER = {  # methods, called through the helpers above (not yet checked here)
    "Wallet.sign", "SiweMessage.text", "SimulationResult.share_of_main_chain",
    "ManualClock.advance", "NonceStore", "NonceStore.new_nonce", "NonceStore.use",
    "NonceStore.is_open",
}
WITHOUT_ARGUMENTS = {"Clock", "SystemClock"}  # nothing to throw garbage at


def public_callables(module: ModuleType) -> set[str]:
    """The functions and classes (errors aside) a module defines for others to call."""
    return {name for name, value in vars(module).items()
            if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__
            and (inspect.isfunction(value) or inspect.isclass(value))
            and not (inspect.isclass(value) and issubclass(value, BaseException))}


def test_every_public_function_and_constructor_has_a_valid_call():
    listed = {getattr(call.function, "__qualname__", "") for call in CALLS} | COVERED_BY_A_WRAPPER
    missing = {f"{module.__name__}.{name}" for module in MODULES
               for name in public_callables(module) - listed - WITHOUT_ARGUMENTS}
    assert not missing, f"no ValidCall for {sorted(missing)}"


# --- what the fuzzer found --------------------------------------------------------------------

@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda: merkle.merkle_root(None), "leaves"),  # was a raw TypeError from len(None)
        (lambda: keys.sign_message(None, "gm"), "wallet"),  # was an AttributeError
        (lambda: keys.sign_message(ALICE, "\ud800"), "text"),  # was a UnicodeEncodeError
        (lambda: keys.wallet_from_seed("\ud800"), "seed"),
        (lambda: siwe.verify_siwe(None, LOGIN_SIGNATURE, "app.example.org",
                                  "2026-03-01T12:00:20Z"), "message"),  # an AttributeError
        (lambda: siwe.verify_siwe(LOGIN, LOGIN_SIGNATURE, "app.example.org",
                                  "2026-03-01T12:00:20Z", nonces="x"), "nonces"),
        (lambda: stake.find_double_signing(None), "proposals"),  # a TypeError: not iterable
        (lambda: stake.slash(STAKES, None, 0.5), "evidence"),
        (lambda: stake.slash(STAKES, [], 0.5, already_slashed=[[1, 2]]), "already_slashed"),
        (lambda: attacks.nakamoto_coefficient([0.5, float("nan")]), "shares"),  # a Fraction error
        (lambda: bitcoin.load_headers("bad\x00name"), "bad"),  # was 'embedded null byte'
        (lambda: bitcoin.verify_header_chain([GENESIS_RAW], first_height=None), "first_height"),
        (lambda: clock.ManualClock(start="now"), "start"),  # was accepted: now() returned 'now'
        (lambda: clock.ManualClock().advance(-5), "seconds"),  # was accepted: time ran back
        (lambda: network.majority_attack(0.5 + 1e-12, 6, seed=0), "q"),  # was a near-endless race
        (lambda: network.double_spend_on_network(0.999999999, 5, 10, seed=0), "q"),  # likewise
        (lambda: network.simulate_network([0.5, 0.5], 1.0, 600.0, 10**9, seed=0), "blocks"),
        (lambda: stake.simulate_proposers(VALIDATORS, 2**64, b"epoch 1"), "slots"),
        (lambda: attacks.confirmations_needed(0.49, 1e-300), "max_risk"),  # an O(z**2) search
        (lambda: attacks.attacker_success_probability(0.1, 10**30), "z"),  # a loop of 10**30
        (lambda: RUN.share_of_main_chain("x"), "miner"),  # was a silent 0.0
    ],
)
def test_garbage_the_fuzzer_found_is_refused_by_name(call, named):
    with pytest.raises(ChainError, match=named) as raised:
        call()
    assert isinstance(raised.value, ValueError)


def test_a_validator_without_a_wallet_never_shows_the_key_it_was_given():
    secret = b"\x42" * 32
    with pytest.raises(stake.InvalidValidator) as raised:
        replace(VALIDATORS[0], wallet=secret)
    assert secret.hex() not in str(raised.value) and repr(secret) not in str(raised.value)


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.__name__)
def test_every_error_of_the_module_is_a_chain_error(module):
    errors = [value for value in vars(module).values()
              if inspect.isclass(value) and issubclass(value, BaseException)
              and value.__module__ == module.__name__]
    assert all(issubclass(error, ChainError) for error in errors)


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.__name__)
def test_every_module_names_the_notebook_that_teaches_it(module):
    assert "notebook" in (module.__doc__ or "").lower()
