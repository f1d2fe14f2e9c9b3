"""The UTXO model: a spend consumes whole coins, makes new ones, pays the rest as fee, and a coin
can be spent once."""

import pytest

from course.chain.errors import BadSignature, DoubleSpend, InsufficientFunds, MalformedTransaction
from course.chain.keys import wallet_from_seed
from course.chain.utxo import OutPoint, Output, apply_spend, balance, sign_spend, validate_spend

ALICE, BOB = wallet_from_seed("utxo alice"), wallet_from_seed("utxo bob")
COIN = OutPoint("aa" * 32, 0)
UTXOS = {COIN: Output(ALICE.address, 10)}


def pay(outputs, inputs=(COIN,), owners=(ALICE,)):
    return sign_spend(tuple(inputs), tuple(Output(w.address, n) for w, n in outputs),
                      tuple(owners))


def test_a_payment_with_change_moves_coins_and_leaves_the_fee_to_the_miner():
    spend = pay([(BOB, 3), (ALICE, 6)])
    assert validate_spend(UTXOS, spend) == 1
    after = apply_spend(UTXOS, spend)
    assert COIN not in after
    assert UTXOS[COIN] == Output(ALICE.address, 10) and len(UTXOS) == 1  # untouched
    assert (balance(after, ALICE.address), balance(after, BOB.address)) == (6, 3)


def test_a_spent_coin_cannot_be_spent_again():
    spend = pay([(BOB, 10)])
    after = apply_spend(UTXOS, spend)
    with pytest.raises(DoubleSpend, match="unspent coin"):
        apply_spend(after, pay([(BOB, 9)]))


@pytest.mark.parametrize("spend, error", [
    (pay([(BOB, 11)]), InsufficientFunds),
    (pay([(BOB, 10)], owners=(BOB,)), BadSignature),
    (pay([(BOB, 4)], inputs=(COIN, COIN), owners=(ALICE, ALICE)), DoubleSpend),
    (pay([(BOB, 12), (ALICE, -3)]), MalformedTransaction),
    (pay([]), MalformedTransaction),
])
def test_each_rule_refuses_its_spend(spend, error):
    with pytest.raises(error):
        validate_spend(UTXOS, spend)


def test_changing_an_output_after_signing_breaks_every_signature():
    spend = pay([(BOB, 3), (ALICE, 6)])
    stolen = type(spend)(spend.inputs, (Output(BOB.address, 9),), spend.signatures)
    with pytest.raises(BadSignature):
        validate_spend(UTXOS, stolen)
