"""Checking return and equity series before any metric sees them.

A return series holds simple periodic returns (0.01 is +1%) on a strictly increasing
DatetimeIndex, every value finite and >= -1 (a loss of more than everything is not a
simple return). An equity curve holds positive wealth on the same kind of index.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mlcore.analytics.rows import first_bad, row_error
from mlcore.errors import AnalyticsError

__all__ = ["equity_to_returns", "validate_equity", "validate_returns"]


def validate_returns(returns: Any, what: str = "returns") -> pd.Series:
    """A float copy of ``returns`` after the checks; ``what`` names it in errors."""
    series = _float_series(returns, what)
    values = series.to_numpy()
    if (position := first_bad(~np.isfinite(values))) is not None:
        raise row_error(
            f"{what} {{row}} is {values[position]}; returns must be finite: drop the row or "
            "fill it explicitly (fillna(0.0) for a flat period)",
            series.index,
            position,
            column=what,
        )
    if (position := first_bad(values < -1.0)) is not None:
        raise row_error(
            f"{what} {{row}} is {values[position]}; a simple return cannot be below -1 "
            "(-100%): are these log returns or P&L amounts?",
            series.index,
            position,
            column=what,
        )
    return series


def validate_equity(equity: Any) -> pd.Series:
    """A float copy of an equity curve after the checks (at least two positive values)."""
    series = _float_series(equity, "equity")
    values = series.to_numpy()
    if (position := first_bad(~(np.isfinite(values) & (values > 0.0)))) is not None:
        raise row_error(
            f"equity {{row}} is {values[position]}; an equity curve holds finite wealth > 0",
            series.index,
            position,
            column="equity",
        )
    if series.size < 2:
        raise AnalyticsError("an equity curve needs at least two values to give a return")
    return series


def equity_to_returns(equity: pd.Series) -> pd.Series:
    """The simple returns between consecutive values of a validated equity curve."""
    values = equity.to_numpy()
    return pd.Series(values[1:] / values[:-1] - 1.0, index=equity.index[1:], name="returns")


def _float_series(data: Any, what: str) -> pd.Series:
    if isinstance(data, pd.DataFrame) and data.shape[1] == 1:
        data = data.iloc[:, 0]
    if not isinstance(data, pd.Series):
        raise AnalyticsError(
            f"{what} must be a pandas Series on a DatetimeIndex, got {type(data).__name__}"
        )
    if not isinstance(data.index, pd.DatetimeIndex):
        raise AnalyticsError(
            f"{what} must be indexed by time (a DatetimeIndex), got a "
            f"{type(data.index).__name__}; set the index with pd.to_datetime(...)",
            column=what,
        )
    if data.empty:
        raise AnalyticsError(f"{what} is empty: there is nothing to analyse", column=what)
    _check_order(data.index, what)
    if not pd.api.types.is_numeric_dtype(data.dtype) or pd.api.types.is_bool_dtype(data.dtype):
        raise AnalyticsError(f"{what} must be numeric, got dtype {data.dtype}", column=what)
    return pd.Series(data.to_numpy(np.float64, na_value=np.nan), index=data.index, name=what)


def _check_order(index: pd.DatetimeIndex, what: str) -> None:
    if (position := first_bad(index.isna())) is not None:
        raise row_error(
            f"{what} {{row}} has no time (NaT); give every row its time",
            index,
            position,
            column=what,
        )
    steps = np.diff(index.asi8)
    if (step := first_bad(steps <= 0)) is not None:
        problem = "repeats the time of" if steps[step] == 0 else "comes before"
        raise row_error(
            f"{what} {{row}} {problem} the row before it; times must be strictly increasing "
            "(sort_index() and drop duplicates first)",
            index,
            step + 1,
            column=what,
        )
