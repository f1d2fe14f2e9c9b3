from dataclasses import replace

import pytest

from course.chain.errors import BadSignature, MalformedTransaction
from course.chain.transactions import Transaction, check_signature, sign_transaction


@pytest.fixture
def tx(wallets):
    return sign_transaction(wallets["alice"], wallets["bob"].address, 25, 2, 0, 1337)


def test_a_signed_transaction_verifies_and_round_trips(tx):
    check_signature(tx)
    assert Transaction.from_dict(tx.to_dict()) == tx
    assert len(tx.txid) == 64


def test_the_id_covers_the_signature_but_the_signing_hash_does_not(tx, wallets):
    other = replace(tx, signature=wallets["alice"].sign(replace(tx, amount=26).signing_hash()))
    assert other.signing_hash() == tx.signing_hash() and other.txid != tx.txid


@pytest.mark.parametrize("field, value", [("amount", 26), ("recipient", None), ("fee", 0),
                                          ("nonce", 1), ("chain_id", 1)])
def test_changing_any_signed_field_breaks_the_signature(tx, wallets, field, value):
    value = wallets["carol"].address if value is None else value
    with pytest.raises(BadSignature):
        check_signature(replace(tx, **{field: value}))


@pytest.mark.parametrize("field, value", [("amount", 0), ("amount", -1), ("amount", True),
                                          ("fee", -1), ("nonce", "0"), ("chain_id", 0),
                                          ("signature", b"short")])
def test_malformed_values_are_named(tx, field, value):
    with pytest.raises(MalformedTransaction, match=field):
        Transaction.from_dict({**tx.to_dict(), field: value} if field != "signature"
                              else {**tx.to_dict(), "signature": value.hex()})


def test_from_dict_refuses_missing_or_extra_fields(tx):
    data = tx.to_dict()
    del data["fee"]
    with pytest.raises(MalformedTransaction, match="fields"):
        Transaction.from_dict(data)
    with pytest.raises(MalformedTransaction, match="signature"):
        Transaction.from_dict({**tx.to_dict(), "signature": "zz"})
