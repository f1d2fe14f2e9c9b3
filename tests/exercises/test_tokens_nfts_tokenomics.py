"""Checkers of notebook 09, both ways."""

import numpy as np
import pytest

from course.evm.magic import SolidityContract, compile_cell
from course.exercises import FAILED, NOT_DONE, PASSED
from course.exercises.tokens_nfts_tokenomics import (
    check_gini,
    check_real_yield,
    check_royalty,
    check_transfer_from,
    check_unlocked_at,
    check_vesting_wallet,
)
from tests.exercises.both_ways import assert_checked_both_ways
from tests.exercises.solidity_answers import token_source, vesting_source


def gini_pairs(balances):
    n = len(balances)
    mean = sum(balances) / n
    return sum(abs(a - b) for a in balances for b in balances) / (2 * n * n * mean)


def gini_sorted(balances):
    x = np.sort(np.asarray(balances, dtype=float))
    n = len(x)
    return float(2 * np.sum(np.arange(1, n + 1) * x) / (n * x.sum()) - (n + 1) / n)


def gini_sample_corrected(balances):  # the n / (n - 1) "unbiased" variant: not the definition
    n = len(balances)
    return gini_pairs(balances) * n / (n - 1) if n > 1 else 0.0


def gini_unsorted(balances):  # the sorted formula without sorting
    x = np.asarray(balances, dtype=float)
    n = len(x)
    return float(2 * np.sum(np.arange(1, n + 1) * x) / (n * x.sum()) - (n + 1) / n)


def unlocked_cases(month, total, cliff, vesting):
    if month < cliff:
        return 0
    if month >= vesting:
        return total
    return total * month // vesting


CASES = [
    (check_royalty,
     [lambda price, bps: price * bps // 10_000,
      lambda price, bps: (price * bps - (price * bps) % 10_000) // 10_000],
     [lambda price, bps: price * bps / 10_000,  # a float
      lambda price, bps: round(price * bps / 10_000),  # rounds half up, and floats lose digits
      lambda price, bps: price // 10_000 * bps,  # divides first
      lambda price, bps: price * bps // 100]),  # bps read as percent
    (check_unlocked_at,
     [lambda m, total, cliff, vesting: 0 if m < cliff else total * min(m, vesting) // vesting,
      unlocked_cases],
     [lambda m, total, cliff, vesting: total * min(m, vesting) // vesting,  # no cliff
      lambda m, total, cliff, vesting: (0 if m < cliff else  # linear only after the cliff
                                        total * min(m - cliff, vesting - cliff)
                                        // max(vesting - cliff, 1)),
      lambda m, total, cliff, vesting: (0 if m <= cliff else  # cliff month releases nothing
                                        total * min(m, vesting) // vesting),
      lambda m, total, cliff, vesting: 0 if m < cliff else total * min(m, vesting) / vesting]),
    (check_real_yield,
     [lambda n, i: (1 + n) / (1 + i) - 1, lambda n, i: (n - i) / (1 + i)],
     [lambda n, i: n - i,  # the first-order approximation
      lambda n, i: (1 + n) * (1 - i) - 1,
      lambda n, i: n / i if i else n]),
    (check_gini, [gini_pairs, gini_sorted],
     [gini_sample_corrected, gini_unsorted,
      lambda b: float(np.std(b) / np.mean(b)),  # coefficient of variation
      lambda b: gini_pairs(b) * 2]),  # forgot the 2 in the denominator
]
ids = ["royalty", "unlocked_at", "real_yield", "gini"]


@pytest.mark.parametrize("check, solutions, wrong_answers", CASES, ids=ids)
def test_checker_works_both_ways(check, solutions, wrong_answers):
    assert_checked_both_ways(check, solutions, wrong_answers)


# --- the Solidity exercises: transferFrom and the vesting wallet, fuzzed on-chain --------------


@pytest.fixture(scope="module")
def tokens():
    return compile_cell(token_source())


@pytest.fixture(scope="module")
def wallets():
    return compile_cell(vesting_source())


@pytest.mark.parametrize("name", ["Correct", "Checked"])
def test_transfer_from_accepts_explicit_requires_or_checked_arithmetic(tokens, name):
    outcome = check_transfer_from.check(tokens[name])
    assert outcome.status == PASSED, (name, outcome.message)


def test_transfer_from_says_not_done_for_the_template(tokens):
    outcome = check_transfer_from.check(tokens["Placeholder"])
    assert outcome.status == NOT_DONE and "transferFrom still reverts" in outcome.message


@pytest.mark.parametrize("name, reason", [
    ("KeepsAllowance", "the allowance of account 1 over account 0's tokens went from 100 to 100; "
                       "it must fall by the 1 moved, to 99"),
    ("NoAllowanceCheck", "account 1 moved 1 of account 0's tokens with an allowance of only 0: "
                         "only an approved spender may move them"),
    ("WrongPair", "account 1 was approved for 100 of account 0's tokens and account 0 held 250, "
                  "yet moving 1 was refused (allowance)"),
    ("SpenderPays", "account 0's balance went from 250 to 250, expected 249"),
    ("NoEvent", "no Transfer(account 0, account 2, 1) event"),
    ("OwnerOnly", "yet moving 1 was refused (only the owner)"),
    ("Unchecked", "251 tokens were moved from account 2, who held only 250"),
    ("Mints", "account 0's balance went from 250 to 250, expected 249"),
])
def test_transfer_from_names_the_calls_and_the_eip_20_rule_that_broke(tokens, name, reason):
    outcome = check_transfer_from.check(tokens[name])
    assert outcome.status == FAILED, (name, outcome.message)
    assert reason in outcome.message and "Traceback" not in outcome.message
    assert "the rule of transferFrom broke" in outcome.message


@pytest.mark.parametrize("name", ["Correct", "OpenZeppelinStyle"])
def test_vesting_wallet_accepts_transfer_or_call_and_either_style(wallets, name):
    outcome = check_vesting_wallet.check(wallets[name])
    assert outcome.status == PASSED, (name, outcome.message)


@pytest.mark.parametrize("name, missing", [("Placeholder", "vestedAmount"),
                                           ("HalfDone", "release")])
def test_vesting_wallet_says_not_done_until_both_functions_are_written(wallets, name, missing):
    outcome = check_vesting_wallet.check(wallets[name])
    assert outcome.status == NOT_DONE and f"{missing} still reverts" in outcome.message


@pytest.mark.parametrize("name, reason", [
    ("NoCliff", "vestedAmount(start + 999) returned 999000, expected 0 (before the cliff nothing "
                "has vested"),
    ("FromTheCliff", "vestedAmount(start + 1000) returned 0, expected 1000000 (after the cliff, "
                     "total x (time - start) / duration, counted from the start"),
    ("AnyoneReleases", "release() from the stranger went through: only the beneficiary may "
                       "release"),
    ("PaysTheCaller", "release() from the stranger went through"),
    ("ReleasesEverything", "wei left the wallet"),
    ("ForgetsReleased", "count every wei paid, or the next release pays it again"),
    ("BalanceOnly", "was due (vested"),
    ("NoEvent", "no Released event for the"),
])
def test_vesting_wallet_names_the_moment_and_the_rule_that_broke(wallets, name, reason):
    outcome = check_vesting_wallet.check(wallets[name])
    assert outcome.status == FAILED, (name, outcome.message)
    assert reason in outcome.message and "Traceback" not in outcome.message


def test_the_solidity_checks_without_a_compiler_say_how_to_get_one():
    for check, name in ((check_transfer_from, "MiniToken"),
                        (check_vesting_wallet, "VestingWallet")):
        outcome = check.check(SolidityContract(name, (), ""))
        assert outcome.status == NOT_DONE and "needs a Solidity compiler" in outcome.message
