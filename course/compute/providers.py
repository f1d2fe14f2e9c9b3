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
"""

from __future__ import annotations

import math
import os
import random
from dataclasses import dataclass

from course.compute.jobs import JobSpec
from course.compute.workloads import SUMMARY_SIZE, WorkResult, run_workload

BEHAVIOURS = ("honest", "lazy", "flaky", "slow", "crash")


class ProviderError(ValueError):
    """A provider's description breaks a rule; the message names the field."""


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
        if not isinstance(self.name, str) or not self.name:
            raise ProviderError(f"name: expected a non-empty string, got {self.name!r}")
        if self.behaviour not in BEHAVIOURS:
            raise ProviderError(f"behaviour of {self.name}: expected one of {BEHAVIOURS}, got "
                                f"{self.behaviour!r}")
        for field_name in ("price_per_mflop", "throughput_gflops", "slowdown"):
            value = getattr(self, field_name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ProviderError(f"{field_name} of {self.name}: expected a number > 0, got "
                                    f"{value!r}")
        if isinstance(self.slots, bool) or not isinstance(self.slots, int) or self.slots < 1:
            raise ProviderError(f"slots of {self.name}: expected an integer >= 1, got "
                                f"{self.slots!r}")
        if isinstance(self.stake, bool) or not isinstance(self.stake, int) or self.stake < 0:
            raise ProviderError(f"stake of {self.name}: expected an integer >= 0, got "
                                f"{self.stake!r}")
        if not isinstance(self.drop_rate, int | float) or not 0 <= self.drop_rate <= 1:
            raise ProviderError(f"drop_rate of {self.name}: expected a probability in [0, 1], "
                                f"got {self.drop_rate!r}")

    def bid(self, job: JobSpec) -> int:
        """What this provider asks for one run of ``job``: price × MFLOPs, whole credits, ≥ 1."""
        return max(1, math.ceil(self.price_per_mflop * job.flops / 1e6 - 1e-9))

    def duration(self, job: JobSpec) -> float:
        """Simulated seconds one run takes here: the work over the speed, times any slowdown."""
        return job.flops / (self.throughput_gflops * 1e9) * self.slowdown + 0.01


@dataclass(frozen=True)
class Task:
    """One run of one job on one provider: what a worker process receives."""

    job_id: int
    job: JobSpec
    provider: Provider
    attempt: int
    seed: int = 0

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
    dice = task.chance()
    summary = tuple(dice.gauss(0, 10) for _ in range(SUMMARY_SIZE))
    return WorkResult(task.job.workload, summary, task.job.flops, task.provider.device)


def execute(task: Task, may_kill_process: bool = True) -> TaskOutcome:
    """Run one task the way its provider would: honestly, lazily, or not at all.

    A ``crash`` provider kills the worker process it runs in; where that process is the
    learner's own (``may_kill_process=False``) it drops out instead.
    """
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
