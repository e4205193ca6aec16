"""The training job (mlcore.training), its fitted pipeline and the `mlcore train`/`run` commands.

The first part runs on the kernel alone: small indicators and a logistic-regression model
registered through an in-process plugin. The second part runs the real job (the default
features of mlcore-indicators, LightGBM, MLflow) and is skipped where those are missing.
"""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, ClassVar

import attrs
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.linear_model import LogisticRegression

from mlcore import ConfigError, IndicatorBase, ModelBase, UnknownComponentError, hookimpl
from mlcore.cli import main
from mlcore.config import MlcoreConfig, config_from_dict, load_config
from mlcore.data import synthetic_ohlcv
from mlcore.errors import MlcoreError
from mlcore.features import FeatureEngineeringPipeline
from mlcore.host import PluginHost
from mlcore.training import (
    QUICKSTART,
    HookedModel,
    TradingPipeline,
    TrainingJob,
    TrainingResult,
    generate_indicator_features,
    quickstart_config,
    train,
)

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------------------
# A kernel-only plugin: causal indicators and a small classifier
# ---------------------------------------------------------------------------


@attrs.frozen
class LagReturn(IndicatorBase):
    """Log return over ``period`` bars (causal)."""

    name: ClassVar[str] = "lag_return"
    family: ClassVar[str] = "momentum"
    default_parameters: ClassVar[tuple[dict[str, Any], ...]] = (
        {"period": 1},
        {"period": 3},
        {"period": 10},
    )
    period: int = 1

    @property
    def warmup(self) -> int:
        return self.period

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        values = np.log(ohlcv["close"]).diff(self.period)
        return pd.DataFrame({self.outputs[0]: values}, index=ohlcv.index)


@attrs.frozen
class RangeShare(IndicatorBase):
    """Where the close sits in the bar's range, averaged over ``window`` bars."""

    name: ClassVar[str] = "range_share"
    family: ClassVar[str] = "volatility"
    input_columns: ClassVar[tuple[str, ...]] = ("high", "low", "close")
    default_parameters: ClassVar[tuple[dict[str, Any], ...]] = ({"window": 5},)
    window: int = 5

    @property
    def warmup(self) -> int:
        return self.window - 1

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        spread = (ohlcv["high"] - ohlcv["low"]).replace(0.0, np.nan)
        share = ((ohlcv["close"] - ohlcv["low"]) / spread).rolling(self.window).mean()
        return pd.DataFrame({self.outputs[0]: share}, index=ohlcv.index)


@attrs.define(slots=False)
class ToyClassifier(ModelBase):
    """Logistic regression behind the Model protocol."""

    C: float = attrs.field(default=1.0, validator=attrs.validators.gt(0))
    random_state: int = 0
    n_jobs: int = 2
    task: ClassVar[str] = "classification"

    @classmethod
    def search_space(cls, trial: Any) -> dict[str, Any]:
        return {"C": trial.suggest_float("C", 0.01, 10.0, log=True)}

    def fit(self, X: Any, y: Any, **fit_params: Any) -> ToyClassifier:
        model = LogisticRegression(C=self.C, random_state=self.random_state)
        self.model_ = model.fit(np.asarray(X), np.asarray(y))
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(self.model_.predict(np.asarray(X)))

    def predict_proba(self, X: Any) -> np.ndarray:
        return np.asarray(self.model_.predict_proba(np.asarray(X)))


@attrs.define(slots=False)
class BrokenClassifier(ToyClassifier):
    def fit(self, X: Any, y: Any, **fit_params: Any) -> BrokenClassifier:
        raise RuntimeError("the solver diverged")


class ToyPlugin:
    @hookimpl
    def mlcore_register_indicators(self, registry: Any) -> None:
        registry.add("lag_return", LagReturn, tags={"default"})
        registry.add("range_share", RangeShare, tags={"default"})

    @hookimpl
    def mlcore_register_models(self, registry: Any) -> None:
        registry.add("toy", ToyClassifier)
        registry.add("broken", BrokenClassifier)


class FitRecorder:
    """Records every fit hook call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    @hookimpl
    def mlcore_before_fit(self, model: Any, data: Any, config: Any, run_id: Any) -> None:
        self.calls.append(("before", {"model": model, "data": data, "run_id": run_id}))

    @hookimpl
    def mlcore_after_fit(
        self, model: Any, data: Any, config: Any, run_id: Any, result: Any
    ) -> None:
        self.calls.append(("after", {"model": model, "data": data, "result": result}))

    @hookimpl
    def mlcore_on_fit_error(
        self, model: Any, data: Any, config: Any, run_id: Any, error: Any
    ) -> None:
        self.calls.append(("error", {"model": model, "error": error}))


def _config(**sections: Any) -> MlcoreConfig:
    base: dict[str, Any] = {
        "plugins": {"autoload": False},
        "data": {"source": "synthetic", "params": {"n": 700, "seed": 3}},
        "features": {"feature_selection": {"method": "anova_f", "n_features": 3}},
        "labels": {"method": "direction", "horizon": 1},
        "training": {
            "model_type": "toy",
            "metrics": ["accuracy", "f1_score", "roc_auc"],
            "validation": {"n_splits": 4, "test_size": 0.4},
        },
        "mlflow": {"enabled": False},
    }
    for name, value in sections.items():
        base[name] = {**base.get(name, {}), **value}
    return config_from_dict(base)


@pytest.fixture
def toy_host() -> PluginHost:
    host = PluginHost(_config()).load()
    assert host.register_plugin(ToyPlugin(), distribution="toy-plugin")
    return host


@pytest.fixture(scope="module")
def toy_result() -> TrainingResult:
    host = PluginHost(_config()).load()
    host.register_plugin(ToyPlugin(), distribution="toy-plugin")
    return train(_config(), host, holdout=0.25)


# ---------------------------------------------------------------------------
# Hooks around every fit
# ---------------------------------------------------------------------------


def test_mlcore_before_fit_and_mlcore_after_fit_fire_around_every_fit(
    toy_host: PluginHost,
) -> None:
    recorder = FitRecorder()
    toy_host.register_plugin(recorder, distribution="fit-recorder")
    result = train(_config(), toy_host, holdout=0.25)
    folds = len(result.cv.folds)
    assert folds == 4
    kinds = [kind for kind, _ in recorder.calls]
    assert kinds == ["before", "after"] * (folds + 1), "each fit: before, then after"
    afters = [call for kind, call in recorder.calls if kind == "after"]
    assert [call["result"]["stage"] for call in afters] == ["cv"] * folds + ["final"]
    assert [call["result"]["fold"] for call in afters] == [0, 1, 2, 3, None]
    for (train_rows, _), call in zip(result.cv.folds, afters, strict=False):
        X, _ = call["data"]
        assert len(X) == train_rows.size == call["result"]["n_rows"]
    befores = [call for kind, call in recorder.calls if kind == "before"]
    assert all(isinstance(call["model"], ToyClassifier) for call in befores)
    assert all(call["run_id"] is None for call in befores), "nothing tracked: run_id is None"
    assert afters[-1]["model"] is result.pipeline.model
    assert "model_" in vars(afters[-1]["model"])


def test_mlcore_on_fit_error_fires_and_the_error_propagates(toy_host: PluginHost) -> None:
    recorder = FitRecorder()
    toy_host.register_plugin(recorder, distribution="fit-recorder")
    with pytest.raises(RuntimeError, match="the solver diverged"):
        train(_config(training={"model_type": "broken"}), toy_host)
    assert [kind for kind, _ in recorder.calls] == ["before", "error"]
    assert str(recorder.calls[1][1]["error"]) == "the solver diverged"


def test_hooks_fire_in_every_tuning_trial_too(toy_host: PluginHost) -> None:
    pytest.importorskip("optuna")
    recorder = FitRecorder()
    toy_host.register_plugin(recorder, distribution="fit-recorder")
    config = _config(hpo={"enabled": True, "n_trials": 3, "pruner": "none"})
    result = train(config, toy_host)
    stages = [call["result"]["stage"] for kind, call in recorder.calls if kind == "after"]
    assert stages.count("hpo") == 3 * 4, "three trials of four folds each"
    assert stages[-5:] == ["cv"] * 4 + ["final"]
    assert result.hpo is not None
    assert result.hpo.n_trials == 3
    assert pytest.approx(result.hpo.best_params["C"]) == result.pipeline.model.C
    assert "hpo trials" in result.summary()


def test_hooked_model_delegates_to_the_model(toy_host: PluginHost) -> None:
    model = ToyClassifier()
    hooked = HookedModel(model, toy_host, _config(), None, "cv", 0)
    X = np.random.default_rng(0).normal(size=(50, 2))
    y = (X[:, 0] > 0).astype(int)
    assert hooked.fit(X, y) is hooked
    np.testing.assert_array_equal(hooked.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(hooked.classes_, [0, 1])


# ---------------------------------------------------------------------------
# The job: rows, hold-out, signals
# ---------------------------------------------------------------------------


def test_no_training_row_reaches_the_held_out_bars(toy_host: PluginHost) -> None:
    recorder = FitRecorder()
    toy_host.register_plugin(recorder, distribution="fit-recorder")
    config = _config(labels={"method": "direction", "horizon": 4})
    result = train(config, toy_host, holdout=0.3)
    holdout_start = result.data["holdout_start"]
    bars = synthetic_ohlcv(700, 3).ohlcv
    assert holdout_start == bars.index[700 - 210]
    trained = result.data["y_train"].index
    assert trained.max() < holdout_start
    # a training label's window ends before the held-out bars (here: horizon 4)
    assert bars.index.get_loc(trained.max()) + 4 < bars.index.get_loc(holdout_start)
    for kind, call in recorder.calls:
        if kind == "before":
            X, _ = call["data"]
            assert X.index.max() < holdout_start
    assert result.pipeline.preprocessor.train_end_ == trained.max()
    assert result.oos_signals.index[0] == holdout_start
    assert len(result.oos_signals) == 210


def test_signals_act_from_the_next_bar(toy_result: TrainingResult) -> None:
    signals = toy_result.oos_signals
    assert signals["position"].iloc[0] == 0
    np.testing.assert_array_equal(
        signals["position"].iloc[1:].to_numpy(), signals["signal"].iloc[:-1].to_numpy()
    )
    expected = np.where(signals["p_up"] > 0.5, 1, np.where(signals["p_up"] < 0.5, -1, 0))
    np.testing.assert_array_equal(signals["signal"].to_numpy(), expected)
    bars = synthetic_ohlcv(700, 3).ohlcv
    log_close = np.log(bars["close"]).loc[signals.index[0] - pd.Timedelta("1D") :]
    realised = log_close.diff().loc[signals.index]
    np.testing.assert_allclose(signals["market_return"], realised)
    # filled at the next bar's open: the overnight gap belongs to the position held before
    held = bars.loc[signals.index]
    position = signals["position"].to_numpy()
    before = np.r_[0, position[:-1]]
    gap = np.log(held["open"].to_numpy()) - log_close.shift(1).loc[signals.index].to_numpy()
    gap[0] = 0.0
    intraday = np.log(held["close"] / held["open"]).to_numpy()
    np.testing.assert_allclose(signals["return"], before * gap + position * intraday)
    assert toy_result.oos_scores["strategy_log_return"] == pytest.approx(signals["return"].sum())


def test_pipeline_signals_from_raw_bars(toy_result: TrainingResult) -> None:
    bars = synthetic_ohlcv(300, 11).ohlcv
    signals = toy_result.pipeline.signals(bars)
    proba = toy_result.pipeline.predict_proba(bars)
    np.testing.assert_allclose(signals["p_up"], proba[1])
    assert (signals["signal"][proba[1].isna()] == 0).all(), "warm-up bars are flat"
    np.testing.assert_array_equal(signals["position"].iloc[1:], signals["signal"].iloc[:-1])


def test_cv_scores_come_from_the_metric_registry(toy_result: TrainingResult) -> None:
    scores = toy_result.fold_scores
    assert list(toy_result.cv.metrics) == ["accuracy", "f1_score", "roc_auc"]
    y = toy_result.data["y_train"]
    for (_, test), accuracy, predictions in zip(
        toy_result.cv.folds, scores["accuracy"], toy_result.cv.fold_predictions, strict=True
    ):
        assert accuracy == pytest.approx(float(np.mean(predictions == y.iloc[test].to_numpy())))
    assert toy_result.cv_scores["accuracy"] == pytest.approx(scores["accuracy"].mean())


def test_same_seed_same_numbers(toy_host: PluginHost) -> None:
    config = _config(features={"feature_selection": {"method": "mutual_info", "n_features": 2}})
    first = train(config, toy_host)
    second = train(config, toy_host)
    pd.testing.assert_frame_equal(
        first.fold_scores.drop(columns=["fit_time", "score_time"]),
        second.fold_scores.drop(columns=["fit_time", "score_time"]),
    )
    assert first.oos_scores == second.oos_scores
    assert first.pipeline.selected_features == second.pipeline.selected_features


def test_stacking_over_registered_models_trains_with_purging(toy_host: PluginHost) -> None:
    config = _config(
        labels={"method": "direction", "horizon": 3},
        training={
            "model_type": "stacking",
            "model_params": {"models": ["toy", {"name": "toy", "C": 0.05}], "n_splits": 3},
        },
    )
    result = train(config, toy_host)
    stack = result.pipeline.model
    assert type(stack).__name__ == "StackingEnsemble"
    for train_rows, test_rows in stack.folds_:
        assert train_rows.max() + 3 < test_rows.min(), "t1 reached the stack: rows are purged"
    assert result.pipeline.predict_proba(synthetic_ohlcv(200, 5).ohlcv).shape == (200, 2)


@pytest.mark.parametrize(
    ("sections", "error", "key"),
    [
        ({"training": {"model_type": "tooy"}}, UnknownComponentError, "training.model_type"),
        (
            {"training": {"metrics": ["accuracy", "acuracy"]}},
            UnknownComponentError,
            "training.metrics[1]",
        ),
        (
            {"training": {"optimization_metric": "sharpe"}},
            UnknownComponentError,
            "training.optimization_metric",
        ),
        ({"data": {"source": "feather"}}, UnknownComponentError, "data.source"),
        ({"data": {"params": {"rows": 10}}}, ConfigError, "data.params"),
        (
            {"labels": {"method": "triple_barrier", "meta_labeling": True}},
            ConfigError,
            "labels.meta_labeling",
        ),
        ({"training": {"model_params": {"c": 1}}}, ConfigError, "training.model_params.c"),
        ({"training": {"metrics": ["annual_return"]}}, ConfigError, "training.metrics[0]"),
        ({"training": {"metrics": ["win_rate"]}}, ConfigError, "training.metrics[0]"),
    ],
)
def test_job_errors_name_the_config_key(
    toy_host: PluginHost, sections: dict[str, Any], error: type[Exception], key: str
) -> None:
    with pytest.raises(error) as caught:
        train(_config(**sections), toy_host)
    if isinstance(caught.value, ConfigError):
        assert caught.value.key_path == key
    else:
        assert f"config key '{key}'" in str(caught.value)


def test_holdout_is_checked(toy_host: PluginHost) -> None:
    with pytest.raises(ValueError, match="holdout must be a fraction"):
        TrainingJob(_config(), toy_host, holdout=1.5)
    with pytest.raises(MlcoreError, match="leaves none of the 700 bars"):
        train(_config(), toy_host, holdout=700)


def test_summary_table_lists_data_folds_and_metrics(toy_result: TrainingResult) -> None:
    text = toy_result.summary()
    for expected in (
        "bars                                     700",
        "Cross-validation: walk_forward, 4 folds (expanding, purged)",
        "mean",
        "out-of-sample (held out)",
        "cross_validation",
        "ToyClassifier",
    ):
        assert expected in text
    assert toy_result.timings["total"] > 0


# ---------------------------------------------------------------------------
# The fitted pipeline
# ---------------------------------------------------------------------------


def test_pipeline_pickles_and_predicts_from_raw_bars(toy_result: TrainingResult) -> None:
    pipeline = toy_result.pipeline
    bars = synthetic_ohlcv(250, 42).ohlcv
    restored = pickle.loads(pickle.dumps(pipeline))
    pd.testing.assert_frame_equal(restored.predict_proba(bars), pipeline.predict_proba(bars))
    predictions = pipeline.predict(bars)
    assert predictions.index.equals(bars.index)
    warm_up = max(indicator.warmup for indicator in pipeline.needed_indicators)
    assert predictions.iloc[:warm_up].isna().all()
    assert predictions.iloc[warm_up:].notna().all()
    # the fast path: the model stage on one numpy row of the selected features
    row = pipeline.features(bars).iloc[[-1]].to_numpy()
    np.testing.assert_allclose(
        pipeline.model.predict_proba(row)[0], pipeline.predict_proba(bars).iloc[-1].to_numpy()
    )


def test_pipeline_computes_only_the_indicators_behind_its_features(
    toy_result: TrainingResult, toy_host: PluginHost
) -> None:
    pipeline = toy_result.pipeline
    assert len(pipeline.selected_features) == 3
    assert len(pipeline.needed_indicators) < len(pipeline.indicators)
    bars = synthetic_ohlcv(300, 8).ohlcv
    every_column = FeatureEngineeringPipeline(_config().features, host=toy_host)
    full = every_column.generate_features(bars)
    expected = pipeline.selector.transform(pipeline.preprocessor.transform(full))
    pd.testing.assert_frame_equal(pipeline.features(bars), expected)


def test_generate_indicator_features_matches_the_feature_pipeline(toy_host: PluginHost) -> None:
    features = _config(features={"timeframes": ["1W"]}).features
    engine = FeatureEngineeringPipeline(features, host=toy_host)
    bars = synthetic_ohlcv(200, 2).ohlcv
    expected = engine.generate_features(bars)
    actual = generate_indicator_features(bars, engine.indicators, engine.timeframes)
    pd.testing.assert_frame_equal(actual, expected)


def test_pipeline_accepts_bars_with_a_timestamp_column(toy_result: TrainingResult) -> None:
    bars = synthetic_ohlcv(120, 4).ohlcv
    flat = bars.reset_index()
    pd.testing.assert_series_equal(
        toy_result.pipeline.predict(flat), toy_result.pipeline.predict(bars), check_names=False
    )


def test_quickstart_file_is_the_embedded_quickstart() -> None:
    assert load_config(ROOT / "examples" / "quickstart.yaml") == quickstart_config()
    assert QUICKSTART["mlflow"]["tracking_uri"] == "sqlite:///mlflow.db"


# ---------------------------------------------------------------------------
# The real job: default features, LightGBM, MLflow
# ---------------------------------------------------------------------------


@pytest.fixture
def real_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("mlcore_indicators")
    pytest.importorskip("mlcore_lightgbm")
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", "mlcore-indicators,mlcore-lightgbm,mlcore-xgboost")


LOAD_IN_ANOTHER_PROCESS = textwrap.dedent(
    """
    import sys
    import mlflow
    from mlcore.data import synthetic_ohlcv

    mlflow.set_tracking_uri(sys.argv[1])
    model = mlflow.pyfunc.load_model("models:/mlcore-quickstart@champion")
    bars = synthetic_ohlcv(400, 123, freq="1D").ohlcv
    model.predict(bars).to_frame("prediction").to_csv(sys.argv[2])
    """
)


@pytest.mark.slow
def test_quickstart_run_is_tracked_registered_and_loads_in_another_process(
    real_plugins: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mlflow = pytest.importorskip("mlflow")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["run", str(ROOT / "examples" / "quickstart.yaml")])
    assert result.exit_code == 0, result.output
    assert "registered model  mlcore-quickstart" in result.output
    assert "alias             champion" in result.output

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    client = mlflow.MlflowClient(tracking_uri=uri)
    version = client.get_model_version_by_alias("mlcore-quickstart", "champion")
    run = client.get_run(version.run_id)
    assert run.info.status == "FINISHED"
    assert run.data.params["model_type"] == "lightgbm"
    assert run.data.params["seed"] == "42"
    assert run.data.params["training.validation.n_splits"] == "5"
    assert run.data.params["plugin.mlcore-lightgbm"]
    assert "data_fingerprint" in run.data.params
    for name in ("cv_mean_accuracy", "cv_mean_f1_score", "oos_accuracy", "oos_roc_auc"):
        assert name in run.data.metrics
    history = client.get_metric_history(run.info.run_id, "cv_accuracy")
    assert sorted(m.step for m in history) == [0, 1, 2, 3, 4]
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    expected = {"config.yaml", "features.json", "plugins.json", "model_metadata.json"}
    assert expected | {"cv_scores.png", "feature_importances.png"} <= artifacts
    metadata = json.loads(
        Path(
            mlflow.artifacts.download_artifacts(
                run_id=run.info.run_id, artifact_path="model_metadata.json", tracking_uri=uri
            )
        ).read_text()
    )
    assert metadata["version"] == "1"
    assert metadata["model_type"] == "lightgbm"
    assert len(metadata["features"]) == 30
    assert "cv_accuracy" in metadata["performance_metrics"]

    out = tmp_path / "predictions.csv"
    subprocess.run(
        [sys.executable, "-c", LOAD_IN_ANOTHER_PROCESS, uri, str(out)],
        check=True,
        cwd=tmp_path,
        timeout=300,
    )
    there = pd.read_csv(out, index_col=0)["prediction"]
    mlflow.set_tracking_uri(uri)
    loaded = mlflow.pyfunc.load_model("models:/mlcore-quickstart@champion")
    here = loaded.predict(synthetic_ohlcv(400, 123, freq="1D").ohlcv)
    np.testing.assert_array_equal(there.to_numpy(), here.to_numpy())
    assert here.notna().sum() > 100
    assert set(here.dropna().unique()) <= {0.0, 1.0}

    # a second run: the new version is champion, the first one keeps previous_champion
    again = CliRunner().invoke(main, ["train", "--config", str(ROOT / "examples/quickstart.yaml")])
    assert again.exit_code == 0, again.output
    aliases = client.get_registered_model("mlcore-quickstart").aliases
    assert {k: int(v) for k, v in aliases.items()} == {"champion": 2, "previous_champion": 1}


def test_csv_example_runs(
    real_plugins: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("mlcore_xgboost")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["run", "examples/csv_run.yaml", "--no-mlflow"])
    assert result.exit_code == 0, result.output
    assert "source                                   csv" in result.output
    assert "model_type  xgboost" in result.output
    assert "out-of-sample (held out)" in result.output
    assert not (tmp_path / "mlflow.db").exists()


def test_real_pipeline_features_match_the_feature_pipeline(real_plugins: None) -> None:
    config = config_from_dict({"features": {"timeframes": ["1W"]}})
    host = PluginHost.from_config(config).load()
    engine = FeatureEngineeringPipeline(config.features, host=host)
    bars = synthetic_ohlcv(400, 6).ohlcv
    pd.testing.assert_frame_equal(
        generate_indicator_features(bars, engine.indicators, engine.timeframes),
        engine.generate_features(bars),
    )


def test_default_job_selects_30_of_the_default_features(real_plugins: None) -> None:
    config = config_from_dict(
        {
            "data": {"params": {"n": 1200, "seed": 5}},
            "features": {"feature_selection": {"method": "anova_f"}},
            "training": {"validation": {"n_splits": 3}},
            "mlflow": {"enabled": False},
        }
    )
    result = train(config)
    assert isinstance(result.pipeline, TradingPipeline)
    assert result.features["generated"] >= 200
    assert len(result.pipeline.selected_features) == 30
    assert result.pipeline.model.n_jobs == 1, "one thread per fit inside the job by default"
    bars = synthetic_ohlcv(400, 9).ohlcv
    row = result.pipeline.features(bars).iloc[[-1]].to_numpy()
    np.testing.assert_allclose(
        result.pipeline.model.predict_proba(row)[0],
        result.pipeline.predict_proba(bars).iloc[-1].to_numpy(),
    )
