"""The Excel workbook of a performance report (openpyxl).

Sheets: ``Summary`` (every metric, the key figures with their dates, the conventions and
the notes), ``Returns`` (the periodic returns, equity, drawdown and benchmark), ``Trades``,
``Monthly Returns``, ``Drawdowns`` and ``Monte Carlo`` (the percentile paths and their
summary). Every sheet exists in every workbook; a part the report lacks (no trades, say)
leaves its sheet with a note instead of a table.

Numbers are stored as numbers with a number format (``0.00%`` for returns, ``0.00`` for
ratios, ``#,##0.00`` for money), never as text. Excel has no time zones, so tz-aware
timestamps are converted to UTC and stored without a zone, with ``(UTC)`` in the header.
Excel has no infinity either: an infinite value (a profit factor with no losing trade) is
stored as the text ``inf``; a missing value is an empty cell.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from mlcore._version import __version__
from mlcore.analytics.reports._files import replacing
from mlcore.analytics.reports.artifacts import log_if_tracking
from mlcore.analytics.reports.content import Report, as_report
from mlcore.analytics.reports.figures import DAY, MONTH, YEAR
from mlcore.analytics.reports.formatting import (
    EXCEL_FORMATS,
    is_missing,
    metric_groups,
    metric_kind,
    metric_label,
)
from mlcore.errors import MissingExtraError

if TYPE_CHECKING:
    from mlcore.analytics.core import AdvancedAnalytics

__all__ = ["SHEETS", "write_excel"]

SHEETS: Final = ("Summary", "Returns", "Trades", "Monthly Returns", "Drawdowns", "Monte Carlo")
PERCENT: Final = EXCEL_FORMATS["percent"]
RATIO: Final = EXCEL_FORMATS["ratio"]
MONEY: Final = EXCEL_FORMATS["money"]
COUNT: Final = EXCEL_FORMATS["count"]
WEALTH: Final = "0.0000"
DATE: Final = "yyyy-mm-dd"
DATETIME: Final = "yyyy-mm-dd hh:mm:ss"
_MAX_WIDTH: Final = 60
_KEY_FIGURE_FORMATS: Final = {"percent": PERCENT, "share": PERCENT, "years": "0.0"}
_TRADE_FORMATS: Final = {
    "return": PERCENT,
    "side": COUNT,
    "bars": COUNT,
    "size": "#,##0.00####",
}

#: One table column: header, values, and the number format of all its cells or of each
#: (None: General).
Column = tuple[str, Iterable[Any], str | list[str | None] | None]


def write_excel(
    analytics: AdvancedAnalytics | Report,
    path: str | os.PathLike[str],
    *,
    log_artifacts: bool | None = None,
    **options: Any,
) -> Path:
    """Write the Excel workbook of ``analytics`` to ``path`` (``.xlsx``) and return the path.

    ``options`` are those of :func:`~mlcore.analytics.reports.content.build_report`;
    ``log_artifacts`` as for :func:`~mlcore.analytics.reports.pdf.write_pdf`.
    """
    try:
        from openpyxl import Workbook
    except ImportError as error:
        raise MissingExtraError("openpyxl", "reports", "Excel reports") from error
    report = as_report(analytics, options)
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = report.title
    workbook.properties.subject = report.subtitle
    workbook.properties.creator = f"mlcore {__version__}"
    workbook.properties.created = report.created.replace(tzinfo=None)
    for name, columns, note in _sheets(report):
        sheet = workbook.create_sheet(name)
        if columns:
            _write_table(sheet, columns)
        else:
            _write_table(sheet, [("note", [note], None)])
    target = Path(path)
    with replacing(target) as partial:
        workbook.save(partial)
    log_if_tracking(report, [target], log_artifacts)
    return target


def _sheets(report: Report) -> list[tuple[str, list[Column], str]]:
    """Each sheet's columns, or no columns and the note that says why."""
    return [
        ("Summary", _summary_columns(report), ""),
        ("Returns", _returns_columns(report), ""),
        ("Trades", _frame_columns(report.trades, _TRADE_FORMATS), "no trades were added"),
        ("Monthly Returns", _monthly_columns(report.monthly), _missing(report, "monthly")),
        ("Drawdowns", _drawdown_columns(report.drawdowns), _missing(report, "drawdown")),
        ("Monte Carlo", _monte_carlo_columns(report), _missing(report, "Monte Carlo")),
    ]


def _missing(report: Report, part: str) -> str:
    reasons = [note for note in report.notes if note.lower().startswith(part.lower())]
    return reasons[0] if reasons else f"{part}: not available"


# ---------------------------------------------------------------------------
# sheets
# ---------------------------------------------------------------------------


def _summary_columns(report: Report) -> list[Column]:
    groups: list[str] = []
    labels: list[str] = []
    keys: list[str] = []
    values: list[Any] = []
    formats: list[str | None] = []
    dates: list[Any] = []
    date_formats: list[str | None] = []

    def add(
        group: str,
        key: str,
        label: str,
        value: Any,
        number_format: str | None,
        date: Any = None,
        date_format: str | None = None,
    ) -> None:
        groups.append(group)
        keys.append(key)
        labels.append(label)
        values.append(value)
        formats.append(number_format)
        dates.append(date)
        date_formats.append(date_format)

    for group, names in metric_groups(report.metrics, frozenset(report.plugin_metrics)).items():
        for name in names:
            value = report.metrics[name]
            add(group, name, metric_label(name), value, EXCEL_FORMATS[metric_kind(name)])
    index = report.returns.index
    when_formats = {DAY: _date_format(index), MONTH: "yyyy-mm", YEAR: "yyyy"}
    for figure in report.key_figures:
        dated = isinstance(figure.when, pd.Timestamp)
        when_format = when_formats[figure.when_format] if dated else None
        add(
            "Key figures",
            figure.key,
            figure.label,
            figure.value,
            _KEY_FIGURE_FORMATS[figure.kind],
            figure.when,
            when_format,
        )
    level = f"{report.confidence:.0%}"
    details: list[tuple[str, str, Any, str | None]] = [
        ("title", "Title", report.title, None),
        ("start", "First period", index[0], _date_format(index)),
        ("end", "Last period", index[-1], _date_format(index)),
        ("periods", "Periods", len(index), COUNT),
        ("risk_free_rate", "Risk-free rate (annual)", report.risk_free_rate, PERCENT),
        ("periods_per_year", "Periods per year", report.periods_per_year, "0.##"),
        ("confidence_level", "VaR confidence level", report.confidence, PERCENT),
        ("var", f"VaR {level} (historical)", report.var, PERCENT),
        ("cvar", f"CVaR {level} (historical)", report.cvar, PERCENT),
        ("created", "Generated (UTC)", report.created, DATETIME),
        ("mlcore_version", "mlcore version", __version__, None),
    ]
    for key, label, value, number_format in details:
        add("Report", key, label, value, number_format)
    for i, note in enumerate(report.notes, start=1):
        add("Notes", f"note_{i}", "Note", note, None)
    return [
        ("group", groups, None),
        ("metric", labels, None),
        ("value", values, formats),
        (_time_header("date", index), dates, date_formats),
        ("key", keys, None),
    ]


def _returns_columns(report: Report) -> list[Column]:
    index = report.returns.index
    columns: list[Column] = [
        (_time_header("timestamp", index), list(index), _date_format(index)),
        ("return", report.returns.to_numpy(), PERCENT),
        ("equity", report.equity.reindex(index).to_numpy(), "#,##0.0000"),
        ("drawdown", report.drawdown.reindex(index).to_numpy(), PERCENT),
    ]
    if report.benchmark_equity is not None:
        bench = report.benchmark_equity.reindex(index).to_numpy()
        columns.append(("benchmark_equity", bench, "#,##0.0000"))
    return columns


def _frame_columns(frame: pd.DataFrame | None, formats: dict[str, str]) -> list[Column]:
    if frame is None or len(frame) == 0:
        return []
    columns: list[Column] = []
    for name in frame.columns:
        series = frame[name]
        header = str(name)
        if isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(
            series.dtype
        ):
            columns.append((_time_header(header, series), list(series), _date_format(series)))
        elif pd.api.types.is_timedelta64_dtype(series.dtype):
            columns.append((f"{header} (days)", list(series), "0.00"))
        elif pd.api.types.is_bool_dtype(series.dtype):
            columns.append((header, list(series), None))
        elif pd.api.types.is_integer_dtype(series.dtype):
            columns.append((header, list(series), formats.get(header, COUNT)))
        elif pd.api.types.is_numeric_dtype(series.dtype):
            columns.append((header, list(series), formats.get(header, MONEY)))
        else:
            columns.append((header, [str(v) for v in series], None))
    return columns


def _monthly_columns(monthly: pd.DataFrame | None) -> list[Column]:
    if monthly is None or len(monthly) == 0:
        return []
    months = monthly.reindex(columns=range(1, 13))
    columns: list[Column] = [("year", [int(year) for year in months.index], "0")]
    for number in range(1, 13):
        columns.append(
            (dt.date(2000, number, 1).strftime("%b"), months[number].to_numpy(), PERCENT)
        )
    # A calendar year's return compounds its months; a year with no month has none.
    year = (1.0 + months).prod(axis=1, min_count=1) - 1.0
    columns.append(("year total", year.to_numpy(), PERCENT))
    return columns


def _drawdown_columns(table: pd.DataFrame | None) -> list[Column]:
    formats = {"depth": PERCENT, "length": COUNT, "time_to_recover": COUNT}
    return _frame_columns(table, formats)


def _monte_carlo_columns(report: Report) -> list[Column]:
    result = report.monte_carlo
    if result is None:
        return []
    paths = result.percentiles
    columns: list[Column] = [("step", list(paths.index), COUNT)]
    columns += [(f"p{float(c):g}", paths[c].to_numpy(), WEALTH) for c in paths.columns]
    summary = {
        "method": result.method,
        "n_simulations": result.n_simulations,
        "time_horizon": result.time_horizon,
        "seed": result.seed,
        **result.summary(),
    }
    formats = [
        None if isinstance(v, str) or v is None else (COUNT if isinstance(v, int) else PERCENT)
        for v in summary.values()
    ]
    columns += [
        ("", [], None),
        ("statistic", list(summary), None),
        ("value", list(summary.values()), formats),
    ]
    return columns


# ---------------------------------------------------------------------------
# cells
# ---------------------------------------------------------------------------


def _write_table(sheet: Any, columns: list[Column]) -> None:
    """A header row (bold, frozen), then the columns' values with their formats; column
    widths fit the longest header or value."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E79")
    for number, (header, values, number_format) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=number, value=header)
        cell.font, cell.fill = header_font, header_fill
        cell.alignment = Alignment(horizontal="center")
        width = len(header)
        for row, value in enumerate(values, start=2):
            cell = sheet.cell(row=row, column=number, value=_cell_value(value))
            cell_format = (
                number_format[row - 2] if isinstance(number_format, list) else number_format
            )
            if cell_format is not None and not isinstance(cell.value, str):
                cell.number_format = cell_format
            width = max(width, _display_width(cell.value, cell_format))
        sheet.column_dimensions[get_column_letter(number)].width = min(width + 2, _MAX_WIDTH)
    sheet.freeze_panes = "A2"


def _cell_value(value: Any) -> Any:
    """A value openpyxl stores as the right Excel type (see the module docstring)."""
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        if value.tzinfo is not None:
            value = value.tz_convert("UTC").tz_localize(None)
        return value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, pd.Timedelta):
        return value / pd.Timedelta(days=1)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def _display_width(value: Any, number_format: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 19 if number_format == DATETIME else 10
    if isinstance(value, float):
        return 8 if number_format in (PERCENT, RATIO) else len(f"{value:,.2f}")
    return len(str(value))


def _date_format(values: pd.Index | pd.Series) -> str | None:
    """``yyyy-mm-dd`` for dates at midnight, with the time otherwise; None when the values
    are not datetimes."""
    index = pd.DatetimeIndex(values) if _is_datetime(values) else None
    if index is None:
        return None
    times = index.tz_convert("UTC") if index.tz is not None else index
    return DATE if (times.dropna() == times.dropna().normalize()).all() else DATETIME


def _time_header(name: str, values: pd.Index | pd.Series) -> str:
    tz = getattr(getattr(values, "dt", values), "tz", None)
    return f"{name} (UTC)" if tz is not None else name


def _is_datetime(values: pd.Index | pd.Series) -> bool:
    dtype = values.dtype
    return isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype)
