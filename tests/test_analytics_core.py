"""AdvancedAnalytics: its data, its typed result, and what it does with bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import mlcore
from mlcore import AnalyticsError
from mlcore.analytics import AdvancedAnalytics, PerformanceMetrics
from mlcore.config import MlcoreConfig


def _returns(n: int = 500, seed: int = 0, tz: str | None = "UTC") -> pd.Series:
    rng = np.random.default_rng(seed)
    index = pd.bdate_range("2020-01-01", periods=n, tz=tz)
    return pd.Series(rng.normal(0.0004, 0.01, n), index=index, name="strategy")


def _analytics(**kwargs: object) -> AdvancedAnalytics:
    return AdvancedAnalytics(metrics={}, **kwargs)  # type: ignore[arg-type]


def test_public_names_are_reexported_lazily() -> None:
    assert mlcore.AdvancedAnalytics is AdvancedAnalytics
    assert mlcore.PerformanceMetrics is PerformanceMetrics
    assert issubclass(mlcore.AnalyticsError, ValueError)
    assert issubclass(mlcore.AnalyticsError, mlcore.MlcoreError)


def test_add_methods_chain_and_properties_are_copies() -> None:
    returns = _returns()
    analytics = _analytics().add_returns(returns)
    got = analytics.returns
    assert got is not None
    assert got.equals(returns.rename("returns"))
    got.iloc[0] = 99.0
    assert analytics.returns is not None
    assert analytics.returns.iloc[0] != 99.0
    assert analytics.trades is None
    assert analytics.benchmark is None


def test_equity_from_returns_starts_at_one() -> None:
    index = pd.bdate_range("2021-01-01", periods=3)
    analytics = _analytics().add_returns(pd.Series([0.1, -0.5, 0.2], index=index))
    equity = analytics.equity
    assert equity is not None
    assert equity.tolist() == pytest.approx([1.1, 0.55, 0.66])


def test_add_equity_gives_its_returns_and_absolute_drawdown() -> None:
    index = pd.bdate_range("2021-01-01", periods=5)
    equity = pd.Series([100.0, 120.0, 90.0, 95.0, 130.0], index=index)
    analytics = _analytics().add_equity(equity)
    returns = analytics.returns
    assert returns is not None
    assert returns.tolist() == pytest.approx([0.2, -0.25, 95 / 90 - 1, 130 / 95 - 1])
    risk = analytics.calculate_metrics().risk
    assert risk.max_drawdown == pytest.approx(-0.25)
    assert risk.max_drawdown_absolute == pytest.approx(-30.0)
    assert risk.max_drawdown_duration == 2
    assert analytics.equity is not None
    assert analytics.equity.equals(equity.rename("equity"))


def test_calculate_metrics_groups_and_flat_dict() -> None:
    metrics = _analytics().add_returns(_returns()).calculate_metrics()
    flat = metrics.to_dict()
    for key in (
        "sharpe_ratio",
        "sortino_ratio",
        "calmar_ratio",
        "max_drawdown",
        "annual_volatility",
        "annual_return",
        "total_return",
        "omega_ratio",
        "value_at_risk",
        "conditional_value_at_risk",
        "kelly_fraction",
        "probabilistic_sharpe_ratio",
        "deflated_sharpe_ratio",
    ):
        assert key in flat
    assert "win_rate" not in flat  # no trades were added
    assert "beta" not in flat  # no benchmark
    assert flat["sharpe_ratio"] == metrics.risk.sharpe_ratio
    assert all(type(v) in (float, int) for v in flat.values())
    assert isinstance(flat["max_drawdown_duration"], int)


def test_to_dict_gives_trade_duration_in_days() -> None:
    trades = [
        {"entry_time": "2024-01-01", "exit_time": "2024-01-03 12:00", "entry_price": 10.0,
         "exit_price": 11.0, "side": "long", "size": 1},
    ]  # fmt: skip
    flat = _analytics().add_trades(trades).calculate_metrics().to_dict()
    assert flat["average_trade_duration_days"] == 2.5
    assert "average_trade_duration" not in flat


def test_risk_free_rate_changes_the_sharpe_ratio_by_the_per_period_rate() -> None:
    returns = _returns()
    zero = _analytics(risk_free_rate=0.0).add_returns(returns).calculate_metrics().risk
    with_rf = _analytics(risk_free_rate=0.05).add_returns(returns).calculate_metrics().risk
    per_period = 1.05 ** (1 / 252) - 1
    spread = returns.std(ddof=1)
    assert zero.sharpe_ratio - with_rf.sharpe_ratio == pytest.approx(
        per_period / spread * math.sqrt(252), rel=1e-9
    )


def test_from_config_uses_the_analytics_section() -> None:
    config = MlcoreConfig()
    analytics = AdvancedAnalytics.from_config(config)
    assert analytics.risk_free_rate == config.analytics.risk_free_rate
    assert analytics.periods_per_year == config.analytics.periods_per_year


def test_repr_names_what_was_added() -> None:
    text = repr(_analytics().add_returns(_returns(n=10)))
    assert "returns=10" in text
    assert "risk_free_rate=0.02" in text


# ---------------------------------------------------------------------------
# Bad input: a clear error or a documented value, never a silent NaN
# ---------------------------------------------------------------------------


def test_nothing_added_is_an_error() -> None:
    with pytest.raises(AnalyticsError, match="add_returns"):
        _analytics().calculate_metrics()


def test_empty_returns_are_an_error() -> None:
    empty = pd.Series([], index=pd.DatetimeIndex([]), dtype=float)
    with pytest.raises(AnalyticsError, match="empty"):
        _analytics().add_returns(empty)


def test_nan_return_is_an_error_naming_the_row() -> None:
    returns = _returns(n=20)
    returns.iloc[7] = np.nan
    with pytest.raises(AnalyticsError, match="fillna") as caught:
        _analytics().add_returns(returns)
    assert caught.value.row == returns.index[7]
    assert str(returns.index[7]) in str(caught.value)


def test_infinite_return_is_an_error() -> None:
    returns = _returns(n=20)
    returns.iloc[3] = np.inf
    with pytest.raises(AnalyticsError, match="finite"):
        _analytics().add_returns(returns)


def test_return_below_minus_one_is_an_error() -> None:
    returns = _returns(n=20)
    returns.iloc[5] = -1.5
    with pytest.raises(AnalyticsError, match="log returns or P&L"):
        _analytics().add_returns(returns)


def test_unsorted_times_are_an_error_naming_the_time() -> None:
    returns = _returns(n=20)
    shuffled = returns.iloc[[0, 1, 3, 2, *range(4, 20)]]
    with pytest.raises(AnalyticsError, match="strictly increasing") as caught:
        _analytics().add_returns(shuffled)
    assert caught.value.row == returns.index[2]


def test_duplicate_times_are_an_error() -> None:
    returns = _returns(n=5)
    doubled = pd.concat([returns.iloc[:3], returns.iloc[2:]])
    with pytest.raises(AnalyticsError, match="repeats"):
        _analytics().add_returns(doubled)


def test_non_datetime_index_is_an_error() -> None:
    with pytest.raises(AnalyticsError, match="DatetimeIndex"):
        _analytics().add_returns(pd.Series([0.01, 0.02, -0.01]))


def test_non_series_is_an_error() -> None:
    with pytest.raises(AnalyticsError, match="pandas Series"):
        _analytics().add_returns([0.01, 0.02])  # type: ignore[arg-type]


def test_non_positive_equity_is_an_error() -> None:
    index = pd.bdate_range("2021-01-01", periods=3)
    with pytest.raises(AnalyticsError, match=r"equity row 2 \(2021-01-04 00:00:00\) is 0\.0"):
        _analytics().add_equity(pd.Series([100.0, 0.0, 50.0], index=index))


def test_one_return_is_too_few_for_ratios() -> None:
    single = _returns(n=1)
    analytics = _analytics().add_returns(single)
    with pytest.raises(AnalyticsError, match="at least 2 returns"):
        analytics.calculate_metrics()
    assert analytics.drawdown_series().iloc[0] == pytest.approx(min(single.iloc[0], 0.0))


def test_all_winning_returns_give_documented_infinities_not_nan() -> None:
    index = pd.bdate_range("2021-01-01", periods=50)
    returns = pd.Series(np.linspace(0.001, 0.01, 50), index=index)
    metrics = _analytics(risk_free_rate=0.0).add_returns(returns).calculate_metrics()
    assert metrics.risk.max_drawdown == 0.0
    assert metrics.risk.calmar_ratio == math.inf
    assert metrics.risk.sortino_ratio == math.inf
    assert metrics.risk.omega_ratio == math.inf
    assert metrics.risk.max_drawdown_duration == 0
    assert not any(math.isnan(v) for v in metrics.to_dict().values())


def test_flat_returns_give_zero_ratios_not_nan() -> None:
    index = pd.bdate_range("2021-01-01", periods=30)
    flat = pd.Series(0.0, index=index)
    metrics = _analytics(risk_free_rate=0.0).add_returns(flat).calculate_metrics()
    assert metrics.risk.sharpe_ratio == 0.0
    assert metrics.risk.sortino_ratio == 0.0
    assert metrics.risk.calmar_ratio == 0.0
    assert metrics.risk.skewness == 0.0
    assert metrics.risk.kurtosis == 0.0
    assert not any(math.isnan(v) for v in metrics.to_dict().values())


def test_constant_positive_returns_have_infinite_sharpe() -> None:
    index = pd.bdate_range("2021-01-01", periods=30)
    steady = pd.Series(0.001, index=index)
    risk = _analytics(risk_free_rate=0.0).add_returns(steady).calculate_metrics().risk
    assert risk.sharpe_ratio == math.inf
    assert risk.probabilistic_sharpe_ratio == 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"risk_free_rate": float("nan")}, "risk_free_rate must be a finite number"),
        ({"risk_free_rate": -1.0}, "must be > -1"),
        ({"periods_per_year": 0}, "periods_per_year must be > 0"),
        ({"risk_free_compounding": "continuous"}, "risk_free_compounding"),
        ({"confidence_level": 1.0}, "strictly between 0 and 1"),
        ({"n_trials": 5}, "trials_sharpe_variance"),
        ({"n_trials": 0}, "n_trials"),
        ({"trials_sharpe_variance": -0.1}, "trials_sharpe_variance must be >= 0"),
    ],
)
def test_bad_conventions_name_the_argument(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(AnalyticsError, match=message):
        _analytics(**kwargs)


def test_benchmark_without_common_dates_is_an_error() -> None:
    returns = _returns(n=30)
    other = _returns(n=30).set_axis(pd.bdate_range("2010-01-01", periods=30, tz="UTC"))
    analytics = _analytics().add_returns(returns, benchmark=other)
    with pytest.raises(AnalyticsError, match="share 0 date"):
        analytics.calculate_metrics()


def test_constant_benchmark_is_an_error() -> None:
    returns = _returns(n=30)
    analytics = _analytics().add_returns(returns, benchmark=pd.Series(0.001, index=returns.index))
    with pytest.raises(AnalyticsError, match="never vary"):
        analytics.benchmark_statistics()


def test_benchmark_statistics_without_benchmark_is_an_error() -> None:
    with pytest.raises(AnalyticsError, match="add_benchmark"):
        _analytics().add_returns(_returns()).benchmark_statistics()


def test_nan_in_benchmark_is_an_error_naming_it() -> None:
    returns = _returns(n=30)
    benchmark = returns * 0.5
    benchmark.iloc[4] = np.nan
    with pytest.raises(
        AnalyticsError, match=r"benchmark row 5 \(2020-01-07 00:00:00\+00:00\) is nan"
    ) as caught:
        _analytics().add_benchmark(benchmark)
    assert caught.value.column == "benchmark"


def test_rolling_window_is_validated() -> None:
    analytics = _analytics().add_returns(_returns(n=30))
    with pytest.raises(AnalyticsError, match="longer than the 30 returns"):
        analytics.rolling_performance(63)
    with pytest.raises(AnalyticsError, match="window must be an integer >= 2"):
        analytics.rolling_performance(1)


def test_rolling_performance_uses_trailing_windows_only() -> None:
    returns = _returns(n=120)
    full = _analytics().add_returns(returns).rolling_performance(20)
    cut = _analytics().add_returns(returns.iloc[:80]).rolling_performance(20)
    pd.testing.assert_frame_equal(full.iloc[:80], cut)
    assert full.iloc[:19].isna().all().all()
    assert full.iloc[19:].notna().all().all()


def test_monthly_returns_by_hand() -> None:
    index = pd.DatetimeIndex(["2021-01-05", "2021-01-20", "2021-03-02", "2022-02-01"])
    table = _analytics().add_returns(pd.Series([0.1, -0.1, 0.05, 0.02], index=index))
    months = table.monthly_returns()
    assert list(months.index) == [2021, 2022]
    assert months.loc[2021, 1] == pytest.approx(1.1 * 0.9 - 1)
    assert months.loc[2021, 3] == pytest.approx(0.05)
    assert months.loc[2022, 2] == pytest.approx(0.02)
    assert np.isnan(months.loc[2021, 2])  # no return in that month


def test_reports_delegate_to_the_report_writers(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys
    import types

    calls: list[tuple[str, object]] = []
    for name, function in (("pdf", "write_pdf"), ("excel", "write_excel"), ("html", "write_html")):
        module = types.ModuleType(f"mlcore.analytics.reports.{name}")

        def write(analytics: object, path: object, _kind: str = name, **options: object) -> object:
            calls.append((_kind, options))
            return path

        setattr(module, function, write)
        monkeypatch.setitem(sys.modules, f"mlcore.analytics.reports.{name}", module)
    analytics = _analytics().add_returns(_returns(n=30))
    assert analytics.generate_pdf_report("a.pdf", title="t") == "a.pdf"
    assert analytics.export_to_excel("a.xlsx") == "a.xlsx"
    assert analytics.to_html("a.html") == "a.html"
    assert calls == [("pdf", {"title": "t"}), ("excel", {}), ("html", {})]
