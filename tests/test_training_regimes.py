"""Regime probabilities as features of the training job (``regimes.enabled`` and
``regimes.as_features``): fit per fold on training rows only, carried by the pipeline.

Most tests use a test-local detector whose probabilities are a hand formula of its fit
window's statistics (and which records every fit window), registered with a small causal
indicator and a logistic-regression model through an in-process plugin. The last test
trains with the real ``hmm`` detector of mlcore-hmm and reloads the pipeline in another
process.
"""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, ClassVar

import attrs
import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from mlcore import ConfigError, IndicatorBase, ModelBase, RegimeDetectorBase, hookimpl
from mlcore.config import MlcoreConfig, RegimesConfig, config_from_dict
from mlcore.data import synthetic_ohlcv
from mlcore.errors import FeatureError
from mlcore.features import (
    FeatureEngineeringPipeline,
    FeatureSelector,
    RegimeFeatures,
    RegimeFeatureStep,
)
from mlcore.host import PluginHost
from mlcore.training import FeatureStage, TradingPipeline, TrainingResult, train

TESTS = Path(__file__).resolve().parent
REGIMES = ["regime_p_bull", "regime_p_bear"]
N_BARS = 600
HOLDOUT = 150


@attrs.frozen
class LagReturn(IndicatorBase):
    """Log return over ``period`` bars (causal)."""

    name: ClassVar[str] = "lag_return"
    family: ClassVar[str] = "momentum"
    default_parameters: ClassVar[tuple[dict[str, Any], ...]] = ({"period": 1}, {"period": 5})
    period: int = 1

    @property
    def warmup(self) -> int:
        return self.period

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        values = np.log(ohlcv["close"]).diff(self.period)
        return pd.DataFrame({self.outputs[0]: values}, index=ohlcv.index)


@attrs.define(slots=False)
class Logistic(ModelBase):
    """Logistic regression behind the Model protocol."""

    C: float = 1.0
    task: ClassVar[str] = "classification"

    @classmethod
    def search_space(cls, trial: Any) -> dict[str, Any]:
        return {"C": trial.suggest_float("C", 0.01, 10.0, log=True)}

    def fit(self, X: Any, y: Any, **fit_params: Any) -> Logistic:
        self.model_ = LogisticRegression(C=self.C).fit(np.asarray(X), np.asarray(y))
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(self.model_.predict(np.asarray(X)))

    def predict_proba(self, X: Any) -> np.ndarray:
        return np.asarray(self.model_.predict_proba(np.asarray(X)))


def _trend(ohlcv: pd.DataFrame, span: int = 5) -> np.ndarray:
    returns = np.log(ohlcv["close"]).diff().fillna(0.0)
    return returns.ewm(span=span, adjust=False).mean().to_numpy()


@attrs.define(slots=False)
class TrendDetector(RegimeDetectorBase):
    """Two regimes: P(bull) = logistic of the 5-bar EWM log return standardised with the
    fit window's mean and standard deviation. Causal: the EWM is recursive."""

    n_regimes: int = 2
    windows: ClassVar[list[pd.Index]] = []  # every fit's rows
    filtered: ClassVar[list[int]] = []  # the length of every predict_proba call

    def fit(self, X: Any) -> TrendDetector:
        trend = _trend(X)
        self.center_, self.scale_ = float(trend.mean()), float(trend.std())
        TrendDetector.windows.append(X.index)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        TrendDetector.filtered.append(len(X))
        bull = 1.0 / (1.0 + np.exp(-(_trend(X) - self.center_) / self.scale_))
        return np.column_stack([bull, 1.0 - bull])


class ToyPlugin:
    @hookimpl
    def mlcore_register_indicators(self, registry: Any) -> None:
        registry.add("lag_return", LagReturn, tags={"default"})

    @hookimpl
    def mlcore_register_models(self, registry: Any) -> None:
        registry.add("logistic", Logistic)

    @hookimpl
    def mlcore_register_regime_detectors(self, registry: Any) -> None:
        registry.add("trend", TrendDetector)


def _config(**sections: Any) -> MlcoreConfig:
    base: dict[str, Any] = {
        "plugins": {"autoload": False},
        "features": {
            "preprocessing": {"scaler": "none"},
            "feature_selection": {"method": "none"},
        },
        "labels": {"method": "direction", "horizon": 1},
        "regimes": {"enabled": True, "detector": "trend"},
        "training": {
            "model_type": "logistic",
            "metrics": ["accuracy"],
            "optimization_metric": "accuracy",
            "validation": {"n_splits": 3, "test_size": 0.3},
        },
        "mlflow": {"enabled": False},
    }
    for name, value in sections.items():
        base[name] = {**base.get(name, {}), **value}
    return config_from_dict(base)


def _host() -> PluginHost:
    host = PluginHost(_config()).load()
    assert host.register_plugin(ToyPlugin(), distribution="toy-regimes")
    return host


def _bars(n: int = N_BARS) -> pd.DataFrame:
    return synthetic_ohlcv(800, 5).ohlcv.iloc[:n]


def _train(config: MlcoreConfig | None = None, **options: Any) -> TrainingResult:
    options = {"ohlcv": _bars(), "holdout": HOLDOUT, **options}
    return train(config or _config(), _host(), **options)


@pytest.fixture(scope="module")
def trained() -> tuple[TrainingResult, list[pd.Index]]:
    TrendDetector.windows.clear()
    result = _train()
    return result, list(TrendDetector.windows)


def test_the_regime_columns_reach_the_trained_pipeline(trained) -> None:
    result, _ = trained
    pipeline = result.pipeline
    assert pipeline.feature_names_in == ["lag_return_1", "lag_return_5", *REGIMES]
    assert pipeline.selected_features == pipeline.feature_names_in
    assert result.features["generated"] == 4
    # the final detector: fit on the bars of the training rows, all before the cut
    bars = _bars()
    rows = result.data["y_train"].index
    assert rows.max() < bars.index[N_BARS - HOLDOUT]
    trend = _trend(bars.loc[rows])
    detector = pipeline.regimes.detector_
    assert (detector.center_, detector.scale_) == (trend.mean(), trend.std())
    # its filtered probabilities over every bar, by hand
    bull = 1.0 / (1.0 + np.exp(-(_trend(bars) - trend.mean()) / trend.std()))
    features = pipeline.features(bars)
    np.testing.assert_allclose(features["regime_p_bull"], bull, rtol=1e-12)
    np.testing.assert_allclose(features["regime_p_bear"], 1.0 - bull, rtol=1e-12)
    assert result.timings["regime_fits"] >= 0.0


def test_each_fold_fits_its_detector_on_its_training_rows_only(trained) -> None:
    result, windows = trained
    rows = result.data["y_train"].index
    folds = result.cv.folds
    assert len(folds) == 3
    assert len(windows) == len(folds) + 1, "one fit per fold, then the final one"
    for window, (train_rows, test_rows) in zip(windows, folds, strict=False):
        pd.testing.assert_index_equal(window, rows[train_rows])
        assert window.max() < rows[test_rows].min()
    pd.testing.assert_index_equal(windows[-1], rows)


def test_the_folds_of_every_tuning_trial_reuse_one_fit_per_fold() -> None:
    pytest.importorskip("optuna")
    TrendDetector.windows.clear()
    tuned = _train(_config(hpo={"enabled": True, "n_trials": 3, "pruner": "none"}))
    assert tuned.hpo.n_trials == 3
    rows = tuned.data["y_train"].index
    expected = [rows[train_rows] for train_rows, _ in tuned.cv.folds] + [rows]
    assert len(TrendDetector.windows) == len(expected)
    for window, want in zip(TrendDetector.windows, expected, strict=True):
        pd.testing.assert_index_equal(window, want)


def test_held_out_predictions_do_not_change_when_bars_are_appended(trained) -> None:
    result, _ = trained
    bars = _bars()
    full = result.pipeline.predict_proba(bars)
    for end in (N_BARS - HOLDOUT + 1, N_BARS - 60, N_BARS - 1):
        pd.testing.assert_frame_equal(result.pipeline.predict_proba(bars.iloc[:end]), full[:end])
    # the whole job: 40 more bars (and a hold-out 40 bars longer) keep the same cut, so
    # the same fits and the same held-out signals on the bars both runs hold out
    longer = _train(ohlcv=_bars(N_BARS + 40), holdout=HOLDOUT + 40)
    pd.testing.assert_frame_equal(
        longer.oos_signals.iloc[:HOLDOUT, :3], result.oos_signals.iloc[:, :3]
    )
    assert longer.pipeline.regimes.detector_.center_ == result.pipeline.regimes.detector_.center_


def test_the_pickled_pipeline_predicts_identically(trained) -> None:
    result, _ = trained
    bars = synthetic_ohlcv(300, 11).ohlcv
    restored = pickle.loads(pickle.dumps(result.pipeline))
    pd.testing.assert_frame_equal(restored.predict_proba(bars), result.pipeline.predict_proba(bars))
    assert isinstance(restored.regimes.detector_, TrendDetector)


def test_unselected_regime_columns_are_not_computed() -> None:
    bars = _bars(300)
    X = LagReturn(period=1).compute(bars).iloc[1:]
    y = (X["lag_return_1"] > 0).astype(np.int64)  # only the indicator tells y
    regimes = RegimeFeatures(
        RegimesConfig(enabled=True, detector="trend"), _host().regime_detectors
    )
    stage = FeatureStage(
        selector=FeatureSelector(method="anova_f", n_features=1),
        regimes=RegimeFeatureStep(regimes, bars),
    ).fit(X, y)
    assert stage.feature_names_in_ == ["lag_return_1", *REGIMES]
    assert stage.selected_ == ["lag_return_1"]
    model = Logistic().fit(stage.transform(X), y)
    pipeline = TradingPipeline(
        indicators=[LagReturn(period=1)],
        timeframes=(),
        feature_names_in=stage.feature_names_in_,
        stage=stage,
        model=model,
        label_kind="direction",
    )
    assert pipeline.regimes is not None
    assert not pipeline.regimes_needed
    TrendDetector.filtered.clear()
    proba = pipeline.predict_proba(bars)
    assert TrendDetector.filtered == [], "the filter ran although no column of it is used"
    np.testing.assert_allclose(proba.iloc[1:], model.predict_proba(stage.transform(X)))


@pytest.mark.parametrize("regimes", [{"enabled": False}, {"as_features": False}])
def test_no_regime_columns_unless_enabled_and_as_features(regimes: dict[str, Any]) -> None:
    result = _train(_config(regimes=regimes))
    assert result.pipeline.feature_names_in == ["lag_return_1", "lag_return_5"]
    assert result.pipeline.regimes is None
    assert "regime_fits" not in result.timings


def test_an_unknown_detector_fails_before_any_feature_is_computed(monkeypatch) -> None:
    computed: list[int] = []
    compute = LagReturn.compute

    def spy(self: LagReturn, ohlcv: pd.DataFrame) -> pd.DataFrame:
        computed.append(self.period)
        return compute(self, ohlcv)

    monkeypatch.setattr(LagReturn, "compute", spy)
    _train()
    assert sorted(set(computed)) == [1, 5], "the spy sees the indicators of a good run"
    computed.clear()
    config = _config(regimes={"detector": "trnd"})
    with pytest.raises(ConfigError, match=r"regimes\.detector.*'trnd'.*registered.*trend") as job:
        _train(config)
    assert computed == [], "the indicators ran before the detector's name was checked"
    with pytest.raises(ConfigError) as pipeline:
        FeatureEngineeringPipeline(config, host=_host())
    assert (str(job.value), job.value.key_path) == (str(pipeline.value), "regimes.detector")


def test_the_step_refuses_rows_it_has_no_bars_for() -> None:
    bars = _bars(200)
    regimes = RegimeFeatures(
        RegimesConfig(enabled=True, detector="trend"), _host().regime_detectors
    )
    step = RegimeFeatureStep(regimes, bars.iloc[:100])
    features = LagReturn().compute(bars)
    first_outside = re.escape(str(bars.index[100]))
    with pytest.raises(FeatureError, match=rf"row {first_outside} .*not among .*\(100 such rows\)"):
        step.fit(features)
    step.fit(features.iloc[:100])
    with pytest.raises(FeatureError, match=rf"row {first_outside} .*\(10 such rows\)"):
        step.transform(features.iloc[90:110])
    with pytest.raises(TypeError, match="DataFrame on the bars' index"):
        step.transform(features.to_numpy())


# ----------------------------------------------------------- with the real hmm detector


def test_hmm_regime_pipeline_reloads_in_another_process(tmp_path: Path) -> None:
    plugin = pytest.importorskip("mlcore_hmm.plugin")
    from mlcore_hmm import HMMRegimeDetector

    host = _host()
    assert host.register_plugin(plugin, distribution="mlcore-hmm")
    params = {"n_restarts": 2, "random_state": 3}
    config = _config(regimes={"detector": "hmm", "params": params})
    result = train(config, host, ohlcv=_bars(), holdout=HOLDOUT)
    pipeline = result.pipeline
    columns = ["regime_p_bull", "regime_p_bear", "regime_p_sideways"]
    assert pipeline.selected_features[-3:] == columns
    # the same numbers as a detector fit here on the bars of the training rows
    bars = _bars()
    reference = HMMRegimeDetector(**params).fit(bars.loc[result.data["y_train"].index])
    np.testing.assert_allclose(
        pipeline.features(bars)[columns].to_numpy(), reference.predict_proba(bars), rtol=1e-10
    )
    new_bars = synthetic_ohlcv(250, 21).ohlcv
    joblib.dump(pipeline, tmp_path / "pipeline.joblib")
    new_bars.to_pickle(tmp_path / "bars.pkl")
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(TESTS)!r})
        import joblib, pandas as pd
        pipeline = joblib.load("pipeline.joblib")
        pipeline.predict_proba(pd.read_pickle("bars.pkl")).to_pickle("proba.pkl")
        """
    )
    subprocess.run([sys.executable, "-c", script], cwd=tmp_path, check=True, timeout=120)
    pd.testing.assert_frame_equal(
        pd.read_pickle(tmp_path / "proba.pkl"), pipeline.predict_proba(new_bars)
    )
