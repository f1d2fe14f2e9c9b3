"""Every public function of course.defi answers garbage with a value or a named DefiError.

Each ValidCall below is a call the function accepts; the fuzzer swaps one argument for garbage
(None, NaN, infinities, negatives, huge numbers, wrong types) and requires a return value or a
DefiError that is also a ValueError: never a raw TypeError, a ZeroDivisionError or a hang.
The regression tests after it pin the silent answers an adversarial review found.
"""

from __future__ import annotations

import copy
import math
from fractions import Fraction

import numpy as np
import pytest

from course.defi import amm, indicators, lending, mev, paths, risk, scenarios, tokenomics
from course.defi.amm import AmmError, ConstantProductPool, get_amount_in, get_amount_out
from course.defi.impermanent_loss import impermanent_loss
from course.defi.lending import (
    Asset,
    InvalidAmount,
    InvalidAssetConfig,
    InvalidMarketParameter,
    Position,
    close_factor,
    health_factor,
)
from course.errors import DefiError
from tests.garbage import ValidCall, assert_calls_are_valid, fuzz_valid_calls

E18 = 10**18
PRICES = np.linspace(100.0, 120.0, 30)  # (steps,)
RISK_PATHS = np.array([[100.0, 90.0, 110.0, 95.0, 120.0], [100.0, 101.0, 99.0, 98.0, 97.0]])
ETH = Asset("ETH", ltv=0.80, liquidation_threshold=0.80, liquidation_bonus=0.05)
USDC = Asset("USDC", ltv=0.77, liquidation_threshold=0.80, liquidation_bonus=0.045)
ASSETS = {"ETH": ETH, "USDC": USDC}
MARKET = {"ETH": 1_200.0, "USDC": 1.0}  # one ETH owing 1000 USDC: HF 0.96


def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def a_pool() -> ConstantProductPool:
    pool = ConstantProductPool()
    pool.mint("lp", 1_000 * E18, 2_000_000 * E18)
    return pool


def borrower() -> Position:
    return Position(collateral={"ETH": 1.0}, debt={"USDC": 1_000.0})


# Methods and mutating calls run on a fresh object each time, so every call starts valid.

def mint_into_a_fresh_pool(**kwargs):
    return a_pool().mint(**kwargs)


def burn_from_a_fresh_pool(**kwargs):
    return a_pool().burn(**kwargs)


def swap_on_a_fresh_pool(**kwargs):
    return a_pool().swap(**kwargs)


def reserves_of_a_pool(**kwargs):
    return a_pool().reserves(**kwargs)


def price_impact_on_a_pool(**kwargs):
    return a_pool().price_impact(**kwargs)


def an_amount_in(value):  # the checked value; its name and rule come from the caller
    return amm.ensure_amount(value, "amount_in", uniswap_error="INSUFFICIENT_INPUT_AMOUNT")


def spot_price_of_a_pool(**fields):
    return ConstantProductPool(**fields).spot_price()


def liquidate_a_copy(position, **kwargs):
    return lending.liquidate(copy.deepcopy(position), **kwargs)


def position_health_factor(collateral, debt, prices, assets):
    return Position(collateral, debt).health_factor(prices, assets)


def position_borrow_capacity(collateral, debt, prices, assets):
    return Position(collateral, debt).borrow_capacity(prices, assets)


def execute_on_a_copy(pool, plan):
    return mev.execute_sandwich(copy.deepcopy(pool), plan)


SANDWICH_POOL = ConstantProductPool(reserve0=1_000 * E18, reserve1=2_000_000 * E18)
PLAN = mev.plan_sandwich(SANDWICH_POOL, 10 * E18, 19_000 * E18, True)

CALLS = [
    # amm
    ValidCall(get_amount_out, {"amount_in": E18, "reserve_in": 5 * E18, "reserve_out": 10 * E18,
                               "fee_bps": 30}),
    ValidCall(get_amount_in, {"amount_out": E18, "reserve_in": 5 * E18, "reserve_out": 10 * E18,
                              "fee_bps": 30}),
    ValidCall(amm.ensure_fee_bps, {"fee_bps": 30}),
    ValidCall(an_amount_in, {"value": E18}),
    ValidCall(ConstantProductPool, {"reserve0": 10**6, "reserve1": 10**6,
                                    "total_supply": 10**6, "shares": {"lp": 10**6},
                                    "fee_bps": 30}),
    ValidCall(mint_into_a_fresh_pool, {"provider": "bob", "amount0": E18, "amount1": 2_000 * E18}),
    ValidCall(burn_from_a_fresh_pool, {"provider": "lp", "liquidity": 10**20}),
    ValidCall(swap_on_a_fresh_pool, {"amount_in": E18, "zero_for_one": True, "min_out": 1}),
    ValidCall(reserves_of_a_pool, {"zero_for_one": False}),
    ValidCall(price_impact_on_a_pool, {"amount_in": E18, "zero_for_one": True}),
    ValidCall(spot_price_of_a_pool, {"reserve0": 10**6, "reserve1": 2 * 10**6}),
    ValidCall(impermanent_loss, {"price_ratio": 2.0}),
    # indicators
    ValidCall(indicators.moving_average, {"prices": PRICES, "window": 5}),
    ValidCall(indicators.exponential_moving_average, {"prices": PRICES, "span": 5}),
    ValidCall(indicators.macd, {"prices": PRICES, "fast": 3, "slow": 6, "signal": 2}),
    ValidCall(indicators.rsi, {"prices": PRICES, "period": 14}),
    ValidCall(indicators.support_resistance, {"prices": PRICES, "window": 5}),
    ValidCall(indicators.crossover_signal, {"fast": PRICES, "slow": PRICES[::-1]}),
    ValidCall(indicators.rsi_signal, {"rsi_values": indicators.rsi(PRICES, 5), "oversold": 30,
                                      "overbought": 70}),
    ValidCall(indicators.backtest, {"prices": PRICES, "signal": np.ones(30), "fee_bps": 30}),
    ValidCall(indicators.random_walk_prices, {"rng": rng(), "n_paths": 3, "n_steps": 20,
                                              "start": 100.0, "volatility": 0.02}),
    ValidCall(indicators.Macd, {"line": PRICES, "signal": PRICES, "histogram": PRICES}),
    ValidCall(indicators.BacktestResult, {"strategy": np.ones(2), "buy_and_hold": np.ones(2),
                                          "trades": np.zeros(2)}),
    # lending
    ValidCall(Asset, {"symbol": "ETH", "ltv": 0.8, "liquidation_threshold": 0.825,
                      "liquidation_bonus": 0.05}),
    ValidCall(Position, {"collateral": {"ETH": 1.0}, "debt": {"USDC": 1_000.0}}),
    ValidCall(health_factor, {"collateral": {"ETH": 1.0}, "debt": {"USDC": 1_000.0},
                              "prices": MARKET, "assets": ASSETS}),
    ValidCall(position_health_factor, {"collateral": {"ETH": 1.0}, "debt": {"USDC": 1_000.0},
                                       "prices": MARKET, "assets": ASSETS}),
    ValidCall(position_borrow_capacity, {"collateral": {"ETH": 1.0}, "debt": {}, "prices": MARKET,
                                         "assets": ASSETS}),
    ValidCall(lending.max_borrow, {"position": Position({"ETH": 1.0}), "symbol": "USDC",
                                   "prices": MARKET, "assets": ASSETS}),
    ValidCall(close_factor, {"hf": 0.97, "default": 0.5, "maximum": 1.0, "hf_threshold": 0.95}),
    ValidCall(liquidate_a_copy, {"position": borrower(), "debt_symbol": "USDC",
                                 "collateral_symbol": "ETH", "repay_amount": 400.0,
                                 "prices": MARKET, "assets": ASSETS,
                                 "default_close_factor": 0.5, "max_close_factor": 1.0,
                                 "close_factor_hf_threshold": 0.95}),
    ValidCall(lending.liquidation_price, {"position": borrower(), "prices": MARKET,
                                          "assets": ASSETS}),
    ValidCall(lending.simulate_cascade, {"positions": [borrower(), borrower()],
                                         "prices": {"ETH": 2_000.0, "USDC": 1.0},
                                         "price_path": [2_000.0, 1_300.0, 1_100.0],
                                         "assets": ASSETS, "market_depth": 20.0,
                                         "collateral_symbol": "ETH", "max_rounds": 10}),
    # mev
    ValidCall(mev.plan_sandwich, {"pool": SANDWICH_POOL, "victim_amount_in": 10 * E18,
                                  "victim_min_out": 19_000 * E18, "zero_for_one": True,
                                  "max_front_run": 100 * E18}),
    ValidCall(execute_on_a_copy, {"pool": SANDWICH_POOL, "plan": PLAN}),
    ValidCall(mev.sandwich_profit_vs_slippage, {"pool_reserves": (10**6 * E18, 10**6 * E18),
                                                "victim_amount_in": 10**4 * E18,
                                                "tolerances": [0.0, 0.01], "zero_for_one": True,
                                                "fee_bps": 30}),
    # paths
    ValidCall(paths.gbm_paths, {"s0": 100.0, "mu": 0.05, "sigma": 0.5, "days": 5, "paths": 3,
                                "rng": rng(), "dt": paths.DAY}),
    ValidCall(paths.jump_diffusion_paths, {"s0": 100.0, "mu": 0.05, "sigma": 0.5, "days": 5,
                                           "paths": 3, "rng": rng(), "jump_rate": 12.0,
                                           "jump_mean": -0.02, "jump_std": 0.08,
                                           "dt": paths.DAY}),
    ValidCall(paths.markov_regimes, {"days": 5, "paths": 3, "rng": rng(),
                                     "calm_to_stressed": 0.02, "stressed_to_calm": 0.1}),
    ValidCall(paths.regime_switching_paths, {"s0": 100.0, "mu": 0.0, "sigma_calm": 0.3,
                                             "sigma_stressed": 1.0, "days": 5, "paths": 3,
                                             "rng": rng(), "calm_to_stressed": 0.02,
                                             "stressed_to_calm": 0.1, "dt": paths.DAY}),
    ValidCall(paths.student_t_paths, {"s0": 100.0, "mu": 0.0, "sigma": 0.5, "days": 5,
                                      "paths": 3, "rng": rng(), "degrees_of_freedom": 3.0,
                                      "dt": paths.DAY}),
    ValidCall(paths.correlated_gbm, {"s0": [100.0, 50.0], "mu": [0.0, 0.1], "sigma": [0.5, 0.3],
                                     "correlation": [[1.0, 0.5], [0.5, 1.0]], "days": 5,
                                     "paths": 3, "rng": rng(), "dt": paths.DAY}),
    # risk
    ValidCall(risk.value_at_risk, {"returns": [0.1, -0.2, 0.05, -0.01], "level": 0.95}),
    ValidCall(risk.conditional_value_at_risk, {"returns": [0.1, -0.2, 0.05, -0.01],
                                               "level": 0.95}),
    ValidCall(risk.max_drawdown, {"prices": RISK_PATHS}),
    ValidCall(risk.sharpe_ratio, {"returns": [0.01, 0.02, -0.01], "risk_free": 0.02,
                                  "periods_per_year": 365}),
    ValidCall(risk.simple_returns, {"prices": RISK_PATHS}),
    ValidCall(risk.dca_vs_lump_sum, {"paths": RISK_PATHS, "budget": 100.0, "periods": 2}),
    ValidCall(risk.stop_loss, {"paths": RISK_PATHS, "threshold": 0.95, "budget": 1.0}),
    ValidCall(risk.lp_vs_hodl, {"paths": RISK_PATHS, "fee_apr": 0.1, "dt": paths.DAY}),
    ValidCall(risk.portfolio_returns, {"weights": [0.5, 0.5],
                                       "returns": risk.simple_returns(RISK_PATHS)}),
    # scenarios
    ValidCall(scenarios.stablecoin_depeg, {"reserve": 10**12, "sell_amounts": [10**10, 10**11],
                                           "fee_bps": 30}),
    ValidCall(scenarios.time_weighted_price, {"block_prices": [Fraction(100), Fraction(400)]}),
    ValidCall(scenarios.oracle_manipulation, {"pool_reserves": (10**6, 10**9),
                                              "pump_amount": 10**9, "collateral_amount": 10**5,
                                              "ltv": 0.8, "oracle": "twap", "twap_blocks": 30,
                                              "manipulated_blocks": 1, "fee_bps": 30}),
    # tokenomics
    ValidCall(tokenomics.bitcoin_supply, {"height": 210_000}),
    ValidCall(tokenomics.inflation_rate, {"year": 3, "initial_rate": 0.08, "disinflation": 0.15,
                                          "floor": 0.015}),
    ValidCall(tokenomics.emission_schedule, {"initial_supply": 1_000.0, "initial_rate": 0.1,
                                             "years": 5, "disinflation": 0.1, "floor": 0.01}),
    ValidCall(tokenomics.unlocked_at, {"month": 13, "total": 4_800, "cliff_months": 12,
                                       "vesting_months": 48}),
    ValidCall(tokenomics.vesting_unlocks, {"total": 1_200, "cliff_months": 3,
                                           "vesting_months": 12, "months": 4}),
    ValidCall(tokenomics.real_yield, {"nominal": 0.10, "inflation": 0.08}),
    ValidCall(tokenomics.staking_yield, {"inflation": 0.05, "staked_fraction": 0.5}),
    ValidCall(tokenomics.gini, {"balances": [1, 2, 3, 4]}),
    ValidCall(tokenomics.lorenz_curve, {"balances": [1, 2, 3, 4]}),
]

test_every_public_defi_function_answers_or_refuses_garbage = fuzz_valid_calls(CALLS, examples=600)


def test_the_listed_calls_are_valid():
    assert_calls_are_valid(CALLS)


# --- the silent answers an adversarial review found -------------------------------------------

def test_fee_above_100_percent_is_refused():
    """get_amount_out(fee_bps=10001) used to return -2."""
    with pytest.raises(AmmError, match=r"fee_bps .* must be an integer in \[0, 9999\], got 10001"):
        get_amount_out(E18, 5 * E18, 10 * E18, fee_bps=10_001)


def test_a_fee_of_exactly_100_percent_is_refused_where_it_would_divide_by_zero():
    with pytest.raises(AmmError, match="fee_bps"):
        get_amount_in(E18, 5 * E18, 10 * E18, fee_bps=10_000)


def test_a_pool_with_a_negative_fee_is_refused():
    with pytest.raises(AmmError, match=r"fee_bps .* got -5000"):
        ConstantProductPool(fee_bps=-5_000)


def test_a_pool_whose_shares_do_not_add_up_is_refused():
    with pytest.raises(AmmError, match="total_supply"):
        ConstantProductPool(reserve0=10, reserve1=10, total_supply=5, shares={"lp": 4})


def test_a_swap_direction_that_is_not_a_bool_is_refused():
    """swap(zero_for_one='no') used to sell token0: any non-empty string is truthy."""
    pool = a_pool()
    before = copy.deepcopy(pool)
    with pytest.raises(AmmError, match="zero_for_one .* must be True or False, got 'no'"):
        pool.swap(E18, zero_for_one="no")
    assert pool == before


def test_negative_collateral_is_refused_by_health_factor():
    """health_factor({'ETH': -1.0}, ...) used to return a negative health factor."""
    with pytest.raises(InvalidAmount, match=r"collateral\['ETH'\] .* in \[0, .*\], got -1.0"):
        health_factor({"ETH": -1.0}, {"USDC": 1_000.0}, MARKET, ASSETS)


def test_a_nan_health_factor_has_no_close_factor():
    """close_factor(nan) used to return 1.0: NaN > 0.95 is False, so 'all of it'."""
    with pytest.raises(InvalidMarketParameter, match="hf .* got nan"):
        close_factor(math.nan)
    assert close_factor(math.inf) == 0.5  # no debt: an infinite health factor is legitimate


def test_a_liquidation_threshold_of_zero_requires_a_liquidation_bonus_of_zero():
    """Aave's PoolConfigurator: an asset that is not collateral has nothing to pay a bonus on."""
    with pytest.raises(InvalidAssetConfig,
                       match="liquidation_bonus must be 0 when its liquidation_threshold is 0"):
        Asset("GHO", ltv=0.0, liquidation_threshold=0.0, liquidation_bonus=0.05)
    assert Asset("GHO", ltv=0.0, liquidation_threshold=0.0, liquidation_bonus=0.0)


@pytest.mark.parametrize("call, name", [
    (lambda: paths.gbm_paths(100.0, 0.0, 0.5, 10**30, 3, rng()), "days"),
    (lambda: paths.gbm_paths(100.0, 0.0, 0.5, 365, 10**12, rng()), "paths"),
    (lambda: indicators.random_walk_prices(rng(), 10, 10**9), "n_steps"),
    (lambda: tokenomics.emission_schedule(1_000.0, 0.1, 10**30), "years"),
    (lambda: tokenomics.inflation_rate(10**400, 0.1, disinflation=0.5), "year"),
    (lambda: tokenomics.vesting_unlocks(1_000, 0, 12, months=10**9), "months"),
    (lambda: scenarios.oracle_manipulation((10**6, 10**9), 10**9, 10**5, oracle="twap",
                                           twap_blocks=10**12), "twap_blocks"),
    (lambda: lending.simulate_cascade([borrower()], MARKET, [1_000.0], ASSETS, 20.0,
                                      max_rounds=10**12), "max_rounds"),
])
def test_a_huge_count_is_refused_before_it_allocates_or_loops(call, name):
    with pytest.raises(DefiError, match=name):
        call()


@pytest.mark.parametrize("call", [
    lambda: lending.simulate_cascade([borrower()], MARKET, [1_000.0], ASSETS, 20.0,
                                     max_rounds=0),
    lambda: mev.sandwich_profit_vs_slippage((10**6, 10**6), 10**3, [0.01], fee_bps=-1),
    lambda: scenarios.stablecoin_depeg(10**6, [10], fee_bps=10_000),
    lambda: indicators.rsi_signal(np.array([50.0, 20.0]), oversold=70, overbought=30),
])
def test_a_count_of_zero_or_a_negative_rate_is_refused(call):
    with pytest.raises(DefiError):
        call()


def test_every_defi_error_is_a_value_error():
    modules = (amm, indicators, lending, mev, paths, risk, scenarios, tokenomics)
    errors = [value for module in modules for value in vars(module).values()
              if isinstance(value, type) and issubclass(value, Exception)
              and value.__module__ == module.__name__]
    assert len(errors) >= 15
    for error in errors:
        assert issubclass(error, DefiError) and issubclass(error, ValueError), error
