"""Checks for notebook 11 (DeFi risk lab): VaR, CVaR, max drawdown and dollar-cost averaging,
each run on many seeded samples and compared with course.defi.risk."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable

import numpy as np

from course.defi import risk
from course.exercises import CheckFailed, Exercise, expect_function, expect_type

LEVELS = (0.9, 0.95, 0.975, 0.99)


def _return_samples() -> list[np.ndarray]:
    """Seeded daily-return samples: thin and fat tails, skewed, small and large, all gains."""
    rng = np.random.default_rng(9)
    samples = [np.array([-0.05, 0.02, 0.01, -0.01, 0.03, -0.02, 0.0, 0.04, -0.03, 0.01] * 3)]
    for size in (250, 1_000, 5_000):
        samples.append(rng.normal(0.0005, 0.03, size))
        samples.append(0.02 * rng.standard_t(3, size))
        samples.append(np.expm1(rng.normal(0, 0.04, size)) - 0.1 * (rng.random(size) < 0.02))
    samples.append(rng.uniform(0.001, 0.02, 400))  # every day a gain: the "loss" is negative
    return samples


def _number(got: object, what: str) -> float:
    if isinstance(got, np.ndarray) and got.shape == ():
        got = got.item()
    expect_type(got, (int, float, np.floating), what)
    assert isinstance(got, int | float | np.floating)  # for mypy: expect_type just checked it
    if not math.isfinite(got):
        raise CheckFailed(f"{what} returned {got}: expected a finite number.")
    return float(got)


def _sign_hint(got: float, expected: float, metric: str) -> str:
    if expected < 0 and got == 0:
        return (
            f" When even the worst days are gains, {metric} is negative (a gain): do not "
            "clip it at 0."
        )
    if math.isclose(got, -expected, rel_tol=1e-3, abs_tol=1e-12):
        return f" The sign is flipped: {metric} reports a loss as a positive number."
    return ""


def _show(sample: np.ndarray) -> str:
    return f"{len(sample)} returns from {sample.min():+.4f} to {sample.max():+.4f}"


def _test_value_at_risk(answer: Callable[[np.ndarray, float], float]) -> str:
    expect_function(answer, 2)
    for sample in _return_samples():
        ordered = np.sort(sample)
        for level in LEVELS:
            got = _number(answer(sample.copy(), level), f"value_at_risk(returns, {level})")
            expected = risk.value_at_risk(sample, level)
            # Interpolation conventions differ: accept anything between the sample points
            # that surround the (1 - level) quantile.
            position = (1 - level) * (len(sample) - 1)
            low = ordered[max(0, math.floor(position) - 1)]
            high = ordered[min(len(sample) - 1, math.ceil(position) + 1)]
            if not -high - 1e-12 <= got <= -low + 1e-12:
                hint = _sign_hint(got, expected, "VaR")
                if not hint and math.isclose(
                    abs(got), abs(np.quantile(sample, level)), rel_tol=1e-3
                ):
                    hint = " That is the gains' tail: losses live at the low end (1 - level)."
                raise CheckFailed(
                    f"for {_show(sample)} at level {level} you returned {got:.5f}, "
                    f"expected about {expected:.5f}.{hint}"
                )
    return (
        "At 95%, VaR is the loss only 1 day in 20 is worse than; it says nothing about how "
        "much worse: that is CVaR's job."
    )


check_value_at_risk = Exercise(
    name="value_at_risk",
    goal="Write value_at_risk(returns, level): the loss that is exceeded only (1 - level) of the "
    "time, as a positive number (at 95%: minus the 5th percentile of the returns).",
    hints=(
        "Section 2: VaR is a percentile of the returns, read at the bad end: at level 95% it is "
        "the return that only 5% of days fall below, written as a positive loss.",
        "Worked on other numbers: the 10 returns [-8, -5, -3, -1, 0, 1, 2, 3, 4, 6] (%) at level "
        "80%: the 20% quantile lies between -5 and -3 (numpy interpolates: -5 + 0.8 * 2 = -3.4), "
        "so VaR = 3.4%. numpy's quantile function does the interpolation for you.",
    ),
    test=_test_value_at_risk,
)


def _test_conditional_value_at_risk(answer: Callable[[np.ndarray, float], float]) -> str:
    expect_function(answer, 2)
    for sample in _return_samples():
        ordered = np.sort(sample)
        for level in LEVELS:
            got = _number(
                answer(sample.copy(), level), f"conditional_value_at_risk(returns, {level})"
            )
            expected = risk.conditional_value_at_risk(sample, level)
            # Accept the average of the worst m returns for any m next to n * (1 - level).
            tail = len(sample) * (1 - level)
            counts = range(max(1, math.floor(tail) - 1), min(len(sample), math.ceil(tail) + 1) + 1)
            means = [expected] + [-ordered[:m].mean() for m in counts]
            if not min(means) - 1e-12 <= got <= max(means) + 1e-12:
                hint = _sign_hint(got, expected, "CVaR")
                if not hint and math.isclose(
                    got, risk.value_at_risk(sample, level), rel_tol=1e-3, abs_tol=1e-12
                ):
                    hint = (
                        " That is the VaR, where the tail starts; CVaR is the average of the "
                        "returns at or beyond it."
                    )
                raise CheckFailed(
                    f"for {_show(sample)} at level {level} you returned {got:.5f}, "
                    f"expected about {expected:.5f}.{hint}"
                )
    return (
        "CVaR (expected shortfall) is always at least the VaR; with fat tails it is much "
        "larger, and unlike VaR it never punishes diversification (Artzner et al., 1999)."
    )


check_conditional_value_at_risk = Exercise(
    name="conditional_value_at_risk",
    goal="Write conditional_value_at_risk(returns, level): the average loss on the days at or "
    "beyond the VaR, as a positive number.",
    hints=(
        "Section 2: CVaR asks how bad the bad days are, not where they start: the average of "
        "the returns at or below the VaR cutoff, written as a positive loss.",
        "Worked on other numbers: returns [-8, -5, -3, -1, 0, 1, 2, 3, 4, 6] (%), level 80%: the "
        "cutoff is -3.4%; the returns at or below it are -8 and -5; their mean is -6.5, so CVaR "
        "= 6.5%. A boolean mask selects them in numpy.",
    ),
    test=_test_conditional_value_at_risk,
)


def _price_series() -> list[np.ndarray]:
    """Hand-made shapes where the naive answers go wrong, then seeded random walks."""
    series = [
        np.array([100.0, 110.0, 120.0, 130.0]),  # only up: no drawdown
        np.array([100.0, 90.0, 80.0, 50.0]),  # only down
        np.array([100.0, 60.0, 200.0, 150.0, 210.0]),  # the deepest fall comes first
        np.array([50.0, 100.0, 80.0, 300.0, 240.0]),  # lowest price first, highest last
        np.array([10.0, 20.0, 5.0, 40.0, 35.0, 38.0]),
        np.array([1.0, 1.0]),
    ]
    rng = np.random.default_rng(99)
    for steps in (30, 365, 1_000):
        for _ in range(3):
            series.append(100 * np.exp(np.cumsum(rng.normal(0, 0.04, steps))))
    return series


def _test_max_drawdown(answer: Callable[[np.ndarray], float]) -> str:
    expect_function(answer, 1)
    for prices in _price_series():
        shown = np.round(prices[:6], 2).tolist()
        got = _number(answer(prices.copy()), "max_drawdown(prices)")
        expected = risk.max_drawdown(prices)
        if not math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12):
            hint = ""
            if math.isclose(got, -expected, rel_tol=1e-9) and expected > 0:
                hint = " Report the fall as a positive fraction (0.25 = a quarter lost)."
            elif math.isclose(got, 1 - prices.min() / prices.max(), rel_tol=1e-9):
                hint = (
                    " That compares the lowest price with the highest one, even when the "
                    "highest comes later: measure each fall from the peak BEFORE it."
                )
            raise CheckFailed(
                f"for prices {shown}{'...' if len(prices) > 6 else ''} you returned "
                f"{got:.6f}, expected {expected:.6f}.{hint}"
            )
    return "A 50% drawdown needs a 100% gain to recover: depth matters more than it looks."


check_max_drawdown = Exercise(
    name="max_drawdown",
    goal="Write max_drawdown(prices): the largest fall from a running peak, as a fraction "
    "(0.25 = lost a quarter from the top); 0 for prices that never fall.",
    hints=(
        "Section 3: a drawdown is measured from the highest price seen *so far*, not from the "
        "overall maximum (which may come later) nor from the first price.",
        "Worked on other numbers: prices 10, 12, 9, 15, 6, 8. Running peaks: 10, 12, 12, 15, 15, "
        "15. Falls from the peak: 0, 0, 25%, 0, 60%, 46.7%. The answer is the largest: 0.6. "
        "numpy has a running-maximum ufunc method (accumulate) if you prefer no loop.",
    ),
    test=_test_max_drawdown,
)


def _dca_cases() -> list[tuple[np.ndarray, float, int]]:
    rng = np.random.default_rng(12)
    cases = [
        (np.array([100.0, 50.0, 100.0]), 1_000.0, 2),
        (np.array([10.0, 20.0, 40.0, 80.0, 160.0]), 400.0, 4),
        (np.array([10.0, 20.0, 40.0, 80.0, 160.0]), 300.0, 3),  # steps not divisible
        (np.array([80.0, 40.0, 20.0, 10.0, 5.0]), 100.0, 1),
    ]  # one purchase: lump sum
    for steps, periods in ((30, 30), (365, 12), (364, 52), (100, 7), (90, 90)):
        prices = 2_000 * np.exp(np.cumsum(np.r_[0.0, rng.normal(0, 0.04, steps)]))
        cases.append((prices, 10_000.0, periods))
    return cases


def _test_dca_final_value(answer: Callable[[np.ndarray, float, int], float]) -> str:
    expect_function(answer, 3)
    for prices, budget, periods in _dca_cases():
        got = _number(
            answer(prices.copy(), budget, periods), f"dca_final_value(prices, {budget}, {periods})"
        )
        dca, _ = risk.dca_vs_lump_sum(prices[None, :], budget, periods)
        expected = float(dca[0])
        if not math.isclose(got, expected, rel_tol=1e-9):
            steps = len(prices) - 1
            buys = [i * steps // periods for i in range(periods)]
            shown = np.round(prices[:6], 2).tolist()
            raise CheckFailed(
                f"for prices {shown}{'...' if len(prices) > 6 else ''} ({steps} steps), budget "
                f"{budget} and {periods} periods you returned {got:.4f}, expected "
                f"{expected:.4f}: buy budget / periods at steps {buys[:6]}"
                f"{'...' if periods > 6 else ''} and value the coins at the last price."
            )
    return "Each purchase buys more coins when the price is low: that is all DCA does."


check_dca_final_value = Exercise(
    name="dca_final_value",
    goal="Write dca_final_value(prices, budget, periods): spend budget / periods at steps "
    "i * steps // periods for i = 0 .. periods - 1 (steps = len(prices) - 1), then value "
    "all the coins bought at the last price.",
    hints=(
        "Section 6: dollar-cost averaging spends the same amount each period, so it buys more "
        "coins when the price is low; its value is the coins it bought times the last price.",
        "Worked on other numbers: 300 dollars in 3 buys at prices 10, 20 and 5 buys 10 + 5 + 20 "
        "= 35 coins; at a final price of 12 they are worth 420. Which days are the buying days "
        "is in the exercise's text: spread them evenly over the path, in whole steps.",
    ),
    test=_test_dca_final_value,
)


# Try it 6 (a build task): a backtest harness that cannot look ahead.
SPIKE_DAY = 40


def _harness_series() -> list[np.ndarray]:
    """A flat market with a planted 3x spike on SPIKE_DAY, then seeded random walks."""
    from course.defi.indicators import random_walk_prices

    spike = np.full(80, 100.0)
    spike[SPIKE_DAY:] = 300.0
    walks = random_walk_prices(np.random.default_rng(1987), 6, 120, volatility=0.03)
    return [spike, *walks]


def _strategies() -> dict[str, Callable[[np.ndarray], float]]:
    return {
        "always in": lambda past: 1.0,
        "always out": lambda past: 0.0,
        "momentum": lambda past: 1.0 if len(past) > 1 and past[-1] > past[-2] else 0.0,
        "half in above the 5-day average": lambda past: 0.5 if past[-1] > past[-5:].mean() else 0.0,
    }


def _test_walk_forward(answer: Callable[..., object]) -> str:
    from course.defi.indicators import walk_forward as reference

    expect_function(answer, 3)
    for number, series in enumerate(_harness_series()):
        what = "the spike series" if number == 0 else f"random walk #{number}"
        seen: list[np.ndarray] = []

        def spy(past: np.ndarray, seen: list[np.ndarray] = seen) -> float:
            seen.append(np.array(past, dtype=float))
            return 1.0 if len(past) % 3 else 0.0

        answer(series.copy(), spy, 0)
        if not seen:
            raise CheckFailed(f"on {what} your harness never called the strategy.")
        if len(seen) < len(series) - 1:
            raise CheckFailed(
                f"on {what} ({len(series)} prices) the strategy was asked {len(seen)} times: "
                f"it must decide once per step, {len(series) - 1} times (days 0 to "
                f"{len(series) - 2})."
            )

        bad = [
            (t, len(past) - 1)
            for t, past in enumerate(seen)
            if len(past) > t + 1 or not np.array_equal(past, series[: len(past)])
        ]
        if bad:
            early = [(t, day) for t, day in bad if number == 0 and day >= SPIKE_DAY > t]
            t, day = (early or bad)[0]
            spike = f" (it saw day {SPIKE_DAY}'s 3x jump before it happened)" if early else ""
            raise CheckFailed(
                f"on {what}, call #{t} of the strategy was shown prices up to day {day}, "
                f"but it must decide on day {t} with prices[:{t + 1}]: look-ahead{spike}."
            )

        def vandal(past: np.ndarray) -> float:
            with contextlib.suppress(ValueError, TypeError):
                past[...] = 1.0  # a strategy that rewrites history
            return 0.0

        victim = series.copy()
        answer(victim, vandal, 0)
        if not np.array_equal(victim, series):
            raise CheckFailed(
                f"on {what} a strategy rewrote the prices through the history you passed it: "
                "pass a copy (or a read-only view), never a writable slice of the prices."
            )
        for name, strategy in _strategies().items():
            for fee_bps in (0, 30):
                got = _number(
                    answer(series.copy(), strategy, fee_bps),
                    f"walk_forward({what}, {name}, fee_bps={fee_bps})",
                )
                expected = reference(series, strategy, fee_bps)
                if math.isclose(got, expected, rel_tol=1e-9):
                    continue
                same_day = _same_day_value(series, strategy, fee_bps)
                if math.isclose(got, same_day, rel_tol=1e-9):
                    why = (
                        " You applied the position decided on day t to the move *into* day t: "
                        "that move had already happened when it was decided."
                    )
                elif fee_bps and math.isclose(got, reference(series, strategy, 0), rel_tol=1e-9):
                    why = " No fee was charged: each change of position pays fee_bps / 10,000."
                else:
                    why = ""
                raise CheckFailed(
                    f"walk_forward({what}, {name}, fee_bps={fee_bps}) returned "
                    f"{got:.6f}, expected {expected:.6f}.{why}"
                )
    return (
        f"{len(_harness_series())} series, {len(_strategies())} strategies: every decision "
        "saw only the past (the planted spike stayed invisible until it happened), and no "
        "strategy could rewrite the prices."
    )


def _same_day_value(
    series: np.ndarray, strategy: Callable[[np.ndarray], float], fee_bps: float
) -> float:
    """The look-ahead bug: the day-t decision earns the return from t - 1 to t."""
    wealth, position = 1.0, 0.0
    for t in range(1, len(series)):
        new = strategy(series[: t + 1])
        step = series[t] / series[t - 1] - 1
        wealth *= (1 - fee_bps / 10_000 * abs(new - position)) * (1 + new * step)
        position = new
    return wealth


check_walk_forward = Exercise(
    name="walk_forward",
    goal="Write walk_forward(prices, decide, fee_bps): the final value of 1 unit of cash that "
    "trades a strategy decide(past) -> position in [0, 1]. On each day t but the last, decide sees "
    "only the prices up to day t; the position is held from t to t + 1; every change of position "
    "pays fee_bps / 10,000 of the wealth moved. Start in cash.",
    hints=(
        "Section 9: a backtest is honest only if each decision uses data that existed when it was "
        "made, and the decision then earns the *next* move, after paying for the trade. The "
        "safest harness never hands the strategy the future at all, not even as a slice it "
        "could write into.",
        "Pseudo-code for a thermostat simulated over a day of temperatures: heat = off; for each "
        "hour h but the last: setting = controller(a copy of temps up to and including h); "
        "cost += price * |setting - heat|; comfort += setting applied to the change from h to "
        "h + 1; heat = setting. Replace heating with a position and comfort with wealth growth "
        "(multiply, do not add).",
    ),
    test=_test_walk_forward,
)


# Try it 5 (a build task): a sandwich planner that chooses the front-run size.
def _sandwich_cases() -> list[tuple[int, int, int, int]]:
    """(reserve_in, reserve_out, victim_in, victim_min_out): seeded pools, victims, tolerances."""
    from course.defi.amm import get_amount_out

    rng = np.random.default_rng(2014)  # the year "front-running" reached DEX research
    cases = []
    for _ in range(60):
        reserve_in = int(10 ** rng.uniform(20, 26))
        reserve_out = int(reserve_in * 10 ** rng.uniform(-3, 3))
        victim_in = max(1, int(reserve_in * 10 ** rng.uniform(-4, -0.5)))
        fair = get_amount_out(victim_in, reserve_in, reserve_out)
        tolerance_bps = int(rng.choice([0, 10, 50, 100, 300, 1_000, 5_000, 9_900]))
        cases.append(
            (reserve_in, reserve_out, victim_in, max(1, fair * (10_000 - tolerance_bps) // 10_000))
        )
    return cases


def _test_front_run_size(answer: Callable[..., object]) -> str:
    from course.defi.amm import ConstantProductPool
    from course.defi.mev import _sandwich, plan_sandwich

    expect_function(answer, 4)
    for reserve_in, reserve_out, victim_in, min_out in _sandwich_cases():
        call = f"front_run_size({reserve_in}, {reserve_out}, {victim_in}, {min_out})"
        got = answer(reserve_in, reserve_out, victim_in, min_out)
        if isinstance(got, np.integer):
            got = int(got)
        if isinstance(got, float) or not isinstance(got, int) or got < 0:
            raise CheckFailed(f"{call} returned {got!r}: expected a whole number of wei >= 0.")
        pool = ConstantProductPool()
        pool.reserve0, pool.reserve1 = reserve_in, reserve_out
        best = plan_sandwich(pool, victim_in, min_out, True)
        best_profit = max(best.expected_profit, 0) if best.front_run_in else 0
        _, victim_out, back_out = _sandwich(got, victim_in, reserve_in, reserve_out, 30)
        if victim_out < min_out:
            raise CheckFailed(
                f"{call}: after your front-run the victim gets {victim_out}, below its min_out "
                f"{min_out}, so its swap reverts and you are left holding what you bought. Find "
                "the largest front-run the victim's limit still allows."
            )
        profit = back_out - got if got else 0
        if profit < best_profit - max(1, best_profit // 10_000):
            if best_profit <= 0:
                raise CheckFailed(
                    f"{call} returned {got}, which loses {-profit} wei: no size pays in this pool "
                    "(fees and impact exceed what the victim's limit leaves), so return 0."
                )
            raise CheckFailed(
                f"{call} returned {got}, which earns {profit}; the best size ({best.front_run_in}) "
                f"earns {best_profit}. A search over sizes finds more: the profit rises with the "
                "size until the victim's limit binds, or until price impact and two fees eat it."
            )
    return (
        f"{len(_sandwich_cases())} pools: every victim's trade still passes and your size earns "
        "within 0.01% of the best a search finds (0 when no sandwich pays)."
    )


check_front_run_size = Exercise(
    name="front_run_size",
    goal="Write front_run_size(reserve_in, reserve_out, victim_in, victim_min_out): the front-run "
    "(in wei of the input token) that earns a sandwich searcher the most on a 0.3% Uniswap V2 "
    "pool while the victim's swap still returns at least victim_min_out; 0 when no size pays.",
    hints=(
        "Section 7: the victim's output only falls as the front-run grows, so its min_out sets "
        "a largest allowed size (a monotone condition: bisection finds it). The profit first "
        "rises with the size, then falls once fees and the curve's impact dominate: take the "
        "smaller of the two limits, and nothing if even the best loses.",
        "Pseudo-code on a different problem, the largest shelf load a beam holds: lo, hi = 0, 1; "
        "while holds(hi): lo, hi = hi, 2 * hi; while hi - lo > 1: mid = (lo + hi) // 2; if "
        "holds(mid): lo = mid, else hi = mid. Then check whether a smaller load pays better "
        "(a ternary search on a single-peaked function). Simulate the three swaps with the "
        "amount_out formula of notebook 10 to evaluate a size.",
    ),
    test=_test_front_run_size,
)
