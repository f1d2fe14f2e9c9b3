"""Checkers of notebook 04, both ways."""

from dataclasses import replace

import pytest

from course.exercises.build_a_blockchain import check_mine_header, check_retarget, check_subsidy
from tests.exercises.both_ways import assert_checked_both_ways


def mine_loop(header):
    nonce = 0
    while not replace(header, nonce=nonce).meets_target():
        nonce += 1
    return replace(header, nonce=nonce)


def mine_by_number(header):
    return next(replace(header, nonce=n) for n in range(10**7)
                if int(replace(header, nonce=n).hash, 16) <= header.difficulty_target)


def retarget(previous, seconds, params):
    expected = params.block_interval * params.retarget_interval
    clamped = min(max(seconds, expected // 4), expected * 4)
    return min(previous * clamped // expected, params.max_target)


def retarget_unclamped(previous, seconds, params):
    expected = params.block_interval * params.retarget_interval
    return min(previous * seconds // expected, params.max_target)


def retarget_uncapped(previous, seconds, params):
    expected = params.block_interval * params.retarget_interval
    return previous * min(max(seconds, expected // 4), expected * 4) // expected


CASES = [
    (check_mine_header, [mine_loop, mine_by_number],
     [lambda h: h, lambda h: replace(mine_loop(h), nonce=mine_loop(h).nonce + 1),
      lambda h: replace(mine_loop(h), timestamp=h.timestamp + 1)]),
    (check_retarget, [retarget],
     [retarget_unclamped, retarget_uncapped,
      lambda p, s, params: p * (params.block_interval * params.retarget_interval) // s]),
    (check_subsidy, [lambda h, p: p.initial_reward >> (h // p.halving_interval),
                     lambda h, p: p.initial_reward // 2 ** (h // p.halving_interval)],
     [lambda h, p: p.initial_reward // (1 + h // p.halving_interval),
      lambda h, p: round(p.initial_reward / 2 ** (h // p.halving_interval)),
      lambda h, p: p.initial_reward >> (h // p.halving_interval + 1)]),
]
ids = ["mine_header", "retarget", "subsidy"]


@pytest.mark.parametrize("check, solutions, wrong_answers", CASES, ids=ids)
def test_checker_works_both_ways(check, solutions, wrong_answers):
    assert_checked_both_ways(check, solutions, wrong_answers)


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
    from course.exercises.build_a_blockchain import check_utxo_spend

    assert_checked_both_ways(
        check_utxo_spend, [validate_spend, validate_spend_by_hand],
        [without("twice"), without("signature"), without("positive"), without("empty"),
         lambda utxos, spend: sum(utxos[p].amount for p in spend.inputs)
         - sum(o.amount for o in spend.outputs),  # no rule at all (and KeyError)
         lambda utxos, spend: 1])


def test_mine_header_starting_at_nonce_1_is_not_accepted():
    def from_one(header):
        nonce = 1
        while not replace(header, nonce=nonce).meets_target():
            nonce += 1
        return replace(header, nonce=nonce)

    assert check_mine_header.check(from_one).status == "not yet"


# --- Try it 5: build a UTXO spend ---------------------------------------------------------------


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
    from course.exercises.build_a_blockchain import check_build_spend

    assert_checked_both_ways(check_build_spend,
                             [build_spend, build_spend_biggest_first_change_first],
                             [wrong for wrong, _ in WRONG_BUILDS])


@pytest.mark.parametrize(("wrong", "why"), WRONG_BUILDS)
def test_a_wrong_build_is_told_which_call_and_what_is_off(wrong, why):
    from course.exercises.build_a_blockchain import check_build_spend

    outcome = check_build_spend.check(wrong)
    assert why in outcome.message and "build_spend(coins of the wallet" in outcome.message
