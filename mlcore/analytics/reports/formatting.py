"""How each metric is shown: its label, its kind (percent, ratio, money, count, days) and
the matching text and spreadsheet number formats.

Metric values stay raw numbers everywhere (a return of 12% is ``0.12``); only their
display changes. Infinite values (a profit factor with no losing trade) are shown as
``inf``; a missing value as ``n/a``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

__all__ = [
    "EXCEL_FORMATS",
    "MetricKind",
    "format_metric",
    "is_missing",
    "metric_groups",
    "metric_kind",
    "metric_label",
]

MetricKind = Literal["percent", "ratio", "money", "count", "days", "number"]

_PERCENT: Final = frozenset(
    {
        "total_return",
        "win_rate",
        "average_trade_return",
        "trade_kelly_fraction",
        "annual_return",
        "annual_volatility",
        "downside_risk",
        "max_drawdown",
        "value_at_risk",
        "conditional_value_at_risk",
        "kelly_fraction",
        "probabilistic_sharpe_ratio",
        "deflated_sharpe_ratio",
        "alpha",
        "tracking_error",
    }
)
_MONEY: Final = frozenset(
    {
        "gross_profit",
        "gross_loss",
        "net_profit",
        "average_win",
        "average_loss",
        "largest_win",
        "largest_loss",
        "expectancy",
        "max_drawdown_absolute",
    }
)
_COUNT: Final = frozenset(
    {"total_trades", "winning_trades", "losing_trades", "max_drawdown_duration"}
)
_RATIO: Final = frozenset(
    {
        "sharpe_ratio",
        "sortino_ratio",
        "calmar_ratio",
        "omega_ratio",
        "tail_ratio",
        "stability",
        "skewness",
        "kurtosis",
        "profit_factor",
        "payoff_ratio",
        "correlation",
        "beta",
        "information_ratio",
    }
)
_TRADE_KEYS: Final = (
    "total_trades",
    "winning_trades",
    "losing_trades",
    "win_rate",
    "profit_factor",
    "payoff_ratio",
    "gross_profit",
    "gross_loss",
    "net_profit",
    "average_win",
    "average_loss",
    "largest_win",
    "largest_loss",
    "expectancy",
    "average_trade_return",
    "average_trade_duration_days",
    "trade_kelly_fraction",
)
_BENCHMARK_KEYS: Final = ("correlation", "beta", "alpha", "information_ratio", "tracking_error")
_LABELS: Final = {
    "value_at_risk": "Value at risk",
    "conditional_value_at_risk": "Conditional value at risk",
    "max_drawdown_absolute": "Max drawdown (absolute)",
    "max_drawdown_duration": "Max drawdown duration (periods)",
    "average_trade_duration_days": "Average trade duration (days)",
    "probabilistic_sharpe_ratio": "Probabilistic Sharpe ratio",
    "deflated_sharpe_ratio": "Deflated Sharpe ratio",
    "sharpe_ratio": "Sharpe ratio",
    "sortino_ratio": "Sortino ratio",
    "calmar_ratio": "Calmar ratio",
    "omega_ratio": "Omega ratio",
}

#: openpyxl number format per kind.
EXCEL_FORMATS: Final[Mapping[MetricKind, str]] = {
    "percent": "0.00%",
    "ratio": "0.00",
    "money": "#,##0.00",
    "count": "0",
    "days": "0.00",
    "number": "0.0000",
}


def metric_kind(name: str) -> MetricKind:
    """The kind of the metric ``name``; plugin metrics of unknown unit are ``number``."""
    if name in _PERCENT:
        return "percent"
    if name in _MONEY:
        return "money"
    if name in _COUNT:
        return "count"
    if name in _RATIO:
        return "ratio"
    if name.endswith("_days"):
        return "days"
    return "number"


def metric_label(name: str) -> str:
    """A human label: ``sharpe_ratio`` -> ``Sharpe ratio``, ``win_rate`` -> ``Win rate``."""
    return _LABELS.get(name) or name.replace("_", " ").capitalize()


def format_metric(name: str, value: float | None) -> str:
    """``value`` as text in the format of its kind: ``12.34%``, ``1.52``, ``1,234.50``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    kind = metric_kind(name)
    if kind == "percent":
        return f"{value:.2%}"
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "count":
        return f"{int(value):,d}"
    if kind in ("ratio", "days"):
        return f"{value:.2f}"
    return f"{value:.4g}"


def metric_groups(
    metrics: Mapping[str, float | int], plugin_metrics: frozenset[str] = frozenset()
) -> dict[str, list[str]]:
    """The metric names grouped for display: ``Returns and risk``, ``Trades``,
    ``Benchmark`` and ``Plugin metrics``, each in a stable order; empty groups are left out.
    """
    trades = [k for k in _TRADE_KEYS if k in metrics]
    benchmark = [k for k in _BENCHMARK_KEYS if k in metrics]
    plugins = [k for k in metrics if k in plugin_metrics]
    taken = {*trades, *benchmark, *plugins}
    groups = {
        "Returns and risk": [k for k in metrics if k not in taken],
        "Trades": trades,
        "Benchmark": benchmark,
        "Plugin metrics": plugins,
    }
    return {title: names for title, names in groups.items() if names}


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT and pandas' NA."""
    return (
        value is None
        or value is pd.NaT
        or value is pd.NA
        or (isinstance(value, float | np.floating) and bool(np.isnan(value)))
    )
