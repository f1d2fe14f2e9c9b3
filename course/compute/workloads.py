"""Real torch jobs a provider can run: a matmul, training a small MLP, batched inference.

Every workload is a pure function of its parameters (and a seed): it builds its inputs
from a seeded ``torch.Generator``, so any honest provider gets the same answer up to
floating-point rounding. It returns a ``WorkResult``: a short summary vector of the
output (cheap to send over a network), the FLOPs it did, and a fingerprint.
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

SUMMARY_SIZE = 16  # how many numbers a result sends back (its "checksum vector")


@dataclass(frozen=True)
class WorkResult:
    """What a job sends back: a summary of its output, the work done, and a fingerprint."""

    workload: str
    summary: tuple[float, ...]
    flops: int
    device: str

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
    array = np.asarray(values, dtype=np.float64).ravel()
    rounded = [float(f"{value:.{significant_digits - 1}e}") for value in array]
    return hashlib.sha256(repr(rounded).encode()).hexdigest()


def _summary(tensor: torch.Tensor) -> tuple[float, ...]:
    """Row sums of the first rows, as plain floats: a short vector that depends on every input."""
    rows = tensor.reshape(tensor.shape[0], -1).sum(dim=1)[:SUMMARY_SIZE]
    return tuple(float(value) for value in rows.double().cpu())


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(int(seed))


# ---- the workloads ---------------------------------------------------------------------


def matmul_flops(size: int = 256, **_: Any) -> int:
    """An n×n by n×n matrix product does n³ multiply-adds: 2·n³ floating-point operations."""
    return 2 * size**3


def matmul(size: int = 256, seed: int = 0, device: str = "cpu") -> WorkResult:
    """Multiply two seeded random ``size × size`` matrices."""
    generator = _generator(seed)
    a = torch.randn(size, size, generator=generator).to(device)  # (size, size)
    b = torch.randn(size, size, generator=generator).to(device)  # (size, size)
    c = a @ b  # (size, size)
    return WorkResult("matmul", _summary(c), matmul_flops(size), device)


def train_mlp_flops(
    samples: int = 512, features: int = 8, hidden: int = 32, steps: int = 50, **_: Any
) -> int:
    """Forward pass ≈ 2·samples·(features·hidden + hidden); backward ≈ twice that; per step."""
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
    generator = _generator(seed)
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
    return WorkResult("train_mlp", tuple(losses[i] for i in picks), train_mlp_flops(
        samples, features, hidden, steps), device)


def inference_flops(
    batches: int = 4, batch_size: int = 256, features: int = 64, hidden: int = 128,
    classes: int = 10, **_: Any,
) -> int:
    """Two dense layers per sample: 2·(features·hidden + hidden·classes) FLOPs each."""
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
    generator = _generator(seed)
    w1 = torch.randn(features, hidden, generator=generator).to(device) / features**0.5
    w2 = torch.randn(hidden, classes, generator=generator).to(device) / hidden**0.5
    logits = []
    with torch.no_grad():
        for _ in range(batches):
            x = torch.randn(batch_size, features, generator=generator).to(device)  # (batch, f)
            logits.append(torch.relu(x @ w1) @ w2)  # (batch, classes)
    all_logits = torch.cat(logits)  # (batches * batch_size, classes)
    return WorkResult("inference", _summary(all_logits), inference_flops(
        batches, batch_size, features, hidden, classes), device)


def noop(seed: int = 0, device: str = "cpu") -> WorkResult:
    """A job that does no work: for measuring the runner's own overhead."""
    return WorkResult("noop", (float(seed),), 0, device)


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
    "noop": Workload("noop", noop, lambda **_: 0),
}


def get_workload(name: str) -> Workload:
    """Look a workload up by name; an unknown name lists the ones that exist."""
    if name not in WORKLOADS:
        raise ValueError(f"workload: unknown workload {name!r}; choose one of {sorted(WORKLOADS)}")
    return WORKLOADS[name]


def check_params(name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``params`` against workload ``name``: known names, whole sizes >= 1, numbers >= 0.

    Raises ValueError naming the parameter; returns the parameters as a plain dict.
    """
    workload = get_workload(name)
    if not isinstance(params, Mapping):
        raise ValueError(f"params: expected a mapping of workload arguments, got {params!r}")
    accepted = inspect.signature(workload.run).parameters
    unknown = sorted(set(params) - set(accepted) | ({"device"} & set(params)))
    if unknown:
        raise ValueError(f"params: {name} takes no argument(s) {unknown}; it takes "
                         f"{sorted(set(accepted) - {'device'})}")
    for key, value in params.items():
        default = accepted[key].default
        if isinstance(default, int) and key != "seed":  # a size or a count
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"params.{key}: expected a whole number >= 1, got {value!r}")
        elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ValueError(f"params.{key}: expected a number >= 0, got {value!r}")
    return dict(params)


def run_workload(name: str, params: Mapping[str, Any], device: str = "cpu") -> WorkResult:
    """Run workload ``name`` with ``params`` on ``device`` (the one call providers make)."""
    params = check_params(name, params)  # also rejects an unknown workload
    return WORKLOADS[name].run(**params, device=check_device(device))
