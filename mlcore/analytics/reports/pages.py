"""The pages of a report: the summary page (PDF only) and the chart pages the PDF and the
HTML tearsheet share, each a matplotlib figure composed from :mod:`.charts`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from mlcore.analytics.reports.charts import (
    FAN,
    LOSS,
    STRATEGY,
    empty_axes,
    import_pyplot,
    plot_annual_returns,
    plot_cumulative_pnl,
    plot_distribution,
    plot_drawdown_table,
    plot_equity,
    plot_monte_carlo_fan,
    plot_monthly_heatmap,
    plot_regime_prices,
    plot_return_distribution,
    plot_rolling_sharpe,
    plot_sparkline,
    plot_trade_pnl,
    plot_underwater,
)
from mlcore.analytics.reports.formatting import format_metric, metric_groups, metric_label

if TYPE_CHECKING:
    from mlcore.analytics.reports.content import Report

__all__ = [
    "PAGE_SIZE",
    "chart_pages",
    "monte_carlo_page",
    "monthly_page",
    "performance_page",
    "regime_page",
    "risk_page",
    "summary_page",
    "trades_page",
]

#: A4 landscape, in inches.
PAGE_SIZE: Final = (11.69, 8.27)


def _grid(*height_ratios: float) -> dict[str, Any]:
    """Fixed page margins: as good as a layout engine here, and several times faster."""
    return {
        "left": 0.07,
        "right": 0.97,
        "top": 0.9,
        "bottom": 0.07,
        "hspace": 0.42,
        "wspace": 0.18,
        "height_ratios": height_ratios,
    }


def _page(plt: Any, title: str) -> Any:
    figure = plt.figure(figsize=PAGE_SIZE)
    figure.suptitle(
        title, x=0.02, y=0.975, ha="left", fontsize=14, fontweight="bold", color=STRATEGY
    )
    return figure


def summary_page(report: Report) -> Any:
    """The first PDF page: title, period, conventions, the metrics and key figures in two
    balanced columns with a glance at the equity and drawdown on top of the second, and
    the notes."""
    plt = import_pyplot()
    figure = plt.figure(figsize=PAGE_SIZE)
    figure.text(0.04, 0.94, report.title, fontsize=20, fontweight="bold", color=STRATEGY)
    figure.text(0.04, 0.905, report.subtitle, fontsize=10, color="#555555")
    groups = metric_groups(report.metrics, frozenset(report.plugin_metrics))
    rows = [
        (title, [(metric_label(k), format_metric(k, report.metrics[k])) for k in names])
        for title, names in groups.items()
    ]
    if report.key_figures:
        rows.append(("Key figures", [(f.label, f.text) for f in report.key_figures]))
    notes = [f"- {note}" for note in report.notes]
    notes_top = 0.04 + 0.017 * (len(notes) + 1) if notes else 0.04
    left, right = _split_rows(rows, _SPARKLINE_LINES)
    lines = max(_lines(left), _SPARKLINE_LINES + _lines(right))
    line = min(0.024, (0.85 - notes_top - 0.02) / lines)
    _draw_metric_column(figure, _COLUMNS[0], 0.85, left, line)
    below = _draw_sparkline(figure, report, 0.85, line)
    _draw_metric_column(figure, _COLUMNS[1], below, right, line)
    if notes:
        text = "\n".join(["Notes", *notes])
        figure.text(0.04, 0.04, text, fontsize=8, color="#555555", va="bottom", wrap=True)
    return figure


MetricRows = list[tuple[str, list[tuple[str, str]]]]

#: The left edges of the summary page's two columns, as a fraction of the page width.
_COLUMNS: Final = (0.04, 0.53)
#: The height of the equity and drawdown glance, in metric table lines.
_SPARKLINE_LINES: Final = 9


def _lines(groups: MetricRows) -> float:
    """The table lines ``groups`` take: a title, its rows and the gap after it."""
    return sum(len(rows) + 1.7 for _, rows in groups)


def _split_rows(groups: MetricRows, reserved: float) -> tuple[MetricRows, MetricRows]:
    """Two columns of whole groups, in order, the first holding at least one group: the
    cut that makes the longer column shortest, where the second column starts with
    ``reserved`` lines of other content."""
    cut = min(
        range(1, len(groups) + 1),
        key=lambda c: max(_lines(groups[:c]), reserved + _lines(groups[c:])),
    )
    return groups[:cut], groups[cut:]


def _draw_sparkline(figure: Any, report: Report, top: float, line: float) -> float:
    """The equity and drawdown glance at the top of the second column; returns where the
    column continues below it."""
    x0 = _COLUMNS[1]
    figure.text(x0, top, "Equity and drawdown", **_TITLE, fontsize=_font(line) + 1.5)
    height = (_SPARKLINE_LINES - 2.5) * line
    bottom = top - line * 0.6 - height
    equity = figure.add_axes((x0 + 0.045, bottom + height * 0.4, 0.38, height * 0.6))
    drawdown = figure.add_axes((x0 + 0.045, bottom, 0.38, height * 0.37), sharex=equity)
    plot_sparkline(equity, drawdown, report.returns, report.drawdown, report.benchmark_equity)
    return top - _SPARKLINE_LINES * line


_TITLE: Final = {"fontweight": "bold", "color": STRATEGY}


def _font(line: float) -> float:
    return 9 if line >= 0.02 else 7.5


def _draw_metric_column(
    figure: Any, x0: float, top: float, groups: MetricRows, line: float
) -> None:
    size = _font(line)
    y = top
    for title, rows in groups:
        figure.text(x0, y, title, fontsize=size + 1.5, **_TITLE)
        y -= line * 1.1
        for i, (label, value) in enumerate(rows):
            if i % 2 == 0:
                figure.patches.append(_row_band(figure, x0 - 0.005, y - line / 4, 0.44, line))
            figure.text(x0, y, label, fontsize=size, color="#333333")
            figure.text(x0 + 0.425, y, value, fontsize=size, ha="right", family="DejaVu Sans Mono")
            y -= line
        y -= line * 0.6


def _row_band(figure: Any, x: float, y: float, width: float, height: float) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle(
        (x, y),
        width,
        height,
        transform=figure.transFigure,
        facecolor="#f2f5f9",
        edgecolor="none",
        zorder=-1,
    )


def performance_page(report: Report) -> Any:
    """Equity curve against the benchmark over the underwater chart."""
    plt = import_pyplot()
    figure = _page(plt, "Performance")
    top, middle, bottom = figure.subplots(3, 1, gridspec_kw=_grid(2.2, 1.2, 1))
    plot_equity(top, report.returns, report.benchmark_equity)
    plot_underwater(middle, report.drawdown)
    middle.sharex(top)
    if report.drawdowns is not None and len(report.drawdowns):
        plot_drawdown_table(bottom, report.drawdowns.head(5))
    else:
        empty_axes(bottom, "no drawdown periods")
    return figure


def monthly_page(report: Report) -> Any:
    """Monthly returns heatmap and the annual returns."""
    plt = import_pyplot()
    figure = _page(plt, "Calendar returns")
    top, bottom = figure.subplots(2, 1, gridspec_kw=_grid(3, 2))
    if report.monthly is not None and len(report.monthly):
        image = plot_monthly_heatmap(top, report.monthly)
        figure.colorbar(image, ax=top, format=_percent_format(), shrink=0.8, pad=0.01)
    else:
        empty_axes(top, "no monthly returns: the returns are not dated")
    plot_annual_returns(bottom, report.returns)
    return figure


def _percent_format() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=0)


def risk_page(report: Report) -> Any:
    """Return distribution with VaR and CVaR, and the rolling Sharpe ratio."""
    plt = import_pyplot()
    figure = _page(plt, "Risk")
    top, bottom = figure.subplots(2, 1, gridspec_kw=_grid(1, 1))
    plot_return_distribution(top, report.returns, report.var, report.cvar, report.confidence)
    if report.rolling is not None and report.rolling["sharpe"].notna().any():
        plot_rolling_sharpe(
            bottom, report.rolling, report.rolling_window, report.metrics.get("sharpe_ratio")
        )
    else:
        empty_axes(bottom, f"too few periods for a {report.rolling_window}-period rolling window")
    return figure


def monte_carlo_page(report: Report) -> Any:
    """Fan chart of simulated paths over the distributions of final return and drawdown."""
    plt = import_pyplot()
    result = report.monte_carlo
    assert result is not None
    figure = _page(plt, "Monte Carlo simulation")
    grid = figure.add_gridspec(2, 2, **_grid(3, 2))
    plot_monte_carlo_fan(figure.add_subplot(grid[0, :]), result)
    plot_distribution(
        figure.add_subplot(grid[1, 0]),
        result.final_returns,
        f"Final return after {result.time_horizon} periods",
        FAN,
    )
    plot_distribution(
        figure.add_subplot(grid[1, 1]), result.max_drawdowns, "Maximum drawdown", LOSS
    )
    return figure


def trades_page(report: Report) -> Any:
    """Histogram of trade P&L and the cumulative P&L of the trades."""
    plt = import_pyplot()
    trades = report.trades
    assert trades is not None
    figure = _page(plt, "Trades")
    top, bottom = figure.subplots(2, 1, gridspec_kw=_grid(1, 1))
    plot_trade_pnl(top, trades["pnl"])
    exits = trades.get("exit_time")
    plot_cumulative_pnl(bottom, trades["pnl"], exits)
    return figure


def regime_page(report: Report) -> Any:
    """Price chart shaded by regime."""
    plt = import_pyplot()
    assert report.prices is not None
    assert report.regimes is not None
    figure = _page(plt, "Market regimes")
    plot_regime_prices(figure.subplots(gridspec_kw=_grid(1)), report.prices, report.regimes)
    return figure


def chart_pages(report: Report) -> list[tuple[str, Callable[[Report], Any]]]:
    """The chart pages this report has, as ``(title, page function)``; pages without data
    (no trades, no regimes, no simulation) are left out and the report's notes say so."""
    pages: list[tuple[str, Callable[[Report], Any]]] = [
        ("Performance", performance_page),
        ("Calendar returns", monthly_page),
        ("Risk", risk_page),
    ]
    if report.monte_carlo is not None:
        pages.append(("Monte Carlo simulation", monte_carlo_page))
    if report.trades is not None and len(report.trades) and "pnl" in report.trades:
        pages.append(("Trades", trades_page))
    if report.prices is not None and report.regimes is not None:
        pages.append(("Market regimes", regime_page))
    return pages
