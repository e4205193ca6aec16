"""HttpSettings from config blocks, Retry-After parsing, and time windows."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mlcore.errors import ConfigError

from mlcore_sentiment_http import HttpSettings, day_windows, parse_retry_after, split_range

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def test_options_override_the_provider_defaults():
    defaults = {"base_url": "https://api.example.com/v1", "rate_limit": 1.0}
    settings = HttpSettings.from_options({"rate_limit": 0.5, "timeout": 3}, defaults=defaults)
    assert settings.base_url == "https://api.example.com/v1"
    assert settings.rate_limit == 0.5
    assert settings.timeout == 3


def test_unknown_option_names_the_key_path():
    with pytest.raises(ConfigError) as raised:
        HttpSettings.from_options({"time_out": 3}, source="finnhub")
    assert raised.value.key_path == "sentiment.sources_config.finnhub.time_out"
    assert "timeout" in str(raised.value)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("timeout", 0, "timeout must be a finite number > 0"),
        ("timeout", "5", "timeout must be a number"),
        ("max_retries", -1, "max_retries must be an integer >= 0"),
        ("rate_limit", float("inf"), "rate_limit must be a finite number > 0"),
        ("token_env", "sk-live-abc123", "names an environment variable"),
    ],
)
def test_invalid_values_name_the_key(key, value, expected):
    with pytest.raises(ConfigError, match=expected) as raised:
        HttpSettings.from_options({key: value}, source="news")
    assert raised.value.key_path == f"sentiment.sources_config.news.{key}"


def test_cache_path_expands_the_home_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert HttpSettings(cache_path="~/c.sqlite").cache_path == str(tmp_path / "c.sqlite")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("1.5", 1.5),  # fractional delay-seconds, as some providers send
        (".25", 0.25),
        ("-1", None),
        ("nan", None),
        ("inf", None),
        ("1e3", None),
        ("Thu, 15 Jan 2026 12:01:30 GMT", 90.0),
        ("Thu, 15 Jan 2026 11:00:00 GMT", 0.0),  # already past
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, now=NOW.timestamp()) == expected


moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)
)


@given(
    start=moments, span=st.timedeltas(timedelta(0), timedelta(days=90)), hours=st.integers(1, 400)
)
def test_split_range_covers_exactly_without_overlap(start, span, hours):
    end, window = start + span, timedelta(hours=hours)
    windows = split_range(start, end, window)
    assert windows[0][0] == start
    assert windows[-1][1] == end
    assert all(a <= b and b - a <= window for a, b in windows)
    assert all(prev[1] == nxt[0] for prev, nxt in itertools.pairwise(windows))


@given(
    start=moments, span=st.timedeltas(timedelta(0), timedelta(days=400)), days=st.integers(1, 40)
)
def test_day_windows_cover_every_calendar_day_once(start, span, days):
    end = start + span
    windows = day_windows(start, end, days)
    covered = [a + timedelta(days=i) for a, b in windows for i in range((b - a).days + 1)]
    expected_days = (end.date() - start.date()).days + 1
    assert covered == [start.date() + timedelta(days=i) for i in range(expected_days)]
    assert all((b - a).days < days for a, b in windows)


def test_day_windows_by_hand():
    start = datetime(2026, 1, 1, 15, tzinfo=UTC)
    end = datetime(2026, 1, 10, 3, tzinfo=UTC)
    assert day_windows(start, end, 7) == [
        (date(2026, 1, 1), date(2026, 1, 7)),
        (date(2026, 1, 8), date(2026, 1, 10)),
    ]
