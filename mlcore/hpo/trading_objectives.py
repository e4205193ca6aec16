"""Trading objectives: scored on the returns of the out-of-fold signals."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

import numpy as np

from mlcore.protocols import MetricFunction, metric

__all__ = [
    "TRADING_OBJECTIVES",
    "default_positions",
    "max_drawdown",
    "sharpe_ratio",
    "total_return",
]


def _returns_array(returns: Any) -> np.ndarray:
    values = np.asarray(returns, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"expected a 1-D series of returns, got shape {values.shape}")
    return values


def _equity(returns: np.ndarray) -> np.ndarray:
    # Equity cannot go below zero: a loss beyond -100% is ruin, not a negative balance.
    equity: np.ndarray = np.maximum(np.cumprod(1.0 + returns), 0.0)
    return equity


@metric(greater_is_better=True, needs="returns")
def max_drawdown(y_true: Any, y_pred: Any) -> float:
    """Deepest fall of the compounded equity from its running peak, a fraction in
    [-1, 0] (-0.25 is a 25% fall; greater is better), the convention of the analytics'
    ``max_drawdown`` and of empyrical.

    ``y_pred`` holds one simple return per period; the equity starts at 1, which counts
    as a peak. A loss beyond -100% is ruin: -1.
    """
    returns = _returns_array(y_pred)
    if returns.size == 0:
        return math.nan
    equity = np.concatenate(([1.0], _equity(returns)))
    peaks = np.maximum.accumulate(equity)
    return float(np.min(equity / peaks - 1.0))


@metric(greater_is_better=True, needs="returns")
def sharpe_ratio(y_true: Any, y_pred: Any, periods_per_year: float = 252.0) -> float:
    """Annualised Sharpe ratio of the returns (risk-free rate 0): mean / std * sqrt(periods).

    Uses the sample standard deviation; returns that never vary score 0.
    """
    returns = _returns_array(y_pred)
    if returns.size < 2:
        return math.nan
    spread = float(np.std(returns, ddof=1))
    if spread == 0.0:
        return 0.0
    return float(np.mean(returns) / spread * math.sqrt(periods_per_year))


@metric(greater_is_better=True, needs="returns")
def total_return(y_true: Any, y_pred: Any) -> float:
    """Compounded return over the whole series: final equity - 1."""
    returns = _returns_array(y_pred)
    if returns.size == 0:
        return math.nan
    return float(_equity(returns)[-1] - 1.0)


#: Objectives computed from the out-of-fold signals' returns, by name. They are looked up
#: before the host's metric registry; any registered metric whose ``needs`` is
#: ``"returns"`` is scored the same way.
TRADING_OBJECTIVES: Final[Mapping[str, MetricFunction]] = MappingProxyType(
    {
        "max_drawdown": max_drawdown,
        "sharpe_ratio": sharpe_ratio,
        "total_return": total_return,
    }
)


def default_positions(predictions: np.ndarray, classes: Sequence[Any] | None) -> np.ndarray:
    """Positions (+1 long, -1 short, 0 flat) from predictions, by the labels' classes.

    - classes within ``{0, 1}`` (direction and ``"sign"`` triple-barrier labels): 1 is long,
      0 is short;
    - classes ``{0, 1, 2}`` (neutral-band direction, ``"neutral"`` triple barrier):
      0 short, 1 flat, 2 long;
    - classes within ``{-1, 0, 1}``: the prediction is the position;
    - ``classes=None`` (a regression target): the sign of the prediction.
    """
    values = np.asarray(predictions, dtype=np.float64)
    if classes is None:
        return np.sign(values)
    known = {float(c) for c in classes}
    if known <= {0.0, 1.0}:
        return np.where(values == 1.0, 1.0, -1.0)
    if known == {0.0, 1.0, 2.0}:
        return values - 1.0
    if known <= {-1.0, 0.0, 1.0}:
        return values
    raise ValueError(
        f"cannot turn predictions of the classes {sorted(known)} into positions; pass "
        "OptunaOptimizer(positions=...), a function from the out-of-fold predictions "
        "(a Series) to positions in [-1, 1]"
    )
