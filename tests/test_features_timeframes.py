"""Multi-timeframe features: completed higher bars only, aligned back without look-ahead."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_features_support import EMA, SMA, Channel, make_host, market

from mlcore.errors import FeatureError
from mlcore.features import (
    FeatureEngineeringPipeline,
    align_asof,
    completed_bars,
    higher_timeframe_features,
)

NAN = np.nan


def linear_bars(start: str, periods: int, freq: str) -> pd.DataFrame:
    """close = 1, 2, 3 ...; high/low = close +- 0.5; open = close; volume = 10 * close."""
    index = pd.date_range(start, periods=periods, freq=freq, tz="UTC", name="timestamp")
    close = np.arange(1.0, periods + 1)
    return pd.DataFrame(
        {
            "open": close,
            "high": close + 0.5,
            "low": close - 0.5,
            "close": close,
            "volume": 10 * close,
        },
        index=index,
    )


def test_weekly_bars_by_hand() -> None:
    # 2024-01-01 is a Monday; 24 daily bars run to Wednesday 2024-01-24.
    daily = linear_bars("2024-01-01", 24, "D")
    weekly = completed_bars(daily, "1W")
    # three complete weeks (Mon-Sun), stamped at their Sunday; the week of Jan 22 is partial
    assert list(weekly.index.strftime("%Y-%m-%d")) == ["2024-01-07", "2024-01-14", "2024-01-21"]
    assert weekly["open"].tolist() == [1.0, 8.0, 15.0]
    assert weekly["high"].tolist() == [7.5, 14.5, 21.5]
    assert weekly["low"].tolist() == [0.5, 7.5, 14.5]
    assert weekly["close"].tolist() == [7.0, 14.0, 21.0]
    assert weekly["volume"].tolist() == [
        10 * sum(range(1, 8)),
        10 * sum(range(8, 15)),
        10 * sum(range(15, 22)),
    ]

    features = higher_timeframe_features(daily, [EMA(span=1), SMA(period=2)], "1W")
    assert list(features.columns) == ["ema_1_1W", "sma_2_1W"]
    # which weekly close each day sees: none before Sunday Jan 7 (its own bar completes
    # week 1), week 1 until Jan 13, week 2 from Sunday Jan 14, week 3 from Jan 21 on;
    # Jan 22-24 keep week 3 because week 4 is not complete.
    expected_close = [NAN] * 6 + [7.0] * 7 + [14.0] * 7 + [21.0] * 4
    np.testing.assert_array_equal(features["ema_1_1W"].to_numpy(), expected_close)
    expected_sma = [NAN] * 13 + [(7 + 14) / 2] * 7 + [(14 + 21) / 2] * 4
    np.testing.assert_array_equal(features["sma_2_1W"].to_numpy(), expected_sma)


def test_weekday_bars_see_the_week_from_the_next_monday() -> None:
    business = linear_bars("2024-01-01", 10, "B")  # Mon Jan 1 ... Fri Jan 12
    features = higher_timeframe_features(business, [EMA(span=1)], "1W")
    # week 1 (Jan 1-5, closes 1..5) completes at Sunday Jan 7: first seen on Monday Jan 8
    assert features["ema_1_1W"].iloc[:5].isna().all()
    assert features["ema_1_1W"].iloc[5:].tolist() == [5.0] * 5


def test_intraday_bins_are_seen_from_the_first_bar_after_them() -> None:
    hourly = linear_bars("2024-03-01", 10, "h")  # 00:00 ... 09:00
    bars = completed_bars(hourly, "4h")
    assert list(bars.index.strftime("%H:%M")) == ["04:00", "08:00"]
    assert bars["close"].tolist() == [4.0, 8.0]
    assert bars["volume"].tolist() == [10.0 * (1 + 2 + 3 + 4), 10.0 * (5 + 6 + 7 + 8)]
    features = higher_timeframe_features(hourly, [EMA(span=1)], "4h")
    assert features["ema_1_4h"].isna().tolist()[:4] == [True] * 4
    assert features["ema_1_4h"].iloc[4:].tolist() == [4.0] * 4 + [8.0] * 2


def test_align_asof_is_a_backward_join() -> None:
    index = pd.date_range("2024-01-01", periods=5, freq="D", tz="UTC")
    higher = pd.DataFrame({"x": [1.0, 2.0]}, index=index[[1, 3]])
    aligned = align_asof(higher, index)
    expected = pd.merge_asof(
        pd.DataFrame(index=index).reset_index(names="t"),
        higher.reset_index(names="t"),
        on="t",
        direction="backward",
    )
    np.testing.assert_array_equal(aligned["x"].to_numpy(), expected["x"].to_numpy())


@pytest.mark.parametrize(
    ("freq", "timeframe", "n"),
    [("D", "1W", 120), ("h", "1D", 150), ("h", "4h", 60), ("D", "ME", 120), ("D", "MS", 120)],
)
def test_appending_later_bars_never_changes_earlier_rows(freq: str, timeframe: str, n: int) -> None:
    bars = market(n, seed=7, freq=freq)
    indicators = [SMA(period=3), EMA(span=2), Channel(period=2)]
    full = higher_timeframe_features(bars, indicators, timeframe)
    assert full.notna().any().all()  # the property below is not vacuous
    for cut in range(5, n, 7):
        prefix = higher_timeframe_features(bars.iloc[:cut], indicators, timeframe)
        pd.testing.assert_frame_equal(prefix, full.iloc[:cut])


def test_changing_bars_after_t_never_changes_row_t() -> None:
    bars = market(100, seed=3)
    full = higher_timeframe_features(bars, [SMA(period=2)], "1W")
    later = bars.copy()
    later.iloc[60:, :4] *= 1.5
    changed = higher_timeframe_features(later, [SMA(period=2)], "1W")
    pd.testing.assert_frame_equal(changed.iloc[:60], full.iloc[:60])
    assert not changed.iloc[70:].equals(full.iloc[70:])


def test_the_pipeline_adds_suffixed_columns_for_each_timeframe() -> None:
    host = make_host()
    bars = market(200, seed=2)
    config = {"indicators": ["sma", "channel"], "timeframes": ["1W", "ME"]}
    pipeline = FeatureEngineeringPipeline(config, host=host)
    features = pipeline.generate_features(bars)
    assert list(features.columns) == [
        "sma_3",
        "sma_5",
        "channel_upper_4",
        "channel_lower_4",
        "sma_3_1W",
        "sma_5_1W",
        "channel_upper_4_1W",
        "channel_lower_4_1W",
        "sma_3_ME",
        "sma_5_ME",
        "channel_upper_4_ME",
        "channel_lower_4_ME",
    ]
    direct = higher_timeframe_features(bars, pipeline.indicators, "ME")
    pd.testing.assert_frame_equal(features[list(direct.columns)], direct)
    prefix = pipeline.generate_features(bars.iloc[:150])
    pd.testing.assert_frame_equal(prefix, features.iloc[:150])


def test_short_data_gives_nan_and_a_timeframe_that_is_not_coarser_is_refused() -> None:
    host = make_host()
    daily = market(5, seed=1)
    pipeline = FeatureEngineeringPipeline({"indicators": ["ema"], "timeframes": ["ME"]}, host=host)
    assert pipeline.generate_features(daily)["ema_4_ME"].isna().all()
    with pytest.raises(FeatureError, match="not coarser"):
        completed_bars(market(30, seed=1), "1h")


def test_extra_columns_are_aggregated_by_their_last_value_text_ones_dropped() -> None:
    daily = linear_bars("2024-01-01", 14, "D").assign(funding=np.arange(14.0), symbol="BTCUSDT")
    weekly = completed_bars(daily, "1W")
    assert list(weekly.columns) == ["open", "high", "low", "close", "volume", "funding"]
    assert weekly["funding"].tolist() == [6.0, 13.0]
