"""The report's charts: one function per chart, drawing on a matplotlib ``Axes``, and the
reports' style. :mod:`.pages` composes them into the pages of the PDF and the HTML.

matplotlib is imported on first use, with the non-interactive Agg backend; without it,
:func:`import_pyplot` raises :class:`~mlcore.errors.MissingExtraError` naming the
``reports`` extra.
"""

from __future__ import annotations

import calendar
import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from mlcore.analytics.reports.formatting import is_missing

if TYPE_CHECKING:
    from mlcore.analytics.montecarlo import MonteCarloResult

__all__ = [
    "drawdown_rows",
    "empty_axes",
    "import_pyplot",
    "plot_annual_returns",
    "plot_cumulative_pnl",
    "plot_distribution",
    "plot_drawdown_table",
    "plot_equity",
    "plot_monte_carlo_fan",
    "plot_monthly_heatmap",
    "plot_regime_prices",
    "plot_return_distribution",
    "plot_rolling_sharpe",
    "plot_trade_pnl",
    "plot_underwater",
    "report_style",
]

STRATEGY: Final = "#1f4e79"
BENCHMARK: Final = "#8c8c8c"
GAIN: Final = "#2e7d32"
LOSS: Final = "#c62828"
FAN: Final = "#3a7dbf"
_MONTHS: Final = tuple(calendar.month_abbr)[1:]

#: One filled outline per histogram instead of one patch per bar: same look, faster.
_FILLED: Final = {"histtype": "stepfilled", "alpha": 0.8, "linewidth": 0}

_STYLE: Final = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "axes.edgecolor": "#b0b0b0",
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#e5e5e5",
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9,
    "axes.labelcolor": "#333333",
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "xtick.color": "#555555",
    "ytick.color": "#555555",
    "legend.fontsize": 8,
    "legend.frameon": False,
    "font.family": "DejaVu Sans",
    "lines.linewidth": 1.1,
    "svg.fonttype": "none",  # text stays text in the HTML tearsheet
}


def import_pyplot() -> Any:
    """matplotlib's pyplot on the non-interactive Agg backend, or a MissingExtraError."""
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as error:
        from mlcore.errors import MissingExtraError

        raise MissingExtraError("matplotlib", "reports", "Performance reports") from error
    return plt


@contextlib.contextmanager
def report_style() -> Iterator[Any]:
    """The reports' matplotlib style for the duration; yields pyplot."""
    plt = import_pyplot()
    with plt.rc_context(_STYLE):
        yield plt


# ---------------------------------------------------------------------------
# axes helpers
# ---------------------------------------------------------------------------


def _x(index: pd.Index) -> np.ndarray:
    """Plot positions: datetimes as naive UTC (matplotlib has no tz), else the labels."""
    if isinstance(index, pd.DatetimeIndex):
        naive = index.tz_convert("UTC").tz_localize(None) if index.tz is not None else index
        return naive.to_numpy()
    return index.to_numpy()


def _time_axis(axes: Any, index: pd.Index) -> None:
    """Concise date ticks for dates; otherwise label the axis as periods."""
    if isinstance(index, pd.DatetimeIndex):
        from matplotlib import dates

        untyped: Any = dates
        locator = untyped.AutoDateLocator()
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(untyped.ConciseDateFormatter(locator))
    else:
        axes.set_xlabel("period")


def _percent_axis(axes: Any, which: str = "y", decimals: int | None = None) -> None:
    from matplotlib.ticker import PercentFormatter

    axis = axes.yaxis if which == "y" else axes.xaxis
    axis.set_major_formatter(PercentFormatter(1.0, decimals=decimals))


def _money_axis(axis: Any) -> None:
    from matplotlib.ticker import StrMethodFormatter

    axis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))


def empty_axes(axes: Any, message: str) -> None:
    """Hide the axes and say why they are empty."""
    axes.set_axis_off()
    axes.text(0.5, 0.5, message, ha="center", va="center", fontsize=10, color="#777777")


# ---------------------------------------------------------------------------
# charts
# ---------------------------------------------------------------------------


def plot_equity(axes: Any, returns: pd.Series, benchmark_equity: pd.Series | None = None) -> None:
    """Cumulative return of the strategy (compounded ``returns``) and of the benchmark
    (its wealth from 1.0)."""
    growth = (1.0 + returns).cumprod() - 1.0
    axes.plot(_x(growth.index), growth.to_numpy(), color=STRATEGY, label="strategy")
    if benchmark_equity is not None and len(benchmark_equity):
        bench = benchmark_equity - 1.0
        axes.plot(_x(bench.index), bench.to_numpy(), color=BENCHMARK, label="benchmark")
    axes.axhline(0.0, color="#999999", linewidth=0.6)
    axes.set_title("Equity curve")
    axes.set_ylabel("cumulative return")
    _percent_axis(axes)
    _time_axis(axes, returns.index)
    axes.legend(loc="upper left")


def plot_underwater(axes: Any, drawdown: pd.Series) -> None:
    """The fall from the running peak at every period (a fraction <= 0)."""
    x = _x(drawdown.index)
    values = drawdown.to_numpy(dtype=float)
    axes.fill_between(x, values, 0.0, color=LOSS, alpha=0.35, linewidth=0)
    axes.plot(x, values, color=LOSS, linewidth=0.7)
    worst = int(np.nanargmin(values)) if values.size else None
    if worst is not None:
        axes.annotate(
            f"max {values[worst]:.1%}",
            (x[worst], values[worst]),
            xytext=(6, -2),
            textcoords="offset points",
            fontsize=8,
            color=LOSS,
        )
    axes.set_title("Underwater (drawdown from peak)")
    axes.set_ylabel("drawdown")
    _percent_axis(axes, decimals=0)
    _time_axis(axes, drawdown.index)


def plot_sparkline(
    equity_axes: Any,
    drawdown_axes: Any,
    returns: pd.Series,
    drawdown: pd.Series,
    benchmark_equity: pd.Series | None = None,
) -> None:
    """A compact cumulative return (and the benchmark's) over a compact underwater curve,
    sharing one time axis: the summary page's glance at the whole history."""
    growth = (1.0 + returns).cumprod() - 1.0
    equity_axes.plot(_x(growth.index), growth.to_numpy(), color=STRATEGY, linewidth=0.9)
    if benchmark_equity is not None and len(benchmark_equity):
        bench = benchmark_equity - 1.0
        equity_axes.plot(_x(bench.index), bench.to_numpy(), color=BENCHMARK, linewidth=0.7)
    equity_axes.axhline(0.0, color="#999999", linewidth=0.5)
    x = _x(drawdown.index)
    values = drawdown.to_numpy(dtype=float)
    drawdown_axes.fill_between(x, values, 0.0, color=LOSS, alpha=0.35, linewidth=0)
    for axes in (equity_axes, drawdown_axes):
        _percent_axis(axes, decimals=0)
        axes.tick_params(labelsize=6.5, length=2)
        axes.margins(x=0)
    _time_axis(drawdown_axes, drawdown.index)
    drawdown_axes.xaxis.label.set_fontsize(7)
    equity_axes.tick_params(labelbottom=False)


def plot_monthly_heatmap(axes: Any, monthly: pd.DataFrame) -> Any:
    """Years by months, coloured by return (green gains, red losses), each cell labelled;
    returns the image for a colour bar."""
    from matplotlib.colors import TwoSlopeNorm

    values = monthly.reindex(columns=range(1, 13)).to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    limit = float(np.abs(finite).max()) if finite.size and np.abs(finite).max() > 0 else 0.01
    image = axes.imshow(
        np.ma.masked_invalid(values),
        cmap="RdYlGn",
        norm=TwoSlopeNorm(vcenter=0.0, vmin=-limit, vmax=limit),
        aspect="auto",
    )
    for (row, column), value in np.ndenumerate(values):
        if np.isfinite(value):
            shade = "white" if abs(value) > 0.6 * limit else "#222222"
            text = f"{value:.1%}"
            axes.text(column, row, text, ha="center", va="center", fontsize=7, color=shade)
    axes.set_xticks(range(12), _MONTHS)
    axes.set_yticks(range(len(monthly.index)), [str(year) for year in monthly.index])
    axes.tick_params(length=0)
    axes.grid(False)
    for spine in axes.spines.values():
        spine.set_visible(False)
    axes.set_title("Monthly returns")
    return image


def plot_annual_returns(axes: Any, returns: pd.Series) -> None:
    """Compounded return of each calendar year, as bars."""
    if not isinstance(returns.index, pd.DatetimeIndex):
        empty_axes(axes, "annual returns need dated returns")
        return
    yearly = (1.0 + returns).groupby(returns.index.year).prod() - 1.0
    colours = [GAIN if value >= 0 else LOSS for value in yearly.to_numpy()]
    axes.bar([str(year) for year in yearly.index], yearly.to_numpy(), color=colours)
    axes.axhline(0.0, color="#999999", linewidth=0.6)
    axes.set_title("Annual returns")
    axes.set_ylabel("return")
    _percent_axis(axes, decimals=0)
    axes.tick_params(axis="x", labelrotation=45 if len(yearly) > 12 else 0)


def drawdown_rows(table: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """The drawdown table as text: headers and one row per drawdown period."""
    headers = ["start", "trough", "recovery", "depth", "length", "time to recover"]
    rows = [
        [
            _date_text(row["start"]),
            _date_text(row["trough"]),
            _date_text(row["recovery"], missing="not recovered"),
            f"{float(row['depth']):.2%}",
            _count_text(row["length"]),
            _count_text(row["time_to_recover"]),
        ]
        for _, row in table.iterrows()
    ]
    return headers, rows


def _date_text(value: Any, missing: str = "") -> str:
    if is_missing(value):
        return missing
    if isinstance(value, pd.Timestamp | np.datetime64):
        return f"{pd.Timestamp(value):%Y-%m-%d}"
    return str(value)


def _count_text(value: Any) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, pd.Timedelta):
        return f"{value / pd.Timedelta(days=1):g} days"
    return f"{value:,.0f}" if isinstance(value, int | float | np.number) else str(value)


def plot_drawdown_table(axes: Any, table: pd.DataFrame) -> None:
    """The worst drawdown periods as a table."""
    headers, rows = drawdown_rows(table)
    axes.set_axis_off()
    drawn = axes.table(cellText=rows, colLabels=headers, loc="upper center", cellLoc="center")
    drawn.auto_set_font_size(False)
    drawn.set_fontsize(8)
    drawn.scale(1.0, 1.25)
    for (row, _column), cell in drawn.get_celld().items():
        cell.set_edgecolor("#dddddd")
        if row == 0:
            cell.set_facecolor("#e8eef5")
            cell.set_text_props(fontweight="bold", color=STRATEGY)
    axes.set_title(f"Worst {len(rows)} drawdowns")


def plot_return_distribution(
    axes: Any, returns: pd.Series, var: float | None, cvar: float | None, confidence: float
) -> None:
    """Histogram of the periodic returns with the VaR and CVaR (returns, negative for a
    loss) marked."""
    values = returns.to_numpy(dtype=float)
    axes.hist(values, bins=min(80, max(10, values.size // 20)), color=STRATEGY, **_FILLED)
    level = f"{confidence:.0%}"
    if var is not None and np.isfinite(var):
        axes.axvline(var, color="#e67e22", linestyle="--", label=f"VaR {level}: {var:.2%}")
    if cvar is not None and np.isfinite(cvar):
        axes.axvline(cvar, color=LOSS, linestyle="-", label=f"CVaR {level}: {cvar:.2%}")
    axes.set_title("Distribution of periodic returns")
    axes.set_xlabel("return")
    axes.set_ylabel("periods")
    _percent_axis(axes, which="x")
    axes.legend(loc="upper left")


def plot_rolling_sharpe(
    axes: Any, rolling: pd.DataFrame, window: int, overall: float | None
) -> None:
    """Rolling Sharpe ratio over ``window`` periods, with the whole period's as a line."""
    sharpe = rolling["sharpe"]
    axes.plot(_x(sharpe.index), sharpe.to_numpy(dtype=float), color=STRATEGY, label="rolling")
    axes.axhline(0.0, color="#999999", linewidth=0.6)
    if overall is not None and np.isfinite(overall):
        axes.axhline(overall, color=FAN, linestyle="--", label=f"whole period: {overall:.2f}")
    axes.set_title(f"Rolling Sharpe ratio ({window} periods)")
    axes.set_ylabel("Sharpe ratio (annualised)")
    _time_axis(axes, sharpe.index)
    axes.legend(loc="upper left")


def plot_monte_carlo_fan(axes: Any, result: MonteCarloResult) -> None:
    """Percentile bands of simulated cumulative return against periods ahead."""
    bands = result.percentiles - 1.0
    steps = bands.index.to_numpy()
    columns = list(bands.columns)
    low, high = columns[0], columns[-1]
    axes.fill_between(
        steps,
        bands[low],
        bands[high],
        color=FAN,
        alpha=0.18,
        linewidth=0,
        label=f"{_pct(low)}-{_pct(high)}th percentile",
    )
    if len(columns) >= 4:
        inner_low, inner_high = columns[1], columns[-2]
        axes.fill_between(
            steps,
            bands[inner_low],
            bands[inner_high],
            color=FAN,
            alpha=0.35,
            linewidth=0,
            label=f"{_pct(inner_low)}-{_pct(inner_high)}th percentile",
        )
    middle = columns[len(columns) // 2]
    axes.plot(steps, bands[middle], color=STRATEGY, label=f"median ({_pct(middle)}th)")
    axes.axhline(0.0, color="#999999", linewidth=0.6)
    axes.set_xlim(steps[0], steps[-1])
    axes.set_title(
        f"Monte Carlo: {result.n_simulations:,d} {result.method.replace('_', ' ')} paths"
    )
    axes.set_xlabel("periods ahead")
    axes.set_ylabel("cumulative return")
    _percent_axis(axes, decimals=0)
    axes.legend(loc="upper left")


def _pct(column: Any) -> str:
    return f"{float(column):g}"


def plot_distribution(axes: Any, values: np.ndarray, title: str, colour: str) -> None:
    """Histogram of simulated figures (fractions) with the median marked."""
    axes.hist(values, bins=60, color=colour, **_FILLED)
    median = float(np.median(values))
    axes.axvline(median, color="#333333", linestyle="--", label=f"median {median:.1%}")
    axes.set_title(title)
    axes.set_ylabel("paths")
    _percent_axis(axes, which="x", decimals=0)
    axes.legend(loc="upper right")


def plot_trade_pnl(axes: Any, pnl: pd.Series) -> None:
    """Histogram of the closed trades' P&L, winners green and losers red."""
    values = pnl.to_numpy(dtype=float)
    bins = np.histogram_bin_edges(values, bins=min(60, max(10, values.size // 5)))
    axes.hist(values[values > 0], bins=bins, color=GAIN, label="winning trades", **_FILLED)
    axes.hist(values[values <= 0], bins=bins, color=LOSS, label="losing trades", **_FILLED)
    mean = float(values.mean())
    axes.axvline(mean, color="#333333", linestyle="--", label=f"mean {mean:,.2f}")
    axes.set_title(f"Trade P&L ({values.size:,d} trades)")
    axes.set_xlabel("P&L per trade")
    axes.set_ylabel("trades")
    _money_axis(axes.xaxis)
    axes.legend(loc="upper left")


def plot_cumulative_pnl(axes: Any, pnl: pd.Series, exit_times: pd.Series | None) -> None:
    """Cumulative P&L of the trades in the order they closed."""
    total = pnl.cumsum().to_numpy(dtype=float)
    if exit_times is not None:
        index = pd.DatetimeIndex(exit_times)
        axes.step(_x(index), total, where="post", color=STRATEGY)
        _time_axis(axes, index)
    else:
        axes.step(np.arange(1, total.size + 1), total, where="post", color=STRATEGY)
        axes.set_xlabel("trade")
    axes.axhline(0.0, color="#999999", linewidth=0.6)
    axes.set_title("Cumulative trade P&L")
    axes.set_ylabel("P&L")
    _money_axis(axes.yaxis)


def plot_regime_prices(axes: Any, prices: pd.Series, regimes: np.ndarray) -> None:
    """Price line over a background shaded by regime (0 bull, 1 bear, 2 sideways...)."""
    from mlcore.regimes import shade_regimes

    x = _x(prices.index)
    values = prices.to_numpy(dtype=float)
    (line,) = axes.plot(x, values, color="#222222", linewidth=0.8, label="price")
    handles = shade_regimes(
        axes, prices.index if isinstance(prices.index, pd.DatetimeIndex) else x, regimes
    )
    axes.legend(handles=[line, *handles], loc="upper left")
    if values.size and values.min() > 0 and values.max() > 10 * values.min():
        axes.set_yscale("log")  # prices spanning decades stay readable
    axes.set_xlim(x[0], x[-1])
    axes.set_title("Price shaded by regime")
    axes.set_ylabel("price")
    _time_axis(axes, prices.index)
