"""Stress scenarios: a stablecoin pool depegs under one-sided selling; a thin-pool oracle is
manipulated, and a deep pool or a long TWAP stops it."""

from fractions import Fraction
from itertools import pairwise

import pytest

from course.defi.scenarios import (
    InvalidScenario,
    UnknownOracle,
    oracle_manipulation,
    stablecoin_depeg,
    time_weighted_price,
)

E6 = 10**6  # stablecoins with 6 decimals, like USDC
E18 = 10**18
THIN_POOL = (1_000 * E18, 100_000 * E18)  # 1,000 COLL and 100,000 USD: COLL at 100
DEEP_POOL = (100_000 * E18, 10_000_000 * E18)  # the same price, 100 times the liquidity
PUMP = 100_000 * E18  # the attacker spends 100,000 USD pushing the price up
COLLATERAL = 1_000 * E18  # and owns 1,000 COLL (worth 100,000 USD) to borrow against


def test_a_one_sided_sell_depegs_a_constant_product_stable_pool():
    reserve = 10_000_000 * E6
    sells = [1_000 * E6, 100_000 * E6, 1_000_000 * E6, 5_000_000 * E6]
    curve = stablecoin_depeg(reserve, sells)
    assert all(a > b for a, b in pairwise(curve.price_after))
    assert curve.depeg[0] < 0.001  # a small sell barely moves it
    # selling 10% of the reserve leaves the coin near (1 / 1.1) ** 2 = 0.826: a 17% depeg
    assert curve.price_after[2] == pytest.approx(1 / 1.1**2, rel=0.005)
    assert curve.depeg[2] > 0.17
    # the seller's average price lies between the start and the end price, both less the fee
    for average, after in zip(curve.average_price, curve.price_after, strict=True):
        assert 0.997 * after < average < 0.997


def test_a_thin_pool_oracle_is_profitable_to_manipulate():
    result = oracle_manipulation(THIN_POOL, PUMP, COLLATERAL)
    assert result.price_move == pytest.approx(3.0, abs=0.01)  # the price quadruples
    assert result.borrowed > result.collateral_value  # a loan the collateral cannot cover
    assert result.bad_debt == result.borrowed - result.collateral_value > 0
    assert result.attacker_profit == result.bad_debt - result.pump_cost
    assert result.attacker_profit > 200_000 * E18  # about twice the collateral's real value
    assert 0 < result.pump_cost < PUMP // 100  # the swap back returns all but the fees


def test_a_deep_pool_makes_the_same_attack_a_loss():
    result = oracle_manipulation(DEEP_POOL, PUMP, COLLATERAL)
    assert result.price_move < 0.03
    assert result.bad_debt == 0
    assert result.attacker_profit <= 0


def test_a_long_twap_makes_the_same_attack_a_loss():
    result = oracle_manipulation(THIN_POOL, PUMP, COLLATERAL, oracle="twap", twap_blocks=30)
    assert result.price_move == pytest.approx(3.0, abs=0.01)  # the pool moved just as much...
    assert result.oracle_price < 1.11 * result.fair_price  # ...the oracle barely did
    assert result.bad_debt == 0
    assert result.attacker_profit <= 0


def test_a_twap_over_too_few_blocks_still_leaks():
    result = oracle_manipulation(THIN_POOL, PUMP, COLLATERAL, oracle="twap", twap_blocks=10)
    assert result.attacker_profit > 0 and result.bad_debt > 0


def test_manipulation_never_changes_the_callers_reserves():
    reserves = THIN_POOL
    oracle_manipulation(reserves, PUMP, COLLATERAL)
    assert reserves == THIN_POOL


def test_time_weighted_price_is_the_mean_of_block_prices():
    assert time_weighted_price([Fraction(100), Fraction(100), Fraction(400)]) == 200


@pytest.mark.parametrize("kwargs, error, match", [
    ({"ltv": 1.2}, InvalidScenario, "ltv"),
    ({"ltv": 0}, InvalidScenario, "ltv"),
    ({"oracle": "median"}, UnknownOracle, "oracle"),
    ({"oracle": "twap", "twap_blocks": 2, "manipulated_blocks": 3}, InvalidScenario,
     "manipulated_blocks"),
    ({"twap_blocks": 0}, InvalidScenario, "twap_blocks"),
])
def test_bad_oracle_settings_are_refused(kwargs, error, match):
    with pytest.raises(error, match=match):
        oracle_manipulation(THIN_POOL, PUMP, COLLATERAL, **kwargs)


@pytest.mark.parametrize("reserves, pump, collateral, match", [
    ((0, 100), PUMP, COLLATERAL, r"pool_reserves\[0\]"),
    (THIN_POOL, 0, COLLATERAL, "pump_amount"),
    (THIN_POOL, PUMP, -5, "collateral_amount"),
    ((1, 2, 3), PUMP, COLLATERAL, "pool_reserves"),
])
def test_bad_amounts_are_refused(reserves, pump, collateral, match):
    with pytest.raises(InvalidScenario, match=match):
        oracle_manipulation(reserves, pump, collateral)


def test_bad_depeg_inputs_are_refused():
    with pytest.raises(InvalidScenario, match="reserve"):
        stablecoin_depeg(0, [1])
    with pytest.raises(InvalidScenario, match=r"sell_amounts\[1\]"):
        stablecoin_depeg(10**12, [10, 2.5])
    with pytest.raises(InvalidScenario, match="time_weighted_price|block_prices"):
        time_weighted_price([])
