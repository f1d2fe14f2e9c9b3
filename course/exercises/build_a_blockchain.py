"""Checks for notebook 04 (Build a blockchain): mining, retargeting, the reward schedule,
and a UTXO spend. The checks of section 12 (signing hash, transaction rules, a raw EIP-1559
transaction) live in course.exercises.transactions_by_hand and are re-exported here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from course.chain.blocks import BlockHeader
from course.chain.keys import wallet_from_seed
from course.chain.mining import mine_fast
from course.chain.params import ChainParams, block_subsidy, next_target
from course.chain.utxo import OutPoint, Output, Spend, apply_spend, sign_spend, validate_spend
from course.exercises import CheckFailed, Exercise, expect_function, expect_type
from course.exercises.transactions_by_hand import (  # noqa: F401 (Try its 6-8, re-exported)
    check_raw_transaction,
    check_signing_hash,
    check_validate_transaction,
)

MINER = "0x0000000000000000000000000000000000000001"


def _headers() -> list[BlockHeader]:
    """Six headers to mine, and one so easy that nonce 0 already wins (an answer that starts
    counting at 1 must fail it)."""
    headers = [BlockHeader(h, f"{h:064x}", "ab" * 32, 1_700_000_000 + 10 * h, 2**248, MINER, 50)
               for h in range(6)]
    return [*headers, BlockHeader(6, "00" * 32, "ab" * 32, 1_700_000_060, 2**256 - 1, MINER, 50)]


def _test_mine_header(answer: Callable[[BlockHeader], BlockHeader]) -> str:
    expect_function(answer, 1)
    for header in _headers():
        got = answer(header)
        expect_type(got, BlockHeader, f"mine_header(header #{header.height})")
        if replace(got, nonce=header.nonce) != header:
            raise CheckFailed(f"mine_header changed more than the nonce of header "
                              f"#{header.height}: only the nonce may change.")
        if not got.meets_target():
            raise CheckFailed(f"header #{header.height} with nonce {got.nonce} has hash "
                              f"{got.hash[:12]}..., above the target: keep trying nonces.")
        expected = mine_fast(header).nonce
        if got.nonce != expected:
            raise CheckFailed(f"header #{header.height}: nonce {got.nonce} works, but {expected} "
                              "is the first that does. Start at 0 and count up.")
    return "Seven headers mined: every hash is below its target."


check_mine_header = Exercise(
    name="mine_header",
    references=(mine_fast,),
    goal="Write mine_header(header) that returns a copy of the header with the smallest "
    "nonce (0, 1, 2, ...) for which header.meets_target() is True.",
    hints=(
        "Proof of work is a search: try nonces in order from 0 and stop at the first whose "
        "header meets its target. Headers are frozen: dataclasses.replace(header, nonce=n) "
        "makes a changed copy to test.",
        "The same search on a string: the smallest n for which sha256(f'hello{n}') starts "
        "with '00'. Try n = 0, 1, 2, ... in a loop and stop at the first hit: n = 227 (hash "
        "001b9254...). Starting at 1, or skipping numbers, can miss the smallest one.",
    ),
    test=_test_mine_header,
)


RETARGET_CASES = [  # (previous target, seconds the last window took)
    (2**240, 100), (2**240, 50), (2**240, 200), (2**240, 1), (2**240, 10_000),
    (2**249, 400), (2**249, 1_000), (3 * 2**230, 77), (2**200 + 12345, 99),
]


def _test_retarget(answer: Callable[[int, int, ChainParams], int]) -> str:
    expect_function(answer, 3)
    params = ChainParams(block_interval=10, retarget_interval=10, max_target=2**250)
    for previous, seconds in RETARGET_CASES:
        got = answer(previous, seconds, params)
        expect_type(got, int, f"retarget({previous:#x}, {seconds}, params)")
        expected = next_target(previous, seconds, params)
        if got != expected:
            raise CheckFailed(
                f"retarget(previous={previous:#x}, actual_seconds={seconds}) returned "
                f"{got:#x}, expected {expected:#x} (the window should take "
                f"{params.block_interval * params.retarget_interval} s).")
    return "Faster blocks make the target smaller (harder), clamped to 4x either way."


check_retarget = Exercise(
    name="retarget",
    references=(next_target,),
    goal="Write retarget(previous_target, actual_seconds, params) returning the new target: "
    "previous * actual / expected, with actual clamped to [expected/4, expected*4] and the "
    "result capped at params.max_target (integers only).",
    hints=(
        "Section 6's rule: the window should take block_interval × retarget_interval "
        "seconds. Clamp the measured time to between a quarter and four times that, scale "
        "the target by clamped / expected (in integers: multiply first, then divide), and "
        "never go above max_target.",
        "Worked numbers: expected 600 s, previous target 1,000, the window took 5,000 s. "
        "Clamped to 2,400 s (4 × 600), the new target is 1,000 × 2,400 // 600 = 4,000, "
        "unless max_target is smaller. Had it taken 300 s: 1,000 × 300 // 600 = 500.",
    ),
    test=_test_retarget,
)


def _test_subsidy(answer: Callable[[int, ChainParams], int]) -> str:
    expect_function(answer, 2)
    for params in (ChainParams(initial_reward=50_000, halving_interval=100),
                   ChainParams(initial_reward=5_000_000_000, halving_interval=210_000)):
        heights = [0, 1, 99, 100, 101, 250, 999, 6_399, 6_400, 210_000, 420_000, 13_440_000,
                   100 * 64, 210_000 * 33, 210_000 * 64]
        for height in heights:
            got = answer(height, params)
            expect_type(got, int, f"subsidy({height}, params)")
            expected = block_subsidy(height, params)
            if got != expected:
                raise CheckFailed(
                    f"subsidy({height}) with initial_reward={params.initial_reward} and "
                    f"halving_interval={params.halving_interval} returned {got}, "
                    f"expected {expected}.")
    return "Halvings in integers: Bitcoin's reward reaches 0 after 33 halvings (block 6,930,000)."


check_subsidy = Exercise(
    name="subsidy",
    references=(block_subsidy,),
    goal="Write subsidy(height, params) returning the new coins a block at that height may "
    "create: params.initial_reward halved (integer division) every params.halving_interval "
    "blocks.",
    hints=(
        "Section 7: the subsidy halves every halving_interval blocks, in integers. Count the "
        "halvings so far with integer division of the height, then halve the initial reward "
        "that many times (dividing by a power of 2 with //, or shifting right).",
        "Worked numbers: initial reward 80, a halving every 10 blocks. Height 25 has seen 2 "
        "halvings: 80 → 40 → 20. Height 75 has seen 7: 80 // 2**7 = 0, and it stays 0: no "
        "fractions of the smallest unit.",
    ),
    test=_test_subsidy,
)


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
    import random

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
        "Section 10: inputs are whole coins, so you take coins of the wallet until they cover "
        "amount + fee; the outputs are the payment and the change; whatever the outputs leave "
        "out is the fee. sign_spend(inputs, outputs, owners) signs it (one owner per input).",
        "Worked numbers: pay 7 with a fee of 2 from coins of 5, 3 and 4. Take 5 (5 < 9), then 3 "
        "(8 < 9), then 4 (12 >= 9): the change is 12 - 7 - 2 = 3, so the outputs are 7 to the "
        "payee and 3 back; 12 in, 10 out, 2 to the miner. With coins of 5 and 3 only, 8 < 9: "
        "refuse.",
    ),
    test=_test_build_spend,
)
