"""Settling a training dispute by bisection: find the one segment two providers disagree on.

Two providers trained the same job, each committed to its checkpoints (a Merkle root over
them, ``course.compute.merkle_rows``), and their results disagree. Re-running the whole
training for both would cost the referee as much as the job itself. Instead it plays the
game behind Truebit and Gensyn's Verde (*refereed delegation*):

1. Both open the first and the last checkpoint. The first is the job's seed, so the referee
   checks it directly; the last is where they disagree.
2. Both open the checkpoint in the middle of the range still in dispute. If they agree
   there, the dispute lies in the later half; if not, in the earlier half.
3. After about log2(checkpoints) rounds the range is a single segment: they agree at its
   start and disagree at its end. The referee re-runs that one segment from each side's own
   start (``RowChecker``); a side whose end does not follow from its start is proven wrong.

Every opening is checked against its provider's commitment, so nobody can change its story
in the middle of the game. Taught in notebook 13; the runner uses it when two training
results pass their challenges but still disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from course.compute.challenges import RowChecker, rows_match, training_tolerance
from course.compute.errors import VerificationError
from course.compute.jobs import JobSpec
from course.compute.merkle_rows import RowOpening, opening_matches
from course.compute.workloads import WorkResult, checkpoint_steps
from course.validation import ensure, ensure_instance

SIDES = ("first", "second")


@dataclass(frozen=True)
class DisputeReport:
    """How a bisection dispute went.

    ``rounds``: each checkpoint both sides opened, and whether they agreed there.
    ``segment``: the checkpoint j whose segment (from j-1 to j) the referee re-ran; 0 means
    the dispute was settled at the starting checkpoint. ``wrong``: the sides proven wrong
    ("first", "second"); empty when the game settled nothing (the caller falls back to a
    full check). ``segments_rerun``: training segments the referee re-ran.
    """

    rounds: tuple[tuple[int, bool], ...]
    segment: int
    wrong: tuple[str, ...]
    segments_rerun: int
    reason: str

    @property
    def settled(self) -> bool:
        return bool(self.wrong)

    @property
    def openings(self) -> int:
        """Checkpoints opened, counting both sides (plus the segment's start on each side)."""
        return 2 * len(self.rounds)


def _opened(result: WorkResult, index: int) -> RowOpening | None:
    """Checkpoint ``index`` of ``result``, or None when the opening does not match its root."""
    assert result.committed is not None and result.commitment is not None
    opening = result.committed.open(index)
    return opening if opening_matches(result.commitment, opening) else None


def checkpoints_agree(checker: RowChecker, index: int, a: RowOpening, b: RowOpening) -> bool:
    """Do two openings of checkpoint ``index`` agree up to the rounding of the steps before it?"""
    marks = checkpoint_steps(checker.p["steps"])  # type: ignore[arg-type]
    x = torch.tensor(np.asarray(a.values, dtype=np.float32))
    y = torch.tensor(np.asarray(b.values, dtype=np.float32))
    if x.shape != y.shape:
        return False
    scale = min(torch.nan_to_num(v.abs(), nan=0.0, posinf=0.0).max().item() for v in (x, y))
    bound = training_tolerance(checker.job, marks[index]) * (scale + 1e-6)
    return rows_match(x, y, torch.full_like(y, bound))


def settle_by_bisection(job: JobSpec, first: WorkResult, second: WorkResult) -> DisputeReport:
    """Play the bisection game between two committed training results of ``job``."""
    ensure_instance(job, "job", JobSpec, error=VerificationError)
    ensure(job.workload == "train_mlp", VerificationError, "job.workload", job.workload,
           "train_mlp (only training has checkpoints to bisect)")
    results = (ensure_instance(first, "first", WorkResult, error=VerificationError),
               ensure_instance(second, "second", WorkResult, error=VerificationError))
    checker = RowChecker(job)
    checkpoints = len(checkpoint_steps(checker.p["steps"]))  # type: ignore[arg-type]
    unusable = tuple(side for side, result in zip(SIDES, results, strict=True)
                     if result.workload != job.workload or result.committed is None
                     or result.commitment is None or result.commitment.rows != checkpoints)
    if unusable:
        return DisputeReport((), 0, unusable, 0, "no commitment to its checkpoints")
    rounds: list[tuple[int, bool]] = []

    def open_both(index: int) -> tuple[RowOpening, RowOpening] | DisputeReport:
        pair = tuple(_opened(result, index) for result in results)
        broken = tuple(side for side, opening in zip(SIDES, pair, strict=True) if opening is None)
        if broken:
            return DisputeReport(tuple(rounds), index, broken, 0,
                                 f"checkpoint {index} does not match its commitment")
        a, b = pair
        assert a is not None and b is not None
        rounds.append((index, checkpoints_agree(checker, index, a, b)))
        return a, b

    start = open_both(0)
    if isinstance(start, DisputeReport):
        return start
    wrong = tuple(side for side, opening in zip(SIDES, start, strict=True)
                  if not checker.row_is_right(0, opening.values))
    if wrong:
        return DisputeReport(tuple(rounds), 0, wrong, 0,
                             "the starting checkpoint is not the seed's")
    end = open_both(checkpoints - 1)
    if isinstance(end, DisputeReport):
        return end
    if rounds[-1][1]:
        return DisputeReport(tuple(rounds), 0, (), 0, "their last checkpoints agree")
    low, high, at_low, at_high = 0, checkpoints - 1, start, end
    while high - low > 1:  # invariant: they agree at `low` and disagree at `high`
        middle = (low + high) // 2
        opened = open_both(middle)
        if isinstance(opened, DisputeReport):
            return opened
        if rounds[-1][1]:
            low, at_low = middle, opened
        else:
            high, at_high = middle, opened
    wrong = tuple(side for side, before, after in zip(SIDES, at_low, at_high, strict=True)
                  if not checker.row_is_right(high, after.values, before.values))
    reason = (f"checkpoint {high} does not follow from checkpoint {low}" if wrong
              else "both segments check out; the difference is rounding")
    return DisputeReport(tuple(rounds), high, wrong, 2, reason)
