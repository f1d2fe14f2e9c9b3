"""Lending against Aave's documented rules: health factor, close factor, bonus, cascades."""

import copy
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.defi.lending import (
    CLOSE_FACTOR_HF_THRESHOLD,
    Asset,
    InvalidAmount,
    InvalidAssetConfig,
    NotInPosition,
    Position,
    PositionHealthy,
    RepayAboveCloseFactor,
    UnknownAsset,
    UnsupportedPosition,
    close_factor,
    health_factor,
    liquidate,
    liquidation_price,
    max_borrow,
    simulate_cascade,
)

# Risk parameters of the order Aave V3 Ethereum lists (fractions, bonus on top of 100%).
ETH = Asset("ETH", ltv=0.80, liquidation_threshold=0.80, liquidation_bonus=0.05)
WBTC = Asset("WBTC", ltv=0.73, liquidation_threshold=0.78, liquidation_bonus=0.065)
USDC = Asset("USDC", ltv=0.77, liquidation_threshold=0.80, liquidation_bonus=0.045)
ASSETS = {a.symbol: a for a in (ETH, WBTC, USDC)}


def prices(eth: float = 2000.0) -> dict[str, float]:
    return {"ETH": eth, "WBTC": 60_000.0, "USDC": 1.0}


def one_eth_owing_1000_usdc() -> Position:
    """HF = 0.8 * price / 1000: liquidatable below $1250, close factor 100% at or below $1187.50."""
    return Position(collateral={"ETH": 1.0}, debt={"USDC": 1000.0})


# --- health factor and borrowing power ---------------------------------------------------------

def test_health_factor_of_a_two_asset_position_matches_the_hand_computation():
    collateral = {"ETH": 10.0, "WBTC": 1.0}
    debt = {"USDC": 25_000.0, "ETH": 5.0}
    by_hand = (10 * 2000 * 0.80 + 1 * 60_000 * 0.78) / (25_000 * 1 + 5 * 2000)  # 62800 / 35000
    assert health_factor(collateral, debt, prices(), ASSETS) == pytest.approx(by_hand)
    assert Position(collateral, debt).health_factor(prices(), ASSETS) == pytest.approx(1.794286,
                                                                                       abs=1e-6)


def test_a_position_without_debt_has_an_infinite_health_factor():
    assert Position({"ETH": 1.0}).health_factor(prices(), ASSETS) == math.inf


def test_max_borrow_uses_the_ltv_not_the_liquidation_threshold():
    position = Position(collateral={"ETH": 10.0, "WBTC": 1.0}, debt={"USDC": 6000.0})
    capacity = 10 * 2000 * 0.80 + 60_000 * 0.73 - 6000  # 53800 USD
    assert position.borrow_capacity(prices(), ASSETS) == pytest.approx(capacity)
    assert max_borrow(position, "ETH", prices(), ASSETS) == pytest.approx(capacity / 2000)


def test_borrowing_the_max_leaves_a_safety_margin_between_ltv_and_threshold():
    position = Position(collateral={"WBTC": 1.0})
    position.debt["USDC"] = max_borrow(position, "USDC", prices(), ASSETS)
    assert position.health_factor(prices(), ASSETS) == pytest.approx(0.78 / 0.73)


# --- when a position may be liquidated ---------------------------------------------------------

def test_a_position_with_health_factor_one_or_more_cannot_be_liquidated():
    position = one_eth_owing_1000_usdc()
    at_one = prices(eth=1250.0)  # HF = 0.8 * 1250 / 1000 = 1 exactly
    assert position.health_factor(at_one, ASSETS) == 1.0
    with pytest.raises(PositionHealthy, match="health factor 1.0000 is not below 1"):
        liquidate(position, "USDC", "ETH", 100.0, at_one, ASSETS)


def test_a_position_with_health_factor_below_one_can_be_liquidated():
    position = one_eth_owing_1000_usdc()
    result = liquidate(position, "USDC", "ETH", 100.0, prices(eth=1249.0), ASSETS)
    assert result.health_factor_before < 1 and result.repaid == 100.0


# --- the close factor (Aave V3 LiquidationLogic._calculateDebt) -------------------------------

def test_close_factor_is_half_above_the_threshold_and_everything_at_or_below_it():
    assert CLOSE_FACTOR_HF_THRESHOLD == 0.95
    assert close_factor(0.99) == close_factor(0.9500001) == 0.5
    assert close_factor(0.95) == close_factor(0.5) == 1.0  # `healthFactor > threshold ? 50% : 100%`


def test_above_hf_095_a_liquidator_may_repay_half_the_debt_and_no_more():
    hf_096 = prices(eth=1200.0)  # HF = 0.96
    position = one_eth_owing_1000_usdc()
    with pytest.raises(RepayAboveCloseFactor, match="at most 50% of 1000.0 = 500.0"):
        liquidate(position, "USDC", "ETH", 500.01, hf_096, ASSETS)
    result = liquidate(position, "USDC", "ETH", 500.0, hf_096, ASSETS)
    assert result.close_factor == 0.5 and position.debt == {"USDC": 500.0}


def test_below_hf_095_a_liquidator_may_repay_the_whole_debt():
    hf_094 = prices(eth=1175.0)  # HF = 0.94
    position = Position(collateral={"ETH": 2.0}, debt={"USDC": 2000.0})
    result = liquidate(position, "USDC", "ETH", 2000.0, hf_094, ASSETS)
    assert result.close_factor == 1.0 and result.repaid == 2000.0 and position.debt == {}
    assert result.health_factor_after == math.inf


def test_aave_v2_flat_close_factor_is_the_v3_rule_with_threshold_zero():
    position = one_eth_owing_1000_usdc()
    with pytest.raises(RepayAboveCloseFactor):
        liquidate(position, "USDC", "ETH", 600.0, prices(eth=700.0), ASSETS,
                  close_factor_hf_threshold=0.0)


# --- what the liquidator receives ---------------------------------------------------------------

def test_the_liquidator_seizes_repaid_value_in_collateral_plus_the_bonus():
    position = one_eth_owing_1000_usdc()
    result = liquidate(position, "USDC", "ETH", 500.0, prices(eth=1200.0), ASSETS)
    assert result.seized == pytest.approx(500.0 * 1.0 / 1200.0 * 1.05)  # 0.4375 ETH
    assert result.bonus == pytest.approx(500.0 / 1200.0 * 0.05)
    assert position.collateral["ETH"] == pytest.approx(1 - 0.4375)


def test_the_liquidator_never_seizes_more_collateral_than_the_position_holds():
    position = one_eth_owing_1000_usdc()  # at $1000, 1000 USDC + 5% would need 1.05 ETH
    result = liquidate(position, "USDC", "ETH", 1000.0, prices(eth=1000.0), ASSETS)
    assert result.seized == 1.0 and "ETH" not in position.collateral
    assert result.repaid == pytest.approx(1000.0 / 1.05)  # Aave lowers the repayment to match
    assert position.debt["USDC"] == pytest.approx(1000 - 1000 / 1.05)  # left over: bad debt


def test_a_liquidation_improves_the_health_factor_when_collateral_covers_debt_plus_bonus():
    position = one_eth_owing_1000_usdc()
    result = liquidate(position, "USDC", "ETH", 500.0, prices(eth=1200.0), ASSETS)
    assert result.health_factor_before == pytest.approx(0.96)
    assert result.health_factor_after == pytest.approx((1 - 0.4375) * 1200 * 0.8 / 500)  # 1.08


def test_a_liquidation_worsens_a_position_already_below_threshold_times_bonus():
    position = one_eth_owing_1000_usdc()  # at $1000: HF 0.80 < 0.80 * 1.05 = 0.84
    result = liquidate(position, "USDC", "ETH", 500.0, prices(eth=1000.0), ASSETS)
    assert result.health_factor_before == pytest.approx(0.80)
    assert result.health_factor_after == pytest.approx((1 - 0.525) * 1000 * 0.8 / 500)  # 0.76


# --- refusals change nothing ----------------------------------------------------------------

@pytest.mark.parametrize("args, error", [
    (("USDC", "ETH", 100.0, 1300.0), PositionHealthy),
    (("USDC", "ETH", 600.0, 1200.0), RepayAboveCloseFactor),
    (("DAI", "ETH", 100.0, 1200.0), UnknownAsset),
    (("USDC", "WBTC", 100.0, 1200.0), NotInPosition),
    (("ETH", "ETH", 0.1, 1200.0), NotInPosition),
    (("USDC", "ETH", 0.0, 1200.0), InvalidAmount),
    (("USDC", "ETH", -5.0, 1200.0), InvalidAmount),
    (("USDC", "ETH", math.nan, 1200.0), InvalidAmount),
    (("USDC", "ETH", 100.0, 0.0), InvalidAmount),
])
def test_a_refused_liquidation_leaves_the_position_unchanged(args, error):
    debt_symbol, collateral_symbol, repay, eth_price = args
    position = one_eth_owing_1000_usdc()
    before = copy.deepcopy(position)
    with pytest.raises(error):
        liquidate(position, debt_symbol, collateral_symbol, repay, prices(eth_price), ASSETS)
    assert position == before


def test_asset_parameters_follow_aaves_configurator_rules():
    with pytest.raises(InvalidAssetConfig, match="ltv 0.9 must not exceed"):
        Asset("X", ltv=0.9, liquidation_threshold=0.85, liquidation_bonus=0.05)
    with pytest.raises(InvalidAssetConfig, match="must be <= 1"):
        Asset("X", ltv=0.9, liquidation_threshold=0.97, liquidation_bonus=0.05)
    with pytest.raises(InvalidAssetConfig, match=r"X.ltv .* in \[0, 1\], got -0.1"):
        Asset("X", ltv=-0.1, liquidation_threshold=0.5, liquidation_bonus=0.05)


def test_a_position_refuses_negative_balances():
    with pytest.raises(InvalidAmount, match=r"debt\['USDC'\]"):
        Position({"ETH": 1.0}, {"USDC": -1.0})


# --- liquidation price ----------------------------------------------------------------------

def test_at_the_liquidation_price_the_health_factor_is_exactly_one():
    position = Position(collateral={"WBTC": 0.5}, debt={"USDC": 18_000.0})
    price = liquidation_price(position, prices(), ASSETS)
    assert price == pytest.approx(18_000 / (0.5 * 0.78))
    at_price = {**prices(), "WBTC": price}
    assert position.health_factor(at_price, ASSETS) == pytest.approx(1.0)


def test_liquidation_price_needs_one_collateral_and_one_debt():
    with pytest.raises(UnsupportedPosition, match="exactly one collateral"):
        liquidation_price(Position({"ETH": 1.0, "WBTC": 1.0}, {"USDC": 1.0}), prices(), ASSETS)


# --- cascades --------------------------------------------------------------------------------

def ladder_of_borrowers() -> list[Position]:
    """Twenty borrowers of 1 ETH each, liquidation prices from ~$1961 down to ~$1429."""
    return [Position({"ETH": 1.0}, {"USDC": 2000 * 0.80 / (1.02 + 0.02 * i)}) for i in range(20)]


PATH = [2000.0 - 20 * step for step in range(11)]  # a 10% fall, $20 a step


def test_a_thin_market_liquidates_more_positions_than_a_deep_one():
    deep = simulate_cascade(ladder_of_borrowers(), prices(), PATH, ASSETS, market_depth=1e6)
    thin = simulate_cascade(ladder_of_borrowers(), prices(), PATH, ASSETS, market_depth=20.0)
    assert deep.positions_liquidated == 5  # only those whose liquidation price the path crosses
    assert thin.positions_liquidated == 20  # forced sales push the price through every one
    assert thin.steps[-1].price < deep.steps[-1].price
    assert thin.steps[-1].price < PATH[-1] == deep.steps[-1].path_price


def test_a_cascade_records_each_step_and_does_not_touch_the_input():
    positions = ladder_of_borrowers()
    before = copy.deepcopy(positions)
    result = simulate_cascade(positions, prices(), PATH, ASSETS, market_depth=20.0)
    assert positions == before
    assert [s.path_price for s in result.steps] == PATH
    assert sum(s.liquidated for s in result.steps) >= result.positions_liquidated
    assert result == simulate_cascade(positions, prices(), PATH, ASSETS, market_depth=20.0)
    assert all(amount >= 0 for p in result.positions for amount in p.collateral.values())


# --- properties ------------------------------------------------------------------------------

@st.composite
def unhealthy_position(draw, covers_bonus: bool = False):
    """A one-collateral USDC loan with HF < 1 (and, if asked, HF > threshold * (1 + bonus))."""
    threshold = draw(st.floats(0.3, 0.9))
    bonus = draw(st.floats(0.01, 0.99 / threshold - 1))
    asset = Asset("COL", ltv=threshold, liquidation_threshold=threshold, liquidation_bonus=bonus)
    amount = draw(st.floats(1e-3, 1e6))
    price = draw(st.floats(1e-2, 1e5))
    hf = draw(st.floats(threshold * (1 + bonus) * 1.001 if covers_bonus else 0.05, 0.999))
    debt = amount * price * threshold / hf
    assets = {"COL": asset, "USDC": USDC}
    return Position({"COL": amount}, {"USDC": debt}), {"COL": price, "USDC": 1.0}, assets


@settings(max_examples=200, deadline=None)
@given(case=unhealthy_position(), share=st.floats(1e-3, 1.0))
def test_seized_value_never_exceeds_repaid_value_plus_bonus_and_balances_stay_positive(case,
                                                                                       share):
    position, market, assets = case
    held, owed = position.collateral["COL"], position.debt["USDC"]
    factor = close_factor(position.health_factor(market, assets))
    result = liquidate(position, "USDC", "COL", share * factor * owed, market, assets)
    bonus = assets["COL"].liquidation_bonus
    assert result.seized * market["COL"] <= result.repaid * (1 + bonus) * (1 + 1e-9)
    assert 0 < result.seized <= held and 0 < result.repaid <= owed
    assert all(a >= 0 for a in (*position.collateral.values(), *position.debt.values()))


@settings(max_examples=200, deadline=None)
@given(case=unhealthy_position(covers_bonus=True), share=st.floats(0.01, 1.0))
def test_liquidating_a_position_above_threshold_times_bonus_raises_its_health_factor(case,
                                                                                     share):
    """HF rises iff HF > threshold * (1 + bonus): why Aave's configurator demands that <= 1."""
    position, market, assets = case
    hf = position.health_factor(market, assets)
    result = liquidate(position, "USDC", "COL", share * close_factor(hf) * position.debt["USDC"],
                       market, assets)
    assert result.health_factor_after > result.health_factor_before
