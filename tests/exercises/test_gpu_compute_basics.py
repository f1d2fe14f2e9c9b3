"""Checkers of notebook 12, both ways."""

import math
import statistics
import time

import numpy as np
import pytest

from course.compute import throughput
from course.exercises import FAILED
from course.exercises.gpu_compute_basics import (
    _benchmark_cases,
    check_achieved_gflops,
    check_benchmark,
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
    (
        check_matrix_product_flops,
        [flops_formula, flops_by_dot_products, flops_as_float, throughput.matrix_product_flops],
        [
            flops_multiply_adds_only,
            flops_exact_additions,
            flops_square_only,
            flops_without_k,
            lambda m, k, n: str(2 * m * k * n),
        ],
    ),
    (
        check_achieved_gflops,
        [gflops_formula, gflops_in_steps, gflops_numpy, throughput.achieved_gflops],
        [
            gflops_forgot_giga,
            gflops_mega,
            gflops_binary_giga,
            gflops_upside_down,
            gflops_times,
            lambda f, s: None,
        ],
    ),
    (
        check_roofline_gflops,
        [roofline_min, roofline_with_a_ridge, throughput.roofline_gflops],
        [
            roofline_max,
            roofline_always_peak,
            roofline_memory_only,
            roofline_divided,
            lambda i, p, b: float("inf"),
        ],
    ),
    (
        check_close_enough,
        [
            close_by_hand,
            close_with_numpy,
            close_with_math_isclose,
            close_with_a_loop,
            close_with_max,
        ],
        [
            close_exactly,
            close_any,
            close_without_abs,
            close_relative_only,
            close_absolute_only,
            close_signed_relative,
            close_strict,
            close_sums,
            close_swapped_tolerances,
            close_as_an_integer,
            lambda a, b, r, t: True,
        ],
    ),
]
ids = ["matrix_product_flops", "achieved_gflops", "roofline_gflops", "close_enough"]


@pytest.mark.parametrize("check, solutions, wrong_answers", CASES, ids=ids)
def test_checker_works_both_ways(check, solutions, wrong_answers):
    assert_checked_both_ways(check, solutions, wrong_answers)


def test_a_function_with_the_wrong_number_of_arguments_is_told_so():
    outcome = check_matrix_product_flops.check(lambda n: 2 * n**3)
    assert outcome.status == "not yet" and "3 argument(s)" in outcome.message


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (flops_multiply_adds_only, "each one is 2 FLOPs"),
        (flops_exact_additions, "k - 1 additions"),
        (flops_without_k, "One dimension is missing"),
    ],
)
def test_matrix_product_flops_explains_the_usual_mistakes(wrong, hint):
    assert hint in check_matrix_product_flops.check(wrong).message


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (gflops_forgot_giga, "divide by 1e9"),
        (gflops_mega, "MFLOP/s"),
        (gflops_binary_giga, "not 2**30"),
    ],
)
def test_achieved_gflops_explains_the_usual_mistakes(wrong, hint):
    assert hint in check_achieved_gflops.check(wrong).message


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (roofline_max, "take the smaller"),
        (roofline_always_peak, "Memory cannot deliver"),
        (roofline_memory_only, "cap the result"),
    ],
)
def test_roofline_explains_the_usual_mistakes(wrong, hint):
    assert hint in check_roofline_gflops.check(wrong).message


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (close_exactly, "rounding noise"),
        (close_relative_only, "Near zero"),
        (close_absolute_only, "For big numbers"),
        (close_strict, "use <=, not <"),
        (close_sums, "not sums"),
    ],
)
def test_close_enough_explains_the_usual_mistakes(wrong, hint):
    assert hint in check_close_enough.check(wrong).message


# --- Try it 3 (a build task): a benchmark harness, run against simulated GPUs --------------


def benchmark_median(run, synchronize, clock=time.perf_counter, repeats=5):
    run()  # warm-up
    seconds = []
    for _ in range(repeats):
        synchronize()
        start = clock()
        run()
        synchronize()
        seconds.append(clock() - start)
    return statistics.median(seconds)


def benchmark_three_warmups_sorted_middle(run, synchronize, clock=time.perf_counter, repeats=5):
    for _ in range(3):
        run()
    synchronize()
    times = []
    for _ in range(repeats):
        start = clock()
        run()
        synchronize()
        times.append(clock() - start)  # the synchronize() above also drained the queue
    return sorted(times)[len(times) // 2]


def benchmark_lower_middle_numpy(run, synchronize, clock=time.perf_counter, repeats=5):
    run()
    synchronize()
    times = np.empty(repeats)
    for i in range(repeats):
        synchronize()
        before = clock()
        run()
        synchronize()
        times[i] = clock() - before
    return np.sort(times)[(repeats - 1) // 2]  # an np.float64


def benchmark_more_repeats(run, synchronize, clock=time.perf_counter, repeats=5):
    """Times at least 11 runs, whatever repeats asks: more data, the same median."""
    run()
    synchronize()
    last = clock()
    seconds = []
    for _ in range(max(repeats, 11)):
        run()
        synchronize()
        now = clock()
        seconds.append(now - last)  # consecutive clock reads, each after synchronize()
        last = now
    return statistics.median(seconds)


def benchmark_best_of(run, synchronize, clock=time.perf_counter, repeats=5):
    """Section 2's best-of (time_workload): noise only adds time, so the fastest run holds."""
    run()
    best = float("inf")
    for _ in range(repeats):
        synchronize()
        start = clock()
        run()
        synchronize()
        best = min(best, clock() - start)
    return best


def benchmark_discards_first_timed_run(run, synchronize, clock=time.perf_counter, repeats=5):
    seconds = []
    for _ in range(repeats + 1):
        synchronize()
        start = clock()
        run()
        synchronize()
        seconds.append(clock() - start)
    return statistics.median(seconds[1:])  # the first one was the warm-up


def without_synchronize(run, synchronize, clock=time.perf_counter, repeats=5):
    run()
    seconds = []
    for _ in range(repeats):
        start = clock()
        run()
        seconds.append(clock() - start)
    return statistics.median(seconds)


def synchronize_only_before_the_start(run, synchronize, clock=time.perf_counter, repeats=5):
    run()
    seconds = []
    for _ in range(repeats):
        synchronize()
        start = clock()
        run()
        seconds.append(clock() - start)
    return statistics.median(seconds)


def without_warmup(run, synchronize, clock=time.perf_counter, repeats=5):
    seconds = []
    for _ in range(repeats):
        synchronize()
        start = clock()
        run()
        synchronize()
        seconds.append(clock() - start)
    return statistics.median(seconds)


def mean_not_median(run, synchronize, clock=time.perf_counter, repeats=5):
    run()
    seconds = []
    for _ in range(repeats):
        synchronize()
        start = clock()
        run()
        synchronize()
        seconds.append(clock() - start)
    return statistics.mean(seconds)


def one_batch_divided(run, synchronize, clock=time.perf_counter, repeats=5):
    """A timeit-style batch: a mean in disguise, so a slow run still drags it up."""
    run()
    synchronize()
    start = clock()
    for _ in range(repeats):
        run()
    synchronize()
    return (clock() - start) / repeats


def clock_started_before_the_queue_drained(run, synchronize, clock=time.perf_counter, repeats=5):
    run()  # the warm-up is still running on the device...
    seconds = []
    for _ in range(repeats):
        start = clock()  # ... when this clock starts
        run()
        synchronize()
        seconds.append(clock() - start)
    return statistics.median(seconds)


def total_not_per_run(run, synchronize, clock=time.perf_counter, repeats=5):
    run()
    seconds = []
    for _ in range(repeats):
        synchronize()
        start = clock()
        run()
        synchronize()
        seconds.append(clock() - start)
    return sum(seconds)


def in_milliseconds(run, synchronize, clock=time.perf_counter, repeats=5):
    return 1_000 * benchmark_median(run, synchronize, clock, repeats)


def own_stopwatch(run, synchronize, clock=time.perf_counter, repeats=5):
    return benchmark_median(run, synchronize, time.perf_counter, repeats)


def ignores_repeats(run, synchronize, clock=time.perf_counter, repeats=5):
    return benchmark_median(run, synchronize, clock, 3)  # always 3, whatever was asked


def no_repeats_parameter(run, synchronize, clock):
    return benchmark_median(run, synchronize, clock)


def benchmark_synchronizes_everywhere(run, synchronize, clock=time.perf_counter, repeats=5):
    """Extra synchronize() and clock() calls, and the launch read while the work is queued:
    harmless, since each run is still timed from an idle device to an idle device."""
    synchronize()
    run()
    synchronize()
    synchronize()
    seconds, launches = [], []
    for _ in range(repeats):
        synchronize()
        clock()
        start = clock()
        run()
        launches.append(clock() - start)  # only the launch: not what is returned
        synchronize()
        synchronize()
        seconds.append(clock() - start)
    return statistics.median(seconds)


def benchmark_in_float32(run, synchronize, clock=time.perf_counter, repeats=5):
    run()
    times = np.empty(repeats, dtype=np.float32)  # float32 rounding: 1e-7 of each time
    for i in range(repeats):
        synchronize()
        start = clock()
        run()
        synchronize()
        times[i] = clock() - start
    return np.median(times)


BENCHMARK_RIGHT = [
    benchmark_median,
    benchmark_synchronizes_everywhere,
    benchmark_in_float32,
    benchmark_three_warmups_sorted_middle,
    benchmark_lower_middle_numpy,
    benchmark_more_repeats,
    benchmark_best_of,
    benchmark_discards_first_timed_run,
]
BENCHMARK_WRONG = {
    without_synchronize: "You timed the launch, not the work",
    synchronize_only_before_the_start: "You timed the launch, not the work",
    without_warmup: "no warm-up, so the first call was timed",
    mean_not_median: "That is the mean of the timed runs",
    one_batch_divided: "timed 2 runs together between two clock reads: divided, that is the mean",
    clock_started_before_the_queue_drained: "synchronize() before starting the clock too",
    total_not_per_run: "That is the total of all 2 timed runs",
    in_milliseconds: "That looks like milliseconds",
    own_stopwatch: "never called clock()",
    ignores_repeats: "repeats=7 asks for 7 timed runs",
    no_repeats_parameter: "should take run, synchronize, clock and repeats=",
}


def test_benchmark_check_both_ways():
    assert_checked_both_ways(check_benchmark, BENCHMARK_RIGHT, list(BENCHMARK_WRONG))


@pytest.mark.parametrize("wrong", list(BENCHMARK_WRONG), ids=lambda f: f.__name__)
def test_benchmark_says_what_went_wrong(wrong):
    outcome = check_benchmark.check(wrong)
    assert outcome.status == FAILED and BENCHMARK_WRONG[wrong] in outcome.message, outcome.message


def test_benchmark_failure_names_the_simulated_device_and_the_true_time():
    message = check_benchmark.check(without_synchronize).message
    assert "simulated GPU #1 (a 2 ms kernel, 5 µs to launch, first call 50x slower" in message
    assert "returned 5e-06 s, but one run takes" in message


def test_a_harness_that_loops_forever_is_stopped_with_a_clear_line():
    def forever(run, synchronize, clock=time.perf_counter, repeats=5):
        while True:
            run()

    outcome = check_benchmark.check(forever)
    assert outcome.status == FAILED and "run() was called 10,000 times" in outcome.message


def test_a_harness_that_breaks_on_one_device_names_the_call():
    def crashes(run, synchronize, clock=time.perf_counter, repeats=5):
        return benchmark_median(run, synchronize, clock, repeats) / (repeats - 1)

    outcome = check_benchmark.check(crashes)
    assert outcome.status == FAILED and "repeats=1" in outcome.message
    assert "ZeroDivisionError" in outcome.message and "Traceback" not in outcome.message
    assert "crashes(run, synchronize, clock, repeats=1)" in outcome.message


def test_every_case_can_tell_the_median_from_the_mistakes_it_is_there_for():
    """The hand-picked devices really separate right from wrong: one timed run exposes the
    queue and the warm-up, slow runs move a mean by far more than the tolerance."""
    cases = _benchmark_cases()
    assert {case.repeats for case in cases} >= {1, 2, 3, 5, 7, 10, 15}
    for case in cases:
        slow = [run for run, _ in case.stolen]
        assert len(slow) < (case.repeats + 1) // 2 or not slow  # a median stays honest
        assert all(3 <= run <= case.repeats for run in slow)  # timed after 1-3 warm-ups
        assert case.launch_s <= 0.05 * case.kernel_s
        if slow:
            device = case.device()
            mean_not_median(device.run, device.synchronize, device.clock, repeats=case.repeats)
            assert device.run_seconds[0] > 10 * device.seconds_per_run
            assert sum(device.run_seconds[-case.repeats :]) / case.repeats > 1.5 * (
                device.seconds_per_run
            )


def test_no_benchmark_hint_contains_the_solution_code():
    for hint in (check_benchmark.concept, check_benchmark.worked_example):
        assert "synchronize()\n" not in hint and "clock()" not in hint
        assert "median(" not in hint and "run()" not in hint


def test_a_harness_cannot_read_the_answer_off_the_simulated_device():
    def reads_the_device(run, synchronize, clock=time.perf_counter, repeats=5):
        for _ in range(repeats + 1):
            run()
        return run.__self__.seconds_per_run  # a bound method would hand over the device

    outcome = check_benchmark.check(reads_the_device)
    assert outcome.status == FAILED and "AttributeError" in outcome.message, outcome.message


# --- cheats: a number from elsewhere, or a device made easier (issue: build-task loopholes) --


def reads_the_true_time_through_the_handed_function(
    run, synchronize, clock=time.perf_counter, repeats=5
):
    for _ in range(repeats + 1):
        run()
    synchronize()
    return run._call.__self__.seconds_per_run  # the device behind the wrapper


CASE_BY_START = {1_000.0 + case.seed: case for case in _benchmark_cases()}


def times_honestly_but_returns_the_case_table(run, synchronize, clock=time.perf_counter, repeats=5):
    case = CASE_BY_START[clock()]  # the first clock read tells the device apart
    benchmark_median(run, synchronize, clock, repeats)  # a clean dance, for the log
    return case.kernel_s + case.launch_s


def times_one_run_and_skips_the_rest(run, synchronize, clock=time.perf_counter, repeats=5):
    for _ in range(repeats):
        run()
    synchronize()
    start = clock()
    run()
    synchronize()
    return clock() - start


def removes_the_slow_runs_then_takes_the_mean(run, synchronize, clock=time.perf_counter, repeats=5):
    run._call.__self__.stolen.clear()  # no other process: now a mean would do
    return mean_not_median(run, synchronize, clock, repeats)


@pytest.mark.parametrize(
    "cheat, reason",
    [
        (reads_the_true_time_through_the_handed_function, "without ever calling clock()"),
        (times_honestly_but_returns_the_case_table, "not a number from elsewhere"),
        (times_one_run_and_skips_the_rest, "timed only 1 run(s) alone"),
        (removes_the_slow_runs_then_takes_the_mean, "the simulated device's settings"),
    ],
    ids=lambda value: getattr(value, "__name__", "reason"),
)
def test_a_number_not_measured_by_the_harness_fails(cheat, reason):
    outcome = check_benchmark.check(cheat)
    assert outcome.status == FAILED and reason in outcome.message, outcome.message
    assert "Traceback" not in outcome.message and "\n" not in outcome.message
