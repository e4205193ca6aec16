"""Where the networks run: ``"auto"`` picks CUDA, then Apple's MPS, then the CPU.

Results are made reproducible with :func:`deterministic`, which switches PyTorch to its
deterministic kernels for the duration of a fit or a prediction and restores the previous
settings afterwards, so the rest of the process is not affected.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import torch

__all__ = ["DEVICE_PATTERN", "deterministic", "inference_device", "resolve_device"]

#: Device names a component accepts: ``auto``, ``cpu``, ``mps``, ``cuda`` or ``cuda:<index>``.
DEVICE_PATTERN = re.compile(r"auto|cpu|mps|cuda(:\d+)?")


def resolve_device(device: str) -> torch.device:
    """The torch device ``device`` names; ``"auto"`` is CUDA when available, else MPS, else CPU.

    Raises ``ValueError`` naming the fix when the device is named but absent here.
    """
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    resolved = torch.device(device)
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} but CUDA is not available on this machine: use device='auto' "
            "(or 'cpu'), for example Model.load(path, device='auto')"
        )
    if resolved.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(
            f"device={device!r} but MPS is not available on this machine: use device='auto' "
            "(or 'cpu')"
        )
    return resolved


def inference_device(device: torch.device) -> torch.device:
    """Where float64 inference runs: ``device``, except MPS (which has no float64): the CPU."""
    return torch.device("cpu") if device.type == "mps" else device


@contextlib.contextmanager
def deterministic() -> Iterator[None]:
    """Deterministic kernels inside the block (cuDNN included); the settings are restored.

    On CUDA, bit-identical results also need ``CUBLAS_WORKSPACE_CONFIG=:4096:8`` in the
    environment before the process starts; without it PyTorch warns.
    """
    previous = (
        torch.are_deterministic_algorithms_enabled(),
        torch.is_deterministic_algorithms_warn_only_enabled(),
        torch.backends.cudnn.deterministic,
        torch.backends.cudnn.benchmark,
        torch.utils.deterministic.fill_uninitialized_memory,  # type: ignore[attr-defined]
    )
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    # A debugging aid that NaN-fills every new buffer: 7-18% of an LSTM step on the CPU.
    torch.utils.deterministic.fill_uninitialized_memory = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(previous[0], warn_only=previous[1])
        torch.backends.cudnn.deterministic = previous[2]
        torch.backends.cudnn.benchmark = previous[3]
        torch.utils.deterministic.fill_uninitialized_memory = previous[4]  # type: ignore[attr-defined]
