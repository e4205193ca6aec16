"""What the scorers share about running torch models: the device and the batches."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["batches", "mean_pooled", "resolve_device"]


def resolve_device(device: str) -> str:
    """``auto`` is CUDA when available, then Apple's MPS, else the CPU; others pass."""
    if device != "auto":
        return device
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def batches(positions: Sequence[int], size: int) -> Iterator[list[int]]:
    """Consecutive chunks of ``positions`` of at most ``size``."""
    for start in range(0, len(positions), size):
        yield list(positions[start : start + size])


def by_length(texts: Sequence[str], positions: Sequence[int]) -> list[int]:
    """``positions`` ordered by text length, so that a batch pads little."""
    return sorted(positions, key=lambda position: len(texts[position]))


def mean_pooled(hidden: Any, mask: Any) -> Any:
    """The mean of the token vectors a mask keeps (sentence-transformers' mean pooling)."""
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
