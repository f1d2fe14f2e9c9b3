"""Which device runs the torch work: the GPU when there is one, the CPU otherwise."""

from __future__ import annotations

import torch


def best_device() -> str:
    """``"cuda"`` when a CUDA GPU is visible to torch, else ``"cpu"`` (d2l's ``try_gpu``)."""
    return "cuda" if torch.cuda.is_available() else "cpu"


def device_name(device: str | None = None) -> str:
    """A human name for a device: the GPU's model, or the CPU with its thread count."""
    device = device or best_device()
    if device.startswith("cuda"):
        return torch.cuda.get_device_name(torch.device(device))
    return f"CPU ({torch.get_num_threads()} torch threads)"


def check_device(device: str) -> str:
    """Return ``device`` if torch can use it here; raise ValueError naming the fix if not."""
    if not isinstance(device, str) or not (device == "cpu" or device.startswith("cuda")):
        raise ValueError(f"device: expected 'cpu' or 'cuda[:N]', got {device!r}")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(
            f"device: {device!r} asked for, but torch sees no CUDA GPU on this machine; "
            "use device='cpu' or best_device()"
        )
    index = device.removeprefix("cuda").removeprefix(":")
    if device.startswith("cuda") and index and (
            not index.isdigit() or int(index) >= torch.cuda.device_count()):
        raise ValueError(f"device: {device!r} names no GPU here; this machine has "
                         f"{torch.cuda.device_count()} (cuda:0 ... cuda:N-1)")
    return device


def make_deterministic(seed: int = 0) -> None:
    """Seed torch and ask it for deterministic kernels (slower on GPU, identical reruns).

    Same device + same seed + deterministic kernels = bit-identical results. Across
    devices (CPU vs GPU, two GPU models) the order of floating-point additions differs,
    so results agree only up to a tolerance.
    """
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
