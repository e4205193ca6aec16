"""The typed result of :meth:`AdvancedAnalytics.calculate_metrics`.

Fields are grouped as the issue lists them: ``basic`` (trade statistics and the total
return), ``risk`` (return-based risk and reward ratios) and ``benchmark`` (relative to a
benchmark). ``extra`` holds the metrics that plugins register; :meth:`to_dict` flattens
everything into one mapping of snake_case keys to plain numbers.
"""

from __future__ import annotations

from typing import Any

import attrs
import pandas as pd

__all__ = ["BasicMetrics", "BenchmarkMetrics", "PerformanceMetrics", "RiskMetrics"]


@attrs.frozen(kw_only=True)
class BasicMetrics:
    """Total return and, when trades were added, the trade statistics.

    Money amounts (P&L) are in the trades' currency. Trade fields are ``None`` when no
    trades were added. ``profit_factor`` is ``inf`` when there is a profit and no losing
    trade, and ``0.0`` when there is neither profit nor loss; ``payoff_ratio`` likewise.
    """

    total_return: float
    total_trades: int | None = None
    winning_trades: int | None = None
    losing_trades: int | None = None
    win_rate: float | None = None
    profit_factor: float | None = None
    gross_profit: float | None = None
    gross_loss: float | None = None
    net_profit: float | None = None
    average_win: float | None = None
    average_loss: float | None = None
    largest_win: float | None = None
    largest_loss: float | None = None
    payoff_ratio: float | None = None
    expectancy: float | None = None
    average_trade_return: float | None = None
    average_trade_duration: pd.Timedelta | None = None
    trade_kelly_fraction: float | None = None


@attrs.frozen(kw_only=True)
class RiskMetrics:
    """Risk and risk-adjusted return of the periodic returns.

    ``max_drawdown`` is a negative fraction (-0.25 is a fall of 25% from the peak), as in
    empyrical; ``max_drawdown_absolute`` is the same fall in the equity curve's units
    (negative); ``max_drawdown_duration`` counts the periods of the longest spell under
    water. ``value_at_risk`` and ``conditional_value_at_risk`` are historical, at the
    conventions' confidence level, expressed as returns (negative for a loss).
    ``stability`` is the R-squared of a line fitted to the cumulative log returns;
    ``skewness`` and ``kurtosis`` (excess) are the biased moment estimators.
    """

    annual_return: float
    annual_volatility: float
    sharpe_ratio: float
    sortino_ratio: float
    calmar_ratio: float
    omega_ratio: float
    downside_risk: float
    max_drawdown: float
    max_drawdown_absolute: float
    max_drawdown_duration: int
    value_at_risk: float
    conditional_value_at_risk: float
    tail_ratio: float
    stability: float
    skewness: float
    kurtosis: float
    kelly_fraction: float
    probabilistic_sharpe_ratio: float
    deflated_sharpe_ratio: float


@attrs.frozen(kw_only=True)
class BenchmarkMetrics:
    """The returns against a benchmark's, on their common dates.

    ``alpha`` is annualised as ``(1 + mean daily alpha) ** periods_per_year - 1``;
    ``information_ratio`` and ``tracking_error`` are annualised with
    ``sqrt(periods_per_year)``.
    """

    correlation: float
    beta: float
    alpha: float
    information_ratio: float
    tracking_error: float


@attrs.frozen(kw_only=True)
class PerformanceMetrics:
    """Everything :meth:`AdvancedAnalytics.calculate_metrics` computes.

    ``extra`` maps the name of each plugin metric to its value; ``failures`` maps the name
    of each plugin metric that raised (or returned a non-number) to the reason, and such a
    metric is left out of ``extra``.
    """

    basic: BasicMetrics
    risk: RiskMetrics
    benchmark: BenchmarkMetrics | None = None
    extra: dict[str, float] = attrs.field(factory=dict)
    failures: dict[str, str] = attrs.field(factory=dict)

    def to_dict(self) -> dict[str, float | int]:
        """Every metric that applies, by snake_case name, as a plain ``float`` or ``int``.

        Trade statistics appear only when trades were added and benchmark statistics only
        with a benchmark. ``average_trade_duration`` becomes ``average_trade_duration_days``
        (a float number of days). Plugin metrics follow under their registered names.
        """
        flat: dict[str, float | int] = {}
        for group in (self.basic, self.risk, self.benchmark):
            if group is not None:
                flat.update(_plain(group))
        flat.update(self.extra)
        return flat


def _plain(group: Any) -> dict[str, float | int]:
    values: dict[str, float | int] = {}
    for name, value in attrs.asdict(group, recurse=False).items():
        if value is None:
            continue
        if isinstance(value, pd.Timedelta):
            values[f"{name}_days"] = value / pd.Timedelta(days=1)
        elif isinstance(value, int) and not isinstance(value, bool):
            values[name] = int(value)
        else:
            values[name] = float(value)
    return values
