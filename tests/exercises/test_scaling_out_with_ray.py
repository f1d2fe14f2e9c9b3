"""Checkers of notebook 14, both ways (none of them needs Ray)."""

import heapq
import math

import pytest

from course.exercises.scaling_out_with_ray import (
    check_amdahl_speedup,
    check_makespan,
    check_per_job_overhead,
    check_remote_seconds,
)
from tests.exercises.both_ways import assert_checked_both_ways

# --- Amdahl's law ------------------------------------------------------------------------------


def amdahl_one_line(serial_fraction, workers):
    return 1 / (serial_fraction + (1 - serial_fraction) / workers)


def amdahl_by_times(serial_fraction, workers):
    old_time = 1.0
    new_time = serial_fraction * old_time + (1 - serial_fraction) * old_time / workers
    return old_time / new_time


def amdahl_ideal(serial_fraction, workers):
    return workers


def amdahl_not_inverted(serial_fraction, workers):
    return serial_fraction + (1 - serial_fraction) / workers


def amdahl_swapped(serial_fraction, workers):
    return 1 / ((1 - serial_fraction) + serial_fraction / workers)


def amdahl_whole_number(serial_fraction, workers):
    return round(1 / (serial_fraction + (1 - serial_fraction) / workers))


# --- makespan ----------------------------------------------------------------------------------


def makespan_with_a_list(durations, workers):
    free_at = [0.0] * workers
    for duration in durations:
        free_at[free_at.index(min(free_at))] += duration
    return max(free_at)


def makespan_with_a_heap(durations, workers):
    free_at = [0.0] * workers
    for duration in durations:
        heapq.heappush(free_at, heapq.heappop(free_at) + duration)
    return max(free_at, default=0.0)


def makespan_lower_bound(durations, workers):
    return sum(durations) / workers


def makespan_longest_first(durations, workers):
    return makespan_with_a_heap(sorted(durations, reverse=True), workers)


def makespan_round_robin(durations, workers):
    """Deal the jobs out like cards, whoever is busy: not 'the worker that is free first'."""
    loads = [0.0] * workers
    for index, duration in enumerate(durations):
        loads[index % workers] += duration
    return max(loads)


def makespan_equal_jobs(durations, workers):
    return math.ceil(len(durations) / workers) * max(durations, default=0.0)


# --- overhead per job --------------------------------------------------------------------------


def overhead_one_line(total_seconds, work_seconds, jobs):
    return (total_seconds - work_seconds) / jobs


def overhead_per_job_first(total_seconds, work_seconds, jobs):
    return total_seconds / jobs - work_seconds / jobs


def overhead_not_shared(total_seconds, work_seconds, jobs):
    return total_seconds - work_seconds


def overhead_time_per_job(total_seconds, work_seconds, jobs):
    return total_seconds / jobs


def overhead_absolute(total_seconds, work_seconds, jobs):
    return abs(total_seconds - work_seconds) / jobs


# --- running a job remotely --------------------------------------------------------------------


def remote_one_line(flops, nbytes, remote_flops_per_s, bandwidth_bytes_per_s, latency_s):
    return latency_s + nbytes / bandwidth_bytes_per_s + flops / remote_flops_per_s


def remote_step_by_step(flops, nbytes, remote_flops_per_s, bandwidth_bytes_per_s, latency_s):
    transfer = latency_s + nbytes / bandwidth_bytes_per_s
    compute = flops / remote_flops_per_s
    return transfer + compute


def remote_no_latency(flops, nbytes, remote_flops_per_s, bandwidth_bytes_per_s, latency_s):
    return nbytes / bandwidth_bytes_per_s + flops / remote_flops_per_s


def remote_no_transfer(flops, nbytes, remote_flops_per_s, bandwidth_bytes_per_s, latency_s):
    return latency_s + flops / remote_flops_per_s


def remote_in_bits(flops, nbytes, remote_flops_per_s, bandwidth_bytes_per_s, latency_s):
    return latency_s + 8 * nbytes / bandwidth_bytes_per_s + flops / remote_flops_per_s


def remote_max_not_sum(flops, nbytes, remote_flops_per_s, bandwidth_bytes_per_s, latency_s):
    return latency_s + max(nbytes / bandwidth_bytes_per_s, flops / remote_flops_per_s)


CASES = [
    (check_amdahl_speedup, [amdahl_one_line, amdahl_by_times],
     [amdahl_ideal, amdahl_not_inverted, amdahl_swapped, amdahl_whole_number,
      lambda s, n: str(amdahl_one_line(s, n))]),
    (check_makespan, [makespan_with_a_list, makespan_with_a_heap],
     [makespan_lower_bound, makespan_longest_first, makespan_round_robin, makespan_equal_jobs,
      lambda d, n: None]),
    (check_per_job_overhead, [overhead_one_line, overhead_per_job_first],
     [overhead_not_shared, overhead_time_per_job, overhead_absolute, lambda t, w, n: 0.0]),
    (check_remote_seconds, [remote_one_line, remote_step_by_step],
     [remote_no_latency, remote_no_transfer, remote_in_bits, remote_max_not_sum,
      lambda f, b, r, w, lat: f / r]),
]
ids = ["amdahl_speedup", "makespan", "per_job_overhead", "remote_seconds"]


@pytest.mark.parametrize("check, solutions, wrong_answers", CASES, ids=ids)
def test_checker_works_both_ways(check, solutions, wrong_answers):
    assert_checked_both_ways(check, solutions, wrong_answers)


def test_a_function_with_the_wrong_number_of_arguments_is_told_so():
    outcome = check_remote_seconds.check(lambda flops, nbytes: flops)
    assert outcome.status == "not yet" and "5 argument(s)" in outcome.message


def test_amdahl_with_a_fully_serial_program_is_no_faster():
    assert check_amdahl_speedup.check(lambda s, n: 1.0 if s == 1 else amdahl_one_line(s, n)).passed


@pytest.mark.parametrize("check, wrong, hint", [
    (check_amdahl_speedup, amdahl_ideal, "ideal speed-up"),
    (check_amdahl_speedup, amdahl_not_inverted, "invert it"),
    (check_makespan, makespan_lower_bound, "lower bound"),
    (check_makespan, makespan_longest_first, "order given"),
    (check_per_job_overhead, overhead_not_shared, "share it among the jobs"),
    (check_per_job_overhead, overhead_absolute, "Keep the sign"),
    (check_remote_seconds, remote_no_latency, "latency is missing"),
    (check_remote_seconds, remote_in_bits, "no factor 8"),
])
def test_checkers_explain_the_usual_mistakes(check, wrong, hint):
    assert hint in check.check(wrong).message
