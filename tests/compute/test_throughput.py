import math

import pytest
import torch

from course.compute.throughput import (
    MatmulMeasurement,
    achieved_gflops,
    matmul_arithmetic_intensity,
    matrix_product_flops,
    measure_matmul,
    ridge_point,
    roofline_gflops,
    time_workload,
)
from course.compute.workloads import matmul_flops

# --- counting -------------------------------------------------------------------------------


def test_a_matrix_product_costs_two_flops_per_multiply_add():
    # (2, 3) @ (3, 4): 8 dot products of length 3, each 3 multiplications and 3 additions
    assert matrix_product_flops(2, 3, 4) == 8 * (3 + 3) == 48
    assert matrix_product_flops(1, 1, 1) == 2


def test_a_square_product_agrees_with_the_workload_counter():
    for size in (1, 7, 64, 1000):
        assert matrix_product_flops(size, size, size) == matmul_flops(size) == 2 * size**3


def test_the_count_agrees_with_torchs_own_flop_counter():
    from torch.utils.flop_counter import FlopCounterMode

    a, b = torch.ones(5, 7), torch.ones(7, 3)
    with FlopCounterMode(display=False) as counter:
        a @ b
    assert counter.get_total_flops() == matrix_product_flops(5, 7, 3) == 210


def test_achieved_gflops_is_flops_per_second_in_billions():
    assert achieved_gflops(2e9, 1.0) == 2.0
    assert achieved_gflops(matmul_flops(1000), 0.02) == pytest.approx(100.0)
    assert achieved_gflops(0, 1.0) == 0.0


def test_arithmetic_intensity_by_hand():
    # n = 3, float32: 2·27 = 54 FLOPs over 3 matrices × 9 elements × 4 bytes = 108 bytes
    assert matmul_arithmetic_intensity(3) == pytest.approx(54 / 108)
    # n = 1024, float32: 2n / (3·4) = 170.67 FLOPs per byte
    assert matmul_arithmetic_intensity(1024) == pytest.approx(2048 / 12)
    # float64 moves twice the bytes for the same FLOPs: half the intensity
    assert matmul_arithmetic_intensity(1024, 8) == pytest.approx(
        matmul_arithmetic_intensity(1024) / 2)


def test_intensity_grows_linearly_with_the_matrix_size():
    assert matmul_arithmetic_intensity(2000) == pytest.approx(2 * matmul_arithmetic_intensity(1000))


# --- the roofline ---------------------------------------------------------------------------


def test_a_low_intensity_kernel_is_limited_by_memory_bandwidth():
    # 0.25 FLOP/byte × 100 GB/s = 25 GFLOP/s, far below a 1000 GFLOP/s peak
    assert roofline_gflops(0.25, peak_gflops=1000, bandwidth_gb_s=100) == 25.0


def test_a_high_intensity_kernel_is_limited_by_the_peak():
    assert roofline_gflops(170.0, peak_gflops=1000, bandwidth_gb_s=100) == 1000.0


def test_the_roofs_meet_at_the_ridge_point():
    ridge = ridge_point(1000, 100)
    assert ridge == 10.0
    assert roofline_gflops(ridge, 1000, 100) == 1000.0
    assert roofline_gflops(ridge / 2, 1000, 100) == 500.0
    assert roofline_gflops(0, 1000, 100) == 0.0


# --- measuring ------------------------------------------------------------------------------


def test_measure_matmul_returns_positive_finite_numbers_and_the_flop_count():
    result = measure_matmul(32, "cpu", repeats=2, warmup=1)
    assert isinstance(result, MatmulMeasurement)
    assert (result.size, result.device, result.flops) == (32, "cpu", 2 * 32**3)
    assert result.seconds > 0 and math.isfinite(result.seconds)
    assert result.gflops > 0 and math.isfinite(result.gflops)
    assert result.gflops == pytest.approx(result.flops / result.seconds / 1e9)


def test_a_measurement_is_frozen():
    result = measure_matmul(8, repeats=1, warmup=0)
    with pytest.raises(AttributeError):
        result.seconds = 0.0


def test_time_workload_warms_up_then_keeps_the_best_of_the_repeats():
    calls = []
    seconds = time_workload(lambda: calls.append(1), repeats=4, warmup=2)
    assert len(calls) == 6
    assert 0 <= seconds < 1


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: measure_matmul(0), "size"),
        (lambda: measure_matmul(-3), "size"),
        (lambda: measure_matmul(2.5), "size"),
        (lambda: measure_matmul(True), "size"),
        (lambda: measure_matmul(8, repeats=0), "repeats"),
        (lambda: measure_matmul(8, warmup=-1), "warmup"),
        (lambda: measure_matmul(8, device="tpu"), "device"),
        (lambda: time_workload("a @ b"), "work"),
        (lambda: matrix_product_flops(2, 0, 3), "k"),
        (lambda: matrix_product_flops(2, 3, "4"), "n"),
        (lambda: achieved_gflops(100, 0), "seconds"),
        (lambda: achieved_gflops(-1, 1.0), "flops"),
        (lambda: matmul_arithmetic_intensity(0), "size"),
        (lambda: matmul_arithmetic_intensity(64, 0), "bytes_per_element"),
        (lambda: roofline_gflops(-1, 1000, 100), "intensity"),
        (lambda: roofline_gflops(1, 0, 100), "peak_gflops"),
        (lambda: roofline_gflops(1, 1000, float("nan")), "bandwidth_gb_s"),
        (lambda: ridge_point(1000, -5), "bandwidth_gb_s"),
    ],
)
def test_bad_input_is_rejected_naming_the_parameter(call, name):
    with pytest.raises(ValueError, match=rf"^{name}\b.* must be"):
        call()


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_asking_for_a_gpu_that_is_not_there_says_so():
    with pytest.raises(ValueError, match="no CUDA GPU"):
        measure_matmul(8, device="cuda")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_gpu_measurement_synchronizes_and_counts_the_same_flops():
    result = measure_matmul(256, "cuda", repeats=2)
    assert result.device == "cuda" and result.flops == 2 * 256**3
    assert result.seconds > 0 and math.isfinite(result.gflops)
