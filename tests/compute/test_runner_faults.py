"""The runner when things go wrong: bad settings are refused before anything starts; an exception
or Ctrl-C in the middle of a run leaves no credit locked and a report behind; a provider whose
runs kill their worker is blamed for its own runs only; a job with a quorum of agreeing results
is verified even when its last run drops out and nobody is left to take it.

Every run is audited (tests/compute/conftest.py): no job lost, nobody paid twice, credits
conserved to the unit."""

from __future__ import annotations

import math

import pytest

from course.compute.backends import WORKER_LOST, InlineBackend
from course.compute.errors import JobSpecError, ProviderError, RunnerError
from course.compute.escrow import Ledger
from course.compute.jobs import JobSpec
from course.compute.providers import Provider, Task, TaskOutcome
from course.compute.runner import JobRunner
from course.compute.states import EventKind, JobStatus
from tests.compute.conftest import (
    DyingWorkerBackend,
    assert_no_job_lost_or_paid_twice,
    market,
    mixed_jobs,
    run_audited,
    snapshot,
)

# ---- bad settings are refused when the runner, the spec or the provider is made -------------


@pytest.mark.parametrize(("options", "name"), [
    ({"seed": math.nan}, "seed"), ({"seed": 1.5}, "seed"), ({"seed": -1}, "seed"),
    ({"max_attempts": None}, "max_attempts"), ({"max_attempts": 0}, "max_attempts"),
    ({"max_attempts": 2.0}, "max_attempts"), ({"max_attempts": 10**30}, "max_attempts"),
    ({"spot_check_rate": math.nan}, "spot_check_rate"), ({"slash_fraction": 2}, "slash_fraction"),
    ({"backend": "banana"}, "backend"), ({"workers": 0}, "workers"),
    ({"use_reputation": "yes"}, "use_reputation"), ({"ledger": {"alice": 5}}, "ledger"),
    ({"balances": {"alice": -5}}, "balances"),
])
def test_a_runner_with_a_bad_setting_is_refused_naming_it(options, name):
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        JobRunner([Provider("ada")], **{"backend": "inline"} | options)


def test_a_provider_with_an_unusable_device_is_refused_when_it_is_made():
    with pytest.raises(ProviderError, match="device of ada must be 'cpu' or 'cuda"):
        Provider("ada", device="banana")


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="this machine has a GPU")
def test_a_local_runner_refuses_a_gpu_provider_on_a_machine_without_one():
    with pytest.raises(RunnerError, match="device of ada .*no CUDA GPU"):
        JobRunner([Provider("ada", device="cuda")], backend="local")


@pytest.mark.parametrize("seed", [math.nan, math.inf, 1.5, -1, 2**63, "7", None])
def test_a_job_spec_needs_a_whole_number_seed(seed):
    with pytest.raises(JobSpecError, match="params.seed must be an integer"):
        JobSpec("matmul", {"size": 8, "seed": seed})


@pytest.mark.parametrize(("jobs", "requester", "wave_size", "name"), [
    ([JobSpec("noop")], "", None, "requester"),
    ([JobSpec("noop")], None, None, "requester"),
    ([JobSpec("noop")], "alice", 0, "wave_size"),
    ([{"workload": "noop"}], "alice", None, "jobs"),
    (JobSpec("noop"), "alice", None, "jobs"),
])
def test_a_bad_run_is_refused_before_any_credit_moves(jobs, requester, wave_size, name):
    with JobRunner([Provider("ada")], balances={"alice": 100}, backend="inline") as runner:
        before = snapshot(runner.ledger)
        with pytest.raises(RunnerError, match=rf"^{name}\b"):
            runner.run(jobs, requester, wave_size)
        assert runner.ledger.balances == before.balances and runner.ledger.escrows == {}
        assert runner.events == []


# ---- an exception or Ctrl-C in the middle of a run ------------------------------------------


class BreaksInRound(InlineBackend):
    """Runs rounds inline until round ``when``, which raises ``error`` instead (a workload bug,
    a backend that lost its cluster, the learner pressing Ctrl-C)."""

    def __init__(self, when: int, error: BaseException) -> None:
        self.when, self.error, self.rounds = when, error, 0

    def run_round(self, tasks: list[Task]) -> list[TaskOutcome]:
        self.rounds += 1
        if self.rounds == self.when:
            raise self.error
        return super().run_round(tasks)


@pytest.mark.parametrize("error", [RuntimeError("a workload crashed"), KeyboardInterrupt()])
@pytest.mark.parametrize("when", [1, 2, 4])
def test_a_run_cut_short_refunds_every_escrow_and_leaves_its_report(error, when):
    with JobRunner(market(), balances={"alice": 5_000}, backend="inline", seed=3) as runner:
        runner.backend = BreaksInRound(when, error)
        before = snapshot(runner.ledger)
        with pytest.raises(type(error)) as caught:
            runner.run(mixed_jobs(4), requester="alice", wave_size=3)
    report = runner.last_report
    assert report is not None and len(report.records) == 8
    assert_no_job_lost_or_paid_twice(report, before, "alice")
    assert all(escrow.closed and escrow.locked == 0 for escrow in runner.ledger.escrows.values())
    assert runner.ledger.total() == before.total
    stopped = [r for r in report.records if r.reason.startswith("stopped by")]
    assert stopped and all(r.status == JobStatus.FAILED and r.paid == {} for r in stopped)
    assert "runner.last_report" in " ".join(caught.value.__notes__)


def test_a_runner_still_works_after_a_run_was_cut_short():
    with JobRunner(market(), balances={"alice": 5_000}, backend="inline", seed=3) as runner:
        runner.backend = BreaksInRound(2, KeyboardInterrupt())
        with pytest.raises(KeyboardInterrupt):
            runner.run(mixed_jobs(2), requester="alice")
        runner.backend = InlineBackend()
        report = run_audited(runner, mixed_jobs(2))
    assert report.count("verified") == 4 and runner.last_report is report


class InterruptedOnSecondPayment(Ledger):
    """A ledger whose second payment is cut by Ctrl-C: the first provider is already paid."""

    payments = 0

    def pay(self, job_id: int, provider: str, amount: int) -> None:
        self.payments += 1
        if self.payments == 2:
            raise KeyboardInterrupt
        super().pay(job_id, provider, amount)


def test_a_run_cut_in_the_middle_of_paying_a_verdict_keeps_it_and_refunds_the_rest():
    providers = [Provider("ada", 1.0, stake=100), Provider("bob", 1.2, stake=100)]
    ledger = InterruptedOnSecondPayment({"alice": 100}, {"ada": 100, "bob": 100})
    with JobRunner(providers, ledger=ledger, backend="inline") as runner:
        before = snapshot(runner.ledger)
        with pytest.raises(KeyboardInterrupt):
            runner.run([JobSpec("matmul", {"size": 16}, max_price=10, redundancy=2),
                        JobSpec("matmul", {"size": 16, "seed": 1}, max_price=10)], "alice")
    report = runner.last_report
    assert report is not None
    assert_no_job_lost_or_paid_twice(report, before, "alice")
    first, second = report.records
    job = first.job
    assert first.status == JobStatus.VERIFIED and first.paid == {"ada": providers[0].bid(job)}
    assert first.refunded == providers[1].bid(job), "bob's unpaid share went back"
    assert second.status == JobStatus.FAILED and second.job_id not in runner.ledger.escrows
    assert runner.ledger.balance("alice") == 100 - providers[0].bid(job)


# ---- a crashing provider is blamed for its own runs only ------------------------------------


def test_a_provider_that_kills_pool_workers_is_blamed_for_its_own_runs_only():
    """One crasher and three honest providers share a two-worker pool. The crasher's runs break
    the pool and take every unfinished run with it; those are run again alone, so no honest run
    is lost, every job is verified, and only the crasher has lost runs."""
    providers = [Provider("crashy", 0.5, behaviour="crash", drop_rate=1.0),
                 Provider("ada", 1.0, slots=2), Provider("bob", 1.1, slots=2),
                 Provider("eve", 1.2, slots=2)]
    jobs = [JobSpec("matmul", {"size": 64, "seed": i}, max_price=10, redundancy=2)
            for i in range(3)]
    with JobRunner(providers, balances={"alice": 1_000}, backend="local", workers=2) as runner:
        report = run_audited(runner, jobs)
    assert report.count("verified") == 3
    lost = [e for e in report.events if e.kind == EventKind.LOST]
    assert lost and {(e.provider, e.detail) for e in lost} == {("crashy", WORKER_LOST)}
    assert "crashy" not in report.earnings() and runner.ledger.stake("crashy") == 100
    assert runner.reputation.score("crashy") < 0.5
    assert all(runner.reputation.score(name) > 0.5 for name in ("ada", "bob", "eve"))


# ---- a quorum is enough, even when the last run drops out -----------------------------------


@pytest.mark.parametrize("third", [
    Provider("dee", 0.5, behaviour="flaky", drop_rate=1.0),  # drops out
    Provider("dee", 0.5, behaviour="crash", drop_rate=1.0),  # its worker dies, twice
])
def test_two_agreeing_results_verify_a_redundancy_3_job_when_the_third_run_is_lost(third):
    providers = [third, Provider("ada", 1.0), Provider("bob", 1.2)]
    job = JobSpec("matmul", {"size": 64}, max_price=10, redundancy=3)
    runner = JobRunner(providers, balances={"alice": 100}, backend="inline")
    runner.backend = DyingWorkerBackend()
    report = run_audited(runner, [job])
    (record,) = report.records
    assert record.status == JobStatus.VERIFIED, record.reason
    assert record.paid == {"ada": providers[1].bid(job), "bob": providers[2].bid(job)}
    assert record.refunded == providers[0].bid(job), "the lost run's share goes back"
    assert runner.ledger.balance("alice") == 100 - sum(record.paid.values())


def test_one_result_left_when_the_others_are_lost_is_challenged_and_paid():
    providers = [Provider("dee", 0.5, behaviour="flaky", drop_rate=1.0),
                 Provider("fay", 0.6, behaviour="flaky", drop_rate=1.0), Provider("ada", 1.0)]
    with JobRunner(providers, balances={"alice": 100}, backend="inline") as runner:
        report = run_audited(runner, [JobSpec("matmul", {"size": 64}, max_price=10,
                                              redundancy=3)])
    (record,) = report.records
    assert record.status == JobStatus.VERIFIED and list(record.paid) == ["ada"]
    assert runner.ledger.balance("alice") == 100 - record.paid["ada"]


def test_statuses_and_event_kinds_are_typed_and_equal_their_old_strings():
    with JobRunner([Provider("ada")], balances={"alice": 100}, backend="inline") as runner:
        report = run_audited(runner, [JobSpec("matmul", {"size": 16}, max_price=10)])
    (record,) = report.records
    assert isinstance(record.status, JobStatus) and record.status == "verified"
    assert all(isinstance(event.kind, EventKind) for event in report.events)
    assert [str(event.kind) for event in report.events] == ["matched", "run", "paid",
                                                            "verified"]
