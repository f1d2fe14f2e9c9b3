"""The flash-loan oracle attack, on-chain: it pays against a spot-price lender, every wei is
accounted for, and Uniswap V2's time-weighted average (CoursePair's price sums) defeats it."""

import pytest

from course.defi.amm import get_amount_out
from course.defi.oracle_attack import (
    E18,
    FLASH_FEE_BPS,
    Q112,
    TWAP_WINDOW,
    FlashAttack,
    OracleAttackError,
    borrow_limit,
    deploy_market,
    flash_fee,
    pump_and_borrow,
    reconcile,
    run_attack,
    spot_price_x112,
)
from course.evm.chain_time import advance_time
from course.evm.connection import connect
from course.evm.deploy import Reverted, send


@pytest.fixture(scope="module")
def w3():
    return connect()


def test_the_attack_pays_against_the_spot_lender_and_the_books_balance_to_the_wei(w3):
    market = deploy_market(w3, twap=False)
    plan = pump_and_borrow(market, 1_500_000 * E18)
    report = run_attack(market, plan)
    assert report.succeeded, report.reason
    fee = flash_fee(plan.loan)
    assert fee == plan.loan * FLASH_FEE_BPS // 10_000  # a round loan: no rounding up
    assert reconcile(report, fee) == []
    lent = -report.usdc_change["lender"]
    assert report.profit == lent - report.usdc_change["pair (LPs)"] - fee
    assert report.usdc_change["pair (LPs)"] == plan.loan  # the LPs got the USDC spent
    assert report.weth_change["lender"] == -report.weth_change["pair (LPs)"]
    assert report.profit > 500_000 * E18
    # valued at the price before the attack, the lender loses the profit and more: the LPs'
    # gain from selling WETH at the pumped price is paid by the lender too
    assert report.lender_loss == report.debt_left - (
        report.collateral_left * report.price_before >> 112
    )
    assert report.lender_loss > report.profit


def test_the_same_plan_is_refused_by_the_twap_lender_and_moves_nothing(w3):
    market = deploy_market(w3, twap=True)
    report = run_attack(market, pump_and_borrow(market, 1_500_000 * E18))
    assert not report.succeeded
    assert report.reason == "OracleLender: INSUFFICIENT_COLLATERAL"
    assert report.profit == 0 and reconcile(report, 0) == []


def test_against_the_twap_the_most_it_lends_cannot_even_repay_the_flash_loan(w3):
    market = deploy_market(w3, twap=True)
    view = market.view()
    spend = 1_500_000 * E18
    got = get_amount_out(spend, view.reserve_debt, view.reserve_collateral)
    twap = market.lender.functions.priceX112().call()
    assert twap == spot_price_x112(view.reserve_collateral, view.reserve_debt)
    most = borrow_limit(got, twap)
    assert most < spend + flash_fee(spend)  # 80% of WETH bought above the honest price
    steps = market.buy_collateral(spend, got) + market.deposit(got) + market.borrow(most)
    report = run_attack(market, FlashAttack(spend, tuple(steps)))
    assert not report.succeeded and "exceeds balance" in report.reason  # the repayment fails


def test_the_twap_ignores_a_trade_in_the_same_block_but_follows_a_price_that_lasts(w3):
    market = deploy_market(w3, twap=True)
    honest = market.lender.functions.priceX112().call()
    deployer = w3.eth.accounts[0]
    view = market.view()
    spend = 500_000 * E18
    got = get_amount_out(spend, view.reserve_debt, view.reserve_collateral)
    send(w3, market.usdc.functions.transfer(market.pair.address, spend), deployer)
    send(w3, market.pair.functions.swap(got, 0, deployer), deployer)
    pumped = spot_price_x112(view.reserve_collateral - got, view.reserve_debt + spend)
    # the trade's block adds nothing yet; once time passes, the new price counts, weighted
    advance_time(w3, TWAP_WINDOW)
    average = market.lender.functions.priceX112().call()
    assert honest < average < pumped
    assert market.lender.functions.spotPriceX112().call() == pumped


def test_cumulative_prices_follow_the_whitepaper(w3):
    market = deploy_market(w3, twap=True)
    pair = market.pair.functions
    start0, t0 = pair.price0CumulativeLast().call(), pair.blockTimestampLast().call()
    r0, r1 = pair.getReserves().call()
    deployer = w3.eth.accounts[0]
    advance_time(w3, 100)
    send(w3, market.usdc.functions.transfer(market.pair.address, 10 * E18), deployer)
    send(w3, market.pair.functions.swap(1, 0, deployer), deployer)
    elapsed = pair.blockTimestampLast().call() - t0
    assert pair.price0CumulativeLast().call() - start0 == (r1 * Q112 // r0) * elapsed


def test_only_the_owner_may_use_the_attack_contract(w3):
    market = deploy_market(w3, twap=False)
    with pytest.raises(Reverted, match="NOT_OWNER"):
        send(
            w3,
            market.executor.functions.attack(market.flash_pool.address, 1, b""),
            w3.eth.accounts[2],
        )


def test_a_flash_loan_not_repaid_reverts_everything(w3):
    market = deploy_market(w3, twap=False)
    report = run_attack(market, FlashAttack(10 * E18, ()))  # repays the loan but not the fee
    assert not report.succeeded
    assert "exceeds balance" in report.reason or "NOT_REPAID" in report.reason
    assert not any(report.usdc_change.values())


def test_bad_plans_and_parameters_are_refused_with_their_field(w3):
    market = deploy_market(w3, twap=False)
    with pytest.raises(OracleAttackError, match="plan"):
        run_attack(market, "drain it")
    with pytest.raises(OracleAttackError, match="usdc_in"):
        market.buy_collateral(0, 1)
    with pytest.raises(OracleAttackError, match="twap"):
        deploy_market(w3, twap="yes")
    with pytest.raises(OracleAttackError, match="plan.steps"):
        run_attack(market, FlashAttack(1, ("call the lender",)))
