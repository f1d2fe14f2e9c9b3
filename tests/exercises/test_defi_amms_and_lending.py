"""Checkers of notebook 10, both ways: placeholders are not done, plausible wrong answers are
rejected with a reason, and correct answers written in different styles pass."""

import math
from decimal import ROUND_FLOOR, Decimal, localcontext
from fractions import Fraction

import pytest

from course.exercises import PASSED
from course.exercises.defi_amms_and_lending import (
    check_amount_out,
    check_health_factor,
    check_impermanent_loss,
)
from tests.exercises.both_ways import assert_checked_both_ways

# --- amount_out ---------------------------------------------------------------------------------

def amount_out(amount_in, reserve_in, reserve_out):
    with_fee = amount_in * 997
    return with_fee * reserve_out // (reserve_in * 1000 + with_fee)


def amount_out_by_invariant(amount_in, reserve_in, reserve_out):
    """Solve (x + 0.997 dx)(y - dy) = x·y exactly with fractions, then round down."""
    effective_in = Fraction(997, 1000) * amount_in
    new_reserve_out = Fraction(reserve_in * reserve_out) / (reserve_in + effective_in)
    return math.floor(reserve_out - new_reserve_out)


def amount_out_decimal(amount_in, reserve_in, reserve_out):
    with localcontext() as context:
        context.prec = 200
        out = (Decimal(amount_in) * Decimal("0.997") * reserve_out
               / (reserve_in + Decimal(amount_in) * Decimal("0.997")))
        return int(out.to_integral_value(rounding=ROUND_FLOOR))


def amount_out_float(amount_in, reserve_in, reserve_out):
    return amount_in * 0.997 * reserve_out / (reserve_in + amount_in * 0.997)


def amount_out_float_as_int(amount_in, reserve_in, reserve_out):
    return int(amount_in * 0.997 * reserve_out / (reserve_in + amount_in * 0.997))


def amount_out_no_fee(amount_in, reserve_in, reserve_out):
    return amount_in * reserve_out // (reserve_in + amount_in)


def amount_out_fee_on_output(amount_in, reserve_in, reserve_out):
    return amount_in * reserve_out // (reserve_in + amount_in) * 997 // 1000


def amount_out_rounded_up(amount_in, reserve_in, reserve_out):
    with_fee = amount_in * 997
    return -(-with_fee * reserve_out // (reserve_in * 1000 + with_fee))


def amount_out_spot_price(amount_in, reserve_in, reserve_out):
    return amount_in * 997 * reserve_out // (reserve_in * 1000)


# --- impermanent_loss ---------------------------------------------------------------------------

def impermanent_loss(price_ratio):
    return 2 * math.sqrt(price_ratio) / (1 + price_ratio) - 1


def impermanent_loss_by_value(price_ratio):
    """Deposit 1 token X and 1 token Y at price 1; move the price; compare with holding."""
    k = 1.0 * 1.0
    x, y = math.sqrt(k / price_ratio), math.sqrt(k * price_ratio)  # y / x = new price
    lp_value = x * price_ratio + y
    hold_value = 1.0 * price_ratio + 1.0
    return lp_value / hold_value - 1


WRONG_IMPERMANENT_LOSS = [
    lambda r: 1 - 2 * math.sqrt(r) / (1 + r),  # sign
    lambda r: 2 * math.sqrt(r) / (1 + r),  # LP / HODL, not minus 1
    lambda r: math.sqrt(r) - 1,  # versus the deposit, not versus holding
    lambda r: (1 + r) / (2 * math.sqrt(r)) - 1,  # upside down
    lambda r: 2 * r / (1 + r) - 1,  # no square root
    lambda r: -abs(r - 1) / 2,  # a straight-line guess
]


# --- health_factor ------------------------------------------------------------------------------

def health_factor(collateral, debt, prices, assets):
    top = sum(a * prices[s] * assets[s].liquidation_threshold for s, a in collateral.items())
    bottom = sum(a * prices[s] for s, a in debt.items())
    return top / bottom if bottom else math.inf


def health_factor_loops(collateral, debt, prices, assets):
    weighted_collateral = 0.0
    for symbol in collateral:
        weighted_collateral += collateral[symbol] * prices[symbol] * \
            assets[symbol].liquidation_threshold
    owed = 0.0
    for symbol in debt:
        owed += debt[symbol] * prices[symbol]
    if owed == 0:
        return float("inf")
    return weighted_collateral / owed


def health_factor_with_ltv(collateral, debt, prices, assets):
    top = sum(a * prices[s] * assets[s].ltv for s, a in collateral.items())
    return top / sum(a * prices[s] for s, a in debt.items())


def health_factor_inverted(collateral, debt, prices, assets):
    return 1 / health_factor(collateral, debt, prices, assets)


def health_factor_unpriced_debt(collateral, debt, prices, assets):
    top = sum(a * prices[s] * assets[s].liquidation_threshold for s, a in collateral.items())
    return top / sum(debt.values())


def health_factor_threshold_on_both_sides(collateral, debt, prices, assets):
    top = sum(a * prices[s] * assets[s].liquidation_threshold for s, a in collateral.items())
    return top / sum(a * prices[s] * assets[s].liquidation_threshold for s, a in debt.items())


def health_factor_first_asset_only(collateral, debt, prices, assets):
    (symbol, amount), *_ = collateral.items()
    (owed_symbol, owed), *_ = debt.items()
    return amount * prices[symbol] * assets[symbol].liquidation_threshold / (
        owed * prices[owed_symbol])


def health_factor_divides_by_zero(collateral, debt, prices, assets):
    top = sum(a * prices[s] * assets[s].liquidation_threshold for s, a in collateral.items())
    return top / sum(a * prices[s] for s, a in debt.items())


def health_factor_zero_without_debt(collateral, debt, prices, assets):
    bottom = sum(a * prices[s] for s, a in debt.items())
    return health_factor(collateral, debt, prices, assets) if bottom else 0.0


CASES = [
    (check_amount_out,
     [amount_out, amount_out_by_invariant, amount_out_decimal],
     [amount_out_float, amount_out_float_as_int, amount_out_no_fee, amount_out_fee_on_output,
      amount_out_rounded_up, amount_out_spot_price]),
    (check_impermanent_loss, [impermanent_loss, impermanent_loss_by_value],
     WRONG_IMPERMANENT_LOSS),
    (check_health_factor, [health_factor, health_factor_loops],
     [health_factor_with_ltv, health_factor_inverted, health_factor_unpriced_debt,
      health_factor_threshold_on_both_sides, health_factor_first_asset_only,
      health_factor_divides_by_zero, health_factor_zero_without_debt]),
]
ids = ["amount_out", "impermanent_loss", "health_factor"]


@pytest.mark.parametrize("check, solutions, wrong_answers", CASES, ids=ids)
def test_checker_works_both_ways(check, solutions, wrong_answers):
    assert_checked_both_ways(check, solutions, wrong_answers)


@pytest.mark.parametrize("wrong, explanation", [
    (amount_out_float, "float"),
    (amount_out_float_as_int, "rounding"),
    (amount_out_no_fee, "without the 0.3% fee"),
    (amount_out_fee_on_output, "from the output"),
])
def test_amount_out_says_what_is_wrong(wrong, explanation):
    assert explanation in check_amount_out.check(wrong).message


def test_the_v2_core_vector_is_the_first_thing_checked():
    outcome = check_amount_out.check(amount_out_no_fee)
    assert "amount_out(1000000000000000000, 5000000000000000000, 10000000000000000000)" in \
        outcome.message


@pytest.mark.parametrize("wrong, explanation", [
    (WRONG_IMPERMANENT_LOSS[0], "sign"),
    (WRONG_IMPERMANENT_LOSS[1], "minus 1"),
    (WRONG_IMPERMANENT_LOSS[2], "holding"),
    (WRONG_IMPERMANENT_LOSS[3], "Upside down"),
])
def test_impermanent_loss_says_what_is_wrong(wrong, explanation):
    assert explanation in check_impermanent_loss.check(wrong).message


@pytest.mark.parametrize("wrong, explanation", [
    (health_factor_with_ltv, "LTV"),
    (health_factor_inverted, "Upside down"),
    (health_factor_unpriced_debt, "debt must be valued"),
    (health_factor_divides_by_zero, "ZeroDivisionError"),
    (health_factor_zero_without_debt, "math.inf"),
])
def test_health_factor_says_what_is_wrong(wrong, explanation):
    assert explanation in check_health_factor.check(wrong).message


def test_a_function_that_changes_its_inputs_cannot_change_the_expected_answer():
    def mutating(collateral, debt, prices, assets):
        result = health_factor(collateral, debt, prices, assets)
        collateral.clear()
        prices.clear()
        return result

    assert check_health_factor.check(mutating).status == PASSED
