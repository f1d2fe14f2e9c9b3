"""The runner on Ray: one actor per provider on a 2-CPU local cluster (started once for the
session). The same seed gives the same report as in-process, a provider whose process crashes
and an actor killed from outside lose no job, and nobody is paid twice."""

from __future__ import annotations

import time

import pytest
import ray

from course.compute.backends import WORKER_LOST, RayBackend
from course.compute.jobs import JobSpec
from course.compute.providers import Provider
from course.compute.runner import JobRunner
from tests.compute.conftest import (
    DyingWorkerBackend,
    assert_no_job_lost_or_paid_twice,
    market,
    mixed_jobs,
    run_and_kill,
    run_audited,
    snapshot,
)

# A run that waits on an actor Ray cannot place never returns, and a blocked ray.get() does not
# see pytest-timeout's signal: the thread method ends the session instead of hanging CI.
pytestmark = [pytest.mark.usefixtures("ray_cluster"), pytest.mark.timeout(180, method="thread")]


def test_ray_gives_the_same_report_as_inline_for_a_seed_and_reserves_cpus_per_actor():
    reports = {}
    for backend in ("inline", "ray"):
        with JobRunner(market(), balances={"alice": 5_000}, backend=backend, seed=11,
                       spot_check_rate=0.3) as runner:
            if backend == "ray":
                runner.backend.warm_up()  # every actor is alive: its CPUs are reserved
                assert len(runner.backend.worker_pids()) == 6
                deadline = time.monotonic() + 10  # the resource view lags a little
                while (ray.available_resources().get("CPU", 0) >= 0.1
                       and time.monotonic() < deadline):
                    time.sleep(0.1)
                assert ray.available_resources().get("CPU", 0) < 0.1  # 6 actors share 2 CPUs
            reports[backend] = run_audited(runner, mixed_jobs(4))
    assert str(reports["inline"].jobs_table()) == str(reports["ray"].jobs_table())
    assert reports["inline"].events == reports["ray"].events
    assert ray.is_initialized(), "a runner that joined a running cluster leaves it running"


CRASHY = Provider("crashy", 0.5, behaviour="crash", drop_rate=0.1)
CRASH_JOBS = [JobSpec("matmul", {"size": 128, "seed": i}, max_price=10, redundancy=2)
              for i in range(2)]  # seed 1: crashy's first run of job 0 kills its process


@pytest.fixture(scope="module")
def crash_run(ray_cluster):
    """One run on Ray where a crash provider's process dies (restarting it takes seconds)."""
    with JobRunner([CRASHY, Provider("ada", 1.0)], balances={"alice": 1_000}, backend="ray",
                   seed=1, max_attempts=10) as runner:
        pids = runner.backend.worker_pids()
        before = snapshot(runner.ledger)
        report = runner.run(CRASH_JOBS, "alice")
        restarted = runner.backend.worker_pids()["crashy"] != pids["crashy"]
    return before, report, restarted


def test_a_crash_provider_loses_its_actor_but_no_job_and_nobody_is_paid_twice(crash_run):
    before, report, restarted = crash_run
    assert_no_job_lost_or_paid_twice(report, before, "alice")
    assert restarted, "Ray restarted crashy's actor in a new process"
    lost = [e for e in report.events if e.kind == "lost"]
    assert lost and {(e.provider, e.detail) for e in lost} == {("crashy", WORKER_LOST)}
    assert report.count("verified") == 2 and "crashy" in report.earnings()
    assert report.slashed() == {}, "a dead machine is not cheating"


def test_a_crash_on_ray_loses_only_the_run_that_crashed(crash_run):
    _, report, _ = crash_run
    model = JobRunner([CRASHY, Provider("ada", 1.0)], balances={"alice": 1_000},
                      backend="inline", seed=1, max_attempts=10)
    model.backend = DyingWorkerBackend()
    expected = model.run(CRASH_JOBS, "alice")
    assert [e.provider for e in report.events if e.kind == "lost"] == ["crashy"]
    assert report.events == expected.events


def test_an_actor_killed_mid_run_loses_no_job_and_pays_nobody_twice():
    providers = [Provider("ada", 1.0), Provider("bob", 1.0)]
    jobs = [JobSpec("matmul", {"size": 1024, "seed": i}, max_price=10**6, redundancy=2)
            for i in range(12)]  # 12 waves of one job, each two runs of ~70 ms here
    with JobRunner(providers, balances={"alice": 10**6}, backend="ray",
                   max_attempts=10) as runner:
        pids = runner.backend.worker_pids()  # ask before the run: the actors answer in turn
        before = snapshot(runner.ledger)
        report, killed_mid_run = run_and_kill(runner, jobs, "alice", pids["bob"])
        assert killed_mid_run
        assert_no_job_lost_or_paid_twice(report, before, "alice")
        assert report.count("verified") == len(jobs)
        assert runner.backend.worker_pids()["bob"] != pids["bob"], "Ray restarted bob's actor"
        assert {e.detail for e in report.events if e.kind == "lost"} <= {WORKER_LOST}


def test_three_providers_fit_on_a_two_cpu_cluster():
    backend = RayBackend([Provider("ada"), Provider("bob"), Provider("eve")])
    try:
        refs = [actor.pid.remote() for actor in backend.actors.values()]
        ray.get(refs[:2], timeout=60)  # the first two start within seconds
        ray.get(refs[2], timeout=4)  # it would be up by now if it could be placed
    finally:
        backend.close()


def test_every_adversary_at_once_on_ray(ray_cluster):
    from tests.compute.test_adversaries import BALANCES, gallery_jobs, rogues_gallery

    with JobRunner(rogues_gallery(), balances=BALANCES, backend="ray",
                   spot_check_rate=0.5) as runner:
        report = run_audited(runner, gallery_jobs())
    assert report.count("verified") + report.count("failed") == 6
    assert not {"h0", "h1", "h2", "tf"} & set(report.slashed())
