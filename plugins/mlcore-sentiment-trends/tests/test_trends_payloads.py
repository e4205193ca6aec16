"""Parsing Google Trends' explore and interest-over-time answers (documented format)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from mlcore.errors import SentimentSourceError

from mlcore_sentiment_trends.payloads import (
    parse_interest_over_time,
    parse_timeseries_widget,
    period_length,
    strip_xssi_prefix,
)

PAYLOADS = Path(__file__).parent / "payloads"
TEN_DAYS = pd.Timedelta(days=9)


def payload(name: str) -> str:
    return (PAYLOADS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (')]}\'\n{"a": 1}', '{"a": 1}'),
        (')]}\',\n{"a": 1}', '{"a": 1}'),
        (')]}\',{"a": 1}', '{"a": 1}'),
        ('{"a": 1}', '{"a": 1}'),
    ],
)
def test_xssi_prefix_is_stripped(body, expected):
    assert strip_xssi_prefix(body) == expected


def test_explore_answer_gives_the_timeseries_widget():
    request, token = parse_timeseries_widget(payload("explore_aapl.txt"))
    assert token == "APP6_UEAAAAAZZ-timeseries-token"
    assert request["time"] == "2024-01-01 2024-01-10"
    assert (
        request["comparisonItem"][0]["complexKeywordsRestriction"]["keyword"][0]["value"] == "AAPL"
    )


def test_explore_answer_without_timeseries_widget_is_a_clear_error():
    body = ")]}'\n" + json.dumps({"widgets": [{"id": "GEO_MAP", "token": "x", "request": {}}]})
    with pytest.raises(
        SentimentSourceError, match=r"no TIMESERIES widget \(widgets: \['GEO_MAP'\]\)"
    ):
        parse_timeseries_widget(body)


def test_interest_over_time_points_are_complete_periods_published_at_their_end():
    points = parse_interest_over_time(payload("multiline_aapl.txt"), ["AAPL"], TEN_DAYS)
    # Ten daily periods from 2024-01-01; Jan 5 has hasData false, so nine points.
    assert len(points) == 9
    first = points[0]
    assert first.period_start == pd.Timestamp("2024-01-01", tz="UTC")
    assert first.period_end == pd.Timestamp("2024-01-02", tz="UTC")
    assert first.interest == 55.0
    assert [p.period_start.day for p in points] == [1, 2, 3, 4, 6, 7, 8, 9, 10]
    assert [p.interest for p in points] == [55, 71, 100, 64, 48, 39, 60, 52, 45]
    assert [p.partial for p in points] == [False] * 8 + [True]


def test_two_keywords_give_one_point_each_per_period():
    body = json.dumps(
        {
            "default": {
                "timelineData": [
                    {"time": "1704067200", "value": [10, 90], "hasData": [True, True]},
                    {"time": "1704070800", "value": [0, 100], "hasData": [False, True]},
                ]
            }
        }
    )
    points = parse_interest_over_time(body, ["AAPL", "Apple"], pd.Timedelta(days=1))
    assert [(p.keyword, p.interest) for p in points] == [
        ("AAPL", 10),
        ("Apple", 90),
        ("Apple", 100),
    ]
    # Hourly steps: each period ends one hour after it starts.
    assert all(p.period_end - p.period_start == pd.Timedelta(hours=1) for p in points)


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        (pd.Timedelta(days=3), pd.Timedelta(hours=1)),
        (pd.Timedelta(days=90), pd.Timedelta(days=1)),
        (pd.Timedelta(days=700), pd.Timedelta(days=7)),
        (pd.Timedelta(days=4000), pd.Timedelta(days=30)),
    ],
)
def test_a_lone_point_takes_googles_granularity_for_the_window(window, expected):
    assert period_length([pd.Timestamp("2024-01-01", tz="UTC")], window) == expected


def test_empty_timeline_gives_no_points():
    assert parse_interest_over_time('{"default": {"timelineData": []}}', ["AAPL"], TEN_DAYS) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (")]}',\n<html>consent</html>", "malformed JSON"),
        ('{"default": {}}', r"'default.timelineData' is missing or not a list"),
        ('{"default": {"timelineData": [{"value": [1]}]}}', r"timelineData\[0\].time"),
        (
            '{"default": {"timelineData": [{"time": "1", "value": [1, 2]}]}}',
            r"timelineData\[0\].value",
        ),
        (
            '{"default": {"timelineData": [{"time": "1", "value": ["x"], "hasData": [true]}]}}',
            r"timelineData\[0\].value\[0\]' is missing or not a number",
        ),
    ],
)
def test_malformed_answers_name_the_path(body, message):
    with pytest.raises(SentimentSourceError, match=message) as caught:
        parse_interest_over_time(body, ["AAPL"], TEN_DAYS)
    assert caught.value.source == "trends"
