"""Try it 5 of notebook 10 (the flash-loan oracle attack), checked on-chain both ways."""

from course.defi.amm import get_amount_out
from course.defi.oracle_attack import FlashAttack, borrow_limit, spot_price_x112
from course.exercises import FAILED, PASSED
from course.exercises.defi_amms_and_lending import check_oracle_attack
from tests.exercises.both_ways import placeholder


def _pump(
    market,
    share_num,
    share_den,
    *,
    borrow_extra=0,
    weth_extra=0,
    use_pre_price=False,
    cap_cash=True,
):
    view = market.view()
    spend = view.reserve_debt * share_num // share_den
    got = get_amount_out(spend, view.reserve_debt, view.reserve_collateral)
    if use_pre_price:
        price = spot_price_x112(view.reserve_collateral, view.reserve_debt)
    else:
        price = spot_price_x112(view.reserve_collateral - got, view.reserve_debt + spend)
    limit = borrow_limit(got, price, view.ltv_bps) + borrow_extra
    if cap_cash:
        limit = min(limit, view.lender_cash)
    steps = (
        market.buy_collateral(spend, got + weth_extra)
        + market.deposit(got + weth_extra)
        + market.borrow(limit)
    )
    return FlashAttack(spend, tuple(steps))


def attack(market):
    return _pump(market, 3, 4)


def attack_whole_pool(market):
    return _pump(market, 1, 1)


def attack_too_small(market):
    return _pump(market, 1, 10)


def attack_priced_before_the_swap(market):
    return _pump(market, 3, 4, use_pre_price=True)


def attack_one_wei_too_greedy(market):
    return _pump(market, 3, 4, borrow_extra=1, cap_cash=False)


def attack_asks_one_wei_too_much_weth(market):
    return _pump(market, 3, 4, weth_extra=1)


def returns_steps_only(market):
    return list(attack(market).steps)


def test_the_checker_runs_attacks_on_chain_both_ways():
    assert check_oracle_attack.check(placeholder).status == "not done"
    for right in (attack, attack_whole_pool):
        outcome = check_oracle_attack.check(right)
        assert outcome.status == PASSED, outcome.message
    expected = {
        attack_too_small: "bigger share",
        attack_one_wei_too_greedy: "refused the borrow",
        attack_asks_one_wei_too_much_weth: "(K)",
        returns_steps_only: "expected FlashAttack",
    }
    for wrong, reason in expected.items():
        outcome = check_oracle_attack.check(wrong)
        assert outcome.status == FAILED, (wrong.__name__, outcome)
        assert reason in outcome.message, (wrong.__name__, outcome.message)
        assert "Traceback" not in outcome.message
    # pricing at the pre-swap price is a valid but unprofitable plan: it lends too little
    outcome = check_oracle_attack.check(attack_priced_before_the_swap)
    assert outcome.status == FAILED and "bigger share" in outcome.message


def test_no_hint_contains_the_solution_code():
    for hint in check_oracle_attack.help_steps[1:-1]:  # concept and worked example
        assert "market.buy_collateral(" not in hint and "FlashAttack(" not in hint
