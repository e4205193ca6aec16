"""`mlcore features` and the family column of `mlcore components indicators`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from test_features_support import SMA, Channel, market

from mlcore.cli import main

PLUGIN = """
from mlcore import hookimpl

@hookimpl
def mlcore_register_indicators(registry):
    registry.add("sma", "test_features_support:SMA", tags={"default"})
    registry.add("channel", "test_features_support:Channel", tags={"default"})
    registry.add("broken", "test_features_support:Broken")
    registry.add("ghost", "no_such_module_for_features:Ghost")
"""


@pytest.fixture
def runner(installed_plugin, monkeypatch: pytest.MonkeyPatch) -> CliRunner:  # type: ignore[no-untyped-def]
    installed_plugin("mlcore-fixture-features", PLUGIN)
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", "mlcore-fixture-features")
    return CliRunner()


@pytest.fixture
def bars_csv(tmp_path: Path) -> Path:
    path = tmp_path / "bars.csv"
    market(120, seed=2).to_csv(path)
    return path


def expected_default(bars: pd.DataFrame) -> pd.DataFrame:
    frames = [
        SMA(period=3).compute(bars),
        SMA(period=5).compute(bars),
        Channel(period=4).compute(bars),
    ]
    return pd.concat(frames, axis=1)


def test_features_to_parquet_with_the_default_set(
    runner: CliRunner, bars_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "features.parquet"
    result = runner.invoke(main, ["features", str(bars_csv), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("120 rows x 4 columns written to")
    assert "indicators" in result.stderr  # the progress bar
    written = pd.read_parquet(out)
    bars = market(120, seed=2)
    np.testing.assert_allclose(written.to_numpy(), expected_default(bars).to_numpy(), rtol=1e-12)
    assert list(written.columns) == ["sma_3", "sma_5", "channel_upper_4", "channel_lower_4"]
    assert written.index.equals(bars.index)


def test_features_with_a_config_to_csv_reports_skipped_indicators(
    runner: CliRunner, bars_csv: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "feature_engineering:\n"
        "  indicators: [broken, {name: sma, period: [2, 4]}]\n"
        "  timeframes: [1W]\n",
        encoding="utf-8",
    )
    out = tmp_path / "features.csv"
    result = runner.invoke(main, ["features", str(bars_csv), "-c", str(config), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "skipped: indicator 'broken()'" in result.stderr
    written = pd.read_csv(out, index_col="timestamp")
    assert list(written.columns) == ["sma_2", "sma_4", "sma_2_1W", "sma_4_1W"]
    strict = runner.invoke(
        main, ["features", str(bars_csv), "-c", str(config), "-o", str(out), "--strict"]
    )
    assert strict.exit_code == 1
    assert "strict mode" in strict.stderr


def test_features_errors_name_the_problem(
    runner: CliRunner, bars_csv: Path, tmp_path: Path
) -> None:
    bad_out = runner.invoke(main, ["features", str(bars_csv), "--out", str(tmp_path / "f.xlsx")])
    assert bad_out.exit_code == 2
    assert "neither .parquet, .pq nor .csv" in bad_out.stderr
    config = tmp_path / "config.yaml"
    config.write_text("features:\n  indicators: [smaa]\n", encoding="utf-8")
    unknown = runner.invoke(
        main, ["features", str(bars_csv), "-c", str(config), "--out", str(tmp_path / "f.csv")]
    )
    assert unknown.exit_code == 1
    assert "config key 'features.indicators[0]'" in unknown.stderr
    assert "did you mean 'sma'" in unknown.stderr
    broken = tmp_path / "broken.csv"
    frame = market(50, seed=2)
    frame.iloc[3, frame.columns.get_loc("low")] = frame["high"].iloc[3] + 1
    frame.to_csv(broken)
    invalid = runner.invoke(main, ["features", str(broken), "--out", str(tmp_path / "f.csv")])
    assert invalid.exit_code == 1
    assert "broken.csv: OHLCV rule 'high_below_low' broken" in invalid.stderr


def test_components_indicators_show_the_family(runner: CliRunner) -> None:
    result = runner.invoke(main, ["components", "indicators", "--json"])
    assert result.exit_code == 0, result.output
    by_name = {c["name"]: c for c in json.loads(result.output)}
    assert by_name["sma"]["family"] == "trend"
    assert by_name["channel"]["family"] == "volatility"
    assert by_name["ghost"]["family"] is None  # its import fails: listed, not fatal
    assert by_name["ghost"]["parameters"].startswith("unavailable: ModuleNotFoundError")
    table = runner.invoke(main, ["components", "indicators"])
    assert table.exit_code == 0, table.output
    header = table.output.splitlines()[1].split()
    assert header[:3] == ["name", "family", "qualified"]
    sma_row = next(line for line in table.output.splitlines() if line.startswith("sma "))
    assert sma_row.split()[1] == "trend"
    metrics = json.loads(runner.invoke(main, ["components", "metrics", "--json"]).output)
    assert all("family" not in metric for metric in metrics)  # indicators only


# ------------------------------------------------------------ regime columns: --fit-bars

REGIME_COLUMNS = ["regime_p_bull", "regime_p_bear", "regime_p_sideways"]
HMM_PARAMS = {"n_restarts": 2, "random_state": 1}


@pytest.fixture
def regime_runner(installed_plugin, monkeypatch: pytest.MonkeyPatch) -> CliRunner:  # type: ignore[no-untyped-def]
    pytest.importorskip("mlcore_hmm")
    installed_plugin("mlcore-fixture-features", PLUGIN)
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", "mlcore-fixture-features,mlcore-hmm")
    return CliRunner()


@pytest.fixture
def regime_config(tmp_path: Path) -> Path:
    path = tmp_path / "regimes.yaml"
    path.write_text(
        "regimes:\n  enabled: true\n  detector: hmm\n"
        f"  params: {{n_restarts: {HMM_PARAMS['n_restarts']}, "
        f"random_state: {HMM_PARAMS['random_state']}}}\n",
        encoding="utf-8",
    )
    return path


def _bars_file(tmp_path: Path, n: int) -> Path:
    path = tmp_path / f"bars_{n}.csv"
    market(200, seed=4).iloc[:n].to_csv(path)
    return path


def _hmm_probabilities(bars_path: Path, fit_bars: int) -> np.ndarray:
    from mlcore_hmm import HMMRegimeDetector

    from mlcore.data import load_ohlcv

    bars = load_ohlcv(bars_path)
    detector = HMMRegimeDetector(**HMM_PARAMS).fit(bars.iloc[:fit_bars])
    return np.asarray(detector.predict_proba(bars))


def test_features_fit_bars_adds_the_filtered_regime_columns(
    regime_runner: CliRunner, regime_config: Path, tmp_path: Path
) -> None:
    written = {}
    for n in (150, 200):
        bars = _bars_file(tmp_path, n)
        out = tmp_path / f"features_{n}.parquet"
        args = ["features", str(bars), "-c", str(regime_config), "-o", str(out)]
        result = regime_runner.invoke(main, [*args, "--fit-bars", "100"])
        assert result.exit_code == 0, result.output
        assert f"fitting regime detector hmm on 100 of {n} bars" in result.stderr
        assert result.stdout.startswith(f"{n} rows x 7 columns written to")
        written[n] = pd.read_parquet(out)
        assert list(written[n].columns[4:]) == REGIME_COLUMNS
        expected = _hmm_probabilities(bars, 100)
        np.testing.assert_allclose(written[n][REGIME_COLUMNS].to_numpy(), expected, rtol=1e-10)
        np.testing.assert_allclose(written[n][REGIME_COLUMNS].sum(axis=1), 1.0)
    # appending 50 bars changes no earlier row: the fit window and the filter are causal
    pd.testing.assert_frame_equal(written[200].iloc[:150], written[150])


def test_features_leave_regimes_out_without_a_training_window(
    regime_runner: CliRunner, regime_config: Path, tmp_path: Path
) -> None:
    bars = _bars_file(tmp_path, 150)
    out = tmp_path / "features.csv"
    args = ["features", str(bars), "-c", str(regime_config), "-o", str(out)]
    plain = regime_runner.invoke(main, args)
    assert plain.exit_code == 0, plain.output
    assert "regime columns left out: they need a training window" in plain.stderr
    assert "--fit-bars N" in plain.stderr
    assert list(pd.read_csv(out, index_col="timestamp").columns) == list(
        expected_default(market(150, seed=4)).columns
    )
    every = regime_runner.invoke(main, [*args, "--fit-bars", "all"])
    assert every.exit_code == 0, every.output
    assert "fitting regime detector hmm on 150 of 150 bars" in every.stderr
    written = pd.read_csv(out, index_col="timestamp")
    np.testing.assert_allclose(
        written[REGIME_COLUMNS].to_numpy(), _hmm_probabilities(bars, 150), rtol=1e-9
    )


def test_features_fit_bars_errors_name_the_fix(
    regime_runner: CliRunner, regime_config: Path, tmp_path: Path
) -> None:
    bars = _bars_file(tmp_path, 150)
    out = str(tmp_path / "features.csv")
    without = regime_runner.invoke(main, ["features", str(bars), "-o", out, "--fit-bars", "50"])
    assert without.exit_code == 2
    assert "regimes.enabled or regimes.as_features is false" in without.stderr
    with_config = ["features", str(bars), "-c", str(regime_config), "-o", out, "--fit-bars"]
    for bad in ("0", "ten"):
        result = regime_runner.invoke(main, [*with_config, bad])
        assert result.exit_code == 2
        assert "neither a number of bars (at least 1) nor 'all'" in result.stderr
    too_many = regime_runner.invoke(main, [*with_config, "151"])
    assert too_many.exit_code == 2
    assert "151 is more than the 150 bars" in too_many.stderr
    too_few = regime_runner.invoke(main, [*with_config, "3"])
    assert too_few.exit_code == 1
    assert "regime detector 'hmm'" in too_few.stderr
    assert "needs at least 6 rows" in too_few.stderr
