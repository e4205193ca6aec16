"""AdvancedAnalytics against empyrical-reloaded (to 1e-9) and quantstats where they agree.

Real data: S&P 500 daily closes from ``arch.data.sp500`` (close-to-close returns).
Synthetic data: ``mlcore.data.synthetic_ohlcv`` closes and seeded Student-t draws.
Every comparison passes the same conventions to both sides: the per-period risk-free rate
``(1 + 0.02) ** (1 / 252) - 1`` (geometric) or ``0.02 / 252`` (simple) and 252 periods.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import empyrical as ep
import numpy as np
import pandas as pd
import pytest

from mlcore.analytics import AdvancedAnalytics
from mlcore.data import synthetic_ohlcv

TOL = 1e-9
PERIODS = 252


def _sp500() -> pd.Series:
    from arch.data import sp500

    close = sp500.load()["Adj Close"]
    return close.pct_change().dropna().rename("sp500")


def _synthetic_close() -> pd.Series:
    close = synthetic_ohlcv(n=1500, seed=3).ohlcv["close"]
    return close.pct_change().dropna().rename("synthetic")


def _student_t() -> pd.Series:
    rng = np.random.default_rng(42)
    index = pd.bdate_range("2015-01-01", periods=1200, tz="UTC")
    return pd.Series(0.0004 + 0.01 * rng.standard_t(4, size=index.size), index=index)


SOURCES: dict[str, Callable[[], pd.Series]] = {
    "sp500": _sp500,
    "synthetic_ohlcv": _synthetic_close,
    "student_t": _student_t,
}


@pytest.fixture(scope="module", params=sorted(SOURCES))
def returns(request: pytest.FixtureRequest) -> pd.Series:
    return SOURCES[request.param]()


@pytest.fixture(scope="module", params=["geometric", "simple"])
def compounding(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _analytics(returns: pd.Series, compounding: str = "geometric") -> AdvancedAnalytics:
    analytics = AdvancedAnalytics(0.02, PERIODS, risk_free_compounding=compounding, metrics={})
    return analytics.add_returns(returns)


def _rf(compounding: str) -> float:
    return (1.02 ** (1 / PERIODS) - 1) if compounding == "geometric" else 0.02 / PERIODS


def test_per_period_risk_free_rate_by_hand(compounding: str) -> None:
    index = pd.bdate_range("2020-01-01", periods=3)
    analytics = _analytics(pd.Series([0.01, -0.01, 0.0], index=index), compounding)
    assert analytics.conventions.risk_free_per_period == pytest.approx(_rf(compounding), abs=1e-15)


def test_return_metrics_equal_empyricals(returns: pd.Series, compounding: str) -> None:
    rf = _rf(compounding)
    got = _analytics(returns, compounding).calculate_metrics().to_dict()
    expected = {
        "total_return": ep.cum_returns_final(returns),
        "annual_return": ep.annual_return(returns, annualization=PERIODS),
        "annual_volatility": ep.annual_volatility(returns, annualization=PERIODS),
        "sharpe_ratio": ep.sharpe_ratio(returns, risk_free=rf, annualization=PERIODS),
        "sortino_ratio": ep.sortino_ratio(returns, required_return=rf, annualization=PERIODS),
        "downside_risk": ep.downside_risk(returns, required_return=rf, annualization=PERIODS),
        "calmar_ratio": ep.calmar_ratio(returns, annualization=PERIODS),
        "omega_ratio": ep.omega_ratio(returns, risk_free=rf, annualization=PERIODS),
        "max_drawdown": ep.max_drawdown(returns),
        "value_at_risk": ep.value_at_risk(returns, cutoff=0.05),
        "conditional_value_at_risk": ep.conditional_value_at_risk(returns, cutoff=0.05),
        "tail_ratio": ep.tail_ratio(returns),
        "stability": ep.stability_of_timeseries(returns),
    }
    for name, value in expected.items():
        assert got[name] == pytest.approx(float(value), rel=TOL, abs=TOL), name


def test_target_return_is_empyricals_required_return(returns: pd.Series) -> None:
    analytics = AdvancedAnalytics(0.02, PERIODS, target_return=0.05, metrics={})
    got = analytics.add_returns(returns).calculate_metrics().risk
    threshold = 1.05 ** (1 / PERIODS) - 1
    sortino = ep.sortino_ratio(returns, required_return=threshold, annualization=PERIODS)
    omega = ep.omega_ratio(returns, required_return=0.05, annualization=PERIODS)
    assert got.sortino_ratio == pytest.approx(sortino, rel=TOL)
    assert got.omega_ratio == pytest.approx(omega, rel=TOL)


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_historical_var_and_cvar_equal_empyricals(returns: pd.Series, confidence: float) -> None:
    analytics = _analytics(returns)
    cutoff = 1 - confidence
    assert analytics.calculate_var(confidence) == pytest.approx(
        ep.value_at_risk(returns, cutoff=cutoff), rel=TOL
    )
    assert analytics.calculate_cvar(confidence) == pytest.approx(
        ep.conditional_value_at_risk(returns, cutoff=cutoff), rel=TOL
    )


def test_benchmark_statistics_equal_empyricals(compounding: str) -> None:
    market = _sp500()
    rng = np.random.default_rng(5)
    strategy = (0.0002 + 0.7 * market + rng.normal(0, 0.004, market.size)).rename("strategy")
    analytics = _analytics(strategy, compounding).add_benchmark(market)
    got = analytics.benchmark_statistics()
    rf = _rf(compounding)
    alpha, beta = ep.alpha_beta(strategy, market, risk_free=rf, annualization=PERIODS)
    active = strategy - market
    assert got["alpha"] == pytest.approx(alpha, rel=TOL)
    assert got["beta"] == pytest.approx(beta, rel=TOL)
    assert got["information_ratio"] == pytest.approx(
        ep.excess_sharpe(strategy, market) * np.sqrt(PERIODS), rel=TOL
    )
    assert got["tracking_error"] == pytest.approx(active.std(ddof=1) * np.sqrt(PERIODS), rel=TOL)
    assert got["correlation"] == pytest.approx(np.corrcoef(strategy, market)[0, 1], rel=TOL)
    assert analytics.calculate_metrics().to_dict()["beta"] == got["beta"]


def test_benchmark_is_aligned_on_common_dates_like_empyrical() -> None:
    market = _sp500()
    strategy = (0.5 * market + 0.0001).iloc[100:]  # starts later than the benchmark
    got = _analytics(strategy).add_benchmark(market).benchmark_statistics()
    alpha, beta = ep.alpha_beta(strategy, market, risk_free=_rf("geometric"))
    assert got["beta"] == pytest.approx(beta, rel=TOL)
    assert got["alpha"] == pytest.approx(alpha, rel=TOL)


def test_drawdown_series_equals_empyricals(returns: pd.Series) -> None:
    got = _analytics(returns).drawdown_series()
    expected = ep.stats.drawdown_series(returns)
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=TOL, atol=1e-12)
    assert got.index.equals(returns.index)


def test_rolling_performance_equals_empyricals_rolling_functions(returns: pd.Series) -> None:
    window = 63
    rf = _rf("geometric")
    got = _analytics(returns).rolling_performance(window).iloc[window - 1 :]
    sharpe = ep.roll_sharpe_ratio(returns, window, risk_free=rf, annualization=PERIODS)
    volatility = ep.roll_annual_volatility(returns, window, annualization=PERIODS)
    compounded = (1 + returns).rolling(window).apply(np.prod, raw=True).dropna() - 1
    np.testing.assert_allclose(got["sharpe"], sharpe.to_numpy(), rtol=TOL, atol=TOL)
    np.testing.assert_allclose(got["volatility"], volatility.to_numpy(), rtol=TOL, atol=TOL)
    np.testing.assert_allclose(got["return"], compounded.to_numpy(), rtol=TOL, atol=TOL)


def test_monthly_returns_equal_empyricals_aggregation(returns: pd.Series) -> None:
    table = _analytics(returns).monthly_returns()
    expected = ep.aggregate_returns(returns, "monthly")
    stacked = table.stack().dropna()
    assert list(stacked.index) == list(expected.index)
    np.testing.assert_allclose(stacked.to_numpy(), expected.to_numpy(), rtol=TOL, atol=1e-15)
    assert list(table.columns) == list(range(1, 13))


# ---------------------------------------------------------------------------
# quantstats: the metrics whose conventions agree (see docs/analytics.md)
# ---------------------------------------------------------------------------


def test_quantstats_agrees_where_its_conventions_match(returns: pd.Series) -> None:
    qs = pytest.importorskip("quantstats")
    series = returns.copy()
    series.index = series.index.tz_localize(None) if series.index.tz else series.index
    got = _analytics(series).calculate_metrics().to_dict()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = {
            "sharpe_ratio": qs.stats.sharpe(series, rf=0.02, periods=PERIODS),
            "sortino_ratio": qs.stats.sortino(series, rf=0.02, periods=PERIODS),
            "omega_ratio": qs.stats.omega(series, rf=0.02, periods=PERIODS),
            "annual_return": qs.stats.cagr(series, periods=PERIODS),
            "annual_volatility": qs.stats.volatility(series, periods=PERIODS),
            "max_drawdown": qs.stats.max_drawdown(series),
            "calmar_ratio": qs.stats.calmar(series, periods=PERIODS),
            "tail_ratio": qs.stats.tail_ratio(series),
        }
        parametric_var = qs.stats.value_at_risk(series, confidence=0.95)
        parametric_cvar = qs.stats.conditional_value_at_risk(series, confidence=0.95)
    for name, value in expected.items():
        assert got[name] == pytest.approx(float(value), rel=TOL), name
    analytics = _analytics(series)
    assert analytics.calculate_var(0.95, "parametric") == pytest.approx(parametric_var, rel=TOL)
    assert analytics.calculate_cvar(0.95, "parametric") == pytest.approx(parametric_cvar, rel=TOL)


def test_quantstats_information_ratio_is_ours_before_annualising() -> None:
    qs = pytest.importorskip("quantstats")
    market = _sp500()
    strategy = 0.8 * market + np.random.default_rng(1).normal(0, 0.003, market.size)
    got = _analytics(strategy).add_benchmark(market).benchmark_statistics()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = qs.stats.information_ratio(strategy, market)
    assert got["information_ratio"] == pytest.approx(expected * np.sqrt(PERIODS), rel=TOL)
