"""Checks for notebook 05, section 2 (UTXOs): validate a spend (its fee, or the rule it breaks)
and build one with change, judged by course.chain.utxo.validate_spend.

Notebook 05 imports these checks from ``course.exercises.transactions_by_hand``, which
re-exports them.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from course.chain.keys import wallet_from_seed
from course.chain.utxo import OutPoint, Output, Spend, apply_spend, sign_spend, validate_spend
from course.exercises import CheckFailed, Exercise, expect_function, expect_type

# --- a UTXO spend ----------------------------------------------------------------------------


def _utxo_cases() -> list[tuple[str, dict[OutPoint, Output], Spend, int | None]]:
    """(what it is, unspent set, spend, fee or None when the spend must be refused)."""
    alice, bob, carol = (wallet_from_seed(f"utxo check {n}") for n in ("alice", "bob", "carol"))
    a1, a2, b1 = OutPoint("aa" * 32, 0), OutPoint("aa" * 32, 1), OutPoint("bb" * 32, 0)
    utxos = {a1: Output(alice.address, 10), a2: Output(alice.address, 5),
             b1: Output(bob.address, 7)}

    def spend(inputs, outputs, owners):
        return sign_spend(tuple(inputs), tuple(Output(w.address, n) for w, n in outputs),
                          tuple(owners))

    good = spend([a1], [(bob, 3), (alice, 6)], [alice])
    return [
        ("pay 3 from a coin of 10, change 6", utxos, good, 1),
        ("spend two coins, no fee", utxos, spend([a1, a2], [(carol, 15)], [alice, alice]), 0),
        ("two owners, one spend", utxos, spend([a2, b1], [(carol, 11)], [alice, bob]), 1),
        ("no change: the miner keeps 7", utxos, spend([a1], [(bob, 3)], [alice]), 7),
        ("outputs above the inputs", utxos, spend([a1], [(bob, 11)], [alice]), None),
        ("a coin that does not exist", utxos,
         spend([OutPoint("cc" * 32, 0)], [(bob, 1)], [alice]), None),
        ("the same coin twice", utxos, spend([a2, a2], [(bob, 9)], [alice, alice]), None),
        ("Bob signs for Alice's coin", utxos, spend([a1], [(bob, 10)], [bob]), None),
        ("an output of 0", utxos, spend([a1], [(bob, 0), (alice, 9)], [alice]), None),
        ("a negative output", utxos, spend([a1], [(bob, 12), (alice, -3)], [alice]), None),
        ("an input already spent", apply_spend(utxos, good), good, None),
        ("no outputs at all", utxos, spend([a2], [], [alice]), None),
    ]


def _test_utxo_spend(answer: Callable[[dict[OutPoint, Output], Spend], int]) -> str:
    expect_function(answer, 2)
    for what, utxos, spend, fee in _utxo_cases():
        before = dict(utxos)
        try:
            got = answer(utxos, spend)
        except ValueError:
            if fee is None:
                continue
            raise CheckFailed(f"'{what}' is a valid spend with fee {fee}, but your function "
                              "raised ValueError.") from None
        if utxos != before:
            raise CheckFailed(f"'{what}': your function changed the unspent set it was given; "
                              "validation must only look.")
        if fee is None:
            raise CheckFailed(f"'{what}' breaks a rule, but your function returned {got!r} "
                              "instead of raising ValueError.")
        expect_type(got, int, f"validate_spend for '{what}'")
        if got != fee:
            raise CheckFailed(f"'{what}': fee {fee} (inputs - outputs), you returned {got}.")
    return "Twelve spends judged: every valid fee right, every broken rule refused."


check_utxo_spend = Exercise(
    name="utxo_spend",
    references=(validate_spend,),
    goal="Write validate_spend(utxos, spend): return the fee (inputs - outputs) of a valid "
    "spend, and raise ValueError for a spend that breaks a rule: an input that is not in "
    "utxos, a coin listed twice, a signature that does not recover to the coin's owner, an "
    "output amount below 1, no inputs or no outputs, or outputs worth more than the inputs.",
    hints=(
        "Each input is an OutPoint; utxos[point] is the coin (owner, amount) it spends. "
        "Signatures are checked like a transaction's: "
        "recover_address(spend.signing_hash(), signature) must equal the coin's owner.",
        "Walk the inputs with their signatures (zip), keep a set of points seen, add up the "
        "coins; then compare with sum(o.amount for o in spend.outputs). For example, coins "
        "of 4 and 9 paying 5 and 6 leave a fee of 2.",
    ),
    test=_test_utxo_spend,
)


# --- building a UTXO spend: coins in, payment and change out ------------------------------------

BUILD_CASES = 40


def _wallet_coins(owner: str, amounts: list[int], txid: str) -> dict[OutPoint, Output]:
    return {OutPoint(txid, i): Output(owner, amount) for i, amount in enumerate(amounts)}


def _build_cases() -> list[tuple[dict[OutPoint, Output], int, int]]:
    """(unspent set, amount, fee): Alice's coins mixed with Bob's, seeded."""

    dice = random.Random(2009)
    alice, bob = (wallet_from_seed(f"utxo check {n}") for n in ("alice", "bob"))
    cases = [({**_wallet_coins(alice.address, [10], "aa" * 32)}, 3, 1),  # the notebook's
             ({**_wallet_coins(alice.address, [5, 4], "aa" * 32)}, 8, 1),  # no change left
             ({**_wallet_coins(alice.address, [5, 3], "aa" * 32),
               **_wallet_coins(bob.address, [50], "bb" * 32)}, 9, 1)]  # not enough: refuse
    for n in range(BUILD_CASES - len(cases)):
        coins = {**_wallet_coins(alice.address, [dice.randint(1, 30) for _ in range(
            dice.randint(1, 6))], f"{n:064x}"),
                 **_wallet_coins(bob.address, [dice.randint(1, 30) for _ in range(2)],
                                 f"{n + 1000:064x}")}
        mine = sum(o.amount for o in coins.values() if o.owner == alice.address)
        amount, fee = dice.randint(1, mine + 5), dice.randint(0, 3)
        cases.append((coins, amount, fee))
    return cases


def _describe(utxos: dict[OutPoint, Output], owner: str, amount: int, fee: int) -> str:
    mine = [o.amount for o in utxos.values() if o.owner == owner]
    return f"build_spend(coins of the wallet {mine} among others, amount={amount}, fee={fee})"


def _test_build_spend(answer: Callable[..., Spend]) -> str:
    expect_function(answer, 5)
    alice, bob = (wallet_from_seed(f"utxo check {n}") for n in ("alice", "bob"))
    built = refused = 0
    for utxos, amount, fee in _build_cases():
        call = _describe(utxos, alice.address, amount, fee)
        mine = sum(o.amount for o in utxos.values() if o.owner == alice.address)
        before = dict(utxos)
        try:
            spend = answer(utxos, alice, bob.address, amount, fee)
        except ValueError:
            if mine < amount + fee:
                refused += 1
                continue
            raise CheckFailed(f"{call} raised ValueError, but the wallet's coins add up to "
                              f"{mine}, enough for {amount} + a fee of {fee}.") from None
        if utxos != before:
            raise CheckFailed(f"{call} changed the unspent set it was given: build a new "
                              "spend, leave the set alone (applying it is the chain's job).")
        if mine < amount + fee:
            raise CheckFailed(f"{call}: the wallet holds only {mine}, less than {amount} + "
                              f"{fee}; raise ValueError instead of returning a spend.")
        expect_type(spend, Spend, call)
        try:
            paid_fee = validate_spend(utxos, spend)
        except ValueError as error:
            raise CheckFailed(f"{call} built a spend the chain refuses: {error}.") from None
        to_bob = [o.amount for o in spend.outputs if o.owner == bob.address]
        change = [o.amount for o in spend.outputs if o.owner == alice.address]
        spent = sum(utxos[p].amount for p in spend.inputs)
        if to_bob != [amount]:
            raise CheckFailed(f"{call} pays the payee {to_bob}; it should pay exactly "
                              f"[{amount}], in one output.")
        if paid_fee != fee:
            expected = [spent - amount - fee] if spent - amount - fee else []
            raise CheckFailed(f"{call} leaves a fee of {paid_fee}, not {fee}: the coins spent "
                              f"hold {spent}, so the change back to the wallet is {expected} "
                              f"(yours: {change}).")
        if len(spend.outputs) != 1 + bool(change):
            raise CheckFailed(f"{call}: outputs {spend.outputs}; only the payment and one "
                              "change output back to the wallet.")
        built += 1
    return (f"{built} spends built, each accepted by the chain with exactly the fee asked and "
            f"the change back to the wallet; {refused} refused for lack of coins.")


check_build_spend = Exercise(
    name="build_spend",
    goal="Write build_spend(utxos, wallet, to, amount, fee): a Spend signed by wallet that pays "
    "exactly amount to the address `to`, leaves exactly fee to the miner and sends the change "
    "back to wallet.address (no change output when nothing is left); it spends only the "
    "wallet's own coins, and raises ValueError when they are not enough.",
    hints=(
        "Section 2: inputs are whole coins, so you take coins of the wallet until they cover "
        "amount + fee; the outputs are the payment and the change; whatever the outputs leave "
        "out is the fee. sign_spend(inputs, outputs, owners) signs it (one owner per input).",
        "Worked numbers: pay 7 with a fee of 2 from coins of 5, 3 and 4. Take 5 (5 < 9), then 3 "
        "(8 < 9), then 4 (12 >= 9): the change is 12 - 7 - 2 = 3, so the outputs are 7 to the "
        "payee and 3 back; 12 in, 10 out, 2 to the miner. With coins of 5 and 3 only, 8 < 9: "
        "refuse.",
    ),
    test=_test_build_spend,
)
