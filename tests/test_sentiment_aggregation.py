"""Point-in-time aggregation of sentiment items onto bars: hand calculations, pandas
references (merge_asof + groupby, ewm with times) and the no-look-ahead property."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlcore.config import SentimentConfig
from mlcore.errors import DataValidationError
from mlcore.sentiment import SentimentItem, aggregate_sentiment, items_to_frame

BARS = pd.DatetimeIndex(["2026-01-05 10:00", "2026-01-05 11:00", "2026-01-05 12:00"], tz="UTC")
ONE_NS = pd.Timedelta(1, "ns")


def _item(source: str, when: str | pd.Timestamp, score: float | None = None, **extra):
    return SentimentItem(
        source, "AAPL", when, text="t" if score is not None else "", score=score, **extra
    )


ITEMS = [
    _item("news", "2026-01-05 09:15", 0.6),
    _item("news", "2026-01-05 10:00", -0.2),  # exactly at the close: counts for bar 0
    _item("twitter", pd.Timestamp("2026-01-05 10:00", tz="UTC") + ONE_NS, 1.0),  # bar 1
    _item("twitter", "2026-01-05 10:30", engagement=5.0),  # unscored: volume and attention
    _item("news", "2026-01-05 10:45", -0.5),
    _item("trends", "2026-01-05 11:59", engagement=40.0),
    _item("news", "2026-01-05 12:00:01", 0.9),  # after the last close: no bar sees it
]
SOURCES = ["news", "twitter", "trends"]


def test_each_bar_sees_only_its_own_items_without_decay():
    config = SentimentConfig(sources=SOURCES, weights={"twitter": 2.0})
    frame = aggregate_sentiment(ITEMS, BARS, config).to_frame()
    # bar 0: news 0.6 and -0.2, weight 1 each
    assert frame["sentiment_score"].iloc[0] == pytest.approx(0.2)
    assert frame["sentiment_dispersion"].iloc[0] == pytest.approx(0.4)
    assert frame["sentiment_bullish_ratio"].iloc[0] == pytest.approx(0.5)
    assert frame["sentiment_age"].iloc[0] == 0.0
    # bar 1: twitter 1.0 (weight 2) and news -0.5 (weight 1); one unscored tweet
    assert frame["sentiment_score"].iloc[1] == pytest.approx((2 * 1.0 - 0.5) / 3)
    assert frame["sentiment_dispersion"].iloc[1] == pytest.approx(np.sqrt((2 + 0.25) / 3 - 0.25))
    assert frame["sentiment_bullish_ratio"].iloc[1] == pytest.approx(2 / 3)
    assert frame["sentiment_age"].iloc[1] == 15 * 60  # newest: news at 10:45
    assert frame["sentiment_twitter"].iloc[1] == 1.0  # a source's own score ignores weights
    assert frame["sentiment_news"].iloc[1] == -0.5
    # bar 2: only a Google Trends point, unscored
    assert np.isnan(frame["sentiment_score"].iloc[2])
    assert np.isnan(frame["sentiment_bullish_ratio"].iloc[2])
    assert frame["sentiment_age"].iloc[2] == 60
    assert frame["sentiment_volume"].tolist() == [2, 3, 1]
    assert frame["sentiment_attention"].tolist() == [0, 5, 40]
    assert frame["sentiment_news_volume"].tolist() == [2, 1, 0]
    assert frame["sentiment_twitter_volume"].tolist() == [0, 2, 0]
    assert frame["sentiment_trends_volume"].tolist() == [0, 0, 1]


def test_a_half_life_weighs_every_earlier_item_by_its_age():
    config = SentimentConfig(sources=SOURCES, weights={"twitter": 2.0}, decay_half_life="1h")
    frame = aggregate_sentiment(ITEMS, BARS, config).to_frame()
    hours = np.array([1.75, 1.0, 1.0 - 1e-9 / 3600, 0.25])  # ages at 11:00
    scores = np.array([0.6, -0.2, 1.0, -0.5])
    weights = np.array([1, 1, 2, 1]) * 0.5**hours
    mean = (weights * scores).sum() / weights.sum()
    assert frame["sentiment_score"].iloc[1] == pytest.approx(mean, rel=1e-12)
    spread = np.sqrt((weights * (scores - mean) ** 2).sum() / weights.sum())
    assert frame["sentiment_dispersion"].iloc[1] == pytest.approx(spread, rel=1e-9)
    bullish = weights[scores > 0.05].sum() / weights.sum()
    assert frame["sentiment_bullish_ratio"].iloc[1] == pytest.approx(bullish, rel=1e-12)
    news = weights[[0, 1, 3]]
    expected_news = (news * scores[[0, 1, 3]]).sum() / news.sum()
    assert frame["sentiment_news"].iloc[1] == pytest.approx(expected_news, rel=1e-12)
    # bar 2 has no new scored item: the same items, all one hour older, keep the ratio
    assert frame["sentiment_score"].iloc[2] == pytest.approx(mean, rel=1e-12)
    # volume counts the bar's own items, decay or not
    assert frame["sentiment_volume"].tolist() == [2, 3, 1]


def test_bar_close_offset_moves_the_cutoff():
    bars = BARS[:2]  # stamped at the open of hourly bars: closes at 11:00 and 12:00
    config = SentimentConfig(sources=SOURCES, bar_close_offset="1h")
    frame = aggregate_sentiment(ITEMS, bars, config).to_frame()
    assert frame["sentiment_volume"].tolist() == [5, 1]  # 09:15 .. 10:45, then 11:59
    assert frame["sentiment_age"].iloc[1] == 60


def test_zero_weight_source_leaves_the_aggregate_but_keeps_its_column():
    config = SentimentConfig(sources=SOURCES, weights={"news": 0.0})
    frame = aggregate_sentiment(ITEMS, BARS, config).to_frame()
    assert np.isnan(frame["sentiment_score"].iloc[0])
    assert frame["sentiment_score"].iloc[1] == 1.0
    assert frame["sentiment_news"].iloc[0] == pytest.approx(0.2)


def test_sources_missing_from_the_items_still_get_columns_and_others_are_ignored():
    config = SentimentConfig(sources=["finnhub", "news"])
    features = aggregate_sentiment(ITEMS, BARS, config)
    assert features.sources == ["finnhub", "news"]
    frame = features.to_frame()
    assert frame["sentiment_finnhub_volume"].tolist() == [0, 0, 0]
    assert np.isnan(frame["sentiment_finnhub"]).all()
    assert frame["sentiment_volume"].tolist() == [2, 1, 0]  # twitter and trends not read


def test_no_items_give_empty_statistics():
    frame = aggregate_sentiment([], BARS, SentimentConfig(sources=["news"])).to_frame()
    assert frame["sentiment_volume"].tolist() == [0, 0, 0]
    assert frame[["sentiment_score", "sentiment_age", "sentiment_news"]].isna().all().all()
    assert list(frame.index) == list(BARS)


def _random_items(n: int, seed: int, bars: pd.DatetimeIndex, sources=("a", "b")) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    span = (bars[-1] - bars[0]).total_seconds()
    offsets = pd.to_timedelta(rng.uniform(-3600, span + 3600, n), unit="s")
    score = rng.uniform(-1, 1, n)
    score[rng.random(n) < 0.2] = np.nan
    return pd.DataFrame(
        {
            "source": rng.choice(list(sources), n),
            "symbol": "AAPL",
            "published_at": (bars[0] + offsets).as_unit("ns"),
            "score": score,
            "engagement": rng.integers(0, 50, n).astype(float),
        }
    )


def test_without_decay_matches_merge_asof_and_groupby():
    bars = pd.date_range("2026-01-01", periods=200, freq="15min", tz="UTC")
    items = _random_items(3000, 1, bars)
    config = SentimentConfig(weights={"a": 1.0, "b": 3.0}, neutral_band=0.1)
    ours = aggregate_sentiment(items, bars, config).to_frame()

    closes = pd.DataFrame({"close_time": bars.as_unit("ns"), "bar": np.arange(len(bars))})
    joined = pd.merge_asof(
        items.sort_values("published_at"),
        closes,
        left_on="published_at",
        right_on="close_time",
        direction="forward",
    ).dropna(subset=["bar"])
    joined["w"] = joined["source"].map({"a": 1.0, "b": 3.0})
    scored = joined.dropna(subset=["score"])
    grouped = scored.groupby("bar")
    mean = grouped.apply(lambda g: np.average(g["score"], weights=g["w"]), include_groups=False)
    spread = grouped.apply(
        lambda g: np.sqrt(np.cov(g["score"], aweights=g["w"], ddof=0)) if len(g) > 1 else 0.0,
        include_groups=False,
    )
    polar = scored[scored["score"].abs() > 0.1]
    bullish = polar.groupby("bar").apply(
        lambda g: g.loc[g["score"] > 0, "w"].sum() / g["w"].sum(), include_groups=False
    )
    volume = joined.groupby("bar").size()
    attention = joined.groupby("bar")["engagement"].sum()
    index = np.arange(len(bars))
    np.testing.assert_allclose(ours["sentiment_score"], mean.reindex(index), rtol=1e-10)
    np.testing.assert_allclose(ours["sentiment_dispersion"], spread.reindex(index), atol=1e-7)
    np.testing.assert_allclose(ours["sentiment_bullish_ratio"], bullish.reindex(index), rtol=1e-10)
    np.testing.assert_array_equal(ours["sentiment_volume"], volume.reindex(index, fill_value=0))
    np.testing.assert_allclose(ours["sentiment_attention"], attention.reindex(index, fill_value=0))
    last = pd.merge_asof(
        closes, items.sort_values("published_at")[["published_at"]],
        left_on="close_time", right_on="published_at", direction="backward",
    )  # fmt: skip
    age = (last["close_time"] - last["published_at"]).dt.total_seconds()
    np.testing.assert_allclose(ours["sentiment_age"], age, rtol=1e-12)


def test_decay_matches_pandas_ewm_with_times():
    bars = pd.date_range("2026-01-01", periods=300, freq="1h", tz="UTC")
    items = _random_items(2000, 2, bars, sources=("a",)).dropna(subset=["score"])
    items = items.sort_values("published_at")
    ours = aggregate_sentiment(items, bars, SentimentConfig(decay_half_life="5h")).to_frame()
    # The weighted mean is the same at the last item before the close and at the close:
    # every weight shrinks by the same factor in between.
    times = pd.DatetimeIndex(items["published_at"])
    ewm = items["score"].ewm(halflife=pd.Timedelta("5h"), times=times).mean()
    asof = pd.merge_asof(
        pd.DataFrame({"close_time": bars.as_unit("ns")}),
        pd.DataFrame({"published_at": times, "ewm": ewm.to_numpy()}),
        left_on="close_time", right_on="published_at", direction="backward",
    )  # fmt: skip
    np.testing.assert_allclose(ours["sentiment_score"], asof["ewm"], rtol=1e-9)


@st.composite
def _histories(draw: st.DrawFn):
    minutes = draw(st.lists(st.integers(0, 600), min_size=2, max_size=25, unique=True))
    bars = pd.DatetimeIndex(
        sorted(pd.Timestamp("2026-02-02", tz="UTC") + pd.to_timedelta(minutes, "min"))
    )
    item = st.tuples(
        st.sampled_from(["a", "b"]),
        st.integers(-60, 660),
        st.none() | st.floats(-1, 1),
        st.none() | st.floats(0, 100),
    )
    items = draw(st.lists(item, max_size=40))
    cut = draw(st.integers(1, len(bars)))
    half_life = draw(st.sampled_from([None, "45min", "3h"]))
    offset = draw(st.sampled_from([None, "10min"]))
    return bars, items, cut, half_life, offset


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_histories())
def test_later_items_and_bars_never_change_earlier_bars(history):
    bars, raw, cut, half_life, offset = history
    start = pd.Timestamp("2026-02-02", tz="UTC")
    items = [
        SentimentItem(s, "X", start + pd.Timedelta(m, "min"), text="t", score=v, engagement=e)
        for s, m, v, e in raw
    ]
    config = SentimentConfig(
        sources=["a", "b"], decay_half_life=half_life, bar_close_offset=offset,
        weights={"b": 2.5},
    )  # fmt: skip
    last_close = bars[cut - 1] + pd.Timedelta(offset or 0)
    known = [item for item in items if item.published_at <= last_close]
    early = aggregate_sentiment(known, bars[:cut], config).to_frame()
    full = aggregate_sentiment(items, bars, config).to_frame()
    pd.testing.assert_frame_equal(full.iloc[:cut], early, rtol=1e-12)


def test_item_frame_and_items_give_the_same_features():
    config = SentimentConfig(decay_half_life="2h")
    from_items = aggregate_sentiment(ITEMS, BARS, config).to_frame()
    from_frame = aggregate_sentiment(items_to_frame(ITEMS), BARS, config).to_frame()
    pd.testing.assert_frame_equal(from_items, from_frame)


def test_several_symbols_need_a_choice():
    items = [*ITEMS, SentimentItem("news", "MSFT", "2026-01-05 09:00", text="t", score=1.0)]
    with pytest.raises(DataValidationError, match=r"2 symbols \(AAPL, MSFT\).*symbol="):
        aggregate_sentiment(items, BARS)
    only = aggregate_sentiment(items, BARS, symbol="MSFT").to_frame()
    assert only["sentiment_volume"].tolist() == [1, 0, 0]


def test_bars_must_be_an_increasing_datetime_index():
    with pytest.raises(DataValidationError, match=r"strictly increasing.*position 2"):
        aggregate_sentiment(ITEMS, BARS[[0, 2, 1]])
    with pytest.raises(DataValidationError, match="DatetimeIndex"):
        aggregate_sentiment(ITEMS, pd.RangeIndex(3))  # type: ignore[arg-type]


def test_naive_bars_are_utc():
    naive = aggregate_sentiment(ITEMS, BARS.tz_localize(None)).to_frame()
    aware = aggregate_sentiment(ITEMS, BARS).to_frame()
    np.testing.assert_array_equal(naive.to_numpy(), aware.to_numpy())
