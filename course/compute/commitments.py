"""Commit, then challenge: how a verifier checks a big result by recomputing a few rows.

A provider that returns only a summary of its output can cheat: compute the rows the summary
depends on and invent the rest. Here the provider first *commits* to every row of its output
(a Merkle root, the tool of notebook 01), and only then does the verifier pick rows at random
(with a secret it reveals after the commitment). The provider opens those rows with Merkle
proofs; the verifier recomputes them and compares within a forward error bound that follows
from the precision and the size of the product. A provider that did a fraction f of the rows
survives k challenges with probability at most f^k.

For a matrix product the verifier has a cheaper check of *all* of C = A·B at once:
Freivalds' test, A·(B·r) = C·r for a random vector r, in O(n²) instead of O(n³).
Taught in notebook 11 (and used by notebook 14's extension tasks).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import cast

import numpy as np
import torch

from course.chain.merkle import MerkleProof, merkle_levels, merkle_proof, verify_proof
from course.compute.errors import VerificationError
from course.compute.workloads import (
    WorkResult,
    _summary,
    check_seed,
    check_size,
    matmul_flops,
)
from course.validation import (
    ensure,
    ensure_choice,
    ensure_instance,
    ensure_int,
    ensure_number,
    is_integer,
    is_number,
)

UNIT_ROUNDOFF = {"fp32": 2.0**-24, "tf32": 2.0**-11, "bf16": 2.0**-8}
"""u, half the gap between 1 and the next number: the relative error of one rounding."""


@dataclass(frozen=True)
class Commitment:
    """What the provider publishes before any challenge: a Merkle root over its output rows."""

    root: bytes
    rows: int


@dataclass(frozen=True)
class RowOpening:
    """One challenged row: its values exactly as committed, and the proof that they were."""

    index: int
    values: tuple[float, ...]
    proof: MerkleProof


def _tensor(value: object, name: str, ndim: int) -> torch.Tensor:
    """``value`` if it is a finite float tensor of ``ndim`` dimensions."""
    ensure(isinstance(value, torch.Tensor) and value.ndim == ndim and value.numel() > 0
           and value.is_floating_point() and bool(torch.isfinite(value).all()),
           VerificationError, name, value, f"a finite {ndim}-d float tensor")
    return cast(torch.Tensor, value)


def _leaf(index: int, row: np.ndarray) -> bytes:
    """The committed form of a row: its position and its float32 bytes, hashed."""
    return hashlib.sha256(index.to_bytes(8, "big") + row.astype(np.float32).tobytes()).digest()


class CommittedOutput:
    """The provider's side: its output, the tree over its rows, and openings on request."""

    def __init__(self, output: torch.Tensor) -> None:
        ensure_instance(output, "output", torch.Tensor, error=VerificationError)
        ensure(output.ndim == 2 and output.shape[0] >= 1, VerificationError, "output",
               tuple(output.shape), "a 2-d tensor with at least one row")
        self.rows = output.detach().float().cpu().numpy()  # (rows, columns)
        self.leaves = [_leaf(i, row) for i, row in enumerate(self.rows)]
        self.commitment = Commitment(merkle_levels(self.leaves)[-1][0], len(self.leaves))

    def open(self, index: int) -> RowOpening:
        index = ensure_int(index, "index", minimum=0, maximum=len(self.leaves) - 1,
                           error=VerificationError)
        values = tuple(float(v) for v in self.rows[index])
        return RowOpening(index, values, merkle_proof(self.leaves, index))


def commit(output: torch.Tensor) -> CommittedOutput:
    """Commit to every row of ``output``; publish ``.commitment``, keep the rest to open rows."""
    return CommittedOutput(output)


def choose_rows(commitment: Commitment, count: int, verifier_secret: int) -> list[int]:
    """``count`` distinct rows, drawn from the root and a secret revealed after the commit.

    The provider cannot predict them when it commits (it does not know the secret), and the
    verifier cannot pick them to frame an honest provider after seeing the rows (the draw is
    fixed by the root and the secret, which it committed to beforehand).
    """
    ensure_instance(commitment, "commitment", Commitment, error=VerificationError)
    count = ensure_int(count, "count", minimum=1, maximum=commitment.rows,
                       error=VerificationError)
    secret = check_seed(verifier_secret, "verifier_secret", VerificationError)
    seed = int.from_bytes(hashlib.sha256(commitment.root + secret.to_bytes(8, "big")).digest())
    rng = np.random.default_rng(seed)
    return sorted(int(i) for i in rng.choice(commitment.rows, size=count, replace=False))


def opening_matches(commitment: Commitment, opening: RowOpening) -> bool:
    """Is this row exactly what was committed at its position?"""
    ensure_instance(commitment, "commitment", Commitment, error=VerificationError)
    ensure_instance(opening, "opening", RowOpening, error=VerificationError)
    well_formed = (is_integer(opening.index) and isinstance(opening.values, tuple)
                   and all(is_number(v) for v in opening.values)
                   and isinstance(opening.proof, MerkleProof))
    if not well_formed or not 0 <= opening.index < commitment.rows:
        return False  # a malformed opening proves nothing
    leaf = _leaf(int(opening.index), np.asarray(opening.values, dtype=np.float32))
    return verify_proof(leaf, opening.proof, commitment.root)


# --- the matmul job, row by row ---------------------------------------------------------------


def matmul_inputs(size: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A and B exactly as ``workloads.matmul`` draws them (the same seed, the same numbers)."""
    size, seed = check_size("size", size), check_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    a = torch.randn(size, size, generator=generator)  # (size, size)
    b = torch.randn(size, size, generator=generator)  # (size, size)
    return a, b


def row_error_bound(a_row: torch.Tensor, b: torch.Tensor, precision: str = "fp32") -> torch.Tensor:
    """How far an honest row of A·B may be from the exact one, element by element.

    The classic forward error bound of a dot product of length n computed in floating point
    is about n·u·(|a|·|b|); two honest machines can each be that far off, so twice that.
    """
    precision = ensure_choice(precision, "precision", list(UNIT_ROUNDOFF),
                              error=VerificationError)
    a_row, b = _tensor(a_row, "a_row", 1), _tensor(b, "b", 2)
    ensure(b.shape[0] == a_row.shape[0], VerificationError, "b", tuple(b.shape),
           f"{a_row.shape[0]} rows, one per entry of a_row")
    n = a_row.shape[0]
    return 2 * n * UNIT_ROUNDOFF[precision] * (a_row.abs() @ b.abs()) + 1e-30


def verify_matmul_rows(commitment: Commitment, openings: list[RowOpening], size: int,
                       seed: int, precision: str = "fp32") -> list[int]:
    """Recompute each opened row of A·B; return the rows that fail (empty: all good)."""
    ensure_instance(commitment, "commitment", Commitment, error=VerificationError)
    ensure(isinstance(openings, list | tuple) and all(isinstance(o, RowOpening)
                                                      for o in openings),
           VerificationError, "openings", openings, "a list of RowOpenings")
    precision = ensure_choice(precision, "precision", list(UNIT_ROUNDOFF),
                              error=VerificationError)
    a, b = matmul_inputs(size, seed)
    bad = []
    for opening in openings:
        if not opening_matches(commitment, opening) or len(opening.values) != size:
            bad.append(opening.index)
            continue
        expected = a[opening.index] @ b  # (size,): one row costs 2·n² FLOPs, not 2·n³
        got = torch.tensor(opening.values, dtype=torch.float32)
        if not bool(torch.all((got - expected).abs() <= row_error_bound(a[opening.index], b,
                                                                         precision))):
            bad.append(opening.index)
    return bad


def partial_matmul(size: int, seed: int, work_fraction: float) -> torch.Tensor:
    """A cheater's A·B: the first rows computed honestly, the rest invented plausibly.

    The invented rows have the right shape and scale (random normals times sqrt(n), the
    spread of a real row), so no glance at the numbers gives them away.
    """
    fraction = ensure_number(work_fraction, "work_fraction", minimum=0, maximum=1,
                             error=VerificationError)
    a, b = matmul_inputs(size, seed)
    done = math.floor(fraction * size)
    fake = torch.randn(size - done, size, generator=torch.Generator().manual_seed(seed + 1))
    return torch.cat([a[:done] @ b, fake * size**0.5])  # (size, size)


def summarize(output: torch.Tensor) -> WorkResult:
    """The matmul result a provider sends for ``output`` when only a summary is checked.

    Its summary is the sums of the first 16 rows (``workloads.SUMMARY_SIZE``), whatever the
    other rows hold, and it claims the whole product's FLOPs: the cautionary example of
    notebook 11.
    """
    ensure_instance(output, "output", torch.Tensor, error=VerificationError)
    ensure(output.ndim == 2 and output.shape[0] == output.shape[1] >= 1
           and output.is_floating_point(), VerificationError, "output",
           (tuple(output.shape), output.dtype), "a square float tensor (a matmul's product)")
    size = check_size("size", output.shape[0])
    return WorkResult("matmul", _summary(output), matmul_flops(size), output.device.type)


def freivalds_check(a: torch.Tensor, b: torch.Tensor, c: torch.Tensor, rounds: int = 2,
                    seed: int = 0, precision: str = "fp32") -> bool:
    """Is C = A·B? Compare A·(B·r) with C·r for random ±1 vectors r: O(n²) work a round.

    A wrong C passes one round with probability at most 1/2 (exact arithmetic); in floats
    the comparison allows the forward error bound of the two products.
    """
    rounds = ensure_int(rounds, "rounds", minimum=1, maximum=64, error=VerificationError)
    a, b, c = _tensor(a, "a", 2), _tensor(b, "b", 2), _tensor(c, "c", 2)
    ensure(a.shape[1] == b.shape[0] and c.shape == (a.shape[0], b.shape[1]), VerificationError,
           "shapes", (tuple(a.shape), tuple(b.shape), tuple(c.shape)),
           "a (m, k), b (k, n) and c (m, n)")
    generator = torch.Generator().manual_seed(check_seed(seed))
    n = a.shape[1]
    u = UNIT_ROUNDOFF[ensure_choice(precision, "precision", list(UNIT_ROUNDOFF),
                                    error=VerificationError)]
    for _ in range(rounds):
        r = torch.randint(0, 2, (b.shape[1],), generator=generator).float() * 2 - 1  # (n,)
        left, right = a @ (b @ r), c @ r  # (n,) each
        bound = 4 * n * u * (a.abs() @ (b.abs() @ r.abs()) + c.abs() @ r.abs()) + 1e-30
        if not bool(torch.all((left - right).abs() <= bound)):
            return False
    return True


# --- the odds ---------------------------------------------------------------------------------


def survival_probability(work_fraction: float, challenges: int, rows: int | None = None) -> float:
    """Chance that a provider who computed ``work_fraction`` of the rows passes every challenge.

    With replacement (or many rows) it is f^k; drawing k distinct rows of ``rows`` it is
    C(f·rows, k) / C(rows, k), a little less.
    """
    f = ensure_number(work_fraction, "work_fraction", minimum=0, maximum=1,
                      error=VerificationError)
    k = ensure_int(challenges, "challenges", minimum=0, maximum=10**6, error=VerificationError)
    if rows is None:
        return f**k
    rows = ensure_int(rows, "rows", minimum=max(k, 1), maximum=10**9, error=VerificationError)
    return math.comb(math.floor(f * rows), k) / math.comb(rows, k)


def challenges_needed(work_fraction: float, confidence: float) -> int:
    """The fewest challenges k with f^k <= 1 - confidence: a cheater is caught that surely."""
    f = ensure_number(work_fraction, "work_fraction", minimum=0, below=1,
                      error=VerificationError)
    c = ensure_number(confidence, "confidence", minimum=0, below=1, error=VerificationError)
    if f == 0 or c == 0:
        return 1 if c > 0 else 0
    k = max(0, math.ceil(math.log1p(-c) / math.log(f)))
    while f**k > 1 - c:  # guard against log rounding
        k += 1
    return k
