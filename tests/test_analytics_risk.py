"""VaR and CVaR by three methods, Kelly, probabilistic and deflated Sharpe ratios: each
checked against scipy, a numerical integral or the formula written out here."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from mlcore import AnalyticsError
from mlcore.analytics import AdvancedAnalytics

TOL = 1e-9


@pytest.fixture(scope="module")
def skewed() -> pd.Series:
    """Fat-tailed, left-skewed daily returns."""
    rng = np.random.default_rng(7)
    values = 0.0005 + 0.01 * rng.standard_t(5, 2000) - 0.004 * rng.exponential(1.0, 2000)
    return pd.Series(values, index=pd.bdate_range("2010-01-01", periods=2000))


def _analytics(returns: pd.Series, **kwargs: object) -> AdvancedAnalytics:
    return AdvancedAnalytics(metrics={}, **kwargs).add_returns(returns)  # type: ignore[arg-type]


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_parametric_var_and_cvar_are_the_normal_quantile_and_shortfall(
    skewed: pd.Series, confidence: float
) -> None:
    mean, spread = skewed.mean(), skewed.std(ddof=1)
    normal = stats.norm(mean, spread)
    alpha = 1 - confidence
    var = normal.ppf(alpha)
    # E[X | X < var] by integrating the density: independent of the closed form used
    shortfall = integrate.quad(lambda x: x * normal.pdf(x), -np.inf, var)[0] / alpha
    analytics = _analytics(skewed)
    assert analytics.calculate_var(confidence, "parametric") == pytest.approx(var, rel=TOL)
    assert analytics.calculate_cvar(confidence, "parametric") == pytest.approx(shortfall, rel=1e-8)


def _cornish_fisher_z(z: float, s: float, k: float) -> float:
    return z + (z * z - 1) * s / 6 + (z**3 - 3 * z) * k / 24 - (2 * z**3 - 5 * z) * s * s / 36


@pytest.mark.parametrize("confidence", [0.95, 0.99])
def test_cornish_fisher_var_and_cvar(skewed: pd.Series, confidence: float) -> None:
    values = skewed.to_numpy()
    s = stats.skew(values)
    k = stats.kurtosis(values)  # excess
    mean, spread = values.mean(), values.std(ddof=1)
    alpha = 1 - confidence
    var = mean + spread * _cornish_fisher_z(stats.norm.ppf(alpha), s, k)
    # CVaR: the mean of the Cornish-Fisher quantile function over the tail, integrated
    # numerically over u in (0, alpha)
    tail = integrate.quad(
        lambda u: _cornish_fisher_z(stats.norm.ppf(u), s, k), 0, alpha, limit=200
    )[0]
    cvar = mean + spread * tail / alpha
    analytics = _analytics(skewed)
    assert analytics.calculate_var(confidence, "cornish_fisher") == pytest.approx(var, rel=TOL)
    assert analytics.calculate_cvar(confidence, "cornish_fisher") == pytest.approx(cvar, rel=1e-7)


def test_historical_cvar_is_the_mean_of_the_worst_returns_by_hand() -> None:
    index = pd.bdate_range("2020-01-01", periods=21)
    values = pd.Series(np.arange(-10, 11) / 100.0, index=index)  # -0.10 .. 0.10
    analytics = _analytics(values)
    # 95%: percentile 5 of 21 evenly spaced values: position 0.05 * 20 = 1 -> -0.09
    assert analytics.calculate_var(0.95) == pytest.approx(-0.09)
    # cutoff index int(20 * 0.05) = 1: mean of the two lowest, (-0.10 - 0.09) / 2
    assert analytics.calculate_cvar(0.95) == pytest.approx(-0.095)


def test_unknown_var_method_and_bad_confidence_are_errors(skewed: pd.Series) -> None:
    analytics = _analytics(skewed)
    with pytest.raises(AnalyticsError, match="historical, parametric, cornish_fisher"):
        analytics.calculate_var(0.95, "monte_carlo")
    with pytest.raises(AnalyticsError, match=r"0\.95 for 95%"):
        analytics.calculate_cvar(95)


def test_kelly_fraction_is_mean_excess_over_variance(skewed: pd.Series) -> None:
    rf = 1.02 ** (1 / 252) - 1
    expected = (skewed.mean() - rf) / skewed.var(ddof=1)
    got = _analytics(skewed).calculate_metrics().risk.kelly_fraction
    assert got == pytest.approx(expected, rel=TOL)


def _psr_by_hand(values: np.ndarray, benchmark: float) -> float:
    """Bailey & Lopez de Prado (2012), eq. for PSR, from scipy's moment estimates."""
    sr = values.mean() / values.std(ddof=1)
    g3 = stats.skew(values)
    g4 = stats.kurtosis(values, fisher=False)
    denominator = math.sqrt(1 - g3 * sr + (g4 - 1) / 4 * sr * sr)
    return float(stats.norm.cdf((sr - benchmark) * math.sqrt(len(values) - 1) / denominator))


def test_probabilistic_sharpe_ratio_by_hand(skewed: pd.Series) -> None:
    analytics = _analytics(skewed, benchmark_sharpe=0.5)
    rf = 1.02 ** (1 / 252) - 1
    excess = skewed.to_numpy() - rf
    expected = _psr_by_hand(excess, 0.5 / math.sqrt(252))
    assert analytics.calculate_metrics().risk.probabilistic_sharpe_ratio == pytest.approx(
        expected, rel=TOL
    )


def test_deflated_sharpe_ratio_by_hand(skewed: pd.Series) -> None:
    n_trials, annual_variance = 50, 0.25
    analytics = _analytics(skewed, n_trials=n_trials, trials_sharpe_variance=annual_variance)
    gamma = 0.5772156649015329
    variance = annual_variance / 252
    expected_max = math.sqrt(variance) * (
        (1 - gamma) * stats.norm.ppf(1 - 1 / n_trials)
        + gamma * stats.norm.ppf(1 - 1 / (n_trials * math.e))
    )
    excess = skewed.to_numpy() - (1.02 ** (1 / 252) - 1)
    risk = analytics.calculate_metrics().risk
    assert risk.deflated_sharpe_ratio == pytest.approx(_psr_by_hand(excess, expected_max), rel=TOL)
    assert risk.deflated_sharpe_ratio < risk.probabilistic_sharpe_ratio


def test_one_trial_deflates_nothing(skewed: pd.Series) -> None:
    risk = _analytics(skewed).calculate_metrics().risk
    assert risk.deflated_sharpe_ratio == risk.probabilistic_sharpe_ratio


def test_more_trials_deflate_more(skewed: pd.Series) -> None:
    values = [
        _analytics(skewed, n_trials=n, trials_sharpe_variance=0.5)
        .calculate_metrics()
        .risk.deflated_sharpe_ratio
        for n in (2, 10, 100, 1000)
    ]
    assert values == sorted(values, reverse=True)
