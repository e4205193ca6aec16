"""FeatureEngineeringPipeline with sentiment.enabled: the sentiment columns follow the
indicators, from given items, an item file, or sources collected through the host."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_sentiment_collection import FAKE_DISTRIBUTION, FAKE_PLUGIN

from mlcore.config import SentimentConfig, config_from_dict
from mlcore.data import synthetic_ohlcv
from mlcore.errors import ConfigError, MlcorePluginWarning
from mlcore.features import FeatureEngineeringPipeline
from mlcore.host import PluginHost
from mlcore.sentiment import (
    AGGREGATE_COLUMNS,
    aggregate_sentiment,
    sentiment_columns,
    write_items,
)

FEATURES = {"indicators": ["change"], "feature_selection": {"method": "none"}}


@pytest.fixture
def ohlcv() -> pd.DataFrame:
    return synthetic_ohlcv(n=60, seed=3, freq="1h", start="2026-01-05").ohlcv


@pytest.fixture
def host(installed_plugin, monkeypatch: pytest.MonkeyPatch) -> PluginHost:
    installed_plugin(FAKE_DISTRIBUTION, FAKE_PLUGIN, entry_point="fake-sentiment")
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", FAKE_DISTRIBUTION)
    return PluginHost.from_config(None).load()


def _items(ohlcv: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 200
    start, span = ohlcv.index[0], (ohlcv.index[-1] - ohlcv.index[0]).total_seconds()
    return pd.DataFrame(
        {
            "source": rng.choice(["news", "twitter"], n),
            "symbol": "SYN",
            "published_at": start + pd.to_timedelta(rng.uniform(-7200, span + 7200, n), "s"),
            "score": rng.uniform(-1, 1, n),
        }
    )


def test_sentiment_columns_follow_the_indicators(ohlcv, host):
    items = _items(ohlcv)
    settings = SentimentConfig(enabled=True, decay_half_life="3h", weights={"news": 2.0})
    pipeline = FeatureEngineeringPipeline(
        FEATURES, host=host, sentiment=settings, sentiment_items=items
    )
    plain = FeatureEngineeringPipeline(FEATURES, host=host).generate_features(ohlcv)
    features = pipeline.generate_features(ohlcv)
    expected_columns = [*plain.columns, *sentiment_columns(["news", "twitter"])]
    assert list(features.columns) == expected_columns == pipeline.feature_names
    pd.testing.assert_frame_equal(features[plain.columns], plain)
    # items from ten half-lives before the first bar on, aggregated on the bars
    recent = items[items["published_at"] >= ohlcv.index[0] - pd.Timedelta("30h")]
    expected = aggregate_sentiment(
        recent, ohlcv.index, SentimentConfig(decay_half_life="3h", weights={"news": 2.0})
    ).to_frame()
    pd.testing.assert_frame_equal(features[expected.columns], expected, check_names=False)


def test_appending_bars_keeps_earlier_rows(ohlcv, host):
    items = _items(ohlcv, seed=5)
    pipeline = FeatureEngineeringPipeline(
        FEATURES, host=host, sentiment=SentimentConfig(enabled=True), sentiment_items=items
    )
    full = pipeline.generate_features(ohlcv)
    early = pipeline.generate_features(ohlcv.iloc[:40])
    columns = sentiment_columns(["news", "twitter"])
    pd.testing.assert_frame_equal(full[columns].iloc[:40], early[columns])


def test_an_item_file_from_the_config(ohlcv, host, tmp_path: Path):
    path = tmp_path / "items.parquet"
    write_items(_items(ohlcv), path)
    config = config_from_dict(
        {"features": FEATURES, "sentiment": {"enabled": True, "items_path": str(path)}}
    )
    features = FeatureEngineeringPipeline(config, host=host).generate_features(ohlcv)
    assert features["sentiment_volume"].sum() > 0
    assert "sentiment_twitter" in features.columns


@pytest.mark.parametrize(
    ("scaler", "handle_missing"),
    [("standard", "forward_fill"), ("robust", "train_mean"), ("minmax", "forward_fill")],
)
def test_a_source_silent_in_training_is_nan_without_warnings(ohlcv, host, scaler, handle_missing):
    features = {**FEATURES, "preprocessing": {"scaler": scaler, "handle_missing": handle_missing}}
    train, test = ohlcv.iloc[:40], ohlcv.iloc[40:]
    items = _items(ohlcv)
    late = items[items["published_at"] > test.index[0]].assign(source="finnhub")  # test only
    pipeline = FeatureEngineeringPipeline(
        features,
        host=host,
        sentiment=SentimentConfig(enabled=True, sources=["news", "twitter", "finnhub"]),
        sentiment_items=pd.concat([items, late]),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the scaler used to warn about the all-NaN column
        raw = pipeline.generate_features(train)
        transformed = pipeline.fit(train).transform(test)
    # no item is no information (NaN), never a neutral score of 0; the count is a real 0
    assert raw["sentiment_finnhub"].isna().all()
    assert (raw["sentiment_finnhub_volume"] == 0).all()
    # the model never saw a finnhub score: nothing to scale one by, so it stays NaN
    assert pipeline.preprocessor_.unscaled_columns_ == ["sentiment_finnhub"]
    assert pipeline.generate_features(test)["sentiment_finnhub"].notna().any()
    assert transformed["sentiment_finnhub"].isna().all()
    # the other sources' columns are scaled exactly as without the silent source
    without = FeatureEngineeringPipeline(
        features,
        host=host,
        sentiment=SentimentConfig(enabled=True, sources=["news", "twitter"]),
        sentiment_items=items,
    )
    expected = without.fit(train).transform(test)
    kept = [c for c in expected if not c.startswith(AGGREGATE_COLUMNS)]
    assert len(kept) > 4
    pd.testing.assert_frame_equal(transformed[kept], expected[kept])


def test_disabled_sentiment_adds_nothing(ohlcv, host):
    pipeline = FeatureEngineeringPipeline(FEATURES, host=host, sentiment_items=_items(ohlcv))
    assert not any(c.startswith("sentiment") for c in pipeline.generate_features(ohlcv))


def test_enabled_without_anything_to_read_is_a_config_error(host):
    with pytest.raises(ConfigError, match=r"sentiment\.sources.*nothing to read"):
        FeatureEngineeringPipeline(FEATURES, host=host, sentiment=SentimentConfig(enabled=True))


def test_sources_are_collected_for_the_bars_and_a_failing_one_is_warned_about(ohlcv, host):
    config = config_from_dict(
        {
            "features": FEATURES,
            "sentiment": {
                "enabled": True,
                "symbol": "SYN",
                "sources": ["fake_news", "broken"],
                "scorer": "word",
                "sources_config": {"fake_news": {"every": "3h"}},
            },
        }
    )
    pipeline = FeatureEngineeringPipeline(config)  # its own host, from the config
    with pytest.warns(MlcorePluginWarning, match="sentiment broken \\(fetch\\)"):
        features = pipeline.generate_features(ohlcv)
    assert [f.source for f in pipeline.sentiment_failures] == ["broken"]
    # one headline every 3 hours from the first bar to the last (hourly bars, 60 of them)
    assert features["sentiment_fake_news_volume"].sum() == 20
    assert features["sentiment_broken_volume"].sum() == 0
    scored = features["sentiment_score"].dropna()
    assert set(np.round(scored, 12)) == {round(np.tanh(1), 12), round(np.tanh(-1), 12)}
