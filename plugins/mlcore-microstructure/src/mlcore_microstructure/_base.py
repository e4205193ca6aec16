"""What every microstructure feature shares: input columns, rolling windows, streaming.

Each feature is a frozen attrs class whose ``_kernel`` maps float64 input arrays to an
``(n, len(outputs))`` array. ``compute`` runs the kernel on the whole frame; the streaming
form (:class:`BufferedStreamingIndicator`) keeps the last ``warmup + 1`` bars, which is
everything a value depends on, and runs the same kernel on them. Streaming therefore
agrees with ``compute`` by construction: the kernel has no look-ahead, so its value for
the newest of those bars is the value ``compute`` gives for that row.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd
from mlcore.errors import DataValidationError
from mlcore.protocols import IndicatorBase, NanPolicy

__all__ = [
    "FAMILY",
    "BufferedStreamingIndicator",
    "FloatArray",
    "MicrostructureIndicator",
    "bar_values",
    "input_arrays",
    "lagged",
    "last_row",
    "log_returns",
    "positive_int",
    "rolling",
    "simple_returns",
    "to_frame",
    "window_mean",
]

FloatArray = npt.NDArray[np.float64]

#: The ``family`` of every component of this plugin.
FAMILY = "microstructure"

#: Window values processed per block in :func:`rolling`: bounds memory at about 8 MiB.
_BLOCK_VALUES = 1 << 20


def positive_int(minimum: int) -> list[Callable[[Any, attrs.Attribute[Any], Any], None]]:
    """attrs validators: an ``int`` (not a ``bool``) of at least ``minimum``."""

    def not_bool(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool):
            raise TypeError(f"'{attribute.name}' must be an int, got {value!r}")

    return [not_bool, attrs.validators.instance_of(int), attrs.validators.ge(minimum)]


@attrs.frozen
class MicrostructureIndicator(IndicatorBase):
    """Base of this plugin's indicators: ``compute`` runs ``_kernel`` on the input arrays."""

    family: ClassVar[str] = FAMILY
    nan_policy: ClassVar[NanPolicy] = "propagate"

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        """The feature columns (``outputs``) on ``ohlcv``'s index, as float64."""
        values = self._kernel(input_arrays(self, ohlcv))
        return to_frame(ohlcv.index, self.outputs, values)

    def _kernel(self, inputs: Mapping[str, FloatArray]) -> FloatArray:
        """``(n, len(outputs))`` values from the ``inputs`` columns (each of length n)."""
        raise NotImplementedError


@attrs.frozen
class BufferedStreamingIndicator(MicrostructureIndicator):
    """A feature whose row ``t`` depends on rows ``t - warmup .. t`` only, streamed.

    ``update(bar)`` keeps the last ``warmup + 1`` bars (O(window) state) and runs the batch
    kernel on them; ``reset()`` forgets them. The buffer is not a parameter: ``clone()``
    starts empty and equality ignores it.
    """

    _bars: deque[tuple[float, ...]] = attrs.field(init=False, factory=deque, eq=False, repr=False)

    def reset(self) -> None:
        """Forget every bar seen by :meth:`update`."""
        self._bars.clear()

    def update(self, bar: Mapping[str, float]) -> tuple[float, ...]:
        """Add one bar (a mapping holding the ``inputs``) and return its output values."""
        self._bars.append(bar_values(self, bar))
        while len(self._bars) > self.warmup + 1:
            self._bars.popleft()
        return self._last_row()

    def _last_row(self) -> tuple[float, ...]:
        block = np.array(self._bars, dtype=np.float64).reshape(len(self._bars), -1)
        arrays = {c: np.ascontiguousarray(block[:, i]) for i, c in enumerate(self.inputs)}
        return last_row(self._kernel(arrays))


def last_row(values: FloatArray) -> tuple[float, ...]:
    """The last row of a kernel's result (``(n,)`` or ``(n, k)``) as a tuple of floats."""
    return tuple(float(v) for v in np.atleast_1d(values[-1]))


def input_arrays(indicator: IndicatorBase, ohlcv: pd.DataFrame) -> dict[str, FloatArray]:
    """The indicator's input columns as contiguous float64 arrays (a clear error if absent)."""
    missing = [c for c in indicator.inputs if c not in ohlcv.columns]
    if missing:
        raise DataValidationError(
            f"{type(indicator).__name__} ({indicator.name}) needs the column(s) "
            f"{', '.join(map(repr, missing))}; the frame has "
            f"{', '.join(map(repr, map(str, ohlcv.columns)))}",
            rule="missing_column",
            column=missing[0],
        )
    return {c: np.ascontiguousarray(ohlcv[c].to_numpy(dtype=np.float64)) for c in indicator.inputs}


def bar_values(indicator: IndicatorBase, bar: Mapping[str, float]) -> tuple[float, ...]:
    """The indicator's inputs from one streaming bar, as floats."""
    try:
        return tuple(float(bar[c]) for c in indicator.inputs)
    except KeyError as error:
        raise DataValidationError(
            f"{type(indicator).__name__}.update needs {', '.join(map(repr, indicator.inputs))}; "
            f"the bar has {', '.join(map(repr, map(str, bar)))}",
            rule="missing_column",
            column=str(error.args[0]),
        ) from None


def to_frame(index: pd.Index, names: tuple[str, ...], values: FloatArray) -> pd.DataFrame:
    """A float64 frame with one column per output name."""
    matrix = np.asarray(values, dtype=np.float64).reshape(len(index), len(names))
    return pd.DataFrame(matrix, index=index, columns=list(names), dtype=np.float64)


def lagged(values: FloatArray, lag: int = 1) -> FloatArray:
    """``values`` shifted ``lag`` rows later (the first ``lag`` rows NaN): row t holds t-lag."""
    out = np.full(values.shape, np.nan)
    if lag < values.shape[0]:
        out[lag:] = values[: values.shape[0] - lag]
    return out


def log_returns(close: FloatArray) -> FloatArray:
    """``log(close_t / close_{t-1})`` on row t; row 0 is NaN (it has no previous close)."""
    out = np.full(close.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        out[1:] = np.log(close[1:] / close[:-1])
    return out


def simple_returns(close: FloatArray) -> FloatArray:
    """``close_t / close_{t-1} - 1`` on row t; row 0 is NaN."""
    out = np.full(close.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        out[1:] = close[1:] / close[:-1] - 1.0
    return out


def rolling(
    window: int,
    reducer: Callable[..., FloatArray],
    *columns: FloatArray,
    outputs: int = 1,
) -> FloatArray:
    """``reducer`` over trailing windows: row t gets the window of rows ``t-window+1 .. t``.

    ``reducer`` receives one ``(m, window)`` array per column (m windows, oldest value
    first) and returns ``(m,)`` values, or ``(m, outputs)``. Rows before ``window - 1``
    are NaN. Windows are processed in blocks so memory stays bounded for long series;
    every window is reduced on its own, so a value never depends on the block it fell in.
    """
    n = columns[0].shape[0]
    shape = (n,) if outputs == 1 else (n, outputs)
    out = np.full(shape, np.nan)
    if n < window:
        return out
    views = [np.lib.stride_tricks.sliding_window_view(c, window) for c in columns]
    step = max(1, _BLOCK_VALUES // (window * len(columns)))
    for start in range(0, n - window + 1, step):
        block = [v[start : start + step] for v in views]
        first = start + window - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            out[first : first + block[0].shape[0]] = reducer(*block)
    return out


def window_mean(values: FloatArray) -> FloatArray:
    """Mean of each window (NaN when a window holds a NaN)."""
    return np.asarray(values.mean(axis=1), dtype=np.float64)
