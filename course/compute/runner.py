"""The job runner: match, lock escrow, run, verify, pay or slash — with no job lost or paid twice.

    with JobRunner(providers, balances={"alice": 10_000}) as runner:
        report = runner.run([JobSpec("matmul", {"size": 128}, max_price=40)], requester="alice")

Work happens in rounds. Each round runs every pending task in parallel on the backend;
then, in job order, failures are reassigned to another provider and finished jobs are
verified and settled.

Verification never slashes on a vote. Every result commits to all of its output rows. When
the results of a job all agree (their summaries, and the same randomly drawn rows opened
from each: a summary alone can be met without the work) and no spot check falls on the job,
they are paid. Otherwise, or when a spot check falls on the job at any redundancy, each
result is *challenged*: the verifier recomputes rows drawn after the commitment
(``course.compute.challenges``); a result whose rows are wrong is proven wrong and its
provider slashed. If the results that pass still disagree, training results play the
bisection game (``course.compute.disputes``: one segment re-run per side), and anything it
does not settle gets every row checked. So a wrong result can only be accepted when every
replica of the job returned it and no spot check fell on the job, or when a worker that
computed a fraction f of the rows survives k drawn rows (probability f^k): see
``verification.accepted_wrong_bound``. Time in the event log is simulated (each provider's
hardware speed sets how long its runs take), so the timeline is the same on every machine
and every run.

Whatever stops a run early (an exception from a workload or a backend, Ctrl-C), every escrow
is settled or refunded first, every unfinished job ends ``failed``, and the report so far is
kept as ``runner.last_report`` before the exception goes on (a note on it says so).

Taught in notebooks 13 and 14 (and settled on chain in notebook 16).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from course.compute.backends import BACKENDS, MAX_WORKERS, WORKER_LOST, Backend, make_backend
from course.compute.challenges import (
    ChallengeReport,
    challenge,
    check_every_row,
    cross_check,
    summary_tolerance,
)
from course.compute.devices import check_device
from course.compute.disputes import SIDES, settle_by_bisection
from course.compute.errors import InsufficientCredits, NoProviderError, RunnerError
from course.compute.escrow import Ledger
from course.compute.events import Event, RunReport
from course.compute.jobs import JobSpec
from course.compute.market import Bid, match
from course.compute.providers import COPYING, Provider, Task, TaskOutcome
from course.compute.reputation import Reputation
from course.compute.states import EventKind, JobStatus, RunOutcome
from course.compute.verification import quorum, should_spot_check
from course.compute.workloads import WorkResult, check_seed
from course.validation import (
    ensure,
    ensure_bool,
    ensure_choice,
    ensure_instance,
    ensure_int,
    ensure_number,
    ensure_text,
)

MAX_ATTEMPTS = 1_000  # failed runs one job may have: far more than any market has providers
MAX_CHALLENGES = 10_000  # rows recomputed per challenged result


@dataclass(frozen=True)
class RunRecord:
    """One run of a job on one provider: the agreed price and what came back (None: lost)."""

    provider: str
    price: int
    result: WorkResult | None
    note: str = ""


@dataclass
class JobRecord:
    """Everything that happened to one job."""

    job_id: int
    job: JobSpec
    requester: str
    status: JobStatus = JobStatus.RUNNING
    bids: dict[str, int] = field(default_factory=dict)  # provider -> agreed price
    results: dict[str, WorkResult] = field(default_factory=dict)
    tried: set[str] = field(default_factory=set)
    attempts: int = 0  # runs started, lost or not (numbers each run's dice)
    failures: int = 0  # runs that failed through a provider's fault, or lost twice in a row
    result: WorkResult | None = None
    paid: dict[str, int] = field(default_factory=dict)
    slashed: dict[str, int] = field(default_factory=dict)
    refunded: int = 0
    reason: str = ""
    ready_at: float = 0.0  # simulated time the job's last run ended
    runs: list[RunRecord] = field(default_factory=list)  # every run, in order, kept or lost


class JobRunner:
    """Runs jobs on a market of providers, paying through a ledger with escrow.

    Args:
        providers: who may bid for work.
        balances: starting credits of requesters (ignored when ``ledger`` is given).
        ledger: an existing ``Ledger``; by default a new one with each provider's stake bonded.
        backend: ``"local"`` (a process pool, one worker per core), ``"ray"`` or ``"inline"``.
        workers: pool size for the local backend. address: a Ray cluster to join.
        seed: seeds every chance event (drop-outs, spot checks): same seed, same run.
        spot_check_rate: share of jobs whose results are challenged even when they all
            agree, at every redundancy (disagreeing results are always challenged).
        challenges: rows of each result the verifier recomputes when it challenges it.
        sealed_results: results are sealed until every replica has committed
            (commit-reveal), so a copycat cannot copy another provider's result.
        max_attempts: failed runs a job may have (dropped, late, wrong, lost twice) before it
            fails. A run lost because its worker process died is retried on the same
            provider once, and is not counted unless it is lost again.
        slash_fraction: share of its stake a provider loses when caught cheating.
        use_reputation: let reputation weigh in when matching (price / score).

    Raises:
        RunnerError (a ValueError) naming the setting that breaks its rule (a NaN seed, a
        device this machine cannot use, ``max_attempts=None``...), before anything starts.
    """

    def __init__(self, providers: Sequence[Provider], balances: dict[str, int] | None = None,
                 ledger: Ledger | None = None, backend: str = "local", workers: int | None = None,
                 address: str | None = None, seed: int = 0, spot_check_rate: float = 0.0,
                 max_attempts: int = 4, slash_fraction: float = 0.5,
                 use_reputation: bool = False, challenges: int = 8,
                 sealed_results: bool = True) -> None:
        ensure(isinstance(providers, Sequence) and not isinstance(providers, str) and len(
            providers) > 0 and all(isinstance(p, Provider) for p in providers), RunnerError,
            "providers", providers, "a non-empty list of Provider objects")
        names = [provider.name for provider in providers]
        ensure(len(set(names)) == len(names), RunnerError, "providers", names,
               "providers with unique names")
        if ledger is not None:
            ensure_instance(ledger, "ledger", Ledger, error=RunnerError)
        ensure_choice(backend, "backend", BACKENDS, error=RunnerError)
        if workers is not None:
            ensure_int(workers, "workers", minimum=1, maximum=MAX_WORKERS, error=RunnerError)
        if address is not None:
            ensure_text(address, "address", meaning="a Ray cluster, e.g. 'auto'",
                        error=RunnerError)
        if backend != "ray":  # a Ray cluster may have devices this machine lacks
            for provider in providers:
                check_device(provider.device, f"device of {provider.name}", error=RunnerError)
        seed = check_seed(seed, error=RunnerError)
        spot_check_rate = ensure_number(spot_check_rate, "spot_check_rate", minimum=0,
                                        maximum=1, meaning="a probability", error=RunnerError)
        max_attempts = ensure_int(max_attempts, "max_attempts", minimum=1,
                                  maximum=MAX_ATTEMPTS, error=RunnerError)
        slash_fraction = ensure_number(slash_fraction, "slash_fraction", minimum=0, maximum=1,
                                       meaning="a share of the stake", error=RunnerError)
        use_reputation = ensure_bool(use_reputation, "use_reputation", error=RunnerError)
        self.challenges = ensure_int(challenges, "challenges", minimum=1, maximum=MAX_CHALLENGES,
                                     meaning="rows recomputed per challenged result",
                                     error=RunnerError)
        self.sealed_results = ensure_bool(sealed_results, "sealed_results", error=RunnerError)
        self.providers = {provider.name: provider for provider in providers}
        self.ledger = ledger or Ledger(balances, {p.name: p.stake for p in providers})
        self.reputation = Reputation()
        self.seed, self.spot_check_rate = seed, spot_check_rate
        self.max_attempts, self.slash_fraction = max_attempts, slash_fraction
        self.use_reputation = use_reputation
        self.banned: set[str] = set()  # caught cheating: never matched again
        self.lost_once: set[tuple[int, str]] = set()  # (job, provider) whose worker died once
        self.backend: Backend = make_backend(backend, providers, workers, address)
        self.events: list[Event] = []
        self.free_at = dict.fromkeys(self.providers, 0.0)  # simulated clock per provider
        self.next_job_id = 0
        self.last_report: RunReport | None = None  # the latest run's report, even a cut one

    # ---- the public API ---------------------------------------------------------------

    def run(self, jobs: Sequence[JobSpec], requester: str = "requester",
            wave_size: int | None = None) -> RunReport:
        """Run every job to a verdict; returns the records, the event log and the ledger.

        Jobs go to market in waves. In one wave a provider takes at most ``slots`` jobs (what
        it can run at once); a job that finds every suitable provider busy waits for the next
        wave, so a provider caught cheating in one wave gets no work in the next.
        ``wave_size`` caps the number of jobs in a wave (default: only the slots limit it).

        The report is also kept as ``runner.last_report``. If anything stops the run early
        (an exception from a workload or a backend, Ctrl-C), every unfinished job ends
        ``failed`` with its escrow refunded, ``runner.last_report`` holds the report so far,
        and the exception is raised again with a note saying so.

        Raises:
            RunnerError (a ValueError) for bad arguments, before any credit moves.
        """
        ensure(isinstance(jobs, Sequence) and not isinstance(jobs, str) and all(
            isinstance(job, JobSpec) for job in jobs), RunnerError, "jobs", jobs,
            "a list of JobSpec objects")
        requester = ensure_text(requester, "requester", error=RunnerError)
        if wave_size is not None:
            wave_size = ensure_int(wave_size, "wave_size", minimum=1, error=RunnerError)
        records = [self._new_record(job, requester) for job in jobs]
        self.last_report = None
        try:
            self._run_waves(records, wave_size)
        except BaseException as error:  # even Ctrl-C: settle every escrow before it goes on
            stopped = self._stop(records, error)
            self.last_report = self._report(records)
            error.add_note(f"JobRunner.run stopped early: {stopped} unfinished job(s) ended "
                           "failed and every escrow was settled or refunded; the report so "
                           "far is runner.last_report")
            raise
        self.last_report = self._report(records)
        return self.last_report

    def _run_waves(self, records: list[JobRecord], wave_size: int | None) -> None:
        """Send the jobs to market wave by wave until every one has a verdict."""
        waiting = list(records)
        while waiting:
            wave: list[JobRecord] = []
            load: Counter[str] = Counter()  # jobs each provider took in this wave
            deferred = []
            for record in waiting:
                busy = {name for name, p in self.providers.items() if load[name] >= p.slots}
                if (wave_size and len(wave) >= wave_size) or not self._open(record, busy):
                    deferred.append(record)
                elif record.status == JobStatus.RUNNING:
                    wave.append(record)
                    load.update(record.bids.keys())  # one slot per job taken
            self._run_wave(wave)
            waiting = deferred

    def _report(self, records: list[JobRecord]) -> RunReport:
        return RunReport(records, list(self.events), self.ledger, self.reputation)

    def _stop(self, records: list[JobRecord], error: BaseException) -> int:
        """After ``error`` cut a run short: end every unfinished job and close its escrow.

        A job cut off in the middle of its settlement (someone already paid) keeps its verdict;
        every other unfinished job fails and its escrow goes back to the requester. Returns how
        many jobs were unfinished.
        """
        unfinished = [record for record in records if record.status == JobStatus.RUNNING]
        stopped = {record.job_id for record in unfinished}
        why = f"stopped by {type(error).__name__}: {error}".rstrip(": ")
        for record in unfinished:
            if record.paid:  # the verdict was being paid out: it stands
                record.status = JobStatus.VERIFIED
                record.result = record.results[next(iter(record.paid))]
                self._log(record.ready_at, EventKind.VERIFIED, record,
                          detail=f"paid before the run {why}")
            else:
                record.status, record.reason = JobStatus.FAILED, why
        for record in records:
            escrow = self.ledger.escrows.get(record.job_id)
            if escrow is not None and not escrow.closed:
                record.refunded = self.ledger.refund(record.job_id)
                if record.status == JobStatus.FAILED:
                    self._log(record.ready_at, EventKind.FAILED, record, detail=record.reason)
            elif record.job_id in stopped and record.status == JobStatus.FAILED:
                self._log(record.ready_at, EventKind.FAILED, record, detail=record.reason)
        return len(unfinished)

    def _run_wave(self, wave: list[JobRecord]) -> None:
        """Run rounds until every job in the wave is verified or has failed."""
        pending = [task for record in wave for task in self._first_tasks(record)]
        while pending:
            by_job: dict[int, list[TaskOutcome]] = {}
            for outcome in self.backend.run_round(pending):
                by_job.setdefault(outcome.task.job_id, []).append(outcome)
            pending = []
            for record in wave:  # in job order, so the same seed gives the same run
                if record.job_id not in by_job:
                    continue
                # results first, then lost runs, then copycats (they copy what came in)
                outcomes = sorted(by_job[record.job_id], key=lambda o: (
                    2 if o.note == COPYING else 0 if o.result is not None else 1))
                retries = [task for outcome in outcomes for task in self._absorb(record, outcome)]
                if not retries and record.status == JobStatus.RUNNING:
                    retries = self._settle(record)
                pending.extend(retries)
        for record in wave:
            if record.status == JobStatus.FAILED and record.job_id in self.ledger.escrows:
                record.refunded = self.ledger.refund(record.job_id)
                self._log(record.ready_at, EventKind.FAILED, record, detail=record.reason)

    def close(self) -> None:
        """Stop the backend's workers (a local pool or Ray actors)."""
        self.backend.close()

    def __enter__(self) -> JobRunner:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # ---- one job, step by step ----------------------------------------------------------

    def _new_record(self, job: JobSpec, requester: str) -> JobRecord:
        record = JobRecord(self.next_job_id, job, requester)
        self.next_job_id += 1
        return record

    def _open(self, record: JobRecord, busy: set[str]) -> bool:
        """Match the job and lock its price in escrow; False if it must wait for free providers.

        A job nobody may take (or its requester cannot pay for) fails here, with its reason.
        """
        job = record.job
        try:
            bids = self._match(record, count=job.redundancy, busy=busy)
        except NoProviderError as error:
            if busy and self._can_match_later(record):
                return False
            record.status, record.reason = JobStatus.FAILED, str(error)
            self._log(0.0, EventKind.UNMATCHED, record, detail=str(error))
            return True
        try:
            self.ledger.lock(record.job_id, record.requester, sum(bid.price for bid in bids))
        except InsufficientCredits as error:
            record.status, record.reason = JobStatus.FAILED, str(error)
            self._log(0.0, EventKind.UNMATCHED, record, detail=str(error))
            return True
        for bid in bids:
            record.bids[bid.provider.name] = bid.price
            record.tried.add(bid.provider.name)
            self._log(self.free_at[bid.provider.name], EventKind.MATCHED, record, bid.provider.name,
                      f"{bid.price} credits")
        return True

    def _can_match_later(self, record: JobRecord) -> bool:
        try:
            self._match(record, count=record.job.redundancy)
        except NoProviderError:
            return False
        return True

    def _first_tasks(self, record: JobRecord) -> list[Task]:
        if record.status != JobStatus.RUNNING:
            return []
        return [self._task(record, name) for name in record.bids]

    def _task(self, record: JobRecord, provider: str) -> Task:
        record.attempts += 1
        return Task(record.job_id, record.job, self.providers[provider], record.attempts,
                    self.seed)

    def _absorb(self, record: JobRecord, outcome: TaskOutcome) -> list[Task]:
        """Place a finished run on the timeline; keep its result or line up a retry."""
        if outcome.note == COPYING:
            outcome = self._copy(record, outcome)
        provider = outcome.task.provider
        duration = provider.duration(record.job)
        start = max(self.free_at[provider.name], record.ready_at if outcome.task.attempt >
                    record.job.redundancy else 0.0)
        late = duration > record.job.timeout_s
        end = start + (record.job.timeout_s if late else duration)
        self.free_at[provider.name] = end
        price = record.bids.get(provider.name, provider.bid(record.job))
        kept = outcome.result if not late else None
        record.runs.append(RunRecord(provider.name, price, kept, "timed out" if late else
                                     outcome.note))
        if record.status == JobStatus.FAILED:  # the job gave up: this run is not used nor paid
            self._log(start, EventKind.RUN, record, provider.name, "unused: the job failed",
                      end - start)
            return []
        if outcome.result is not None and not late:
            record.results[provider.name] = outcome.result
            self._log(start, EventKind.RUN, record, provider.name, outcome.note, end - start)
            record.ready_at = max(record.ready_at, end)
            return []
        kind = "timed out" if late else outcome.note
        self._log(start, EventKind.LOST, record, provider.name, kind, end - start)
        record.ready_at = max(record.ready_at, end)
        del record.bids[provider.name]  # not paid for a lost run; its share stays in escrow
        if outcome.note == WORKER_LOST and (record.job_id, provider.name) not in self.lost_once:
            # a machine can die once by bad luck: the same provider tries once more, unblamed
            self.lost_once.add((record.job_id, provider.name))
            record.bids[provider.name] = price
            return [self._task(record, provider.name)]
        self.reputation.record(provider.name, RunOutcome.FAILED)  # its run, its failure
        return self._reassign(record, kind)

    def _copy(self, record: JobRecord, outcome: TaskOutcome) -> TaskOutcome:
        """What a copycat gets: another provider's result for the job, if it can see one.

        With sealed results (commit-reveal) all it can copy is another provider's seal, which
        it cannot open: it submits a result without a commitment of its own.
        """
        provider = outcome.task.provider
        if not record.results:
            return replace(outcome, note="found nothing to copy")
        source, seen = next(iter(record.results.items()))
        if self.sealed_results:
            sealed = WorkResult(seen.workload, seen.summary, seen.flops, provider.device)
            return replace(outcome, result=sealed,
                           note=f"copied {source}'s seal, which it cannot open")
        return replace(outcome, result=replace(seen, device=provider.device),
                       note=f"copied {source}'s result")

    def _settle(self, record: JobRecord) -> list[Task]:
        """Verify the results: pay who was right, slash who was proven wrong, refund the rest.

        If nobody was right (every result was proven wrong), the job goes back to the
        market; the returned list holds that new run.
        """
        job = record.job
        dice = random.Random(f"{self.seed}:spot:{record.job_id}:{record.attempts}")
        verdict = quorum(record.results, 1, summary_tolerance(job))
        unanimous = (verdict.accepted is not None and not verdict.disagreeing
                     and len(record.results) >= self._quorum_size(record)
                     and all(r.committed is not None and _finite(r)
                             for r in record.results.values()))
        if unanimous and not should_spot_check(self.spot_check_rate, dice):
            # agreeing summaries are not enough (a summary can be met without the work):
            # the same random rows, opened from every result, must agree too
            compared = cross_check(job, record.results, self.challenges, dice.getrandbits(63))
            trusted, disputed = compared.passed, compared.failed
        else:
            trusted, disputed = False, ()
        if trusted:
            agreeing = tuple(record.results)
            how = "quorum" if len(agreeing) > 1 else "unchecked"
            wrong: dict[str, ChallengeReport] = {}
        else:
            agreeing, wrong, how = self._prove(record, dice, disputed)
        for provider, report in wrong.items():
            self.reputation.record(provider, RunOutcome.CHEATED)
            amount = int(self.ledger.stake(provider) * self.slash_fraction)
            record.slashed[provider] = self.ledger.slash(provider, amount, to=record.requester)
            self.banned.add(provider)
            del record.results[provider], record.bids[provider]
            self._log(record.ready_at, EventKind.SLASHED, record, provider,
                      f"{record.slashed[provider]} credits ({_why_wrong(report)})")
        if not agreeing:
            return self._reassign(record, "every result was proven wrong")
        for provider in agreeing:
            self.reputation.record(provider, RunOutcome.VERIFIED)
            self.ledger.pay(record.job_id, provider, record.bids[provider])
            record.paid[provider] = record.bids[provider]
            self._log(record.ready_at, EventKind.PAID, record, provider,
                      f"{record.bids[provider]} credits ({how})")
        accepted = quorum({p: record.results[p] for p in agreeing}, 1, summary_tolerance(job))
        record.result = accepted.accepted or record.results[agreeing[0]]
        record.refunded = self.ledger.refund(record.job_id)
        if _finite(record.result):
            record.status = JobStatus.VERIFIED
            self._log(record.ready_at, EventKind.VERIFIED, record, detail=how)
        else:
            record.status = JobStatus.INVALID
            record.reason = ("the job's true output is not finite (NaN or inf), checked row by "
                             "row: an invalid job; its providers were paid for their work")
            self._log(record.ready_at, EventKind.INVALID, record, detail=record.reason)
        return []

    def _prove(self, record: JobRecord, dice: random.Random, disputed: tuple[int, ...] = (),
               ) -> tuple[tuple[str, ...], dict[str, ChallengeReport], str]:
        """Challenge every result (on drawn rows and on the ``disputed`` rows, where the
        results were seen to differ); if those that pass still disagree, check every row.

        Returns who was proven right, who was proven wrong (with the report that proves it),
        and how. Only a failed check proves a result wrong, never a vote.
        """
        job = record.job
        wrong: dict[str, ChallengeReport] = {}
        for provider, result in record.results.items():
            report = challenge(job, result, self.challenges, dice.getrandbits(63), disputed)
            self._log(record.ready_at, EventKind.CHALLENGED, record, provider,
                      f"rows {list(report.rows)}" if report.rows else report.reason)
            if not report.passed:
                wrong[provider] = report
        survivors = {p: r for p, r in record.results.items() if p not in wrong}
        how = f"challenged {self.challenges} rows"
        split = self._split(job, survivors)
        if split and job.workload == "train_mlp":
            how = "settled by bisection"
            split = self._bisect(record, survivors, wrong)
            survivors = {p: r for p, r in survivors.items() if p not in wrong}
        if split or not all(_finite(r) for r in survivors.values()):
            how = "checked every row"
            for provider, result in survivors.items():
                report = check_every_row(job, result)
                self._log(record.ready_at, EventKind.CHALLENGED, record, provider, "every row")
                if not report.passed:
                    wrong[provider] = report
        agreeing = tuple(p for p in record.results if p not in wrong)
        return agreeing, wrong, how

    @staticmethod
    def _split(job: JobSpec, results: dict[str, WorkResult]) -> bool:
        """Do these results fail to agree all together?"""
        return len(results) > 1 and quorum(results, len(results),
                                           summary_tolerance(job)).accepted is None

    def _bisect(self, record: JobRecord, survivors: dict[str, WorkResult],
                wrong: dict[str, ChallengeReport]) -> bool:
        """Settle disagreeing training results pair by pair with the bisection game
        (``course.compute.disputes``); adds whoever it proves wrong to ``wrong``. Returns True
        when a pair stays unsettled and every row must be checked."""
        job, left = record.job, dict(survivors)
        while self._split(job, left):
            names = list(left)
            pair = next(((p, q) for i, p in enumerate(names) for q in names[i + 1:]
                         if self._split(job, {p: left[p], q: left[q]})), None)
            if pair is None:
                return True
            first, second = pair
            dispute = settle_by_bisection(job, left[first], left[second])
            opened = [index for index, _ in dispute.rounds]
            for provider, other in ((first, second), (second, first)):
                self._log(record.ready_at, EventKind.CHALLENGED, record, provider,
                          f"bisection with {other} over checkpoints {opened}: {dispute.reason}")
            if not dispute.settled:
                return True
            for side in dispute.wrong:
                provider = first if side == SIDES[0] else second
                wrong[provider] = ChallengeReport((dispute.segment,), (dispute.segment,))
                del left[provider]
        return False

    def _reassign(self, record: JobRecord, why: str) -> list[Task]:
        """Find one more provider for the job and lock its price.

        When none can be had, a job whose agreeing results already make a quorum is settled
        on them (its honest providers are paid); any other job fails.
        """
        record.failures += 1
        if record.failures >= self.max_attempts:
            failure = f"{why}; no result after {record.failures} failed runs"
        else:
            try:
                (bid,) = self._match(record, count=1)
                self.ledger.lock(record.job_id, record.requester, bid.price)
            except (NoProviderError, InsufficientCredits) as error:
                failure = f"{why}; could not reassign: {error}"
            else:
                record.bids[bid.provider.name] = bid.price
                record.tried.add(bid.provider.name)
                self._log(record.ready_at, EventKind.REASSIGNED, record, bid.provider.name,
                          f"{bid.price} credits")
                return [self._task(record, bid.provider.name)]
        if not record.results:
            record.status, record.reason = JobStatus.FAILED, failure
        return []  # with results in hand, _settle checks and pays them

    @staticmethod
    def _quorum_size(record: JobRecord) -> int:
        """Agreeing results that accept a job's result: a strict majority of its redundancy."""
        return record.job.redundancy // 2 + 1

    def _match(self, record: JobRecord, count: int,
               busy: frozenset[str] | set[str] = frozenset()) -> list[Bid]:
        scores = None
        if self.use_reputation:
            scores = self.reputation.scores(list(self.providers))
        return match(record.job, self.providers.values(),
                     exclude=record.tried | self.banned | busy,
                     stakes=self.ledger.stakes, reputation=scores, count=count)

    def _log(self, time: float, kind: EventKind, record: JobRecord, provider: str = "",
             detail: str = "", duration: float = 0.0) -> None:
        self.events.append(Event(round(time, 6), kind, record.job_id, provider, detail,
                                 round(duration, 6)))


def _finite(result: WorkResult) -> bool:
    return all(math.isfinite(value) for value in result.summary)


def _why_wrong(report: ChallengeReport) -> str:
    if report.reason:
        return report.reason
    rows = list(report.failed)
    shown = ", ".join(map(str, rows[:5])) + (", ..." if len(rows) > 5 else "")
    return f"row{'s' if len(rows) > 1 else ''} {shown} proven wrong"
