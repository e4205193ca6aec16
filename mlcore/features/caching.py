"""Computing one indicator, checking what it returns, and caching it with joblib.Memory.

A cached result is keyed by:

- the data: :func:`mlcore.data.data_fingerprint` of the indicator's input columns (index,
  names and values), so other columns of the frame do not matter;
- the indicator: its class's qualified name, its parameters (``get_params()``), its
  outputs and a digest of its class's source code;
- its plugin: the registering distribution's name and version.

Changing any of them computes afresh. An indicator without ``get_params`` (a plain
protocol implementation) is never cached: nothing reliable identifies its parameters.
Failures are not cached. Delete the cache directory to drop everything.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Hashable
from typing import Any

import attrs
import joblib
import numpy as np
import pandas as pd

from mlcore.data import data_fingerprint

__all__ = ["IndicatorRunner", "run_indicator", "run_indicator_arrays"]

#: Bump when the cached value's meaning changes.
CACHE_FORMAT = 1


def run_indicator(indicator: Any, frame: pd.DataFrame) -> np.ndarray:
    """``indicator.compute(frame)`` as a float64 matrix with one column per output.

    Raises ValueError or TypeError naming what is wrong when the result is not a frame on
    ``frame``'s index whose columns are the indicator's ``outputs``.
    """
    outputs = [str(c) for c in indicator.outputs]
    missing = [c for c in indicator.inputs if c not in frame.columns]
    if missing:
        raise ValueError(
            f"needs the input column(s) {missing}, which the data lacks "
            f"(it has {[str(c) for c in frame.columns]})"
        )
    result = indicator.compute(frame)
    if not isinstance(result, pd.DataFrame):
        raise TypeError(f"compute() returned a {type(result).__name__}, not a DataFrame")
    columns = [str(c) for c in result.columns]
    if columns != outputs:
        if sorted(columns) != sorted(outputs):
            raise ValueError(f"compute() returned the columns {columns}, its outputs are {outputs}")
        result = result[outputs]
    if not result.index.equals(frame.index):
        raise ValueError(
            f"compute() returned {len(result)} rows on another index; it must return one row "
            f"per input row ({len(frame)}) on the same index"
        )
    return result.to_numpy(dtype=np.float64)


def run_indicator_arrays(
    indicator: Any, arrays: dict[str, np.ndarray], rows: int
) -> list[np.ndarray]:
    """``indicator.compute_arrays(arrays)`` checked: one float64 array of ``rows`` per output."""
    missing = [c for c in indicator.inputs if c not in arrays]
    if missing:
        raise ValueError(
            f"needs the input column(s) {missing}, which the data lacks (it has {list(arrays)})"
        )
    result = [np.asarray(a, dtype=np.float64) for a in indicator.compute_arrays(arrays)]
    outputs = indicator.outputs
    if len(result) != len(outputs) or any(a.shape != (rows,) for a in result):
        raise ValueError(
            f"compute_arrays() returned {len(result)} array(s) of shapes "
            f"{[a.shape for a in result]}; its outputs are {list(outputs)}, each of {rows} rows"
        )
    return result


def _cached_run(key: dict[str, Any], indicator: Any, frame: pd.DataFrame) -> np.ndarray:
    """What joblib caches: ``key`` is hashed, the indicator and frame are not."""
    return run_indicator(indicator, frame)


_SOURCE_DIGESTS: dict[type, str] = {}


def _source_digest(cls: type) -> str:
    """A digest of the class's source, so that editing an unreleased indicator invalidates."""
    if cls not in _SOURCE_DIGESTS:
        try:
            source = inspect.getsource(cls)
        except (OSError, TypeError):
            source = ""
        _SOURCE_DIGESTS[cls] = hashlib.sha256(source.encode()).hexdigest()[:16] if source else ""
    return _SOURCE_DIGESTS[cls]


def _parameters(indicator: Any) -> dict[str, Any] | None:
    get_params = getattr(indicator, "get_params", None)
    if callable(get_params):
        return dict(get_params())
    if attrs.has(type(indicator)):
        return {f.name: getattr(indicator, f.name) for f in attrs.fields(type(indicator)) if f.init}
    return None


class IndicatorRunner:
    """Runs indicators on one frame at a time, through ``memory`` when one is given."""

    def __init__(self, memory: joblib.Memory | None) -> None:
        self.memory = memory
        self._cached = (
            memory.cache(_cached_run, ignore=["indicator", "frame"]) if memory is not None else None
        )
        self._fingerprints: dict[Hashable, str] = {}
        self._arrays: dict[int, dict[str, np.ndarray]] = {}

    def new_frame(self) -> None:
        """Forget the fingerprints and arrays of the previous frame."""
        self._fingerprints.clear()
        self._arrays.clear()

    def run(
        self, indicator: Any, frame: pd.DataFrame, *, distribution: str, version: str
    ) -> np.ndarray | list[np.ndarray]:
        """The indicator's values: a matrix, or one array per output from the array fast path."""
        if self._cached is None:
            if callable(getattr(indicator, "compute_arrays", None)):
                return run_indicator_arrays(indicator, self._frame_arrays(frame), len(frame))
            return run_indicator(indicator, frame)
        parameters = _parameters(indicator)
        inputs = tuple(str(c) for c in indicator.inputs)
        if parameters is None or any(c not in frame.columns for c in inputs):
            return run_indicator(indicator, frame)
        key = {
            "format": CACHE_FORMAT,
            "indicator": f"{type(indicator).__module__}.{type(indicator).__qualname__}",
            "source": _source_digest(type(indicator)),
            "parameters": parameters,
            "outputs": [str(c) for c in indicator.outputs],
            "distribution": distribution,
            "version": version,
            "data": self._fingerprint(frame, inputs),
        }
        result: np.ndarray = self._cached(key, indicator, frame)
        return result

    def _frame_arrays(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        """The frame's numeric columns as read-only float64 arrays, built once per frame."""
        arrays = self._arrays.get(id(frame))
        if arrays is None:
            arrays = {}
            for name in frame.columns:
                if pd.api.types.is_numeric_dtype(frame[name].dtype):
                    array = np.ascontiguousarray(frame[name].to_numpy(dtype=np.float64))
                    array.flags.writeable = False  # shared by every indicator
                    arrays[str(name)] = array
            self._arrays[id(frame)] = arrays
        return arrays

    def _fingerprint(self, frame: pd.DataFrame, inputs: tuple[str, ...]) -> str:
        slot = (id(frame), inputs)
        if slot not in self._fingerprints:
            self._fingerprints[slot] = data_fingerprint(frame[list(inputs)])
        return self._fingerprints[slot]
