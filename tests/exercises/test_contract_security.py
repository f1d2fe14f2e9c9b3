"""Checkers of notebook 08's levels 2-4, both ways (each check deploys on its own in-memory
chain); the Solidity and signature levels are tested in test_contract_security_levels.py."""

import pytest
from web3 import Web3

from course.evm.artifacts import load_artifact
from course.evm.deploy import deploy, send
from course.exercises.contract_security import (
    check_commitment,
    check_front_run,
    check_phish,
    check_take_over,
)
from tests.exercises.both_ways import assert_checked_both_ways

ETH = 10**18


def at(w3, name, address):
    return w3.eth.contract(address=address, abi=load_artifact(name)["abi"])


# Lab 2: access control


def take_over(w3, treasury_address, attacker):
    treasury = at(w3, "UnguardedTreasury", treasury_address)
    send(w3, treasury.functions.setOwner(attacker), sender=attacker)
    send(w3, treasury.functions.withdrawAll(), sender=attacker)


def take_over_raw(w3, treasury_address, attacker):
    treasury = at(w3, "UnguardedTreasury", treasury_address)
    for call in (treasury.functions.setOwner(attacker), treasury.functions.withdrawAll()):
        w3.eth.wait_for_transaction_receipt(call.transact({"from": attacker}))


def withdraw_without_taking_over(w3, treasury_address, attacker):
    send(w3, at(w3, "UnguardedTreasury", treasury_address).functions.withdrawAll(),
         sender=attacker)


def take_over_but_forget_to_withdraw(w3, treasury_address, attacker):
    send(w3, at(w3, "UnguardedTreasury", treasury_address).functions.setOwner(attacker),
         sender=attacker)


def withdraw_as_the_real_owner(w3, treasury_address, attacker):
    treasury = at(w3, "UnguardedTreasury", treasury_address)
    send(w3, treasury.functions.withdrawAll(), sender=treasury.functions.owner().call())


# Lab 3: tx.origin phishing


def phish(w3, wallet_address, owner, attacker):
    bait = deploy(w3, "PhishingBait", wallet_address, attacker, sender=attacker)
    send(w3, bait.functions.claimAirdrop(), sender=owner)


def phish_raw(w3, wallet_address, owner, attacker):
    bait = deploy(w3, "PhishingBait", wallet_address, attacker, sender=attacker)
    w3.eth.wait_for_transaction_receipt(bait.functions.claimAirdrop().transact({"from": owner}))


def call_the_wallet_from_the_attacker(w3, wallet_address, owner, attacker):
    wallet = at(w3, "TxOriginWallet", wallet_address)
    send(w3, wallet.functions.transfer(attacker, 5 * ETH), sender=attacker)


def owner_pays_the_attacker_directly(w3, wallet_address, owner, attacker):
    wallet = at(w3, "TxOriginWallet", wallet_address)
    send(w3, wallet.functions.transfer(attacker, 5 * ETH), sender=owner)


def attacker_claims_the_airdrop_himself(w3, wallet_address, owner, attacker):
    bait = deploy(w3, "PhishingBait", wallet_address, attacker, sender=attacker)
    send(w3, bait.functions.claimAirdrop(), sender=attacker)


def bait_pays_the_owner(w3, wallet_address, owner, attacker):
    bait = deploy(w3, "PhishingBait", wallet_address, owner, sender=attacker)
    send(w3, bait.functions.claimAirdrop(), sender=owner)


# Lab 4: front-running and commit-reveal


def copy_and_outbid(w3, pending_tx, attacker):
    return {**pending_tx, "from": attacker,
            "maxPriorityFeePerGas": pending_tx["maxPriorityFeePerGas"] + 1}


def decode_and_outbid(w3, pending_tx, attacker):
    game = at(w3, "GuessTheNumber", pending_tx["to"])
    _, args = game.decode_function_input(pending_tx["data"])
    return game.functions.guess(args["number"]).build_transaction(
        {"from": attacker, "maxPriorityFeePerGas": 2 * pending_tx["maxPriorityFeePerGas"],
         "maxFeePerGas": pending_tx["maxFeePerGas"]})


def send_it_straight_away(w3, pending_tx, attacker):
    tx = copy_and_outbid(w3, pending_tx, attacker)
    w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(tx))
    return tx


def commitment(number, salt, player):
    return Web3.solidity_keccak(["uint256", "bytes32", "address"], [number, salt, player])


def commitment_by_hand(number, salt, player):
    packed = number.to_bytes(32, "big") + salt + bytes.fromhex(player[2:])
    return "0x" + Web3.keccak(packed).hex().removeprefix("0x")


CASES = [
    (check_take_over, [take_over, take_over_raw],
     [withdraw_without_taking_over, take_over_but_forget_to_withdraw,
      withdraw_as_the_real_owner]),
    (check_phish, [phish, phish_raw],
     [call_the_wallet_from_the_attacker, owner_pays_the_attacker_directly,
      attacker_claims_the_airdrop_himself, bait_pays_the_owner]),
    (check_front_run, [copy_and_outbid, decode_and_outbid],
     [lambda w3, tx, attacker: {**tx, "from": attacker},  # same tip: the solver was first
      lambda w3, tx, attacker: {**tx, "maxPriorityFeePerGas": 10**12},  # signs as the solver
      lambda w3, tx, attacker: {**copy_and_outbid(w3, tx, attacker),
                                "data": at(w3, "GuessTheNumber", tx["to"]).encode_abi(
                                    "guess", [41])},  # a guess of its own
      send_it_straight_away]),
    (check_commitment, [commitment, commitment_by_hand],
     [lambda n, s, p: Web3.solidity_keccak(["uint256", "bytes32"], [n, s]),  # no player
      lambda n, s, p: Web3.solidity_keccak(["bytes32", "uint256", "address"], [s, n, p]),
      lambda n, s, p: Web3.keccak(n.to_bytes(32, "big") + s + bytes(12)  # abi.encode
                                  + bytes.fromhex(p[2:])),
      lambda n, s, p: Web3.solidity_keccak(["uint256"], [n])]),  # the answer hash
]
ids = ["take_over", "phish", "front_run", "commitment"]


@pytest.mark.parametrize("check, solutions, wrong_answers", CASES, ids=ids)
def test_checker_works_both_ways(check, solutions, wrong_answers):
    assert_checked_both_ways(check, solutions, wrong_answers)


def test_the_notebook_finds_every_level_check_in_the_chapter_module():
    import course.exercises.contract_security as chapter

    assert set(chapter.__all__) == {
        "check_attacker", "check_fixed_vault", "check_take_over", "check_phish",
        "check_front_run", "check_commitment", "check_become_owner", "check_replay",
        "check_sign_cheque"}
    assert all(hasattr(chapter, name) for name in chapter.__all__)
