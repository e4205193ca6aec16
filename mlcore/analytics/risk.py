"""Tail risk and the statistics of a Sharpe ratio.

VaR and CVaR are returns at the lower tail: ``value_at_risk(r, 0.95) = -0.02`` means one
period in twenty loses 2% or more. They are negative for a loss (empyrical's sign), not
the positive "amount at risk" some texts use.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from scipy import stats

from mlcore.analytics.returns import kurtosis, safe_ratio, sample_std, skewness
from mlcore.errors import AnalyticsError

__all__ = [
    "VAR_METHODS",
    "VarMethod",
    "conditional_value_at_risk",
    "deflated_sharpe_ratio",
    "expected_maximum_sharpe",
    "kelly_fraction",
    "probabilistic_sharpe_ratio",
    "value_at_risk",
]

VarMethod = Literal["historical", "parametric", "cornish_fisher"]
VAR_METHODS: tuple[str, ...] = ("historical", "parametric", "cornish_fisher")
EULER_GAMMA = 0.5772156649015329


def value_at_risk(
    returns: np.ndarray, confidence_level: float = 0.95, method: str = "historical"
) -> float:
    """The return at the ``1 - confidence_level`` quantile.

    - ``historical``: the empirical quantile (``np.percentile``, linear interpolation);
    - ``parametric``: the normal quantile ``mean + z * std`` (``ddof=1``);
    - ``cornish_fisher``: the normal quantile with ``z`` adjusted for the sample skewness
      and excess kurtosis (Cornish-Fisher expansion).
    """
    alpha = _tail_probability(confidence_level, method)
    if method == "historical":
        return float(np.percentile(returns, 100.0 * alpha))
    mean, spread = float(returns.mean()), sample_std(returns)
    z = float(stats.norm.ppf(alpha))
    if method == "cornish_fisher":
        z = float(np.polyval(_cornish_fisher_polynomial(returns), z))
    return mean + z * spread


def conditional_value_at_risk(
    returns: np.ndarray, confidence_level: float = 0.95, method: str = "historical"
) -> float:
    """The mean return in the worst ``1 - confidence_level`` tail (expected shortfall).

    - ``historical``: the mean of the ``floor((n - 1) * alpha) + 1`` lowest returns (as
      empyrical's ``conditional_value_at_risk``);
    - ``parametric``: the normal expected shortfall ``mean - std * pdf(z) / alpha``;
    - ``cornish_fisher``: the mean of the Cornish-Fisher quantile function over the tail,
      ``mean + std / alpha * integral_0^alpha z_cf(u) du``, computed exactly from the
      partial moments of the standard normal.
    """
    alpha = _tail_probability(confidence_level, method)
    if method == "historical":
        cutoff = int((returns.size - 1) * alpha)
        return float(np.mean(np.partition(returns, cutoff)[: cutoff + 1]))
    mean, spread = float(returns.mean()), sample_std(returns)
    z = float(stats.norm.ppf(alpha))
    if method == "parametric":
        return mean - spread * float(stats.norm.pdf(z)) / alpha
    coefficients = _cornish_fisher_polynomial(returns)[::-1]  # lowest power first
    moments = _normal_partial_moments(z, coefficients.size - 1)
    return mean + spread * float(coefficients @ moments) / alpha


def _tail_probability(confidence_level: float, method: str) -> float:
    if method not in VAR_METHODS:
        raise AnalyticsError(
            f"unknown VaR method {method!r}; choose one of {', '.join(VAR_METHODS)}"
        )
    if not isinstance(confidence_level, int | float) or not 0.0 < confidence_level < 1.0:
        raise AnalyticsError(
            f"confidence_level must lie strictly between 0 and 1 (0.95 for 95%), got "
            f"{confidence_level!r}"
        )
    return 1.0 - float(confidence_level)


def _cornish_fisher_polynomial(returns: np.ndarray) -> np.ndarray:
    """Coefficients (highest power first) of ``z_cf(z)`` for the sample's S and K.

    ``z_cf = z + (z^2 - 1) S/6 + (z^3 - 3z) K/24 - (2z^3 - 5z) S^2/36``.
    """
    s, k = skewness(returns), kurtosis(returns)
    return np.array(
        [
            k / 24.0 - s * s / 18.0,
            s / 6.0,
            1.0 - k / 8.0 + 5.0 * s * s / 36.0,
            -s / 6.0,
        ]
    )


def _normal_partial_moments(c: float, order: int) -> np.ndarray:
    """``[E[Z^j; Z < c] for j in 0..order]`` for a standard normal ``Z``.

    ``M_0 = Phi(c)``, ``M_1 = -phi(c)``, ``M_j = -c^(j-1) phi(c) + (j - 1) M_(j-2)``.
    """
    density = float(stats.norm.pdf(c))
    moments = np.empty(order + 1)
    moments[0] = stats.norm.cdf(c)
    if order >= 1:
        moments[1] = -density
    for j in range(2, order + 1):
        moments[j] = -(c ** (j - 1)) * density + (j - 1) * moments[j - 2]
    return moments


def kelly_fraction(returns: np.ndarray, risk_free: float) -> float:
    """The growth-optimal leverage of a return stream: ``mean(r - rf) / var(r)``.

    The continuous-time (log-utility) approximation, with the sample variance
    (``ddof=1``) and ``risk_free`` per period.
    """
    return safe_ratio(float(np.mean(returns - risk_free)), sample_std(returns) ** 2)


def probabilistic_sharpe_ratio(returns: np.ndarray, benchmark_sharpe: float = 0.0) -> float:
    """The probability that the true Sharpe ratio exceeds ``benchmark_sharpe``.

    Bailey and López de Prado (2012): with the per-period Sharpe ratio ``SR`` of ``n``
    returns, their skewness ``g3`` and (non-excess) kurtosis ``g4``,
    ``PSR = Phi((SR - SR*) sqrt(n - 1) / sqrt(1 - g3 SR + (g4 - 1) / 4 SR^2))``.
    Both Sharpe ratios are per period, without a risk-free rate: pass excess returns, and
    divide an annual benchmark by ``sqrt(periods_per_year)``.
    """
    spread = sample_std(returns)
    sharpe = safe_ratio(float(np.mean(returns)), spread)
    if math.isinf(sharpe):  # returns that never vary: certain, either way
        return 1.0 if sharpe > benchmark_sharpe else 0.0
    g3, g4 = skewness(returns), kurtosis(returns) + 3.0
    variance = 1.0 - g3 * sharpe + (g4 - 1.0) / 4.0 * sharpe * sharpe
    if variance <= 0.0:
        raise AnalyticsError(
            "the probabilistic Sharpe ratio is undefined: the returns' skewness and kurtosis "
            "give a non-positive variance of the Sharpe ratio"
        )
    statistic = (sharpe - benchmark_sharpe) * math.sqrt(returns.size - 1) / math.sqrt(variance)
    return float(stats.norm.cdf(statistic))


def expected_maximum_sharpe(n_trials: int, sharpe_variance: float) -> float:
    """The Sharpe ratio the best of ``n_trials`` skill-less trials is expected to reach.

    ``sqrt(V) * ((1 - g) Phi^-1(1 - 1/N) + g Phi^-1(1 - 1/(N e)))`` with ``g`` the
    Euler-Mascheroni constant (Bailey and López de Prado, 2014); 0 for one trial.
    """
    if n_trials <= 1:
        return 0.0
    first = (1.0 - EULER_GAMMA) * stats.norm.ppf(1.0 - 1.0 / n_trials)
    second = EULER_GAMMA * stats.norm.ppf(1.0 - 1.0 / (n_trials * math.e))
    return float(math.sqrt(sharpe_variance) * (first + second))


def deflated_sharpe_ratio(returns: np.ndarray, n_trials: int, sharpe_variance: float) -> float:
    """The probabilistic Sharpe ratio against the best Sharpe ratio luck alone would give.

    ``n_trials`` is the number of strategy variants tried (this one included) and
    ``sharpe_variance`` the variance of their per-period Sharpe ratios. With one trial it
    is the probabilistic Sharpe ratio against 0.
    """
    return probabilistic_sharpe_ratio(returns, expected_maximum_sharpe(n_trials, sharpe_variance))
