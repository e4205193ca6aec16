"""Multi-timeframe features: indicators on completed higher-timeframe bars, aligned back.

The higher bars are pandas' ``ohlcv.resample(timeframe)`` bins (open first, high max, low
min, close last, volume sum, any extra column last; empty bins dropped; intraday bins start
at the Unix epoch, so they do not depend on where the data starts). Each higher bar is
stamped at the time it completes, the right edge ``b`` of its bin:

- a bin ``(a, b]`` (pandas' weeks ``W``, months ``ME``, quarters ``QE``, years ``YE``)
  holds the bars stamped after ``a`` up to and including ``b``;
- a bin ``[a, b)`` (every other frequency: ``1h``, ``4h``, ``1D``, ``MS``...) holds the bars
  stamped from ``a`` up to but excluding ``b``.

A base row at time ``t`` sees the latest higher bar with ``b <= t`` (a backward as-of
join). Every base bar inside that higher bar is stamped at or before ``t``, and no later
bar can join it, so the value never changes when later bars arrive: no look-ahead. The
higher bar still in progress at ``t`` is never used; the last, incomplete bin of the data
is dropped before any indicator sees it.

With daily bars and ``1W`` (weeks ending Sunday) the week Mon-Sun is seen from Sunday's
row on, since Sunday's bar is stamped at the bin's edge; with weekday-only bars it is seen
from the next Monday. With hourly bars and ``4h`` the bin 00:00-03:00 is seen from the
04:00 row: one base bar later than a feed that knows its bars close on the hour could use
it, the price of not assuming how long a base bar lasts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset
from pandas.tseries.offsets import BaseOffset, Tick

from mlcore.data import REQUIRED_COLUMNS
from mlcore.errors import FeatureError

__all__ = [
    "align_asof",
    "asof_positions",
    "completed_bars",
    "higher_timeframe_features",
    "timeframe_offset",
]

_AGGREGATION = {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"}


def timeframe_offset(timeframe: str) -> BaseOffset:
    """The pandas offset of ``timeframe`` (``"1W"``, ``"4h"``), or a ValueError saying why."""
    try:
        return to_offset(timeframe)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"{timeframe!r} is not a pandas frequency: {error}; write one such as "
            "'1h', '4h', '1D', '1W' or 'ME'"
        ) from None


def _resample_options(timeframe: str) -> dict[str, Any]:
    """pandas' own bins; intraday ones anchored at the epoch rather than the first day."""
    return {"origin": "epoch"} if isinstance(timeframe_offset(timeframe), Tick) else {}


def _labels_right(timeframe: str) -> bool:
    """Whether pandas labels (and closes) ``timeframe``'s bins on the right (W, ME, QE, YE)."""
    return bool(pd.Grouper(freq=timeframe).label == "right")


def completed_bars(ohlcv: pd.DataFrame, timeframe: str) -> pd.DataFrame:
    """The higher-timeframe bars of ``ohlcv`` that are complete by its last bar.

    Indexed by the time each bar completes (its bin's right edge, see the module
    docstring), with ``ohlcv``'s numeric columns (extra ones aggregated by their last
    value), float64.
    """
    offset = timeframe_offset(timeframe)
    numeric = [c for c in ohlcv.columns if pd.api.types.is_numeric_dtype(ohlcv[c].dtype)]
    how = {c: _AGGREGATION.get(str(c), "last") for c in numeric}
    resampled = ohlcv[numeric].resample(timeframe, **_resample_options(timeframe))
    bars = resampled.agg(how)
    filled = resampled.size().to_numpy() > 0
    bars = bars[filled]
    labels = pd.DatetimeIndex(bars.index)
    edges = labels if _labels_right(timeframe) else labels + offset
    bars = bars.set_axis(edges.rename(ohlcv.index.name), axis=0)
    if len(ohlcv):
        bars = bars[bars.index <= ohlcv.index[-1]]
    if len(ohlcv) > 2 and int(filled.sum()) == len(ohlcv):
        raise FeatureError(
            f"timeframe {timeframe!r} is not coarser than the data's bars: every bar is a "
            "bin of its own; choose a longer timeframe"
        )
    columns = [c for c in REQUIRED_COLUMNS if c in bars.columns]
    ordered = columns + [c for c in bars.columns if c not in columns]
    return bars[ordered].astype(np.float64)


def align_asof(higher: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """Each row ``t`` of ``index`` gets the last row of ``higher`` stamped at or before ``t``.

    A backward as-of join (``merge_asof(direction="backward")``); rows before the first
    higher stamp are NaN. Values never move backwards in time.
    """
    positions = asof_positions(higher.index, index)
    values = higher.to_numpy(dtype=np.float64)
    out = np.full((len(index), values.shape[1]), np.nan)
    seen = positions >= 0
    out[seen] = values[positions[seen]]
    return pd.DataFrame(out, index=index, columns=higher.columns)


def asof_positions(stamps: pd.Index, index: pd.Index) -> np.ndarray:
    """For each row of ``index``, the position of the last of ``stamps`` at or before it
    (-1 when there is none); both are sorted DatetimeIndexes."""
    higher = np.asarray(pd.DatetimeIndex(stamps).as_unit("ns").asi8)
    base = np.asarray(pd.DatetimeIndex(index).as_unit("ns").asi8)
    return np.searchsorted(higher, base, side="right") - 1


def higher_timeframe_features(
    ohlcv: pd.DataFrame, indicators: Iterable[Any], timeframe: str = "1W"
) -> pd.DataFrame:
    """``indicators`` computed on the completed ``timeframe`` bars, on ``ohlcv``'s index.

    Columns are the indicators' outputs with the suffix ``_<timeframe>`` (``rsi_14_1W``).
    Row ``t`` uses only higher bars complete at ``t`` (see the module docstring).
    """
    bars = completed_bars(ohlcv, timeframe)
    frames = []
    for indicator in indicators:
        result = indicator.compute(bars)
        frames.append(result[list(indicator.outputs)])
    if not frames:
        return pd.DataFrame(index=ohlcv.index, dtype=np.float64)
    higher = pd.concat(frames, axis=1).astype(np.float64)
    higher.columns = [f"{column}_{timeframe}" for column in higher.columns]
    return align_asof(higher, ohlcv.index)
