"""Checking a committed result: the verifier recomputes challenged rows and proves who is wrong.

A result carries a Merkle commitment to every row of its output. The verifier draws rows
from the commitment and a secret of its own (``merkle_rows.choose_rows``), the provider
opens them, and the verifier recomputes each one from the job's seed:

- ``matmul``: row i of A·B, compared within the dot product's forward error bound;
- ``inference``: the logits of sample i, within the bound of the two layers;
- ``train_mlp``: the rows are checkpoints; row j is checked by re-running the training
  segment from checkpoint j-1 (refereed re-execution of one segment, not of the whole run);
- ``noop``: its single row is the seed.

When several providers return results that agree, the verifier recomputes nothing but still
does not trust their summaries (a summary of sums can be met without the work: a matmul's
row sums are A·(B·1)): ``cross_check`` opens the same randomly drawn rows from every result
and compares them with each other.

Non-finite values are compared as values: an honest NaN or inf must sit where the
verifier's own recomputation has it. A row that fails is a *proof*: its opening matches the
provider's own commitment, and the job's seed says what it should hold.

Taught in notebook 13; the runner (``course.compute.runner``) challenges with it.
"""

from __future__ import annotations

import hashlib
import inspect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from course.compute.commitments import product_error_bound
from course.compute.errors import VerificationError
from course.compute.jobs import JobSpec
from course.compute.merkle_rows import Commitment, RowOpening, choose_rows, opening_matches
from course.compute.precision import UNIT_ROUNDOFF
from course.compute.workloads import (
    WorkResult,
    checkpoint_row,
    checkpoint_steps,
    get_workload,
    inference_inputs,
    matmul_inputs,
    summary_of_rows,
    train_steps,
    training_data,
    training_loss,
)
from course.validation import ensure_instance, ensure_int

SEGMENT_SAFETY = 16  # training tolerance: this many times the rounding of one segment


@dataclass(frozen=True)
class ChallengeReport:
    """The outcome of challenging one result: the rows checked and the rows that failed."""

    rows: tuple[int, ...]
    failed: tuple[int, ...]
    reason: str = ""

    @property
    def passed(self) -> bool:
        return not self.failed and not self.reason


def _params(job: JobSpec) -> dict[str, object]:
    defaults = {name: p.default for name, p in
                inspect.signature(get_workload(job.workload).run).parameters.items()}
    return {**defaults, **job.params}


def rows_match(got: torch.Tensor, expected: torch.Tensor, bound: torch.Tensor) -> bool:
    """Equal up to ``bound``; non-finite entries must be the same non-finite values."""
    if got.shape != expected.shape:
        return False
    finite = torch.isfinite(expected)
    if not torch.equal(finite, torch.isfinite(got)):
        return False
    special = ~finite
    if not torch.equal(torch.isnan(got[special]), torch.isnan(expected[special])):
        return False
    signs_ok = torch.equal(got[special & ~torch.isnan(got)],
                           expected[special & ~torch.isnan(expected)])
    close = (got[finite] - expected[finite]).abs() <= torch.nan_to_num(bound[finite], nan=0.0)
    return signs_ok and bool(torch.all(close))


def training_tolerance(job: JobSpec, segment_steps: int) -> float:
    """How far two honest runs of ``segment_steps`` training steps may drift apart, relative
    to the size of the weights: the rounding of each step, times a safety factor."""
    p = _params(job)
    u, u32 = UNIT_ROUNDOFF[job.precision], UNIT_ROUNDOFF["fp32"]
    inner = int(p["samples"]) + int(p["features"]) + int(p["hidden"])  # type: ignore[call-overload]
    return float(min(0.5, SEGMENT_SAFETY * max(segment_steps, 1) * (2 * u + inner * u32)))


class RowChecker:
    """Recomputes rows of one job's output; builds the job's inputs once, on the CPU."""

    def __init__(self, job: JobSpec) -> None:
        self.job = ensure_instance(job, "job", JobSpec, error=VerificationError)
        self.p = _params(job)
        self._inputs: tuple[torch.Tensor, ...] | None = None

    def inputs(self) -> tuple[torch.Tensor, ...]:
        if self._inputs is None:
            p = self.p
            if self.job.workload == "matmul":
                self._inputs = matmul_inputs(p["size"], p["seed"])  # type: ignore[arg-type]
            elif self.job.workload == "inference":
                self._inputs = inference_inputs(
                    p["batches"], p["batch_size"], p["features"], p["hidden"],  # type: ignore[arg-type]
                    p["classes"], p["seed"])  # type: ignore[arg-type]
            elif self.job.workload == "train_mlp":
                self._inputs = training_data(p["samples"], p["features"], p["hidden"],  # type: ignore[arg-type]
                                             p["seed"])  # type: ignore[arg-type]
            else:
                self._inputs = ()
        return self._inputs

    def row_is_right(self, index: int, values: Sequence[float],
                     previous: Sequence[float] | None = None) -> bool:
        """Does row ``index`` hold what the job's seed says? (``previous``: training only.)"""
        got = torch.tensor(np.asarray(values, dtype=np.float32))
        workload, precision = self.job.workload, self.job.precision
        if workload == "matmul":
            a, b = self.inputs()
            expected = a[index] @ b
            bound = product_error_bound(a[index].abs() @ b.abs(), a.shape[1], precision)
            return rows_match(got, expected, bound)
        if workload == "inference":
            x, w1, w2 = self.inputs()
            pre = x[index] @ w1  # (hidden,)
            hidden = torch.relu(pre)
            expected = hidden @ w2  # (classes,)
            first = product_error_bound(x[index].abs() @ w1.abs(), w1.shape[0], precision)
            second = product_error_bound((hidden + first) @ w2.abs(), w2.shape[0], precision)
            return rows_match(got, expected, 2 * (second + first @ w2.abs()))
        if workload == "train_mlp":
            return self._checkpoint_is_right(index, got, previous)
        return rows_match(got, torch.tensor([float(self.p["seed"])]),  # type: ignore[arg-type]
                       torch.zeros(1))

    def _checkpoint_is_right(self, index: int, got: torch.Tensor,
                             previous: Sequence[float] | None) -> bool:
        x, y, w1, w2 = self.inputs()
        features, hidden = w1.shape
        marks = checkpoint_steps(self.p["steps"])  # type: ignore[arg-type]
        if index == 0:
            start_w1, start_w2, steps = w1, w2, 0
        else:
            if previous is None or len(previous) != got.shape[0]:
                return False
            start = torch.tensor(np.asarray(previous, dtype=np.float32))
            start_w1 = start[:features * hidden].reshape(features, hidden)
            start_w2 = start[features * hidden:-1].reshape(hidden, 1)
            steps = marks[index] - marks[index - 1]
        end_w1, end_w2, _ = train_steps(x, y, start_w1, start_w2, steps,
                                        float(self.p["learning_rate"]),  # type: ignore[arg-type]
                                        self.job.precision)
        with torch.no_grad():
            loss = training_loss(x, y, end_w1, end_w2, self.job.precision).item()
        expected = checkpoint_row(end_w1, end_w2, loss)
        tolerance = training_tolerance(self.job, steps)
        scale = torch.nan_to_num(expected.abs(), nan=0.0, posinf=0.0).max().item() + 1e-6
        return rows_match(got, expected, torch.full_like(expected, tolerance * scale))


def check_openings(job: JobSpec, commitment: Commitment, openings: Sequence[RowOpening],
                   rows: Sequence[int] | None = None) -> list[int]:
    """The challenged ``rows`` (default: every opened row) that are not right (empty: all
    good). A training row after the first needs the previous checkpoint opened too: it is
    the start of the segment the verifier re-runs."""
    checker = RowChecker(job)
    opened = {o.index: o for o in openings}
    checked = set(opened) if rows is None else set(rows)
    bad = [row for row in checked if row not in opened]  # asked for, never opened
    for opening in openings:
        if opening.index not in checked:
            continue
        if not opening_matches(commitment, opening):
            bad.append(opening.index)
            continue
        previous = None
        if job.workload == "train_mlp" and opening.index > 0:
            before = opened.get(opening.index - 1)
            if before is None or not opening_matches(commitment, before):
                bad.append(opening.index)
                continue
            previous = before.values
        if not checker.row_is_right(opening.index, opening.values, previous):
            bad.append(opening.index)
    return sorted(set(bad))


def _open(result: WorkResult, job: JobSpec, rows: list[int]) -> list[RowOpening]:
    assert result.committed is not None
    wanted = set(rows)
    if job.workload == "train_mlp":
        wanted |= {row - 1 for row in rows if row > 0}
    return result.committed.open_rows(sorted(wanted))


def challenge(job: JobSpec, result: WorkResult, count: int, secret: int,
              also: Sequence[int] = ()) -> ChallengeReport:
    """Challenge ``count`` rows of ``result`` (drawn from its root and ``secret``) and check them,
    and ``also`` the given rows (those where results were seen to differ: one side is wrong
    there, so they are checked for certain).

    A result with no commitment, or one for another workload, fails with a reason: it
    cannot prove anything.
    """
    ensure_instance(job, "job", JobSpec, error=VerificationError)
    ensure_instance(result, "result", WorkResult, error=VerificationError)
    count = ensure_int(count, "count", minimum=1, error=VerificationError)
    if result.committed is None or result.commitment is None:
        return ChallengeReport((), (), "no commitment to open")
    if result.workload != job.workload:
        return ChallengeReport((), (), f"a {result.workload} result for a {job.workload} job")
    commitment = result.commitment
    also = [ensure_int(row, "row", minimum=0, maximum=commitment.rows - 1,
                       error=VerificationError) for row in also]
    rows = sorted({*choose_rows(commitment, min(count, commitment.rows), secret), *also})
    failed = check_openings(job, commitment, _open(result, job, rows), rows)
    return ChallengeReport(tuple(rows), tuple(failed))


def check_every_row(job: JobSpec, result: WorkResult) -> ChallengeReport:
    """The full check (the last resort of a dispute): every row, and the summary against them."""
    ensure_instance(job, "job", JobSpec, error=VerificationError)
    ensure_instance(result, "result", WorkResult, error=VerificationError)
    if result.committed is None or result.commitment is None:
        return ChallengeReport((), (), "no commitment to open")
    if result.workload != job.workload:
        return ChallengeReport((), (), f"a {result.workload} result for a {job.workload} job")
    rows = list(range(result.commitment.rows))
    failed = check_openings(job, result.commitment, _open(result, job, rows))
    claimed = np.asarray(result.summary, dtype=np.float64)
    recomputed = np.asarray(summary_of_rows(job.workload, torch.from_numpy(
        result.committed.rows)), dtype=np.float64)
    if claimed.shape != recomputed.shape or not np.allclose(claimed, recomputed, rtol=1e-6,
                                                            atol=1e-9, equal_nan=True):
        return ChallengeReport(tuple(rows), tuple(failed), "its summary is not the sum of its rows")
    return ChallengeReport(tuple(rows), tuple(failed))


def cross_check(job: JobSpec, results: Mapping[str, WorkResult], count: int, secret: int,
                ) -> ChallengeReport:
    """Open the same ``count`` rows of every result and compare them with each other.

    The rows are drawn from all the results' roots and ``secret``, so nobody knows them when
    it commits. Nothing is recomputed: two honest results hold the same rows up to rounding,
    while a result that only met the others' summary holds invented rows and fails. A result
    whose opening does not match its own commitment fails too. ``failed`` lists the rows that
    differ (or ``reason`` says why nothing could be compared); a failure proves nobody wrong,
    it only sends the job to ``challenge``.
    """
    ensure_instance(job, "job", JobSpec, error=VerificationError)
    ensure_instance(results, "results", Mapping, error=VerificationError)
    count = ensure_int(count, "count", minimum=1, error=VerificationError)
    commitments = [r.commitment for r in results.values() if isinstance(r, WorkResult)]
    if len(commitments) != len(results) or None in commitments:
        return ChallengeReport((), (), "a result has no commitment to open")
    sizes = {c.rows for c in commitments if c is not None}
    if len(sizes) != 1:
        return ChallengeReport((), (), f"results of {sorted(sizes)} rows")
    joint = Commitment(hashlib.sha256(b"".join(sorted(
        c.root for c in commitments if c is not None))).digest(), sizes.pop())
    rows = choose_rows(joint, min(count, joint.rows), secret)
    opened = []
    for result in results.values():
        assert result.committed is not None and result.commitment is not None
        openings = result.committed.open_rows(rows)
        if not all(opening_matches(result.commitment, o) for o in openings):
            return ChallengeReport(tuple(rows), tuple(rows), "an opening does not match its root")
        opened.append(openings)
    tolerance = summary_tolerance(job)
    failed = []
    for position, row in enumerate(rows):
        values = [torch.tensor(np.asarray(o[position].values, dtype=np.float32)) for o in opened]
        scale = max(torch.nan_to_num(v.abs(), nan=0.0, posinf=0.0).max().item()
                    for v in values) + 1e-6
        bound = torch.full_like(values[0], 2 * tolerance * scale)
        if not all(rows_match(other, values[0], bound) for other in values[1:]):
            failed.append(row)
    return ChallengeReport(tuple(rows), tuple(failed))


def summary_tolerance(job: JobSpec) -> float:
    """How far two honest summaries of ``job`` may differ, relative to their size.

    It follows from the precision and the length of the dot products the job sums (a forward
    error bound with margin), capped at 0.5: a looser match only sends more jobs to the
    challenge step, where proofs decide.
    """
    ensure_instance(job, "job", JobSpec, error=VerificationError)
    p = _params(job)
    u, u32 = UNIT_ROUNDOFF[job.precision], UNIT_ROUNDOFF["fp32"]
    if job.workload == "matmul":
        inner = int(p["size"])  # type: ignore[call-overload]
    elif job.workload == "inference":
        inner = int(p["features"]) + int(p["hidden"])  # type: ignore[call-overload]
    elif job.workload == "train_mlp":
        return training_tolerance(job, int(p["steps"]))  # type: ignore[call-overload]
    else:
        return 0.0
    return float(min(0.5, 16 * (2 * u + inner * u32) * math.sqrt(inner)))
