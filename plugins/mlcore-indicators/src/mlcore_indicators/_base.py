"""What every native indicator shares: inputs in, outputs framed, streaming state, parameters.

:class:`NativeIndicator` computes on numpy arrays: subclasses implement ``_compute``, and
both ``compute`` (a DataFrame) and ``compute_arrays`` (the pipeline's fast path) are built
on it, so the two agree bit for bit. :class:`StreamingNativeIndicator` adds ``update`` /
``reset`` around a state object from ``_new_stream``. Bar-by-bar accumulators live in
``_streaming``, array kernels in ``_kernels``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
import pandas as pd

from mlcore.errors import DataValidationError
from mlcore.protocols import IndicatorBase

__all__ = [
    "FloatArray",
    "NativeIndicator",
    "StreamingNativeIndicator",
    "bar_close",
    "bar_close_volume",
    "bar_high_low",
    "bar_high_low_close",
    "bar_high_low_close_volume",
    "column_index",
    "frame",
    "input_arrays",
    "is_int",
    "missing_input",
    "period_field",
]

FloatArray = np.ndarray


@attrs.frozen
class NativeIndicator(IndicatorBase):
    """An indicator computed on numpy arrays.

    Subclasses implement ``_compute(**inputs) -> tuple[array, ...]`` (one float64 array per
    output, in ``outputs`` order) over the arrays of ``input_columns``, which may be
    read-only and must not be written to.
    """

    input_columns: ClassVar[tuple[str, ...]] = ("close",)

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        """One float64 column per name in ``outputs``, on ``ohlcv``'s index."""
        return frame(ohlcv.index, self.outputs, self._compute(**input_arrays(self, ohlcv)))

    def compute_arrays(self, inputs: Mapping[str, FloatArray]) -> tuple[FloatArray, ...]:
        """The outputs straight from column arrays (the pipeline's fast path)."""
        return self._compute(**{c: inputs[c] for c in self.inputs})

    def _compute(self, **inputs: FloatArray) -> tuple[FloatArray, ...]:
        raise NotImplementedError


@attrs.frozen
class StreamingNativeIndicator(NativeIndicator):
    """A native indicator that also updates bar by bar.

    Subclasses give ``_new_stream()`` (a fresh state object) and ``update(bar)``, which
    reads and advances ``self._stream``. The state lives in a private field outside the
    parameters (``init=False, eq=False``), so clones and pickles stay independent streams.
    """

    _stream: Any = attrs.field(init=False, default=None, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_stream", self._new_stream())

    def _new_stream(self) -> Any:
        raise NotImplementedError

    def reset(self) -> None:
        """Forget every bar seen by ``update``."""
        object.__setattr__(self, "_stream", self._new_stream())


# ---------------------------------------------------------------------------
# Frame in, frame out
# ---------------------------------------------------------------------------

#: Frames with at most this many columns (OHLCV and a few extras) are converted whole.
_WHOLE_FRAME_COLUMNS = 8


def input_arrays(indicator: IndicatorBase, ohlcv: pd.DataFrame) -> dict[str, FloatArray]:
    """The indicator's input columns as contiguous float64 arrays.

    An all-float frame of a few columns (the OHLCV contract) is one numpy block whose
    columns come out as contiguous copies: far cheaper than building a Series per column,
    which costs more than the arithmetic of many indicators. Anything else (missing,
    duplicate or non-numeric columns, wide frames) goes column by column.
    """
    columns = ohlcv.columns
    if len(columns) <= _WHOLE_FRAME_COLUMNS:
        try:
            positions = [columns.get_loc(c) for c in indicator.inputs]
            if all(isinstance(p, int) for p in positions):
                values = ohlcv.to_numpy(dtype=np.float64, copy=False)
                return {
                    c: np.ascontiguousarray(values[:, p])
                    for c, p in zip(indicator.inputs, positions, strict=True)
                }
        except (KeyError, TypeError, ValueError):
            pass  # the column-by-column path below names what is wrong
    missing = [c for c in indicator.inputs if c not in ohlcv.columns]
    if missing:
        raise DataValidationError(
            f"{type(indicator).__name__} needs column(s) {', '.join(missing)}; the frame has "
            f"{', '.join(map(str, ohlcv.columns))}",
            rule="missing_column",
            column=missing[0],
        )
    return {c: np.ascontiguousarray(ohlcv[c].to_numpy(dtype=np.float64)) for c in indicator.inputs}


@functools.lru_cache(maxsize=4096)
def column_index(names: tuple[str, ...]) -> pd.Index:
    """The column Index for ``names``, built once (an Index of str costs tens of microseconds)."""
    return pd.Index(names)


def frame(index: pd.Index, names: tuple[str, ...], arrays: tuple[FloatArray, ...]) -> pd.DataFrame:
    """A float64 frame from one array per output name (one block, no per-column work)."""
    if len(arrays) != len(names):
        raise ValueError(f"{len(arrays)} arrays for {len(names)} names ({', '.join(names)})")
    if len(arrays) == 1:
        only = np.asarray(arrays[0])
        # A fresh, writable float64 result is used as is; anything else is copied.
        if not (only.dtype == np.float64 and only.flags.owndata and only.flags.writeable):
            only = np.array(only, dtype=np.float64)
        values = only[None, :]
    else:
        values = np.vstack(arrays).astype(np.float64, copy=False)
    return pd.DataFrame(values.T, index=index, columns=column_index(tuple(names)), copy=False)


# ---------------------------------------------------------------------------
# Reading one streaming bar
# ---------------------------------------------------------------------------


def missing_input(indicator: IndicatorBase, bar: Mapping[str, float]) -> DataValidationError:
    """The error for a bar that lacks one of the indicator's input columns."""
    missing = [c for c in indicator.inputs if c not in bar]
    return DataValidationError(
        f"{type(indicator).__name__}.update needs {', '.join(indicator.inputs)}; the bar has "
        f"{', '.join(map(str, bar)) or 'no values'}",
        rule="missing_column",
        column=missing[0] if missing else None,
    )


def bar_close(indicator: IndicatorBase, bar: Mapping[str, float]) -> float:
    try:
        return float(bar["close"])
    except KeyError:
        raise missing_input(indicator, bar) from None


def bar_high_low(indicator: IndicatorBase, bar: Mapping[str, float]) -> tuple[float, float]:
    try:
        return float(bar["high"]), float(bar["low"])
    except KeyError:
        raise missing_input(indicator, bar) from None


def bar_high_low_close(
    indicator: IndicatorBase, bar: Mapping[str, float]
) -> tuple[float, float, float]:
    try:
        return float(bar["high"]), float(bar["low"]), float(bar["close"])
    except KeyError:
        raise missing_input(indicator, bar) from None


def bar_high_low_close_volume(
    indicator: IndicatorBase, bar: Mapping[str, float]
) -> tuple[float, float, float, float]:
    try:
        return float(bar["high"]), float(bar["low"]), float(bar["close"]), float(bar["volume"])
    except KeyError:
        raise missing_input(indicator, bar) from None


def bar_close_volume(indicator: IndicatorBase, bar: Mapping[str, float]) -> tuple[float, float]:
    try:
        return float(bar["close"]), float(bar["volume"])
    except KeyError:
        raise missing_input(indicator, bar) from None


# ---------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------


def is_int(instance: Any, attribute: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{type(instance).__name__}.{attribute.name} must be an int, got {value!r}")


def period_field(default: int, minimum: int = 2, *, above: str | None = None) -> Any:
    """An int parameter of at least ``minimum`` (TA-Lib's lower bound for that parameter);
    ``above`` names a parameter it must exceed (``slow`` above ``fast``)."""
    validators: list[Any] = [is_int, attrs.validators.ge(minimum)]
    if above is not None:
        validators.append(_greater_than(above))
    return attrs.field(default=default, validator=validators)


def _greater_than(other: str) -> Any:
    def check(instance: Any, attribute: Any, value: int) -> None:
        bound = getattr(instance, other)
        if value <= bound:
            raise ValueError(
                f"{type(instance).__name__}.{attribute.name} ({value}) must be greater than "
                f"{other} ({bound})"
            )

    return check
