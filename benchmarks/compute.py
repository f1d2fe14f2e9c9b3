"""The job runner's own cost: overhead per job, throughput of trivial jobs, Ray scaling.

Aims: at most 1 ms of overhead per job and at least 500 trivial jobs/s on the local backend.
Ray's figures are reported (a Ray call crosses processes through its object store).
"""

from __future__ import annotations

import time

from course.compute.jobs import JobSpec
from course.compute.providers import Provider
from course.compute.runner import JobRunner
from course.compute.workloads import run_workload
from course.display import Table

OVERHEAD_BUDGET_MS = 1.0
THROUGHPUT_AIM = 500  # jobs/s


def _trivial_jobs(count: int) -> list[JobSpec]:
    return [JobSpec("noop", {"seed": i}, max_price=10) for i in range(count)]


def _providers(count: int, slots: int) -> list[Provider]:
    return [Provider(f"p{i}", price_per_mflop=1.0, slots=slots) for i in range(count)]


def _time_runner(backend: str, jobs: list[JobSpec], providers: int, workers: int | None = None
                 ) -> float:
    """Seconds to run ``jobs`` through a warmed-up runner (workers already started)."""
    with JobRunner(_providers(providers, slots=len(jobs)), balances={"r": 10**9},
                   backend=backend, workers=workers) as runner:
        if hasattr(runner.backend, "warm_up"):
            runner.backend.warm_up()
        start = time.perf_counter()
        report = runner.run(jobs, requester="r")
        seconds = time.perf_counter() - start
    assert report.count("verified") == len(jobs), "every benchmark job must be verified"
    return seconds


def run(jobs: int = 1_000, ray: bool = True) -> Table:
    trivial = _trivial_jobs(jobs)
    start = time.perf_counter()
    for job in trivial:
        run_workload(job.workload, job.params)
    direct = time.perf_counter() - start
    rows = [("call the workload directly", f"{jobs:,}", f"{direct:.3f}", f"{jobs / direct:,.0f}",
             "-", "")]
    backends = [("inline", 1, None), ("local", 2, 2)] + ([("ray", 2, None)] if ray else [])
    for backend, providers, workers in backends:
        seconds = _time_runner(backend, trivial, providers, workers)
        overhead_ms = (seconds - direct) / jobs * 1000
        verdict = ""
        if backend == "local":
            ok = overhead_ms <= OVERHEAD_BUDGET_MS and jobs / seconds >= THROUGHPUT_AIM
            verdict = "ok" if ok else "MISSED"
        rows.append((f"JobRunner, {backend} backend", f"{jobs:,}", f"{seconds:.3f}",
                     f"{jobs / seconds:,.0f}", f"{overhead_ms:.3f}", verdict))
    if ray:
        rows.extend(ray_scaling())
    header = ("how", "jobs", "seconds", "jobs/s", "overhead ms/job",
              f"aim <= {OVERHEAD_BUDGET_MS} ms, >= {THROUGHPUT_AIM}/s (local)")
    return Table(header, rows)


def ray_scaling(jobs: int = 16, size: int = 768) -> list[tuple[str, ...]]:
    """Wall time of the same matmul jobs on Ray with 1 and then 2 provider actors."""
    import ray

    work = [JobSpec("matmul", {"size": size, "seed": i}, max_price=10**6) for i in range(jobs)]
    rows = []
    ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        for actors in (1, 2):
            seconds = _time_runner("ray", work, actors)
            rows.append((f"Ray, {actors} actor(s), matmul {size}", f"{jobs:,}", f"{seconds:.3f}",
                         f"{jobs / seconds:,.1f}", "-", "scaling"))
    finally:
        ray.shutdown()
    return rows
