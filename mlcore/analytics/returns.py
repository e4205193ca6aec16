"""Return-based performance metrics on a 1-D array of simple periodic returns.

Each function takes the returns and the conventions it depends on as explicit arguments;
with the same conventions the values equal empyrical-reloaded's (see ``docs/analytics.md``).
A ratio whose denominator is zero is ``+inf`` or ``-inf`` by the numerator's sign, and
``0.0`` when the numerator is zero too: never NaN.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from mlcore.analytics.drawdowns import max_drawdown

__all__ = [
    "annual_return",
    "annual_volatility",
    "calmar_ratio",
    "compound",
    "downside_risk",
    "kurtosis",
    "omega_ratio",
    "safe_ratio",
    "sample_std",
    "sharpe_ratio",
    "skewness",
    "sortino_ratio",
    "stability",
    "tail_ratio",
    "total_return",
]


def sample_std(values: np.ndarray) -> float:
    """Sample standard deviation (``ddof=1``); exactly 0 when every value is equal.

    The floating-point mean of equal values can differ from them in the last bit, which
    would leave a residue near 1e-18 and turn an infinite ratio into a huge finite one.
    """
    if values.size and float(values.max()) == float(values.min()):
        return 0.0
    return float(np.std(values, ddof=1))


def safe_ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``; ``±inf`` or ``0.0`` when the denominator is zero."""
    if denominator != 0.0:
        return float(numerator / denominator)
    if numerator == 0.0:
        return 0.0
    return math.copysign(math.inf, numerator)


def total_return(returns: np.ndarray) -> float:
    """Compounded return over the whole series: ``prod(1 + r) - 1``."""
    return float(np.prod(1.0 + returns) - 1.0)


def annual_return(returns: np.ndarray, periods_per_year: float) -> float:
    """Compound annual growth rate: ``(prod(1 + r)) ** (periods_per_year / n) - 1``."""
    return compound(float(np.prod(1.0 + returns)) - 1.0, periods_per_year / returns.size)


def compound(rate: float, times: float) -> float:
    """``(1 + rate) ** times - 1``, ``inf`` where it overflows."""
    with np.errstate(over="ignore"):
        return float(np.power(np.float64(1.0 + rate), times) - 1.0)


def annual_volatility(returns: np.ndarray, periods_per_year: float) -> float:
    """Sample standard deviation (``ddof=1``) times ``sqrt(periods_per_year)``."""
    return sample_std(returns) * math.sqrt(periods_per_year)


def sharpe_ratio(returns: np.ndarray, risk_free: float, periods_per_year: float) -> float:
    """Annualised Sharpe ratio: ``mean(r - rf) / std(r - rf, ddof=1) * sqrt(n)``.

    ``risk_free`` is the per-period rate.
    """
    excess = returns - risk_free
    return safe_ratio(float(excess.mean()), sample_std(excess)) * math.sqrt(periods_per_year)


def downside_risk(returns: np.ndarray, threshold: float, periods_per_year: float) -> float:
    """Annualised root mean square of the shortfalls below ``threshold`` (per period)."""
    shortfall = np.minimum(returns - threshold, 0.0)
    return float(np.sqrt(np.mean(shortfall * shortfall)) * math.sqrt(periods_per_year))


def sortino_ratio(returns: np.ndarray, threshold: float, periods_per_year: float) -> float:
    """Annualised mean excess over ``threshold`` divided by the annualised downside risk."""
    mean_excess = float(np.mean(returns - threshold)) * periods_per_year
    return safe_ratio(mean_excess, downside_risk(returns, threshold, periods_per_year))


def omega_ratio(returns: np.ndarray, threshold: float) -> float:
    """Gains above ``threshold`` (per period) divided by the losses below it."""
    excess = returns - threshold
    gains = float(excess[excess > 0.0].sum())
    losses = float(-excess[excess < 0.0].sum())
    return safe_ratio(gains, losses)


def calmar_ratio(returns: np.ndarray, periods_per_year: float) -> float:
    """Annual return divided by the magnitude of the maximum drawdown."""
    return safe_ratio(annual_return(returns, periods_per_year), abs(max_drawdown(returns)))


def tail_ratio(returns: np.ndarray) -> float:
    """``|95th percentile| / |5th percentile|`` of the returns."""
    upper, lower = np.percentile(returns, [95.0, 5.0])
    return safe_ratio(abs(float(upper)), abs(float(lower)))


def skewness(returns: np.ndarray) -> float:
    """Sample skewness, the biased moment estimator ``m3 / m2 ** 1.5`` (as in the
    probabilistic Sharpe ratio); 0 when every return is equal."""
    m2, m3, _ = _central_moments(returns)
    return 0.0 if m2 == 0.0 else m3 / m2**1.5


def kurtosis(returns: np.ndarray) -> float:
    """Excess kurtosis, the biased moment estimator ``m4 / m2 ** 2 - 3`` (0 for a normal
    distribution); 0 when every return is equal."""
    m2, _, m4 = _central_moments(returns)
    return 0.0 if m2 == 0.0 else m4 / (m2 * m2) - 3.0


def _central_moments(returns: np.ndarray) -> tuple[float, float, float]:
    if float(returns.max()) == float(returns.min()):
        return 0.0, 0.0, 0.0
    deviations = returns - returns.mean()
    squared = deviations * deviations
    return (
        float(squared.mean()),
        float((squared * deviations).mean()),
        float((squared * squared).mean()),
    )


def stability(returns: np.ndarray) -> float:
    """R-squared of a linear fit to the cumulative log returns."""
    log_wealth = np.cumsum(np.log1p(returns))
    if float(np.ptp(log_wealth)) == 0.0:
        return 0.0
    fit = stats.linregress(np.arange(log_wealth.size, dtype=float), log_wealth)
    return float(fit.rvalue**2)
