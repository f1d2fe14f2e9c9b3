"""A mint policy run through a burn-and-mint economy: the rest point, the books balance every
epoch, the scenarios, the rules a good policy keeps, and a policy that returns garbage."""

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.compute.burn_mint import token_price
from course.compute.errors import BurnMintError
from course.compute.mint_policy import (
    DEMAND_USD,
    SELL_SHARE,
    SPECULATIVE_USD,
    VELOCITY,
    Band,
    PolicyError,
    PolicyRules,
    band_around,
    broken_rule,
    crash_demand,
    policy_scenarios,
    run_mint_policy,
    seasonal_demand,
)

DOLLAR = band_around(1.0)
STEADY = np.full(50, DEMAND_USD)


def at_rest(price, supply, burned, band):
    return burned / SELL_SHARE


def proportional(price, supply, burned, band):
    return max(0.1 * burned, burned * (1 + 5 * (price - band.target) / band.target))


def test_a_band_knows_its_middle_and_unpacks_as_a_tuple():
    low, high = band_around(2.0, 0.25)
    assert (low, high) == (1.5, 2.5) and band_around(2.0, 0.25).target == 2.0


def test_replacing_what_providers_sell_keeps_a_steady_economy_at_the_target():
    run = run_mint_policy(at_rest, STEADY, DOLLAR)
    assert np.allclose(run.price, 1.0) and np.allclose(run.supply, run.supply[0])
    assert np.allclose(run.provider_income_usd, DEMAND_USD / SELL_SHARE)
    assert run.in_band.all() and broken_rule(run) is None


def test_every_epoch_follows_the_market_and_the_books_balance():
    run = run_mint_policy(proportional, policy_scenarios(epochs=60)["noise"], DOLLAR)
    float_ = run.supply[:-1] + SELL_SHARE * run.minted
    assert np.allclose(
        run.price,
        [
            token_price(d, f, VELOCITY, SPECULATIVE_USD)
            for d, f in zip(run.demand_usd, float_, strict=True)
        ],
    )
    assert np.allclose(run.burned, run.demand_usd / run.price)
    assert np.allclose(run.supply[1:], float_ - run.burned)


def test_the_policy_sees_last_epochs_price_and_burn():
    seen = []

    def spy(price, supply, burned, band):
        seen.append((price, supply, burned, band))
        return burned

    run = run_mint_policy(spy, policy_scenarios(epochs=20)["growth"], DOLLAR)
    assert seen[0][0] == 1.0 and seen[0][2] == pytest.approx(DEMAND_USD)
    for t in range(1, 20):
        assert seen[t] == (run.price[t - 1], run.supply[t], run.burned[t - 1], DOLLAR)
    assert isinstance(seen[0][3], Band)


def test_the_arrays_are_read_only_and_the_demand_is_not_changed():
    demand = STEADY.copy()
    run = run_mint_policy(at_rest, demand, DOLLAR)
    assert np.array_equal(demand, STEADY)
    with pytest.raises(ValueError):
        run.price[0] = 2.0


def test_the_scenarios_are_seeded_and_shaped_as_documented():
    paths = policy_scenarios()
    assert list(paths) == ["growth", "crash", "seasonal swing", "noise"]
    assert all(path.shape == (240,) and path[0] == DEMAND_USD for path in paths.values())
    assert np.array_equal(paths["noise"], policy_scenarios()["noise"])
    assert not np.array_equal(paths["noise"], policy_scenarios(seed=14)["noise"])
    assert paths["crash"][79] == DEMAND_USD and paths["crash"][85] == pytest.approx(
        0.4 * DEMAND_USD
    )
    assert paths["seasonal swing"].max() <= 1.3 * DEMAND_USD
    assert paths["seasonal swing"].min() >= 0.7 * DEMAND_USD


def test_a_fixed_schedule_loses_the_band_in_a_crash_and_feedback_keeps_it():
    crash = policy_scenarios()["crash"]
    fixed = run_mint_policy(lambda price, supply, burned, band: 62_500.0, crash, DOLLAR)
    assert "below the band" in broken_rule(fixed) and "epoch 82" in broken_rule(fixed)
    steered = run_mint_policy(proportional, crash, DOLLAR)
    assert broken_rule(steered) is None and steered.in_band[20:].mean() > 0.9


def test_each_rule_names_what_it_caught():
    crash = policy_scenarios()["crash"]

    def no_floor(price, supply, burned, band):
        return max(0.0, burned * (1 + 10 * (price - band.target) / band.target))

    assert "16 epochs in a row (epochs 83-98" in broken_rule(
        run_mint_policy(no_floor, crash, DOLLAR)
    )
    generous = PolicyRules(max_unpaid_epochs=20, issuance_budget=0.5)
    assert "that is printing" in broken_rule(run_mint_policy(proportional, crash, DOLLAR), generous)


@pytest.mark.parametrize(
    "returned, reason",
    [
        (-1.0, "cannot be negative"),
        (math.nan, "finite number"),
        (math.inf, "finite number"),
        (True, "finite number"),
        ("100", "finite number"),
        ([5.0], "finite number"),
        (None, "forget a `return`"),
        (1e18, "more than the whole circulating supply"),
    ],
)
def test_a_mint_no_protocol_can_make_is_refused_naming_the_epoch(returned, reason):
    def policy(price, supply, burned, band):
        return returned if price > 0 and len(calls) == 3 else (calls.append(1) or burned)

    calls: list[int] = []
    with pytest.raises(PolicyError, match=reason) as refused:
        run_mint_policy(policy, STEADY, DOLLAR)
    assert str(refused.value).startswith("epoch 3: policy(price=")


class _NanInside(float):
    """A float that holds 1.0 (what math.isfinite reads) but converts to NaN with float()."""

    def __float__(self):
        return math.nan


@pytest.mark.parametrize(
    "returned, reason",
    [
        (
            _NanInside(1.0),
            r"returned 1\.0, which float\(\) reads as nan; a mint must be finite",
        ),
        (10**400, r"returned 1000000000000000000000000000000000000000\.\.\. \(401 characters\)"),
        (10**5000, "returned an int too long to print; a mint must be one finite number"),
    ],
    ids=["stateful __float__", "10**400", "10**5000"],
)
def test_a_mint_that_lies_about_being_finite_or_is_absurdly_long_is_refused_in_one_line(
    returned, reason
):
    with pytest.raises(PolicyError, match=reason) as refused:
        run_mint_policy(lambda price, supply, burned, band: returned, STEADY, DOLLAR)
    assert len(str(refused.value)) < 300


def dumps_at_the_end(price, supply, burned, band):
    """Keeps the band, then mints the whole supply in the last epoch of a run it can count."""
    dumps_at_the_end.calls += 1
    if dumps_at_the_end.calls % len(STEADY) == 0:
        return supply
    return proportional(price, supply, burned, band)


def test_a_policy_must_leave_the_price_in_the_band_at_the_end():
    """One epoch out of 30 is within the 80%, and the mint within the budget: only the end rule
    sees a policy that prints when the run stops."""
    dumps_at_the_end.calls = 0
    run = run_mint_policy(dumps_at_the_end, STEADY, DOLLAR)
    assert run.in_band[:-1].all() and not run.in_band[-1]
    assert broken_rule(run, PolicyRules(end_in_band=False)) is None
    reason = broken_rule(run)
    assert reason.startswith("the price ended the run out of the band: $0.6034") and (
        "at the last epoch (49), below [$0.8, $1.2], after a mint of 1,380,995 tokens" in reason
    )


def test_numpy_scalars_and_0d_arrays_are_mints():
    for kind in (np.float32, np.int64, np.array):
        run = run_mint_policy(lambda price, supply, burned, band, k=kind: k(50_000), STEADY, DOLLAR)
        assert run.minted[0] == 50_000


def test_a_policy_that_raises_is_named_with_its_inputs_and_a_placeholder_passes_through():
    def broken(price, supply, burned, band):
        return {}["mint"]

    with pytest.raises(
        PolicyError,
        match=r"epoch 0: broken\(price=1, supply=1\.45e\+06, "
        r"burned=50000, band=\(0\.8, 1\.2\)\) raised KeyError",
    ):
        run_mint_policy(broken, STEADY, DOLLAR)

    def placeholder(price, supply, burned, band):
        raise NotImplementedError("your code here")

    with pytest.raises(NotImplementedError):
        run_mint_policy(placeholder, STEADY, DOLLAR)


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda: run_mint_policy(at_rest, [], DOLLAR), "demand_usd"),
        (lambda: run_mint_policy(at_rest, [1.0, -2.0], DOLLAR), "demand_usd"),
        (lambda: run_mint_policy(at_rest, "50000", DOLLAR), "demand_usd"),
        (lambda: run_mint_policy(at_rest, STEADY, Band(0.0, 1.0)), "band.low"),
        (lambda: run_mint_policy(at_rest, STEADY, Band(1.0, 1.0)), "band.high"),
        (lambda: run_mint_policy(at_rest, STEADY, DOLLAR, velocity=1.0), "velocity"),
        (lambda: run_mint_policy(at_rest, STEADY, DOLLAR, sell_share=0), "sell_share"),
        (lambda: run_mint_policy(at_rest, STEADY, DOLLAR, speculative_usd=-1), "speculative_usd"),
        (lambda: band_around(-1.0), "target"),
        (lambda: band_around(1.0, 1.0), "width"),
        (lambda: crash_demand(1.0, 10, crash_epoch=10, keep=0.5), "crash_epoch"),
        (lambda: crash_demand(1.0, 10, crash_epoch=3, keep=0.0), "keep"),
        (lambda: seasonal_demand(1.0, 10, swing=1.0, period=5), "swing"),
        (lambda: seasonal_demand(1.0, 10, swing=0.2, period=1), "period"),
        (lambda: policy_scenarios(epochs=5), "epochs"),
    ],
)
def test_bad_parameters_are_refused_naming_the_field(call, field):
    with pytest.raises(BurnMintError, match=rf"^{re.escape(field)}"):
        call()


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=30, max_size=30),
    st.sampled_from(["growth", "crash", "seasonal swing", "noise"]),
)
def test_any_mint_between_zero_and_the_supply_keeps_the_books_finite_and_positive(shares, name):
    """The attacker picks any allowed mint each epoch: the supply never goes negative."""
    moves = iter(shares)
    run = run_mint_policy(
        lambda price, supply, burned, band: next(moves) * supply,
        policy_scenarios(epochs=30)[name],
        DOLLAR,
    )
    assert np.all(run.supply > 0) and np.all(np.isfinite(run.price)) and np.all(run.price > 0)
    assert np.all(run.burned < run.supply[:-1] + SELL_SHARE * run.minted)


@settings(max_examples=30, deadline=None)
@given(
    st.integers(min_value=0, max_value=29),
    st.floats(max_value=-1e-9, allow_nan=False, allow_infinity=False),
)
def test_a_negative_mint_at_any_epoch_is_refused_naming_that_epoch(epoch, value):
    seen = []

    def policy(price, supply, burned, band):
        seen.append(1)
        return value if len(seen) == epoch + 1 else burned

    with pytest.raises(PolicyError, match=rf"^epoch {epoch}: .*cannot be negative"):
        run_mint_policy(policy, STEADY[:30], DOLLAR)
