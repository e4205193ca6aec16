"""AdvancedAnalytics: performance metrics, risk, simulations and reports from one history."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import numpy as np
import pandas as pd

from mlcore.analytics import attribution, benchmark, drawdowns, periods, plugin_metrics, risk
from mlcore.analytics import returns as returns_metrics
from mlcore.analytics.attribution import FactorAttribution
from mlcore.analytics.conventions import Compounding, Conventions
from mlcore.analytics.metrics import BasicMetrics, BenchmarkMetrics, PerformanceMetrics, RiskMetrics
from mlcore.analytics.montecarlo import DEFAULT_PERCENTILES, MonteCarloResult, simulate_paths
from mlcore.analytics.series import equity_to_returns, validate_equity, validate_returns
from mlcore.analytics.trades import (
    gross_exposure_peak,
    trade_statistics,
    trades_to_returns,
    validate_trades,
)
from mlcore.errors import AnalyticsError

if TYPE_CHECKING:
    from mlcore.config import MlcoreConfig
    from mlcore.host import PluginHost
    from mlcore.protocols import Metric

__all__ = ["AdvancedAnalytics"]


class AdvancedAnalytics:
    """Performance analytics of a trade history, a return series or an equity curve.

    Add data with :meth:`add_trades`, :meth:`add_returns` or :meth:`add_equity` (and a
    benchmark), then call :meth:`calculate_metrics` and the other analyses. Returns come
    from the data added last of ``add_returns``/``add_equity``; with trades only, they are
    the daily returns of an account that books each trade's P&L at its exit (see
    :meth:`add_trades`).

    ``risk_free_rate`` is annual; metrics use the per-period rate given by
    ``risk_free_compounding`` (``"geometric"``: ``(1 + r) ** (1 / periods_per_year) - 1``,
    the default; ``"simple"``: ``r / periods_per_year``). The other keyword conventions
    are the fields of :class:`Conventions`. ``metrics`` fixes the plugin metrics to
    compute (name -> metric); otherwise they come from ``host``'s metric registry, or from
    a host loaded with the installed plugins on first use.
    """

    def __init__(
        self,
        risk_free_rate: float = 0.02,
        periods_per_year: int = 252,
        *,
        risk_free_compounding: Compounding = "geometric",
        target_return: float | None = None,
        confidence_level: float = 0.95,
        benchmark_sharpe: float = 0.0,
        n_trials: int = 1,
        trials_sharpe_variance: float | None = None,
        metrics: Mapping[str, Metric] | None = None,
        host: PluginHost | None = None,
    ) -> None:
        try:
            self.conventions = Conventions(
                risk_free_rate=risk_free_rate,
                periods_per_year=periods_per_year,
                risk_free_compounding=risk_free_compounding,
                target_return=target_return,
                confidence_level=confidence_level,
                benchmark_sharpe=benchmark_sharpe,
                n_trials=n_trials,
                trials_sharpe_variance=trials_sharpe_variance,
            )
        except (ValueError, TypeError) as error:
            raise AnalyticsError(f"AdvancedAnalytics: {error}") from None
        self._metrics = dict(metrics) if metrics is not None else None
        self._host = host
        self._trades: pd.DataFrame | None = None
        self._trade_returns: pd.Series | None = None
        self._capital: float | None = None
        self._returns: pd.Series | None = None
        self._equity: pd.Series | None = None
        self._benchmark: pd.Series | None = None

    @classmethod
    def from_config(cls, config: MlcoreConfig, *, host: PluginHost | None = None) -> Self:
        """Analytics with the conventions of ``config.analytics``."""
        section = config.analytics
        return cls(section.risk_free_rate, section.periods_per_year, host=host)

    @property
    def risk_free_rate(self) -> float:
        return self.conventions.risk_free_rate

    @property
    def periods_per_year(self) -> float:
        return self.conventions.periods_per_year

    # -- data ------------------------------------------------------------------

    def add_trades(
        self,
        trade_history: pd.DataFrame | Sequence[Mapping[str, Any]],
        *,
        capital: float | None = None,
    ) -> Self:
        """Add a trade history (see :func:`mlcore.analytics.trades.validate_trades`).

        ``capital`` is the account that funds the trades; it turns realised P&L into
        returns when no returns or equity were added. It defaults to the peak gross
        exposure: the largest total entry notional open at one time, so the account is
        never leveraged.
        """
        trades = validate_trades(trade_history)
        if capital is not None and not (math.isfinite(capital) and capital > 0):
            raise AnalyticsError(f"capital must be a finite amount > 0, got {capital!r}")
        self._trades = trades
        self._trade_returns = None
        self._capital = float(capital) if capital is not None else gross_exposure_peak(trades)
        return self

    def add_returns(self, returns: pd.Series, benchmark: pd.Series | None = None) -> Self:
        """Add simple periodic returns (0.01 is +1%) on a DatetimeIndex.

        The equity curve becomes the wealth of 1.0 invested before the first return.
        """
        self._returns = validate_returns(returns)
        self._equity = None
        if benchmark is not None:
            self.add_benchmark(benchmark)
        return self

    def add_equity(self, equity: pd.Series) -> Self:
        """Add an equity curve (wealth, > 0); its returns are the changes between values."""
        curve = validate_equity(equity)
        self._returns = equity_to_returns(curve)
        self._equity = curve
        return self

    def add_benchmark(self, returns: pd.Series) -> Self:
        """Add a benchmark's simple periodic returns; it is compared on the common dates."""
        self._benchmark = validate_returns(returns, "benchmark")
        return self

    @property
    def trades(self) -> pd.DataFrame | None:
        """The validated trades with ``direction``, ``pnl``, ``return`` and ``duration``."""
        return None if self._trades is None else self._trades.copy()

    @property
    def returns(self) -> pd.Series | None:
        """The periodic returns: added, from the equity curve, or implied by the trades."""
        if self._returns is not None:
            return self._returns.copy()
        if self._trades is not None:
            if self._trade_returns is None:
                self._trade_returns = trades_to_returns(self._trades, self._capital or 1.0)
            return self._trade_returns.copy()
        return None

    @property
    def equity(self) -> pd.Series | None:
        """Wealth after each period: the added curve, else 1.0 (or the trades' capital)
        compounded by the returns."""
        if self._equity is not None:
            return self._equity.copy()
        returns = self.returns
        if returns is None:
            return None
        return (self._starting_wealth() * (1.0 + returns).cumprod()).rename("equity")

    def _starting_wealth(self) -> float:
        return self._capital if self._returns is None and self._capital else 1.0

    def _wealth(self, values: np.ndarray) -> np.ndarray:
        """The equity curve with its starting value first."""
        if self._equity is not None:
            return self._equity.to_numpy()
        start = self._starting_wealth()
        return start * np.concatenate(([1.0], np.cumprod(1.0 + values)))

    @property
    def benchmark(self) -> pd.Series | None:
        """The benchmark's returns, as added."""
        return None if self._benchmark is None else self._benchmark.copy()

    def _require_returns(self, minimum: int = 2) -> pd.Series:
        returns = self.returns
        if returns is None:
            raise AnalyticsError(
                "no returns to analyse: call add_returns(), add_equity() or add_trades() first"
            )
        if returns.size < minimum:
            raise AnalyticsError(
                f"the analysis needs at least {minimum} returns, got {returns.size}"
            )
        return returns

    # -- metrics ---------------------------------------------------------------

    def calculate_metrics(self) -> PerformanceMetrics:
        """Basic, risk and benchmark metrics, plus every plugin metric that applies."""
        returns = self._require_returns()
        values = returns.to_numpy()
        trades = self._trades
        basic = BasicMetrics(
            total_return=returns_metrics.total_return(values),
            **(trade_statistics(trades) if trades is not None else {}),
        )
        extra, failures = plugin_metrics.evaluate(
            self._plugin_metrics(),
            returns=returns,
            benchmark=self._benchmark,
            trades=trades,
            conventions=self.conventions,
        )
        return PerformanceMetrics(
            basic=basic,
            risk=self._risk_metrics(values),
            benchmark=self._benchmark_metrics(returns),
            extra=extra,
            failures=failures,
        )

    def _risk_metrics(self, values: np.ndarray) -> RiskMetrics:
        c = self.conventions
        rf, target, n = c.risk_free_per_period, c.target_per_period, c.periods_per_year
        excess = values - rf
        return RiskMetrics(
            annual_return=returns_metrics.annual_return(values, n),
            annual_volatility=returns_metrics.annual_volatility(values, n),
            sharpe_ratio=returns_metrics.sharpe_ratio(values, rf, n),
            sortino_ratio=returns_metrics.sortino_ratio(values, target, n),
            calmar_ratio=returns_metrics.calmar_ratio(values, n),
            omega_ratio=returns_metrics.omega_ratio(values, target),
            downside_risk=returns_metrics.downside_risk(values, target, n),
            max_drawdown=drawdowns.max_drawdown(values),
            max_drawdown_absolute=drawdowns.max_drawdown_absolute(self._wealth(values)),
            max_drawdown_duration=drawdowns.max_drawdown_duration(values),
            value_at_risk=risk.value_at_risk(values, c.confidence_level),
            conditional_value_at_risk=risk.conditional_value_at_risk(values, c.confidence_level),
            tail_ratio=returns_metrics.tail_ratio(values),
            stability=returns_metrics.stability(values),
            skewness=returns_metrics.skewness(values),
            kurtosis=returns_metrics.kurtosis(values),
            kelly_fraction=risk.kelly_fraction(values, rf),
            probabilistic_sharpe_ratio=risk.probabilistic_sharpe_ratio(
                excess, c.benchmark_sharpe / math.sqrt(n)
            ),
            deflated_sharpe_ratio=risk.deflated_sharpe_ratio(
                excess, c.n_trials, (c.trials_sharpe_variance or 0.0) / n
            ),
        )

    def _benchmark_metrics(self, returns: pd.Series) -> BenchmarkMetrics | None:
        if self._benchmark is None:
            return None
        return BenchmarkMetrics(**self._benchmark_figures(returns))

    def _benchmark_figures(self, returns: pd.Series) -> dict[str, float]:
        assert self._benchmark is not None
        ours, theirs = benchmark.align(returns, self._benchmark)
        return benchmark.benchmark_statistics(
            ours,
            theirs,
            risk_free=self.conventions.risk_free_per_period,
            periods_per_year=self.conventions.periods_per_year,
        )

    def _plugin_metrics(self) -> Mapping[str, Any]:
        if self._metrics is not None:
            return self._metrics
        if self._host is None:
            from mlcore.host import PluginHost

            self._host = PluginHost.from_config(None).load()
        return plugin_metrics.registered_metrics(self._host)

    # -- risk ------------------------------------------------------------------

    def calculate_var(self, confidence_level: float = 0.95, method: str = "historical") -> float:
        """Value at risk: the return at the ``1 - confidence_level`` quantile (negative for
        a loss), by ``historical``, ``parametric`` (normal) or ``cornish_fisher``."""
        values = self._require_returns().to_numpy()
        return risk.value_at_risk(values, confidence_level, method)

    def calculate_cvar(self, confidence_level: float = 0.95, method: str = "historical") -> float:
        """Conditional value at risk (expected shortfall): the mean return beyond the VaR."""
        values = self._require_returns().to_numpy()
        return risk.conditional_value_at_risk(values, confidence_level, method)

    # -- advanced --------------------------------------------------------------

    def monte_carlo_simulation(
        self,
        n_simulations: int = 10000,
        time_horizon: int = 252,
        method: str = "bootstrap",
        seed: int | None = None,
        block_size: int | None = None,
        percentiles: Sequence[float] = DEFAULT_PERCENTILES,
    ) -> MonteCarloResult:
        """Simulated wealth paths drawn from the returns (see
        :func:`mlcore.analytics.montecarlo.simulate_paths`)."""
        return simulate_paths(
            self._require_returns().to_numpy(),
            n_simulations=n_simulations,
            time_horizon=time_horizon,
            method=method,
            seed=seed,
            block_size=block_size,
            percentiles=percentiles,
        )

    def rolling_performance(self, window: int = 63) -> pd.DataFrame:
        """Return, volatility and Sharpe ratio over trailing windows of ``window`` periods."""
        return periods.rolling_performance(
            self._require_returns(),
            window,
            risk_free=self.conventions.risk_free_per_period,
            periods_per_year=self.conventions.periods_per_year,
        )

    def monthly_returns(self) -> pd.DataFrame:
        """Compounded returns per calendar month: index year, columns 1..12."""
        return periods.monthly_returns(self._require_returns(1))

    def drawdown_series(self) -> pd.Series:
        """The underwater curve: the drawdown (<= 0) after each period."""
        returns = self._require_returns(1)
        return pd.Series(
            drawdowns.drawdowns(returns.to_numpy()), index=returns.index, name="drawdown"
        )

    def analyze_drawdowns(self, top: int | None = None) -> pd.DataFrame:
        """The drawdown periods, deepest first (the ``top`` deepest when given); see
        :func:`mlcore.analytics.drawdowns.drawdown_periods` for the columns."""
        if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
            raise AnalyticsError(f"top must be a positive integer or None, got {top!r}")
        table = drawdowns.drawdown_periods(self.drawdown_series())
        return table if top is None else table.head(top)

    def benchmark_statistics(self) -> dict[str, float]:
        """Correlation, beta, alpha, information ratio and tracking error (see
        :class:`BenchmarkMetrics`)."""
        returns = self._require_returns()
        if self._benchmark is None:
            raise AnalyticsError(
                "no benchmark: call add_benchmark() or add_returns(returns, benchmark) first",
                column="benchmark",
            )
        return self._benchmark_figures(returns)

    def factor_attribution(
        self, factors: pd.DataFrame, *, subtract_risk_free: bool = True
    ) -> FactorAttribution:
        """OLS of the returns on ``factors`` (per-period factor returns), with intercept.

        With ``subtract_risk_free`` the dependent variable is the excess return over the
        per-period risk-free rate (factors such as Fama-French's are excess returns).
        """
        returns = self._require_returns()
        if subtract_risk_free:
            returns = returns - self.conventions.risk_free_per_period
        return attribution.factor_attribution(
            returns, factors, periods_per_year=self.conventions.periods_per_year
        )

    # -- reports ---------------------------------------------------------------

    def generate_pdf_report(self, path: str | os.PathLike[str], **options: Any) -> Path:
        """Write a PDF tearsheet (needs ``mlcore[reports]``)."""
        from mlcore.analytics.reports.pdf import write_pdf

        written: Path = write_pdf(self, path, **options)
        return written

    def export_to_excel(self, path: str | os.PathLike[str], **options: Any) -> Path:
        """Write an Excel workbook (needs ``mlcore[reports]``)."""
        from mlcore.analytics.reports.excel import write_excel

        written: Path = write_excel(self, path, **options)
        return written

    def to_html(self, path: str | os.PathLike[str], **options: Any) -> Path:
        """Write a self-contained HTML tearsheet."""
        from mlcore.analytics.reports.html import write_html

        written: Path = write_html(self, path, **options)
        return written

    def __repr__(self) -> str:
        parts = [f"risk_free_rate={self.risk_free_rate}", f"periods={self.periods_per_year:g}"]
        if self._trades is not None:
            parts.append(f"trades={len(self._trades)}")
        returns = self.returns
        if returns is not None:
            parts.append(f"returns={returns.size}")
        if self._benchmark is not None:
            parts.append("benchmark")
        return f"AdvancedAnalytics({', '.join(parts)})"
