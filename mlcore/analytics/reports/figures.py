"""The key figures of a report's summary: how long the history runs, its best and worst
period, month and year, the share of each that gained, and the drawdown it ends in.

Months and years are calendar months and years, compounded from the returns in them; the
first and last may be partial. Figures by month and year need dated returns and are left
out otherwise. Each figure keeps its number and its date, so the PDF and HTML show it as
text and the workbook stores both as typed cells.
"""

from __future__ import annotations

from typing import Final, Literal, NamedTuple

import pandas as pd

__all__ = ["KeyFigure", "key_figures"]

#: How a figure's number reads: a return or share as a percentage, a length in years.
Kind = Literal["percent", "share", "years"]
#: The strftime pattern that shows a figure's date at its resolution.
DAY: Final = "%Y-%m-%d"
MONTH: Final = "%Y-%m"
YEAR: Final = "%Y"


class KeyFigure(NamedTuple):
    """One key figure: ``key`` names it (``best_month``), ``label`` titles it, ``value``
    is the number, and ``when`` the period it belongs to (a timestamp shown with
    ``when_format``, a period label, or None)."""

    key: str
    label: str
    value: float
    kind: Kind
    when: object = None
    when_format: str = DAY

    @property
    def text(self) -> str:
        """The figure as the summary shows it, e.g. ``8.12% (2020-04)``."""
        number = {
            "percent": f"{self.value:.2%}",
            "share": f"{self.value:.0%}",
            "years": f"{self.value:.1f} years",
        }[self.kind]
        if self.when is None:
            return number
        return f"{number} ({self.when_text})"

    @property
    def when_text(self) -> str:
        when = self.when
        return f"{when:{self.when_format}}" if isinstance(when, pd.Timestamp) else str(when)


def key_figures(returns: pd.Series, drawdown: pd.Series) -> tuple[KeyFigure, ...]:
    """The key figures of ``returns`` and of their underwater curve ``drawdown``."""
    clean = returns.dropna()
    if clean.empty:
        return ()
    index = clean.index
    figures: list[KeyFigure] = []
    if isinstance(index, pd.DatetimeIndex):
        length = (index[-1] - index[0]).days / 365.25
        figures.append(KeyFigure("length_years", "Length", length, "years"))
    figures += _extremes("period", clean, DAY)
    if isinstance(index, pd.DatetimeIndex):
        growth = 1.0 + clean
        months = growth.groupby([index.year, index.month]).prod() - 1.0
        months.index = pd.DatetimeIndex([pd.Timestamp(y, m, 1) for y, m in months.index])
        figures += _extremes("month", months, MONTH)
        years = growth.groupby(index.year).prod() - 1.0
        years.index = pd.DatetimeIndex([pd.Timestamp(y, 1, 1) for y in years.index])
        figures += _extremes("year", years, YEAR)
    current = float(drawdown.iloc[-1])
    figures.append(KeyFigure("current_drawdown", "Current drawdown", current, "percent"))
    return tuple(figures)


def _extremes(unit: str, values: pd.Series, when_format: str) -> list[KeyFigure]:
    """Best and worst of ``values`` with their periods, and the share that gained."""
    numbers = values.to_numpy(dtype=float)

    def at(name: str, position: int) -> KeyFigure:
        when = values.index[position]
        label = f"{name} {unit}"
        return KeyFigure(
            label.lower().replace(" ", "_"),
            label,
            float(numbers[position]),
            "percent",
            when,
            when_format,
        )

    share = float((numbers > 0).mean())
    return [
        at("Best", int(numbers.argmax())),
        at("Worst", int(numbers.argmin())),
        KeyFigure(f"positive_{unit}s", f"Positive {unit}s", share, "share"),
    ]
