"""Causal windows over time-ordered rows, their standardisation and the time-ordered split.

The window of row ``t`` holds rows ``t - L + 1 .. t`` (``L`` = ``sequence_length``) and
predicts row ``t``; it never holds a later row. Rows with fewer than ``L - 1`` rows before
them get a shorter window, left-padded to length ``L`` with zeros (the training mean once
standardised). Every window carries one extra input channel that is 1 on real rows and 0
on padding, so the network knows how much history it has. Appending rows never changes an
earlier row's window.

All windows are views into one padded matrix of ``L - 1 + n`` rows: row ``t``'s window is
its rows ``t .. t + L - 1``. Nothing is copied per window.
"""

from __future__ import annotations

import math

import attrs
import numpy as np
import torch
from mlcore.errors import DataValidationError

__all__ = ["Standardiser", "padded_rows", "time_split", "window_batch", "windows_view"]


@attrs.frozen(eq=False)
class Standardiser:
    """Per-column centre and scale: ``(x - center) / scale``; constant columns keep scale 1."""

    center: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, matrix: np.ndarray) -> Standardiser:
        """Statistics of ``matrix``'s rows: pass the training rows only."""
        center = matrix.mean(axis=0)
        scale = matrix.std(axis=0)
        return cls(center=center, scale=np.where(scale > 0, scale, 1.0))

    def transform(self, matrix: np.ndarray) -> np.ndarray:
        result: np.ndarray = (matrix - self.center) / self.scale
        return result


def padded_rows(standardised: np.ndarray, sequence_length: int) -> np.ndarray:
    """``L - 1`` rows of zeros, then the rows; one more column: 1 on real rows, 0 on padding."""
    rows, features = standardised.shape
    padded = np.zeros((sequence_length - 1 + rows, features + 1), dtype=np.float64)
    padded[sequence_length - 1 :, :features] = standardised
    padded[sequence_length - 1 :, features] = 1.0
    return padded


def window_batch(padded: torch.Tensor, rows: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """The windows of ``rows`` (positions in the unpadded rows): (batch, L, features + 1).

    ``offsets`` is ``torch.arange(L)`` on the device of ``padded``.
    """
    return padded[rows[:, None] + offsets]


def windows_view(padded: torch.Tensor, sequence_length: int) -> torch.Tensor:
    """Every row's window as one strided view: (rows, L, features + 1), no copy."""
    return padded.unfold(0, sequence_length, 1).transpose(1, 2)


def time_split(rows: int, validation_fraction: float, gap: int) -> tuple[np.ndarray, np.ndarray]:
    """Training and validation rows: the last ``ceil(rows * validation_fraction)`` rows
    validate; the ``gap`` rows before them are used by neither, so that no validation window
    overlaps a training window (``gap = L - 1``). ``validation_fraction = 0``: all train.
    """
    if validation_fraction == 0:
        return np.arange(rows), np.arange(0)
    # round() first: 0.7 * 10 is 7.000000000000001 in binary floating point.
    validation = math.ceil(round(rows * validation_fraction, 9))
    train = rows - validation - gap
    if train < 1:
        raise DataValidationError(
            f"{rows} rows leave {max(train, 0)} to train on: validation_fraction="
            f"{validation_fraction} takes the last {validation} rows and a gap of {gap} rows "
            "(sequence_length - 1) separates them from the training rows; pass more rows, a "
            "smaller validation_fraction or sequence_length, or validation_fraction=0",
            rule="shape",
        )
    return np.arange(train), np.arange(rows - validation, rows)
