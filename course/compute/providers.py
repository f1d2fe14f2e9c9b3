"""Compute providers: who they are, what they charge, and how (dis)honest they are.

A provider's ``behaviour`` is its honesty model:

- ``honest``: runs the job and returns the true result;
- ``lazy``:   skips the work and returns plausible-looking garbage (to be paid for nothing);
- ``flaky``:  drops out of a run with probability ``drop_rate`` (a crash, a lost connection);
- ``slow``:   returns the true result, but ``slowdown`` times later than its hardware suggests;
- ``crash``:  kills the process it runs in with probability ``drop_rate`` (for fault-injection:
  the runner must lose no job and pay none twice).

Chance is decided by a ``random.Random`` seeded from (seed, job, provider, attempt), so a
run is reproducible whatever order the work happens to finish in.

Taught in notebook 11 (and used by 12 and 14).
"""

from __future__ import annotations

import math
import os
import random
from dataclasses import dataclass

from course.compute.devices import check_device_name
from course.compute.errors import ProviderError
from course.compute.jobs import JobSpec
from course.compute.workloads import SUMMARY_SIZE, WorkResult, check_seed, run_workload
from course.validation import (
    ensure_bool,
    ensure_choice,
    ensure_instance,
    ensure_int,
    ensure_number,
    ensure_text,
)

BEHAVIOURS = ("honest", "lazy", "flaky", "slow", "crash")
MAX_SLOTS = 1_024  # jobs one machine runs at once (one per GPU in the box)


@dataclass(frozen=True)
class Provider:
    """A machine offering compute on the market.

    ``price_per_mflop`` is its asking price in credits per million FLOPs (a job's bid is
    rounded up to whole credits, at least 1); ``throughput_gflops`` is how fast its device
    really computes (GFLOP/s), which sets the simulated duration of each run; ``slots`` is
    how many jobs it runs at once (one per GPU in the box).
    """

    name: str
    price_per_mflop: float = 10.0
    stake: int = 100
    throughput_gflops: float = 50.0
    behaviour: str = "honest"
    drop_rate: float = 0.0
    slowdown: float = 1.0
    device: str = "cpu"
    gpu: bool = False
    slots: int = 1

    def __post_init__(self) -> None:
        name = ensure_text(self.name, "name", error=ProviderError)
        ensure_choice(self.behaviour, f"behaviour of {name}", BEHAVIOURS, error=ProviderError)
        for field_name in ("price_per_mflop", "throughput_gflops", "slowdown"):
            ensure_number(getattr(self, field_name), f"{field_name} of {name}", above=0,
                          error=ProviderError)
        ensure_int(self.slots, f"slots of {name}", minimum=1, maximum=MAX_SLOTS,
                   error=ProviderError)
        ensure_int(self.stake, f"stake of {name}", minimum=0, meaning="credits",
                   error=ProviderError)
        ensure_number(self.drop_rate, f"drop_rate of {name}", minimum=0, maximum=1,
                      meaning="a probability", error=ProviderError)
        ensure_bool(self.gpu, f"gpu of {name}", error=ProviderError)
        check_device_name(self.device, f"device of {name}", error=ProviderError)

    def bid(self, job: JobSpec) -> int:
        """What this provider asks for one run of ``job``: price × MFLOPs, whole credits, ≥ 1."""
        ensure_instance(job, "job", JobSpec, error=ProviderError)
        return max(1, math.ceil(self.price_per_mflop * job.flops / 1e6 - 1e-9))

    def duration(self, job: JobSpec) -> float:
        """Simulated seconds one run takes here: the work over the speed, times any slowdown."""
        ensure_instance(job, "job", JobSpec, error=ProviderError)
        return job.flops / (self.throughput_gflops * 1e9) * self.slowdown + 0.01


@dataclass(frozen=True)
class Task:
    """One run of one job on one provider: what a worker process receives."""

    job_id: int
    job: JobSpec
    provider: Provider
    attempt: int
    seed: int = 0

    def __post_init__(self) -> None:
        ensure_int(self.job_id, "job_id", minimum=0, error=ProviderError)
        ensure_instance(self.job, "job", JobSpec, error=ProviderError)
        ensure_instance(self.provider, "provider", Provider, error=ProviderError)
        ensure_int(self.attempt, "attempt", minimum=1, error=ProviderError)
        check_seed(self.seed, error=ProviderError)

    def chance(self) -> random.Random:
        """The dice for this run, the same whichever worker rolls them and when."""
        return random.Random(f"{self.seed}:{self.job_id}:{self.provider.name}:{self.attempt}")


@dataclass(frozen=True)
class TaskOutcome:
    """What came back from one run: a result, or ``result=None`` when the provider dropped."""

    task: Task
    result: WorkResult | None
    note: str = ""


def garbage_result(task: Task) -> WorkResult:
    """What a lazy provider returns: random numbers of the right shape, no work done."""
    ensure_instance(task, "task", Task, error=ProviderError)
    dice = task.chance()
    summary = tuple(dice.gauss(0, 10) for _ in range(SUMMARY_SIZE))
    return WorkResult(task.job.workload, summary, task.job.flops, task.provider.device)


def execute(task: Task, may_kill_process: bool = True) -> TaskOutcome:
    """Run one task the way its provider would: honestly, lazily, or not at all.

    A ``crash`` provider kills the worker process it runs in; where that process is the
    learner's own (``may_kill_process=False``) it drops out instead.
    """
    ensure_instance(task, "task", Task, error=ProviderError)
    ensure_bool(may_kill_process, "may_kill_process", error=ProviderError)
    provider, dice = task.provider, task.chance()
    if provider.behaviour == "crash" and dice.random() < provider.drop_rate:
        if may_kill_process:
            os._exit(13)  # the whole worker process dies, mid-run, without a word
        return TaskOutcome(task, None, "crashed")
    if provider.behaviour == "flaky" and dice.random() < provider.drop_rate:
        return TaskOutcome(task, None, "dropped out")
    if provider.behaviour == "lazy":
        return TaskOutcome(task, garbage_result(task), "skipped the work")
    result = run_workload(task.job.workload, task.job.params, provider.device)
    return TaskOutcome(task, result)
