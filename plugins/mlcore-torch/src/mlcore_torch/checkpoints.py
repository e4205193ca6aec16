"""Training checkpoints: one file per fit folder, rewritten atomically after every epoch.

A checkpoint holds the network's and the optimizer's state, the random number generators'
states (CPU, CUDA, and the shuffling generator), the epoch, the best weights so far with
their validation loss, the early-stopping counter and the history, plus a fingerprint of
the data and parameters, so that a fit never resumes from another fit's checkpoint.

Files are written with ``torch.save`` and read with ``torch.load(weights_only=True)``:
tensors, numbers, strings, lists and dicts only, never arbitrary pickled objects.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import torch

__all__ = ["CHECKPOINT_FILE", "CHECKPOINT_FORMAT", "read_checkpoint", "write_checkpoint"]

CHECKPOINT_FILE = "checkpoint.pt"
CHECKPOINT_FORMAT = "mlcore-torch-checkpoint/1"


def write_checkpoint(folder: str | os.PathLike[str], state: dict[str, Any]) -> Path:
    """Write ``state`` to ``<folder>/checkpoint.pt`` through a temporary file and a rename:
    a crash while writing leaves the previous checkpoint intact."""
    directory = Path(folder)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / CHECKPOINT_FILE
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{CHECKPOINT_FILE}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            torch.save({"format": CHECKPOINT_FORMAT, **state}, handle)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return path


def read_checkpoint(folder: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The checkpoint in ``folder`` (tensors on the CPU), or None when there is none."""
    path = Path(folder) / CHECKPOINT_FILE
    if not path.is_file():
        return None
    state: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=True)
    if state.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(
            f"{path} is not an mlcore-torch checkpoint of format {CHECKPOINT_FORMAT!r} "
            f"(it says {state.get('format')!r}): delete it or fit with resume=False"
        )
    return state
