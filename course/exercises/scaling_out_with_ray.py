"""Checks for notebook 14 (scaling out with Ray): Amdahl's law, the makespan of jobs on a few
workers, the overhead a backend adds per job, and the time to run a job on a remote machine
(shipping its inputs, then computing). Each runs the learner's function on many inputs and
compares it with the reference formula written out below (the formulas are the lesson; none
needs Ray). One is a build task: a job driver that loses no job when workers die, run on
simulated clusters (course.compute.clusters) and then, in the notebook, on Ray.

The driver check hands the driver the cluster's four names only (no attempt log, poison list or
work function), refuses a result that ``get`` never returned, a stop the driver caught (a job
retried past max_attempts), calls from a second thread and a cluster whose settings changed.
What this does not stop (the bound, as in course/check_channel.py): the driver runs in the
checker's process, so code that reaches the cluster through the handed methods' internals or
the caller's frames can rewrite its record; a driver that catches BaseException around every
call can also loop until it is interrupted. Reading the notebook catches both."""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from course.compute.clusters import (
    ClusterError,
    RetriedTooOften,
    SimulatedCluster,
    TooManyCalls,
    WorkerDied,
)
from course.exercises import (
    CheckFailed,
    Exercise,
    close_enough,
    expect_function,
    expect_number,
)

# --- the reference formulas ----------------------------------------------------------------------


def _amdahl_speedup(serial_fraction: float, workers: int) -> float:
    """Amdahl (1967): the serial part takes as long as ever, the rest is shared by N workers."""
    return 1 / (serial_fraction + (1 - serial_fraction) / workers)


def _makespan(durations: Sequence[float], workers: int) -> float:
    """List scheduling: in the given order, each job goes to the worker that is free first."""
    free_at = [0.0] * workers
    for duration in durations:
        heapq.heappush(free_at, heapq.heappop(free_at) + duration)
    return max(free_at)


def _per_job_overhead(total_seconds: float, work_seconds: float, jobs: int) -> float:
    """The time a run spent on anything but the work itself, per job."""
    return (total_seconds - work_seconds) / jobs


def _remote_seconds(
    flops: float,
    nbytes: float,
    remote_flops_per_s: float,
    bandwidth_bytes_per_s: float,
    latency_s: float,
) -> float:
    """Ship the inputs (one latency plus bytes over bandwidth), then compute over there."""
    return latency_s + nbytes / bandwidth_bytes_per_s + flops / remote_flops_per_s


# --- Amdahl's law --------------------------------------------------------------------------------

AMDAHL_CASES = [
    (0.0, 1),
    (0.0, 8),
    (1.0, 64),
    (0.5, 2),
    (0.1, 10),
    (0.05, 1_000_000),
    (0.25, 3),
    (0.01, 100),
    (0.3, 1),
]
AMDAHL_CASES += [
    (round(float(s), 4), int(n))
    for s, n in zip(
        np.random.default_rng(12).uniform(0, 1, 12),
        np.random.default_rng(13).integers(1, 500, 12),
        strict=True,
    )
]


def _test_amdahl_speedup(answer: Callable[[float, int], float]) -> str:
    expect_function(answer, 2)
    for serial, workers in AMDAHL_CASES:
        got = expect_number(answer(serial, workers), f"amdahl_speedup({serial}, {workers})")
        expected = _amdahl_speedup(serial, workers)
        if not close_enough(got, expected):
            hint = ""
            if close_enough(got, float(workers)):
                hint = " That is the ideal speed-up: the serial part does not get faster."
            elif close_enough(got, serial + (1 - serial) / workers):
                hint = " That is the new running time as a share of the old; invert it."
            elif serial < 1 and close_enough(got, 1 / ((1 - serial) + serial / workers)):
                hint = " You shared the serial part among the workers, not the parallel part."
            raise CheckFailed(
                f"with a serial fraction of {serial} and {workers} worker(s) you "
                f"returned {got:g}, expected {expected:g}.{hint}"
            )
    return "A 5% serial part caps the speed-up at 20x, whether you rent 100 machines or a million."


check_amdahl_speedup = Exercise(
    name="amdahl_speedup",
    goal="Write amdahl_speedup(serial_fraction, workers): how many times faster a program runs "
    "on `workers` workers when `serial_fraction` of its single-worker time cannot be shared.",
    hints=(
        "Amdahl's law: only the parallel part of a program gets faster with more "
        "workers; the serial part takes the same time whatever you add. Speed-up = time"
        " on one worker / time on N workers, with the one-worker time taken as 1.",
        "On other numbers: a job that is 20% serial on 4 workers. One worker: 1. Four "
        "workers: the serial 0.2 plus the parallel 0.8 shared by 4, i.e. 0.2 + 0.2 = "
        "0.4. Speed-up = 1 / 0.4 = 2.5, far from 4. With infinitely many workers it "
        "would approach 1 / 0.2 = 5.",
    ),
    test=_test_amdahl_speedup,
)


# --- makespan ------------------------------------------------------------------------------------

MAKESPAN_CASES: list[tuple[list[float], int]] = [
    ([], 3),
    ([5.0], 4),
    ([1.0] * 4, 3),
    ([1.0] * 6, 3),
    ([2.0, 2.0, 2.0], 1),
    ([1.0, 1.0, 4.0], 2),
    ([4.0, 1.0, 1.0], 2),
    ([3.0, 3.0, 2.0, 2.0, 2.0], 2),
    ([0.5, 0.25, 0.125, 8.0], 5),
    ([0.01] * 200, 2),
    ([1.0] * 7, 7),
    ([1.0] * 8, 7),
]
_rng = np.random.default_rng(14)
MAKESPAN_CASES += [
    (
        [round(float(d), 3) for d in _rng.exponential(1.0, int(_rng.integers(1, 30)))],
        int(_rng.integers(1, 6)),
    )
    for _ in range(12)
]


def _test_makespan(answer: Callable[[list[float], int], float]) -> str:
    expect_function(answer, 2)
    for durations, workers in MAKESPAN_CASES:
        shown = durations if len(durations) <= 8 else f"{len(durations)} jobs {durations[:3]}..."
        got = expect_number(answer(list(durations), workers), f"makespan({shown}, {workers})")
        expected = _makespan(durations, workers)
        if not close_enough(got, expected):
            hint = ""
            if close_enough(got, sum(durations) / workers):
                hint = (
                    " The total work / workers is a lower bound: jobs cannot be cut in "
                    "pieces, so some workers sit idle."
                )
            elif close_enough(got, sum(durations)):
                hint = " That is one worker doing everything; the others help."
            elif close_enough(got, _makespan(sorted(durations, reverse=True), workers)):
                hint = (
                    " You sorted the jobs (longest first): a better schedule, but the "
                    "exercise keeps them in the order given, as a queue does."
                )
            raise CheckFailed(
                f"{workers} worker(s), jobs taking {shown} s: you returned "
                f"{got:g} s, expected {expected:g} s.{hint}"
            )
    return (
        "Jobs come in whole pieces: 4 equal jobs on 3 workers take as long as 6, and one "
        "long job sets the pace however many workers wait."
    )


check_makespan = Exercise(
    name="makespan",
    goal="Write makespan(durations, workers): the time until the last job ends when `workers` "
    "identical workers take the jobs in the order given, each job going to the worker that is "
    "free first (0 for no jobs).",
    hints=(
        "Greedy list scheduling: jobs go in the given order, each to the worker that "
        "becomes free first. Track when each worker is next free; the makespan is when "
        "the last one finishes.",
        "By hand with 2 workers and jobs 3, 1, 2, 2: both free at 0. Job 3 -> worker A "
        "(A free at 3). Job 1 -> B (B at 1). Job 2 -> B, the earlier free (B at 3). Job"
        " 2 -> A or B, both at 3: A (A at 5). The last worker finishes at 5: the "
        "makespan is 5, not the 8 / 2 = 4 of a perfect split.",
    ),
    test=_test_makespan,
)


# --- overhead per job ----------------------------------------------------------------------------

OVERHEAD_CASES = [
    (2.0, 1.0, 10),
    (0.5, 0.5, 3),
    (1.234, 0.004, 200),
    (10.0, 0.0, 1),
    (0.3, 0.35, 4),
    (60.0, 59.0, 1000),
]
_rng = np.random.default_rng(15)
OVERHEAD_CASES += [
    (round(float(w + o), 6), round(float(w), 6), int(n))
    for w, o, n in zip(
        _rng.exponential(2.0, 12),
        _rng.exponential(1.0, 12),
        _rng.integers(1, 1000, 12),
        strict=True,
    )
]


def _test_per_job_overhead(answer: Callable[[float, float, int], float]) -> str:
    expect_function(answer, 3)
    for total, work, jobs in OVERHEAD_CASES:
        got = expect_number(answer(total, work, jobs), f"per_job_overhead({total}, {work}, {jobs})")
        expected = _per_job_overhead(total, work, jobs)
        if not close_enough(got, expected):
            hint = ""
            if close_enough(got, total - work):
                hint = " That is the overhead of the whole run; share it among the jobs."
            elif close_enough(got, total / jobs):
                hint = " That is the time per job, work included; take the work out first."
            elif close_enough(got, abs(expected)):
                hint = (
                    " Keep the sign: a negative overhead means the run beat the "
                    "one-at-a-time work (it ran jobs in parallel)."
                )
            raise CheckFailed(
                f"a run of {jobs} job(s) taking {total} s, of which the work alone "
                f"takes {work} s: you returned {got:g}, expected {expected:g}."
                f"{hint}"
            )
    return (
        "Overhead per job is what a backend costs you: it hides in big jobs and dominates "
        "tiny ones."
    )


check_per_job_overhead = Exercise(
    name="per_job_overhead",
    goal="Write per_job_overhead(total_seconds, work_seconds, jobs): the seconds per job a run "
    "spent on anything but the work (total_seconds of wall-clock time, of which the work done "
    "one job after another would take work_seconds).",
    hints=(
        "Overhead is every second that is not useful work: what you measured in total "
        "minus the work itself. Spread over the jobs, it is the cost you pay per task "
        "you submit.",
        "Another run: 30 jobs took 7.5 s in all, of which 6.0 s was computation. 7.5 - "
        "6.0 = 1.5 s were scheduling, serialisation and waiting; 1.5 / 30 = 0.05 s, "
        "i.e. 50 ms per job. If a job's work is below that, batching beats fanning out.",
    ),
    test=_test_per_job_overhead,
)


# --- running a job remotely ----------------------------------------------------------------------

GBIT = 1e9 / 8  # bytes per second in one gigabit per second
REMOTE_CASES = [
    (2 * 1024**3, 2 * 1024**2 * 4, 50e12, GBIT, 0.02),  # a 1024 matmul to a GPU over 1 Gbit/s
    (0, 0, 1e9, 1e6, 0.05),  # nothing to do: just the latency
    (1e9, 0, 1e10, 1e6, 0.0),  # no data to send
    (0, 1e6, 1e12, 1e6, 0.0),  # only data
    (2 * 8192**3, 2 * 8192**2 * 4, 100e12, 10 * GBIT, 0.001),
    (1e6, 1e3, 1e9, 125e6 / 10, 0.08),
]
_rng = np.random.default_rng(16)
REMOTE_CASES += [
    (float(f), float(b), float(r), float(w), round(float(lat), 4))
    for f, b, r, w, lat in zip(
        np.exp(_rng.uniform(np.log(1e6), np.log(1e15), 12)),
        np.exp(_rng.uniform(np.log(1e3), np.log(1e11), 12)),
        np.exp(_rng.uniform(np.log(1e10), np.log(1e15), 12)),
        np.exp(_rng.uniform(np.log(1e6), np.log(1e11), 12)),
        _rng.uniform(0, 0.2, 12),
        strict=True,
    )
]


def _test_remote_seconds(answer: Callable[[float, float, float, float, float], float]) -> str:
    expect_function(answer, 5)
    for flops, nbytes, remote, bandwidth, latency in REMOTE_CASES:
        call = f"remote_seconds({flops:g}, {nbytes:g}, {remote:g}, {bandwidth:g}, {latency})"
        got = expect_number(answer(flops, nbytes, remote, bandwidth, latency), call)
        expected = _remote_seconds(flops, nbytes, remote, bandwidth, latency)
        if not close_enough(got, expected):
            hint = ""
            if latency and close_enough(got, expected - latency):
                hint = " The latency is missing: every trip over the network pays it once."
            elif nbytes and close_enough(got, expected - nbytes / bandwidth):
                hint = " The transfer is missing: the inputs must reach the remote machine."
            elif nbytes and close_enough(got, expected + 7 * nbytes / bandwidth):
                hint = " Bandwidth is given in bytes per second here: no factor 8."
            elif flops and close_enough(got, expected - flops / remote):
                hint = " The compute time is missing: the remote machine still has to do the work."
            raise CheckFailed(f"{call}: you returned {got:g} s, expected {expected:g} s.{hint}")
    return (
        "Shipping costs n² bytes and computing costs n³ FLOPs: past some size the work "
        "outgrows the transfer, and a faster remote machine wins."
    )


check_remote_seconds = Exercise(
    name="remote_seconds",
    goal="Write remote_seconds(flops, nbytes, remote_flops_per_s, bandwidth_bytes_per_s, "
    "latency_s): how long a job takes on a remote machine when its nbytes of inputs must first "
    "cross the network (one latency plus the transfer) and then flops of work run there.",
    hints=(
        "Running remotely costs three things one after the other: the round-trip "
        "latency, moving the data (bytes over bandwidth) and the compute (FLOPs over "
        "the remote machine's speed). Keep every term in seconds.",
        "On other numbers: 0.05 s of latency, 2e8 bytes over a 1e8 bytes/s link (2 s) "
        "and 3e12 FLOPs on a 1e12 FLOP/s machine (3 s): 0.05 + 2 + 3 = 5.05 s. Compare "
        "that with running locally to decide whether offloading pays.",
    ),
    test=_test_remote_seconds,
)


# --- Try it 2 (a build task): a driver that loses no job ----------------------------------------
# The learner's run_all(jobs, cluster, max_attempts) runs on simulated clusters (no Ray needed):
# seeded worker deaths, jobs that finish out of order, a job that kills every worker it runs
# on, jobs whose first attempts die. The notebook then runs the same function on Ray.


def _work(job: int) -> int:
    """What a simulated job computes: each job's result is its own (no two are equal)."""
    return job * job


@dataclass(frozen=True)
class DriverCase:
    """One simulated cluster and the jobs a driver must run on it."""

    seed: int
    workers: int
    jobs: dict[str, int]  # job id -> the job (what submit receives)
    max_attempts: int
    poison: str  # the job that kills every worker it runs on
    flaky: dict[str, int]  # job id -> how many first attempts kill their worker
    death_rate: float = 0.15

    def cluster(self) -> SimulatedCluster:
        return SimulatedCluster(
            _work,
            workers=self.workers,
            seed=self.seed,
            death_rate=self.death_rate,
            poison=[self.jobs[self.poison]] if self.poison else [],
            flaky={self.jobs[job]: deaths for job, deaths in self.flaky.items()},
            refuse_after=self.max_attempts,
            max_calls=5_000,
            jobs=self.jobs.values(),
        )

    def where(self) -> str:
        return (
            f"on cluster #{self.seed} ({len(self.jobs)} jobs, {self.workers} workers, "
            f"max_attempts={self.max_attempts})"
        )

    def describe(self, job: str) -> str:
        if job == self.poison:
            return f"{job} (it kills every worker it runs on)"
        deaths = self.flaky.get(job, 0)
        if deaths == 1:
            return f"{job} (its first attempt kills its worker)"
        if deaths > 1:
            return f"{job} (its first {deaths} attempts kill their worker)"
        return job


def _driver_cases() -> list[DriverCase]:
    rng = random.Random(2018)  # the year of Ray's OSDI paper
    cases = [
        DriverCase(
            0,
            3,
            {f"job-{i}": 10 + 7 * i for i in range(8)},
            3,
            "job-5",
            {"job-2": 1, "job-6": 2},
            death_rate=0.0,  # the first cluster: only the three special jobs kill workers
        )
    ]
    for seed in range(1, 24):
        count = rng.randint(5, 12)
        max_attempts = 1 if seed == 7 else rng.choice((2, 3, 4))
        values = rng.sample(range(2, 1000), count)
        jobs = {f"job-{i}": value for i, value in enumerate(values)}
        poison, once, stubborn = rng.sample(sorted(jobs), 3)
        flaky = {once: 1, stubborn: max(max_attempts - 1, 0)}
        cases.append(DriverCase(seed, rng.choice((2, 3, 4)), jobs, max_attempts, poison, flaky))
    cases.append(DriverCase(24, 2, {}, 3, "", {}))  # nothing to do
    return cases


DRIVER_CASES = _driver_cases()


class _Handed:
    """What the driver is handed: the cluster's four names and nothing else (no attempt log,
    no poison list, no work function to call instead of submitting)."""

    __slots__ = ("WorkerDied", "_name", "get", "submit", "wait")

    def __init__(self, cluster: SimulatedCluster) -> None:
        self.submit, self.wait, self.get = cluster.submit, cluster.wait, cluster.get
        self.WorkerDied = WorkerDied
        self._name = repr(cluster)

    def __getattr__(self, name: str) -> Any:  # only for names the driver is not handed
        raise AttributeError(
            f"the cluster a driver is handed has submit, wait, get and WorkerDied, "
            f"nothing else (no {name!r})"
        )

    def __repr__(self) -> str:
        return self._name


def _settings(cluster: SimulatedCluster) -> tuple[Any, ...]:
    return (
        cluster.work,
        cluster.workers,
        cluster.seed,
        cluster.death_rate,
        cluster.poison,
        cluster.flaky,
        cluster.restart_s,
        cluster.refuse_after,
        cluster.max_calls,
        cluster.jobs,
    )


def _pair(returned: Any, where: str) -> tuple[Mapping[Any, Any], set[Any]]:
    """(results, gave_up) from what run_all returned, or a one-line reason why not."""
    if isinstance(returned, Mapping):
        raise CheckFailed(
            f"{where} run_all returned one dict: return a pair (results, gave_up), "
            "gave_up holding the jobs given up on (empty when there are none)."
        )
    if not isinstance(returned, tuple | list) or len(returned) != 2:
        raise CheckFailed(
            f"{where} run_all returned {type(returned).__name__} "
            f"{str(returned)[:60]}: expected a pair (results, gave_up)."
        )
    results, gave_up = returned
    if not isinstance(results, Mapping):
        raise CheckFailed(
            f"{where} results is a {type(results).__name__}: expected a dict {{job id: result}}."
        )
    if not isinstance(gave_up, set | frozenset | list | tuple | Mapping):
        raise CheckFailed(
            f"{where} gave_up is a {type(gave_up).__name__}: expected a set (or list) of job ids."
        )
    return results, set(gave_up)


def _judge(
    case: DriverCase,
    cluster: SimulatedCluster,
    results: Mapping[Any, Any],
    gave_up: set[Any],
    where: str,
) -> None:
    """Fail with the first job that was lost, run twice, mislabelled or given up too early."""
    by_result = {_work(value): job for job, value in case.jobs.items()}
    for name, keys in (("results", set(results)), ("gave_up", gave_up)):
        strangers = sorted(keys - set(case.jobs), key=repr)
        if strangers:
            numbered = all(isinstance(k, int) for k in strangers)
            raise CheckFailed(
                f"{where} {name} holds {strangers[0]!r}, which is not a job id"
                + (
                    ": key everything by the job's id ('job-0', ...), not by a position."
                    if numbered
                    else f" (the ids are {', '.join(list(case.jobs)[:3])}, ...)."
                )
            )
    for job, value in case.jobs.items():
        what = case.describe(job)
        attempts = cluster.attempts_of(value)
        wins = [a.attempt for a in attempts if a.succeeded]
        if len(wins) > 1:
            raise CheckFailed(
                f"{where} {what} was run to a result {len(wins)} times (attempts "
                f"{', '.join(map(str, wins))}): submit a job again only after its worker died; "
                "in a market every finished run is paid."
            )
        if job in results and job in gave_up:
            raise CheckFailed(f"{where} {what} is both in results and in gave_up.")
        if job in results:
            got = results[job]
            if not attempts:
                raise CheckFailed(
                    f"{where} results[{job!r}] is {str(got)[:40]}, but {job} was never "
                    "submitted: every result must come from cluster.get."
                )
            if not wins:
                raise CheckFailed(
                    f"{where} results[{job!r}] is {str(got)[:40]}, but every attempt of {what} "
                    "died: a job with no result belongs in gave_up."
                )
            if not any(a.collected for a in attempts):
                raise CheckFailed(
                    f"{where} results[{job!r}] is {str(got)[:40]}, but cluster.get never "
                    f"returned a result of {job}: every result must come from cluster.get."
                )
            if type(got) not in (int, float):  # an object of its own could claim to be equal
                raise CheckFailed(
                    f"{where} results[{job!r}] is a {type(got).__name__}, not the number "
                    f"cluster.get returned for {job}: store the result itself."
                )
            if got != _work(value):
                other = by_result.get(got) if isinstance(got, int) else None
                if other is not None:
                    raise CheckFailed(
                        f"{where} results[{job!r}] is {other}'s result: keep each handle's job "
                        "id with it and store a result under that id, not by the order results "
                        "come back."
                    )
                raise CheckFailed(
                    f"{where} results[{job!r}] is {str(got)[:40]}, expected "
                    f"{_work(value)}, what cluster.get returned for it."
                )
        elif job in gave_up:
            if wins:
                raise CheckFailed(
                    f"{where} {what} finished (attempt {wins[0]}) but is in gave_up "
                    "instead of results."
                )
            if len(attempts) < case.max_attempts:
                raise CheckFailed(
                    f"{where} you gave up on {what} after {len(attempts)} attempt(s), but "
                    f"max_attempts is {case.max_attempts}: a dead worker is bad luck, not a "
                    "verdict on the job; submit it again."
                )
        elif wins:
            raise CheckFailed(f"{where} {what} finished, but its result is missing from results.")
        elif not attempts:
            raise CheckFailed(f"{where} {what} was never submitted.")
        elif len(attempts) < case.max_attempts:
            raise CheckFailed(
                f"{where} {what} was lost: its worker died on attempt {len(attempts)} and it was "
                "neither submitted again nor put in gave_up. Catch cluster.WorkerDied and "
                "resubmit."
            )
        else:
            raise CheckFailed(
                f"{where} {what} died on all {len(attempts)} attempts and is in neither results "
                "nor gave_up: record it in gave_up, so nobody thinks it ran."
            )
    busy = min(case.workers, len(case.jobs))
    if cluster.peak_in_flight < busy:
        if cluster.peak_in_flight <= 1:
            reason = (
                "only one job was ever in flight: your driver waits for each job before "
                "it submits the next, so the other workers sit idle. Submit them all, then "
                "wait."
            )
        else:
            reason = (
                f"at most {cluster.peak_in_flight} jobs were in flight at once on "
                f"{case.workers} workers: keep every worker busy (submit them all, then "
                "wait)."
            )
        raise CheckFailed(f"{where} {reason}")


def _test_run_all(answer: Callable[..., Any]) -> str:
    """Run the driver on every simulated cluster; judge what it returned against the record.

    Not a sandbox: see the module's docstring for what a determined driver can still fake.
    """
    expect_function(answer, 3)
    deaths = given_up = peak = 0
    cases = _driver_cases()  # built afresh: a driver that edits DRIVER_CASES changes nothing
    for case in cases:
        cluster, where = case.cluster(), case.where()
        try:
            returned = answer(dict(case.jobs), _Handed(cluster), case.max_attempts)
            if cluster.stopped is not None:  # the driver caught a stop: it is still the reason
                raise cluster.stopped
        except RetriedTooOften as stop:
            value, number = stop.args
            job = next(j for j, v in case.jobs.items() if v == value)
            raise CheckFailed(
                f"{where} {case.describe(job)} was submitted a {_ordinal(number)} time: give up "
                "on a job after max_attempts attempts, or a job that always crashes its worker "
                "is retried forever."
            ) from None
        except TooManyCalls:
            raise CheckFailed(
                f"{where} your driver called the cluster more than {cluster.max_calls:,} times: "
                "does it take each handle out of its pending list once collected?"
            ) from None
        except WorkerDied as died:
            raise CheckFailed(
                f"{where} run_all let WorkerDied escape ({died}): catch cluster.WorkerDied where "
                "you get a result, and submit that job again."
            ) from None
        except ClusterError as refused:
            raise CheckFailed(f"{where} the cluster refused a call: {refused}.") from None
        if _settings(cluster) != _settings(case.cluster()):
            raise CheckFailed(
                f"{where} the simulated cluster's settings (its poison or flaky jobs, death "
                "rate, retry limit) changed while run_all ran: a driver uses the cluster, it "
                "does not adjust it."
            )
        cluster.finish()  # runs still going when the driver returned count too
        results, gave_up_ids = _pair(returned, where)
        _judge(case, cluster, results, gave_up_ids, where)
        deaths += sum(a.dies for a in cluster.attempts.values())
        given_up += len(gave_up_ids)
        peak = max(peak, cluster.peak_in_flight)
    return (
        f"{len(cases)} simulated clusters, {deaths} dead workers: every job finished "
        f"or was given up after max_attempts ({given_up} given up), none lost, none run "
        f"twice, up to {peak} jobs in flight at once."
    )


def _ordinal(number: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(number, f"{number}th")


check_run_all = Exercise(
    name="run_all",
    goal="Write run_all(jobs, cluster, max_attempts), a driver that loses no job: jobs is a dict "
    "{job id: job}; cluster.submit(job) returns a handle at once; cluster.wait(handles, "
    "num_returns=1) returns (ready, not_ready); cluster.get(handle) returns the result or raises "
    "cluster.WorkerDied. Keep several jobs in flight, submit a job again when its worker died, "
    "give up on it after max_attempts attempts, and return (results, gave_up): a dict {job id: "
    "result} and the set of job ids given up on. No job lost, none run to a result twice.",
    hints=(
        "Section 4: a dead worker makes the calls it was running fail with an error instead of "
        "hanging, and the driver, not Ray, decides what to retry and when to stop (the runner's "
        "max_attempts). A handle says nothing about which job it belongs to: the driver must "
        "remember that itself, with the number of attempts so far. Results come back in the "
        "order they finish, not the order they were sent.",
        "Pseudo-code for a download manager with flaky mirrors (other names, same shape): "
        "pending = {} (request -> (page, tries)); send every page and record each request in "
        "pending. While pending is not empty: wait for one finished request; take it out of "
        "pending; try to read it. Read fine -> pages[page] = content. Mirror crashed -> if tries "
        "< limit: send again and record the NEW request under the same page with tries + 1; "
        "otherwise add page to failed. Return (pages, failed).",
    ),
    test=_test_run_all,
)
