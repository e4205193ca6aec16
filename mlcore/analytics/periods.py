"""Performance over time: trailing-window statistics and calendar-month returns."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from mlcore.errors import AnalyticsError

__all__ = ["monthly_returns", "rolling_performance"]


def rolling_performance(
    returns: pd.Series, window: int, *, risk_free: float, periods_per_year: float
) -> pd.DataFrame:
    """Return, volatility and Sharpe ratio over the trailing ``window`` periods.

    Row ``t`` uses periods ``t - window + 1 .. t`` only; the first ``window - 1`` rows are
    NaN (a warm-up, not a value). ``return`` is compounded over the window, ``volatility``
    annualised (``ddof=1``), ``sharpe`` annualised with the per-period ``risk_free``. Each
    window is computed exactly (two-pass), not by add/remove updates that drift.
    """
    if isinstance(window, bool) or not isinstance(window, int) or window < 2:
        raise AnalyticsError(f"window must be an integer >= 2, got {window!r}")
    if window > returns.size:
        raise AnalyticsError(
            f"window {window} is longer than the {returns.size} returns; choose a shorter one"
        )
    windows = sliding_window_view(returns.to_numpy(), window)
    constant = windows.max(axis=1) == windows.min(axis=1)
    spread = np.where(constant, 0.0, windows.std(axis=1, ddof=1))
    excess_mean = windows.mean(axis=1) - risk_free
    with np.errstate(divide="ignore", invalid="ignore"):
        sharpe = np.where(
            spread > 0.0,
            excess_mean / spread,
            np.where(excess_mean == 0.0, 0.0, np.copysign(np.inf, excess_mean)),
        )
    pad = np.full(window - 1, np.nan)
    return pd.DataFrame(
        {
            "return": np.concatenate((pad, np.prod(1.0 + windows, axis=1) - 1.0)),
            "volatility": np.concatenate((pad, spread * math.sqrt(periods_per_year))),
            "sharpe": np.concatenate((pad, sharpe * math.sqrt(periods_per_year))),
        },
        index=returns.index,
    )


def monthly_returns(returns: pd.Series) -> pd.DataFrame:
    """Compounded returns per calendar month: index ``year``, columns ``1..12``.

    A month without any return in the series is NaN (there is nothing to compound).
    """
    index = pd.DatetimeIndex(returns.index)
    growth = (1.0 + returns).groupby([index.year, index.month]).prod() - 1.0
    table = growth.unstack().reindex(columns=range(1, 13))
    table.index.name, table.columns.name = "year", "month"
    return table
