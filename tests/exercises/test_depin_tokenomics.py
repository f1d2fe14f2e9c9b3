"""Checkers of notebook 15, both ways."""

import pytest

from course.compute import burn_mint
from course.exercises.depin_tokenomics import (
    check_break_even_price,
    check_electricity_cost_usd,
    check_equilibrium_price,
    check_tokens_burned,
)
from tests.exercises.both_ways import assert_checked_both_ways

# --- tokens burned ---------------------------------------------------------------------------


def burned_divide(demand_usd, price):
    return demand_usd / price


def burned_tokens_per_dollar(demand_usd, price):
    tokens_per_dollar = 1 / price
    return demand_usd * tokens_per_dollar


def burned_multiplied(demand_usd, price):
    return demand_usd * price


def burned_upside_down(demand_usd, price):
    return price / demand_usd if demand_usd else 0.0


def burned_whole_tokens(demand_usd, price):
    return demand_usd // price


# --- equilibrium price -----------------------------------------------------------------------


def equilibrium_divide(demand_usd, emission_per_epoch):
    return demand_usd / emission_per_epoch


def equilibrium_by_bisection(demand_usd, emission_per_epoch):
    """Search the price at which burned == minted, without solving the equation."""
    low, high = 0.0, 1.0
    while demand_usd / high > emission_per_epoch:
        high *= 2
    for _ in range(200):
        middle = (low + high) / 2
        if middle == 0 or demand_usd / middle > emission_per_epoch:
            low = middle
        else:
            high = middle
    return high


def equilibrium_upside_down(demand_usd, emission_per_epoch):
    return emission_per_epoch / demand_usd if demand_usd else 0.0


def equilibrium_multiplied(demand_usd, emission_per_epoch):
    return demand_usd * emission_per_epoch


def equilibrium_with_a_velocity(demand_usd, emission_per_epoch):
    return demand_usd / 0.05 / emission_per_epoch


# --- electricity cost ------------------------------------------------------------------------


def cost_in_one_line(power_watts, hours, usd_per_kwh):
    return power_watts / 1000 * hours * usd_per_kwh


def cost_step_by_step(power_watts, hours, usd_per_kwh):
    kilowatts = power_watts / 1000
    energy_kwh = kilowatts * hours
    return energy_kwh * usd_per_kwh


def cost_in_watts(power_watts, hours, usd_per_kwh):
    return power_watts * hours * usd_per_kwh


def cost_without_hours(power_watts, hours, usd_per_kwh):
    return power_watts / 1000 * usd_per_kwh


def cost_per_hour_divided(power_watts, hours, usd_per_kwh):
    return power_watts / 1000 / hours * usd_per_kwh if hours else 0.0


def cost_rounded_to_cents(power_watts, hours, usd_per_kwh):
    return round(power_watts / 1000 * hours * usd_per_kwh, 2)


# --- break-even price ------------------------------------------------------------------------


def break_even_one_line(power_watts, hours, usd_per_kwh, tokens_earned):
    return power_watts / 1000 * hours * usd_per_kwh / tokens_earned


def break_even_reusing_the_cost(power_watts, hours, usd_per_kwh, tokens_earned):
    cost = burn_mint.electricity_cost_usd(power_watts, hours, usd_per_kwh)
    return cost / tokens_earned


def break_even_upside_down(power_watts, hours, usd_per_kwh, tokens_earned):
    cost = power_watts / 1000 * hours * usd_per_kwh
    return tokens_earned / cost if cost else 0.0


def break_even_in_watts(power_watts, hours, usd_per_kwh, tokens_earned):
    return power_watts * hours * usd_per_kwh / tokens_earned


def break_even_is_the_cost(power_watts, hours, usd_per_kwh, tokens_earned):
    return power_watts / 1000 * hours * usd_per_kwh


def break_even_times_tokens(power_watts, hours, usd_per_kwh, tokens_earned):
    return power_watts / 1000 * hours * usd_per_kwh * tokens_earned


CASES = [
    (check_tokens_burned, [burned_divide, burned_tokens_per_dollar, burn_mint.tokens_burned],
     [burned_multiplied, burned_upside_down, burned_whole_tokens, lambda d, p: 0.0]),
    (check_equilibrium_price,
     [equilibrium_divide, equilibrium_by_bisection, burn_mint.equilibrium_price],
     [equilibrium_upside_down, equilibrium_multiplied, equilibrium_with_a_velocity,
      lambda d, e: str(d / e)]),
    (check_electricity_cost_usd,
     [cost_in_one_line, cost_step_by_step, burn_mint.electricity_cost_usd],
     [cost_in_watts, cost_without_hours, cost_per_hour_divided, cost_rounded_to_cents,
      lambda w, h, p: None]),
    (check_break_even_price,
     [break_even_one_line, break_even_reusing_the_cost, burn_mint.break_even_price],
     [break_even_upside_down, break_even_in_watts, break_even_is_the_cost,
      break_even_times_tokens, lambda w, h, p, t: w / t]),
]
ids = ["tokens_burned", "equilibrium_price", "electricity_cost_usd", "break_even_price"]


@pytest.mark.parametrize("check, solutions, wrong_answers", CASES, ids=ids)
def test_checker_works_both_ways(check, solutions, wrong_answers):
    assert_checked_both_ways(check, solutions, wrong_answers)


def test_a_function_with_the_wrong_number_of_arguments_is_told_so():
    outcome = check_break_even_price.check(lambda cost, tokens: cost / tokens)
    assert outcome.status == "not yet" and "4 argument(s)" in outcome.message


@pytest.mark.parametrize("wrong, hint", [
    (burned_multiplied, "FEWER tokens"),
    (burned_upside_down, "upside down"),
])
def test_tokens_burned_explains_the_usual_mistakes(wrong, hint):
    assert hint in check_tokens_burned.check(wrong).message


@pytest.mark.parametrize("wrong, hint", [
    (cost_in_watts, "Watts are not kilowatts"),
    (cost_without_hours, "hours are missing"),
])
def test_electricity_cost_explains_the_usual_mistakes(wrong, hint):
    assert hint in check_electricity_cost_usd.check(wrong).message
