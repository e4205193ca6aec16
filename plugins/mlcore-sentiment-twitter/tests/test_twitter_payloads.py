"""Parsing X API v2 recent-search pages and building the search query."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from mlcore.errors import SentimentSourceError

from mlcore_sentiment_twitter.payloads import build_query, parse_search_page

PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str) -> object:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def test_a_page_parses_into_posts_and_the_next_token():
    page = parse_search_page(payload("search_recent_page1.json"))
    assert page.next_token == "b26v89c19zqg8o3fr5qd6z5p0eafmvjzj8ce3b6yy1ywl"
    assert [post.author_id for post in page.posts] == ["1111", "2222", "3333"]
    first = page.posts[0]
    assert first.id == "1765050123456789504"
    assert first.created_at == pd.Timestamp("2024-03-05 17:45:12", tz="UTC")
    # likes + retweets + replies + quotes (bookmarks and impressions are not engagement).
    assert first.engagement == 31 + 4 + 2 + 1
    assert first.lang == "en"


def test_the_last_page_has_no_next_token():
    assert parse_search_page(payload("search_recent_page2.json")).next_token is None


def test_an_empty_page_has_result_count_zero_and_no_data():
    page = parse_search_page(payload("search_recent_empty.json"))
    assert page.posts == ()
    assert page.next_token is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], r"'\(top level\)' is missing or not an object"),
        ({"data": {}}, r"'data' is missing or not a list"),
        ({"data": [{"id": "1", "text": "x"}]}, r"data\[0\].created_at.*tweet.fields=created_at"),
        (
            {
                "data": [
                    {
                        "id": "1",
                        "text": "x",
                        "created_at": "2024-03-05T17:45:12.000Z",
                        "public_metrics": {"like_count": "many"},
                    }
                ]
            },
            r"data\[0\].public_metrics.like_count",
        ),
        (
            {
                "errors": [{"detail": "Invalid query", "title": "Invalid Request"}],
                "meta": {"result_count": 0},
            },
            "answered only with errors: Invalid query",
        ),
    ],
)
def test_malformed_pages_name_the_path(body, message):
    with pytest.raises(SentimentSourceError, match=message) as caught:
        parse_search_page(body)
    assert caught.value.source == "twitter"


def test_query_is_the_cashtag_or_aliases_then_the_filters():
    assert build_query("aapl", ["Apple stock", "iPhone"], "-is:retweet lang:en") == (
        '($AAPL OR "Apple stock" OR iPhone) -is:retweet lang:en'
    )
    assert build_query("TSLA") == "$TSLA"
    assert build_query("TSLA", [], "lang:en") == "$TSLA lang:en"


def test_a_query_longer_than_recent_search_accepts_is_refused():
    aliases = [f"alias number {i}" for i in range(40)]
    with pytest.raises(SentimentSourceError, match=r"over the 512 recent search accepts"):
        build_query("AAPL", aliases)


def test_fixture_pages_follow_the_documented_shape():
    for name in ("search_recent_page1.json", "search_recent_page2.json"):
        page = payload(name)
        assert page["meta"]["result_count"] == len(page["data"])
