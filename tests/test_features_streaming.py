"""StreamingFeatureEngine: bar by bar equals the batch pipeline."""

from __future__ import annotations

import importlib
import importlib.metadata
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from test_features_support import EMA, SMA, Channel, Momentum, make_host, market

from mlcore import DataValidationError, PluginHost
from mlcore.errors import FeatureError
from mlcore.features import FeatureEngineeringPipeline, StreamingFeatureEngine

FIELDS = ["open", "high", "low", "close", "volume"]


def bar_dicts(bars: pd.DataFrame) -> list[dict[str, float]]:
    return [dict(zip(FIELDS, row, strict=True)) for row in bars[FIELDS].to_numpy().tolist()]


def test_bar_by_bar_equals_generate_features() -> None:
    host = make_host()
    config = {"indicators": [{"name": "sma", "period": [3, 20]}, "ema", "channel"]}
    pipeline = FeatureEngineeringPipeline(config, host=host)
    bars = market(400, seed=4)
    batch = pipeline.generate_features(bars)
    engine = StreamingFeatureEngine.from_pipeline(pipeline)
    assert engine.columns == tuple(batch.columns)
    streamed = np.array([engine.update(bar) for bar in bar_dicts(bars)])
    np.testing.assert_allclose(streamed, batch.to_numpy(), rtol=1e-9, atol=1e-9)
    assert np.array_equal(np.isnan(streamed), batch.isna().to_numpy())


def test_warm_up_then_continue_live() -> None:
    bars = market(200, seed=5)
    indicators = [SMA(period=5), Channel(period=3), EMA(span=10)]
    engine = StreamingFeatureEngine(indicators).warm_up(bars.iloc[:150])
    assert engine.bars_seen == 150
    live = [
        engine.update(bar, timestamp)
        for bar, timestamp in zip(bar_dicts(bars.iloc[150:]), bars.index[150:], strict=True)
    ]
    pipeline = FeatureEngineeringPipeline({"indicators": ["sma", "channel"]}, host=make_host())
    expected = pipeline.generate_features(bars)
    got = pd.DataFrame(live, index=bars.index[150:], columns=list(engine.columns))
    np.testing.assert_allclose(got["sma_5"], SMA(period=5).compute(bars)["sma_5"].iloc[150:])
    np.testing.assert_allclose(
        got["channel_upper_3"], Channel(period=3).compute(bars).iloc[150:, 0]
    )
    np.testing.assert_allclose(got["ema_10"], EMA(span=10).compute(bars)["ema_10"].iloc[150:])
    assert "sma_5" in expected.columns
    latest = engine.as_series()
    assert latest.name == bars.index[-1]
    assert latest["sma_5"] == pytest.approx(bars["close"].iloc[-5:].mean())


def test_update_frame_continues_and_reset_starts_over() -> None:
    bars = market(120, seed=6)
    engine = StreamingFeatureEngine([SMA(period=4), EMA(span=3)])
    first = engine.update_frame(bars.iloc[:60])
    second = engine.update_frame(bars.iloc[60:])
    batch = pd.concat([SMA(period=4).compute(bars), EMA(span=3).compute(bars)], axis=1)
    pd.testing.assert_frame_equal(pd.concat([first, second]), batch, rtol=1e-12)
    engine.reset()
    assert engine.bars_seen == 0
    assert engine.as_series().isna().all()
    again = engine.update_frame(bars.iloc[:10])
    pd.testing.assert_frame_equal(again, first.iloc[:10])


def test_the_engine_holds_independent_clones() -> None:
    original = SMA(period=3)
    original.update({"close": 100.0})
    engine = StreamingFeatureEngine([original])
    assert list(original._window) == [100.0]  # untouched by the engine
    other = StreamingFeatureEngine([original])
    for close in (1.0, 2.0, 3.0):
        value = engine.update({"close": close})
    assert value[0] == pytest.approx(2.0)
    assert math.isnan(other.update({"close": 5.0})[0])  # its own stream saw one bar
    assert list(original._window) == [100.0]


def test_update_returns_a_fresh_array() -> None:
    engine = StreamingFeatureEngine([EMA(span=2)])
    first = engine.update({"close": 1.0})
    second = engine.update({"close": 4.0})
    assert first[0] == 1.0
    assert second[0] == pytest.approx(3.0)  # alpha = 2/3: 2/3 * 4 + 1/3 * 1


def test_non_streaming_indicators_are_named_at_construction() -> None:
    with pytest.raises(FeatureError, match=r"mom\(period=2\).*allow_batch_fallback=True"):
        StreamingFeatureEngine([SMA(period=3), Momentum(period=2)])


def test_the_batch_fallback_recomputes_on_a_trailing_window() -> None:
    bars = market(150, seed=8)
    indicators = [Momentum(period=3), SMA(period=4)]
    engine = StreamingFeatureEngine(indicators, allow_batch_fallback=True, fallback_window=20)
    streamed = engine.update_frame(bars)
    expected = pd.concat([ind.compute(bars) for ind in indicators], axis=1)
    pd.testing.assert_frame_equal(streamed, expected, rtol=1e-12)


def test_a_bar_without_a_field_is_a_clear_error() -> None:
    engine = StreamingFeatureEngine([Channel(period=2)])
    with pytest.raises(DataValidationError, match=r"lacks the field\(s\) \['low'\]"):
        engine.update({"high": 2.0, "close": 1.0})
    with pytest.raises(DataValidationError, match="lack the input column"):
        engine.update_frame(pd.DataFrame({"close": [1.0]}))


def test_a_failing_or_malformed_update_names_the_indicator() -> None:
    class Bad(SMA):
        def update(self, bar):  # type: ignore[no-untyped-def, override]
            return (1.0, 2.0)  # one value too many

    class Raising(SMA):
        def update(self, bar):  # type: ignore[no-untyped-def, override]
            raise ArithmeticError("boom")

    with pytest.raises(FeatureError, match=r"sma\(period=3\).*wrong number of values"):
        StreamingFeatureEngine([EMA(span=2), Bad()]).update({"close": 1.0})
    with pytest.raises(
        FeatureError, match=r"sma\(period=3\)\.update\(bar\) raised ArithmeticError"
    ):
        StreamingFeatureEngine([Raising()]).update({"close": 1.0})


def test_a_pipeline_with_timeframes_is_refused() -> None:
    pipeline = FeatureEngineeringPipeline(
        {"indicators": ["sma"], "timeframes": ["1W"]}, host=make_host()
    )
    with pytest.raises(FeatureError, match=r"timeframes = \['1W'\]"):
        StreamingFeatureEngine.from_pipeline(pipeline)


def test_the_installed_default_set_streams_like_its_batch() -> None:
    pytest.importorskip("mlcore_indicators")
    plugin = importlib.import_module("mlcore_indicators.plugin")
    host = PluginHost()  # that plugin alone, whatever else is installed or configured
    version = importlib.metadata.version("mlcore-indicators")
    assert host.register_plugin(
        plugin, distribution="mlcore-indicators", name="indicators", version=version
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # failures are asserted below, with their causes
        pipeline = FeatureEngineeringPipeline(host=host)
        bars = market(600, seed=11)
        batch = pipeline.generate_features(bars)
    engine = StreamingFeatureEngine.from_pipeline(pipeline)
    streamed = engine.update_frame(bars)
    assert list(streamed.columns) == list(batch.columns)
    np.testing.assert_allclose(streamed.to_numpy(), batch.to_numpy(), rtol=1e-9, atol=1e-9)
    assert pipeline.failures == [], "\n".join(str(failure) for failure in pipeline.failures)
