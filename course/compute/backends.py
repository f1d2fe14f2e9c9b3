"""Where tasks really run: in this process, on a local process pool, or on Ray.

A backend takes one round of tasks, runs them in parallel, and returns one outcome per
task, in task order. When the process running a task dies, that task's outcome has
``result=None`` and the note ``"worker lost"``; the backend replaces the dead worker.

Taught in notebooks 13 (local) and 14 (Ray).
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from course.compute.errors import RunnerError
from course.compute.providers import Provider, Task, TaskOutcome, execute
from course.validation import ensure, ensure_choice, ensure_int, ensure_number, ensure_text

WORKER_LOST = "worker lost"
BACKENDS = ("local", "ray", "inline")
MAX_WORKERS = 512  # processes in one local pool


def _check_tasks(tasks: object) -> Sequence[Task]:
    ensure(isinstance(tasks, Sequence) and not isinstance(tasks, str) and all(
        isinstance(task, Task) for task in tasks), RunnerError, "tasks", tasks,
        "a list of Task objects")
    return tasks  # type: ignore[return-value]


class Backend(Protocol):
    name: str

    def run_round(self, tasks: Sequence[Task]) -> list[TaskOutcome]: ...

    def close(self) -> None: ...


class InlineBackend:
    """Runs every task here, one after another: simplest to debug, no parallelism."""

    name = "inline"

    def run_round(self, tasks: Sequence[Task]) -> list[TaskOutcome]:
        """Run each task here, in order (a ``crash`` provider drops out instead of killing us)."""
        return [execute(task, may_kill_process=False) for task in _check_tasks(tasks)]

    def close(self) -> None:
        pass


def _start_worker() -> None:
    """Each worker process uses one torch thread, so the workers don't fight over cores."""
    import torch

    torch.set_num_threads(1)


class LocalBackend:
    """A pool of worker processes on this machine (one per core by default)."""

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        if workers is not None:
            ensure_int(workers, "workers", minimum=1, maximum=MAX_WORKERS, error=RunnerError)
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    @property
    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # "spawn" starts clean interpreters: safe with torch's threads and with CUDA.
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker)
        return self._pool

    def worker_pids(self) -> list[int]:
        """Process ids of the pool's workers (for fault-injection experiments)."""
        return sorted(self.pool._processes)  # the pool's own record of its workers

    def warm_up(self) -> None:
        """Start every worker now (spawning imports torch: a second or two each)."""
        list(self.pool.map(_ping, range(self.workers)))

    def run_round(self, tasks: Sequence[Task]) -> list[TaskOutcome]:
        """Run the tasks in parallel on the pool.

        A worker that dies breaks the whole pool, and every unfinished task goes down with it,
        whoever's it was. So each lost task is run again, alone on a fresh pool: a bystander's
        run then comes back, and only a run that kills its worker by itself is lost. A provider
        whose runs crash machines is blamed for its own runs, not for its neighbours'.
        """
        outcomes = self._run_together(_check_tasks(tasks))
        for index, outcome in enumerate(outcomes):
            if outcome.note == WORKER_LOST:
                (outcomes[index],) = self._run_together([outcome.task])
        return outcomes

    def _run_together(self, tasks: Sequence[Task]) -> list[TaskOutcome]:
        try:
            futures: list[Future[TaskOutcome]] = [self.pool.submit(execute, task)
                                                  for task in tasks]
        except BrokenProcessPool:  # a worker died between rounds: start a fresh pool
            self._discard_broken_pool()
            futures = [self.pool.submit(execute, task) for task in tasks]
        outcomes, pool_broke = [], False
        for task, future in zip(tasks, futures, strict=True):
            try:
                outcomes.append(future.result())
            except BrokenProcessPool:
                pool_broke = True
                outcomes.append(TaskOutcome(task, None, WORKER_LOST))
        if pool_broke:  # a worker died: every unfinished task was lost with the pool
            self._discard_broken_pool()
        return outcomes

    def _discard_broken_pool(self) -> None:
        """Drop a pool whose worker died; the next use of ``pool`` starts a fresh one."""
        if self._pool is None:
            return
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _ping(_: int) -> int:
    return os.getpid()


class RayBackend:
    """One Ray actor per provider: a process that runs that provider's tasks one at a time.

    Each actor reserves ``cpus_per_provider`` CPUs (default: the cluster's CPUs shared
    out, at most 1) and, for a provider whose device is ``cuda``, a share of a GPU, so
    Ray places providers where those resources are free.

    Connects to the cluster at ``address`` (e.g. ``"ray://head:10001"`` or ``"auto"``), or
    starts a local one. A dead actor is restarted by Ray (``max_restarts=-1``); the task it
    was running comes back as lost and the runner reassigns it.
    """

    name = "ray"

    def __init__(self, providers: Sequence[Provider], address: str | None = None,
                 cpus_per_provider: float | None = None) -> None:
        ensure(isinstance(providers, Sequence) and len(providers) > 0 and all(
            isinstance(p, Provider) for p in providers), RunnerError, "providers", providers,
            "a non-empty list of Provider objects")
        if address is not None:
            ensure_text(address, "address", error=RunnerError)
        if cpus_per_provider is not None:
            ensure_number(cpus_per_provider, "cpus_per_provider", above=0, error=RunnerError)
        import ray

        self._ray = ray
        self._started_ray = not ray.is_initialized()
        if self._started_ray:
            ray.init(address=address, include_dashboard=False, log_to_driver=False,
                     configure_logging=False)
        if cpus_per_provider is None:  # share the cluster's CPUs, at most one each
            cpus = ray.cluster_resources().get("CPU", 1)  # type: ignore[no-untyped-call,unused-ignore]
            # rounded DOWN, or the shares could add up to more CPUs than exist
            cpus_per_provider = min(1.0, math.floor(cpus / len(providers) * 100) / 100)
        gpu_providers = [p for p in providers if p.device.startswith("cuda")]
        worker = ray.remote(max_restarts=-1, max_task_retries=0)(ProviderWorker)
        self.actors: dict[str, Any] = {}
        for provider in providers:
            share = 1 / len(gpu_providers) if provider in gpu_providers else 0
            self.actors[provider.name] = worker.options(
                num_cpus=cpus_per_provider, num_gpus=share).remote()

    def worker_pids(self) -> dict[str, int]:
        """Process id of each provider's actor (for fault-injection experiments)."""
        names = list(self.actors)
        pids = self._ray.get([self.actors[name].pid.remote() for name in names])
        return dict(zip(names, pids, strict=True))

    def warm_up(self) -> None:
        self.worker_pids()

    def run_round(self, tasks: Sequence[Task]) -> list[TaskOutcome]:
        refs = [self.actors[task.provider.name].run.remote(task) for task in _check_tasks(tasks)]
        outcomes, lost = [], set()
        for task, ref in zip(tasks, refs, strict=True):
            try:
                outcomes.append(self._ray.get(ref))
            except (self._ray.exceptions.RayActorError, self._ray.exceptions.WorkerCrashedError):
                outcomes.append(TaskOutcome(task, None, WORKER_LOST))
                lost.add(task.provider.name)
        for name in sorted(lost):
            self._wait_until_restarted(name)
        return outcomes

    def _wait_until_restarted(self, name: str, timeout_s: float = 120.0) -> None:
        """Ray restarts a dead actor by itself; wait for it, so a retry is not lost too."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                self._ray.get(self.actors[name].pid.remote(), timeout=10)
                return
            except (self._ray.exceptions.RayActorError, self._ray.exceptions.GetTimeoutError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def close(self) -> None:
        for actor in self.actors.values():
            self._ray.kill(actor)
        self.actors = {}
        if self._started_ray:
            self._ray.shutdown()


class ProviderWorker:
    """The Ray actor behind one provider (made remote in ``RayBackend``)."""

    def __init__(self) -> None:
        _start_worker()

    def run(self, task: Task) -> TaskOutcome:
        return execute(task)

    def pid(self) -> int:
        return os.getpid()


def make_backend(name: str, providers: Sequence[Provider], workers: int | None = None,
                 address: str | None = None) -> Backend:
    """The backend called ``name``: ``"local"`` (default), ``"ray"`` or ``"inline"``."""
    ensure_choice(name, "backend", BACKENDS, error=RunnerError)
    if name == "local":
        return LocalBackend(workers)
    if name == "ray":
        return RayBackend(providers, address)
    return InlineBackend()
