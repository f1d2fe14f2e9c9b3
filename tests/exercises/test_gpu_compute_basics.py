"""Checkers of notebook 10, both ways."""

import math

import numpy as np
import pytest

from course.compute import throughput
from course.exercises.gpu_compute_basics import (
    check_achieved_gflops,
    check_close_enough,
    check_matrix_product_flops,
    check_roofline_gflops,
)
from tests.exercises.both_ways import assert_checked_both_ways

# --- FLOPs of a matrix product ---------------------------------------------------------------


def flops_formula(m, k, n):
    return 2 * m * k * n


def flops_by_dot_products(m, k, n):
    per_dot_product = k + k  # k multiplications, k additions
    return m * n * per_dot_product


def flops_as_float(m, k, n):
    return 2.0 * m * k * n


def flops_multiply_adds_only(m, k, n):
    return m * k * n


def flops_exact_additions(m, k, n):
    return m * n * (2 * k - 1)


def flops_square_only(m, k, n):
    return 2 * n**3


def flops_without_k(m, k, n):
    return 2 * m * n


# --- achieved GFLOP/s ------------------------------------------------------------------------


def gflops_formula(flops, seconds):
    return flops / seconds / 1e9


def gflops_in_steps(flops, seconds):
    gigaflops = flops / 1_000_000_000
    return gigaflops / seconds


def gflops_numpy(flops, seconds):
    return np.divide(np.float64(flops), seconds) * 1e-9


def gflops_forgot_giga(flops, seconds):
    return flops / seconds


def gflops_mega(flops, seconds):
    return flops / seconds / 1e6


def gflops_binary_giga(flops, seconds):
    return flops / seconds / 2**30


def gflops_upside_down(flops, seconds):
    return seconds / flops / 1e9 if flops else 0.0


def gflops_times(flops, seconds):
    return flops * seconds / 1e9


# --- the roofline ----------------------------------------------------------------------------


def roofline_min(intensity, peak_gflops, bandwidth_gb_s):
    return min(peak_gflops, intensity * bandwidth_gb_s)


def roofline_with_a_ridge(intensity, peak_gflops, bandwidth_gb_s):
    ridge = peak_gflops / bandwidth_gb_s
    if intensity >= ridge:
        return peak_gflops
    return intensity * bandwidth_gb_s


def roofline_max(intensity, peak_gflops, bandwidth_gb_s):
    return max(peak_gflops, intensity * bandwidth_gb_s)


def roofline_always_peak(intensity, peak_gflops, bandwidth_gb_s):
    return peak_gflops


def roofline_memory_only(intensity, peak_gflops, bandwidth_gb_s):
    return intensity * bandwidth_gb_s


def roofline_divided(intensity, peak_gflops, bandwidth_gb_s):
    return min(peak_gflops, intensity / bandwidth_gb_s)


# --- comparing results with a tolerance ------------------------------------------------------


def close_by_hand(a, b, rtol, atol):
    return all(abs(x - y) <= atol + rtol * abs(y) for x, y in zip(a, b, strict=True))


def close_with_numpy(a, b, rtol, atol):
    return np.allclose(a, b, rtol=rtol, atol=atol)


def close_with_math_isclose(a, b, rtol, atol):
    return all(math.isclose(x, y, rel_tol=rtol, abs_tol=atol) for x, y in zip(a, b, strict=True))


def close_with_a_loop(a, b, rtol, atol):
    too_far = 0
    for x, y in zip(a, b, strict=True):
        too_far += abs(x - y) > atol + rtol * abs(y)
    return too_far == 0


def close_with_max(a, b, rtol, atol):
    difference = np.abs(np.subtract(a, b))
    return bool(np.max(difference - rtol * np.abs(b)) <= atol)


def close_exactly(a, b, rtol, atol):
    return list(a) == list(b)


def close_any(a, b, rtol, atol):
    return any(abs(x - y) <= atol + rtol * abs(y) for x, y in zip(a, b, strict=True))


def close_without_abs(a, b, rtol, atol):
    return all(x - y <= atol + rtol * abs(y) for x, y in zip(a, b, strict=True))


def close_relative_only(a, b, rtol, atol):
    return all(abs(x - y) <= rtol * abs(y) for x, y in zip(a, b, strict=True))


def close_absolute_only(a, b, rtol, atol):
    return all(abs(x - y) <= atol for x, y in zip(a, b, strict=True))


def close_signed_relative(a, b, rtol, atol):
    return all(abs(x - y) <= atol + rtol * y for x, y in zip(a, b, strict=True))


def close_strict(a, b, rtol, atol):
    return all(abs(x - y) < atol + rtol * abs(y) for x, y in zip(a, b, strict=True))


def close_sums(a, b, rtol, atol):
    return abs(sum(a) - sum(b)) <= atol + rtol * abs(sum(b))


def close_swapped_tolerances(a, b, rtol, atol):
    return all(abs(x - y) <= rtol + atol * abs(y) for x, y in zip(a, b, strict=True))


def close_as_an_integer(a, b, rtol, atol):
    return int(np.allclose(a, b, rtol=rtol, atol=atol))


CASES = [
    (check_matrix_product_flops,
     [flops_formula, flops_by_dot_products, flops_as_float, throughput.matrix_product_flops],
     [flops_multiply_adds_only, flops_exact_additions, flops_square_only, flops_without_k,
      lambda m, k, n: str(2 * m * k * n)]),
    (check_achieved_gflops,
     [gflops_formula, gflops_in_steps, gflops_numpy, throughput.achieved_gflops],
     [gflops_forgot_giga, gflops_mega, gflops_binary_giga, gflops_upside_down, gflops_times,
      lambda f, s: None]),
    (check_roofline_gflops,
     [roofline_min, roofline_with_a_ridge, throughput.roofline_gflops],
     [roofline_max, roofline_always_peak, roofline_memory_only, roofline_divided,
      lambda i, p, b: float("inf")]),
    (check_close_enough,
     [close_by_hand, close_with_numpy, close_with_math_isclose, close_with_a_loop,
      close_with_max],
     [close_exactly, close_any, close_without_abs, close_relative_only, close_absolute_only,
      close_signed_relative, close_strict, close_sums, close_swapped_tolerances,
      close_as_an_integer, lambda a, b, r, t: True]),
]
ids = ["matrix_product_flops", "achieved_gflops", "roofline_gflops", "close_enough"]


@pytest.mark.parametrize("check, solutions, wrong_answers", CASES, ids=ids)
def test_checker_works_both_ways(check, solutions, wrong_answers):
    assert_checked_both_ways(check, solutions, wrong_answers)


def test_a_function_with_the_wrong_number_of_arguments_is_told_so():
    outcome = check_matrix_product_flops.check(lambda n: 2 * n**3)
    assert outcome.status == "not yet" and "3 argument(s)" in outcome.message


@pytest.mark.parametrize("wrong, hint", [
    (flops_multiply_adds_only, "each one is 2 FLOPs"),
    (flops_exact_additions, "k - 1 additions"),
    (flops_without_k, "One dimension is missing"),
])
def test_matrix_product_flops_explains_the_usual_mistakes(wrong, hint):
    assert hint in check_matrix_product_flops.check(wrong).message


@pytest.mark.parametrize("wrong, hint", [
    (gflops_forgot_giga, "divide by 1e9"),
    (gflops_mega, "MFLOP/s"),
    (gflops_binary_giga, "not 2**30"),
])
def test_achieved_gflops_explains_the_usual_mistakes(wrong, hint):
    assert hint in check_achieved_gflops.check(wrong).message


@pytest.mark.parametrize("wrong, hint", [
    (roofline_max, "take the smaller"),
    (roofline_always_peak, "Memory cannot deliver"),
    (roofline_memory_only, "cap the result"),
])
def test_roofline_explains_the_usual_mistakes(wrong, hint):
    assert hint in check_roofline_gflops.check(wrong).message


@pytest.mark.parametrize("wrong, hint", [
    (close_exactly, "rounding noise"),
    (close_relative_only, "Near zero"),
    (close_absolute_only, "For big numbers"),
    (close_strict, "use <=, not <"),
    (close_sums, "not sums"),
])
def test_close_enough_explains_the_usual_mistakes(wrong, hint):
    assert hint in check_close_enough.check(wrong).message
