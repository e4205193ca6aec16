"""The key figures of a report's summary page: how long the history runs, its best and
worst period, month and year, the share of each that gained, and the drawdown it ends in.

Months and years are calendar months and years, compounded from the returns in them; the
first and last may be partial. Figures by month and year need dated returns and are left
out otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

__all__ = ["key_figures"]

KeyFigures = list[tuple[str, str]]


def key_figures(returns: pd.Series, drawdown: pd.Series) -> KeyFigures:
    """The key figures of ``returns`` (and of their underwater curve ``drawdown``) as
    ``(label, text)`` rows, e.g. ``("Best month", "8.12% (2020-04)")``."""
    clean = returns.dropna()
    if clean.empty:
        return []
    index = clean.index
    figures: KeyFigures = []
    if isinstance(index, pd.DatetimeIndex):
        years = (index[-1] - index[0]).days / 365.25
        figures.append(("Length", f"{years:.1f} years"))
    figures += _extremes("period", clean, _label_text)
    if isinstance(index, pd.DatetimeIndex):
        growth = 1.0 + clean
        months = growth.groupby([index.year, index.month]).prod() - 1.0
        months.index = pd.Index([f"{year}-{month:02d}" for year, month in months.index])
        figures += _extremes("month", months)
        figures += _extremes("year", growth.groupby(index.year).prod() - 1.0)
    figures.append(("Current drawdown", f"{float(drawdown.iloc[-1]):.2%}"))
    return figures


def _extremes(unit: str, values: pd.Series, show: Callable[[Any], str] = str) -> KeyFigures:
    """Best and worst of ``values`` with their labels, and the share that gained."""
    numbers = values.to_numpy(dtype=float)
    best, worst = int(numbers.argmax()), int(numbers.argmin())
    return [
        (f"Best {unit}", f"{numbers[best]:.2%} ({show(values.index[best])})"),
        (f"Worst {unit}", f"{numbers[worst]:.2%} ({show(values.index[worst])})"),
        (f"Positive {unit}s", f"{float((numbers > 0).mean()):.0%}"),
    ]


def _label_text(label: object) -> str:
    return f"{label:%Y-%m-%d}" if isinstance(label, pd.Timestamp) else str(label)
