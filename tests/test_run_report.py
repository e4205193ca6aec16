"""`mlcore run` ends with the performance report: the training job backtests its
out-of-sample predictions (mlcore.analytics.out_of_sample), computes the analytics and
writes the reports.

A small plugin (lagged returns, logistic regression) is installed as a real distribution
so that the job and the command find it through entry points, without heavy engines.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from mlcore.analytics.backtest import Backtest
from mlcore.analytics.out_of_sample import HOLDOUT, OUT_OF_FOLD, evaluate_out_of_sample
from mlcore.cli import main
from mlcore.config import config_from_dict
from mlcore.data import synthetic_ohlcv
from mlcore.host import PluginHost
from mlcore.training import TrainingResult, train
from mlcore.validation import CVResult

PLUGIN = """
from typing import Any, ClassVar

import attrs
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from mlcore import IndicatorBase, ModelBase, hookimpl


@attrs.frozen
class LagReturn(IndicatorBase):
    name: ClassVar[str] = "lag_return"
    family: ClassVar[str] = "momentum"
    default_parameters: ClassVar[tuple[dict[str, Any], ...]] = (
        {"period": 1}, {"period": 3}, {"period": 10},
    )
    period: int = 1

    @property
    def warmup(self) -> int:
        return self.period

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        values = np.log(ohlcv["close"]).diff(self.period)
        return pd.DataFrame({self.outputs[0]: values}, index=ohlcv.index)


@attrs.define(slots=False)
class Logit(ModelBase):
    C: float = 1.0
    task: ClassVar[str] = "classification"

    def fit(self, X: Any, y: Any, **fit_params: Any) -> "Logit":
        self.model_ = LogisticRegression(C=self.C).fit(np.asarray(X), np.asarray(y))
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X: Any) -> np.ndarray:
        return self.model_.predict(np.asarray(X))

    def predict_proba(self, X: Any) -> np.ndarray:
        return self.model_.predict_proba(np.asarray(X))


@hookimpl
def mlcore_register_indicators(registry: Any) -> None:
    registry.add("lag_return", LagReturn, tags={"default"})


@hookimpl
def mlcore_register_models(registry: Any) -> None:
    registry.add("logit", Logit)
"""

CONFIG = {
    "data": {"source": "synthetic", "params": {"n": 600, "seed": 5}},
    "features": {"feature_selection": {"method": "anova_f", "n_features": 3}},
    "labels": {"method": "direction", "horizon": 1},
    "training": {
        "model_type": "logit",
        "metrics": ["accuracy"],
        "optimization_metric": "accuracy",
        "validation": {"n_splits": 3, "test_size": 0.25},
    },
    "mlflow": {"enabled": False},
    "analytics": {"monte_carlo_simulations": 200},
}


def config(**sections: Any) -> Any:
    merged = {name: {**CONFIG.get(name, {}), **sections.get(name, {})} for name in CONFIG}
    return config_from_dict({**merged, **{k: v for k, v in sections.items() if k not in CONFIG}})


@pytest.fixture
def toy_plugin(installed_plugin: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    installed_plugin("toy-report-plugin", PLUGIN)
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", "toy-report-plugin")


def host_for(cfg: Any) -> PluginHost:
    return PluginHost.from_config(cfg).load()


# ---------------------------------------------------------------------------
# Which predictions are traded
# ---------------------------------------------------------------------------


def test_held_out_signals_are_traded_from_the_next_bar(toy_plugin: None) -> None:
    cfg = config()
    result: TrainingResult = train(cfg, host_for(cfg), holdout=0.3)
    performance = result.performance
    assert performance is not None
    assert performance.source == HOLDOUT
    backtest = performance.backtest
    # only bars after the last training bar are traded, with the pipeline's own signals
    assert backtest.returns.index[0] == result.data["holdout_start"]
    pd.testing.assert_index_equal(backtest.returns.index, result.oos_signals.index)
    np.testing.assert_array_equal(backtest.signals, result.oos_signals["signal"])
    # all equity per trade: the position of bar t is the signal of bar t - 1
    expected = np.r_[0, result.oos_signals["signal"].to_numpy()[:-1]].astype(float)
    expected[-1] = 0.0  # closed at the last close
    np.testing.assert_array_equal(backtest.positions, expected)
    # the analytics describe that backtest
    metrics = performance.metrics
    assert metrics["total_trades"] == len(backtest.trades) > 0
    assert metrics["total_return"] == pytest.approx(backtest.total_return, rel=1e-9)
    assert "beta" in metrics, "compared with buy and hold of the same bars"
    assert performance.reports == {}, "analytics.reports is empty: no file"
    assert result.summary().rstrip().splitlines()[-1].startswith("profit_factor")


def test_job_backtest_settings_are_used(toy_plugin: None) -> None:
    cfg = config()
    costly = Backtest(commission=0.002, slippage_bps=5.0)
    result = train(cfg, host_for(cfg), holdout=0.3, backtest=costly)
    assert result.performance is not None
    backtest = result.performance.backtest
    assert backtest.settings is costly
    assert backtest.costs.sum() > 0
    assert (backtest.gross_returns >= backtest.returns).all()


def test_the_config_backtest_section_trades_the_run(toy_plugin: None) -> None:
    settings = {"commission": 0.0005, "slippage_bps": 2.0, "fraction": 0.5, "allow_short": False}
    cfg = config(analytics={"backtest": settings})
    result = train(cfg, host_for(cfg), holdout=0.3)
    assert result.performance is not None
    backtest = result.performance.backtest
    assert backtest.settings == Backtest.from_config(cfg)
    assert set(backtest.positions.unique()) <= {0.0, 0.5}, "long only, half the equity"
    assert len(backtest.trades) > 0
    # each trade pays the commission on both fills' notional
    trades = backtest.trades
    notional = trades["size"] * (trades["entry_price"] + trades["exit_price"])
    np.testing.assert_allclose(trades["fees"], 0.0005 * notional, rtol=1e-12)
    metrics = result.performance.metrics
    assert metrics["total_return"] == pytest.approx(backtest.total_return, rel=1e-9)


def test_without_a_holdout_the_out_of_fold_predictions_are_traded(toy_plugin: None) -> None:
    cfg = config()
    result = train(cfg, host_for(cfg), holdout=0)
    performance = result.performance
    assert performance is not None
    assert performance.source == OUT_OF_FOLD
    index = performance.backtest.returns.index
    p_up = result.cv.oof_proba[1]
    tested = p_up.dropna()
    first_test_row = result.cv.folds[0][1][0]
    assert index[0] == tested.index[0] == result.cv.oof_predictions.index[first_test_row]
    on_bars = p_up.reindex(index)
    signal = np.where(on_bars > 0.5, 1, np.where(on_bars < 0.5, -1, 0))
    np.testing.assert_array_equal(performance.backtest.signals, signal)


def cv_result(oof: pd.Series, proba: pd.DataFrame | None) -> CVResult:
    return CVResult(
        scores=pd.DataFrame(),
        oof_predictions=oof,
        oof_proba=proba,
        folds=(),
        fold_predictions=(),
    )


def test_multiclass_and_regression_predictions_become_signals() -> None:
    bars = synthetic_ohlcv(8, 1).ohlcv
    cfg = config()
    rows = bars.index[1:7]
    proba = pd.DataFrame(
        [
            [0.6, 0.3, 0.1],
            [0.1, 0.2, 0.7],
            [0.2, 0.6, 0.2],
            [np.nan, np.nan, np.nan],
            [0.1, 0.1, 0.8],
            [0.5, 0.4, 0.1],
        ],
        index=rows,
        columns=[-1, 0, 1],
    )
    oof = pd.Series([-1, 1, 0, np.nan, 1, -1], index=rows, dtype=float)
    oof.iloc[3] = 0.0  # tested row whose probabilities are missing
    three = evaluate_out_of_sample(
        cfg, PluginHost(cfg), bars, held_out=pd.DataFrame(), cv=cv_result(oof, proba)
    )
    assert three is not None
    assert three.source == OUT_OF_FOLD
    # the bars from the first tested row to one bar past the last
    pd.testing.assert_index_equal(three.backtest.returns.index, bars.index[1:8])
    assert three.backtest.signals.tolist() == [-1, 1, 0, 0, 1, -1, 0]

    forecast = pd.Series([0.02, -0.01, 0.0, np.nan, 0.03, -0.02], index=rows)
    regression = evaluate_out_of_sample(
        cfg, PluginHost(cfg), bars, held_out=pd.DataFrame(), cv=cv_result(forecast, None)
    )
    assert regression is not None
    assert regression.backtest.signals.tolist() == [1, -1, 0, 0, 1, -1, 0]


# ---------------------------------------------------------------------------
# `mlcore run` writes the reports and logs them
# ---------------------------------------------------------------------------


def write_config(path: Path, output_dir: Path, tracking_uri: str) -> Path:
    path.write_text(
        textwrap.dedent(
            f"""
            data: {{source: synthetic, params: {{n: 600, seed: 5}}}}
            features: {{feature_selection: {{method: anova_f, n_features: 3}}}}
            labels: {{method: direction, horizon: 1}}
            training:
              model_type: logit
              metrics: [accuracy]
              optimization_metric: accuracy
              validation: {{n_splits: 3, test_size: 0.25}}
            mlflow:
              tracking_uri: {tracking_uri}
              experiment_name: report-test
              log_models: false
            analytics:
              reports: [pdf, xlsx, html]
              output_dir: {output_dir}
              monte_carlo_simulations: 200
            """
        ),
        encoding="utf-8",
    )
    return path


def test_mlcore_run_ends_with_the_report(
    toy_plugin: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mlflow = pytest.importorskip("mlflow")
    openpyxl = pytest.importorskip("openpyxl")
    pdfium = pytest.importorskip("pypdfium2")
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    monkeypatch.chdir(tmp_path)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    out = tmp_path / "reports"
    cfg = write_config(tmp_path / "run.yaml", out, uri)

    result = CliRunner().invoke(main, ["run", str(cfg), "--holdout", "0.3"])
    assert result.exit_code == 0, result.output
    tail = result.output.rstrip().split("\n\n")
    assert tail[-2].startswith("out-of-sample backtest")
    assert "held-out bars" in tail[-2]
    assert "sharpe_ratio" in tail[-2]
    files = dict(line.split(None, 1) for line in tail[-1].splitlines()[2:])
    assert set(files) == {"pdf", "xlsx", "html"}
    for kind, name in files.items():
        path = Path(name)
        assert path.parent == out
        assert path.suffix == f".{kind}"
        assert path.stat().st_size > 0

    workbook = openpyxl.load_workbook(files["xlsx"], read_only=True)
    assert len(workbook.sheetnames) >= 3
    assert "<html" in Path(files["html"]).read_text(encoding="utf-8").lower()
    document = pdfium.PdfDocument(files["pdf"])
    text = "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    assert "Market regimes" in text, "the synthetic market's regimes shade the price chart"

    client = mlflow.MlflowClient(tracking_uri=uri)
    (run,) = client.search_runs([client.get_experiment_by_name("report-test").experiment_id])
    assert run.info.status == "FINISHED"
    assert "backtest_sharpe_ratio" in run.data.metrics
    assert run.data.metrics["backtest_total_trades"] > 0
    logged = {a.path for a in client.list_artifacts(run.info.run_id, "reports")}
    assert {f"reports/{Path(name).name}" for name in files.values()} <= logged


def test_a_report_that_cannot_be_written_leaves_the_job_standing(
    toy_plugin: None, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    cfg = config(
        analytics={"reports": ["html"], "output_dir": str(blocker), "benchmark": "missing.csv"}
    )
    with pytest.warns(UserWarning, match="out-of-sample report") as caught:
        result = train(cfg, host_for(cfg), holdout=0.3)
    messages = " ".join(str(w.message) for w in caught)
    assert "reports: left out" in messages
    assert "analytics.benchmark 'missing.csv' could not be read" in messages
    assert result.performance is not None
    assert result.performance.reports == {}
    assert result.performance.metrics["total_trades"] > 0
    assert "note: reports: left out" in result.summary()
