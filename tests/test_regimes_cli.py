"""`mlcore regimes` with the real `hmm` plugin, and the kernel's detect_regimes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from mlcore.cli import main
from mlcore.data import synthetic_ohlcv
from mlcore.regimes import probability_columns

pytest.importorskip("mlcore_hmm")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PROBABILITIES = ["p_bull", "p_bear", "p_sideways"]


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", "mlcore-hmm")
    monkeypatch.delenv("MLCORE_CONFIG", raising=False)
    return CliRunner()


@pytest.fixture
def bars() -> pd.DataFrame:
    return synthetic_ohlcv(n=600, seed=1, separation=20).ohlcv


def _config(tmp_path: Path, detector: str = "hmm") -> Path:
    path = tmp_path / "mlcore.yaml"
    path.write_text(
        f"regimes:\n  detector: {detector}\n  params:\n    n_restarts: 2\n    random_state: 3\n"
        "analytics:\n  periods_per_year: 365\n"
    )
    return path


def _csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path)
    return path


def test_probability_columns_follow_the_label_convention():
    assert probability_columns(5) == ["p_bull", "p_bear", "p_sideways", "p_state3", "p_state4"]


def test_regimes_writes_labels_probabilities_statistics_and_chart(
    runner: CliRunner, bars: pd.DataFrame, tmp_path: Path
):
    data = _csv(bars, tmp_path / "bars.csv")
    out = tmp_path / "regimes.parquet"
    result = runner.invoke(
        main, ["regimes", str(data), "--config", str(_config(tmp_path)), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(out)
    assert list(frame.columns) == ["regime", "regime_name", *PROBABILITIES]
    assert len(frame) == len(bars)
    probabilities = frame[PROBABILITIES].to_numpy()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-9)
    assert (frame["regime"].to_numpy() == probabilities.argmax(axis=1)).all()
    names = {0: "bull", 1: "bear", 2: "sideways"}
    assert (frame["regime_name"] == frame["regime"].map(names)).all()
    chart = out.with_suffix(".png")
    assert chart.read_bytes()[:8] == PNG_SIGNATURE
    # The statistics table: a header and one row per regime.
    header = next(line for line in result.output.splitlines() if line.startswith("regime"))
    for column in ("share", "mean_return", "volatility", "mean_duration", "episodes"):
        assert column in header
    for name in names.values():
        assert any(line.split()[1:2] == [name] for line in result.output.splitlines())


def test_statistics_use_the_configured_periods_per_year(
    runner: CliRunner, bars: pd.DataFrame, tmp_path: Path
):
    data = _csv(bars, tmp_path / "bars.csv")
    out = tmp_path / "regimes.csv"
    result = runner.invoke(
        main, ["regimes", str(data), "-c", str(_config(tmp_path)), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    labels = pd.read_csv(out)["regime"].to_numpy()
    returns = np.diff(np.log(bars["close"].to_numpy()))
    bull = returns[labels[1:] == 0]
    # Hand calculation: sample standard deviation times sqrt(365) from the config.
    expected = bull.std(ddof=1) * np.sqrt(365)
    bull_line = next(
        line for line in result.output.splitlines() if line.split()[:2] == ["0", "bull"]
    )
    assert float(bull_line.split()[4]) == pytest.approx(expected, rel=1e-3)


def test_explicit_chart_path(runner: CliRunner, bars: pd.DataFrame, tmp_path: Path):
    data = _csv(bars, tmp_path / "bars.csv")
    chart = tmp_path / "charts.png"
    result = runner.invoke(
        main,
        ["regimes", str(data), "-c", str(_config(tmp_path)), "--out", str(tmp_path / "r.csv"),
         "--chart", str(chart)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert chart.read_bytes()[:8] == PNG_SIGNATURE
    assert not (tmp_path / "r.png").exists()


def test_unknown_detector_names_the_config_key(
    runner: CliRunner, bars: pd.DataFrame, tmp_path: Path
):
    data = _csv(bars, tmp_path / "bars.csv")
    config = _config(tmp_path, detector="no_such_detector")
    result = runner.invoke(
        main, ["regimes", str(data), "-c", str(config), "--out", str(tmp_path / "r.csv")]
    )
    assert result.exit_code != 0
    assert "regimes.detector" in result.output
    assert "no_such_detector" in result.output
    assert not (tmp_path / "r.csv").exists()


def test_fit_bars_beyond_the_data_is_refused(runner: CliRunner, bars: pd.DataFrame, tmp_path: Path):
    data = _csv(bars, tmp_path / "bars.csv")
    result = runner.invoke(
        main,
        ["regimes", str(data), "-c", str(_config(tmp_path)), "--out", str(tmp_path / "r.csv"),
         "--fit-bars", "601"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--fit-bars" in result.output


def test_written_probabilities_do_not_use_later_bars(
    runner: CliRunner, bars: pd.DataFrame, tmp_path: Path
):
    config = str(_config(tmp_path))
    outputs = []
    for name, frame in (("short", bars.iloc[:500]), ("full", bars)):
        data = _csv(frame, tmp_path / f"{name}.csv")
        out = tmp_path / f"{name}.csv.out.csv"
        result = runner.invoke(
            main,
            ["regimes", str(data), "-c", config, "--out", str(out), "--fit-bars", "400"],
        )
        assert result.exit_code == 0, result.output
        outputs.append(pd.read_csv(out, index_col="timestamp"))
    short, full = outputs
    assert len(short) == 500
    assert len(full) == 600
    head = full.iloc[:500]
    assert (short.index == head.index).all()
    np.testing.assert_allclose(short[PROBABILITIES], head[PROBABILITIES], rtol=0, atol=1e-12)
    assert (short["regime"] == head["regime"]).all()
