"""The transaction checks of notebook 05 (signing hash, transaction rules, a raw EIP-1559
transaction), both ways: correct answers in two styles pass, typical mistakes fail with the
reason that names them."""

import hashlib
import json

import pytest
import rlp
from eth_account import Account as EthAccount
from eth_keys import keys
from eth_utils import keccak, to_bytes, to_canonical_address
from hypothesis import given, settings

from course.chain.hashing import keccak256
from course.chain.keys import (
    SECP256K1_ORDER,
    InvalidSignature,
    recover_address,
    to_checksum_address,
)
from course.exercises import FAILED
from course.exercises.transactions_by_hand import (
    MUTATIONS,
    cases,
    check_raw_transaction,
    check_signing_hash,
    check_validate_transaction,
    expected_rule,
)
from tests.exercises.both_ways import assert_checked_both_ways

FIELDS = ("sender", "recipient", "amount", "fee", "nonce", "chain_id")

# --- signing_hash -------------------------------------------------------------------------------


def signing_hash(tx):
    fields = {name: getattr(tx, name) for name in FIELDS}
    return keccak256(json.dumps(fields, sort_keys=True, separators=(",", ":")).encode())


def signing_hash_by_hand(tx):
    """Another style: the JSON written out by hand, keys in alphabetical order."""
    text = (
        f'{{"amount":{tx.amount},"chain_id":{tx.chain_id},"fee":{tx.fee},"nonce":{tx.nonce},'
        f'"recipient":"{tx.recipient}","sender":"{tx.sender}"}}'
    )
    return keccak(text=text)


def signing_hash_sha256(tx):
    fields = {name: getattr(tx, name) for name in FIELDS}
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).digest()


def signing_hash_with_spaces(tx):
    fields = {name: getattr(tx, name) for name in FIELDS}
    return keccak256(json.dumps(fields, sort_keys=True).encode())


def signing_hash_with_signature(tx):
    return keccak256(json.dumps(tx.to_dict(), sort_keys=True, separators=(",", ":")).encode())


def signing_hash_hex(tx):
    return signing_hash(tx).hex()


def test_signing_hash_both_ways():
    assert_checked_both_ways(
        check_signing_hash,
        [signing_hash, signing_hash_by_hand],
        [signing_hash_sha256, signing_hash_with_spaces, signing_hash_with_signature,
         signing_hash_hex],
    )


@pytest.mark.parametrize(
    ("wrong", "reason"),
    [
        (signing_hash_sha256, "SHA-256"),
        (signing_hash_with_spaces, "has spaces"),
        (signing_hash_with_signature, "without it"),
        (signing_hash_hex, "return the 32 bytes"),
    ],
)
def test_signing_hash_names_the_mistake(wrong, reason):
    outcome = check_signing_hash.check(wrong)
    assert outcome.status == FAILED and reason in outcome.message, outcome.message


# --- validate_transaction -----------------------------------------------------------------------


def validate(tx, state, chain_id):
    r = int.from_bytes(tx.signature[:32], "big")
    s = int.from_bytes(tx.signature[32:64], "big")
    if not (1 <= r < SECP256K1_ORDER and 1 <= s <= SECP256K1_ORDER // 2):
        return "signature"
    if tx.signature[64] not in (0, 1):
        return "signature"
    if recover_address(signing_hash(tx), tx.signature) != tx.sender:
        return "signature"
    if tx.chain_id != chain_id:
        return "chain_id"
    if tx.nonce != state.nonce(tx.sender):
        return "nonce"
    if tx.amount + tx.fee > state.balance(tx.sender):
        return "funds"
    return None


def validate_with_the_library(tx, state, chain_id):
    """Another style: eth-keys refuses high s and odd v itself; a table of rules."""
    try:
        signature = keys.Signature(tx.signature)
        if signature.s > SECP256K1_ORDER // 2:
            return "signature"
        signer = signature.recover_public_key_from_msg_hash(tx.signing_hash())
    except Exception:
        return "signature"
    rules = [
        ("signature", signer.to_checksum_address() == tx.sender),
        ("chain_id", tx.chain_id == chain_id),
        ("nonce", tx.nonce == state.nonce(tx.sender)),
        ("funds", state.balance(tx.sender) >= tx.amount + tx.fee),
    ]
    return next((name for name, holds in rules if not holds), None)


def validate_no_canonical_check(tx, state, chain_id):
    try:
        if recover_address(signing_hash(tx), tx.signature) != tx.sender:
            return "signature"
    except InvalidSignature:
        return "signature"
    return validate_after_signature(tx, state, chain_id)


def validate_after_signature(tx, state, chain_id):
    if tx.chain_id != chain_id:
        return "chain_id"
    if tx.nonce != state.nonce(tx.sender):
        return "nonce"
    if tx.amount + tx.fee > state.balance(tx.sender):
        return "funds"
    return None


def validate_forgets_the_fee(tx, state, chain_id):
    verdict = validate(tx, state, chain_id)
    if verdict == "funds" and tx.amount <= state.balance(tx.sender):
        return None
    return verdict


def validate_nonce_at_least(tx, state, chain_id):
    """Accepts a nonce gap: 'nonce >= expected' instead of '=='."""
    verdict = validate(tx, state, chain_id)
    if verdict == "nonce" and tx.nonce > state.nonce(tx.sender):
        return "funds" if tx.amount + tx.fee > state.balance(tx.sender) else None
    return verdict


def validate_wrong_order(tx, state, chain_id):
    """Checks the balance before the signature."""
    if tx.amount + tx.fee > state.balance(tx.sender):
        return "funds"
    return validate(tx, state, chain_id)


def validate_says_false(tx, state, chain_id):
    return False if validate(tx, state, chain_id) else None


def test_validate_transaction_both_ways():
    assert_checked_both_ways(
        check_validate_transaction,
        [validate, validate_with_the_library],
        [validate_no_canonical_check, validate_forgets_the_fee, validate_nonce_at_least,
         validate_wrong_order, validate_says_false],
    )


@pytest.mark.parametrize(
    ("wrong", "reason"),
    [
        (validate_no_canonical_check, "you accepted it, the chain names 'signature'"),
        (validate_forgets_the_fee, "you accepted it, the chain names 'funds'"),
        (validate_nonce_at_least, "nonce with a gap"),
        (validate_says_false, "return None or one of"),
        (validate_wrong_order, "amount raised past the balance after signing"),
    ],
)
def test_validate_transaction_names_the_case_and_the_rule(wrong, reason):
    outcome = check_validate_transaction.check(wrong)
    assert outcome.status == FAILED and reason in outcome.message, outcome.message


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(cases())
def test_every_mutation_breaks_the_rule_it_names(case):
    """The generator itself, attacked: each mutation is refused by the chain for its reason."""
    mutation, tx, state = case
    expected = {
        "valid": None,
        "wrong chain id": "chain_id",
        "nonce already used (a replay)": "nonce",
        "nonce with a gap": "nonce",
        "amount + fee above the balance": "funds",
        "amount changed after signing": "signature",
        "amount raised past the balance after signing": "signature",
        "signed by another wallet": "signature",
        "the high-s twin of the signature": "signature",
        "v written as 27/28": "signature",
    }
    assert set(expected) == set(MUTATIONS)
    assert expected_rule(tx, state) == expected[mutation]


# --- raw_transaction ----------------------------------------------------------------------------


def raw_transaction(tx, private_key):
    access_list = [
        [to_canonical_address(entry["address"]), [to_bytes(hexstr=k) for k in entry["storageKeys"]]]
        for entry in tx["accessList"]
    ]
    fields = [tx["chainId"], tx["nonce"], tx["maxPriorityFeePerGas"], tx["maxFeePerGas"],
              tx["gas"], to_canonical_address(tx["to"]), tx["value"], tx["data"], access_list]
    signature = keys.PrivateKey(private_key).sign_msg_hash(keccak(b"\x02" + rlp.encode(fields)))
    return b"\x02" + rlp.encode([*fields, signature.v, signature.r, signature.s])


def raw_transaction_with_sedes(tx, private_key):
    """Another style: rlp's typed sedes, coincurve for the signature, bytearray assembly."""
    import coincurve
    from rlp.sedes import Binary, CountableList, List, big_endian_int, binary

    address = Binary.fixed_length(20)
    access = CountableList(List([address, CountableList(Binary.fixed_length(32))]))
    sedes = List([big_endian_int] * 5 + [address, big_endian_int, binary, access])
    fields = [tx["chainId"], tx["nonce"], tx["maxPriorityFeePerGas"], tx["maxFeePerGas"],
              tx["gas"], bytes.fromhex(tx["to"][2:]), tx["value"], bytes(tx["data"]),
              [[bytes.fromhex(e["address"][2:]), [bytes.fromhex(k[2:]) for k in e["storageKeys"]]]
               for e in tx["accessList"]]]
    digest = keccak(b"\x02" + rlp.encode(fields, sedes=sedes))
    signed = coincurve.PrivateKey(private_key).sign_recoverable(digest, hasher=None)
    r, s, v = (int.from_bytes(signed[:32], "big"), int.from_bytes(signed[32:64], "big"),
               signed[64])
    out = bytearray(b"\x02")
    out += rlp.encode([*fields, v, r, s])
    return bytes(out)


def _unsigned_and_sign(tx, private_key, fields):
    signature = keys.PrivateKey(private_key).sign_msg_hash(keccak(b"\x02" + rlp.encode(fields)))
    return b"\x02" + rlp.encode([*fields, signature.v, signature.r, signature.s])


def _fields(tx, access_list=True):
    items = [tx["chainId"], tx["nonce"], tx["maxPriorityFeePerGas"], tx["maxFeePerGas"],
             tx["gas"], to_canonical_address(tx["to"]), tx["value"], tx["data"]]
    if access_list:
        items.append([[to_canonical_address(e["address"]),
                       [to_bytes(hexstr=k) for k in e["storageKeys"]]] for e in tx["accessList"]])
    return items


def raw_fees_swapped(tx, private_key):
    fields = _fields(tx)
    fields[2], fields[3] = fields[3], fields[2]
    return _unsigned_and_sign(tx, private_key, fields)


def raw_missing_access_list(tx, private_key):
    return _unsigned_and_sign(tx, private_key, _fields(tx, access_list=False))


def raw_mainnet_chain_id(tx, private_key):
    return raw_transaction({**tx, "chainId": 1}, private_key)


def raw_no_type_byte(tx, private_key):
    return raw_transaction(tx, private_key)[1:]


def raw_hash_without_type_byte(tx, private_key):
    fields = _fields(tx)
    signature = keys.PrivateKey(private_key).sign_msg_hash(keccak(rlp.encode(fields)))
    return b"\x02" + rlp.encode([*fields, signature.v, signature.r, signature.s])


def raw_v_27(tx, private_key):
    fields = _fields(tx)
    signature = keys.PrivateKey(private_key).sign_msg_hash(keccak(b"\x02" + rlp.encode(fields)))
    return b"\x02" + rlp.encode([*fields, signature.v + 27, signature.r, signature.s])


def raw_address_as_text(tx, private_key):
    fields = _fields(tx)
    fields[5] = tx["to"].encode()
    return _unsigned_and_sign(tx, private_key, fields)


def raw_hex_text(tx, private_key):
    return raw_transaction(tx, private_key).hex()


def test_raw_transaction_both_ways():
    assert_checked_both_ways(
        check_raw_transaction,
        [raw_transaction, raw_transaction_with_sedes],
        [raw_fees_swapped, raw_missing_access_list, raw_mainnet_chain_id, raw_no_type_byte,
         raw_hash_without_type_byte, raw_v_27, raw_address_as_text, raw_hex_text],
    )


@pytest.mark.parametrize(
    ("wrong", "reason"),
    [
        (raw_fees_swapped, "max_priority_fee_per_gas before max_fee_per_gas"),
        (raw_missing_access_list, "access list missing"),
        (raw_mainnet_chain_id, "item 1, chain_id"),
        (raw_no_type_byte, "the byte 0x02"),
        (raw_hash_without_type_byte, "the type byte included"),
        (raw_v_27, "not 27/28"),
        (raw_address_as_text, "20 address bytes"),
        (raw_hex_text, "return the bytes themselves"),
    ],
)
def test_raw_transaction_names_the_mistake(wrong, reason):
    outcome = check_raw_transaction.check(wrong)
    assert outcome.status == FAILED and reason in outcome.message, outcome.message


def test_the_utxo_checks_are_reexported_for_notebook_05():
    from course.exercises import transactions_by_hand, utxo_spends

    assert transactions_by_hand.check_utxo_spend is utxo_spends.check_utxo_spend
    assert transactions_by_hand.check_build_spend is utxo_spends.check_build_spend


def test_the_reference_is_eth_accounts_own_signer():
    """The solution above equals eth-account on an access-list transaction (what the check uses)."""
    tx = {"type": 2, "chainId": 5, "nonce": 3, "maxPriorityFeePerGas": 1, "maxFeePerGas": 9,
          "gas": 50_000, "to": to_checksum_address("0x" + "ab" * 20), "value": 7,
          "data": b"\x00\x01",
          "accessList": [{"address": "0x" + "cd" * 20, "storageKeys": ["0x" + "00" * 31 + "01"]}]}
    key = (42).to_bytes(32, "big")
    assert raw_transaction(tx, key) == EthAccount.sign_transaction(tx, key).raw_transaction
