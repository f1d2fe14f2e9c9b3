"""Checks for notebook 12 (GPU compute basics): the FLOPs of a matrix product, achieved
GFLOP/s, a benchmark harness (a build task, run against simulated GPUs), the roofline's
attainable performance, and comparing results with a tolerance, each run on many inputs and
compared with course.compute.throughput, simulated_gpu and verification.

The benchmark check judges what the harness did, not only the number it returned: the number
must lie within the times of runs the harness itself timed alone (a clock read with an empty
queue just before ``run()`` and again after ``synchronize()``), at least ``repeats`` of them,
and the device's settings must be the same afterwards. So a number read off the device (its
kernel time, a table of the cases) or a device made easier (its slow runs removed) fails.
What this does not stop (the bound, as in course/check_channel.py): the harness runs in the
checker's process, so code that reaches the device through the handed functions' internals or
the caller's frames can rewrite the device's event log or the checker itself; reading the
notebook catches that.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from course.compute import throughput
from course.compute.simulated_gpu import SimulatedGPU
from course.compute.verification import results_agree
from course.compute.workloads import WorkResult, run_workload
from course.exercises import (
    CheckFailed,
    Exercise,
    close_enough,
    expect_function,
    expect_number,
)

# --- FLOPs of a matrix product -------------------------------------------------------------------

SHAPES: list[tuple[int, ...]] = [
    (2, 3, 4),
    (1, 1, 1),
    (4, 3, 2),
    (1, 512, 1),
    (64, 1, 64),
    (128, 128, 128),
    (1000, 10, 1),
    (3, 1024, 4096),
    (4096, 4096, 4096),
    (50_000, 784, 256),
]
SHAPES += [
    tuple(int(v) for v in np.random.default_rng(10).integers(1, 2_000, 3)) for _ in range(10)
]


def _test_matrix_product_flops(answer: Callable[[int, int, int], int]) -> str:
    expect_function(answer, 3)
    for m, k, n in SHAPES:
        got = expect_number(answer(m, k, n), f"matrix_product_flops({m}, {k}, {n})")
        expected = throughput.matrix_product_flops(m, k, n)
        if got != expected:
            hint = ""
            if got == m * k * n:
                hint = " That counts multiply-adds; each one is 2 FLOPs (a multiply and an add)."
            elif got == m * n * (2 * k - 1):
                hint = (
                    " Strictly true (a dot product of length k needs k - 1 additions), but "
                    "the convention counts k additions: 2·m·k·n."
                )
            elif got == 2 * m * n or got == 2 * m * k or got == 2 * k * n:
                hint = " One dimension is missing: m·n dot products, each of length k."
            raise CheckFailed(
                f"an ({m}, {k}) @ ({k}, {n}) product: you returned {got:,.0f} "
                f"FLOPs, expected {expected:,}.{hint}"
            )
    return (
        "m·n dot products of length k: 2·m·k·n FLOPs. A 4096² matmul is 137 GFLOP, a "
        "fraction of a second on a GPU."
    )


check_matrix_product_flops = Exercise(
    name="matrix_product_flops",
    goal="Write matrix_product_flops(m, k, n): the floating-point operations of the product of "
    "an (m, k) matrix and a (k, n) matrix, counting each multiply-add as 2 FLOPs.",
    hints=(
        "Count the work of one output entry and multiply by how many entries there are."
        " One entry of an (m x k) @ (k x n) product is a dot product of length k: k "
        "multiplications and about k additions, and a multiply-add counts as 2 FLOPs.",
        "A smaller case, by counting: a (3 x 4) @ (4 x 2) product has 3 * 2 = 6 "
        "entries, each a dot product of length 4: 4 multiplies + 4 adds = 8 FLOPs "
        "(counting a multiply-add as two). In all 6 * 8 = 48 FLOPs. Your function does "
        "the same with the letters instead of 3, 4 and 2.",
    ),
    test=_test_matrix_product_flops,
)


# --- achieved GFLOP/s ----------------------------------------------------------------------------

GFLOPS_CASES = [
    (2_000_000_000, 1.0),
    (2 * 1024**3, 0.0153),
    (2_000_000, 0.00004),
    (1, 1.0),
    (0, 0.5),
    (137_438_953_472, 0.0021),
    (10**15, 3600.0),
    (500_000, 2e-6),
]
GFLOPS_CASES += list(
    zip(
        [int(v) for v in np.random.default_rng(11).integers(1, 10**13, 10)],
        [round(float(v), 9) for v in np.exp(np.random.default_rng(12).uniform(-11, 3, 10))],
        strict=True,
    )
)


def _test_achieved_gflops(answer: Callable[[float, float], float]) -> str:
    expect_function(answer, 2)
    for flops, seconds in GFLOPS_CASES:
        got = expect_number(answer(flops, seconds), f"achieved_gflops({flops}, {seconds})")
        expected = throughput.achieved_gflops(flops, seconds)
        if not close_enough(got, expected):
            hint = ""
            if close_enough(got, expected * 1e9):
                hint = " That is FLOP/s: divide by 1e9 for GFLOP/s."
            elif close_enough(got, expected * 1e3):
                hint = " That is MFLOP/s (divided by 1e6): giga is 1e9."
            elif close_enough(got, flops / seconds / 2**30):
                hint = " Giga in FLOP/s means 10**9, not 2**30."
            elif flops and close_enough(got, seconds / flops / 1e9):
                hint = " Upside down: work divided by time."
            raise CheckFailed(
                f"{flops:,} FLOPs in {seconds} s: you returned {got:g} GFLOP/s, "
                f"expected {expected:g}.{hint}"
            )
    return "GFLOP/s = FLOPs / seconds / 1e9: a 1024² matmul in 15 ms runs at about 143 GFLOP/s."


check_achieved_gflops = Exercise(
    name="achieved_gflops",
    goal="Write achieved_gflops(flops, seconds): the throughput in GFLOP/s (billions of "
    "floating-point operations per second) of a job that did flops operations in seconds.",
    hints=(
        "Throughput is work per unit of time: FLOPs done divided by seconds taken. "
        "GFLOP/s means billions (1e9) of FLOPs per second.",
        "A different job with the same arithmetic: 6e11 FLOPs in 0.25 s is 6e11 / 0.25 "
        "= 2.4e12 FLOP/s, which is 2.4e12 / 1e9 = 2400 GFLOP/s. Check the units before "
        "you code: FLOPs, then per second, then in billions.",
    ),
    test=_test_achieved_gflops,
)


# --- the roofline --------------------------------------------------------------------------------

MACHINES = [(768.0, 60.0), (67_000.0, 3_350.0), (19_500.0, 2_039.0), (100.0, 100.0), (1.0, 1000.0)]
INTENSITIES = [0.0, 1 / 12, 0.25, 1.0, 5.0, 12.8, 20.0, 42.667, 170.667, 1365.3]


def _test_roofline_gflops(answer: Callable[[float, float, float], float]) -> str:
    expect_function(answer, 3)
    regimes = set()
    for peak, bandwidth in MACHINES:
        for intensity in [*INTENSITIES, throughput.ridge_point(peak, bandwidth)]:
            call = f"roofline_gflops({intensity:g}, {peak:g}, {bandwidth:g})"
            got = expect_number(answer(intensity, peak, bandwidth), call)
            expected = throughput.roofline_gflops(intensity, peak, bandwidth)
            regime = "memory" if intensity * bandwidth < peak else "compute"
            regimes.add(regime)
            if not close_enough(got, expected):
                hint = ""
                if regime == "memory" and close_enough(got, peak):
                    hint = (
                        " Memory cannot deliver the bytes that fast: here intensity × "
                        "bandwidth is the limit. Both roofs hold: take the smaller."
                    )
                elif regime == "compute" and close_enough(got, intensity * bandwidth):
                    hint = (
                        " No kernel beats the chip's peak: cap the result at peak_gflops. "
                        "Both roofs hold: take the smaller."
                    )
                raise CheckFailed(
                    f"{call}, a {regime}-bound case: you returned {got:g}, "
                    f"expected {expected:g}.{hint}"
                )
    return (
        "Attainable = min(peak, intensity × bandwidth): below the ridge point memory is the "
        "limit, above it arithmetic."
    )


check_roofline_gflops = Exercise(
    name="roofline_gflops",
    goal="Write roofline_gflops(intensity, peak_gflops, bandwidth_gb_s): the most GFLOP/s a "
    "kernel doing intensity FLOPs per byte can reach on a machine with that peak arithmetic "
    "rate and memory bandwidth (GB/s).",
    hints=(
        "The roofline model: a kernel is limited by two roofs at once. Memory delivers "
        "at most bandwidth bytes per second, and each byte feeds `intensity` FLOPs; the"
        " chip computes at most its peak. What you get is the lower of the two roofs.",
        "On made-up numbers: a chip with a 500 GFLOP/s peak and 50 GB/s of memory "
        "bandwidth. At 2 FLOPs per byte memory allows 2 x 50 = 100 GFLOP/s, below the "
        "peak: memory-bound, 100. At 20 FLOPs per byte memory would allow 1000, but the"
        " chip stops at 500: compute-bound, 500.",
    ),
    test=_test_roofline_gflops,
)


# --- comparing results with a tolerance ----------------------------------------------------------

# (a, b, rtol, atol): every case is at least a factor 2 away from the tolerance's edge, so
# np.allclose, math.isclose and a hand-written |a - b| <= atol + rtol * |b| all agree.
TOLERANCE_CASES: list[tuple[Sequence[float], Sequence[float], float, float]] = [
    ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], 1e-4, 1e-5),
    ([1.0, 2.0, 3.0], [1.0000001, 1.9999999, 3.0000002], 1e-4, 1e-5),
    ([1.0, 2.0, 3.0], [0.0, 0.0, 0.0], 1e-4, 1e-5),
    ([1.0, 2.0, 3.0], [1.0, 2.0, 3.1], 1e-4, 1e-5),
    ([1.0, 2.0], [2.0, 1.0], 1e-4, 1e-5),
    ([0.0], [5.0], 1e-4, 1e-5),
    ([5.0], [0.0], 1e-4, 1e-5),
    ((0.0, 1e-7, -2e-7), (1e-7, 0.0, 0.0), 1e-4, 1e-5),
    ((1e6, 2e6), (1e6 + 50.0, 2e6 - 80.0), 1e-4, 1e-5),
    ((-1e6, 3.0), (-1e6 - 50.0, 3.0), 1e-4, 1e-5),
    ((1e6,), (1e6 + 500.0,), 1e-4, 1e-5),
    ([0.1 + 0.2], [0.3], 0.0, 0.0),
    ([0.5, 0.25], [0.5, 0.25], 0.0, 0.0),
    ([100.0], [100.5], 1e-2, 0.0),
    ([100.0], [103.0], 1e-2, 0.0),
    ([0.003], [0.001], 0.0, 0.01),
    ([0.003], [0.001], 0.0, 1e-3),
]


def _workload_cases() -> list[tuple[Sequence[float], Sequence[float], float, float]]:
    """Real summaries: an honest rerun with float noise, and a different job's answer."""
    honest = run_workload("matmul", {"size": 64, "seed": 10}).summary
    other = run_workload("matmul", {"size": 64, "seed": 11}).summary
    noisy = tuple(v * (1 + 2e-6 * (-1) ** i) for i, v in enumerate(honest))
    return [
        (honest, noisy, 1e-4, 1e-5),
        (honest, other, 1e-4, 1e-5),
        (honest, tuple(0.5 * v for v in honest), 1e-4, 1e-5),
    ]


def _reference(a: Sequence[float], b: Sequence[float], rtol: float, atol: float) -> bool:
    return results_agree(
        WorkResult("job", tuple(a), 0, "cpu"),
        WorkResult("job", tuple(b), 0, "cpu"),
        rtol=rtol,
        atol=atol,
    )


def _test_close_enough(
    answer: Callable[[Sequence[float], Sequence[float], float, float], bool],
) -> str:
    expect_function(answer, 4)
    for a, b, rtol, atol in [*TOLERANCE_CASES, *_workload_cases()]:
        shown = f"close_enough({_show(a)}, {_show(b)}, rtol={rtol:g}, atol={atol:g})"
        got = answer(list(a), list(b), rtol, atol)
        if not isinstance(got, bool | np.bool_):
            raise CheckFailed(
                f"{shown} returned {type(got).__name__} {got!r}: expected True or False."
            )
        expected = _reference(a, b, rtol, atol)
        if bool(got) != expected:
            hint = ""
            if expected and rtol == 0 and atol == 0:
                hint = " Equal numbers must pass even with zero tolerance (use <=, not <)."
            elif expected and max(map(abs, b)) < 1e-3:
                hint = " Near zero a relative tolerance is tiny: the absolute one has to help."
            elif expected and max(map(abs, b)) > 1e3:
                hint = (
                    " For big numbers the absolute tolerance is tiny: the relative one "
                    "(rtol × |b|, with the absolute value) has to help."
                )
            elif expected:
                hint = " Numbers that differ only by rounding noise must count as close."
            elif not expected and sum(a) == sum(b):
                hint = " Compare element by element, not sums: these have the same sum."
            elif not expected:
                hint = " Every pair must be close (all, not any), by |a - b|, with the abs."
            raise CheckFailed(f"{shown} returned {bool(got)}, expected {expected}.{hint}")
    return (
        "Close enough = |a − b| ≤ atol + rtol·|b| for every pair: float noise passes, a "
        "wrong answer does not. Verification in notebook 13 uses exactly this."
    )


def _show(values: Sequence[float]) -> str:
    if len(values) > 4:
        return f"[{', '.join(f'{v:.6g}' for v in values[:3])}, ... ({len(values)} numbers)]"
    return f"[{', '.join(repr(float(v)) for v in values)}]"


check_close_enough = Exercise(
    name="close_enough",
    goal="Write close_enough(a, b, rtol, atol): True when two equally long lists of floats "
    "agree element by element up to a relative tolerance rtol and an absolute tolerance atol, "
    "as np.allclose decides: |a[i] - b[i]| <= atol + rtol * |b[i]| for every i.",
    hints=(
        "Floats from different hardware differ in the last digits, so compare with a "
        "tolerance, element by element: a pair is close when |x - y| <= atol + rtol * "
        "|y| (numpy's allclose rule). One pair outside the tolerance makes the whole "
        "answer False.",
        "With rtol = 0.01 and atol = 0.1: 100 vs 100.5 is allowed 0.1 + 0.01 * 100.5 = "
        "1.105 and differs by 0.5: close. 1.0 vs 1.3 is allowed 0.1 + 0.013 = 0.113 but"
        " differs by 0.3: not close, so the two sequences [100, 1.0] and [100.5, 1.3] "
        "are not close enough.",
    ),
    test=_test_close_enough,
)


# --- Try it 3 (a build task): a benchmark harness that a GPU cannot fool -------------------------


@dataclass(frozen=True)
class _BenchmarkCase:
    """One simulated GPU and the repeats the check asks the learner's harness for."""

    kernel_s: float
    launch_s: float
    first_call_factor: float
    repeats: int
    stolen: tuple[tuple[int, float], ...]  # (run number, extra seconds another process took)
    seed: int

    def device(self) -> SimulatedGPU:
        return SimulatedGPU(
            self.kernel_s,
            self.launch_s,
            self.first_call_factor,
            stolen=dict(self.stolen),
            jitter=BENCHMARK_JITTER,
            seed=self.seed,
            start=1_000.0 + self.seed,
        )

    def describe(self, number: int) -> str:
        slow = ""
        if self.stolen:
            runs = ", ".join(f"#{run}" for run, _ in self.stolen)
            slow = f", run{'s' if len(self.stolen) > 1 else ''} {runs} slowed by another process"
        return (
            f"simulated GPU #{number} (a {_duration(self.kernel_s)} kernel, "
            f"{_duration(self.launch_s)} to launch, first call "
            f"{self.first_call_factor:.0f}x slower{slow}; repeats={self.repeats})"
        )


BENCHMARK_JITTER = 0.02  # each run takes up to 2% longer than the kernel: noise only adds time
BENCHMARK_TOLERANCE = 0.05  # a right answer is within 5% of one run's true time
RANGE_SLACK = 1e-6  # ... and within the runs it timed (float32 rounding allowed)


def _benchmark_cases() -> list[_BenchmarkCase]:
    """Hand-picked devices first (each exposes one mistake), then seeded random ones.

    Slow runs are placed at run numbers 3 .. repeats, which are timed whether a harness warms
    up with 1, 2 or 3 runs, and fewer than half the timed runs are slow, so a median holds.
    """
    cases = [
        _BenchmarkCase(2e-3, 5e-6, 50.0, 1, (), 1),  # one timed run: nothing hides a mistake
        _BenchmarkCase(2e-3, 5e-6, 50.0, 2, (), 2),
        _BenchmarkCase(1e-3, 5e-6, 50.0, 7, ((3, 0.02), (5, 0.03)), 3),
        _BenchmarkCase(0.25, 8e-6, 20.0, 5, ((4, 5.0),), 4),
        _BenchmarkCase(4e-4, 3e-6, 100.0, 1, (), 5),
        _BenchmarkCase(4e-4, 3e-6, 100.0, 9, ((3, 0.004), (6, 0.01), (9, 0.008)), 6),
    ]
    rng = np.random.default_rng(2012)  # the year AlexNet trained on two GPUs
    for seed in range(7, 37):
        kernel_s = float(10 ** rng.uniform(-3.7, 0.2))  # 200 µs to 1.6 s
        launch_s = float(rng.uniform(3e-6, 10e-6))  # at most 5% of the kernel
        factor = float(rng.uniform(20, 100))
        repeats = int(rng.choice([1, 2, 3, 4, 5, 7, 10, 15]))
        stolen: tuple[tuple[int, float], ...] = ()
        if repeats >= 3:
            count = int(rng.integers(1, (repeats - 1) // 2 + 1))
            runs = sorted(
                int(r) for r in rng.choice(np.arange(3, repeats + 1), count, replace=False)
            )
            stolen = tuple((run, float(kernel_s * rng.uniform(5, 30))) for run in runs)
        cases.append(_BenchmarkCase(kernel_s, launch_s, factor, repeats, stolen, seed))
    return cases


class _Handed:
    """What the learner's harness is handed: a device method that calls itself by its name in
    messages (``run``, not a bound method's repr) and keeps the device out of reach."""

    def __init__(self, name: str, call: Callable[[], object]) -> None:
        self._name, self._call = name, call

    def __call__(self) -> object:
        return self._call()

    def __repr__(self) -> str:
        return self._name


def _handed(device: SimulatedGPU) -> tuple[_Handed, _Handed, _Handed]:
    return (
        _Handed("run", device.run),
        _Handed("synchronize", device.synchronize),
        _Handed("clock", device.clock),
    )


def _duration(seconds: float) -> str:
    """1.5e-05 -> '15 µs', 0.002 -> '2 ms', 0.25 -> '250 ms', 3 -> '3 s' (3 significant)."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if abs(seconds) >= scale or unit == "ns":
            return f"{seconds / scale:.3g} {unit}"
    raise AssertionError("unreachable")


def _queued_reads(device: SimulatedGPU) -> tuple[int, int]:
    """Clock reads taken while the device still had work queued: (before a run, elsewhere).

    A read followed by run() started a timing with old work in the queue; any other one
    stopped a timing before the work was done.
    """
    events = device.events
    starts = stops = 0
    for index, event in enumerate(events):
        if event.kind != "clock" or not event.queued:
            continue
        following = next((e.kind for e in events[index + 1 :] if e.kind != "clock"), None)
        if following == "run":
            starts += 1
        else:
            stops += 1
    return starts, stops


def _timed_alone(device: SimulatedGPU) -> list[float]:
    """The seconds of each run the harness timed alone: the latest clock read before it with
    the queue empty (and no other run between), to the first such read after it."""
    events = device.events
    seconds = []
    for index, event in enumerate(events):
        if event.kind != "run":
            continue
        before = after = None
        for earlier in reversed(events[:index]):
            if earlier.kind == "run":
                break
            if earlier.kind == "clock" and not earlier.queued:
                before = earlier.at
                break
        for later in events[index + 1 :]:
            if later.kind == "run":
                break
            if later.kind == "clock" and not later.queued:
                after = later.at
                break
        if before is not None and after is not None:
            seconds.append(after - before)
    return seconds


def _largest_batch(device: SimulatedGPU) -> int:
    """The most runs launched between two clock reads taken with an empty queue."""
    largest, runs = 0, None  # None: no such read yet, so the runs so far are not timed
    for event in device.events:
        if event.kind == "run" and runs is not None:
            runs += 1
        elif event.kind == "clock" and not event.queued:
            largest, runs = max(largest, runs or 0), 0
    return largest


def _settings(device: SimulatedGPU) -> tuple[object, ...]:
    return (
        device.kernel_s,
        device.launch_s,
        device.first_call_factor,
        device.jitter,
        dict(device.stolen),
    )


def _benchmark_mistake(got: float, case: _BenchmarkCase, device: SimulatedGPU) -> str:
    """Why a wrong time came back, read from what the harness did to the device."""
    kinds = [event.kind for event in device.events]
    repeats, true_s = case.repeats, device.seconds_per_run
    timed = device.run_seconds[-repeats:]  # whatever the warm-up, the last runs are timed
    starts, stops = _queued_reads(device)

    def near(value: float, target: float) -> bool:
        return abs(value - target) <= 0.1 * abs(target)

    if "clock" not in kinds:
        return (
            " Your benchmark never called clock(): time with the clock it is given (the "
            "check passes a simulated one; on real work it is time.perf_counter)."
        )
    if "synchronize" not in kinds or stops:
        return (
            " You timed the launch, not the work: run() only queues the kernel and returns "
            "at once, so the clock stopped before the device had finished. Call "
            "synchronize() after run() and before reading the clock."
        )
    if near(got, 1e3 * true_s) or near(got, 1e6 * true_s):
        unit = "milliseconds" if near(got, 1e3 * true_s) else "microseconds"
        return f" That looks like {unit}: return seconds, as clock() gives them."
    if starts:
        return (
            " The clock started while earlier work (the slow warm-up run) was still "
            "queued on the device, so its leftover time landed in a timed run: "
            "synchronize() before starting the clock too."
        )
    if repeats >= 2 and near(got, sum(timed)):
        return (
            f" That is the total of all {repeats} timed runs: return the time of one run "
            "(the median of the runs' times)."
        )
    if case.stolen and near(got, sum(timed) / repeats):
        return (
            " That is the mean of the timed runs: a run slowed by another process drags an "
            "average up. Take the median, which a few slow runs cannot move."
        )
    if got > true_s:
        return (
            " Too slow: is a warm-up run, a slow run (another process) or a leftover from "
            "the queue inside the number you return? Time each run alone and take the "
            "median."
        )
    return ""


def _test_benchmark(answer: Callable[..., float]) -> str:
    """Run the harness on every simulated GPU; judge its number and what it did to the device.

    Not a sandbox: see the module's docstring for what a determined harness can still fake.
    """
    expect_function(answer, 3)
    try:
        inspect.signature(answer).bind(None, None, None, repeats=1)
    except TypeError:
        device = SimulatedGPU(1e-3)
        answer(*_handed(device))  # a placeholder says "not done"
        raise CheckFailed(
            f"Your function should take run, synchronize, clock and repeats= "
            f"(with a default); its signature is "
            f"{answer.__name__}{inspect.signature(answer)}."
        ) from None
    except ValueError:  # no signature to read; calling it will tell
        pass
    cases = _benchmark_cases()
    for number, case in enumerate(cases, 1):
        device = case.device()
        call = f"benchmark(run, synchronize, clock, repeats={case.repeats})"
        got = expect_number(
            answer(*_handed(device), repeats=case.repeats),
            f"{call} on {case.describe(number)}",
        )
        runs = len(device.run_seconds)
        where = f"On {case.describe(number)}"
        if runs == case.repeats:
            raise CheckFailed(
                f"{where} run() was called {runs} time(s), no more than the timed runs: "
                "no warm-up, so the first call was timed, and it pays a one-off cost "
                f"(allocating, compiling; here {case.first_call_factor:.0f}x a normal run). "
                "Warm up with one untimed run (and synchronize()) before the timed ones."
            )
        if runs < case.repeats:
            raise CheckFailed(
                f"{where} run() was called {runs} time(s), but repeats="
                f"{case.repeats} asks for {case.repeats} timed runs after a "
                "warm-up."
            )
        if _settings(device) != _settings(case.device()):
            raise CheckFailed(
                f"{where} the simulated device's settings (its kernel time, launch time, "
                "first-call cost or slow runs) changed while your benchmark ran: a harness "
                "measures the device, it does not adjust it."
            )
        true_s = device.seconds_per_run
        if abs(got - true_s) > BENCHMARK_TOLERANCE * true_s:
            raise CheckFailed(
                f"{where} your benchmark returned {got:.6g} s, but one run takes "
                f"{_duration(true_s)} ({true_s:.6g} s)."
                f"{_benchmark_mistake(got, case, device)}"
            )
        alone = _timed_alone(device)
        if not any(event.kind == "clock" for event in device.events):
            raise CheckFailed(
                f"{where} your benchmark returned {got:.6g} s without ever calling clock(): "
                "the number must come from timing the runs with the clock it is given."
            )
        batch = _largest_batch(device)
        if len(alone) < case.repeats and batch > 1:
            raise CheckFailed(
                f"{where} your benchmark timed {batch} runs together between two clock reads: "
                "divided, that is the mean of the runs, and one run slowed by another process "
                "drags a mean up. Time each run alone and take the median."
            )
        if len(alone) < case.repeats:
            raise CheckFailed(
                f"{where} your benchmark returned {got:.6g} s, but timed only {len(alone)} "
                "run(s) alone (the clock read with an empty queue just before run() and again "
                f"after synchronize()), and repeats={case.repeats} asks for {case.repeats}: "
                "the number must come from your own measurements."
            )
        low, high = min(alone), max(alone)
        if not low * (1 - RANGE_SLACK) <= got <= high * (1 + RANGE_SLACK):
            raise CheckFailed(
                f"{where} your benchmark returned {got:.6g} s, but the runs it timed took "
                f"{low:.6g} s to {high:.6g} s: return a statistic of your own measurements "
                "(their median), not a number from elsewhere."
            )
    return (
        f"{len(cases)} simulated GPUs, none fooled you: warm-up left out, the clock read only "
        "when the queue was empty, and the median ignored the runs another process slowed "
        "down."
    )


check_benchmark = Exercise(
    name="benchmark",
    goal="Write benchmark(run, synchronize, clock, repeats=5): the typical seconds one call of "
    "run() takes. run() launches the work (on a GPU it returns before the work is done), "
    "synchronize() waits until the device has finished everything queued, clock() reads the "
    "time in seconds. Warm up first (untimed), then time repeats runs one by one, each started "
    "and stopped with nothing left in the queue, and return the median of their times.",
    hints=(
        "Section 2's rules for timing honestly, made into code: the first call pays one-off "
        "costs, so it is not timed; a GPU call returns before its work is done, so the device "
        "must be idle both when the clock starts (nothing left over from earlier calls) and "
        "when it stops (the work just launched has finished); noise only ever adds time to a "
        "run, so summarise the runs with a statistic that a few slow ones cannot move.",
        "Pseudo-code for timing a print shop that takes orders at the counter and prints in "
        "the back room: hand in one order and wait for it (the first one also warms up the "
        "machine, so it is not counted); then, several times: wait until the shop is idle, "
        "note the time, hand in an order, wait for the 'done' bell, note the time again and "
        "keep the difference. Report the middle value of the sorted differences (with an even "
        "count, the average of the two middle ones), in seconds.",
    ),
    test=_test_benchmark,
)
