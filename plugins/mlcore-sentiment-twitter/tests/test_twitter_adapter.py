"""The twitter adapter against a loopback server speaking X API v2 recent search."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd
import pytest
from mlcore.errors import SentimentAuthError, SentimentSourceError
from mlcore_sentiment_http.testing import FakeClock, LoopbackServer, RecordedRequest, Reply

from mlcore_sentiment_twitter.adapter import RecentSearchWindowWarning, TwitterAdapter

PAYLOADS = Path(__file__).parent / "payloads"
SEARCH = "/2/tweets/search/recent"
TOKEN = "AAAAAAAAAAAAAAAAAAAAAtwitter-secret-0123456789"
#: The fake "now": three days after the fixture posts (2024-03-05), inside recent search.
NOW = pd.Timestamp("2024-03-08 12:00", tz="UTC")
UTC = "UTC"


def payload(name: str) -> dict:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def post(post_id: str, created_at: str, text: str = "$AAPL", likes: int = 0) -> dict:
    return {
        "id": post_id,
        "text": text,
        "created_at": created_at,
        "author_id": "42",
        "lang": "en",
        "edit_history_tweet_ids": [post_id],
        "public_metrics": {
            "retweet_count": 0,
            "reply_count": 0,
            "like_count": likes,
            "quote_count": 0,
            "bookmark_count": 0,
            "impression_count": 10,
        },
    }


def two_pages(request: RecordedRequest) -> Reply:
    """Page 1 links to page 2 through meta.next_token, as X does."""
    if request.param("next_token") is None:
        return Reply(json=payload("search_recent_page1.json"))
    return Reply(json=payload("search_recent_page2.json"))


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


@pytest.fixture
def clock():
    return FakeClock(NOW.to_pydatetime())


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("TWITTER_BEARER_TOKEN", TOKEN)


def adapter(server, clock, **options):
    return TwitterAdapter(base_url=server.url, clock=clock, rate_limit=None, **options)


def day(hour_minute: str) -> pd.Timestamp:
    return pd.Timestamp(f"2024-03-05 {hour_minute}", tz=UTC)


def test_pages_are_followed_and_posts_become_items(server, clock):
    server.route(SEARCH, two_pages)
    items = adapter(server, clock).fetch("AAPL", day("00:00"), day("23:59:59"))
    assert [item.id for item in items] == [
        "1765010000000000003",
        "1765030000000000002",
        "1765042000000000001",
        "1765050123456789504",
    ]
    newest = items[-1]
    assert newest.source == "twitter"
    assert newest.symbol == "AAPL"
    assert newest.published_at == pd.Timestamp("2024-03-05 17:45:12", tz=UTC)
    assert newest.published_at.tz is not None
    assert str(newest.published_at.tz) == UTC
    assert newest.engagement == 31 + 4 + 2 + 1  # likes + retweets + replies + quotes
    assert newest.author == "1111"
    assert newest.score is None
    assert newest.text.startswith("$AAPL breaking out")
    first, second = server.requests
    assert first.param("query") == "$AAPL -is:retweet lang:en"
    assert first.param("start_time") == "2024-03-05T00:00:00Z"
    assert first.param("end_time") == "2024-03-06T00:00:00Z"  # exclusive: one second past
    assert first.param("max_results") == "100"
    assert first.param("tweet.fields") == "created_at,public_metrics,author_id,lang"
    assert first.param("next_token") is None
    assert second.param("next_token") == "b26v89c19zqg8o3fr5qd6z5p0eafmvjzj8ce3b6yy1ywl"
    assert first.headers["authorization"] == f"Bearer {TOKEN}"


def test_items_outside_the_range_are_dropped(server, clock):
    server.route(SEARCH, two_pages)
    items = adapter(server, clock).fetch("AAPL", day("16:25"), day("17:12:58"))
    # Bounds are inclusive: the posts at exactly 16:25:00 and 17:12:58 are kept.
    assert [item.published_at for item in items] == [day("16:25"), day("17:12:58")]


def test_the_range_is_searched_one_utc_day_at_a_time(server, clock):
    server.route(SEARCH, Reply(json=payload("search_recent_empty.json")))
    assert adapter(server, clock).fetch("AAPL", "2024-03-03 18:30", "2024-03-05 06:00") == []
    windows = [(r.param("start_time"), r.param("end_time")) for r in server.requests]
    assert windows == [
        ("2024-03-03T18:30:00Z", "2024-03-04T00:00:00Z"),
        ("2024-03-04T00:00:00Z", "2024-03-05T00:00:00Z"),
        ("2024-03-05T00:00:00Z", "2024-03-05T06:00:01Z"),
    ]


def test_an_empty_page_ends_the_search(server, clock):
    server.route(SEARCH, Reply(json={"meta": {"result_count": 0}}))
    assert adapter(server, clock).fetch("AAPL", day("00:00"), day("12:00")) == []
    assert len(server.requests) == 1


def test_query_uses_aliases_and_configured_filters(server, clock):
    server.route(SEARCH, Reply(json={"meta": {"result_count": 0}}))
    source = adapter(server, clock, aliases={"aapl": ["Apple stock"]}, filters="lang:en")
    source.fetch("AAPL", day("00:00"), day("01:00"))
    assert server.requests[0].param("query") == '($AAPL OR "Apple stock") lang:en'


def test_a_range_older_than_seven_days_is_an_error(server, clock):
    with pytest.raises(SentimentSourceError, match="covers the last 7 days only") as raised:
        adapter(server, clock).fetch("AAPL", "2024-02-01", "2024-02-28")
    assert "full-archive search" in str(raised.value)
    assert server.requests == []


def test_a_range_partly_older_than_seven_days_warns_and_is_clipped(server, clock):
    server.route(SEARCH, Reply(json={"meta": {"result_count": 0}}))
    with pytest.warns(RecentSearchWindowWarning, match="2024-02-20 00:00 to 2024-03-01 12:01"):
        adapter(server, clock).fetch("AAPL", "2024-02-20", "2024-03-01 18:00")
    # now - 7 days, plus a one-minute margin for the request's travel time.
    assert server.requests[0].param("start_time") == "2024-03-01T12:01:00Z"


def test_the_end_is_kept_ten_seconds_and_more_before_now(server, clock):
    server.route(SEARCH, Reply(json={"meta": {"result_count": 0}}))
    adapter(server, clock).fetch("AAPL", "2024-03-08 06:00", "2024-03-09")
    assert server.requests[-1].param("end_time") == "2024-03-08T11:59:30Z"


@pytest.mark.parametrize("status", [401, 403])
def test_refused_token_is_an_auth_error_without_the_token(server, clock, status, caplog):
    # A misbehaving server that echoes the credentials must not leak them either.
    server.route(SEARCH, Reply(status, json={"title": "Unauthorized", "detail": f"bad {TOKEN}"}))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SentimentAuthError) as raised:
        adapter(server, clock).fetch("AAPL", day("00:00"), day("12:00"))
    assert raised.value.source == "twitter"
    assert f"HTTP {status}" in str(raised.value)
    assert "TWITTER_BEARER_TOKEN" in str(raised.value)
    assert TOKEN not in str(raised.value)
    assert TOKEN not in repr(raised.value)
    assert TOKEN not in caplog.text
    assert len(server.requests) == 1  # never retried


def test_a_missing_token_names_the_variable(server, clock, monkeypatch):
    monkeypatch.delenv("TWITTER_BEARER_TOKEN")
    with pytest.raises(SentimentAuthError, match="TWITTER_BEARER_TOKEN is empty or not set"):
        adapter(server, clock).fetch("AAPL", day("00:00"), day("12:00"))
    assert server.requests == []


def test_429_waits_until_the_rate_limit_reset(server, clock):
    reset = int(clock.now()) + 42
    server.route(
        SEARCH,
        Reply(
            429, json=payload("too_many_requests.json"), headers={"x-rate-limit-reset": str(reset)}
        ),
        Reply(json={"meta": {"result_count": 0}}),
    )
    adapter(server, clock).fetch("AAPL", day("00:00"), day("12:00"))
    assert clock.sleeps == [42.0]
    assert len(server.requests) == 2


def test_429_waits_for_the_longer_of_retry_after_and_the_reset(server, clock):
    reset = int(clock.now()) + 3
    headers = {"x-rate-limit-reset": str(reset), "Retry-After": "7"}
    server.route(SEARCH, Reply(429, headers=headers), Reply(json={"meta": {"result_count": 0}}))
    adapter(server, clock).fetch("AAPL", day("00:00"), day("12:00"))
    assert clock.sleeps == [7.0]


def test_requests_go_through_the_configured_proxy(server, clock):
    # The provider's host never resolves: the request arrives only through the proxy.
    server.route(SEARCH, Reply(json=payload("search_recent_page2.json")))
    source = TwitterAdapter(
        base_url="http://api.x.invalid", proxy=server.url, clock=clock, rate_limit=None
    )
    with source:
        items = source.fetch("AAPL", day("00:00"), day("23:00"))
    assert [item.id for item in items] == ["1765010000000000003"]
    (request,) = server.requests
    assert request.headers["host"] == "api.x.invalid"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"


def test_a_server_error_is_retried_with_backoff(server, clock):
    server.route(
        SEARCH, Reply(500, body="upstream error"), Reply(json=payload("search_recent_page2.json"))
    )
    items = adapter(server, clock, backoff_initial=0.5).fetch("AAPL", day("00:00"), day("23:00"))
    assert [item.id for item in items] == ["1765010000000000003"]
    (wait,) = clock.sleeps
    assert 0 <= wait <= 0.5  # full jitter: a random share of the first backoff step


def test_malformed_json_is_a_source_error(server, clock):
    server.route(SEARCH, Reply(body='{"data": [', headers={"Content-Type": "application/json"}))
    with pytest.raises(SentimentSourceError, match="malformed JSON") as raised:
        adapter(server, clock).fetch("AAPL", day("00:00"), day("12:00"))
    assert raised.value.source == "twitter"


def test_a_rerun_of_a_settled_range_is_read_from_the_cache(server, clock, tmp_path):
    server.route(SEARCH, two_pages)
    cache = tmp_path / "twitter.sqlite"
    first = adapter(server, clock, cache_path=str(cache)).fetch("AAPL", day("00:00"), day("23:00"))
    assert len(server.requests) == 2
    second = adapter(server, clock, cache_path=str(cache)).fetch("AAPL", day("00:00"), day("23:00"))
    assert second == first
    assert len(first) == 4
    assert len(server.requests) == 2  # nothing fetched twice


def test_a_recent_range_is_not_cached(server, clock, tmp_path):
    # The last day may still gain posts: it is fetched again on every run.
    server.route(SEARCH, Reply(json={"meta": {"result_count": 0}}))
    cache = str(tmp_path / "twitter.sqlite")
    for _ in range(2):
        adapter(server, clock, cache_path=cache).fetch(
            "AAPL", "2024-03-08 01:00", "2024-03-08 02:00"
        )
    assert len(server.requests) == 2
