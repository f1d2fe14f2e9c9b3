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
Taught in notebook 13 (and used by notebook 16's extension tasks).
"""

from __future__ import annotations

import math
from typing import cast

import torch

from course.compute.errors import VerificationError
from course.compute.merkle_rows import (
    Commitment,
    CommittedOutput,
    RowOpening,
    choose_rows,
    commit,
    opening_matches,
)
from course.compute.precision import UNIT_ROUNDOFF, check_precision
from course.compute.workloads import (
    SUMMARY_SIZE,
    WorkResult,
    check_seed,
    check_size,
    matmul_flops,
    matmul_inputs,
)
from course.validation import (
    ensure,
    ensure_instance,
    ensure_int,
    ensure_number,
)

__all__ = [
    "UNIT_ROUNDOFF", "Commitment", "CommittedOutput", "RowOpening", "challenges_needed",
    "choose_rows", "commit", "first_rows_summary", "freivalds_check", "matmul_inputs",
    "opening_matches", "partial_matmul", "product_error_bound", "row_error_bound",
    "old_summary_result", "summarize", "survival_probability", "verify_matmul_rows",
    "invented_rows",
]


def _tensor(value: object, name: str, ndim: int) -> torch.Tensor:
    """``value`` if it is a finite float tensor of ``ndim`` dimensions."""
    ensure(isinstance(value, torch.Tensor) and value.ndim == ndim and value.numel() > 0
           and value.is_floating_point() and bool(torch.isfinite(value).all()),
           VerificationError, name, value, f"a finite {ndim}-d float tensor")
    return cast(torch.Tensor, value)


# --- the matmul job, row by row ---------------------------------------------------------------


def product_error_bound(magnitude: torch.Tensor, inner: int, precision: str = "fp32",
                        ) -> torch.Tensor:
    """How far an honest entry of a product may be from the verifier's, given Σ|a_k|·|b_k|.

    The provider rounded its inputs to ``precision`` (relative error 2u + u² per product)
    and summed ``inner`` products in fp32 (at most inner·u₃₂ of the magnitude, in any
    order); the verifier's own fp32 product can be as far off again. Twice that, for margin.
    """
    u = UNIT_ROUNDOFF[check_precision(precision, error=VerificationError)]
    u32 = UNIT_ROUNDOFF["fp32"]
    return 2 * (2 * u + u * u + 2 * inner * u32) * magnitude + 1e-30


def row_error_bound(a_row: torch.Tensor, b: torch.Tensor, precision: str = "fp32") -> torch.Tensor:
    """How far an honest row of A·B may be from the verifier's, element by element.

    The forward error bound of a dot product of length n (``product_error_bound``): a few
    roundings of the magnitude |a|·|b|, far below the size of a wrong row.
    """
    precision = check_precision(precision, error=VerificationError)
    a_row, b = _tensor(a_row, "a_row", 1), _tensor(b, "b", 2)
    ensure(b.shape[0] == a_row.shape[0], VerificationError, "b", tuple(b.shape),
           f"{a_row.shape[0]} rows, one per entry of a_row")
    return product_error_bound(a_row.abs() @ b.abs(), a_row.shape[0], precision)


def verify_matmul_rows(commitment: Commitment, openings: list[RowOpening], size: int,
                       seed: int, precision: str = "fp32") -> list[int]:
    """Recompute each opened row of A·B; return the rows that fail (empty: all good)."""
    ensure_instance(commitment, "commitment", Commitment, error=VerificationError)
    ensure(isinstance(openings, list | tuple) and all(isinstance(o, RowOpening)
                                                      for o in openings),
           VerificationError, "openings", openings, "a list of RowOpenings")
    precision = check_precision(precision, error=VerificationError)
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
    return torch.cat([a[:done] @ b, invented_rows(size - done, size, seed)])  # (size, size)


def invented_rows(count: int, columns: int, seed: int, scale: float | None = None,
                  ) -> torch.Tensor:
    """Plausible fake rows: random normals with the spread of a real product's entries
    (sqrt(columns) for a product of unit-variance inputs), drawn without doing the work."""
    generator = torch.Generator().manual_seed(check_seed(seed) ^ 0x5EED)
    spread = columns**0.5 if scale is None else scale
    return torch.randn(count, columns, generator=generator) * spread


def first_rows_summary(output: torch.Tensor) -> tuple[float, ...]:
    """The course's OLD summary: the sums of the first 16 rows, whatever the others hold.

    A provider that computes only those rows gets the same summary as an honest one: the
    cautionary example of notebook 13. Today's summary sums blocks that cover every row.
    """
    rows = output.reshape(output.shape[0], -1).sum(dim=1)[:SUMMARY_SIZE]
    return tuple(float(value) for value in rows.double().cpu())


def summarize(output: torch.Tensor) -> WorkResult:
    """The matmul result a provider sends for ``output`` under the OLD first-rows summary.

    Its summary is ``first_rows_summary(output)``, and it claims the whole product's FLOPs:
    the cautionary example of notebook 13 (compare it with ``old_summary_result``).
    """
    ensure_instance(output, "output", torch.Tensor, error=VerificationError)
    ensure(output.ndim == 2 and output.shape[0] == output.shape[1] >= 1
           and output.is_floating_point(), VerificationError, "output",
           (tuple(output.shape), output.dtype), "a square float tensor (a matmul's product)")
    size = check_size("size", output.shape[0])
    return WorkResult("matmul", first_rows_summary(output), matmul_flops(size),
                      output.device.type)


def old_summary_result(size: int, seed: int) -> WorkResult:
    """What an honest provider sent under the OLD first-rows summary (notebook 13's baseline)."""
    a, b = matmul_inputs(size, seed)
    return summarize(a @ b)


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
    precision = check_precision(precision, error=VerificationError)
    for _ in range(rounds):
        r = torch.randint(0, 2, (b.shape[1],), generator=generator).float() * 2 - 1  # (n,)
        left, right = a @ (b @ r), c @ r  # (n,) each
        magnitude = a.abs() @ (b.abs() @ r.abs()) + c.abs() @ r.abs()  # (n,)
        bound = product_error_bound(magnitude, 2 * n, precision)
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
