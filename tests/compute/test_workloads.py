import numpy as np
import pytest
import torch

from course.compute.verification import results_agree
from course.compute.workloads import (
    SUMMARY_SIZE,
    WORKLOADS,
    WorkResult,
    fingerprint,
    inference_flops,
    matmul_flops,
    matmul_inputs,
    run_workload,
    train_mlp_flops,
)

SMALL = {
    "matmul": {"size": 48, "seed": 3},
    "train_mlp": {"samples": 64, "features": 4, "hidden": 8, "steps": 20, "seed": 3},
    "inference": {"batches": 2, "batch_size": 16, "features": 8, "hidden": 16, "classes": 4,
                  "seed": 3},
}

# --- FLOPs and what a result contains ---------------------------------------------------------


def test_matmul_counts_two_n_cubed_flops():
    assert matmul_flops(1) == 2
    assert matmul_flops(100) == 2_000_000
    assert run_workload("matmul", {"size": 20}).flops == 2 * 20**3


def test_matmul_summary_is_the_block_sums_of_a_direct_torch_product():
    a, b = matmul_inputs(40, 7)
    rows = (a @ b).double().sum(dim=1)  # 40 rows in 16 blocks: 8 blocks of 3, then 8 of 2
    sizes = [3] * 8 + [2] * 8
    starts = [sum(sizes[:i]) for i in range(16)]
    expected = [float(rows[s:s + n].sum()) for s, n in zip(starts, sizes, strict=True)]
    result = run_workload("matmul", {"size": 40, "seed": 7})
    assert result.workload == "matmul" and result.device == "cpu"
    assert len(result.summary) == SUMMARY_SIZE
    assert result.summary == pytest.approx(expected, rel=1e-6, abs=1e-6)


def test_train_mlp_and_inference_flops_by_hand():
    # forward: 2 · samples · (features·hidden + hidden); forward + backward ≈ 3 × forward
    assert train_mlp_flops(samples=10, features=2, hidden=3, steps=4) == 3 * 2 * 10 * 9 * 4
    # two dense layers per sample: 2 · (features·hidden + hidden·classes)
    assert inference_flops(batches=2, batch_size=5, features=3, hidden=4, classes=2) == (
        2 * 2 * 5 * (12 + 8))
    for name, params in SMALL.items():
        assert run_workload(name, params).flops == WORKLOADS[name].count_flops(**params)


def test_noop_does_no_work():
    result = run_workload("noop", {"seed": 5})
    assert result.flops == 0 and result.summary == (5.0,)


# --- determinism ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SMALL))
def test_the_same_seed_gives_bit_identical_results_on_the_cpu(name):
    first = run_workload(name, SMALL[name])
    second = run_workload(name, SMALL[name])
    assert first == second  # every float equal to the last bit, not just close
    assert first.fingerprint == second.fingerprint


@pytest.mark.parametrize("name", sorted(SMALL))
def test_different_seeds_give_different_results(name):
    first = run_workload(name, SMALL[name])
    other = run_workload(name, {**SMALL[name], "seed": 4})
    assert first.summary != other.summary
    assert first.fingerprint != other.fingerprint
    assert not results_agree(first, other)


def test_a_result_does_not_depend_on_the_global_torch_seed():
    torch.manual_seed(1)
    first = run_workload("matmul", SMALL["matmul"])
    torch.manual_seed(2)
    assert run_workload("matmul", SMALL["matmul"]) == first


def test_training_the_mlp_lowers_its_loss():
    losses = run_workload("train_mlp", {"steps": 60, "seed": 0}).summary
    assert len(losses) == SUMMARY_SIZE
    assert losses[-1] < 0.8 * losses[0]
    assert all(later <= earlier for earlier, later in zip(losses, losses[1:], strict=False))


# --- fingerprints and tolerance ---------------------------------------------------------------


def test_equal_results_have_equal_fingerprints():
    values = (1.5, -2.25, 3e-7, 12345.678)
    assert fingerprint(values) == fingerprint(list(values)) == fingerprint(np.array(values))
    assert WorkResult("matmul", values, 0, "cpu").fingerprint == fingerprint(values)
    # only 4 significant digits count: 12345.678 and 12345.7 both round to 1.235e4
    assert fingerprint(values) == fingerprint((1.5, -2.25, 3e-7, 12345.7))
    assert fingerprint(values) != fingerprint((1.5, -2.25, 3e-7, 12355.0))
    assert fingerprint(values) != fingerprint((1.5, -2.25, 3e-7))


def test_rounding_makes_tiny_noise_vanish_in_most_cases():
    rng = np.random.default_rng(0)
    trials, same = 1_000, 0
    for _ in range(trials):
        values = rng.normal(size=SUMMARY_SIZE) * 10.0 ** rng.integers(-3, 4)
        noisy = values * (1 + 1e-9 * rng.standard_normal(SUMMARY_SIZE))
        same += fingerprint(values) == fingerprint(noisy)
    assert same >= 0.99 * trials


def test_a_value_on_a_rounding_boundary_still_changes_the_fingerprint():
    assert fingerprint([0.12345]) != fingerprint([0.12344999])
    assert results_agree(WorkResult("x", (0.12345,), 0, "cpu"),
                         WorkResult("x", (0.12344999,), 0, "cpu"))


def test_results_agree_tolerates_float_noise_but_not_garbage():
    honest = run_workload("matmul", SMALL["matmul"])
    noisy = WorkResult("matmul", tuple(v * (1 + 1e-7) + 1e-7 for v in honest.summary),
                       honest.flops, "cuda")
    garbage = WorkResult("matmul", tuple(0.0 for _ in honest.summary), honest.flops, "cpu")
    one_wrong = WorkResult("matmul", (honest.summary[0] + 1.0, *honest.summary[1:]),
                           honest.flops, "cpu")
    assert results_agree(honest, noisy)
    assert not results_agree(honest, garbage)
    assert not results_agree(honest, one_wrong)


def test_results_of_different_workloads_or_lengths_never_agree():
    a = WorkResult("matmul", (1.0, 2.0), 0, "cpu")
    assert not results_agree(a, WorkResult("inference", (1.0, 2.0), 0, "cpu"))
    assert not results_agree(a, WorkResult("matmul", (1.0, 2.0, 3.0), 0, "cpu"))


# --- bad input --------------------------------------------------------------------------------


def test_an_unknown_workload_is_rejected_listing_the_known_ones():
    with pytest.raises(ValueError, match=r"workload must be one of .*'matmul'.*got 'mine_bitcoin'"):
        run_workload("mine_bitcoin", {})


@pytest.mark.parametrize("device", ["tpu", "gpu", "", None, 0])
def test_an_unknown_device_is_rejected(device):
    with pytest.raises(ValueError, match="device must be 'cpu' or 'cuda"):
        run_workload("matmul", {"size": 4}, device=device)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_asking_for_cuda_without_a_gpu_says_how_to_fix_it():
    with pytest.raises(ValueError, match="no CUDA GPU.*best_device"):
        run_workload("matmul", {"size": 4}, device="cuda")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("name", sorted(SMALL))
def test_a_gpu_result_agrees_with_the_cpu_result_within_tolerance(name):
    cpu = run_workload(name, SMALL[name], device="cpu")
    gpu = run_workload(name, SMALL[name], device="cuda")
    assert gpu.device == "cuda"
    assert results_agree(cpu, gpu, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"size": -4}, r"params.size must be an integer in \[1, 16384\], got -4"),
        ({"size": 0}, "params.size must be an integer in"),
        ({"size": 2.5}, "params.size must be an integer in"),
        ({"size": True}, "params.size"),
        ({"colour": 1}, r"arguments that matmul takes \(seed, size\), got \['colour'\]"),
        ({"device": "cpu"}, r"arguments that matmul takes \(seed, size\), got \['device'\]"),
        ({"seed": -1}, r"params.seed must be an integer in \[0, 2\*\*63 - 1\], got -1"),
    ],
)
def test_run_workload_rejects_bad_parameters_naming_them(params, message):
    with pytest.raises(ValueError, match=message):
        run_workload("matmul", params)


def test_a_gpu_index_that_does_not_exist_is_rejected():
    with pytest.raises(ValueError, match="device"):
        run_workload("matmul", {"size": 4}, device="cuda:abc")
