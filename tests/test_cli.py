from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import mlcore
from mlcore.builtins import METRICS, PERFORMANCE_METRICS
from mlcore.cli import main


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", "")  # only the kernel's builtins
    return CliRunner()


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"mlcore, version {mlcore.__version__}"


def test_plugins_json_lists_the_builtins(runner: CliRunner) -> None:
    result = runner.invoke(main, ["plugins", "--json"])
    assert result.exit_code == 0, result.output
    listing = json.loads(result.output)
    (builtin,) = listing["plugins"]
    assert builtin["distribution"] == "mlcore"
    assert builtin["builtin"] is True
    assert set(builtin["components"]) == {"metrics", "retrain_triggers", "data_sources"}
    assert listing["failures"] == []


def test_plugins_table(runner: CliRunner) -> None:
    result = runner.invoke(main, ["plugins"])
    assert result.exit_code == 0
    assert "mlcore" in result.output
    assert f"{len(METRICS) + len(PERFORMANCE_METRICS)} metrics" in result.output


def test_plugins_strict_failure_exits_non_zero(
    runner: CliRunner,
    installed_plugin,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    installed_plugin("mlcore-fixture-broken", "raise ImportError('needs libfoo')\n")
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", "mlcore-fixture-broken")
    relaxed = runner.invoke(main, ["plugins", "--json"])
    assert relaxed.exit_code == 0
    assert json.loads(relaxed.output)["failures"][0]["cause"] == "ImportError: needs libfoo"
    monkeypatch.setenv("MLCORE_STRICT_PLUGINS", "1")
    strict = runner.invoke(main, ["plugins"])
    assert strict.exit_code == 1
    assert "FAILED mlcore-fixture-broken 1.0.0" in strict.output


def test_components_json_has_parameters_and_provenance(runner: CliRunner) -> None:
    result = runner.invoke(main, ["components", "retrain_triggers", "--json"])
    assert result.exit_code == 0, result.output
    by_name = {c["name"]: c for c in json.loads(result.output)}
    drift = by_name["drift"]
    assert drift["distribution"] == "mlcore"
    assert drift["qualified_name"] == "builtins:drift"
    assert drift["parameters"] == [
        {"name": "threshold", "default": "0.2", "required": False, "type": "float"}
    ]
    assert drift["description"].startswith("Fires when the measured drift")


def test_components_table_lists_every_kind(runner: CliRunner) -> None:
    result = runner.invoke(main, ["components"])
    assert result.exit_code == 0
    metrics = f"metrics ({len(METRICS) + len(PERFORMANCE_METRICS)})"
    for kind in ("indicators (0)", metrics, "data_sources (3)", "retrain_triggers (3)"):
        assert kind in result.output


def test_components_rejects_an_unknown_kind(runner: CliRunner) -> None:
    result = runner.invoke(main, ["components", "indicator"])
    assert result.exit_code == 2
    assert "'indicator' is not one of" in result.output


def test_config_validate(runner: CliRunner, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("training:\n  validation:\n    n_splits: 4\n", encoding="utf-8")
    assert runner.invoke(main, ["config", "validate", str(good)]).output == f"{good}: valid\n"
    bad = tmp_path / "bad.yaml"
    bad.write_text("training:\n  validation:\n    n_splits: five\n", encoding="utf-8")
    result = runner.invoke(main, ["config", "validate", str(bad)])
    assert result.exit_code == 1
    assert "training.validation.n_splits" in result.output
    missing = runner.invoke(main, ["config", "validate", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 1
    assert "nope.yaml" in missing.output


def test_config_show_prints_the_resolved_config(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("mlflow:\n  experiment_name: demo\n", encoding="utf-8")
    result = runner.invoke(main, ["config", "show", str(path)])
    assert result.exit_code == 0
    assert "experiment_name: demo" in result.output
    assert "tracking_uri: sqlite:///mlflow.db" in result.output


def test_run_without_a_model_plugin_names_the_config_key(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text("data:\n  source: synthetic\n  params: {n: 400, seed: 3}\n", encoding="utf-8")
    result = runner.invoke(main, ["run", str(path), "--no-mlflow"])
    assert result.exit_code == 1
    assert "config key 'training.model_type'" in result.output
    assert "pip install mlcore-lightgbm" in result.output


def test_train_and_run_share_the_job_options(runner: CliRunner) -> None:
    for command in ("train", "run"):
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0
        for option in ("--holdout", "--alias", "--run-name", "--no-mlflow"):
            assert option in result.output
    assert "--config" in runner.invoke(main, ["train", "--help"]).output


@pytest.mark.parametrize("holdout", ["1.5", "-0.1", "some"])
def test_run_refuses_a_bad_holdout(runner: CliRunner, holdout: str) -> None:
    result = runner.invoke(main, ["run", "--holdout", holdout])
    assert result.exit_code == 2
    assert "--holdout" in result.output


def test_run_reports_bad_data_by_row(runner: CliRunner, tmp_path: Path) -> None:
    market = mlcore.synthetic_ohlcv(n=50, seed=1).ohlcv
    market.iloc[7, market.columns.get_loc("high")] = market["low"].iloc[7] * 0.5
    csv = tmp_path / "bad.csv"
    market.to_csv(csv, index_label="timestamp")
    config = tmp_path / "csv.yaml"
    config.write_text(f"data:\n  source: csv\n  path: {csv}\n", encoding="utf-8")
    result = runner.invoke(main, ["run", str(config)])
    assert result.exit_code == 1
    assert "high_below_low" in result.output or "high < low" in result.output
    assert str(market.index[7].date()) in result.output
