"""Try it 5 of notebook 11 (a sandwich planner), checked against a search on many pools."""

from course.defi.amm import ConstantProductPool, get_amount_out
from course.defi.mev import plan_sandwich
from course.exercises import FAILED, PASSED
from course.exercises.defi_risk_lab import check_front_run_size
from tests.exercises.both_ways import placeholder


def _outcome(front, reserve_in, reserve_out, victim_in):
    bought = get_amount_out(front, reserve_in, reserve_out) if front else 0
    victim_out = get_amount_out(victim_in, reserve_in + front, reserve_out - bought)
    if not bought:
        return victim_out, 0
    back = get_amount_out(bought, reserve_out - bought - victim_out, reserve_in + front + victim_in)
    return victim_out, back - front


def front_run_size(reserve_in, reserve_out, victim_in, victim_min_out):
    """Bisection for the largest size the victim allows, then a ternary search for the peak."""

    def passes(f):
        return _outcome(f, reserve_in, reserve_out, victim_in)[0] >= victim_min_out

    def profit(f):
        return _outcome(f, reserve_in, reserve_out, victim_in)[1]

    low, high = 0, 1
    while passes(high):
        low, high = high, 2 * high
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if passes(middle) else (low, middle)
    a, b = 0, low
    while b - a > 2:
        third = (b - a) // 3
        if profit(a + third) < profit(b - third):
            a = a + third + 1
        else:
            b = b - third
    best = max(range(a, b + 1), key=profit)
    return best if profit(best) > 0 else 0


def by_the_package(reserve_in, reserve_out, victim_in, victim_min_out):
    pool = ConstantProductPool()
    pool.reserve0, pool.reserve1 = reserve_in, reserve_out
    plan = plan_sandwich(pool, victim_in, victim_min_out, True)
    return plan.front_run_in if plan.expected_profit > 0 else 0


def ignores_the_victims_limit(reserve_in, reserve_out, victim_in, victim_min_out):
    return front_run_size(reserve_in, reserve_out, victim_in, 1)


def attacks_even_at_a_loss(reserve_in, reserve_out, victim_in, victim_min_out):
    best = front_run_size(reserve_in, reserve_out, victim_in, victim_min_out)
    return best or max(1, victim_in // 1000)


def never_attacks(reserve_in, reserve_out, victim_in, victim_min_out):
    return 0


def half_the_allowed(reserve_in, reserve_out, victim_in, victim_min_out):
    return front_run_size(reserve_in, reserve_out, victim_in, victim_min_out) // 2


def as_a_float(reserve_in, reserve_out, victim_in, victim_min_out):
    return float(front_run_size(reserve_in, reserve_out, victim_in, victim_min_out))


def test_the_planner_check_both_ways():
    assert check_front_run_size.check(placeholder).status == "not done"
    for right in (front_run_size, by_the_package):
        outcome = check_front_run_size.check(right)
        assert outcome.status == PASSED, outcome.message
    expected = {
        ignores_the_victims_limit: "its swap reverts",
        attacks_even_at_a_loss: "so return 0",
        never_attacks: "A search over sizes finds more",
        half_the_allowed: "A search over sizes finds more",
        as_a_float: "expected a whole number",
    }
    for wrong, reason in expected.items():
        outcome = check_front_run_size.check(wrong)
        assert outcome.status == FAILED, (wrong.__name__, outcome)
        assert reason in outcome.message, (wrong.__name__, outcome.message)


def test_no_hint_contains_the_solution_code():
    for hint in check_front_run_size.help_steps[1:-1]:
        assert "plan_sandwich" not in hint and "get_amount_out(" not in hint
