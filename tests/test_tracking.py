"""MLflowManager on real MLflow: one SQLite store per module in a temporary directory, no
server, no network. Each test works in its own experiment (or registered model name), so the
tests stay independent while paying MLflow's database set-up once."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

mlflow = pytest.importorskip("mlflow")

from mlflow import MlflowClient  # noqa: E402

from mlcore.config import MlcoreConfig, MlflowConfig, config_from_dict, load_config  # noqa: E402
from mlcore.data import data_fingerprint, synthetic_ohlcv  # noqa: E402
from mlcore.errors import MissingExtraError  # noqa: E402
from mlcore.host import PluginHost  # noqa: E402
from mlcore.tracking import (  # noqa: E402
    MAX_PARAM_LENGTH,
    TRUNCATION_MARKER,
    LoggedModel,
    MLflowManager,
    ModelLoadError,
    ModelNotFoundError,
    TrackingError,
    TrackingWarning,
    default_pip_requirements,
    flatten_params,
)

TESTS_DIR = Path(__file__).parent
sys.path.insert(0, str(TESTS_DIR))  # the fixture model must import here as in the subprocess
from tracking_fixture_model import MeanReversionModel  # noqa: E402

SECRET = "fh-live-8c1d2e3f4a5b6c7d"


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One SQLite store, opened through a *relative* URI from its parent directory."""
    root = tmp_path_factory.mktemp("tracking")
    saved = {k: os.environ.get(k) for k in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")}
    with contextlib.chdir(root):
        first = MLflowManager("sqlite:///store/mlflow.db", "first experiment")
    yield {"root": root, "uri": first.tracking_uri, "first": first}
    while mlflow.active_run() is not None:
        mlflow.end_run()
    mlflow.set_tracking_uri(None)
    mlflow.set_registry_uri(None)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def manager(store: dict[str, Any], request: pytest.FixtureRequest) -> Iterator[MLflowManager]:
    manager = MLflowManager(store["uri"], experiment_name=request.node.name)
    yield manager
    while manager._runs:
        manager.end_run("KILLED")


@pytest.fixture(scope="module")
def client(store: dict[str, Any]) -> MlflowClient:
    return MlflowClient(store["uri"])


@pytest.fixture(scope="module")
def bars() -> pd.DataFrame:
    return synthetic_ohlcv(360, seed=7).ohlcv


def read_artifact(client: MlflowClient, run_id: str, path: str, tmp_path: Path) -> str:
    local = client.download_artifacts(run_id, path, str(tmp_path))
    return Path(local).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the store


def test_missing_mlflow_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "mlflow", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'mlcore\[tracking\]'"):
        MLflowManager("sqlite:///never.db")


def test_telemetry_is_off_by_default() -> None:
    assert os.environ["MLFLOW_DISABLE_TELEMETRY"] == "true"


def test_relative_sqlite_uri_is_fixed_and_artifacts_sit_next_to_the_database(
    store: dict[str, Any],
) -> None:
    database = store["root"] / "store" / "mlflow.db"
    first: MLflowManager = store["first"]
    assert first.tracking_uri == f"sqlite:///{database}"
    assert first.registry_uri == first.tracking_uri
    expected = database.parent / "mlartifacts" / "first_experiment"
    assert first.artifact_location == expected.as_uri()
    with first.run():
        first.log_dict({"a": 1}, "probe.json")
    assert len(list(expected.glob("*/artifacts/probe.json"))) == 1


def test_an_existing_experiment_is_reused(manager: MLflowManager, store: dict[str, Any]) -> None:
    again = MLflowManager(store["uri"], manager.experiment_name)
    assert again.experiment_id == manager.experiment_id
    assert again.artifact_location == manager.artifact_location


def test_from_config_keeps_tags_and_the_model_name(
    store: dict[str, Any], client: MlflowClient
) -> None:
    section = MlflowConfig(
        tracking_uri=store["uri"],
        experiment_name="from config",
        registered_model_name="mean-reversion",
        tags={"team": "quant"},
    )
    manager = MLflowManager.from_config(MlcoreConfig(mlflow=section))
    assert manager.registered_model_name == "mean-reversion"
    with manager.run(run_name="tagged", tags={"symbol": "BTCUSD"}) as run_id:
        pass
    tags = client.get_run(run_id).data.tags
    assert tags["team"] == "quant"
    assert tags["symbol"] == "BTCUSD"
    assert tags["mlcore.version"] == importlib.metadata.version("mlcore")
    assert tags["mlflow.runName"] == "tagged"


# -------------------------------------------------------------------------------- runs


def test_run_context_ends_finished_or_failed_and_reraises(
    manager: MLflowManager, client: MlflowClient
) -> None:
    with manager.run() as finished:
        assert manager.active_run_id == finished
    with pytest.raises(ZeroDivisionError), manager.run() as failed:
        _ = 1 / 0
    assert client.get_run(finished).info.status == "FINISHED"
    assert client.get_run(failed).info.status == "FAILED"
    with pytest.raises(TrackingError, match="no active run"):
        manager.log_metrics({"x": 1.0})


def test_nested_runs_end_with_their_parent(manager: MLflowManager, client: MlflowClient) -> None:
    parent = manager.start_run(run_name="cv")
    child = manager.start_run(run_name="fold-0", nested=True)
    assert manager.active_run_id == child
    manager._end(parent, "FINISHED")
    assert client.get_run(child).info.status == "FINISHED"
    assert client.get_run(child).data.tags["mlflow.parentRunId"] == parent
    assert mlflow.active_run() is None


def test_parameters_are_flattened_and_truncated(
    manager: MLflowManager, client: MlflowClient
) -> None:
    with manager.run() as run_id:
        logged = manager.log_parameters(
            {
                "model": {"max_depth": 3, "learning_rate": 0.05, "objective": "binary"},
                "windows": [7, 14],
                "note": "x" * (MAX_PARAM_LENGTH + 50),
                "empty": {},
            }
        )
    params = client.get_run(run_id).data.params
    assert params["model.max_depth"] == "3"
    assert params["model.learning_rate"] == "0.05"
    assert params["model.objective"] == "binary"
    assert params["windows"] == "[7,14]"
    assert params["empty"] == "{}"
    assert len(params["note"]) == MAX_PARAM_LENGTH
    assert params["note"].endswith(TRUNCATION_MARKER)
    assert logged == params


def test_a_parameter_cannot_change_within_a_run(manager: MLflowManager) -> None:
    with manager.run():
        manager.log_parameters({"seed": 1})
        manager.log_parameters({"seed": 1})  # same value: nothing to do
        with pytest.raises(TrackingError, match=r"seed: '1' -> '2'"):
            manager.log_parameters({"seed": 2})


def test_metrics_per_fold_use_the_fold_as_step(
    manager: MLflowManager, client: MlflowClient
) -> None:
    fold_scores = [0.61, 0.58, 0.64]
    with manager.run() as run_id:
        for fold, score in enumerate(fold_scores):
            manager.log_metrics({"f1": score, "accuracy": score - 0.1}, step=fold)
        manager.log_metrics({"f1_mean": float(np.mean(fold_scores))})
    history = client.get_metric_history(run_id, "f1")
    assert [(m.step, m.value) for m in sorted(history, key=lambda m: m.step)] == list(
        enumerate(fold_scores)
    )
    metrics = client.get_run(run_id).data.metrics
    assert metrics["f1_mean"] == pytest.approx(sum(fold_scores) / 3)
    assert metrics["accuracy"] == pytest.approx(0.64 - 0.1)


def test_non_finite_metrics_are_skipped_with_a_warning(
    manager: MLflowManager, client: MlflowClient
) -> None:
    with manager.run() as run_id:
        with pytest.warns(TrackingWarning, match=r"roc_auc=nan, ic=inf"):
            logged = manager.log_metrics({"roc_auc": float("nan"), "ic": np.inf, "f1": 0.5})
        with pytest.raises(TypeError, match="metric 'label' must be a number"):
            manager.log_metrics({"label": "up"})  # type: ignore[dict-item]
    assert logged == {"f1": 0.5}
    assert client.get_run(run_id).data.metrics == {"f1": 0.5}


# ----------------------------------------------------------------------------- secrets


def test_secrets_never_reach_mlflow(
    manager: MLflowManager, client: MlflowClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FINNHUB_API_KEY", SECRET)
    config = config_from_dict(
        {
            "sentiment": {"enabled": True, "sources": ["finnhub"]},
            "plugins": {"config": {"mlcore-sentiment-finnhub": {"api_key_env": "FINNHUB_API_KEY"}}},
            "mlflow": {"tracking_uri": "postgresql://quant:hunter22@db.internal/mlflow"},
        }
    )
    with (
        warnings.catch_warnings(record=True) as caught,
        manager.run(tags={"auth_token": "t0k3n-value", "client": SECRET}) as run_id,
    ):
        warnings.simplefilter("always", TrackingWarning)
        manager.log_parameters(
            {
                "finnhub": {"api_key": SECRET, "symbol": "AAPL"},
                "request_header": f"Bearer {SECRET}",
                "echo": SECRET,
                "password": "hunter2",
            }
        )
        manager.log_config(config)
    run = client.get_run(run_id)
    everything = json.dumps([run.data.params, run.data.tags]) + read_artifact(
        client, run_id, "config.yaml", tmp_path
    )
    assert SECRET not in everything
    assert "hunter2" not in everything  # the literal password and the one inside the URL
    assert "t0k3n-value" not in everything
    assert run.data.params["finnhub.symbol"] == "AAPL"
    # naming the variable that holds a secret is fine, and is how config refers to secrets
    assert run.data.params["plugins.config.mlcore-sentiment-finnhub.api_key_env"] == (
        "FINNHUB_API_KEY"
    )
    assert run.data.params["mlflow.tracking_uri"] == "postgresql://quant:***@db.internal/mlflow"
    messages = " ".join(str(w.message) for w in caught if w.category is TrackingWarning)
    for key in ("auth_token", "client", "finnhub.api_key", "request_header", "echo", "password"):
        assert key in messages
    assert SECRET not in messages  # warnings name the keys, never the values


# ---------------------------------------------------------------- what a run records


def test_config_environment_fingerprint_features_and_seed(
    manager: MLflowManager, client: MlflowClient, bars: pd.DataFrame, tmp_path: Path
) -> None:
    config = config_from_dict({"training": {"model_type": "xgboost", "seed": 11}})
    host = PluginHost.from_config({"plugins": {"autoload": False}}).load()
    host.register_plugin(object(), distribution="mlcore-demo", name="demo", version="1.2.3")
    with manager.run() as run_id:
        manager.log_config(config)
        manager.log_environment(host)
        fingerprint = manager.log_data_fingerprint(bars)
        manager.log_features(["rsi_14", "bb_upper_20_2", "atr_14"])
        manager.log_seed(11)
    params = client.get_run(run_id).data.params

    (tmp_path / "config").mkdir()
    config_file = client.download_artifacts(run_id, "config.yaml", str(tmp_path / "config"))
    assert load_config(config_file) == config
    assert params["training.model_type"] == "xgboost"
    assert params["training.validation.n_splits"] == "5"

    plugins = json.loads(read_artifact(client, run_id, "plugins.json", tmp_path))
    assert plugins["mlcore_version"] == importlib.metadata.version("mlcore")
    assert {p["distribution"] for p in plugins["plugins"]} == {"mlcore", "mlcore-demo"}
    assert params["plugin.mlcore"] == importlib.metadata.version("mlcore")
    assert params["plugin.mlcore-demo"] == "1.2.3"

    assert fingerprint == data_fingerprint(bars)
    assert params["data_fingerprint"] == fingerprint
    assert params["data_rows"] == str(len(bars))
    assert params["data_start"] == bars.index[0].isoformat()
    assert params["data_end"] == bars.index[-1].isoformat()

    features = json.loads(read_artifact(client, run_id, "features.json", tmp_path))
    assert features == ["rsi_14", "bb_upper_20_2", "atr_14"]
    assert params["n_features"] == "3"
    assert params["seed"] == "11"


def test_environment_without_a_host_lists_installed_plugins_unimported(
    manager: MLflowManager, client: MlflowClient, tmp_path: Path
) -> None:
    with manager.run() as run_id:
        described = manager.log_environment()
    params = client.get_run(run_id).data.params
    assert params["plugin.mlcore"] == importlib.metadata.version("mlcore")
    for plugin in described["installed"]:
        version = importlib.metadata.version(plugin["distribution"])
        assert params[f"plugin.{plugin['distribution']}"] == version
    assert json.loads(read_artifact(client, run_id, "plugins.json", tmp_path)) == described


def test_figure_dict_and_file_artifacts(
    manager: MLflowManager, client: MlflowClient, tmp_path: Path
) -> None:
    figure_module = pytest.importorskip("matplotlib.figure")
    figure = figure_module.Figure(figsize=(3, 2))
    figure.add_subplot().plot([1.0, 2.0, 1.5])
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.txt").write_text("alpha", encoding="utf-8")
    with manager.run() as run_id:
        assert manager.log_figure(figure, "plots/equity") == "plots/equity.png"
        manager.log_dict({"ic": np.float64(0.12), "at": pd.Timestamp("2024-01-02", tz="UTC")}, "s")
        manager.log_dict({"n": np.int64(3)}, "summary.yaml")
        manager.log_artifact(notes, "notes")
        manager.log_artifact(notes / "a.txt")
        with pytest.raises(FileNotFoundError, match=r"missing\.txt"):
            manager.log_artifact(tmp_path / "missing.txt")
    png = client.download_artifacts(run_id, "plots/equity.png", str(tmp_path))
    assert Path(png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads(read_artifact(client, run_id, "s.json", tmp_path)) == {
        "ic": 0.12,
        "at": "2024-01-02T00:00:00+00:00",
    }
    assert read_artifact(client, run_id, "summary.yaml", tmp_path) == "n: 3\n"
    assert read_artifact(client, run_id, "notes/a.txt", tmp_path) == "alpha"
    assert read_artifact(client, run_id, "a.txt", tmp_path) == "alpha"


def test_flatten_params() -> None:
    nested = {"a": {"b": {"c": 1}, "d": [1, 2]}, "e": {}}
    assert flatten_params(nested) == {"a.b.c": 1, "a.d": [1, 2], "e": {}}


# ------------------------------------------------------------------------------ models


def test_default_pip_requirements_pin_running_versions() -> None:
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(np.arange(6.0).reshape(3, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrackingWarning)
        requirements = default_pip_requirements(scaler)
    for distribution in ("mlcore", "mlflow", "numpy", "pandas", "joblib", "scikit-learn"):
        pin = f"{distribution}=={importlib.metadata.version(distribution)}"
        assert pin in requirements
    assert len(requirements) == len(set(requirements))


def test_log_model_refuses_what_cannot_be_served(manager: MLflowManager) -> None:
    class Unpicklable:
        def __init__(self) -> None:
            self.transform = lambda frame: frame

        def predict(self, frame: pd.DataFrame) -> pd.Series:
            return frame["close"]

    with manager.run():
        with pytest.raises(TypeError, match="predict"):
            manager.log_model(object())
        with pytest.raises(TrackingError, match="cannot pickle the Unpicklable"):
            manager.log_model(Unpicklable())


@pytest.fixture(scope="module")
def registered(store: dict[str, Any], bars: pd.DataFrame) -> dict[str, Any]:
    """Two versions of one registered model: v1 champion, v2 challenger."""
    manager = MLflowManager(store["uri"], "registry")
    name = "mean-reversion"
    train = bars.iloc[:300]
    models = [MeanReversionModel(window=5).fit(train), MeanReversionModel(window=10).fit(train)]
    logged: list[LoggedModel] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TrackingWarning)
        for version, model in enumerate(models, start=1):
            with manager.run(run_name=f"train-v{version}"):
                manager.log_metrics({"f1": 0.5 + version / 100})
                info = manager.log_model(
                    model,
                    registered_model_name=name,
                    metadata={
                        "model_type": "mean_reversion",
                        "features": ["close"],
                        "performance_metrics": {"f1": 0.5 + version / 100},
                        "hyperparameters": {"window": model.window, "api_key": SECRET},
                        "training_config": config_from_dict({"training": {"seed": 3}}),
                    },
                )
                logged.append(info)
    manager.set_alias(name, "champion", 1)
    manager.set_alias(name, "challenger", 2)
    return {"manager": manager, "name": name, "models": models, "logged": logged, "warned": caught}


def test_log_model_records_the_model_metadata(
    registered: dict[str, Any], client: MlflowClient, tmp_path: Path
) -> None:
    first: LoggedModel = registered["logged"][0]
    assert first.registered_version == 1
    assert registered["logged"][1].registered_version == 2
    metadata = json.loads(read_artifact(client, first.run_id, "model_metadata.json", tmp_path))
    assert metadata == first.metadata
    assert list(metadata)[:8] == [
        "model_id",
        "model_type",
        "version",
        "training_date",
        "features",
        "performance_metrics",
        "hyperparameters",
        "training_config",
    ]
    assert metadata["model_id"] == first.model_id
    assert first.model_uri == f"models:/{first.model_id}"
    assert metadata["model_type"] == "mean_reversion"
    assert metadata["version"] == "1"
    trained = dt.datetime.fromisoformat(metadata["training_date"])
    assert trained.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - trained) < dt.timedelta(minutes=10)
    assert metadata["hyperparameters"] == {"window": 5}  # the secret was left out
    assert metadata["training_config"]["training"]["seed"] == 3
    # the same file travels with the model itself
    model_copy = mlflow.artifacts.download_artifacts(
        f"models:/{registered['name']}/1/model_metadata.json", dst_path=str(tmp_path / "m")
    )
    assert json.loads(Path(model_copy).read_text(encoding="utf-8")) == metadata


def test_log_model_pins_requirements_and_warns_about_unpackaged_modules(
    registered: dict[str, Any], tmp_path: Path
) -> None:
    warned = [str(w.message) for w in registered["warned"]]
    assert any("tracking_fixture_model" in message for message in warned)
    requirements_file = mlflow.artifacts.download_artifacts(
        f"models:/{registered['name']}/1/requirements.txt", dst_path=str(tmp_path)
    )
    lines = Path(requirements_file).read_text(encoding="utf-8").split()
    for distribution in ("mlcore", "mlflow", "numpy", "pandas", "joblib"):
        assert f"{distribution}=={importlib.metadata.version(distribution)}" in lines
    assert registered["logged"][0].pip_requirements == tuple(lines)


def test_aliases_name_versions(registered: dict[str, Any]) -> None:
    manager: MLflowManager = registered["manager"]
    name = registered["name"]
    champion = manager.get_version_by_alias(name, "champion")
    assert (champion.version, champion.aliases) == (1, ("champion",))
    assert champion.run_id == registered["logged"][0].run_id
    assert champion.source == registered["logged"][0].model_uri
    assert manager.get_version_by_alias(name, "challenger").version == 2
    assert [v.version for v in manager.list_versions(name)] == [1, 2]


def test_unknown_models_aliases_and_versions_are_named(registered: dict[str, Any]) -> None:
    manager: MLflowManager = registered["manager"]
    name = registered["name"]
    with pytest.raises(ModelNotFoundError) as missing_alias:
        manager.load_model(name, alias="production")
    message = str(missing_alias.value)
    assert "no alias 'production'" in message
    assert "challenger -> 2, champion -> 1" in message
    assert "versions: 1, 2" in message
    with pytest.raises(ModelNotFoundError, match=r"no version 9; .*versions: 1, 2"):
        manager.set_alias(name, "champion", 9)
    with pytest.raises(ModelNotFoundError, match=r"no registered model named 'mean-revrsion'"):
        manager.load_model("mean-revrsion")
    with pytest.raises(ModelLoadError, match=r"models:/m-0000"):
        manager.load_model_uri("models:/m-0000")


def test_promote_moves_champion_and_keeps_the_former_one(registered: dict[str, Any]) -> None:
    manager: MLflowManager = registered["manager"]
    name = "promotion"
    source = registered["logged"][0].model_uri
    first = manager.register_model(source, name)
    second = manager.register_model(source, name)
    assert (first.version, second.version) == (1, 2)
    manager.promote(name, 1)
    manager.set_alias(name, "challenger", 2)

    promoted = manager.promote(name, 2)

    assert promoted.aliases == ("champion",)  # no longer a challenger
    assert manager.get_version_by_alias(name, "champion").version == 2
    assert manager.get_version_by_alias(name, "previous_champion").version == 1
    with pytest.raises(ModelNotFoundError, match="no alias 'challenger'"):
        manager.get_version_by_alias(name, "challenger")
    manager.promote(name, 1)  # rollback
    assert manager.get_version_by_alias(name, "champion").version == 1
    assert manager.get_version_by_alias(name, "previous_champion").version == 2


def test_champion_predicts_from_raw_bars_in_process(
    registered: dict[str, Any], bars: pd.DataFrame
) -> None:
    manager: MLflowManager = registered["manager"]
    new_bars = bars.iloc[300:]
    expected = registered["models"][0].predict(new_bars)
    loaded = manager.load_model(registered["name"])  # alias champion: version 1
    pd.testing.assert_series_equal(loaded.predict(new_bars), expected)
    # without its DatetimeIndex (as over REST): the timestamp column restores it
    pd.testing.assert_series_equal(loaded.predict(new_bars.reset_index()), expected)


def test_another_process_loads_the_champion_by_alias(
    registered: dict[str, Any], store: dict[str, Any], bars: pd.DataFrame, tmp_path: Path
) -> None:
    new_bars = bars.iloc[300:]
    new_bars.reset_index().to_pickle(tmp_path / "bars.pkl")
    script = textwrap.dedent(
        f"""
        import pandas as pd, mlflow
        model = mlflow.pyfunc.load_model("models:/{registered["name"]}@champion")
        bars = pd.read_pickle("bars.pkl")
        model.predict(bars).to_pickle("predictions.pkl")
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env |= {
        "MLFLOW_TRACKING_URI": store["uri"],
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "PYTHONPATH": os.pathsep.join([str(TESTS_DIR), env.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,  # not where the store is: the store's paths are absolute
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    predictions = pd.read_pickle(tmp_path / "predictions.pkl")
    in_process = registered["manager"].load_model(registered["name"]).predict(new_bars)
    pd.testing.assert_series_equal(predictions, in_process)
    assert predictions.notna().sum() == len(new_bars) - 4  # window 5: version 1 is champion


# -------------------------------------------------------------------- comparing runs


def test_compare_runs_and_best_run(manager: MLflowManager) -> None:
    scores = {"a": (0.61, 0.40), "b": (0.67, 0.35), "c": (0.58, 0.45)}
    run_ids = {}
    for name, (f1, loss) in scores.items():
        with manager.run(run_name=name) as run_id:
            manager.log_parameters({"lr": {"a": 0.1, "b": 0.05, "c": 0.01}[name], "depth": 3})
            manager.log_metrics({"f1": f1, "loss": loss})
            run_ids[name] = run_id

    frame = manager.compare_runs(
        [run_ids["c"], run_ids["a"]], metric_names=["f1"], param_names=["lr"]
    )
    assert list(frame.columns) == [
        "run_id",
        "run_name",
        "status",
        "start_time",
        "end_time",
        "params.lr",
        "metrics.f1",
    ]
    assert list(frame["run_name"]) == ["c", "a"]  # the order asked for
    assert list(frame["params.lr"]) == ["0.01", "0.1"]
    assert list(frame["metrics.f1"]) == [0.58, 0.61]
    assert frame["start_time"].dt.tz is not None

    ranked = manager.compare_runs(order_by="metrics.f1 DESC")
    assert list(ranked["run_name"]) == ["b", "a", "c"]
    assert {"params.depth", "params.lr", "metrics.f1", "metrics.loss"} <= set(ranked.columns)

    assert manager.best_run("f1").run_id == run_ids["b"]
    assert manager.best_run("loss", greater_is_better=False).run_name == "b"
    assert manager.best_run("loss").run_name == "c"
    with pytest.raises(TrackingError, match=r"no run .* has the metric 'sharpe'.*f1, loss"):
        manager.best_run("sharpe")
    with pytest.raises(TrackingError, match="no runs nope"):
        manager.compare_runs(["nope"])


# ------------------------------------------------------------------ the pyfunc wrapper


def test_restore_datetime_index_follows_the_timestamp_convention() -> None:
    from mlcore._pyfunc import restore_datetime_index

    times = pd.date_range("2024-03-01", periods=3, freq="h", tz="UTC")
    expected = pd.DataFrame({"close": [1.0, 2.0, 3.0]}, index=times.rename("timestamp"))

    iso = pd.DataFrame({"timestamp": [t.isoformat() for t in times], "close": [1.0, 2.0, 3.0]})
    pd.testing.assert_frame_equal(restore_datetime_index(iso), expected, check_freq=False)

    millis = [int(t.timestamp() * 1000) for t in times]
    by_date = pd.DataFrame({"Date": millis, "close": [1.0, 2.0, 3.0]})
    assert list(restore_datetime_index(by_date).index) == list(times)

    naive = pd.DataFrame({"close": [1.0, 2.0, 3.0]}, index=times.tz_localize(None))
    assert restore_datetime_index(naive).index.equals(times)
    eastern = pd.DataFrame({"close": [1.0, 2.0, 3.0]}, index=times.tz_convert("US/Eastern"))
    assert str(restore_datetime_index(eastern).index.tz) == "UTC"

    records = [{"timestamp": "2024-03-01T00:00:00Z", "close": 1.0}]
    assert restore_datetime_index(records).index[0] == times[0]

    plain = pd.DataFrame({"close": [1.0]})
    assert restore_datetime_index(plain) is plain
