"""The job runner on the inline and local backends: every job ends verified or failed, credits
are conserved, nobody is paid twice or for a wrong result, cheaters are slashed and banned,
lost runs are reassigned, and worker processes that die take no job and no credit with them."""

from __future__ import annotations

import os
import signal
import time

import pytest

from course.compute.backends import WORKER_LOST, InlineBackend
from course.compute.jobs import JobSpec
from course.compute.providers import Provider, Task, TaskOutcome
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

# ---- the invariants, on every kind of market ------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("spot_check_rate", [0.0, 0.5])
def test_every_job_ends_verified_or_failed_and_no_credit_is_created_or_lost(
        seed, spot_check_rate):
    with JobRunner(market(), balances={"alice": 5_000}, backend="inline", seed=seed,
                   spot_check_rate=spot_check_rate) as runner:
        report = run_audited(runner, mixed_jobs())
    assert report.count("verified") + report.count("failed") == len(report.records) == 16


def test_an_honest_market_verifies_every_job_and_pays_each_winner_its_own_bid():
    providers = [Provider("ada", 1.0), Provider("bob", 1.2), Provider("eve", 1.5)]
    jobs = [JobSpec("matmul", {"size": 128, "seed": i}, max_price=10, redundancy=2)
            for i in range(4)]
    with JobRunner(providers, balances={"alice": 1_000}, backend="inline") as runner:
        report = run_audited(runner, jobs)
    assert report.count("verified") == 4
    for record in report.records:
        assert record.paid == {"ada": providers[0].bid(record.job),
                               "bob": providers[1].bid(record.job)}
        assert record.refunded == 0 and record.attempts == 2


# ---- cheaters, dropouts, slow providers ------------------------------------------------------


def test_a_lazy_provider_is_slashed_banned_and_gets_no_work_in_later_waves():
    providers = [Provider("cy", 0.6, stake=200, behaviour="lazy"), Provider("ada", 1.0),
                 Provider("bob", 1.2)]
    jobs = [JobSpec("matmul", {"size": 128, "seed": i}, max_price=10, redundancy=2)
            for i in range(6)]
    with JobRunner(providers, balances={"alice": 1_000}, backend="inline",
                   slash_fraction=0.5) as runner:
        report = run_audited(runner, jobs)
    assert report.count("verified") == 6
    caught = [e for e in report.events if e.kind == "slashed"]
    assert [(e.job_id, e.provider) for e in caught] == [(0, "cy")]
    assert report.slashed() == {"cy": 100} and runner.ledger.stake("cy") == 100
    assert runner.banned == {"cy"}
    assert not [e for e in report.events if e.provider == "cy" and e.job_id > 0]
    assert "cy" not in report.earnings()
    assert runner.reputation.score("cy") < 0.5 < runner.reputation.score("ada")


def test_spot_checks_catch_a_lazy_provider_on_single_runs():
    providers = [Provider("cy", 0.6, behaviour="lazy"), Provider("ada", 1.0)]
    jobs = [JobSpec("matmul", {"size": 128, "seed": i}, max_price=10) for i in range(3)]
    with JobRunner(providers, balances={"alice": 1_000}, backend="inline",
                   spot_check_rate=1.0) as runner:
        report = run_audited(runner, jobs)
    assert report.count("verified") == 3
    assert report.records[0].slashed == {"cy": 50} and report.records[0].paid == {"ada": 5}
    assert all(record.paid == {"ada": 5} for record in report.records)


def test_without_checks_a_lone_lazy_provider_is_paid_for_garbage():
    """Why spot checks exist: redundancy 1 and no checks accept whatever comes back."""
    with JobRunner([Provider("cy", 0.6, behaviour="lazy")], balances={"alice": 100},
                   backend="inline") as runner:
        report = runner.run([JobSpec("matmul", {"size": 128}, max_price=10)], "alice")
    assert report.count("verified") == 1 and report.earnings() == {"cy": 3}


def test_flaky_dropouts_are_reassigned_and_not_paid():
    providers = [Provider("dee", 0.8, behaviour="flaky", drop_rate=1.0), Provider("ada", 1.0)]
    jobs = [JobSpec("matmul", {"size": 128, "seed": i}, max_price=10) for i in range(4)]
    with JobRunner(providers, balances={"alice": 1_000}, backend="inline") as runner:
        report = run_audited(runner, jobs)
    assert report.count("verified") == 4
    assert report.earnings() == {"ada": 20}
    lost = [e for e in report.events if e.kind == "lost"]
    assert {(e.provider, e.detail) for e in lost} == {("dee", "dropped out")}
    reassigned = [e for e in report.events if e.kind == "reassigned"]
    assert [e.provider for e in reassigned] == ["ada"] * len(lost)
    assert runner.ledger.stake("dee") == 100, "dropping out is not cheating: no slashing"
    assert runner.reputation.score("dee") < 0.5


def test_a_slow_provider_within_the_timeout_is_paid():
    slow = Provider("sly", 0.5, throughput_gflops=1.0, behaviour="slow", slowdown=3)
    job = JobSpec("matmul", {"size": 128}, max_price=10, timeout_s=60)
    with JobRunner([slow, Provider("ada", 1.0)], balances={"alice": 100},
                   backend="inline") as runner:
        report = run_audited(runner, [job])
    assert report.earnings() == {"sly": 3}
    (run,) = report.runs()
    assert run.duration == pytest.approx(slow.duration(job), abs=1e-6)


def test_a_slow_provider_beyond_the_timeout_is_reassigned_and_not_paid():
    slow = Provider("sly", 0.5, throughput_gflops=1.0, behaviour="slow", slowdown=1_000)
    jobs = [JobSpec("matmul", {"size": 128, "seed": i}, max_price=10, timeout_s=0.5)
            for i in range(2)]
    assert slow.duration(jobs[0]) > 0.5
    with JobRunner([slow, Provider("ada", 1.0)], balances={"alice": 100},
                   backend="inline") as runner:
        report = run_audited(runner, jobs)
    assert report.count("verified") == 2 and report.earnings() == {"ada": 10}
    late = [e for e in report.events if e.kind == "lost"]
    assert late and {(e.provider, e.detail, e.duration) for e in late} == {
        ("sly", "timed out", 0.5)}  # the run is cut at the timeout, and sly is not paid


# ---- jobs that cannot be done: failed, with the escrow refunded ------------------------------


def test_a_job_nobody_may_take_fails_before_any_credit_moves():
    with JobRunner([Provider("ada", 1.0)], balances={"alice": 100}, backend="inline") as runner:
        before = snapshot(runner.ledger)
        report = run_audited(runner, [JobSpec("matmul", {"size": 128}, max_price=1, gpu=True)])
    (record,) = report.records
    assert record.status == "failed" and "needs 1 provider(s)" in record.reason
    assert [e.kind for e in report.events] == ["unmatched"]
    assert runner.ledger.balances == before.balances and runner.ledger.escrows == {}


def test_a_requester_who_cannot_pay_gets_a_failed_job_and_keeps_their_credits():
    with JobRunner([Provider("ada", 1.0)], balances={"alice": 2}, backend="inline") as runner:
        report = run_audited(runner, [JobSpec("matmul", {"size": 128}, max_price=10)])
    (record,) = report.records
    assert record.status == "failed" and "alice has 2 credits, needs 5" in record.reason
    assert runner.ledger.balance("alice") == 2


def test_a_lone_result_whose_partner_cannot_be_replaced_is_challenged_and_paid():
    ghost = Provider("ghost", 1.0, behaviour="flaky", drop_rate=1.0)
    with JobRunner([ghost, Provider("ada", 1.0)], balances={"alice": 100},
                   backend="inline") as runner:
        report = run_audited(runner, [JobSpec("matmul", {"size": 128}, max_price=10,
                                              redundancy=2)])
    (record,) = report.records
    # ada's work is not lost for want of a partner: the verifier checks it row by row
    assert record.status == "verified" and record.paid == {"ada": 5}
    assert record.refunded == 5 and runner.ledger.balance("alice") == 95
    assert [e.detail for e in report.events if e.kind == "verified"] == ["challenged 8 rows"]


def test_a_job_whose_reassignment_the_requester_cannot_afford_fails_and_is_refunded():
    providers = [Provider("ghost", 1.0, behaviour="flaky", drop_rate=1.0), Provider("ada", 2.0)]
    with JobRunner(providers, balances={"alice": 6}, backend="inline") as runner:
        report = run_audited(runner, [JobSpec("matmul", {"size": 128}, max_price=10)])
    (record,) = report.records
    assert record.status == "failed" and "alice has 1 credits, needs 9" in record.reason
    assert record.refunded == 5 and runner.ledger.balance("alice") == 6


def test_a_job_stops_after_max_attempts_and_is_refunded():
    ghosts = [Provider(f"ghost{i}", 1.0, behaviour="flaky", drop_rate=1.0) for i in range(5)]
    with JobRunner(ghosts, balances={"alice": 100}, backend="inline",
                   max_attempts=3) as runner:
        report = run_audited(runner, [JobSpec("matmul", {"size": 128}, max_price=10)])
    (record,) = report.records
    assert record.status == "failed" and "no result after 3 failed runs" in record.reason
    assert record.attempts == 3 and runner.ledger.balance("alice") == 100


# ---- the same seed, the same run, on every backend -------------------------------------------


def test_the_same_seed_gives_the_same_run_twice():
    reports = []
    for _ in range(2):
        with JobRunner(market(), balances={"alice": 5_000}, backend="inline", seed=7,
                       spot_check_rate=0.3) as runner:
            reports.append(runner.run(mixed_jobs(), requester="alice"))
    assert reports[0].events == reports[1].events
    assert str(reports[0].jobs_table()) == str(reports[1].jobs_table())


def test_the_same_seed_gives_the_same_jobs_table_and_events_inline_and_on_a_local_pool():
    reports = {}
    for backend in ("inline", "local"):
        with JobRunner(market(), balances={"alice": 5_000}, backend=backend, workers=2,
                       seed=11, spot_check_rate=0.3) as runner:
            reports[backend] = run_audited(runner, mixed_jobs(4))
    assert str(reports["inline"].jobs_table()) == str(reports["local"].jobs_table())
    assert reports["inline"].events == reports["local"].events
    assert reports["inline"].providers_table().rows == reports["local"].providers_table().rows


# ---- worker processes that die ---------------------------------------------------------------


def test_a_crash_provider_kills_pool_workers_but_no_job_is_lost_or_paid_twice():
    providers = [Provider("crashy", 0.5, behaviour="crash", drop_rate=0.1), Provider("ada", 1.0),
                 Provider("bob", 1.2)]
    jobs = [JobSpec("matmul", {"size": 128, "seed": i}, max_price=10, redundancy=2)
            for i in range(2)]
    # seed 1: crashy's first run of job 0 kills its worker (its dice roll 0.01 < 0.1), its
    # later runs do not (each pool restart costs a couple of seconds)
    with JobRunner(providers, balances={"alice": 1_000}, backend="local", workers=2,
                   seed=1) as runner:
        report = run_audited(runner, jobs)
    lost = [e for e in report.events if e.kind == "lost"]
    assert lost and {e.detail for e in lost} == {WORKER_LOST}
    assert report.count("verified") == 2 and "crashy" in report.earnings()
    assert runner.ledger.stake("crashy") == 100, "a dead machine is not cheating"


def test_a_pool_worker_killed_mid_run_loses_no_job_and_pays_nobody_twice():
    providers = [Provider("ada", 1.0, slots=1), Provider("bob", 1.0, slots=1)]
    jobs = [JobSpec("matmul", {"size": 1024, "seed": i}, max_price=10**6, redundancy=2)
            for i in range(12)]  # 12 waves of one job, each two runs of ~70 ms here
    with JobRunner(providers, balances={"alice": 10**6}, backend="local", workers=2) as runner:
        runner.backend.warm_up()
        victim = runner.backend.worker_pids()[0]
        before = snapshot(runner.ledger)
        report, killed_mid_run = run_and_kill(runner, jobs, "alice", victim)
        assert killed_mid_run
        assert_no_job_lost_or_paid_twice(report, before, "alice")
        assert report.count("verified") == len(jobs)
        assert victim not in runner.backend.worker_pids(), "the dead worker was replaced"


# ---- worker deaths: retried once on the same provider, then another provider ----------------


def test_a_job_whose_provider_always_loses_its_worker_goes_to_another_provider():
    providers = [Provider("crashy", 0.5, behaviour="crash", drop_rate=1.0), Provider("ada", 1.0)]
    job = JobSpec("matmul", {"size": 128}, max_price=10)
    verdicts = {}
    for name, backend in (("inline", InlineBackend()), ("process", DyingWorkerBackend())):
        runner = JobRunner(providers, balances={"alice": 100}, backend="inline")
        runner.backend = backend
        verdicts[name] = run_audited(runner, [job]).records[0].status
    assert verdicts == {"inline": "verified", "process": "verified"}


class OneBrokenRoundBackend(InlineBackend):
    """The local pool after one worker died: every unfinished task of that round is lost."""

    def __init__(self) -> None:
        self.rounds = 0

    def run_round(self, tasks: list[Task]) -> list[TaskOutcome]:
        self.rounds += 1
        if self.rounds == 1:
            return [TaskOutcome(task, None, WORKER_LOST) for task in tasks]
        return super().run_round(tasks)


def test_one_dead_pool_worker_does_not_fail_a_redundancy_3_job():
    providers = [Provider("ada", 1.0), Provider("bob", 1.0), Provider("eve", 1.0)]
    runner = JobRunner(providers, balances={"alice": 100}, backend="inline")
    runner.backend = OneBrokenRoundBackend()
    report = run_audited(runner, [JobSpec("matmul", {"size": 128}, max_price=10, redundancy=3)])
    assert report.count("verified") == 1, report.records[0].reason


def test_a_pool_worker_that_died_between_runs_does_not_crash_the_next_run():
    with JobRunner([Provider("ada", 1.0)], balances={"alice": 100}, backend="local",
                   workers=2) as runner:
        runner.backend.warm_up()
        victim = runner.backend.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        time.sleep(0.5)  # the pool notices the death and marks itself broken
        report = run_audited(runner, [JobSpec("matmul", {"size": 128}, max_price=10)])
    assert report.count("verified") == 1


def test_a_provider_with_four_slots_takes_four_jobs_in_one_wave_whatever_their_price():
    providers = [Provider("ada", 1.0, slots=4)]
    jobs = [JobSpec("matmul", {"size": 128, "seed": i}, max_price=10) for i in range(4)]
    assert providers[0].bid(jobs[0]) == 5
    with JobRunner(providers, balances={"alice": 100}, backend="inline") as runner:
        report = run_audited(runner, jobs)
    matched = [e for e in report.events if e.kind == "matched"]
    assert [e.time for e in matched] == [0.0] * 4, "all four were matched in the first wave"
