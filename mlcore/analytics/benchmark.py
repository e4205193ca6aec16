"""Returns measured against a benchmark's: correlation, beta, alpha, tracking error.

Both series are aligned on their common dates first (an inner join, as empyrical does).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from mlcore.analytics.returns import compound, safe_ratio, sample_std
from mlcore.errors import AnalyticsError

__all__ = ["align", "benchmark_statistics"]


def align(returns: pd.Series, benchmark: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The two series' values on their common dates (at least two)."""
    common = returns.index.intersection(benchmark.index)
    if common.size < 2:
        raise AnalyticsError(
            f"the returns and the benchmark share {common.size} date(s); they need at least "
            "two in common (check both use the same time zone and frequency)",
            column="benchmark",
        )
    return returns.loc[common].to_numpy(), benchmark.loc[common].to_numpy()


def benchmark_statistics(
    returns: np.ndarray, benchmark: np.ndarray, *, risk_free: float, periods_per_year: float
) -> dict[str, float]:
    """``correlation``, ``beta``, ``alpha``, ``information_ratio``, ``tracking_error``.

    ``beta`` is ``cov(r - rf, b - rf) / var(b - rf)``; ``alpha`` the annualised mean of
    ``(r - rf) - beta * (b - rf)``, compounded: ``(1 + mean) ** periods_per_year - 1``.
    ``tracking_error`` is the annualised standard deviation (``ddof=1``) of ``r - b`` and
    ``information_ratio`` the annualised mean of ``r - b`` over it.
    """
    excess, market = returns - risk_free, benchmark - risk_free
    centred = market - market.mean()
    variance = float(np.mean(centred * centred))
    if variance == 0.0 or float(benchmark.max()) == float(benchmark.min()):
        raise AnalyticsError(
            "the benchmark's returns never vary, so beta and alpha are undefined; use a "
            "benchmark that moves",
            column="benchmark",
        )
    beta = float(np.mean(centred * excess)) / variance
    alpha_per_period = float(np.mean(excess - beta * market))
    active = returns - benchmark
    spread = sample_std(active)
    root = math.sqrt(periods_per_year)
    return {
        "correlation": _correlation(returns, benchmark),
        "beta": beta,
        "alpha": compound(alpha_per_period, periods_per_year),
        "information_ratio": safe_ratio(float(active.mean()), spread) * root,
        "tracking_error": spread * root,
    }


def _correlation(returns: np.ndarray, benchmark: np.ndarray) -> float:
    a, b = returns - returns.mean(), benchmark - benchmark.mean()
    denominator = math.sqrt(float(a @ a) * float(b @ b))
    return safe_ratio(float(a @ b), denominator)
