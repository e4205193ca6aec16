"""Drawdowns: the fall of wealth from its running peak, and the table of drawdown periods.

Wealth starts at 1.0 before the first return, and that starting value counts as a peak:
a first return of -5% is a 5% drawdown (as in empyrical). Drawdowns are fractions <= 0.
A period counts as under water when its drawdown is below ``-UNDERWATER_TOLERANCE``, so
that wealth back at its peak up to rounding (0.95 * (1 / 0.95)) counts as recovered.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "DRAWDOWN_COLUMNS",
    "UNDERWATER_TOLERANCE",
    "drawdown_periods",
    "drawdowns",
    "max_drawdown",
    "max_drawdown_absolute",
    "max_drawdown_duration",
]

UNDERWATER_TOLERANCE = 1e-12

DRAWDOWN_COLUMNS: tuple[str, ...] = (
    "start",
    "trough",
    "recovery",
    "depth",
    "length",
    "time_to_recover",
)


def drawdowns(returns: np.ndarray) -> np.ndarray:
    """The drawdown after each period: ``wealth / running peak - 1`` (<= 0)."""
    wealth = np.cumprod(1.0 + returns)
    peaks = np.maximum(np.maximum.accumulate(wealth), 1.0)
    underwater: np.ndarray = wealth / peaks - 1.0
    return underwater


def max_drawdown(returns: np.ndarray) -> float:
    """The deepest drawdown, a fraction in [-1, 0]."""
    return float(min(drawdowns(returns).min(), 0.0))


def max_drawdown_absolute(equity: np.ndarray) -> float:
    """The largest fall of ``equity`` (a wealth curve, first value the start) from its peak,
    in the curve's own units (<= 0)."""
    return float(min((equity - np.maximum.accumulate(equity)).min(), 0.0))


def max_drawdown_duration(returns: np.ndarray) -> int:
    """Periods in the longest spell under water (0 when wealth never falls below a peak)."""
    starts, ends = _spells(drawdowns(returns) < -UNDERWATER_TOLERANCE)
    return int((ends - starts).max()) if starts.size else 0


def drawdown_periods(underwater: pd.Series) -> pd.DataFrame:
    """One row per spell under water, deepest first.

    ``underwater`` is a drawdown series (from :func:`drawdowns`) on a DatetimeIndex.
    Columns: ``start`` (first period under water), ``trough`` (the deepest period),
    ``recovery`` (first period back at the peak; ``NaT`` if not recovered), ``depth``
    (the drawdown at the trough, < 0), ``length`` (periods under water, up to the
    recovery or the end) and ``time_to_recover`` (periods from the trough to the
    recovery; ``<NA>`` if not recovered).
    """
    values = underwater.to_numpy()
    index = pd.DatetimeIndex(underwater.index)
    starts, ends = _spells(values < -UNDERWATER_TOLERANCE)
    troughs = np.array(
        [
            start + int(np.argmin(values[start:end]))
            for start, end in zip(starts, ends, strict=True)
        ],
        dtype=np.int64,
    )
    recovered = ends < values.size
    recovery = pd.DatetimeIndex(
        [index[end] if done else pd.NaT for end, done in zip(ends, recovered, strict=True)],
        tz=index.tz,
    )
    table = pd.DataFrame(
        {
            "start": index[starts],
            "trough": index[troughs],
            "recovery": recovery,
            "depth": values[troughs] if troughs.size else np.array([], dtype=float),
            "length": (ends - starts).astype(np.int64),
            "time_to_recover": pd.array(np.where(recovered, ends - troughs, 0), dtype="Int64"),
        },
        columns=list(DRAWDOWN_COLUMNS),
    )
    table.loc[~recovered, "time_to_recover"] = pd.NA
    return table.sort_values(["depth", "start"], kind="stable").reset_index(drop=True)


def _spells(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) positions of each run of True in ``mask``."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
