"""How fast is this machine? Time torch work honestly and turn seconds into GFLOP/s.

Throughput is work per second: FLOPs (floating-point operations) divided by the time they
took. Two limits cap it, and the roofline model (Williams, Waterman & Patterson, 2009)
draws both: the chip's peak arithmetic rate, and how fast memory can feed it with data.

Taught in notebook 12 (and used by 13's overhead measurements).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from course.compute.devices import check_device
from course.compute.errors import MeasurementError
from course.compute.workloads import SIZE_LIMITS
from course.validation import ensure, ensure_int, ensure_number

MAX_SIZE = SIZE_LIMITS["size"]  # the largest matrix side a measurement takes
MAX_REPEATS = 10_000  # timed calls of one measurement


def _count(value: Any, name: str, minimum: int = 1, maximum: int | None = None) -> int:
    return ensure_int(value, name, minimum=minimum, maximum=maximum, error=MeasurementError)


def _positive(value: Any, name: str) -> float:
    return ensure_number(value, name, above=0, error=MeasurementError)


def _non_negative(value: Any, name: str) -> float:
    return ensure_number(value, name, minimum=0, error=MeasurementError)


# ---- counting --------------------------------------------------------------------------


def matrix_product_flops(m: int, k: int, n: int) -> int:
    """FLOPs of an (m, k) @ (k, n) product: m·n dot products of length k, each k
    multiplications and k additions, so 2·m·k·n (the convention BLAS and torch use)."""
    return 2 * _count(m, "m") * _count(k, "k") * _count(n, "n")


def achieved_gflops(flops: int | float, seconds: float) -> float:
    """Throughput in GFLOP/s (10⁹ floating-point operations per second): flops / seconds / 1e9."""
    return _non_negative(flops, "flops") / _positive(seconds, "seconds") / 1e9


def matmul_arithmetic_intensity(size: int, bytes_per_element: int = 4) -> float:
    """FLOPs per byte moved for an n×n matmul: 2n³ FLOPs over 3n² elements (read A and B,
    write C) of ``bytes_per_element`` bytes each, i.e. 2n / (3·bytes). Bigger n, more reuse.

    This is the best case, where every element crosses the memory bus exactly once.
    """
    size, bytes_per_element = _count(size, "size"), _count(bytes_per_element, "bytes_per_element")
    return 2 * size**3 / (3 * size**2 * bytes_per_element)


# ---- the roofline ------------------------------------------------------------------------


def roofline_gflops(intensity: float, peak_gflops: float, bandwidth_gb_s: float) -> float:
    """The most GFLOP/s a kernel of ``intensity`` FLOPs per byte can reach on a machine:
    min(peak, intensity × bandwidth). Below the ridge memory is the limit, above it compute."""
    intensity = _non_negative(intensity, "intensity")
    peak_gflops = _positive(peak_gflops, "peak_gflops")
    bandwidth_gb_s = _positive(bandwidth_gb_s, "bandwidth_gb_s")
    return min(peak_gflops, intensity * bandwidth_gb_s)


def ridge_point(peak_gflops: float, bandwidth_gb_s: float) -> float:
    """The intensity (FLOPs per byte) where the two roofs meet: peak / bandwidth.
    A kernel needs at least this much reuse of each byte to keep the arithmetic units busy."""
    return _positive(peak_gflops, "peak_gflops") / _positive(bandwidth_gb_s, "bandwidth_gb_s")


# ---- measuring ---------------------------------------------------------------------------


def _synchronize(device: str) -> None:
    """Wait for queued GPU work: CUDA calls return before the GPU has finished."""
    if device.startswith("cuda"):
        torch.cuda.synchronize(torch.device(device))


def time_workload(work: Callable[[], object], device: str = "cpu", repeats: int = 3,
                  warmup: int = 1) -> float:
    """Run ``work()`` ``warmup`` times untimed, then ``repeats`` times; return the best time in
    seconds. Best-of, because noise (other programs, caches, clock boosts) only adds time.

    On CUDA the clock stops only after ``torch.cuda.synchronize()``: kernels run
    asynchronously, and without it you would time the launch, not the work.
    """
    ensure(callable(work), MeasurementError, "work", work, "a function to call")
    device = check_device(device)
    repeats = _count(repeats, "repeats", maximum=MAX_REPEATS)
    warmup = _count(warmup, "warmup", minimum=0, maximum=MAX_REPEATS)
    for _ in range(warmup):  # first calls pay for memory allocation, kernel selection, caches
        work()
    _synchronize(device)
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        _synchronize(device)
        best = min(best, time.perf_counter() - start)
    return best


@dataclass(frozen=True)
class MatmulMeasurement:
    """One timed ``size × size`` float32 matmul: its best time and its throughput."""

    size: int
    device: str
    seconds: float  # best of the repeats
    flops: int  # 2 · size³

    @property
    def gflops(self) -> float:
        """Achieved throughput in GFLOP/s."""
        return achieved_gflops(self.flops, self.seconds)


def measure_matmul(size: int, device: str = "cpu", repeats: int = 3,
                   warmup: int = 1) -> MatmulMeasurement:
    """Time ``a @ b`` for two seeded random float32 ``size × size`` matrices on ``device``.

    Raises:
        MeasurementError (a ValueError): naming the parameter, for a size, repeats or warmup
            that is not a whole number in range. DeviceError (a ValueError): for a device torch
            cannot use here (e.g. "cuda" without a GPU).
    """
    size, device = _count(size, "size", maximum=MAX_SIZE), check_device(device)
    generator = torch.Generator().manual_seed(size)
    a = torch.randn(size, size, generator=generator).to(device)  # (size, size)
    b = torch.randn(size, size, generator=generator).to(device)  # (size, size)
    seconds = time_workload(lambda: a @ b, device, repeats=repeats, warmup=warmup)
    seconds = max(seconds, 1e-9)  # a clock tick can read 0 for a tiny matrix
    return MatmulMeasurement(size, device, seconds, matrix_product_flops(size, size, size))
