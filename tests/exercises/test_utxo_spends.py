"""Checkers of notebook 05's UTXO Try its (course.exercises.utxo_spends), both ways."""

import pytest

from course.exercises.transactions_by_hand import check_build_spend, check_utxo_spend
from tests.exercises.both_ways import assert_checked_both_ways


def validate_spend_by_hand(utxos, spend):
    from course.chain.keys import recover_address

    if not spend.inputs or not spend.outputs or len(spend.signatures) != len(spend.inputs):
        raise ValueError("a spend needs inputs, outputs and a signature per input")
    seen, total_in = set(), 0
    for point, signature in zip(spend.inputs, spend.signatures, strict=True):
        if point in seen or point not in utxos:
            raise ValueError(f"{point} is not an unspent coin")
        seen.add(point)
        if recover_address(spend.signing_hash(), signature) != utxos[point].owner:
            raise ValueError("not signed by the owner")
        total_in += utxos[point].amount
    if any(o.amount < 1 for o in spend.outputs):
        raise ValueError("outputs must be at least 1")
    fee = total_in - sum(o.amount for o in spend.outputs)
    if fee < 0:
        raise ValueError("outputs exceed inputs")
    return fee


def without(rule):
    """validate_spend_by_hand with one rule forgotten."""
    def wrong(utxos, spend):
        from course.chain.keys import recover_address

        total_in = 0
        for number, (point, signature) in enumerate(zip(spend.inputs, spend.signatures,
                                                        strict=True)):
            if rule != "twice" and point in spend.inputs[:number]:
                raise ValueError("twice")
            coin = utxos.get(point)
            if coin is None:
                raise ValueError("unknown coin")
            if rule != "signature" and recover_address(spend.signing_hash(),
                                                       signature) != coin.owner:
                raise ValueError("owner")
            total_in += coin.amount
        if rule != "positive" and any(o.amount < 1 for o in spend.outputs):
            raise ValueError("amount")
        if rule != "empty" and not spend.outputs:
            raise ValueError("empty")
        return total_in - sum(o.amount for o in spend.outputs)
    return wrong


def test_the_utxo_checker_works_both_ways():
    from course.chain.utxo import validate_spend

    assert_checked_both_ways(
        check_utxo_spend, [validate_spend, validate_spend_by_hand],
        [without("twice"), without("signature"), without("positive"), without("empty"),
         lambda utxos, spend: sum(utxos[p].amount for p in spend.inputs)
         - sum(o.amount for o in spend.outputs),  # no rule at all (and KeyError)
         lambda utxos, spend: 1])


# --- Try it 2: build a UTXO spend ---------------------------------------------------------------


def _take_coins(utxos, wallet, amount, fee, biggest_first=False):
    mine = [(point, coin) for point, coin in utxos.items() if coin.owner == wallet.address]
    if biggest_first:
        mine.sort(key=lambda item: -item[1].amount)
    inputs, total = [], 0
    for point, coin in mine:
        if total < amount + fee:
            inputs.append(point)
            total += coin.amount
    return inputs, total


def build_spend(utxos, wallet, to, amount, fee):
    from course.chain.utxo import Output, sign_spend

    inputs, total = _take_coins(utxos, wallet, amount, fee)
    if total < amount + fee:
        raise ValueError("not enough")
    outputs = [Output(to, amount)] + ([Output(wallet.address, total - amount - fee)]
                                      if total > amount + fee else [])
    return sign_spend(tuple(inputs), tuple(outputs), (wallet,) * len(inputs))


def build_spend_biggest_first_change_first(utxos, wallet, to, amount, fee):
    from course.chain.utxo import Output, sign_spend

    inputs, total = _take_coins(utxos, wallet, amount, fee, biggest_first=True)
    if total < amount + fee:
        raise ValueError("not enough")
    change = total - amount - fee
    outputs = ([Output(wallet.address, change)] if change else []) + [Output(to, amount)]
    return sign_spend(tuple(inputs), tuple(outputs), (wallet,) * len(inputs))


def _variant(change, raise_when_short=True, every_coin=False):
    from course.chain.utxo import Output, sign_spend

    def answer(utxos, wallet, to, amount, fee):
        inputs, total = _take_coins(utxos, wallet, amount, fee)
        if total < amount + fee and raise_when_short:
            raise ValueError("not enough")
        if every_coin:  # the wallet's coins suffice, but it takes everybody's
            inputs = list(utxos)
            total = sum(utxos[p].amount for p in inputs)
        outputs = [Output(to, amount)]
        left = change(total, amount, fee)
        if left is not None:
            outputs.append(Output(wallet.address, left))
        return sign_spend(tuple(inputs), tuple(outputs), (wallet,) * len(inputs))

    return answer


WRONG_BUILDS = [
    (_variant(lambda total, amount, fee: None), "leaves a fee of 7, not 1"),  # no change
    (_variant(lambda total, amount, fee: total - amount - fee), "amount=0"),  # change of 0
    (_variant(lambda total, amount, fee: total - amount), "leaves a fee of 0, not 1"),
    (_variant(lambda t, a, f: t - a - f or None, raise_when_short=False),
     "raise ValueError instead of returning a spend"),
    (_variant(lambda t, a, f: t - a - f or None, every_coin=True),
     "built a spend the chain refuses"),  # signs Bob's coins with Alice's key
]


def test_the_build_spend_checker_works_both_ways():

    assert_checked_both_ways(check_build_spend,
                             [build_spend, build_spend_biggest_first_change_first],
                             [wrong for wrong, _ in WRONG_BUILDS])


@pytest.mark.parametrize(("wrong", "why"), WRONG_BUILDS)
def test_a_wrong_build_is_told_which_call_and_what_is_off(wrong, why):

    outcome = check_build_spend.check(wrong)
    assert why in outcome.message and "build_spend(coins of the wallet" in outcome.message
