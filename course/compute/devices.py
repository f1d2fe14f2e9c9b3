"""Which device runs the torch work: the GPU when there is one, the CPU otherwise.

Taught in notebook 12.
"""

from __future__ import annotations

from typing import Any

import torch

from course.compute.errors import DeviceError
from course.errors import ComputeError
from course.validation import ensure, fail

DEVICE_RULE = "'cpu' or 'cuda[:N]'"


def best_device() -> str:
    """``"cuda"`` when a CUDA GPU is visible to torch, else ``"cpu"`` (d2l's ``try_gpu``)."""
    return "cuda" if torch.cuda.is_available() else "cpu"


def device_name(device: str | None = None) -> str:
    """A human name for a device: the GPU's model, or the CPU with its thread count."""
    device = best_device() if device is None else check_device(device)
    if device.startswith("cuda"):
        return torch.cuda.get_device_name(torch.device(device))
    return f"CPU ({torch.get_num_threads()} torch threads)"


def check_device_name(device: Any, name: str = "device",
                      error: type[ComputeError] = DeviceError) -> str:
    """Return ``device`` if it is spelled as torch spells a device: ``"cpu"``, ``"cuda"`` or
    ``"cuda:N"`` (whether this machine has it is ``check_device``'s question)."""
    index = device.removeprefix("cuda").removeprefix(":") if isinstance(device, str) else ""
    ok = isinstance(device, str) and (device in ("cpu", "cuda") or (
        device.startswith("cuda:") and index.isdigit() and index.isascii()))
    ensure(ok, error, name, device, DEVICE_RULE)
    return str(device)  # a str, as checked


def check_device(device: Any, name: str = "device",
                 error: type[ComputeError] = DeviceError) -> str:
    """Return ``device`` if torch can use it here; raise DeviceError naming the fix if not."""
    checked = check_device_name(device, name, error)
    device = checked
    if device.startswith("cuda") and not torch.cuda.is_available():
        fail(error, name, device, "'cpu' here: torch sees no CUDA GPU on this machine "
             "(use device='cpu' or best_device())")
    index = device.removeprefix("cuda").removeprefix(":") if device != "cpu" else ""
    if index and int(index) >= torch.cuda.device_count():
        fail(error, name, device, f"a GPU this machine has: it has "
             f"{torch.cuda.device_count()} (cuda:0 ... cuda:N-1)")
    return checked


def make_deterministic(seed: int = 0) -> None:
    """Seed torch and ask it for deterministic kernels (slower on GPU, identical reruns).

    Same device + same seed + deterministic kernels = bit-identical results. Across
    devices (CPU vs GPU, two GPU models) the order of floating-point additions differs,
    so results agree only up to a tolerance.
    """
    from course.compute.workloads import check_seed  # workloads imports this module

    torch.manual_seed(check_seed(seed))
    torch.use_deterministic_algorithms(True, warn_only=True)
