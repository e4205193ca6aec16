"""Metrics are plugins: the kernel's performance metrics are registered like any other,
and a metric from an installed plugin shows up in ``calculate_metrics().to_dict()``."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlcore import MlcorePluginWarning, PluginHost
from mlcore.analytics import AdvancedAnalytics
from mlcore.builtins import PERFORMANCE_METRICS
from mlcore.builtins import performance as builtin_performance
from mlcore.protocols import metric
from mlcore.testing import parametrize_with_checks

InstalledPlugin = Callable[..., Path]
EXAMPLE_SRC = Path(__file__).resolve().parents[1] / "contrib" / "mlcore-example-plugin" / "src"

PLUGIN = """
import numpy as np
from mlcore import hookimpl, metric

MODULE = "fixture_plugin_mlcore_fixture_perf"


@hookimpl
def mlcore_register_metrics(registry):
    for name in ("best_day", "annualised_mean", "trade_count_long", "label_metric", "broken",
                 "undefined"):
        registry.add(name, f"{MODULE}:{name}")


@metric(needs="returns")
def best_day(y_true, y_pred):
    return float(np.max(y_pred))


@metric(needs="returns")
def annualised_mean(y_true, y_pred, periods_per_year):
    return float(np.mean(y_pred) * periods_per_year)


@metric(needs="trades")
def trade_count_long(y_true, y_pred):
    return float((y_pred["side"] == "long").sum())


@metric(needs="labels")
def label_metric(y_true, y_pred):
    raise AssertionError("a labels metric is never called by the analytics")


@metric(needs="returns")
def broken(y_true, y_pred):
    raise RuntimeError("division by zero in the plugin")


@metric(needs="returns")
def undefined(y_true, y_pred):
    return float("nan")
"""


def _returns(n: int = 300) -> pd.Series:
    rng = np.random.default_rng(8)
    return pd.Series(rng.normal(0.0005, 0.01, n), index=pd.bdate_range("2022-01-03", periods=n))


def _trades() -> list[dict[str, Any]]:
    return [
        {"entry_time": "2022-01-03", "exit_time": "2022-01-05", "entry_price": 10.0,
         "exit_price": 11.0, "side": "long", "size": 3},
        {"entry_time": "2022-01-06", "exit_time": "2022-01-10", "entry_price": 11.0,
         "exit_price": 10.5, "side": "short", "size": 3},
    ]  # fmt: skip


@pytest.fixture
def perf_plugin(installed_plugin: InstalledPlugin, monkeypatch: pytest.MonkeyPatch) -> None:
    installed_plugin("mlcore-fixture-perf", PLUGIN, entry_point="perf")
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", "mlcore-fixture-perf")


def test_a_plugin_metric_appears_in_to_dict(perf_plugin: None) -> None:
    returns = _returns()
    with pytest.warns(MlcorePluginWarning) as caught:
        metrics = AdvancedAnalytics().add_returns(returns).add_trades(_trades()).calculate_metrics()
    flat = metrics.to_dict()
    assert flat["best_day"] == returns.max()
    assert flat["annualised_mean"] == pytest.approx(returns.mean() * 252)
    assert flat["trade_count_long"] == 1.0
    assert "label_metric" not in flat
    assert "label_metric" not in metrics.failures
    # failing metrics degrade to a recorded failure and a warning; the rest is intact
    assert "broken" not in flat
    assert "undefined" not in flat
    assert "RuntimeError: division by zero" in metrics.failures["broken"]
    assert "returned nan" in metrics.failures["undefined"]
    messages = " ".join(str(w.message) for w in caught)
    assert "distribution 'mlcore-fixture-perf'" in messages
    assert flat["sharpe_ratio"] == metrics.risk.sharpe_ratio


def test_trade_metrics_are_skipped_without_trades(perf_plugin: None) -> None:
    with pytest.warns(MlcorePluginWarning):
        metrics = AdvancedAnalytics().add_returns(_returns()).calculate_metrics()
    assert "trade_count_long" not in metrics.to_dict()
    assert "trade_count_long" not in metrics.failures


def test_a_host_passed_in_is_used(perf_plugin: None) -> None:
    host = PluginHost.from_config(None).load()
    analytics = AdvancedAnalytics(host=host).add_returns(_returns())
    with pytest.warns(MlcorePluginWarning):
        assert "best_day" in analytics.calculate_metrics().extra


def test_the_conventions_reach_metrics_that_name_them() -> None:
    @metric(needs="returns")
    def scaled(y_true: Any, y_pred: Any, periods_per_year: float, risk_free_rate: float) -> float:
        return periods_per_year + risk_free_rate

    @metric(needs="returns")
    def everything(y_true: Any, y_pred: Any, **conventions: Any) -> float:
        return float(len(conventions))

    analytics = AdvancedAnalytics(0.03, 365, metrics={"scaled": scaled, "all": everything})
    extra = analytics.add_returns(_returns()).calculate_metrics().extra
    assert extra == {"scaled": 365.03, "all": 8.0}


def test_benchmark_reaches_returns_metrics_as_y_true() -> None:
    @metric(needs="returns")
    def excess_mean(y_true: Any, y_pred: Any) -> float:
        return float((y_pred - y_true).mean())

    returns = _returns()
    benchmark = returns * 0.5
    extra = (
        AdvancedAnalytics(metrics={"excess_mean": excess_mean})
        .add_returns(returns, benchmark)
        .calculate_metrics()
        .extra
    )
    assert extra["excess_mean"] == pytest.approx(0.5 * returns.mean())


def test_the_example_plugins_label_metric_is_not_a_performance_metric(
    installed_plugin: InstalledPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLE_SRC))
    installed_plugin(
        "mlcore-example-plugin",
        "from mlcore_example_plugin.plugin import *  # noqa: F403\n",
        entry_point="example",
    )
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", "mlcore-example-plugin")
    host = PluginHost.from_config(None).load()
    assert host.metrics.get("hit_rate").distribution == "mlcore-example-plugin"
    metrics = AdvancedAnalytics(host=host).add_returns(_returns()).calculate_metrics()
    assert "hit_rate" not in metrics.to_dict()
    assert metrics.failures == {}


# ---------------------------------------------------------------------------
# The kernel's performance metrics are registered, conform, and agree with the result
# ---------------------------------------------------------------------------


def test_kernel_performance_metrics_are_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", "")
    host = PluginHost.from_config(None).load()
    for name in PERFORMANCE_METRICS:
        component = host.metrics.get(name)
        assert component.distribution == "mlcore"
        assert "performance" in component.tags
        assert component.create().needs in ("returns", "trades")


BUILTINS = [getattr(builtin_performance, name) for name in builtin_performance.__all__]


@parametrize_with_checks(BUILTINS)
def test_builtin_performance_metrics_conform(component: object, check: Any) -> None:
    check(component)


def test_registered_metrics_equal_the_typed_fields() -> None:
    returns = _returns()
    analytics = AdvancedAnalytics(
        0.03, 252, target_return=0.05, n_trials=20, trials_sharpe_variance=0.3, metrics={}
    ).add_returns(returns)
    analytics.add_trades(_trades())
    flat = analytics.calculate_metrics().to_dict()
    conventions = {
        "risk_free_rate": 0.03,
        "target_return": 0.05,
        "n_trials": 20,
        "trials_sharpe_variance": 0.3,
    }
    trades = analytics.trades
    for function in BUILTINS:
        data = trades if function.needs == "trades" else returns
        value = function(None, data, **conventions)
        assert value == flat[function.name] or (math.isinf(value) and value == flat[function.name])
