"""Checks for notebook 15 (DePIN tokenomics): tokens burned, the burn-and-mint equilibrium
price, a provider's electricity cost and its break-even token price, each run on many inputs
and compared with course.compute.burn_mint; and a build task, a mint policy, run epoch by epoch
through seeded demand scenarios by course.compute.mint_policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from course.compute import burn_mint, mint_policy
from course.exercises import (
    CheckFailed,
    Exercise,
    close_enough,
    expect_function,
    expect_number,
)


def _seeded(count: int, seed: int, low: float, high: float) -> list[float]:
    """``count`` seeded numbers spread over [low, high] on a log scale (several orders)."""
    rng = np.random.default_rng(seed)
    return [round(float(x), 6) for x in np.exp(rng.uniform(np.log(low), np.log(high), count))]


def _random_machines(count: int, seed: int) -> list[tuple[float, float, float]]:
    """Seeded (power_watts, hours, usd_per_kwh): GPUs to small servers, an hour to a month."""
    rng = np.random.default_rng(seed)
    return [
        (
            float(rng.integers(50, 1_500)),
            float(rng.choice([1, 6, 24, 168, 720])),
            round(float(rng.uniform(0.02, 0.6)), 4),
        )
        for _ in range(count)
    ]


# --- tokens burned -------------------------------------------------------------------------------

BURN_CASES = [
    (50_000, 2.5),
    (0, 1.0),
    (1, 0.00001),
    (123.45, 0.678),
    (10**9, 31_000.0),
    (0.5, 4.0),
    *zip(_seeded(12, 1, 1, 1e7), _seeded(12, 2, 1e-4, 1e3), strict=True),
]


def _test_tokens_burned(answer: Callable[[float, float], float]) -> str:
    expect_function(answer, 2)
    for demand, price in BURN_CASES:
        got = expect_number(answer(demand, price), f"tokens_burned({demand}, {price})")
        expected = burn_mint.tokens_burned(demand, price)
        if not close_enough(got, expected):
            hint = ""
            if close_enough(got, demand * price):
                hint = " You multiplied: a higher price means FEWER tokens for the same dollars."
            elif demand and close_enough(got, price / demand):
                hint = " That is upside down: dollars / (dollars per token) = tokens."
            raise CheckFailed(
                f"users spending ${demand:,} at a price of ${price} per token: you "
                f"returned {got:g} tokens, expected {expected:g}.{hint}"
            )
    return (
        "The users' dollars are fixed; the price decides how many tokens they burn: "
        "when the price doubles, half as many."
    )


check_tokens_burned = Exercise(
    name="tokens_burned",
    goal="Write tokens_burned(demand_usd, price): how many tokens users burn when they spend "
    "demand_usd dollars on work and one token costs price dollars.",
    hints=(
        "Burn-and-mint: customers pay in dollars, and the protocol buys and burns "
        "tokens worth that amount at the current token price. Follow the units: dollars"
        " divided by dollars per token gives tokens.",
        "On other numbers: $1,200 of usage at $0.40 per token burns 1,200 / 0.40 = "
        "3,000 tokens. Doubling the price halves the tokens burned for the same usage.",
    ),
    test=_test_tokens_burned,
)


# --- equilibrium price ---------------------------------------------------------------------------

EQUILIBRIUM_CASES = [
    (50_000, 100_000),
    (1_000_000, 3_424),
    (0, 10.0),
    (7, 7),
    (2.5, 1e6),
    *zip(_seeded(12, 3, 10, 1e8), _seeded(12, 4, 1, 1e7), strict=True),
]


def _test_equilibrium_price(answer: Callable[[float, float], float]) -> str:
    expect_function(answer, 2)
    for demand, emission in EQUILIBRIUM_CASES:
        got = expect_number(answer(demand, emission), f"equilibrium_price({demand}, {emission})")
        expected = burn_mint.equilibrium_price(demand, emission)
        if not close_enough(got, expected):
            hint = ""
            if demand and close_enough(got, emission / demand):
                hint = " Upside down: that is tokens per dollar, not dollars per token."
            elif close_enough(got, demand * emission):
                hint = " Burned tokens = demand / price; set that equal to the emission."
            raise CheckFailed(
                f"with ${demand:,} of demand and {emission:,} tokens minted per "
                f"epoch you returned {got:g}, expected {expected:g}.{hint}"
            )
    return (
        "At price = demand / emission, users burn exactly what is minted: double the "
        "emission and the equilibrium price halves."
    )


check_equilibrium_price = Exercise(
    name="equilibrium_price",
    goal="Write equilibrium_price(demand_usd, emission_per_epoch): the token price at which the "
    "tokens users burn in an epoch (demand_usd / price) equal the tokens minted.",
    hints=(
        "At equilibrium the supply stops changing: the tokens burned in an epoch equal "
        "the tokens minted. The tokens burned depend on the price (tokens_burned "
        "above), so write burned(price) = minted and solve it for the price.",
        "On other numbers: $9,000 of demand per epoch and 3,000 tokens minted. "
        "Burned(price) = 9,000 / price; setting it equal to 3,000 gives price = 9,000 /"
        " 3,000 = $3. Above $3 fewer tokens burn than are minted and supply grows; "
        "below it, supply shrinks.",
    ),
    test=_test_equilibrium_price,
)


# --- electricity cost ----------------------------------------------------------------------------

POWER_CASES: list[tuple[float, float, float]] = [
    (350, 24, 0.15),
    (0, 24, 0.30),
    (700, 0, 0.2),
    (450, 1, 1.0),
    (1_000, 1, 0.1),
    (170, 8.5, 0.123),
    (300, 24 * 365, 0.09),
    (65, 0.25, 0.42),
]
POWER_CASES += _random_machines(12, seed=13)


def _test_electricity_cost_usd(answer: Callable[[float, float, float], float]) -> str:
    expect_function(answer, 3)
    for watts, hours, tariff in POWER_CASES:
        got = expect_number(
            answer(watts, hours, tariff), f"electricity_cost_usd({watts}, {hours}, {tariff})"
        )
        expected = burn_mint.electricity_cost_usd(watts, hours, tariff)
        if not close_enough(got, expected):
            hint = ""
            if close_enough(got, expected * 1000):
                hint = " Watts are not kilowatts: divide by 1,000 first."
            elif close_enough(got, watts / 1000 * tariff) or close_enough(got, watts * tariff):
                hint = " The hours are missing: energy (kWh) = kilowatts x hours."
            raise CheckFailed(
                f"a {watts:g} W machine running {hours:g} h at ${tariff}/kWh: you "
                f"returned ${got:g}, expected ${expected:g}.{hint}"
            )
    return (
        "Energy is power x time: a 350 W GPU running all day uses 8.4 kWh, $1.26 at "
        "$0.15/kWh, and $3.36 at $0.40."
    )


check_electricity_cost_usd = Exercise(
    name="electricity_cost_usd",
    goal="Write electricity_cost_usd(power_watts, hours, usd_per_kwh): the electricity bill in "
    "USD of a machine drawing power_watts for hours, at usd_per_kwh dollars per kilowatt-hour.",
    hints=(
        "Energy is power times time. Electricity is sold per kilowatt-hour, so turn the"
        " watts into kilowatts first, multiply by the hours, then by the price of one "
        "kWh.",
        "On other numbers: a 250 W card for 8 hours at $0.20/kWh: 250 W = 0.25 kW; 0.25"
        " kW x 8 h = 2 kWh; 2 kWh x $0.20 = $0.40.",
    ),
    test=_test_electricity_cost_usd,
)


# --- break-even price ----------------------------------------------------------------------------

BREAK_EVEN_CASES: list[tuple[float, float, float, float]] = [
    (350, 24, 0.15, 5),
    (700, 24, 0.30, 5),
    (0, 24, 0.2, 3),
    (450, 1, 1.0, 0.25),
    (170, 720, 0.09, 150),
    (300, 24, 0.123, 0.001),
]
BREAK_EVEN_CASES += [
    (watts, hours, tariff, tokens)
    for (watts, hours, tariff), tokens in zip(
        _random_machines(12, seed=14), _seeded(12, 5, 0.01, 1e4), strict=True
    )
]


def _test_break_even_price(answer: Callable[[float, float, float, float], float]) -> str:
    expect_function(answer, 4)
    for watts, hours, tariff, tokens in BREAK_EVEN_CASES:
        got = expect_number(
            answer(watts, hours, tariff, tokens),
            f"break_even_price({watts}, {hours}, {tariff}, {tokens})",
        )
        expected = burn_mint.break_even_price(watts, hours, tariff, tokens)
        cost = burn_mint.electricity_cost_usd(watts, hours, tariff)
        if not close_enough(got, expected):
            hint = ""
            if cost and close_enough(got, tokens / cost):
                hint = " Upside down: the answer is dollars per token, cost / tokens."
            elif close_enough(got, expected * 1000):
                hint = " Watts are not kilowatts: divide by 1,000."
            elif close_enough(got, cost):
                hint = " That is the cost of all the tokens; divide it by the tokens earned."
            raise CheckFailed(
                f"a {watts:g} W machine, {hours:g} h at ${tariff}/kWh, earning "
                f"{tokens:g} tokens: you returned {got:g}, expected "
                f"{expected:g}.{hint}"
            )
    return (
        "Below its break-even price a provider pays to work; the hungrier the GPU or the "
        "dearer the power, the higher the price it needs."
    )


check_break_even_price = Exercise(
    name="break_even_price",
    goal="Write break_even_price(power_watts, hours, usd_per_kwh, tokens_earned): the token "
    "price at which tokens_earned over those hours exactly pay the electricity bill.",
    hints=(
        "Break-even means revenue equals cost: tokens_earned x token price = "
        "electricity cost. The cost is what your electricity_cost_usd computes; solve "
        "the equation for the token price.",
        "On other numbers: a node that costs $1.50 of electricity a day and earns 30 "
        "tokens a day breaks even when 30 x price = 1.50, i.e. at $0.05 per token. "
        "Below that price it runs at a loss.",
    ),
    test=_test_break_even_price,
)


# --- Try it 5 (a build task): a mint policy that keeps a price band ------------------------------


def _policy_runs() -> list[tuple[str, np.ndarray, mint_policy.Band]]:
    """(what, demand path, band): every scenario of the notebook's plot, noise with three seeds,
    and the crash once more around another target, so a policy cannot hard-code $1."""
    dollar = mint_policy.band_around(1.0)
    paths = mint_policy.policy_scenarios(seed=13)
    runs = [
        (f"the {name} scenario", paths[name], dollar)
        for name in ("crash", "growth", "seasonal swing", "noise")
    ]
    runs += [
        (
            f"the noise scenario (seed {seed})",
            mint_policy.policy_scenarios(seed=seed)["noise"],
            dollar,
        )
        for seed in (14, 15)
    ]
    runs.append(
        (
            "the crash scenario with a band around $2.50",
            paths["crash"],
            mint_policy.band_around(2.5),
        )
    )
    return runs


def _test_mint_policy(answer: Callable[..., Any]) -> str:
    """Run the policy on ``_policy_runs`` and apply ``mint_policy.broken_rule`` to each run.

    Cheats it stops: a mint is checked as the float the simulation uses (NaN behind a finite
    face, 1e308, a 5000-digit int are refused by name); the band is immutable and the inputs are
    floats; a policy that keeps the band and then dumps tokens when the run ends (it can count
    the epochs) breaks the last-epoch rule, and one that prints over the last weeks the budget.
    What it cannot stop (the bound; the check runs in the learner's process and is no sandbox,
    see course/check_channel.py): the demand paths are public and seeded, the same on every call
    (so the notebook's output is reproducible), so a policy that imports ``policy_scenarios``,
    counts its calls to know the run and epoch, and mints what the known demand needs (or reads
    the simulation's frame) passes without feedback. Overfitting is bounded: a proportional
    policy that passes these seven runs passes fresh noise seeds too (gain 3, the weakest that
    passes, kept 147 of 150 fresh seeds; gain 4 and up all 150). Such an answer is caught by
    reading it.
    """
    expect_function(answer, 4)
    rules = mint_policy.PolicyRules()
    shares, worst = [], ("", 1.0)
    for what, demand, band in _policy_runs():
        try:
            run = mint_policy.run_mint_policy(answer, demand, band)
        except mint_policy.PolicyError as broken:
            raise CheckFailed(f"In {what}, {broken}.") from None
        reason = mint_policy.broken_rule(run, rules)
        if reason is not None:
            raise CheckFailed(f"In {what}, {reason}.")
        share = float(np.mean(run.in_band[rules.warm_up :]))
        shares.append(share)
        worst = min(worst, (what, share), key=lambda found: found[1])
    return (
        f"{len(shares)} runs of {demand.size} epochs: the price stayed in its ±20% band on "
        f"{np.mean(shares):.0%} of the epochs (worst: {worst[1]:.0%} in {worst[0]}), "
        "providers were paid every week, and no run printed: feedback did what no fixed "
        "schedule can."
    )


check_mint_policy = Exercise(
    name="mint_policy",
    goal="Write mint_policy(price, supply, burned, band): called once per epoch with last "
    "epoch's token price (USD), the circulating supply, the tokens users burned last epoch and "
    "the band (low, high) in USD, return how many tokens to mint to providers this epoch. Over "
    "crash, growth, seasonal and noisy demand the price must stay in the band on 80% of the "
    "epochs after a 20-epoch warm-up and at the last epoch, the mint must be a number between "
    "0 and the supply, "
    "providers must earn at least 5% of what users pay at least once every 8 epochs, and the "
    "total minted may not exceed twice the total burned plus the starting supply.",
    hints=(
        "Feedback control around the equilibrium of section 3. At rest, minting replaces "
        "what users burn, so the supply stands still. The price tells you which way to lean: "
        "more tokens on the market lower the price, fewer raise it. Measure the error (how far "
        "the price is from the middle of the band, as a share) and correct the rest-point mint "
        "in proportion to it. Then respect the protocol's limits: a mint is never below zero, "
        "and providers are always paid a little, like HIP 20's net emissions.",
        "The same on a thermostat (pseudo-code, other names): the room loses heat to the "
        "outside every hour; the heater puts heat back. gap = (wanted_temp - room_temp) / "
        "wanted_temp; heat = heat_lost_last_hour * (1 + gain * gap); heat = clamp(heat, "
        "pilot_flame, boiler_max). With gain 4, at 18 °C of a wanted 20 °C the heater gives "
        "40% more than was lost; at 22 °C, 40% less. Mind the sign in your case: heat raises "
        "the temperature, but minting LOWERS the price. Too small a gain and a crash keeps the "
        "price out of its band for weeks; try a few gains and watch the plot.",
    ),
    test=_test_mint_policy,
)
