"""Real torch jobs a provider can run: a matmul, training a small MLP, batched inference.

Every workload is a pure function of its parameters (and a seed): it builds its inputs
from a seeded ``torch.Generator``, so any honest provider gets the same answer up to
floating-point rounding. It returns a ``WorkResult``: a short summary vector of the
output (cheap to send over a network), the FLOPs it did, and a fingerprint.

Taught in notebooks 10 (the workloads and their FLOPs) and 11 (results and fingerprints).
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from course.compute.devices import check_device
from course.compute.errors import WorkloadError
from course.errors import ComputeError
from course.validation import (
    ensure,
    ensure_choice,
    ensure_int,
    ensure_number,
    ensure_text,
    fail,
    is_integer,
)

SUMMARY_SIZE = 16  # how many numbers a result sends back (its "checksum vector")
MAX_SEED = 2**63 - 1  # torch.Generator.manual_seed takes 64-bit seeds

# The largest value of each size or count a workload takes: big enough for any GPU lesson,
# small enough that a typo cannot ask for terabytes of memory or a loop that never ends.
SIZE_LIMITS = {
    "size": 16_384,  # a 16384 x 16384 float32 matrix is 1 GiB
    "samples": 262_144, "features": 4_096, "hidden": 4_096, "steps": 100_000,
    "batches": 10_000, "batch_size": 65_536, "classes": 10_000,
}


@dataclass(frozen=True)
class WorkResult:
    """What a job sends back: a summary of its output, the work done, and a fingerprint."""

    workload: str
    summary: tuple[float, ...]
    flops: int
    device: str

    def __post_init__(self) -> None:
        ensure_text(self.workload, "workload", error=WorkloadError)
        ensure(isinstance(self.summary, tuple) and all(
            isinstance(value, float) for value in self.summary), WorkloadError, "summary",
            self.summary, "a tuple of floats")
        ensure_int(self.flops, "flops", minimum=0, error=WorkloadError)
        ensure_text(self.device, "device", error=WorkloadError)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the summary rounded to 4 significant digits (see ``fingerprint``)."""
        return fingerprint(self.summary)


def fingerprint(values: Any, significant_digits: int = 4) -> str:
    """Hash numbers after rounding them, so tiny float differences usually vanish.

    Rounding helps but cannot make floats bit-exact: a value sitting right at a rounding
    boundary (0.12345 vs 0.12344999) still lands on two sides. Verification therefore
    compares summaries with a tolerance (``course.compute.verification``).
    """
    significant_digits = ensure_int(significant_digits, "significant_digits", minimum=1,
                                    maximum=17, error=WorkloadError)
    try:
        array = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError, OverflowError):
        fail(WorkloadError, "values", values, "numbers (a list or an array)")
    rounded = [float(f"{value:.{significant_digits - 1}e}") for value in array]
    return hashlib.sha256(repr(rounded).encode()).hexdigest()


def _summary(tensor: torch.Tensor) -> tuple[float, ...]:
    """Row sums of the first rows, as plain floats: a short vector that depends on every input."""
    rows = tensor.reshape(tensor.shape[0], -1).sum(dim=1)[:SUMMARY_SIZE]
    return tuple(float(value) for value in rows.double().cpu())


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def check_size(name: str, value: Any) -> int:
    """``value`` as an int if it is a whole number in [1, SIZE_LIMITS[name]]."""
    name = ensure_choice(name, "name", list(SIZE_LIMITS), error=WorkloadError)
    return ensure_int(value, name, minimum=1, maximum=SIZE_LIMITS[name], error=WorkloadError)


def check_seed(seed: Any, name: str = "seed",
               error: type[ComputeError] = WorkloadError) -> int:
    """A seed is a whole number in [0, 2**63 - 1]: same seed, same inputs, on every machine."""
    ensure(is_integer(seed) and 0 <= seed <= MAX_SEED, error, name, seed,
           "an integer in [0, 2**63 - 1]")
    return int(seed)


# ---- the workloads ---------------------------------------------------------------------


def matmul_flops(size: int = 256, **_: Any) -> int:
    """An n×n by n×n matrix product does n³ multiply-adds: 2·n³ floating-point operations."""
    return 2 * check_size("size", size)**3


def matmul(size: int = 256, seed: int = 0, device: str = "cpu") -> WorkResult:
    """Multiply two seeded random ``size × size`` matrices."""
    size, device = check_size("size", size), check_device(device)
    generator = _generator(check_seed(seed))
    a = torch.randn(size, size, generator=generator).to(device)  # (size, size)
    b = torch.randn(size, size, generator=generator).to(device)  # (size, size)
    c = a @ b  # (size, size)
    return WorkResult("matmul", _summary(c), matmul_flops(size), device)


def train_mlp_flops(
    samples: int = 512, features: int = 8, hidden: int = 32, steps: int = 50, **_: Any
) -> int:
    """Forward pass ≈ 2·samples·(features·hidden + hidden); backward ≈ twice that; per step."""
    samples, features = check_size("samples", samples), check_size("features", features)
    hidden, steps = check_size("hidden", hidden), check_size("steps", steps)
    forward = 2 * samples * (features * hidden + hidden)
    return 3 * forward * steps


def train_mlp(
    samples: int = 512,
    features: int = 8,
    hidden: int = 32,
    steps: int = 50,
    learning_rate: float = 0.05,
    seed: int = 0,
    device: str = "cpu",
) -> WorkResult:
    """Train a one-hidden-layer MLP on seeded synthetic data; summary = loss curve samples."""
    flops = train_mlp_flops(samples, features, hidden, steps)  # checks the sizes
    learning_rate = ensure_number(learning_rate, "learning_rate", minimum=0, error=WorkloadError)
    generator, device = _generator(check_seed(seed)), check_device(device)
    x = torch.randn(samples, features, generator=generator)  # (samples, features)
    true_weights = torch.randn(features, 1, generator=generator)  # (features, 1)
    y = torch.sin(x @ true_weights)  # (samples, 1)
    w1 = (torch.randn(features, hidden, generator=generator) / features**0.5).to(device)
    w2 = (torch.randn(hidden, 1, generator=generator) / hidden**0.5).to(device)
    x, y = x.to(device), y.to(device)
    w1.requires_grad_(True)
    w2.requires_grad_(True)
    losses = []
    for _ in range(steps):
        prediction = torch.tanh(x @ w1) @ w2  # (samples, 1)
        loss = ((prediction - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            for weight in (w1, w2):
                weight -= learning_rate * weight.grad
                weight.grad = None
        losses.append(loss.item())
    picks = np.linspace(0, steps - 1, num=min(SUMMARY_SIZE, steps)).round().astype(int)
    return WorkResult("train_mlp", tuple(losses[i] for i in picks), flops, device)


def inference_flops(
    batches: int = 4, batch_size: int = 256, features: int = 64, hidden: int = 128,
    classes: int = 10, **_: Any,
) -> int:
    """Two dense layers per sample: 2·(features·hidden + hidden·classes) FLOPs each."""
    batches, batch_size = check_size("batches", batches), check_size("batch_size", batch_size)
    features, hidden = check_size("features", features), check_size("hidden", hidden)
    classes = check_size("classes", classes)
    return 2 * batches * batch_size * (features * hidden + hidden * classes)


def inference(
    batches: int = 4,
    batch_size: int = 256,
    features: int = 64,
    hidden: int = 128,
    classes: int = 10,
    seed: int = 0,
    device: str = "cpu",
) -> WorkResult:
    """Run a seeded two-layer classifier over seeded batches; summary = logit sums per sample."""
    flops = inference_flops(batches, batch_size, features, hidden, classes)  # checks the sizes
    generator, device = _generator(check_seed(seed)), check_device(device)
    w1 = torch.randn(features, hidden, generator=generator).to(device) / features**0.5
    w2 = torch.randn(hidden, classes, generator=generator).to(device) / hidden**0.5
    logits = []
    with torch.no_grad():
        for _ in range(batches):
            x = torch.randn(batch_size, features, generator=generator).to(device)  # (batch, f)
            logits.append(torch.relu(x @ w1) @ w2)  # (batch, classes)
    all_logits = torch.cat(logits)  # (batches * batch_size, classes)
    return WorkResult("inference", _summary(all_logits), flops, device)


def noop(seed: int = 0, device: str = "cpu") -> WorkResult:
    """A job that does no work: for measuring the runner's own overhead."""
    return WorkResult("noop", (float(check_seed(seed)),), 0, check_device(device))


def noop_flops(**_: Any) -> int:
    """A job that does no work does no FLOPs."""
    return 0


@dataclass(frozen=True)
class Workload:
    """A named job kind: the function that runs it and the function that counts its FLOPs."""

    name: str
    run: Callable[..., WorkResult]
    count_flops: Callable[..., int]


WORKLOADS: dict[str, Workload] = {
    "matmul": Workload("matmul", matmul, matmul_flops),
    "train_mlp": Workload("train_mlp", train_mlp, train_mlp_flops),
    "inference": Workload("inference", inference, inference_flops),
    "noop": Workload("noop", noop, noop_flops),
}


def get_workload(name: str) -> Workload:
    """Look a workload up by name; an unknown name lists the ones that exist."""
    return WORKLOADS[ensure_choice(name, "workload", sorted(WORKLOADS), error=WorkloadError)]


def check_params(name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``params`` against workload ``name``: known names, sizes in [1, SIZE_LIMITS],
    a whole-number seed, other numbers finite and >= 0.

    Raises WorkloadError (a ValueError) naming the parameter; returns them as a plain dict.
    """
    workload = get_workload(name)
    if not isinstance(params, Mapping):
        fail(WorkloadError, "params", params, "a mapping of workload arguments, e.g. "
             "{'size': 128}")
    accepted = set(inspect.signature(workload.run).parameters) - {"device"}
    unknown = sorted(set(params) - accepted, key=repr)
    ensure(not unknown, WorkloadError, "params", unknown,
           f"arguments that {name} takes ({', '.join(sorted(accepted))})")
    for key, value in params.items():
        if key in SIZE_LIMITS:
            ensure_int(value, f"params.{key}", minimum=1, maximum=SIZE_LIMITS[key],
                       error=WorkloadError)
        elif key == "seed":
            check_seed(value, "params.seed")
        else:
            ensure_number(value, f"params.{key}", minimum=0, error=WorkloadError)
    return dict(params)


def run_workload(name: str, params: Mapping[str, Any], device: str = "cpu") -> WorkResult:
    """Run workload ``name`` with ``params`` on ``device`` (the one call providers make)."""
    params = check_params(name, params)  # also rejects an unknown workload
    return WORKLOADS[name].run(**params, device=check_device(device))
