"""The ``zscore`` indicator: how far the close is from its rolling mean, in rolling stds.

Built on :class:`mlcore.IndicatorBase`: a frozen attrs class whose fields are the
parameters, with a vectorized ``compute`` and a streaming ``update``/``reset`` that agree
to 1e-9.

Both paths compute each window in two passes on prices measured from the window's last
close. pandas' ``rolling().std()`` is not used: its add/remove updates carry rounding
from earlier, larger prices forward, and after a long series it can differ from the exact
value by more than 1e-9.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from typing import ClassVar

import attrs
import numpy as np
import pandas as pd
from mlcore import DataValidationError, IndicatorBase
from mlcore.protocols import NanPolicy

__all__ = ["FLAT_TOLERANCE", "ZScore"]

#: A window whose std is at most this fraction of its mean's magnitude is flat: its
#: z-score is undefined (NaN) rather than the ratio of two rounding errors.
FLAT_TOLERANCE = 1e-9

#: Values per block in ``compute``: bounds memory at about 8 MiB whatever the period.
_BLOCK_VALUES = 1 << 20


@attrs.frozen
class ZScore(IndicatorBase):
    """Rolling z-score of the close: ``(close - mean) / std`` over the last ``period`` bars.

    The mean and the population standard deviation (``ddof=0``) cover the current bar
    and the ``period - 1`` before it, so the value at ``t`` uses no bar after ``t``. The
    first ``period - 1`` rows are NaN (``warmup``), as is every row whose window holds a
    NaN close (``nan_policy = "propagate"``) or is flat (see :data:`FLAT_TOLERANCE`).

    Output column: ``zscore_<period>`` (``zscore_20``).
    """

    name: ClassVar[str] = "zscore"
    family: ClassVar[str] = "statistics"
    nan_policy: ClassVar[NanPolicy] = "propagate"
    input_columns: ClassVar[tuple[str, ...]] = ("close",)

    period: int = attrs.field(
        default=20, validator=[attrs.validators.instance_of(int), attrs.validators.ge(2)]
    )
    # Streaming state: not a parameter (init=False), not compared, fresh in every clone.
    _window: deque[float] = attrs.field(init=False, factory=deque, eq=False, repr=False)

    @property
    def warmup(self) -> int:
        return self.period - 1

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        """The z-score of every bar, as one column on ``ohlcv``'s index."""
        close = _close_column(ohlcv)
        zscore = np.full(close.shape, np.nan)
        if close.size < self.period:
            return pd.DataFrame({self.outputs[0]: zscore}, index=ohlcv.index)
        windows = np.lib.stride_tricks.sliding_window_view(close, self.period)
        rows = max(1, _BLOCK_VALUES // self.period)
        for start in range(0, len(windows), rows):
            block = windows[start : start + rows]
            last = block[:, -1]
            offsets = block - last[:, None]  # exact for nearby prices (Sterbenz)
            mean_offset = offsets.mean(axis=1)
            std = np.sqrt(((offsets - mean_offset[:, None]) ** 2).mean(axis=1))
            flat = ~(std > FLAT_TOLERANCE * np.abs(last + mean_offset))
            with np.errstate(divide="ignore", invalid="ignore"):
                values = -mean_offset / std
            values[flat] = np.nan
            first = start + self.period - 1
            zscore[first : first + len(block)] = values
        return pd.DataFrame({self.outputs[0]: zscore}, index=ohlcv.index)

    def reset(self) -> None:
        """Forget the bars seen by :meth:`update`."""
        self._window.clear()

    def update(self, bar: Mapping[str, float]) -> tuple[float]:
        """Add one bar and return its z-score (NaN during the warmup), in O(period)."""
        try:
            close = float(bar["close"])
        except KeyError:
            raise DataValidationError(
                f"{type(self).__name__}.update needs a 'close' value, got keys {sorted(bar)}",
                rule="missing_column",
                column="close",
            ) from None
        window = self._window
        window.append(close)
        if len(window) > self.period:
            window.popleft()
        if len(window) < self.period or any(math.isnan(value) for value in window):
            return (math.nan,)
        # As in compute: two passes over prices measured from the current close.
        offsets = [value - close for value in window]
        mean_offset = math.fsum(offsets) / self.period
        variance = math.fsum((x - mean_offset) ** 2 for x in offsets) / self.period
        std = math.sqrt(variance)
        if not std > FLAT_TOLERANCE * abs(close + mean_offset):
            return (math.nan,)
        return (-mean_offset / std,)


def _close_column(ohlcv: pd.DataFrame) -> np.ndarray:
    if "close" not in ohlcv.columns:
        raise DataValidationError(
            f"ZScore needs a 'close' column; the frame has {list(ohlcv.columns)}",
            rule="missing_column",
            column="close",
        )
    return np.asarray(ohlcv["close"], dtype=float)
