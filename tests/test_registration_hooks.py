"""Each registration hook puts its components into its own registry, with provenance."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlcore import PluginHost, hookimpl
from mlcore.builtins.triggers import DriftTrigger
from mlcore.protocols import (
    DataSource,
    Indicator,
    Metric,
    Model,
    RegimeDetector,
    RetrainState,
    RetrainTrigger,
    SentimentAdapter,
)


def registered(hook_name: str, name: str, factory: Any) -> tuple[PluginHost, Any]:
    """Load a host with a plugin implementing ``hook_name`` that registers ``factory``."""

    def implementation(registry: Any) -> None:
        registry.add(name, factory, description=f"from {hook_name}")

    implementation.__name__ = hook_name
    plugin = type("Plugin", (), {hook_name: staticmethod(hookimpl(implementation))})
    host = PluginHost().load()
    assert host.register_plugin(plugin, distribution="hook-test-plugin", name="hooktest")
    kind = hook_name.removeprefix("mlcore_register_")
    component = host.registry(kind).get(f"hooktest:{name}")
    assert component.distribution == "hook-test-plugin"
    assert component.description == f"from {hook_name}"
    for other in host.registries.values():
        if other.kind != kind:
            assert name not in other
    return host, component.create()


class TinyIndicator:
    family = "test"
    nan_policy = "propagate"
    inputs = ("close",)
    outputs = ("tiny_1",)
    warmup = 1

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        return ohlcv[["close"]].diff().set_axis(list(self.outputs), axis=1)


class TinyModel:
    def fit(self, X: Any, y: Any, **fit_params: Any) -> TinyModel:
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.full(len(X), round(self.mean_))

    def predict_proba(self, X: Any) -> np.ndarray:
        return np.tile([1 - self.mean_, self.mean_], (len(X), 1))

    def save(self, path: Any) -> None: ...

    @classmethod
    def load(cls, path: Any) -> TinyModel:
        return cls()


class TinyDetector:
    n_regimes = 3

    def fit(self, X: Any) -> TinyDetector:
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.zeros(len(X), dtype=int)

    def predict_proba(self, X: Any) -> np.ndarray:
        return np.tile([1.0, 0.0, 0.0], (len(X), 1))


class TinyScorer:
    capabilities = frozenset({"score"})

    def fetch(self, symbol: str, start: pd.Timestamp, end: pd.Timestamp) -> list[Any]:
        return []

    def score(self, texts: Any) -> np.ndarray:
        return np.array([1.0 if "up" in t else -1.0 for t in texts])


class TinySource:
    def load(self) -> pd.DataFrame:
        index = pd.date_range("2024-01-01", periods=2, tz="UTC")
        return pd.DataFrame(
            {c: [1.0, 2.0] for c in ("open", "high", "low", "close", "volume")}, index=index
        )


def test_mlcore_register_indicators() -> None:
    _, indicator = registered("mlcore_register_indicators", "tiny", TinyIndicator)
    assert isinstance(indicator, Indicator)
    frame = indicator.compute(TinySource().load())
    assert frame["tiny_1"].iloc[1] == 1.0


def test_mlcore_register_models() -> None:
    _, model = registered("mlcore_register_models", "tiny", TinyModel)
    assert isinstance(model, Model)
    assert model.fit([[0], [1], [1], [1]], [0, 1, 1, 1]).predict([[0]]).tolist() == [1]


def test_mlcore_register_regime_detectors() -> None:
    _, detector = registered("mlcore_register_regime_detectors", "tiny", TinyDetector)
    assert isinstance(detector, RegimeDetector)


def test_mlcore_register_sentiment_adapters() -> None:
    _, scorer = registered("mlcore_register_sentiment_adapters", "tiny", TinyScorer)
    assert isinstance(scorer, SentimentAdapter)
    assert scorer.score(["up", "down"]).tolist() == [1.0, -1.0]


def test_mlcore_register_retrain_triggers() -> None:
    _, trigger = registered("mlcore_register_retrain_triggers", "tiny", lambda: DriftTrigger(0.1))
    assert isinstance(trigger, RetrainTrigger)
    assert trigger.check(RetrainState(now=pd.Timestamp("2024-01-01"), drift_score=0.2)).fire


def test_mlcore_register_metrics() -> None:
    from mlcore.protocols import metric

    @metric(greater_is_better=False)
    def absolute_error(y_true: Any, y_pred: Any) -> float:
        return float(np.abs(np.asarray(y_true) - np.asarray(y_pred)).mean())

    _host, registered_metric = registered(
        "mlcore_register_metrics", "absolute_error", absolute_error
    )
    assert isinstance(registered_metric, Metric)
    assert registered_metric([1, 2], [2, 2]) == pytest.approx(0.5)
    assert registered_metric.greater_is_better is False


def test_mlcore_register_data_sources() -> None:
    _, source = registered("mlcore_register_data_sources", "tiny", TinySource)
    assert isinstance(source, DataSource)
    assert len(source.load()) == 2
