"""A cluster seen the way a job driver sees it: ``submit``, ``wait``, ``get`` and ``WorkerDied``.

``submit(job)`` returns a handle at once; ``wait(handles, num_returns=1)`` returns
``(ready, not_ready)``; ``get(handle)`` gives the result, or raises ``WorkerDied`` when the
worker running that job died. These are Ray's ``task.remote``, ``ray.wait`` and ``ray.get``,
and ``RayCluster`` passes them straight to Ray. ``SimulatedCluster`` plays the same part with
no Ray at all: seeded worker deaths, jobs that finish out of order, a job that kills every
worker it runs on, and a record of every attempt, so a check can run a learner's driver on it
and see what really happened.

A check can also trust what it reads afterwards: a stop (``RetriedTooOften``,
``TooManyCalls``) is kept in ``stopped`` even if the driver caught it, each attempt records
whether ``get`` handed its result to the driver (``collected``), only the given jobs can be
submitted (``jobs=``), and calls from a second thread are refused (the story would depend on
how threads interleave). The driver's process can still reach and rewrite all of this; see
course/check_channel.py for what an in-process check can and cannot promise.

Taught in notebook 14 (Try it 2: a driver that loses no job).
"""

from __future__ import annotations

import random
import threading
from collections import Counter, deque
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from course.compute.errors import ComputeError

MIN_WAIT_S = 0.01  # a wait with a timeout lasts at least this: a polling loop sees time pass


class WorkerDied(Exception):  # noqa: N818 (named after what happened, like Ray's errors)
    """The worker running a job died before the job finished (Ray: ``WorkerCrashedError``)."""


class ClusterError(ComputeError, ValueError):
    """A call the cluster cannot serve: an unknown handle, more returns than handles."""


class RetriedTooOften(BaseException):  # noqa: N818
    """A job was submitted more often than the cluster allows (``refuse_after``).

    A ``BaseException``, like ``KeyboardInterrupt``: a driver's ``except Exception`` cannot
    swallow it, so a driver that retries forever is stopped instead of looping.
    """


class TooManyCalls(BaseException):  # noqa: N818
    """A driver called ``wait``/``get``/``submit`` more often than any finishing run needs."""


@dataclass(frozen=True)
class Handle:
    """What ``submit`` returns: a promise of one attempt's result (Ray: an ``ObjectRef``)."""

    number: int

    def __repr__(self) -> str:
        return f"Handle({self.number})"


@dataclass
class Attempt:
    """One submission of a job, and what became of it (times are simulated seconds)."""

    job: Hashable
    attempt: int  # 1 for the job's first submission, 2 for the second...
    submitted_at: float
    duration: float  # how long it runs once started (until it dies, if it dies)
    dies: bool
    started_at: float | None = None
    worker: int | None = None
    finished_at: float | None = None
    collected: bool = False  # get() handed its result to the driver

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    @property
    def succeeded(self) -> bool:
        return self.finished and not self.dies


class SimulatedCluster:
    """A deterministic cluster of ``workers`` workers that run one job at a time, in order.

    Each attempt of a job runs for a seeded random time. With probability ``death_rate`` its
    worker dies during the run; a job in ``poison`` kills every worker it runs on; a job in
    ``flaky`` kills the worker of its first ``flaky[job]`` attempts, then finishes. A dead
    worker comes back after ``restart_s``. ``work(job)`` is the result of a finished job.

    Time only moves inside ``wait`` and ``get`` (as if the driver sat waiting), so runs are
    the same on every machine: the same seed and the same calls give the same story.
    """

    WorkerDied = WorkerDied

    def __init__(
        self,
        work: Callable[[Any], Any],
        workers: int = 3,
        seed: int = 0,
        death_rate: float = 0.1,
        poison: Iterable[Hashable] = (),
        flaky: Mapping[Hashable, int] | None = None,
        restart_s: float = 0.5,
        refuse_after: int | None = None,
        max_calls: int = 20_000,
        jobs: Iterable[Hashable] | None = None,
    ) -> None:
        if not isinstance(workers, int) or workers < 1:
            raise ClusterError(f"workers must be a whole number >= 1, got {workers!r}")
        if not 0 <= death_rate < 1:
            raise ClusterError(f"death_rate must be in [0, 1), got {death_rate!r}")
        self.work = work
        self.workers = workers
        self.seed = seed
        self.death_rate = death_rate
        self.poison = frozenset(poison)
        self.flaky = dict(flaky or {})
        self.restart_s = restart_s
        self.refuse_after = refuse_after
        self.max_calls = max_calls
        self.jobs = None if jobs is None else frozenset(jobs)  # None: any job may be submitted
        self.stopped: BaseException | None = None  # the first stop, even if the driver caught it
        self._thread = threading.get_ident()  # the thread that may drive this cluster
        self.now = 0.0
        self.calls = 0
        self.attempts: dict[Handle, Attempt] = {}
        self.peak_in_flight = 0
        self._queue: deque[Handle] = deque()
        self._running: list[Handle | None] = [None] * workers
        self._back_at = [0.0] * workers  # when each worker is up again after dying

    def __repr__(self) -> str:
        return f"SimulatedCluster(workers={self.workers}, seed={self.seed})"

    # --- the driver's four names -------------------------------------------------------------

    def submit(self, job: Hashable) -> Handle:
        """Queue one attempt of ``job`` and return its handle at once."""
        self._count_call("submit")
        try:
            hash(job)
        except TypeError:
            raise ClusterError(
                f"submit: a job must be hashable (a number, a string, a tuple), got "
                f"{type(job).__name__}"
            ) from None
        if self.jobs is not None and job not in self.jobs:
            shown = ", ".join(sorted(map(repr, self.jobs))[:3])
            raise ClusterError(
                f"submit: {job!r} is not one of the jobs given ({shown}, ...): submit the job "
                "itself (jobs[job_id]), not its id"
            )
        number = sum(a.job == job for a in self.attempts.values()) + 1
        if self.refuse_after is not None and number > self.refuse_after:
            raise self._stop(RetriedTooOften(job, number))
        rng = random.Random(f"{self.seed}/{job!r}/{number}")  # the same story for every driver
        dies = (
            job in self.poison
            or number <= self.flaky.get(job, 0)
            or (job not in self.flaky and rng.random() < self.death_rate)
        )
        duration = rng.uniform(0.5, 3.0) * (rng.uniform(0.1, 0.9) if dies else 1.0)
        handle = Handle(len(self.attempts))
        self.attempts[handle] = Attempt(job, number, self.now, duration, dies)
        self._queue.append(handle)
        self._start_queued()
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight())
        return handle

    def wait(
        self, handles: Sequence[Handle], num_returns: int = 1, timeout: float | None = None
    ) -> tuple[list[Handle], list[Handle]]:
        """Wait until ``num_returns`` of ``handles`` are finished (or ``timeout`` simulated
        seconds pass); return ``(ready, not_ready)``, each in the order of ``handles``.

        A timeout shorter than ``MIN_WAIT_S`` counts as ``MIN_WAIT_S``: on a real cluster time
        passes between a driver's polls (``timeout=0`` in a loop), so here it does too."""
        self._count_call("wait")
        handles = self._known(handles)
        if not 0 <= num_returns <= len(handles):
            raise ClusterError(
                f"wait: num_returns={num_returns} but {len(handles)} handle(s) "
                "were given (Ray refuses this too)"
            )
        deadline = None if timeout is None else self.now + max(timeout, MIN_WAIT_S)
        while sum(self.attempts[h].finished for h in handles) < num_returns:
            if not self._step(deadline):
                break
        ready = [h for h in handles if self.attempts[h].finished][:num_returns]
        return ready, [h for h in handles if h not in ready]

    def get(self, handle: Handle | Sequence[Handle]) -> Any:
        """The result of a finished attempt (waiting for it first); ``WorkerDied`` if its worker
        died. A list of handles gives a list of results, like ``ray.get``."""
        if isinstance(handle, list | tuple):
            return [self.get(h) for h in handle]
        self._count_call("get")
        (handle,) = self._known([handle])
        attempt = self.attempts[handle]
        while not attempt.finished:
            self._step(None)
        if attempt.dies:
            raise WorkerDied(
                f"the worker running job {attempt.job!r} (attempt "
                f"{attempt.attempt}) died at t={attempt.finished_at:.2f} s"
            )
        attempt.collected = True
        return self.work(attempt.job)

    # --- what happened -----------------------------------------------------------------------

    def in_flight(self) -> int:
        """Attempts submitted and not finished yet (queued or running)."""
        return sum(not a.finished for a in self.attempts.values())

    def attempts_of(self, job: Hashable) -> list[Attempt]:
        return [a for a in self.attempts.values() if a.job == job]

    def submissions(self) -> Counter[Hashable]:
        return Counter(a.job for a in self.attempts.values())

    def finish(self) -> None:
        """Run every attempt still queued or running to its end (after the driver returned)."""
        while self._step(None):
            pass

    # --- the simulation ----------------------------------------------------------------------

    def _count_call(self, name: str) -> None:
        if threading.get_ident() != self._thread:
            raise self._stop(
                ClusterError(
                    f"{name} was called from a second thread: this simulated cluster is driven "
                    "from one thread (submit every job, then wait for whichever finishes: "
                    "wait does what threads would)"
                )
            )
        self.calls += 1
        if self.calls > self.max_calls:
            raise self._stop(TooManyCalls(name, self.max_calls))

    def _stop(self, stop: BaseException) -> BaseException:
        """Remember the first stop, so a driver that catches it is still found out."""
        if self.stopped is None:
            self.stopped = stop
        return stop

    def _known(self, handles: Any) -> list[Handle]:
        if not isinstance(handles, list | tuple):
            raise ClusterError(f"expected a list of handles, got {type(handles).__name__}")
        for handle in handles:
            if not isinstance(handle, Handle) or handle not in self.attempts:
                raise ClusterError(f"{handle!r} is not a handle returned by this cluster's submit")
        return list(handles)

    def _start_queued(self) -> None:
        for worker, running in enumerate(self._running):
            if running is None and self._back_at[worker] <= self.now and self._queue:
                handle = self._queue.popleft()
                attempt = self.attempts[handle]
                attempt.started_at, attempt.worker = self.now, worker
                self._running[worker] = handle

    def _ends(self) -> list[float]:
        ends = [
            self.attempts[h].started_at + self.attempts[h].duration  # type: ignore[operator]
            for h in self._running
            if h is not None
        ]
        if self._queue:
            ends += [t for t in self._back_at if t > self.now]
        return ends

    def _step(self, deadline: float | None) -> bool:
        """Move time to the next event (a run ends, a worker comes back); False if none, or
        if it lies past ``deadline`` (time then moves to the deadline)."""
        ends = self._ends()
        if not ends:
            return False
        upcoming = min(ends)
        if deadline is not None and upcoming > deadline:
            self.now = max(self.now, deadline)
            return False
        self.now = upcoming
        for worker, handle in enumerate(self._running):
            if handle is None:
                continue
            attempt = self.attempts[handle]
            if attempt.started_at + attempt.duration <= self.now:  # type: ignore[operator]
                attempt.finished_at = self.now
                self._running[worker] = None
                if attempt.dies:
                    self._back_at[worker] = self.now + self.restart_s
        self._start_queued()
        return True


class RayCluster:
    """The same four names on a real Ray cluster: ``submit`` calls ``task.remote(job)``.

    ``task`` is a ``@ray.remote`` function; give it ``max_retries=0`` so that Ray does not
    retry by itself and the driver decides. ``WorkerDied`` is the pair of errors Ray raises
    when the process running a call dies (as in ``course.compute.backends.RayBackend``).
    ``submitted`` counts the submissions of each job.
    """

    def __init__(self, task: Any) -> None:
        import ray

        self._ray = ray
        self.task = task
        self.WorkerDied = (ray.exceptions.WorkerCrashedError, ray.exceptions.RayActorError)
        self.submitted: Counter[Hashable] = Counter()

    def submit(self, job: Hashable) -> Any:
        self.submitted[job] += 1
        return self.task.remote(job)

    def wait(
        self, handles: Sequence[Any], num_returns: int = 1, timeout: float | None = None
    ) -> tuple[list[Any], list[Any]]:
        return self._ray.wait(list(handles), num_returns=num_returns, timeout=timeout)

    def get(self, handle: Any) -> Any:
        return self._ray.get(handle)
