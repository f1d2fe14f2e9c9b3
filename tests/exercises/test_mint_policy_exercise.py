"""Try it 5 of notebook 15 (a mint policy that keeps a price band), run both ways."""

import math
import time

import numpy as np

from course.compute.mint_policy import SELL_SHARE
from course.exercises import FAILED, NOT_DONE, PASSED
from course.exercises.depin_tokenomics import check_mint_policy
from tests.exercises.both_ways import placeholder


def proportional(price, supply, burned, band):
    """Replace the burn, leaning against the price error; a floor keeps providers paid."""
    low, high = band
    target = (low + high) / 2
    error = (price - target) / target
    return max(0.1 * burned, burned * (1 + 5 * error))


def follows_burn_with_band_correction(price, supply, burned, band):
    """Mint what was burned; add 3% of the supply above the band, cut to a tenth below it."""
    if price > band.high:
        return burned + 0.03 * supply
    if price < band.low:
        return 0.1 * burned
    return burned / SELL_SHARE * (price / band.target) ** 4


def supply_targeting(price, supply, burned, band):
    """Aim the float at the size that would have cleared last epoch at the target (numpy)."""
    wanted = (supply + burned) * price / band.target
    return np.maximum(0.1 * burned, np.float64(wanted - supply))


def fixed_mint(price, supply, burned, band):
    return 62_500.0  # the launch's rest point: 50,000 burned / 0.8 sold


def mint_equals_burn(price, supply, burned, band):
    return burned


def no_floor(price, supply, burned, band):
    target = band.target
    return max(0.0, burned * (1 + 10 * (price - target) / target))


def unclamped(price, supply, burned, band):
    return burned * (1 + 5 * (price - band.target) / band.target)


def nan_when_low(price, supply, burned, band):
    return math.nan if price < band.low else proportional(price, supply, burned, band)


def crashes_when_low(price, supply, burned, band):
    if price < band.low:
        return burned / (price - price)
    return proportional(price, supply, burned, band)


def hard_coded_dollar(price, supply, burned, band):
    return max(0.1 * burned, burned * (1 + 5 * (price - 1.0)))


def prints(price, supply, burned, band):
    return 0.5 * supply  # within the per-epoch cap, every epoch


def prints_in_the_last_weeks():
    """Keeps the band until epoch 215 of each 240-epoch run, then prints: 80% in band."""
    calls = []

    def policy(price, supply, burned, band):
        calls.append(1)
        if len(calls) % 240 >= 215:
            return 0.5 * supply
        return proportional(price, supply, burned, band)

    return policy


def leans_the_wrong_way(price, supply, burned, band):
    return max(0.1 * burned, burned * (1 - 5 * (price - band.target) / band.target))


def prints_everything(price, supply, burned, band):
    return 10 * supply


def forgets_return(price, supply, burned, band):
    max(0.1 * burned, burned)


def test_placeholder_is_not_done():
    assert check_mint_policy.check(placeholder).status == NOT_DONE


def test_correct_policies_of_different_styles_pass_fast():
    for right in (proportional, follows_burn_with_band_correction, supply_targeting):
        started = time.perf_counter()
        outcome = check_mint_policy.check(right)
        assert outcome.status == PASSED, (right.__name__, outcome.message)
        assert time.perf_counter() - started < 3
        assert "in its ±20% band" in outcome.message


def test_wrong_policies_fail_with_the_reason():
    expected = {
        fixed_mint: (
            "In the crash scenario",
            "first out at epoch 82",
            "below the band",
            "minted 62,500 tokens, more than the",
            "push a low price lower",
        ),
        mint_equals_burn: ("In the crash scenario", "above the band", "it drifts"),
        no_floor: ("providers earned less than 5% of what users paid", "epochs 83-98"),
        unclamped: ("epoch 84", "unclamped(price=0.78", "returned -3021", "cannot be negative"),
        nan_when_low: ("epoch 84", "returned nan", "finite number"),
        crashes_when_low: (
            "epoch 84: crashes_when_low(price=0.783589, supply=",
            "band=(0.8, 1.2)",
            "raised ZeroDivisionError",
        ),
        hard_coded_dollar: ("band around $2.50",),
        leans_the_wrong_way: ("above the band", "fewer tokens on the market push a high price"),
        prints: ("below the band",),
        prints_in_the_last_weeks(): ("tokens minted in all, more than 2 x", "that is printing"),
        prints_everything: ("epoch 0", "more than the whole circulating supply"),
        forgets_return: ("returned None", "forget a `return`"),
    }
    for wrong, reasons in expected.items():
        outcome = check_mint_policy.check(wrong)
        assert outcome.status == FAILED, (wrong, outcome)
        assert "Traceback" not in outcome.message
        for reason in reasons:
            assert reason in outcome.message, (wrong, reason, outcome.message)


def dumps_when_the_run_ends():
    """Keeps the band, then mints the whole supply in the last epoch of each 240-epoch run it
    counts: one epoch out of 220 and within the budget, it passed before the last-epoch rule."""
    calls = []

    def policy(price, supply, burned, band):
        calls.append(1)
        return supply if len(calls) % 240 == 0 else proportional(price, supply, burned, band)

    return policy


class _NanInside(float):
    """A float that holds 1.0 (what math.isfinite reads) but converts to NaN with float()."""

    def __float__(self):
        return math.nan


def smuggles_nan_at_the_end():
    calls = []

    def policy(price, supply, burned, band):
        calls.append(1)
        if len(calls) % 240 == 0:
            return _NanInside(1.0)
        return proportional(price, supply, burned, band)

    return policy


def test_cheats_at_the_end_of_a_run_fail_with_the_reason():
    expected = {
        dumps_when_the_run_ends(): (
            "In the crash scenario, the price ended the run out of the band",
            "at the last epoch (239), below [$0.8, $1.2]",
        ),
        smuggles_nan_at_the_end(): (
            "In the crash scenario, epoch 239: policy(price=",
            "returned 1.0, which float() reads as nan; a mint must be finite",
        ),
        (lambda price, supply, burned, band: 1e308): ("returned 1e+308, more than the whole",),
        (lambda price, supply, burned, band: 10**5000): ("returned an int too long to print",),
    }
    for wrong, reasons in expected.items():
        outcome = check_mint_policy.check(wrong)
        assert outcome.status == FAILED, (wrong, outcome)
        assert "Traceback" not in outcome.message and "\n" not in outcome.message
        for reason in reasons:
            assert reason in outcome.message, (wrong, reason, outcome.message)


def test_unusual_but_correct_mints_pass():
    """numpy scalars, 0-d arrays, fractions and a callable object are all accepted."""
    from fractions import Fraction

    class Controller:
        def __init__(self, gain):
            self.gain = gain

        def __call__(self, price, supply, burned, band):
            error = (price - band.target) / band.target
            return max(0.1 * burned, burned * (1 + self.gain * error))

    rights = (
        lambda price, supply, burned, band: np.float32(proportional(price, supply, burned, band)),
        lambda price, supply, burned, band: np.array(proportional(price, supply, burned, band)),
        lambda price, supply, burned, band: Fraction(proportional(price, supply, burned, band)),
        Controller(8),
    )
    for right in rights:
        outcome = check_mint_policy.check(right)
        assert outcome.status == PASSED, (right, outcome.message)


def test_a_policy_with_the_wrong_signature_is_told_so():
    outcome = check_mint_policy.check(lambda price, supply: 0.0)
    assert outcome.status == FAILED and "4 argument" in outcome.message


def test_no_hint_contains_the_solution_code():
    hints = " ".join(check_mint_policy.help_steps[1:3])
    assert "burned * (1" not in hints and "max(" not in hints
