"""Real torch jobs a provider can run: a matmul, training a small MLP, batched inference.

Every workload is a pure function of its parameters (and a seed): it makes its inputs
from the seed on the job's own device (``seeded_uniform``: the same numbers on a CPU and a
GPU), and runs at the job's precision (``course.compute.precision``), so any honest provider
gets the same answer up to floating-point rounding. It returns a ``WorkResult``: a short
summary vector that depends on every row of the output (cheap to send over a network), the
FLOPs it did, a fingerprint and, when asked, a Merkle commitment to every output row.

Taught in notebooks 12 (the workloads and their FLOPs) and 13 (results and fingerprints).
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from course.compute.devices import check_device
from course.compute.errors import WorkloadError
from course.compute.merkle_rows import Commitment, CommittedOutput
from course.compute.merkle_rows import commit as commit_rows
from course.compute.precision import check_precision, matmul_at, round_to
from course.errors import ComputeError
from course.validation import (
    ensure,
    ensure_bool,
    ensure_choice,
    ensure_instance,
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
    committed: CommittedOutput | None = field(default=None, compare=False, repr=False)
    """The provider's whole output, committed row by row (kept to answer challenges)."""

    def __post_init__(self) -> None:
        ensure_text(self.workload, "workload", error=WorkloadError)
        ensure(isinstance(self.summary, tuple) and all(
            isinstance(value, float) for value in self.summary), WorkloadError, "summary",
            self.summary, "a tuple of floats")
        ensure_int(self.flops, "flops", minimum=0, error=WorkloadError)
        ensure_text(self.device, "device", error=WorkloadError)
        if self.committed is not None:
            ensure_instance(self.committed, "committed", CommittedOutput, error=WorkloadError)

    @property
    def commitment(self) -> Commitment | None:
        """The Merkle root over the output's rows that the provider published, if any."""
        return None if self.committed is None else self.committed.commitment

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


def _block_sums(output: torch.Tensor) -> tuple[float, ...]:
    """Sums of SUMMARY_SIZE contiguous blocks of rows: a short vector that depends on EVERY row.

    (Summing only the first rows would let a provider compute those rows and invent the
    rest: notebook 13's cautionary example, ``course.compute.commitments.first_rows_summary``.)
    """
    rows = output.reshape(output.shape[0], -1).double().sum(dim=1)  # (rows,)
    blocks = torch.tensor_split(rows, min(SUMMARY_SIZE, rows.shape[0]))
    return tuple(float(block.sum()) for block in blocks)


def summary_of_rows(workload: str, rows: torch.Tensor) -> tuple[float, ...]:
    """The summary a result sends, computed from its output rows (anyone holding the rows can
    recompute it): block sums of the rows, or for training the loss at each checkpoint."""
    if workload == "train_mlp":
        return tuple(float(value) for value in rows[:, -1].double().cpu())
    if workload == "noop":
        return (float(rows[0, 0]),)
    return _block_sums(rows)


def output_shape(name: str, params: Mapping[str, Any]) -> tuple[int, int]:
    """(rows, columns) of a job's whole output, known from its parameters alone."""
    params = check_params(name, params)
    defaults = {key: value.default for key, value in
                inspect.signature(WORKLOADS[name].run).parameters.items()}
    p = {**defaults, **params}
    if name == "matmul":
        return p["size"], p["size"]
    if name == "inference":
        return p["batches"] * p["batch_size"], p["classes"]
    if name == "train_mlp":
        return (len(checkpoint_steps(p["steps"])),
                p["features"] * p["hidden"] + p["hidden"] + 1)
    return 1, 1


_MASK32 = 0xFFFF_FFFF


def _mix32(x: torch.Tensor) -> torch.Tensor:
    """A 32-bit integer hash (xor-shift-multiply), in int64 so no step overflows."""
    for _ in range(2):
        x = ((x ^ (x >> 16)) * 0x45D9F3B) & _MASK32
    return x ^ (x >> 16)


def seeded_uniform(shape: tuple[int, ...], seed: int, stream: int,
                   device: str = "cpu") -> torch.Tensor:
    """Random numbers with mean 0 and variance 1 (uniform on ±√3), made on ``device`` itself.

    Each entry is a hash of (seed, stream, its index) in integer arithmetic, so a CPU and a
    GPU make bit-identical inputs without copying them over; ``stream`` keeps the different
    inputs of one job apart.
    """
    count = 1
    for extent in shape:
        count *= extent
    key = int(_mix32(torch.tensor([seed & _MASK32])) ^ _mix32(torch.tensor(
        [((seed >> 32) + 0x9E37 * stream) & _MASK32])))
    index = torch.arange(count, device=device, dtype=torch.int64)
    bits = _mix32((index + key) & _MASK32) >> 8  # 24 random bits
    uniform = bits.to(torch.float32) * 2.0**-24 - 0.5  # [-0.5, 0.5)
    return (uniform * 12**0.5).reshape(shape)


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


@contextmanager
def exact_fp32_matmuls(device: str) -> Iterator[None]:
    """Run the block with TF32 matmuls switched off, whatever this machine's default is.

    Many GPU servers turn TF32 on for speed; a job that declares ``fp32`` must not get it.
    A job that declares ``tf32`` or ``bf16`` gets it by rounding its inputs explicitly
    (``course.compute.precision``), the same on every device.
    """
    if not device.startswith("cuda"):
        yield
        return
    before = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = before


# ---- the workloads ---------------------------------------------------------------------
# Each ``*_output`` function returns the job's whole output as rows (a 2-d tensor); the
# workload itself returns a WorkResult that summarizes it.


def matmul_flops(size: int = 256, **_: Any) -> int:
    """An n×n by n×n matrix product does n³ multiply-adds: 2·n³ floating-point operations."""
    return 2 * check_size("size", size)**3


def matmul_inputs(size: int, seed: int, device: str = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
    """The matmul job's A and B, made from its seed on ``device``: (size, size) each."""
    size, seed = check_size("size", size), check_seed(seed)
    return (seeded_uniform((size, size), seed, 0, device),
            seeded_uniform((size, size), seed, 1, device))


def matmul_output(size: int = 256, seed: int = 0, device: str = "cpu",
                  precision: str = "fp32") -> torch.Tensor:
    """C = A·B at ``precision``: the output of a matmul job, one row per row of A."""
    device, precision = check_device(device), check_precision(precision)
    a, b = matmul_inputs(size, seed, device)
    with exact_fp32_matmuls(device):
        return matmul_at(a, b, precision)  # (size, size)


def matmul(size: int = 256, seed: int = 0, device: str = "cpu",
           precision: str = "fp32") -> WorkResult:
    """Multiply two seeded random ``size × size`` matrices."""
    output = matmul_output(size, seed, device, precision)
    return WorkResult("matmul", summary_of_rows("matmul", output), matmul_flops(size),
                      check_device(device))


def train_mlp_flops(
    samples: int = 512, features: int = 8, hidden: int = 32, steps: int = 50, **_: Any
) -> int:
    """Forward pass ≈ 2·samples·(features·hidden + hidden); backward ≈ twice that; per step."""
    samples, features = check_size("samples", samples), check_size("features", features)
    hidden, steps = check_size("hidden", hidden), check_size("steps", steps)
    forward = 2 * samples * (features * hidden + hidden)
    return 3 * forward * steps


def checkpoint_steps(steps: int) -> list[int]:
    """The steps after which training saves a checkpoint: 0, every steps/16, and the last."""
    steps = check_size("steps", steps)
    interval = -(-steps // SUMMARY_SIZE)  # ceil
    return sorted(set(range(0, steps, interval)) | {steps})


def training_data(samples: int, features: int, hidden: int, seed: int,
                  device: str = "cpu") -> tuple[torch.Tensor, ...]:
    """The training job's data x, y and starting weights w1, w2, made from its seed."""
    x = seeded_uniform((samples, features), seed, 0, device)  # (samples, features)
    true_weights = seeded_uniform((features, 1), seed, 1, device)  # (features, 1)
    y = torch.sin(x @ true_weights)  # (samples, 1)
    w1 = seeded_uniform((features, hidden), seed, 2, device) / features**0.5
    w2 = seeded_uniform((hidden, 1), seed, 3, device) / hidden**0.5
    return x, y, w1, w2


def _rounded(tensor: torch.Tensor, precision: str) -> torch.Tensor:
    """``tensor`` rounded to ``precision`` going forward; gradients pass straight through."""
    return tensor + (round_to(tensor, precision) - tensor).detach()


def training_loss(x: torch.Tensor, y: torch.Tensor, w1: torch.Tensor, w2: torch.Tensor,
                  precision: str) -> torch.Tensor:
    """The mean squared error of the MLP with weights w1, w2 on the data x, y."""
    hidden = torch.tanh(_rounded(x, precision) @ _rounded(w1, precision))
    prediction = _rounded(hidden, precision) @ _rounded(w2, precision)  # (samples, 1)
    return ((prediction - y) ** 2).mean()


def checkpoint_row(w1: torch.Tensor, w2: torch.Tensor, loss: float) -> torch.Tensor:
    """One checkpoint as a row: the weights, flattened, then the loss at those weights."""
    return torch.cat([w1.detach().flatten(), w2.detach().flatten(),
                      torch.tensor([loss], device=w1.device)]).float().cpu()


def train_steps(x: torch.Tensor, y: torch.Tensor, w1: torch.Tensor, w2: torch.Tensor,
                steps: int, learning_rate: float, precision: str = "fp32",
                ) -> tuple[torch.Tensor, torch.Tensor, list[float]]:
    """Gradient descent for ``steps`` steps from w1, w2; returns the new weights and losses."""
    w1, w2 = w1.clone().requires_grad_(True), w2.clone().requires_grad_(True)
    losses = []
    for _ in range(steps):
        loss = training_loss(x, y, w1, w2, precision)
        loss.backward()
        with torch.no_grad():
            for weight in (w1, w2):
                weight -= learning_rate * weight.grad  # type: ignore[operator]
                weight.grad = None
        losses.append(loss.item())
    return w1.detach(), w2.detach(), losses


def train_mlp_run(samples: int = 512, features: int = 8, hidden: int = 32, steps: int = 50,
                  learning_rate: float = 0.05, seed: int = 0, device: str = "cpu",
                  precision: str = "fp32") -> tuple[torch.Tensor, list[float]]:
    """Train, saving a checkpoint row at each of ``checkpoint_steps``; returns (rows, losses)."""
    train_mlp_flops(samples, features, hidden, steps)  # checks the sizes
    learning_rate = ensure_number(learning_rate, "learning_rate", minimum=0, error=WorkloadError)
    device, precision = check_device(device), check_precision(precision)
    x, y, w1, w2 = training_data(samples, features, hidden, check_seed(seed), device)
    marks = checkpoint_steps(steps)
    rows, losses = [], []
    with exact_fp32_matmuls(device):
        for start, end in zip(marks, marks[1:], strict=False):
            rows.append(checkpoint_row(w1, w2, training_loss(x, y, w1, w2, precision).item()))
            w1, w2, segment = train_steps(x, y, w1, w2, end - start, learning_rate, precision)
            losses += segment
        rows.append(checkpoint_row(w1, w2, training_loss(x, y, w1, w2, precision).item()))
    return torch.stack(rows), losses  # (checkpoints, features·hidden + hidden + 1)


def train_mlp(
    samples: int = 512,
    features: int = 8,
    hidden: int = 32,
    steps: int = 50,
    learning_rate: float = 0.05,
    seed: int = 0,
    device: str = "cpu",
    precision: str = "fp32",
) -> WorkResult:
    """Train a one-hidden-layer MLP on seeded synthetic data; summary = loss at each checkpoint."""
    rows, _ = train_mlp_run(samples, features, hidden, steps, learning_rate, seed, device,
                            precision)
    return WorkResult("train_mlp", summary_of_rows("train_mlp", rows),
                      train_mlp_flops(samples, features, hidden, steps), check_device(device))


def inference_flops(
    batches: int = 4, batch_size: int = 256, features: int = 64, hidden: int = 128,
    classes: int = 10, **_: Any,
) -> int:
    """Two dense layers per sample: 2·(features·hidden + hidden·classes) FLOPs each."""
    batches, batch_size = check_size("batches", batches), check_size("batch_size", batch_size)
    features, hidden = check_size("features", features), check_size("hidden", hidden)
    classes = check_size("classes", classes)
    return 2 * batches * batch_size * (features * hidden + hidden * classes)


def inference_inputs(batches: int, batch_size: int, features: int, hidden: int, classes: int,
                     seed: int, device: str = "cpu") -> tuple[torch.Tensor, ...]:
    """The inference job's samples x (all batches, stacked) and weights w1, w2."""
    inference_flops(batches, batch_size, features, hidden, classes)  # checks the sizes
    seed = check_seed(seed)
    x = seeded_uniform((batches * batch_size, features), seed, 0, device)  # (samples, f)
    w1 = seeded_uniform((features, hidden), seed, 1, device) / features**0.5
    w2 = seeded_uniform((hidden, classes), seed, 2, device) / hidden**0.5
    return x, w1, w2


def classify(x: torch.Tensor, w1: torch.Tensor, w2: torch.Tensor,
             precision: str = "fp32") -> torch.Tensor:
    """The two-layer classifier: relu(x·w1)·w2, each product at ``precision``."""
    return matmul_at(torch.relu(matmul_at(x, w1, precision)), w2, precision)


def inference_output(batches: int = 4, batch_size: int = 256, features: int = 64,
                     hidden: int = 128, classes: int = 10, seed: int = 0, device: str = "cpu",
                     precision: str = "fp32") -> torch.Tensor:
    """The logits of every sample, batch after batch: one row per sample."""
    device, precision = check_device(device), check_precision(precision)
    x, w1, w2 = inference_inputs(batches, batch_size, features, hidden, classes, seed, device)
    with torch.no_grad(), exact_fp32_matmuls(device):
        return torch.cat([classify(batch, w1, w2, precision)
                          for batch in x.split(batch_size)])  # (samples, classes)


def inference(
    batches: int = 4,
    batch_size: int = 256,
    features: int = 64,
    hidden: int = 128,
    classes: int = 10,
    seed: int = 0,
    device: str = "cpu",
    precision: str = "fp32",
) -> WorkResult:
    """Run a seeded two-layer classifier over seeded batches; summary = logit block sums."""
    output = inference_output(batches, batch_size, features, hidden, classes, seed, device,
                              precision)
    return WorkResult("inference", summary_of_rows("inference", output),
                      inference_flops(batches, batch_size, features, hidden, classes),
                      check_device(device))


def noop(seed: int = 0, device: str = "cpu", precision: str = "fp32") -> WorkResult:
    """A job that does no work: for measuring the runner's own overhead."""
    check_precision(precision)
    return WorkResult("noop", (float(check_seed(seed)),), 0, check_device(device))


def noop_flops(**_: Any) -> int:
    """A job that does no work does no FLOPs."""
    return 0


def _matmul_rows(size: int = 256, seed: int = 0, device: str = "cpu",
                 precision: str = "fp32") -> tuple[torch.Tensor, tuple[float, ...]]:
    output = matmul_output(size, seed, device, precision)
    return output, summary_of_rows("matmul", output)


def _train_mlp_rows(samples: int = 512, features: int = 8, hidden: int = 32, steps: int = 50,
                    learning_rate: float = 0.05, seed: int = 0, device: str = "cpu",
                    precision: str = "fp32") -> tuple[torch.Tensor, tuple[float, ...]]:
    rows, _ = train_mlp_run(samples, features, hidden, steps, learning_rate, seed, device,
                            precision)
    return rows, summary_of_rows("train_mlp", rows)


def _inference_rows(batches: int = 4, batch_size: int = 256, features: int = 64,
                    hidden: int = 128, classes: int = 10, seed: int = 0, device: str = "cpu",
                    precision: str = "fp32") -> tuple[torch.Tensor, tuple[float, ...]]:
    output = inference_output(batches, batch_size, features, hidden, classes, seed, device,
                              precision)
    return output, summary_of_rows("inference", output)


def _noop_rows(seed: int = 0, device: str = "cpu",
               precision: str = "fp32") -> tuple[torch.Tensor, tuple[float, ...]]:
    result = noop(seed, device, precision)
    return torch.tensor([result.summary]), result.summary


@dataclass(frozen=True)
class Workload:
    """A named job kind: the function that runs it, the one that counts its FLOPs, and the
    one that returns its whole output as rows (with the summary) for a commitment."""

    name: str
    run: Callable[..., WorkResult]
    count_flops: Callable[..., int]
    rows: Callable[..., tuple[torch.Tensor, tuple[float, ...]]]


WORKLOADS: dict[str, Workload] = {
    "matmul": Workload("matmul", matmul, matmul_flops, _matmul_rows),
    "train_mlp": Workload("train_mlp", train_mlp, train_mlp_flops, _train_mlp_rows),
    "inference": Workload("inference", inference, inference_flops, _inference_rows),
    "noop": Workload("noop", noop, noop_flops, _noop_rows),
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
    accepted = set(inspect.signature(workload.run).parameters) - {"device", "precision"}
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


def run_workload(name: str, params: Mapping[str, Any], device: str = "cpu",
                 precision: str = "fp32", commit: bool = False) -> WorkResult:
    """Run workload ``name`` with ``params`` on ``device`` at ``precision`` (the call providers
    make). With ``commit=True`` the result also carries a Merkle commitment to every row of
    the output, and the rows themselves to open when challenged (``result.committed``)."""
    params = check_params(name, params)  # also rejects an unknown workload
    device, precision = check_device(device), check_precision(precision)
    if not ensure_bool(commit, "commit", error=WorkloadError):
        return WORKLOADS[name].run(**params, device=device, precision=precision)
    rows, summary = WORKLOADS[name].rows(**params, device=device, precision=precision)
    return WorkResult(name, summary, WORKLOADS[name].count_flops(**params), device,
                      committed=commit_rows(rows))
