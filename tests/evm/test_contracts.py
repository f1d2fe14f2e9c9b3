"""Counter and CourseToken (ERC-20) behave as specified, on both chains, failures included."""

import pytest

from course.evm.deploy import REVERTS, Reverted, deploy, deploy_with_receipt, revert_reason, send
from course.evm.gas import gas_report


def test_counter_counts_and_emits_an_event(w3):
    counter = deploy(w3, "Counter")
    assert counter.functions.count().call() == 0
    receipt = send(w3, counter.functions.increment())
    assert counter.functions.count().call() == 1
    (event,) = counter.events.Incremented().process_receipt(receipt)
    assert event.args.by == w3.eth.accounts[0] and event.args.newCount == 1


def test_a_deployment_comes_with_the_receipt_that_created_the_contract(w3):
    counter, receipt = deploy_with_receipt(w3, "Counter")
    assert receipt["status"] == 1 and receipt["contractAddress"] == counter.address
    assert receipt["gasUsed"] > 21_000  # creation pays for the code it stores
    assert counter.functions.count().call() == 0
    assert not hasattr(deploy(w3, "Counter"), "deploy_receipt"), "web3's Contract stays as it is"


def test_a_revert_surfaces_its_reason(w3):
    counter = deploy(w3, "Counter")
    with pytest.raises(Reverted, match=r"decrement\(\) reverted: Counter: cannot go below zero"):
        send(w3, counter.functions.decrement())
    assert counter.functions.count().call() == 0


@pytest.mark.parametrize("how", ["transact", "call", "estimate_gas"])
def test_plain_web3_reverts_are_among_REVERTS_with_the_same_reason(w3, how):
    counter = deploy(w3, "Counter")
    with pytest.raises(REVERTS) as raised:  # ContractLogicError on anvil, TransactionFailed here
        getattr(counter.functions.decrement(), how)()
    assert revert_reason(raised.value) == "Counter: cannot go below zero"
    with pytest.raises(REVERTS) as raised:
        send(w3, counter.functions.decrement())
    assert revert_reason(raised.value) == "Counter: cannot go below zero"


def test_calls_are_free_and_transactions_cost_gas(w3):
    counter = deploy(w3, "Counter")
    before = w3.eth.get_balance(w3.eth.accounts[0])
    counter.functions.count().call()
    assert w3.eth.get_balance(w3.eth.accounts[0]) == before
    receipt = send(w3, counter.functions.increment())
    assert receipt["gasUsed"] > 21_000
    assert w3.eth.get_balance(w3.eth.accounts[0]) < before


@pytest.fixture
def token(w3):
    return deploy(w3, "CourseToken", "Course Token", "CRS", 1_000 * 10**18)


def test_the_deployer_holds_the_initial_supply(w3, token):
    assert token.functions.totalSupply().call() == 1_000 * 10**18
    assert token.functions.balanceOf(w3.eth.accounts[0]).call() == 1_000 * 10**18
    assert token.functions.decimals().call() == 18
    assert token.functions.symbol().call() == "CRS"


def test_transfer_moves_tokens_and_emits_transfer(w3, token):
    alice, bob = w3.eth.accounts[:2]
    receipt = send(w3, token.functions.transfer(bob, 25))
    (event,) = token.events.Transfer().process_receipt(receipt)
    assert (event.args["from"], event.args.to, event.args.value) == (alice, bob, 25)
    assert token.functions.balanceOf(bob).call() == 25


def test_transfer_over_balance_reverts_with_its_reason(w3, token):
    bob, carol = w3.eth.accounts[1:3]
    with pytest.raises(Reverted, match="ERC20: transfer amount exceeds balance"):
        send(w3, token.functions.transfer(carol, 1), sender=bob)


def test_approve_then_transfer_from_spends_the_allowance(w3, token):
    alice, bob, carol = w3.eth.accounts[:3]
    send(w3, token.functions.approve(bob, 100))
    send(w3, token.functions.transferFrom(alice, carol, 60), sender=bob)
    assert token.functions.allowance(alice, bob).call() == 40
    assert token.functions.balanceOf(carol).call() == 60


def test_an_unauthorized_transfer_from_reverts(w3, token):
    alice, bob, carol = w3.eth.accounts[:3]
    with pytest.raises(Reverted, match="ERC20: insufficient allowance"):
        send(w3, token.functions.transferFrom(alice, carol, 1), sender=bob)
    assert token.functions.balanceOf(alice).call() == 1_000 * 10**18


def test_gas_report_prices_each_transaction(w3):
    token, deployed = deploy_with_receipt(w3, "CourseToken", "Course Token", "CRS", 1_000 * 10**18)
    receipt = send(w3, token.functions.transfer(w3.eth.accounts[1], 5))
    table = gas_report([("deploy", deployed["gasUsed"]),
                        ("transfer", receipt["gasUsed"])], gas_price_gwei=20)
    text = str(table)
    assert "fee in ETH at 20 gwei" in text
    fee = float(text.splitlines()[-1].split()[-1])
    assert fee == pytest.approx(receipt["gasUsed"] * 20e-9, abs=1e-8)


def test_writing_a_fresh_storage_slot_costs_17100_gas_more_than_updating_it(w3):
    """EIP-2200/2929: SSTORE from zero costs 20,000 (set), from non-zero 2,900 (reset); both pay
    the same 2,100 cold-slot surcharge, so two identical increments differ by exactly 17,100."""
    counter = deploy(w3, "Counter")
    first = send(w3, counter.functions.increment())["gasUsed"]
    second = send(w3, counter.functions.increment())["gasUsed"]
    assert first - second == 17_100
