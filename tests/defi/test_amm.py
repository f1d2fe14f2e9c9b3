"""The AMM against Uniswap V2's own numbers, plus its invariants as properties."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.defi import (
    MINIMUM_LIQUIDITY,
    AmmError,
    ConstantProductPool,
    get_amount_in,
    get_amount_out,
    impermanent_loss,
)
from course.defi.amm import V2_CORE_SWAP_CASES

E18 = 10**18

@pytest.mark.parametrize("swap, reserve_in, reserve_out, expected", V2_CORE_SWAP_CASES)
def test_get_amount_out_matches_uniswap_v2_core_test_cases(swap, reserve_in, reserve_out, expected):
    assert get_amount_out(swap * E18, reserve_in * E18, reserve_out * E18) == expected


@pytest.mark.parametrize("swap, reserve_in, reserve_out, expected", V2_CORE_SWAP_CASES)
def test_the_pool_pays_exactly_the_v2_core_output(swap, reserve_in, reserve_out, expected):
    pool = ConstantProductPool()
    pool.mint("lp", reserve_in * E18, reserve_out * E18)
    with pytest.raises(AmmError, match="SLIPPAGE"):
        pool.swap(swap * E18, zero_for_one=True, min_out=expected + 1)
    assert pool.swap(swap * E18, zero_for_one=True, min_out=expected) == expected


def test_router_examples_from_uniswap_v2_periphery():
    """UniswapV2Router02 tests: getAmountOut(2, 100, 100) = 1 and getAmountIn(1, 100, 100) = 2."""
    assert get_amount_out(2, 100, 100) == 1
    assert get_amount_in(1, 100, 100) == 2


def test_the_first_deposit_locks_minimum_liquidity():
    """v2-core 'mint': 1 and 4 tokens give sqrt(4) = 2 shares, 1000 wei of them locked forever."""
    pool = ConstantProductPool()
    assert pool.mint("alice", 1 * E18, 4 * E18) == 2 * E18 - MINIMUM_LIQUIDITY
    assert pool.total_supply == 2 * E18 and MINIMUM_LIQUIDITY == 1000


def test_burning_everything_returns_all_but_the_locked_share():
    """v2-core 'burn': 3 + 3 tokens in, all burnable shares out, 1000 wei of each stay behind."""
    pool = ConstantProductPool()
    liquidity = pool.mint("alice", 3 * E18, 3 * E18)
    assert pool.burn("alice", liquidity) == (3 * E18 - 1000, 3 * E18 - 1000)
    assert pool.total_supply == MINIMUM_LIQUIDITY


@pytest.mark.parametrize("args", [(0, 10, 10), (-5, 10, 10), (1.5, 10, 10), (True, 10, 10)])
def test_a_non_positive_input_is_refused_by_name(args):
    with pytest.raises(AmmError, match="INSUFFICIENT_INPUT_AMOUNT"):
        get_amount_out(*args)


@pytest.mark.parametrize("args", [(1, 0, 10), (1, 10, 0), (1, None, 10)])
def test_an_empty_pool_cannot_price_a_trade(args):
    with pytest.raises(AmmError, match="INSUFFICIENT_LIQUIDITY"):
        get_amount_out(*args)


def test_get_amount_in_refuses_to_drain_the_reserve():
    with pytest.raises(AmmError, match="INSUFFICIENT_LIQUIDITY"):
        get_amount_in(100, 100, 100)
    with pytest.raises(AmmError, match="INSUFFICIENT_OUTPUT_AMOUNT"):
        get_amount_in(0, 100, 100)
    assert issubclass(AmmError, ValueError)


def test_a_swap_below_min_out_changes_nothing():
    pool = ConstantProductPool()
    pool.mint("lp", 10 * E18, 10 * E18)
    before = (pool.reserve0, pool.reserve1, pool.total_supply)
    with pytest.raises(AmmError, match="SLIPPAGE"):
        pool.swap(E18, zero_for_one=True, min_out=E18)
    assert (pool.reserve0, pool.reserve1, pool.total_supply) == before


def test_price_impact_grows_with_trade_size():
    pool = ConstantProductPool()
    pool.mint("lp", 1_000 * E18, 1_000 * E18)
    impacts = [pool.price_impact(size * E18) for size in (1, 10, 100)]
    assert impacts[0] == pytest.approx(0.003, abs=0.0011)  # ~ the 0.3% fee for a tiny trade
    assert impacts[0] < impacts[1] < impacts[2]


amounts = st.integers(10**6, 10**24)


@settings(max_examples=200, deadline=None)
@given(r0=amounts, r1=amounts, trade=amounts, direction=st.booleans())
def test_k_never_decreases_on_a_swap(r0, r1, trade, direction):
    pool = ConstantProductPool()
    pool.mint("lp", r0, r1)
    k = pool.k
    try:
        pool.swap(trade, zero_for_one=direction, min_out=1)
    except AmmError:
        assert pool.k == k
        return
    assert pool.k >= k


@settings(max_examples=200, deadline=None)
@given(r0=amounts, r1=amounts, d0=amounts, d1=amounts)
def test_mint_then_burn_returns_no_more_than_was_put_in(r0, r1, d0, d1):
    pool = ConstantProductPool()
    pool.mint("first", r0, r1)
    try:
        shares = pool.mint("second", d0, d1)
    except AmmError:
        return
    try:
        back0, back1 = pool.burn("second", shares)
    except AmmError:  # a share too small to return both tokens (Uniswap reverts too)
        assert pool.shares["second"] == shares  # refused: nothing changed
        return
    assert back0 <= d0 and back1 <= d1


@settings(max_examples=200, deadline=None)
@given(r_in=amounts, r_out=amounts, want=amounts)
def test_get_amount_in_is_the_smallest_input_that_buys_the_output(r_in, r_out, want):
    if want >= r_out:
        return
    needed = get_amount_in(want, r_in, r_out)
    assert get_amount_out(needed, r_in, r_out) >= want
    if needed > 1:
        assert get_amount_out(needed - 1, r_in, r_out) < want


# The classic table of impermanent loss by price change (e.g. Pintail, "Uniswap: A Good Deal for
# Liquidity Providers?", 2019), to the printed one decimal of a percent.
IL_TABLE = [(1.25, 0.6), (1.5, 2.0), (1.75, 3.8), (2, 5.7), (3, 13.4), (4, 20.0), (5, 25.5)]


@pytest.mark.parametrize("ratio, loss_percent", IL_TABLE)
def test_impermanent_loss_reproduces_the_classic_table(ratio, loss_percent):
    assert round(-100 * impermanent_loss(ratio), 1) == loss_percent


def test_impermanent_loss_is_symmetric_in_the_price_ratio():
    assert impermanent_loss(2) == pytest.approx(-0.0572, abs=5e-5)
    assert impermanent_loss(0.5) == pytest.approx(impermanent_loss(2))
    assert impermanent_loss(1) == 0


@pytest.mark.parametrize("ratio", [0, -1, float("nan"), float("inf"), "2", None])
def test_impermanent_loss_rejects_a_meaningless_ratio(ratio):
    from course.defi.impermanent_loss import InvalidPriceRatio

    with pytest.raises(InvalidPriceRatio, match="price_ratio"):
        impermanent_loss(ratio)


def test_impermanent_loss_matches_a_real_pool_after_an_arbitrage():
    """Deposit, let an arbitrageur move the price 4x (fee-free pool), compare LP with holding."""
    pool = ConstantProductPool(fee_bps=0)
    shares = pool.mint("lp", 1_000 * E18, 1_000 * E18)
    # buy token0 until reserve1/reserve0 = 4 (price of token0 in token1 up 4x)
    target_reserve0 = 500 * E18  # x*y = 1e6 and y/x = 4 -> x = 500, y = 2000
    pool.swap(get_amount_in(pool.reserve0 - target_reserve0, pool.reserve1, pool.reserve0, 0),
              zero_for_one=False)
    got0, got1 = pool.burn("lp", shares)
    price = pool.reserve1 / pool.reserve0 if pool.reserve0 else 4
    lp_value = got0 * price + got1
    hold_value = (1_000 * E18 - 1000) * price + (1_000 * E18 - 1000)
    assert lp_value / hold_value - 1 == pytest.approx(impermanent_loss(4), abs=1e-3)
