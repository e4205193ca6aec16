"""Builtin performance metrics: scores of a return series or of a trade history.

``needs="returns"`` metrics take simple periodic returns as ``y_pred`` (``y_true`` is
unused); ``needs="trades"`` metrics take a trade history (see
:func:`mlcore.analytics.trades.validate_trades`). The keyword arguments are the fields of
:class:`mlcore.analytics.Conventions` (``risk_free_rate`` annual, ``periods_per_year``,
...), with the same defaults; :class:`mlcore.analytics.AdvancedAnalytics` passes its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mlcore.analytics import drawdowns, returns, risk
from mlcore.analytics.conventions import Conventions
from mlcore.analytics.rows import first_bad, row_error
from mlcore.analytics.trades import trade_statistics, validate_trades
from mlcore.errors import AnalyticsError
from mlcore.protocols import metric

__all__ = [
    "annual_return",
    "annual_volatility",
    "calmar_ratio",
    "conditional_value_at_risk",
    "deflated_sharpe_ratio",
    "downside_risk",
    "expectancy",
    "kelly_fraction",
    "max_drawdown",
    "omega_ratio",
    "probabilistic_sharpe_ratio",
    "profit_factor",
    "sharpe_ratio",
    "sortino_ratio",
    "tail_ratio",
    "total_return",
    "value_at_risk",
    "win_rate",
]


def _series(y_pred: Any) -> np.ndarray:
    values = np.asarray(y_pred, dtype=np.float64).ravel()
    if values.size < 2:
        raise AnalyticsError(f"a performance metric needs at least 2 returns, got {values.size}")
    if (position := first_bad(~np.isfinite(values) | (values < -1.0))) is not None:
        index = y_pred.index if isinstance(y_pred, pd.Series) else pd.RangeIndex(values.size)
        raise row_error(
            f"returns {{row}} is {values[position]}; returns must be finite simple returns "
            ">= -1 (no NaN, no inf)",
            index,
            position,
            column="returns",
        )
    return values


def _trades(y_pred: Any) -> pd.DataFrame:
    if isinstance(y_pred, pd.DataFrame) and "pnl" in y_pred.columns:
        return y_pred
    return validate_trades(y_pred)


@metric(greater_is_better=True, needs="returns")
def total_return(y_true: Any, y_pred: Any, **conventions: Any) -> float:
    """Compounded return over the whole series: ``prod(1 + r) - 1``."""
    return returns.total_return(_series(y_pred))


@metric(greater_is_better=True, needs="returns")
def annual_return(y_true: Any, y_pred: Any, **conventions: Any) -> float:
    """Compound annual growth rate of the returns."""
    c = Conventions(**conventions)
    return returns.annual_return(_series(y_pred), c.periods_per_year)


@metric(greater_is_better=False, needs="returns")
def annual_volatility(y_true: Any, y_pred: Any, **conventions: Any) -> float:
    """Annualised sample standard deviation of the returns."""
    c = Conventions(**conventions)
    return returns.annual_volatility(_series(y_pred), c.periods_per_year)


@metric(greater_is_better=True, needs="returns")
def sharpe_ratio(y_true: Any, y_pred: Any, **conventions: Any) -> float:
    """Annualised Sharpe ratio over the per-period risk-free rate."""
    c = Conventions(**conventions)
    return returns.sharpe_ratio(_series(y_pred), c.risk_free_per_period, c.periods_per_year)


@metric(greater_is_better=True, needs="returns")
def sortino_ratio(y_true: Any, y_pred: Any, **conventions: Any) -> float:
    """Annualised mean excess return over the annualised downside risk."""
    c = Conventions(**conventions)
    return returns.sortino_ratio(_series(y_pred), c.target_per_period, c.periods_per_year)


@metric(greater_is_better=True, needs="returns")
def calmar_ratio(y_true: Any, y_pred: Any, **conventions: Any) -> float:
    """Annual return over the magnitude of the maximum drawdown."""
    c = Conventions(**conventions)
    return returns.calmar_ratio(_series(y_pred), c.periods_per_year)


@metric(greater_is_better=True, needs="returns")
def omega_ratio(y_true: Any, y_pred: Any, **conventions: Any) -> float:
    """Gains above the per-period target return over the losses below it."""
    c = Conventions(**conventions)
    return returns.omega_ratio(_series(y_pred), c.target_per_period)


@metric(greater_is_better=False, needs="returns")
def downside_risk(y_true: Any, y_pred: Any, **conventions: Any) -> float:
    """Annualised root mean square shortfall below the per-period target return."""
    c = Conventions(**conventions)
    return returns.downside_risk(_series(y_pred), c.target_per_period, c.periods_per_year)


@metric(greater_is_better=True, needs="returns")
def max_drawdown(y_true: Any, y_pred: Any, **conventions: Any) -> float:
    """Deepest fall from a running peak, a fraction in [-1, 0]."""
    return drawdowns.max_drawdown(_series(y_pred))


@metric(greater_is_better=True, needs="returns")
def value_at_risk(y_true: Any, y_pred: Any, **conventions: Any) -> float:
    """Historical VaR at the conventions' confidence level (a return, negative for a loss)."""
    c = Conventions(**conventions)
    return risk.value_at_risk(_series(y_pred), c.confidence_level)


@metric(greater_is_better=True, needs="returns")
def conditional_value_at_risk(y_true: Any, y_pred: Any, **conventions: Any) -> float:
    """Historical CVaR at the conventions' confidence level (a return, negative for a loss)."""
    c = Conventions(**conventions)
    return risk.conditional_value_at_risk(_series(y_pred), c.confidence_level)


@metric(greater_is_better=True, needs="returns")
def tail_ratio(y_true: Any, y_pred: Any, **conventions: Any) -> float:
    """``|95th percentile| / |5th percentile|`` of the returns."""
    return returns.tail_ratio(_series(y_pred))


@metric(greater_is_better=True, needs="returns")
def kelly_fraction(y_true: Any, y_pred: Any, **conventions: Any) -> float:
    """Growth-optimal leverage: mean excess return over the variance, per period."""
    c = Conventions(**conventions)
    return risk.kelly_fraction(_series(y_pred), c.risk_free_per_period)


@metric(greater_is_better=True, needs="returns")
def probabilistic_sharpe_ratio(y_true: Any, y_pred: Any, **conventions: Any) -> float:
    """Probability that the true Sharpe ratio of the excess returns beats the benchmark's."""
    c = Conventions(**conventions)
    excess = _series(y_pred) - c.risk_free_per_period
    return risk.probabilistic_sharpe_ratio(excess, c.benchmark_sharpe / np.sqrt(c.periods_per_year))


@metric(greater_is_better=True, needs="returns")
def deflated_sharpe_ratio(y_true: Any, y_pred: Any, **conventions: Any) -> float:
    """Probabilistic Sharpe ratio against the best of ``n_trials`` lucky trials."""
    c = Conventions(**conventions)
    excess = _series(y_pred) - c.risk_free_per_period
    variance = (c.trials_sharpe_variance or 0.0) / c.periods_per_year
    return risk.deflated_sharpe_ratio(excess, c.n_trials, variance)


@metric(greater_is_better=True, needs="trades")
def win_rate(y_true: Any, y_pred: Any, **conventions: Any) -> float:
    """Share of trades with a positive P&L."""
    return float(trade_statistics(_trades(y_pred))["win_rate"])


@metric(greater_is_better=True, needs="trades")
def profit_factor(y_true: Any, y_pred: Any, **conventions: Any) -> float:
    """Gross profit over gross loss (``inf`` without a losing trade)."""
    return float(trade_statistics(_trades(y_pred))["profit_factor"])


@metric(greater_is_better=True, needs="trades")
def expectancy(y_true: Any, y_pred: Any, **conventions: Any) -> float:
    """Mean P&L per trade."""
    return float(trade_statistics(_trades(y_pred))["expectancy"])
