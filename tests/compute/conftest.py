"""Shared helpers of the runner tests: one Ray cluster for the whole session, and the audit that
every run must pass (no job lost, none paid twice, not a credit created or destroyed)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from course.compute.backends import WORKER_LOST, InlineBackend
from course.compute.challenges import check_every_row
from course.compute.escrow import Ledger
from course.compute.events import RunReport
from course.compute.jobs import JobSpec
from course.compute.providers import Provider, Task, TaskOutcome, execute
from course.compute.runner import JobRunner


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[None]:
    """A local Ray cluster with 2 CPUs, started once (it takes ~10 s) and shut down at the end.

    Every ``JobRunner(backend="ray")`` in the session joins it; since the runner did not start
    Ray, closing the runner leaves the cluster up for the next test.
    """
    import ray

    auth_mode = os.environ.get("RAY_AUTH_MODE")  # ray.init sets it for its child processes
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             configure_logging=False)
    yield
    ray.shutdown()
    if auth_mode is None:
        os.environ.pop("RAY_AUTH_MODE", None)
    else:
        os.environ["RAY_AUTH_MODE"] = auth_mode


@dataclass(frozen=True)
class Snapshot:
    """Who held what before a run."""

    balances: dict[str, int]
    stakes: dict[str, int]
    total: int


def snapshot(ledger: Ledger) -> Snapshot:
    return Snapshot(dict(ledger.balances), dict(ledger.stakes), ledger.total())


HONEST_BEHAVIOURS = ("honest", "slow", "flaky", "crash")  # when they return, it is the truth


def assert_no_job_lost_or_paid_twice(report: RunReport, before: Snapshot, requester: str,
                                     providers: dict[str, Provider] | None = None) -> None:
    """The invariants of every run, whatever the providers did and whichever worker died.

    - every job ended ``verified``, ``invalid`` or ``failed``; its escrow is closed and empty;
    - credits are conserved, and each account moved by exactly what the records say;
    - a job paid at most ``redundancy`` providers, each once; a failed job paid nobody;
    - no honest provider was slashed (given ``providers``, whose behaviours say who is honest);
    - a result that was challenged or checked row by row is the true answer (every row
      recomputed here). A result accepted unchecked may be wrong only when every provider
      paid for it is a cheater, or a part-worker survived the rows drawn from every result
      (f^k): the bound the runner states (``accepted_wrong_bound``).
    """
    ledger = report.ledger
    assert ledger.total() == before.total, "credits were created or destroyed"
    paid_events = Counter((e.job_id, e.provider) for e in report.events if e.kind == "paid")
    assert all(count == 1 for count in paid_events.values()), f"paid twice: {paid_events}"
    honest = set() if providers is None else {
        name for name, p in providers.items() if p.behaviour in HONEST_BEHAVIOURS}
    slashed = report.slashed()
    assert not honest & set(slashed), f"honest providers slashed: {honest & set(slashed)}"
    for record in report.records:
        assert record.status in ("verified", "failed", "invalid"), (
            f"job {record.job_id}: {record.status}")
        escrow = ledger.escrows.get(record.job_id)
        assert escrow is None or (escrow.closed and escrow.locked == 0), record.job_id
        assert {p for (job, p) in paid_events if job == record.job_id} == set(record.paid)
        if record.status == "failed":
            assert record.paid == {}, f"failed job {record.job_id} paid {record.paid}"
            continue
        assert 1 <= len(record.paid) <= record.job.redundancy
        (how,) = [e.detail for e in report.events
                  if e.kind in ("verified", "invalid") and e.job_id == record.job_id]
        if record.status == "invalid":
            how = "checked every row"
        right = check_every_row(record.job, record.result).passed
        # a worker that computed part of the rows may survive k drawn rows (f^k)
        partial = any(providers and providers[p].behaviour in ("partial", "forger")
                      and 0 < providers[p].work_fraction < 1 for p in record.paid)
        if how.startswith(("challenged", "checked")):  # proven by recomputed rows
            assert right or (partial and how.startswith("challenged")), (
                f"job {record.job_id}: a checked result is wrong")
        elif not right:  # accepted on agreement alone: only a ring of cheaters gets that,
            # or a part-worker whose summary and drawn rows matched an honest result's
            assert providers is None or not honest & set(record.paid) or partial, (
                f"job {record.job_id}: an honest provider was paid for a wrong result")
    earned = report.earnings()
    assert ledger.balance(requester) == (before.balances.get(requester, 0)
                                         - sum(earned.values()) + sum(slashed.values()))
    for provider, stake in before.stakes.items():
        assert ledger.stake(provider) == stake - slashed.get(provider, 0), provider
        assert ledger.balance(provider) == (before.balances.get(provider, 0)
                                            + earned.get(provider, 0)), provider


def run_audited(runner: JobRunner, jobs: list[JobSpec], requester: str = "alice",
                **options: Any) -> RunReport:
    """Run ``jobs`` and check the invariants of every run on the report."""
    before = snapshot(runner.ledger)
    report = runner.run(jobs, requester=requester, **options)
    assert_no_job_lost_or_paid_twice(report, before, requester, runner.providers)
    return report


def market() -> list[Provider]:
    """Every behaviour at once: two honest providers, a cheater, a dropout, a slow one."""
    return [
        Provider("ada", price_per_mflop=1.0, stake=200, throughput_gflops=0.4),
        Provider("bob", price_per_mflop=1.2, stake=200, throughput_gflops=0.3),
        Provider("eve", price_per_mflop=1.5, stake=200, throughput_gflops=0.5),
        Provider("cy", price_per_mflop=0.6, stake=200, behaviour="lazy"),
        Provider("dee", price_per_mflop=0.8, stake=200, behaviour="flaky", drop_rate=0.4),
        Provider("sly", price_per_mflop=0.9, stake=200, behaviour="slow", slowdown=400),
    ]


def mixed_jobs(count: int = 8) -> list[JobSpec]:
    jobs = []
    for i in range(count):
        jobs.append(JobSpec("matmul", {"size": 128, "seed": i}, max_price=10,
                            redundancy=1 + i % 3, timeout_s=1.0))
        jobs.append(JobSpec("train_mlp", {"samples": 64, "steps": 5, "seed": i}, max_price=10,
                            redundancy=2, timeout_s=1.0))
    return jobs


class DyingWorkerBackend(InlineBackend):
    """What a process-based backend reports for a ``crash`` provider: the worker is lost.

    (The local pool and Ray report exactly this, ``WORKER_LOST``, when the process dies; this
    stand-in does it without killing anything, so the test is fast and deterministic.)
    """

    def run_round(self, tasks: list[Task]) -> list[TaskOutcome]:
        outcomes = []
        for task in tasks:
            outcome = execute(task, may_kill_process=False)
            if outcome.note == "crashed":
                outcome = TaskOutcome(task, None, WORKER_LOST)
            outcomes.append(outcome)
        return outcomes


def run_and_kill(runner: JobRunner, jobs: list[JobSpec], requester: str, pid: int
                 ) -> tuple[RunReport, bool]:
    """Run ``jobs`` in a thread and SIGKILL process ``pid`` soon after the first match.

    Returns the report and whether the run was still going when the process died.
    """
    reports = []
    run = threading.Thread(target=lambda: reports.append(runner.run(jobs, requester)))
    run.start()
    while not any(event.kind == "matched" for event in runner.events):
        time.sleep(0.001)
    time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    killed_mid_run = run.is_alive()
    run.join(timeout=120)
    assert not run.is_alive(), "the run did not finish after the kill"
    (report,) = reports
    return report, killed_mid_run
