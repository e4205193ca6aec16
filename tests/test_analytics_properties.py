"""Properties every history must satisfy (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlcore.analytics import AdvancedAnalytics

returns_arrays = arrays(
    np.float64,
    st.integers(min_value=5, max_value=120),
    elements=st.floats(min_value=-0.5, max_value=0.5, allow_nan=False, width=64),
).filter(lambda a: float(np.ptp(a)) > 1e-6)

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _analytics(values: np.ndarray, **kwargs: object) -> AdvancedAnalytics:
    index = pd.bdate_range("2020-01-01", periods=values.size)
    return AdvancedAnalytics(metrics={}, **kwargs).add_returns(  # type: ignore[arg-type]
        pd.Series(values, index=index)
    )


@SETTINGS
@given(returns_arrays)
def test_drawdowns_lie_in_minus_one_to_zero(values: np.ndarray) -> None:
    analytics = _analytics(values)
    risk = analytics.calculate_metrics().risk
    assert -1.0 <= risk.max_drawdown <= 0.0
    underwater = analytics.drawdown_series()
    assert (underwater <= 0.0).all()
    assert (underwater >= -1.0).all()
    assert risk.max_drawdown == pytest.approx(underwater.min(), abs=1e-15)
    table = analytics.analyze_drawdowns()
    assert (table["depth"] < 0).all()
    assert table["length"].sum() <= values.size
    assert risk.max_drawdown_duration == (table["length"].max() if len(table) else 0)


@SETTINGS
@given(returns_arrays, st.floats(min_value=0.1, max_value=10.0))
def test_scale_invariance_without_a_risk_free_rate(values: np.ndarray, scale: float) -> None:
    base = _analytics(values * 0.1, risk_free_rate=0.0).calculate_metrics().risk
    scaled = _analytics(values * 0.1 * scale, risk_free_rate=0.0).calculate_metrics().risk
    assert scaled.sharpe_ratio == pytest.approx(base.sharpe_ratio, rel=1e-9, abs=1e-12)
    assert scaled.sortino_ratio == pytest.approx(base.sortino_ratio, rel=1e-9, abs=1e-12)
    assert scaled.omega_ratio == pytest.approx(base.omega_ratio, rel=1e-9, abs=1e-12)
    assert scaled.annual_volatility == pytest.approx(base.annual_volatility * scale, rel=1e-9)
    assert scaled.downside_risk == pytest.approx(base.downside_risk * scale, rel=1e-9)
    assert scaled.value_at_risk == pytest.approx(base.value_at_risk * scale, rel=1e-9, abs=1e-15)
    assert scaled.tail_ratio == pytest.approx(base.tail_ratio, rel=1e-9)


@SETTINGS
@given(returns_arrays, st.sampled_from([0.9, 0.95, 0.99]))
def test_cvar_is_at_most_var(values: np.ndarray, confidence: float) -> None:
    analytics = _analytics(values)
    for method in ("historical", "parametric"):
        var = analytics.calculate_var(confidence, method)
        cvar = analytics.calculate_cvar(confidence, method)
        assert cvar <= var + 1e-15
    assert values.min() <= analytics.calculate_var(confidence) <= values.max()


@SETTINGS
@given(returns_arrays)
def test_metrics_are_never_nan(values: np.ndarray) -> None:
    flat = _analytics(values).calculate_metrics().to_dict()
    assert not any(math.isnan(v) for v in flat.values())


@SETTINGS
@given(returns_arrays, st.integers(min_value=0, max_value=2**32 - 1))
def test_monte_carlo_percentiles_are_ordered(values: np.ndarray, seed: int) -> None:
    result = _analytics(values).monte_carlo_simulation(200, 15, seed=seed)
    table = result.percentiles.to_numpy()
    assert (np.diff(table, axis=1) >= 0).all()
    assert (table[0] == 1.0).all()
    assert (result.max_drawdowns <= 0).all()
    assert (result.max_drawdowns >= -1).all()


@SETTINGS
@given(returns_arrays, st.integers(min_value=2, max_value=5))
def test_rolling_rows_use_only_their_window(values: np.ndarray, window: int) -> None:
    if values.size < window:
        return
    rolling = _analytics(values, risk_free_rate=0.0).rolling_performance(window)
    last = values[-window:]
    assert rolling["return"].iloc[-1] == pytest.approx(np.prod(1 + last) - 1, rel=1e-9, abs=1e-15)
    expected_volatility = np.std(last, ddof=1) * math.sqrt(252)
    assert rolling["volatility"].iloc[-1] == pytest.approx(expected_volatility, rel=1e-9, abs=1e-15)


@SETTINGS
@given(returns_arrays)
def test_monthly_returns_compound_to_the_total(values: np.ndarray) -> None:
    analytics = _analytics(values)
    months = analytics.monthly_returns().stack().dropna()
    total = analytics.calculate_metrics().basic.total_return
    assert np.prod(1 + months.to_numpy()) - 1 == pytest.approx(total, rel=1e-9, abs=1e-12)


@SETTINGS
@given(returns_arrays, st.sampled_from([12, 52, 252]))
def test_a_trading_objective_means_what_the_metric_of_its_name_means(
    values: np.ndarray, periods: int
) -> None:
    """``hpo.TRADING_OBJECTIVES`` and the registered performance metrics share names, so
    they share the convention: the same value (at a zero risk-free rate, the objectives'
    own) and the same direction. ``max_drawdown`` is <= 0 and greater is better in both."""
    from mlcore.builtins import performance
    from mlcore.hpo import TRADING_OBJECTIVES

    for name, objective in TRADING_OBJECTIVES.items():
        metric = getattr(performance, name)
        assert objective.greater_is_better == metric.greater_is_better, name
        kwargs = {"periods_per_year": periods} if name == "sharpe_ratio" else {}
        expected = metric(None, values, risk_free_rate=0.0, periods_per_year=periods)
        assert objective(None, values, **kwargs) == pytest.approx(expected, rel=1e-9, abs=1e-12)
    drawdown = TRADING_OBJECTIVES["max_drawdown"](None, values)
    risk = _analytics(values).calculate_metrics().risk
    assert drawdown == pytest.approx(risk.max_drawdown, rel=1e-12, abs=1e-15)
    assert -1.0 <= drawdown <= 0.0
