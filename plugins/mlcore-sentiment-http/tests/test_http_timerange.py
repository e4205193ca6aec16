"""The requested time range: UTC conversion, items within it, and UTC day windows."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mlcore.sentiment import SentimentItem

from mlcore_sentiment_http import as_utc, parse_time, published_within, utc_days, utc_range

START = pd.Timestamp("2026-01-05 00:00", tz="UTC")


def test_as_utc_takes_naive_times_as_utc_and_converts_the_others():
    assert as_utc("2026-01-05 09:30") == pd.Timestamp("2026-01-05 09:30", tz="UTC")
    assert as_utc("2026-01-05T09:30:00-05:00") == pd.Timestamp("2026-01-05 14:30", tz="UTC")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-05T14:30:00Z", pd.Timestamp("2026-01-05 14:30", tz="UTC")),
        ("2026-01-05T16:30:00+02:00", pd.Timestamp("2026-01-05 14:30", tz="UTC")),
        (" 2026-01-05 14:30 ", pd.Timestamp("2026-01-05 14:30", tz="UTC")),
        ("yesterday-ish", None),
        ("", None),
        ("NaT", None),
        (1767623400, None),  # a number is not an ISO 8601 time
        (None, None),
    ],
)
def test_parse_time(value, expected):
    assert parse_time(value) == expected


def test_utc_range_refuses_a_reversed_range():
    assert utc_range("2026-01-05", "2026-01-06") == (START, START + pd.Timedelta(days=1))
    with pytest.raises(ValueError, match="after end"):
        utc_range("2026-01-06", "2026-01-05")


def item(minutes: int, ident: str | None, text: str = "t") -> SentimentItem:
    when = START + pd.Timedelta(minutes=minutes)
    return SentimentItem(source="s", symbol="AAPL", published_at=when, text=text, id=ident)


def test_published_within_by_hand():
    end = START + pd.Timedelta(minutes=60)
    items = [
        item(30, "b"),
        item(-1, "early"),  # before the range
        item(10, "a"),
        item(61, "late"),  # after the range
        item(20, "b"),  # the same item seen earlier: this one is kept
        item(60, None, "no id"),
        item(60, None, "no id"),
        item(0, "edge"),
    ]
    kept = published_within(items, START, end)
    assert [(i.id, (i.published_at - START).seconds // 60) for i in kept] == [
        ("edge", 0),
        ("a", 10),
        ("b", 20),
        (None, 60),
    ]


items_strategy = st.lists(
    st.tuples(st.integers(-120, 240), st.sampled_from(["a", "b", "c", "d", None])), max_size=30
)


@given(items_strategy, st.integers(0, 120), st.integers(0, 120))
def test_published_within_keeps_one_item_per_id_in_range_sorted(rows, lo, span):
    start, end = START + pd.Timedelta(minutes=lo), START + pd.Timedelta(minutes=lo + span)
    items = [item(minutes, ident, text=f"t{minutes}") for minutes, ident in rows]
    kept = published_within(items, start, end)
    assert all(start <= i.published_at <= end for i in kept)
    keys = [(i.published_at, i.id or "") for i in kept]
    assert keys == sorted(keys)
    in_range = [i for i in items if start <= i.published_at <= end]
    for ident in {i.id for i in in_range if i.id is not None}:
        (one,) = [i for i in kept if i.id == ident]
        assert one.published_at == min(i.published_at for i in in_range if i.id == ident)
    assert len([i for i in kept if i.id is None]) == len(
        {(i.published_at, i.text) for i in in_range if i.id is None}
    )


@given(
    st.integers(0, 10 * 86400 * 1000).map(lambda ms: START + pd.Timedelta(ms, unit="ms")),
    st.integers(0, 10 * 86400 * 1000).map(lambda ms: pd.Timedelta(ms, unit="ms")),
)
def test_utc_days_cover_the_range_at_midnights(start, span):
    end = start + span
    windows = utc_days(start, end)
    if start == end:
        assert windows == []
        return
    assert windows[0][0] == start
    assert windows[-1][1] == end
    assert all(a < b for a, b in windows)
    assert all(prev[1] == nxt[0] for prev, nxt in itertools.pairwise(windows))
    # Every window lies within one UTC day, and every inner bound is a midnight.
    assert all(a.floor("D") == (b - pd.Timedelta(1, unit="ns")).floor("D") for a, b in windows)
    assert all(b == b.floor("D") for _, b in windows[:-1])
