"""Checks for notebook 07 (Tokens, NFTs and tokenomics): royalties checked against the deployed
contract, vesting, real yield and the Gini coefficient checked against course.defi.tokenomics."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from course.defi import tokenomics
from course.evm.connection import connect
from course.evm.deploy import deploy, send
from course.exercises import CheckFailed, Exercise, expect_function, expect_type

ROYALTY_BPS = [500, 250, 1_000, 1, 9_999, 0, 10_000]
SALE_PRICES = [0, 1, 19, 20, 99, 100, 999, 10_001, 123_456_789, 10**18, 3 * 10**18 + 7,
               10**30 + 12_345]


def _test_royalty(answer: Callable[[int, int], int]) -> str:
    expect_function(answer, 2)
    answer(10**18, 500)  # fails fast (e.g. NotImplementedError) before a chain is started
    w3 = connect()
    artist = w3.eth.accounts[9]
    nft = deploy(w3, "CourseNFT", "Check", "CHK", artist, ROYALTY_BPS[0])
    send(w3, nft.functions.mint(w3.eth.accounts[1], "ipfs://check"))
    for bps in ROYALTY_BPS:
        send(w3, nft.functions.setRoyalty(artist, bps))
        for price in SALE_PRICES:
            got = answer(price, bps)
            expect_type(got, int, f"royalty({price}, {bps})")
            _, expected = nft.functions.royaltyInfo(1, price).call()
            if got != expected:
                raise CheckFailed(f"royalty(sale_price={price}, bps={bps}) returned {got}; the "
                                  f"contract's royaltyInfo says {expected}.")
    return (f"{len(ROYALTY_BPS) * len(SALE_PRICES)} sales priced exactly as the contract's "
            "royaltyInfo: integers, rounded down, 10,000 bps = 100%.")


check_royalty = Exercise(
    name="royalty",
    goal="Write royalty(sale_price, bps) returning the royalty that CourseNFT.royaltyInfo reports "
    "for a sale: sale_price * bps / 10,000, in whole units (wei) like the contract.",
    hints=(
        "A basis point is 1/100 of a percent: 10,000 bps = 100%. Solidity has no fractions.",
        "return sale_price * bps // 10_000   (multiply first, then divide, with //)",
    ),
    test=_test_royalty,
)


VESTING_GRANTS = [(1_200, 3, 12), (4_800, 12, 48), (1_000, 0, 4), (10, 0, 3), (7, 5, 5),
                  (10**24 + 1, 6, 36), (999, 1, 7)]


def _test_unlocked_at(answer: Callable[[int, int, int, int], int]) -> str:
    expect_function(answer, 4)
    for total, cliff, vesting in VESTING_GRANTS:
        for month in range(vesting + 4):
            got = answer(month, total, cliff, vesting)
            expect_type(got, int, f"unlocked_at({month}, {total}, {cliff}, {vesting})")
            expected = tokenomics.unlocked_at(month, total, cliff, vesting)
            if got != expected:
                raise CheckFailed(
                    f"unlocked_at(month={month}, total={total}, cliff_months={cliff}, "
                    f"vesting_months={vesting}) returned {got}, expected {expected}.")
    return "A cliff, then linear: the cliff month releases everything that accrued behind it."


check_unlocked_at = Exercise(
    name="unlocked_at",
    goal="Write unlocked_at(month, total, cliff_months, vesting_months): the tokens of a grant "
    "unlocked after `month` months: 0 before the cliff, then total * months passed / "
    "vesting_months (rounded down, never more than total).",
    hints=(
        "Three cases: before the cliff, during vesting, after vesting. Integers only (//).",
        "if month < cliff_months: return 0; "
        "return total * min(month, vesting_months) // vesting_months",
    ),
    test=_test_unlocked_at,
)


YIELD_CASES = [(0.10, 0.08), (1.00, 0.50), (0.05, 0.05), (0.0, 0.25), (0.2, 0.0),
               (0.03, -0.02), (0.5, 2.0), (-0.3, 0.1), (0.07, 0.069)]


def _test_real_yield(answer: Callable[[float, float], float]) -> str:
    expect_function(answer, 2)
    for nominal, inflation in YIELD_CASES:
        got = answer(nominal, inflation)
        expect_type(got, (int, float), f"real_yield({nominal}, {inflation})")
        expected = tokenomics.real_yield(nominal, inflation)
        if not math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12):
            extra = (" That is nominal - inflation, a first-order approximation: it is off by "
                     "a lot when rates are large." if math.isclose(got, nominal - inflation)
                     else "")
            raise CheckFailed(f"real_yield(nominal={nominal}, inflation={inflation}) returned "
                              f"{got:.6f}, expected {expected:.6f}.{extra}")
    return "Real yield = (1 + nominal) / (1 + inflation) - 1: 100% nominal at 50% inflation is 33%."


check_real_yield = Exercise(
    name="real_yield",
    goal="Write real_yield(nominal, inflation): the growth of your share of the supply, "
    "(1 + nominal) / (1 + inflation) - 1, with rates as fractions (0.05 = 5%).",
    hints=(
        "After a year you hold (1 + nominal) times your tokens; the supply is (1 + inflation) "
        "times bigger. Divide, do not subtract.",
        "return (1 + nominal) / (1 + inflation) - 1",
    ),
    test=_test_real_yield,
)


def _gini_cases() -> list[Sequence[float]]:
    rng = np.random.default_rng(2022)
    return [
        [5, 5, 5, 5], [0, 0, 0, 7], [1, 2, 3, 4], [4, 1, 3, 2], [42], [0, 1], [3, 0, 0, 1, 9],
        [float(x) for x in rng.pareto(1.16, 200) + 1],  # 80/20 law
        [float(x) for x in rng.lognormal(0, 1, 300)],
        [int(x) for x in rng.integers(0, 10**6, 50)],
        [10**24] + [10**18] * 99,  # one whale, 99 minnows, in wei
    ]


def _test_gini(answer: Callable[[list[float]], float]) -> str:
    expect_function(answer, 1)
    for balances in _gini_cases():
        got = answer(list(balances))
        expect_type(got, (int, float, np.floating), f"gini(a list of {len(balances)} balances)")
        expected = tokenomics.gini(balances)
        if not math.isclose(float(got), expected, rel_tol=1e-9, abs_tol=1e-9):
            shown = balances if len(balances) <= 6 else f"{len(balances)} balances"
            raise CheckFailed(f"gini({shown}) returned {float(got):.6f}, expected "
                              f"{expected:.6f}.")
    return "Gini: 0 when everyone holds the same, (n - 1) / n when one holder has it all."


check_gini = Exercise(
    name="gini",
    goal="Write gini(balances): the mean absolute difference between all pairs of balances "
    "(i, j), divided by twice the mean balance.",
    hints=(
        "Sum |x_i - x_j| over all n * n ordered pairs, then divide by 2 * n**2 * mean.",
        "n = len(balances); mean = sum(balances) / n; "
        "return sum(abs(a - b) for a in balances for b in balances) / (2 * n * n * mean)",
    ),
    test=_test_gini,
)
