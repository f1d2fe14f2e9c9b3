"""The on-chain pair (CoursePair.sol) and the Python model (course.defi) agree to the wei."""

import random

import pytest
from web3.logs import DISCARD

from course.defi import ConstantProductPool, get_amount_out
from course.defi.amm import V2_CORE_SWAP_CASES
from course.evm.deploy import Reverted, deploy, send

E18 = 10**18


@pytest.fixture
def market(w3):
    token0 = deploy(w3, "CourseToken", "Token Zero", "T0", 10**9 * E18)
    token1 = deploy(w3, "CourseToken", "Token One", "T1", 10**9 * E18)
    pair = deploy(w3, "CoursePair", token0.address, token1.address)
    return w3, token0, token1, pair


def add_liquidity(w3, token0, token1, pair, amount0, amount1):
    send(w3, token0.functions.transfer(pair.address, amount0))
    send(w3, token1.functions.transfer(pair.address, amount1))
    return send(w3, pair.functions.mint(w3.eth.default_account))


def test_the_first_deposit_locks_minimum_liquidity_on_chain_too(market):
    w3, token0, token1, pair = market
    add_liquidity(w3, token0, token1, pair, 1 * E18, 4 * E18)
    model = ConstantProductPool()
    assert model.mint("me", 1 * E18, 4 * E18) == pair.functions.balanceOf(w3.eth.accounts[0]).call()
    assert pair.functions.totalSupply().call() == model.total_supply == 2 * E18


def test_random_swaps_give_the_same_integers_on_chain_and_in_python(market):
    w3, token0, token1, pair = market
    add_liquidity(w3, token0, token1, pair, 5_000 * E18, 10_000 * E18)
    model = ConstantProductPool()
    model.mint("me", 5_000 * E18, 10_000 * E18)
    me = w3.eth.accounts[0]
    rng = random.Random(2020)  # Uniswap V2's launch year
    for _ in range(40):
        zero_for_one = rng.random() < 0.5
        amount_in = rng.randrange(10**12, 300 * E18)
        expected = model.swap(amount_in, zero_for_one=zero_for_one)
        token_in = token0 if zero_for_one else token1
        send(w3, token_in.functions.transfer(pair.address, amount_in))
        out0, out1 = (0, expected) if zero_for_one else (expected, 0)
        with pytest.raises(Reverted, match="CoursePair: K"):  # one wei more breaks the invariant
            send(w3, pair.functions.swap(out0 + (out0 > 0), out1 + (out1 > 0), me))
        send(w3, pair.functions.swap(out0, out1, me))
        assert tuple(pair.functions.getReserves().call()) == (model.reserve0, model.reserve1)


def test_v2_core_swap_case_on_chain(market):
    """The first of Uniswap v2-core's swap test cases, on the pair contract."""
    w3, token0, token1, pair = market
    swap, reserve_in, reserve_out, expected = V2_CORE_SWAP_CASES[0]
    add_liquidity(w3, token0, token1, pair, reserve_in * E18, reserve_out * E18)
    send(w3, token0.functions.transfer(pair.address, swap * E18))
    assert get_amount_out(swap * E18, reserve_in * E18, reserve_out * E18) == expected
    send(w3, pair.functions.swap(0, expected, w3.eth.accounts[1]))
    assert token1.functions.balanceOf(w3.eth.accounts[1]).call() == expected


def test_burning_returns_what_the_model_says(market):
    w3, token0, token1, pair = market
    add_liquidity(w3, token0, token1, pair, 3 * E18, 3 * E18)
    me = w3.eth.accounts[0]
    shares = pair.functions.balanceOf(me).call()
    receipt = send(w3, pair.functions.burn(shares, w3.eth.accounts[2]))
    (event,) = pair.events.Burn().process_receipt(receipt, errors=DISCARD)  # skip token logs
    assert (event.args.amount0, event.args.amount1) == (3 * E18 - 1000, 3 * E18 - 1000)
    with pytest.raises(Reverted, match="INSUFFICIENT_SHARES"):
        send(w3, pair.functions.burn(1, w3.eth.accounts[2]))
