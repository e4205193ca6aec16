"""Reading the files ``mlcore report`` analyses: a trade history, a return series or an
equity curve, as CSV or Parquet.

What a file holds is told by its columns:

- a **trade history** has ``entry_time`` and ``exit_time`` (and ``entry_price``,
  ``exit_price``, ``side``, ``size``, optionally ``fees``; see
  :func:`mlcore.analytics.trades.validate_trades`);
- a **return series** has a time column and a ``return`` or ``returns`` column of simple
  periodic returns (0.01 is +1%);
- an **equity curve** has a time column and an ``equity``, ``value`` or ``close`` column
  (wealth or prices, > 0); its returns are the changes between consecutive values.

The time column is the first of ``timestamp``, ``date``, ``datetime``, ``time`` (or a
Parquet file's DatetimeIndex). Times with a zone are converted to UTC; times without one
are read as UTC.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final, Literal

import attrs
import numpy as np
import pandas as pd

from mlcore.analytics.rows import row_error
from mlcore.errors import AnalyticsError

__all__ = ["PerformanceData", "read_benchmark", "read_performance_file", "read_table"]

Kind = Literal["trades", "returns", "equity"]
TIME_COLUMNS: Final = ("timestamp", "date", "datetime", "time")
RETURN_COLUMNS: Final = ("return", "returns")
EQUITY_COLUMNS: Final = ("equity", "value", "close")
TRADE_TIME_COLUMNS: Final = ("entry_time", "exit_time")
_SHOWN: Final = 3


@attrs.frozen
class PerformanceData:
    """What a file holds: ``kind`` and either ``trades`` or ``series`` (returns or equity)."""

    kind: Kind
    source: Path
    trades: pd.DataFrame | None = attrs.field(default=None, eq=False)
    series: pd.Series | None = attrs.field(default=None, eq=False)


def read_table(path: Path) -> pd.DataFrame:
    """A CSV (``.csv``) or Parquet (``.parquet``, ``.pq``) file as a frame."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return pd.read_csv(path)
    if suffix in (".parquet", ".pq"):
        frame = pd.read_parquet(path)
        if isinstance(frame.index, pd.DatetimeIndex):
            frame = frame.rename_axis("timestamp").reset_index()
        return frame
    raise AnalyticsError(
        f"{path}: cannot read a {suffix or 'suffix-less'} file; give a .csv, .parquet or .pq file"
    )


def read_performance_file(path: Path) -> PerformanceData:
    """Read a trade history, a return series or an equity curve (see the module docs)."""
    frame = read_table(path)
    if all(column in frame.columns for column in TRADE_TIME_COLUMNS):
        trades = frame.copy()
        for column in TRADE_TIME_COLUMNS:
            trades[column] = _times(trades[column], path, column)
        return PerformanceData("trades", path, trades=trades)
    kind, series = _series(frame, path)
    return PerformanceData(kind, path, series=series)


def read_benchmark(path: Path) -> pd.Series:
    """A benchmark's simple returns from a return series or a price/equity file."""
    kind, series = _series(read_table(path), path)
    if kind == "returns":
        return series.rename("benchmark")
    values = series.to_numpy()
    if len(values) < 2 or not (np.isfinite(values) & (values > 0)).all():
        raise AnalyticsError(
            f"{path}: the benchmark's {series.name!r} column needs at least two finite "
            "values > 0 to give returns",
            column=str(series.name),
        )
    return pd.Series(values[1:] / values[:-1] - 1.0, index=series.index[1:], name="benchmark")


def _series(frame: pd.DataFrame, path: Path) -> tuple[Kind, pd.Series]:
    lowered = {str(column).lower(): column for column in frame.columns}
    value_column = next((lowered[c] for c in RETURN_COLUMNS if c in lowered), None)
    kind: Kind = "returns"
    if value_column is None:
        value_column = next((lowered[c] for c in EQUITY_COLUMNS if c in lowered), None)
        kind = "equity"
    time_column = next((lowered[c] for c in TIME_COLUMNS if c in lowered), None)
    if value_column is None or time_column is None:
        raise AnalyticsError(
            f"{path} has the columns {list(frame.columns)}: a trade history needs "
            f"{list(TRADE_TIME_COLUMNS)}; a return series a time column (one of "
            f"{list(TIME_COLUMNS)}) and a 'return' or 'returns' column; an equity curve a "
            f"time column and one of {list(EQUITY_COLUMNS)}",
            column=None if time_column is None else str(value_column),
        )
    index = pd.DatetimeIndex(_times(frame[time_column], path, str(time_column)))
    values = _numbers(frame[value_column], path, str(value_column), index)
    return kind, pd.Series(values, index=index, name=kind)


def _times(column: pd.Series, path: Path, name: str) -> pd.Series:
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        converted: pd.Series = column.dt.tz_convert("UTC")
        return converted
    parsed = pd.to_datetime(column, utc=True, errors="coerce", format="mixed")
    _reject(column.notna() & parsed.isna(), column, path, name, "a time", column.index)
    return parsed


def _numbers(column: pd.Series, path: Path, name: str, times: pd.DatetimeIndex) -> np.ndarray:
    parsed = pd.to_numeric(column, errors="coerce")
    _reject(column.notna() & parsed.isna(), column, path, name, "a number", times)
    return np.asarray(parsed, dtype=float)


def _reject(
    bad: pd.Series, column: pd.Series, path: Path, name: str, expected: str, rows: pd.Index
) -> None:
    """Raise naming the first bad rows: data rows counted from 1 after the header, with
    their time where the row has one (see :mod:`mlcore.analytics.rows`)."""
    if not bad.any():
        return
    positions = np.flatnonzero(bad.to_numpy())
    values = ", ".join(repr(value) for value in column.iloc[positions[:_SHOWN]])
    raise row_error(
        f"{path}: column {name!r} is not {expected} in {{row}}: {values}; fix or drop those rows",
        rows,
        positions,
        column=name,
    )
