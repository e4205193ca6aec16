"""Leakage guards on the full training job (DESIGN.md section 7: no look-ahead).

The whole pipeline (the default feature set of mlcore-indicators, preprocessing and selection
fit per training fold, LightGBM, purged walk-forward CV, the held-out segment) runs on a
driftless random walk, where the next bar's direction is a coin flip: any accuracy clearly
above one half would have to come from the future. Then a feature that leaks the next bar's
return is planted through a plugin; the same job must then score far above one half, which
proves the guard can fail.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import numpy as np
import pandas as pd
import pytest

from mlcore import IndicatorBase, hookimpl
from mlcore.config import MlcoreConfig, config_from_dict
from mlcore.host import PluginHost
from mlcore.training import TrainingResult, train

pytest.importorskip("mlcore_indicators")
pytest.importorskip("mlcore_lightgbm")


def random_walk(n: int, seed: int) -> pd.DataFrame:
    """OHLCV bars whose log close is a driftless Gaussian random walk."""
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, n)))
    open_ = np.concatenate(([100.0], close[:-1]))
    wick = np.abs(rng.normal(0.0, 0.003, (2, n)))
    high = np.maximum(open_, close) * (1.0 + wick[0])
    low = np.minimum(open_, close) * (1.0 - wick[1])
    volume = rng.lognormal(10.0, 0.5, n).round()
    index = pd.date_range("2010-01-01", periods=n, freq="h", tz="UTC", name="timestamp")
    return pd.DataFrame(
        {"open": open_, "high": high, "low": low, "close": close, "volume": volume}, index=index
    )


@attrs.frozen
class NextBarReturn(IndicatorBase):
    """The NEXT bar's return: a planted look-ahead feature (never do this)."""

    name: ClassVar[str] = "next_bar_return"
    family: ClassVar[str] = "momentum"

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        close = ohlcv["close"]
        return pd.DataFrame({self.outputs[0]: close.shift(-1) / close - 1.0}, index=ohlcv.index)


class PlantedLeak:
    @hookimpl
    def mlcore_register_indicators(self, registry: Any) -> None:
        registry.add("next_bar_return", NextBarReturn, tags={"default"})  # joins the default set


def guard_config() -> MlcoreConfig:
    return config_from_dict(
        {
            "features": {"feature_selection": {"method": "anova_f", "n_features": 30}},
            "labels": {"method": "direction", "horizon": 1},
            "training": {
                "model_type": "lightgbm",
                "model_params": {"n_estimators": 100, "learning_rate": 0.05},
                "validation": {"method": "walk_forward", "n_splits": 5, "test_size": 0.5},
                "seed": 0,
                "early_stopping_rounds": None,  # every tree is grown: free to overfit noise
            },
            "mlflow": {"enabled": False},
        }
    )


@pytest.fixture
def host(monkeypatch: pytest.MonkeyPatch) -> PluginHost:
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", "mlcore-indicators,mlcore-lightgbm")
    return PluginHost.from_config(guard_config()).load()


def directional_accuracy(result: TrainingResult) -> float:
    """The walk-forward out-of-fold accuracy over every tested row: with direction labels
    (up vs not up) on continuous prices, the share of bars whose direction was right."""
    return result.cv_accuracy


def test_random_walk_scores_a_coin_flip(host: PluginHost) -> None:
    result = train(guard_config(), host, ohlcv=random_walk(12_000, seed=1), holdout=0.2)
    tested = int(result.cv.oof_predictions.notna().sum())
    assert tested > 4_000
    assert directional_accuracy(result) == pytest.approx(0.5, abs=0.03)
    assert result.oos_scores["accuracy"] == pytest.approx(0.5, abs=0.03)
    assert result.oos_scores["rows"] > 2_000
    assert len(result.pipeline.selected_features) == 30
    assert not any(name.startswith("next_bar") for name in result.pipeline.selected_features)


def test_a_planted_next_bar_leak_is_caught(host: PluginHost) -> None:
    host.register_plugin(PlantedLeak(), distribution="planted-leak")
    result = train(guard_config(), host, ohlcv=random_walk(5_000, seed=2), holdout=0.2)
    assert "next_bar_return" in result.pipeline.selected_features
    assert directional_accuracy(result) > 0.7
    assert result.oos_scores["accuracy"] > 0.7
