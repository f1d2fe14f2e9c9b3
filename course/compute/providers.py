"""Compute providers: who they are, what they charge, and how (dis)honest they are.

A provider's ``behaviour`` is its honesty model:

- ``honest``: runs the job and returns the true result;
- ``lazy``:   skips the work and returns plausible-looking garbage (to be paid for nothing);
- ``flaky``:  drops out of a run with probability ``drop_rate`` (a crash, a lost connection);
- ``slow``:   returns the true result, but ``slowdown`` times later than its hardware suggests;
- ``crash``:  kills the process it runs in with probability ``drop_rate`` (for fault-injection:
  the runner must lose no job and pay none twice);
- ``partial``: computes only ``work_fraction`` of the output rows and invents the rest
  plausibly (same spread as the real rows), hoping the check looks elsewhere;
- ``colluding``: skips the work and returns the wrong answer its whole ring agreed on (every
  colluding provider returns the same rows for the same job, so they agree in a vote);
- ``forger``: computes only ``work_fraction`` of the rows (default: none) and invents the
  rest so that its summary matches the true one (a matmul's row sums are A·(B·1), a few
  matrix-vector products instead of the product), hoping agreement is judged on summaries;
- ``copycat``: does no work and submits a copy of another provider's result for the same
  job, if it can see one (sealed, commit-reveal results make the copy useless).

Every result commits to all of its output rows (a Merkle root, ``course.compute.merkle_rows``),
cheaters' results too: what they commit to is what they will have to open.
``precision`` is the arithmetic the provider's hardware uses by default (many GPU servers
default to TF32); the provider's software runs every job at the job's declared precision.

Chance is decided by a ``random.Random`` seeded from (seed, job, provider, attempt), so a
run is reproducible whatever order the work happens to finish in.

Taught in notebook 13 (and used by 13 and 15).
"""

from __future__ import annotations

import hashlib
import math
import os
import random
from dataclasses import dataclass

import torch

from course.compute.devices import check_device_name
from course.compute.errors import ProviderError
from course.compute.jobs import JobSpec
from course.compute.merkle_rows import commit
from course.compute.precision import check_precision
from course.compute.workloads import (
    SUMMARY_SIZE,
    WorkResult,
    check_seed,
    get_workload,
    output_shape,
    run_workload,
    summary_of_rows,
)
from course.validation import (
    ensure_bool,
    ensure_choice,
    ensure_instance,
    ensure_int,
    ensure_number,
    ensure_text,
)

BEHAVIOURS = ("honest", "lazy", "flaky", "slow", "crash", "partial", "colluding", "copycat",
              "forger")
COPYING = "waiting to copy"  # a copycat's note: the runner hands it what it can see
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
    work_fraction: float = 1.0
    precision: str = "fp32"

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
        ensure_number(self.work_fraction, f"work_fraction of {name}", minimum=0, maximum=1,
                      meaning="the share of the rows it computes", error=ProviderError)
        check_precision(self.precision, f"precision of {name}", error=ProviderError)

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


def _digest_seed(*parts: object) -> int:
    """A seed from any text, the same in every process (unlike Python's own ``hash``)."""
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def _invented(shape: tuple[int, int], seed: int, like: torch.Tensor | None = None,
              ) -> torch.Tensor:
    """Rows nobody computed: random normals with the spread of ``like``'s columns (if given)."""
    generator = torch.Generator().manual_seed(seed)
    noise = torch.randn(*shape, generator=generator)
    if like is None or like.shape[0] == 0:
        scaled: torch.Tensor = noise * float(shape[1]) ** 0.5
        return scaled
    centre = like.mean(dim=0)
    spread = like.std(dim=0) if like.shape[0] > 1 else like.abs().mean(dim=0)
    return centre + noise * torch.nan_to_num(spread, nan=1.0)


def _committed_result(job: JobSpec, rows: torch.Tensor, device: str) -> WorkResult:
    return WorkResult(job.workload, summary_of_rows(job.workload, rows), job.flops, device,
                      committed=commit(rows))


def garbage_result(task: Task) -> WorkResult:
    """What a lazy provider returns: random rows of the right shape, committed; no work done."""
    ensure_instance(task, "task", Task, error=ProviderError)
    shape = output_shape(task.job.workload, task.job.params)
    rows = _invented(shape, _digest_seed(task.seed, task.job_id, task.provider.name,
                                         task.attempt))
    return _committed_result(task.job, rows, task.provider.device)


def colluding_result(task: Task) -> WorkResult:
    """The wrong answer a ring of colluders agreed on for this job: the same for each of them."""
    ensure_instance(task, "task", Task, error=ProviderError)
    shape = output_shape(task.job.workload, task.job.params)
    rows = _invented(shape, _digest_seed("ring", task.seed, task.job_id, task.job.to_dict()))
    return _committed_result(task.job, rows, task.provider.device)


def partial_result(task: Task) -> WorkResult:
    """A partial worker's result: its first ``work_fraction`` of the rows are real."""
    ensure_instance(task, "task", Task, error=ProviderError)
    job, provider = task.job, task.provider
    rows, _ = get_workload(job.workload).rows(**job.params, device=provider.device,
                                              precision=job.precision)
    rows = rows.detach().float().cpu()
    done = math.floor(provider.work_fraction * rows.shape[0])
    seed = _digest_seed("partial", task.seed, task.job_id, provider.name)
    fake = _invented((rows.shape[0] - done, rows.shape[1]), seed, rows[:done])
    return _committed_result(job, torch.cat([rows[:done], fake]), provider.device)


def forged_result(task: Task) -> WorkResult:
    """A forger's result: ``work_fraction`` of the rows real (for a forger, 1.0 means none),
    the rest invented and then shifted so that the summary is the true one.

    A real forger of a matmul gets the true block sums from A·(B·1) at n² cost; the
    simulation reads them off the real output, which it computes anyway.
    """
    ensure_instance(task, "task", Task, error=ProviderError)
    job, provider = task.job, task.provider
    rows, _ = get_workload(job.workload).rows(**job.params, device=provider.device,
                                              precision=job.precision)
    rows = rows.detach().float().cpu()
    fraction = provider.work_fraction if provider.work_fraction < 1 else 0.0
    done = math.floor(fraction * rows.shape[0])
    seed = _digest_seed("forger", task.seed, task.job_id, provider.name)
    fake = torch.cat([rows[:done], _invented((rows.shape[0] - done, rows.shape[1]), seed,
                                             rows)])
    if job.workload == "train_mlp":  # its summary is the loss column
        fake[:, -1] = rows[:, -1]
    elif job.workload != "noop":  # its summary is sums of blocks of rows
        invented = torch.zeros(rows.shape[0], dtype=torch.bool)
        invented[done:] = True
        for block in torch.tensor_split(torch.arange(rows.shape[0]), SUMMARY_SIZE):
            mine = block[invented[block]]
            if len(mine):
                gap = rows[block].double().sum() - fake[block].double().sum()
                fake[mine] += float(gap) / fake[mine].numel()
    return _committed_result(job, fake, provider.device)


def execute(task: Task, may_kill_process: bool = True) -> TaskOutcome:
    """Run one task the way its provider would: honestly, lazily, partly, or not at all.

    A ``crash`` provider kills the worker process it runs in; where that process is the
    learner's own (``may_kill_process=False``) it drops out instead. A ``copycat`` returns no
    result and the note ``COPYING``: the runner decides what it could have copied.
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
    if provider.behaviour == "colluding":
        return TaskOutcome(task, colluding_result(task), "returned the ring's answer")
    if provider.behaviour == "copycat":
        return TaskOutcome(task, None, COPYING)
    if provider.behaviour == "forger":
        return TaskOutcome(task, forged_result(task), "met the true summary, not the rows")
    if provider.behaviour == "partial" and provider.work_fraction < 1:
        return TaskOutcome(task, partial_result(task),
                           f"computed {provider.work_fraction:.0%} of the rows")
    # the provider's software sets the job's precision, whatever the hardware's default
    result = run_workload(task.job.workload, task.job.params, provider.device,
                          precision=task.job.precision, commit=True)
    return TaskOutcome(task, result)
