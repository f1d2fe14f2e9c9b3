"""Precision is part of a job: fp32, TF32 or bf16 arithmetic, and the rounding each one does.

A GPU can multiply matrices in TF32 (a 10-bit mantissa, the default of many GPU servers for
matmuls) or bf16 (7 bits) instead of fp32 (23 bits): faster, and less exact. Two honest
providers at different precisions give different numbers, so a job declares its precision,
every provider runs it at that precision, and the verifier's tolerance follows from it.

TF32 and bf16 are emulated here by rounding the *inputs* of each matrix product to the
format and accumulating in fp32, which is what tensor cores do; the emulation gives the same
numbers on a CPU and a GPU, so the course's CPU-only path still shows the effect.

Taught in notebooks 12 (§6, the measurements) and 13 (tolerances).
"""

from __future__ import annotations

import torch

from course.compute.errors import WorkloadError
from course.errors import ComputeError
from course.validation import ensure_choice

PRECISIONS = ("fp32", "tf32", "bf16")
MANTISSA_BITS = {"fp32": 23, "tf32": 10, "bf16": 7}
UNIT_ROUNDOFF = {name: 2.0 ** -(bits + 1) for name, bits in MANTISSA_BITS.items()}
"""u, half the gap between 1 and the next number: the relative error of one rounding."""


def check_precision(precision: object, name: str = "precision",
                    error: type[ComputeError] = WorkloadError) -> str:
    """``precision`` if it is one of ``PRECISIONS``; otherwise an error naming the choices."""
    return str(ensure_choice(precision, name, list(PRECISIONS), error=error))


def round_to(tensor: torch.Tensor, precision: str) -> torch.Tensor:
    """Round an fp32 tensor to ``precision``'s mantissa (round to nearest even), kept as fp32.

    fp32 changes nothing; bf16 goes through torch's own bfloat16; TF32 keeps the top 10 of
    the 23 mantissa bits, rounding on the dropped 13 (TF32 has no storage type in torch).
    """
    precision = check_precision(precision)
    if precision == "fp32":
        return tensor
    if precision == "bf16":
        return tensor.to(torch.bfloat16).to(tensor.dtype)
    bits = tensor.float().contiguous().view(torch.int32)
    dropped = 23 - MANTISSA_BITS["tf32"]
    lowest_kept = (bits >> dropped) & 1  # round half to even on the kept bits
    rounded = (bits + ((1 << (dropped - 1)) - 1) + lowest_kept) & ~((1 << dropped) - 1)
    finite = torch.isfinite(tensor)
    return torch.where(finite, rounded.view(torch.float32), tensor.float()).to(tensor.dtype)


def matmul_at(a: torch.Tensor, b: torch.Tensor, precision: str) -> torch.Tensor:
    """``a @ b`` as a tensor core at ``precision`` does it: inputs rounded, fp32 accumulation."""
    return round_to(a, precision) @ round_to(b, precision)
