"""Matmul jobs through the runner against the bare matmul on the same device (TFLOP/s).

A job through ``JobRunner`` does more than its product: it makes its inputs from the seed (on
the job's device), commits to every output row (a Merkle tree of SHA-256 hashes, on the CPU),
and crosses a process boundary. This compares the FLOP rate jobs achieve end to end with what
``measure_matmul`` reaches for the bare product. Aim, on a GPU: 4096² jobs through the local
backend at >= 50% of ``measure_matmul``; on a CPU the figures are reported.

    .venv/bin/python -m benchmarks gpu_jobs
"""

from __future__ import annotations

import time

from course.compute.devices import best_device
from course.compute.jobs import JobSpec
from course.compute.providers import Provider
from course.compute.runner import JobRunner
from course.compute.throughput import measure_matmul
from course.compute.workloads import matmul_flops, run_workload
from course.display import Table

GPU_AIM = 0.5  # share of measure_matmul's throughput 4096² jobs should reach on a GPU


def _jobs_tflops(backend: str, device: str, size: int, jobs: int) -> float:
    """TFLOP/s of ``jobs`` matmul jobs through a warmed-up runner on ``backend``."""
    specs = [JobSpec("matmul", {"size": size, "seed": i}, max_price=10**9) for i in range(jobs)]
    providers = [Provider(f"gpu{i}", device=device, slots=jobs) for i in range(2)]
    with JobRunner(providers, balances={"r": 10**12}, backend=backend, workers=2) as runner:
        if hasattr(runner.backend, "warm_up"):
            runner.backend.warm_up()
        start = time.perf_counter()
        report = runner.run(specs, requester="r")
        seconds = time.perf_counter() - start
    assert report.count("verified") == jobs, "every benchmark job must be verified"
    return jobs * matmul_flops(size) / seconds / 1e12


def run(size: int | None = None, jobs: int | None = None, device: str | None = None) -> Table:
    device = device or best_device()
    size = size or (4096 if device == "cuda" else 512)
    jobs = jobs or (100 if device == "cuda" else 16)
    bare = measure_matmul(size, device).gflops / 1e3
    start = time.perf_counter()
    run_workload("matmul", {"size": size}, device, commit=True)  # one job's own work, committed
    one_job = time.perf_counter() - start
    rows = [(f"measure_matmul, {size}² on {device}", "1", f"{bare:.3g}", "100%", ""),
            (f"one job's work + commitment, {size}², in this process", "1",
             f"{matmul_flops(size) / one_job / 1e12:.3g}",
             f"{matmul_flops(size) / one_job / 1e12 / bare:.0%}", "")]
    for backend in ("inline", "local"):
        tflops = _jobs_tflops(backend, device, size, jobs)
        verdict = ""
        if backend == "local" and device == "cuda" and size >= 4096:
            verdict = "ok" if tflops >= GPU_AIM * bare else "MISSED"
        rows.append((f"JobRunner, {backend} backend, {size}² on {device}", f"{jobs}",
                     f"{tflops:.3g}", f"{tflops / bare:.0%}", verdict))
    return Table(("how", "jobs", "TFLOP/s", "of measure_matmul",
                  f"aim >= {GPU_AIM:.0%} (GPU, 4096², local)"), rows)


if __name__ == "__main__":
    print(run())
