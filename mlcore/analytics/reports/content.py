"""What a performance report shows, computed once from an :class:`AdvancedAnalytics` and
shared by the PDF, Excel and HTML writers.

Each part (metrics, VaR, monthly returns, drawdowns, rolling Sharpe, Monte Carlo, trades,
regimes) is computed on its own: a part that cannot be computed from the data is left out
and :attr:`Report.notes` says which and why, so one failing part never costs the report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from mlcore._version import __version__
from mlcore.analytics.reports.figures import KeyFigure, key_figures
from mlcore.analytics.rows import row_error
from mlcore.errors import AnalyticsError, MlcoreError

if TYPE_CHECKING:
    from mlcore.analytics.core import AdvancedAnalytics
    from mlcore.analytics.montecarlo import MonteCarloResult

__all__ = ["Report", "as_report", "build_report"]

T = TypeVar("T")

#: The failures that cost one part of a report, not the whole report.
_PART_FAILURES = (MlcoreError, ValueError, ArithmeticError, KeyError)


@attrs.frozen(kw_only=True)
class Report:
    """The figures and tables of one performance report.

    ``metrics`` is ``calculate_metrics().to_dict()``; ``plugin_metrics`` names the ones
    plugins contributed. ``returns``, ``equity`` and ``drawdown`` share one index;
    ``benchmark_equity`` is the benchmark's wealth from 1.0 over the same span. The
    optional parts are ``None`` when they do not apply or failed; ``notes`` says why.
    ``key_figures`` are those of :func:`~mlcore.analytics.reports.figures.key_figures`.
    """

    title: str
    created: dt.datetime
    risk_free_rate: float
    periods_per_year: float
    confidence: float
    metrics: dict[str, float | int]
    plugin_metrics: tuple[str, ...]
    returns: pd.Series = attrs.field(eq=False)
    equity: pd.Series = attrs.field(eq=False)
    drawdown: pd.Series = attrs.field(eq=False)
    benchmark_equity: pd.Series | None = attrs.field(eq=False)
    var: float | None
    cvar: float | None
    monthly: pd.DataFrame | None = attrs.field(eq=False)
    drawdowns: pd.DataFrame | None = attrs.field(eq=False)
    rolling: pd.DataFrame | None = attrs.field(eq=False)
    rolling_window: int
    monte_carlo: MonteCarloResult | None = attrs.field(eq=False)
    trades: pd.DataFrame | None = attrs.field(eq=False)
    prices: pd.Series | None = attrs.field(eq=False)
    regimes: np.ndarray | None = attrs.field(eq=False)
    key_figures: tuple[KeyFigure, ...]
    notes: tuple[str, ...] = ()

    @property
    def subtitle(self) -> str:
        """Period, number of periods, conventions and provenance in one line."""
        index = self.returns.index
        if isinstance(index, pd.DatetimeIndex) and len(index):
            span = f"{index[0]:%Y-%m-%d} to {index[-1]:%Y-%m-%d}"
        else:
            span = f"periods {index[0]} to {index[-1]}" if len(index) else "no periods"
        return (
            f"{span}  |  {len(index):,d} periods  |  risk-free rate {self.risk_free_rate:.2%}  |  "
            f"{self.periods_per_year:g} periods a year  |  generated "
            f"{self.created:%Y-%m-%d %H:%M} UTC by mlcore {__version__}"
        )


def build_report(
    analytics: AdvancedAnalytics,
    *,
    title: str | None = None,
    prices: pd.Series | pd.DataFrame | None = None,
    regimes: pd.Series | pd.DataFrame | npt.ArrayLike | None = None,
    monte_carlo: MonteCarloResult | None = None,
    simulations: int = 10_000,
    horizon: int | None = None,
    simulation_method: str = "bootstrap",
    seed: int | None = 0,
    confidence: float | None = None,
    rolling_window: int = 63,
    drawdown_table_rows: int | None = 10,
) -> Report:
    """Compute everything a report shows.

    - ``prices`` (a price Series, or OHLCV bars whose ``close`` is used) and ``regimes``
      (labels 0 bull, 1 bear, 2 sideways..., one per price: an array, a Series on the
      prices' index, or the frame of :func:`mlcore.regimes.detect_regimes`) add the
      regime-shaded price chart; both are needed.
    - ``monte_carlo``: a finished simulation to show; when None, ``simulations`` paths of
      ``horizon`` periods (default: one year, ``periods_per_year``) are simulated with
      ``simulation_method`` and ``seed`` (fixed by default, so that the same data gives
      the same report); ``simulations=0`` leaves the simulation out.
    - ``confidence``: the VaR and CVaR level (default: the analytics' conventions, 0.95).
    - ``rolling_window``: periods of the rolling Sharpe ratio.
    - ``drawdown_table_rows``: the deepest drawdown periods tabulated (None: all).
    """
    returns = analytics.returns
    if returns is None or len(returns) == 0:
        raise AnalyticsError(
            "a report needs a return history: call add_returns(), add_equity() or "
            "add_trades() on the AdvancedAnalytics first"
        )
    if simulations < 0:
        raise ValueError(f"simulations must be >= 0, got {simulations}")
    conventions = analytics.conventions
    periods_per_year = float(conventions.periods_per_year)
    level = conventions.confidence_level if confidence is None else confidence
    notes: list[str] = []
    result = analytics.calculate_metrics()
    notes += [f"plugin metric {name!r} failed: {why}" for name, why in result.failures.items()]
    equity = analytics.equity
    if monte_carlo is None and simulations:
        monte_carlo = _part(
            notes,
            "Monte Carlo simulation",
            lambda: analytics.monte_carlo_simulation(
                n_simulations=simulations,
                time_horizon=horizon or round(periods_per_year),
                method=simulation_method,
                seed=seed,
            ),
        )
    elif monte_carlo is None:
        notes.append("Monte Carlo simulation: left out (simulations=0)")
    price_line, labels = _regime_inputs(prices, regimes, notes)
    drawdown = analytics.drawdown_series()
    return Report(
        title=title or "Performance report",
        created=dt.datetime.now(dt.UTC),
        risk_free_rate=conventions.risk_free_rate,
        periods_per_year=periods_per_year,
        confidence=level,
        metrics=result.to_dict(),
        plugin_metrics=tuple(result.extra),
        returns=returns,
        equity=equity if equity is not None else (1.0 + returns).cumprod(),
        drawdown=drawdown,
        benchmark_equity=_benchmark_equity(analytics.benchmark, returns),
        var=_part(notes, "value at risk", lambda: analytics.calculate_var(level)),
        cvar=_part(notes, "conditional value at risk", lambda: analytics.calculate_cvar(level)),
        monthly=_part(notes, "monthly returns", analytics.monthly_returns),
        drawdowns=_part(
            notes, "drawdown table", lambda: analytics.analyze_drawdowns(top=drawdown_table_rows)
        ),
        rolling=_part(
            notes, "rolling performance", lambda: analytics.rolling_performance(rolling_window)
        ),
        rolling_window=rolling_window,
        monte_carlo=monte_carlo,
        trades=_trades(analytics.trades, notes),
        prices=price_line,
        regimes=labels,
        key_figures=key_figures(returns, drawdown),
        notes=tuple(notes),
    )


def _part(notes: list[str], what: str, compute: Callable[[], T]) -> T | None:
    """``compute()``, or None with a note saying why ``what`` is missing from the report."""
    try:
        return compute()
    except _PART_FAILURES as error:
        notes.append(f"{what}: left out ({error})")
        return None


def _benchmark_equity(benchmark: pd.Series | None, returns: pd.Series) -> pd.Series | None:
    """The benchmark's wealth from 1.0 over the returns' span."""
    if benchmark is None or len(benchmark) == 0:
        return None
    first, last = returns.index[0], returns.index[-1]
    inside = benchmark[(benchmark.index >= first) & (benchmark.index <= last)]
    wealth: pd.Series = (1.0 + inside.astype(float)).cumprod()
    return wealth


def _trades(trades: pd.DataFrame | None, notes: list[str]) -> pd.DataFrame | None:
    if trades is None or len(trades) == 0:
        notes.append("no trades: the trade page and sheet are left out")
        return None
    if "pnl" not in trades:
        notes.append("the trades have no 'pnl' column: the trade P&L chart is left out")
    return trades


def _regime_inputs(
    prices: pd.Series | pd.DataFrame | None,
    regimes: pd.Series | pd.DataFrame | npt.ArrayLike | None,
    notes: list[str],
) -> tuple[pd.Series | None, np.ndarray | None]:
    """The price line and one regime label per price, checked against each other."""
    if prices is None and regimes is None:
        return None, None
    if prices is None or regimes is None:
        given, missing = ("prices", "regimes") if regimes is None else ("regimes", "prices")
        notes.append(f"regime chart: left out ({given} given without {missing}; pass both)")
        return None, None
    line = _price_line(prices)
    if isinstance(regimes, pd.DataFrame):
        if "regime" not in regimes:
            raise AnalyticsError(
                "regimes is a frame without a 'regime' column; pass the frame of "
                "detect_regimes() or a Series of labels",
                column="regime",
            )
        regimes = regimes["regime"]
    if isinstance(regimes, pd.Series):
        aligned = regimes.reindex(line.index)
        unlabelled = np.flatnonzero(aligned.isna().to_numpy())
        if unlabelled.size:
            raise row_error(
                f"regimes has no label for {unlabelled.size} price rows: prices {{row}}; "
                "give one label per price row",
                line.index,
                unlabelled,
            )
        labels = aligned.to_numpy(dtype=np.int64)
    else:
        labels = np.asarray(regimes, dtype=np.int64).ravel()
    if labels.size != len(line):
        raise AnalyticsError(
            f"prices has {len(line)} rows but regimes has {labels.size} labels; give one "
            "label per price row"
        )
    return line, labels


def _price_line(prices: pd.Series | pd.DataFrame) -> pd.Series:
    if isinstance(prices, pd.DataFrame):
        if "close" not in prices:
            raise AnalyticsError(
                f"prices is a frame without a 'close' column (it has {list(prices.columns)}); "
                "pass OHLCV bars or a price Series",
                column="close",
            )
        prices = prices["close"]
    line: pd.Series = prices.astype(float)
    return line


def as_report(analytics: AdvancedAnalytics | Report, options: dict[str, Any]) -> Report:
    """``analytics`` itself when it is a finished :class:`Report` (then ``options`` must be
    empty), else :func:`build_report` with ``options``."""
    if isinstance(analytics, Report):
        if options:
            raise TypeError(
                f"options {sorted(options)} apply when building a report; a finished Report "
                "was given, so build it with them: build_report(analytics, ...)"
            )
        return analytics
    return build_report(analytics, **options)
