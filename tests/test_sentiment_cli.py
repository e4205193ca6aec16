"""`mlcore sentiment fetch` and the sentiment columns of `mlcore features`, with sources
from a real (test) plugin distribution."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from test_sentiment_collection import FAKE_DISTRIBUTION, FAKE_PLUGIN

from mlcore.cli import main
from mlcore.config import SentimentConfig
from mlcore.data import synthetic_ohlcv
from mlcore.sentiment import aggregate_sentiment, read_items


@pytest.fixture
def runner(installed_plugin, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    installed_plugin(FAKE_DISTRIBUTION, FAKE_PLUGIN, entry_point="fake-sentiment")
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", FAKE_DISTRIBUTION)
    monkeypatch.delenv("MLCORE_CONFIG", raising=False)
    return CliRunner()


def _config(tmp_path: Path, sentiment: str) -> Path:
    path = tmp_path / "mlcore.yaml"
    path.write_text(
        "features:\n  indicators: [change]\n"
        f"sentiment:\n  symbol: AAPL\n  scorer: word\n{sentiment}",
        encoding="utf-8",
    )
    return path


def _fetch(runner: CliRunner, tmp_path: Path, *extra: str, sentiment: str = "") -> object:
    config = _config(tmp_path, sentiment)
    return runner.invoke(
        main,
        ["sentiment", "fetch", "--since", "2026-01-05", "--until", "2026-01-06 23:00",
         "--config", str(config), *extra],
    )  # fmt: skip


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_fetch_writes_items_and_a_summary_table(runner, tmp_path: Path, suffix: str):
    out = tmp_path / f"items{suffix}"
    result = _fetch(runner, tmp_path, "--sources", "fake_news, broken", "--out", str(out))
    assert result.exit_code == 0, result.output
    items = read_items(out)
    assert len(items) == 8
    assert set(items["scored_by"]) == {"word"}
    np.testing.assert_allclose(items["score"], [np.tanh(1), np.tanh(-1)] * 4)
    lines = result.output.splitlines()
    assert lines[0].split() == ["source", "items", "provider", "scored", "scored", "here",
                                "unscored", "status"]  # fmt: skip
    assert lines[2].split() == ["fake_news", "8", "0", "8", "0", "ok"]
    assert lines[3].startswith("broken")
    assert "FAILED broken (fetch): SentimentAuthError" in lines[3]
    assert (
        f"8 items for AAPL from 2026-01-05 00:00:00+00:00 to 2026-01-06 23:00:00+00:00 "
        f"written to {out}" in result.output
    )


def test_fetch_reads_the_sources_and_symbol_from_the_config(runner, tmp_path: Path):
    out = tmp_path / "items.csv"
    result = _fetch(
        runner, tmp_path, "--symbol", "MSFT", "--out", str(out),
        sentiment="  sources: [fake_social]\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    items = read_items(out)
    assert set(items["symbol"]) == {"MSFT"}
    assert set(items["source"]) == {"fake_social"}


def test_a_partly_failed_source_is_shown_and_kept(runner, tmp_path: Path):
    out = tmp_path / "items.csv"
    result = _fetch(runner, tmp_path, "--sources", "patchy", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "partly failed patchy (partial): SentimentSourceError" in result.output
    assert len(read_items(out)) == 4


def test_fetch_fails_when_every_source_fails(runner, tmp_path: Path):
    out = tmp_path / "items.csv"
    result = _fetch(runner, tmp_path, "--sources", "broken,nope", "--out", str(out))
    assert result.exit_code == 1
    assert "every sentiment source failed" in result.output
    assert "nope (missing): UnknownComponentError" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "items.json"], "ends in neither .parquet, .pq nor .csv"),
        (["--out", "items.csv", "--since", "2026-02-01"], "is after end"),
    ],
)
def test_fetch_refuses_bad_arguments(runner, tmp_path: Path, args, message):
    args = [str(tmp_path / a) if a.startswith("items") else a for a in args]
    result = _fetch(runner, tmp_path, "--sources", "fake_news", *args)
    assert result.exit_code == 2 if "json" in message else 1
    assert message in result.output


def test_features_take_sentiment_columns_from_an_item_file(runner, tmp_path: Path):
    ohlcv = synthetic_ohlcv(n=48, seed=2, freq="1h", start="2026-01-05").ohlcv
    data = tmp_path / "bars.csv"
    ohlcv.to_csv(data)
    items = tmp_path / "items.parquet"
    assert _fetch(runner, tmp_path, "--sources", "fake_news", "--out", str(items)).exit_code == 0
    out = tmp_path / "features.csv"
    result = runner.invoke(
        main,
        ["features", str(data), "--config", str(_config(tmp_path, "")), "--out", str(out),
         "--sentiment-items", str(items)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    features = pd.read_csv(out, index_col="timestamp", parse_dates=True)
    assert features.columns[0] == "change"
    expected = aggregate_sentiment(read_items(items), ohlcv.index, SentimentConfig()).to_frame()
    np.testing.assert_allclose(features[expected.columns], expected, equal_nan=True)


def test_features_collect_when_sentiment_is_enabled(runner, tmp_path: Path):
    ohlcv = synthetic_ohlcv(n=24, seed=2, freq="1h", start="2026-01-05").ohlcv
    data = tmp_path / "bars.csv"
    ohlcv.to_csv(data)
    config = _config(tmp_path, "  enabled: true\n  sources: [fake_news, crashing]\n")
    out = tmp_path / "features.parquet"
    result = runner.invoke(
        main, ["features", str(data), "--config", str(config), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "sentiment source failed: crashing (fetch): ZeroDivisionError" in result.output
    features = pd.read_parquet(out)
    assert features["sentiment_fake_news_volume"].sum() == 4  # 00, 06, 12, 18 h
