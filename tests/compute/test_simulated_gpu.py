"""The simulated GPU behind notebook 12's benchmark check: launches return at once, work runs
on in virtual time, synchronize() waits for the queue, and a harness cannot cheat its clock."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.compute.errors import MeasurementError
from course.compute.simulated_gpu import MAX_RUNS, SimulatedGPU


def test_run_returns_after_the_launch_and_the_work_goes_on():
    gpu = SimulatedGPU(kernel_s=2e-3, launch_s=5e-6, first_call_factor=1.0, start=10.0)
    gpu.run()
    assert gpu.clock() == pytest.approx(10.0 + 5e-6)  # only the launch has passed
    gpu.synchronize()
    assert gpu.clock() == pytest.approx(10.0 + 5e-6 + 2e-3)


def test_the_first_call_pays_its_one_off_cost_once():
    gpu = SimulatedGPU(kernel_s=1e-3, launch_s=0.0, first_call_factor=50.0)
    for _ in range(3):
        gpu.run()
        gpu.synchronize()
    assert gpu.run_seconds == pytest.approx([50e-3, 1e-3, 1e-3])


def test_kernels_queue_back_to_back_and_a_stolen_run_takes_longer():
    gpu = SimulatedGPU(
        kernel_s=1e-3, launch_s=1e-6, first_call_factor=1.0, stolen={1: 0.5}, start=0.0
    )
    for _ in range(3):
        gpu.run()  # three launches, no waiting: the host is 3 µs in
    assert gpu.clock() == pytest.approx(3e-6)
    assert gpu.events[-1].queued
    gpu.synchronize()
    assert gpu.clock() == pytest.approx(1e-6 + 3e-3 + 0.5)  # first launch, then work in a row
    assert not gpu.events[-1].queued


def test_jitter_only_adds_time_and_is_the_same_for_the_same_seed():
    times = []
    for _ in range(2):
        gpu = SimulatedGPU(kernel_s=1e-3, launch_s=0.0, first_call_factor=1.0, jitter=0.02, seed=7)
        for _ in range(20):
            gpu.run()
        times.append(gpu.run_seconds)
    assert times[0] == times[1]
    assert all(1e-3 <= t <= 1.02e-3 for t in times[0])


@pytest.mark.parametrize(
    "field, kwargs",
    [
        ("kernel_s", {"kernel_s": 0.0}),
        ("kernel_s", {"kernel_s": float("nan")}),
        ("launch_s", {"kernel_s": 1e-3, "launch_s": -1e-6}),
        ("first_call_factor", {"kernel_s": 1e-3, "first_call_factor": 0.5}),
        ("jitter", {"kernel_s": 1e-3, "jitter": 2.0}),
        ("stolen run", {"kernel_s": 1e-3, "stolen": {-1: 0.1}}),
        ("stolen seconds", {"kernel_s": 1e-3, "stolen": {2: -0.1}}),
        ("kernel_s", {"kernel_s": True}),
    ],
)
def test_a_bad_device_description_is_refused_naming_the_field(field, kwargs):
    with pytest.raises(MeasurementError, match=field):
        SimulatedGPU(**kwargs)


def test_a_harness_stuck_in_a_loop_is_stopped():
    gpu = SimulatedGPU(kernel_s=1e-6)
    with pytest.raises(MeasurementError, match="10,000 times"):
        for _ in range(MAX_RUNS + 1):
            gpu.run()


def median_harness(gpu: SimulatedGPU, repeats: int) -> float:
    gpu.run()
    seconds = []
    for _ in range(repeats):
        gpu.synchronize()
        start = gpu.clock()
        gpu.run()
        gpu.synchronize()
        seconds.append(gpu.clock() - start)
    return statistics.median(seconds)


@settings(max_examples=60, deadline=None)
@given(
    kernel_s=st.floats(1e-5, 10.0),
    launch_s=st.floats(0.0, 1e-4),
    factor=st.floats(1.0, 1_000.0),
    repeats=st.integers(1, 25),
    slow=st.lists(st.integers(1, 25), max_size=5, unique=True),
    seed=st.integers(0, 99),
)
def test_a_synchronized_median_sees_the_true_time_whatever_the_device(
    kernel_s, launch_s, factor, repeats, slow, seed
):
    timed = [run for run in slow if 1 <= run <= repeats]
    if len(timed) >= (repeats + 1) // 2:
        return  # too many slow runs: no statistic can see past them
    gpu = SimulatedGPU(
        kernel_s,
        launch_s,
        factor,
        stolen={run: 100 * kernel_s for run in slow},
        jitter=0.02,
        seed=seed,
    )
    got = median_harness(gpu, repeats)
    assert gpu.seconds_per_run <= got * (1 + 1e-9)
    assert got <= gpu.seconds_per_run * 1.02 + 1e-12


@settings(max_examples=40, deadline=None)
@given(
    kernel_s=st.floats(1e-4, 1.0),
    launch_s=st.floats(1e-7, 1e-5),
    extra_reads=st.lists(st.booleans(), max_size=30),
    seed=st.integers(0, 99),
)
def test_no_order_of_calls_lets_the_clock_run_backwards_or_skip_queued_work(
    kernel_s, launch_s, extra_reads, seed
):
    """An attacker's harness mixes runs, reads and synchronizations at random: the clock never
    goes back, and after synchronize() every launched kernel's work has been paid for."""
    gpu = SimulatedGPU(kernel_s, launch_s, first_call_factor=3.0, jitter=0.02, seed=seed, start=0.0)
    last = gpu.clock()
    for launch in extra_reads:
        gpu.run() if launch else gpu.clock()
        now = gpu.clock()
        assert now >= last
        last = now
    gpu.synchronize()
    runs = len(gpu.run_seconds)
    if runs:
        work = sum(gpu.run_seconds) - runs * launch_s
        assert gpu.clock() >= launch_s + work - 1e-12
