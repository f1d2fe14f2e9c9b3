"""Notebook 05's hand-made EIP-1559 transaction, sent with eth_sendRawTransaction to the in-memory
EVM and to anvil: mined when right, refused with the node's own error when a field is wrong."""

from __future__ import annotations

import pytest
from eth_keys import keys
from eth_utils import keccak

from course.chain.keys import wallet_from_seed
from tests.exercises.test_transactions_by_hand import raw_transaction

SENDER = wallet_from_seed("raw transaction sender")
KEY = SENDER.private_key.to_bytes()


@pytest.fixture
def funded(w3):
    """w3 with SENDER holding 1 ETH (sent from the node's own unlocked account)."""
    w3.eth.wait_for_transaction_receipt(
        w3.eth.send_transaction({"to": SENDER.address, "value": 10**18}))
    return w3


def transfer(w3, **changes):
    fields = {
        "type": 2,
        "chainId": w3.eth.chain_id,
        "nonce": w3.eth.get_transaction_count(SENDER.address),
        "maxPriorityFeePerGas": 10**9,
        "maxFeePerGas": 50 * 10**9,
        "gas": 30_000,
        "to": wallet_from_seed("raw transaction recipient").address,
        "value": 12_345,
        "data": b"gm",
        "accessList": [],
    }
    return raw_transaction({**fields, **changes}, KEY)


def test_hand_made_bytes_are_mined_and_the_node_recovers_the_sender(funded):
    w3 = funded
    raw = transfer(w3)
    tx_hash = w3.eth.send_raw_transaction(raw)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    assert tx_hash == keccak(raw)
    assert receipt["status"] == 1 and receipt["type"] == 2
    assert w3.eth.get_transaction(tx_hash)["from"] == SENDER.address
    assert w3.eth.get_balance(wallet_from_seed("raw transaction recipient").address) == 12_345
    assert keys.PrivateKey(KEY).public_key.to_checksum_address() == SENDER.address


def test_a_replayed_transaction_is_refused_by_the_node(funded):
    w3 = funded
    raw = transfer(w3)
    w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(raw))
    with pytest.raises(Exception, match="(?i)nonce"):
        w3.eth.send_raw_transaction(raw)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"maxFeePerGas": 1, "maxPriorityFeePerGas": 0}, "(?i)base fee"),
        ({"gas": 20_000}, "(?i)gas"),
        ({"value": 10**30}, "(?i)(balance|funds)"),
    ],
)
def test_a_wrong_field_gets_the_nodes_own_error(funded, changes, error):
    with pytest.raises(Exception, match=error):
        funded.eth.send_raw_transaction(transfer(funded, **changes))


def test_anvil_refuses_a_transaction_signed_for_another_chain(anvil_url):
    from course.evm.connection import connect

    w3 = connect(anvil_url)
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
    try:
        w3.eth.wait_for_transaction_receipt(
            w3.eth.send_transaction({"to": SENDER.address, "value": 10**18}))
        with pytest.raises(Exception, match="invalid chain id"):
            w3.eth.send_raw_transaction(transfer(w3, chainId=1))
    finally:
        w3.provider.make_request("evm_revert", [snapshot])


def test_eth_tester_does_not_check_the_chain_id():
    """Notebook 05 says so: the in-memory EVM mines a transaction signed for chain id 1. If this
    starts failing, eth-tester checks chain ids now: update notebook 05, section 4."""
    from course.evm.connection import connect

    w3 = connect()
    w3.eth.wait_for_transaction_receipt(
        w3.eth.send_transaction({"to": SENDER.address, "value": 10**18}))
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(transfer(w3, chainId=1)))
    assert receipt["status"] == 1
