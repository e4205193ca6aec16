"""Parsing Discord channel messages and snowflake times."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mlcore.errors import SentimentSourceError

from mlcore_sentiment_discord.payloads import (
    first_snowflake_at,
    parse_messages,
    snowflake_time,
)

PAGE = json.loads((Path(__file__).parent / "payloads" / "channel_messages.json").read_text("utf-8"))
CHANNEL = "1101112223334445556"


def test_snowflake_time_of_discords_documented_example():
    # Discord's reference: snowflake 175928847299117063 was created 2016-04-30 11:18:25.796 UTC.
    assert snowflake_time("175928847299117063") == pd.Timestamp("2016-04-30 11:18:25.796", tz="UTC")


@given(st.integers(min_value=1, max_value=10**12), st.integers(min_value=0, max_value=999_999))
def test_first_snowflake_at_bounds_messages_created_before_that_millisecond(ms, nanoseconds):
    start_of_ms = pd.Timestamp("2015-01-01", tz="UTC") + pd.Timedelta(ms, unit="ms")
    bound = first_snowflake_at(start_of_ms + pd.Timedelta(nanoseconds, unit="ns"))
    assert snowflake_time(bound) == start_of_ms
    # The largest snowflake below the bound belongs to the millisecond before.
    assert snowflake_time(bound - 1) == start_of_ms - pd.Timedelta(1, unit="ms")


def test_a_page_parses_into_messages_in_utc():
    messages = parse_messages(PAGE, CHANNEL)
    assert [m.author for m in messages] == [
        "bulltrader",
        "skeptic",
        "AlertBot",
        "newmember",
        "macro_mo",
    ]
    first = messages[0]
    assert first.published_at == pd.Timestamp("2024-03-04 15:30:00.250", tz="UTC")
    # The ISO timestamp and the snowflake agree, to the millisecond.
    assert all(snowflake_time(m.id) == m.published_at for m in messages)
    assert first.reactions == 5 + 2
    assert messages[1].type == 19
    assert messages[3].type == 7
    assert messages[2].from_bot
    assert not first.from_bot
    assert messages[4].channel_id == CHANNEL


def test_a_missing_timestamp_falls_back_to_the_snowflake():
    body = [{"id": "175928847299117063", "content": "hi", "author": {"username": "a"}}]
    (message,) = parse_messages(body, CHANNEL)
    assert message.published_at == pd.Timestamp("2016-04-30 11:18:25.796", tz="UTC")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"message": "x"}, r"'\(top level\)' is missing or not a list"),
        ([{"id": "abc"}], r"'\[0\].id' is missing or not a snowflake"),
        ([{"id": "1", "timestamp": "yesterday"}], r"'\[0\].timestamp'"),
        ([{"id": "1", "reactions": [{"count": -1}]}], r"'\[0\].reactions\[0\].count'"),
    ],
)
def test_malformed_pages_name_the_path(body, message):
    with pytest.raises(SentimentSourceError, match=message) as caught:
        parse_messages(body, CHANNEL)
    assert caught.value.source == "discord"
