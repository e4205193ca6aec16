"""Comparing outputs and parameters cell by cell."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from mlcore.testing.checks._defaults import ATOL, RTOL


def _first_mismatch(
    expected: np.ndarray, actual: np.ndarray, rtol: float = RTOL, atol: float = ATOL
) -> tuple[int, int] | None:
    """(row, column) of the first cell that differs; NaN equals NaN; 0 tolerance is exact."""
    if expected.size == 0 and actual.size == 0:
        return None
    expected2 = expected.reshape(len(expected), -1)
    actual2 = actual.reshape(len(actual), -1)
    same = np.isclose(actual2, expected2, rtol=rtol, atol=atol, equal_nan=True)
    if same.all():
        return None
    row, column = np.argwhere(~same)[0]
    return int(row), int(column)


def _cell(values: np.ndarray, position: tuple[int, int]) -> Any:
    """The value at a (row, column) of :func:`_first_mismatch`, for 1-D arrays too."""
    return values.reshape(len(values), -1)[position]


def _same_value(left: Any, right: Any) -> bool:
    if left is right:
        return True
    try:
        result = left == right
        if isinstance(result, bool | np.bool_):
            if bool(result):
                return True
            return bool(
                isinstance(left, float)
                and isinstance(right, float)
                and left != left
                and right != right
            )
        return bool(np.all(result)) and np.shape(left) == np.shape(right)
    except Exception:
        return repr(left) == repr(right)


def _params_difference(left: Mapping[str, Any], right: Mapping[str, Any]) -> str | None:
    if set(left) != set(right):
        return f"parameters {sorted(left)} != {sorted(right)}"
    for name in left:
        if not _same_value(left[name], right[name]):
            return f"parameter {name!r} is {right[name]!r}, expected {left[name]!r}"
    return None
