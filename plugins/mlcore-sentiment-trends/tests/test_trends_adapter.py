"""The trends adapter against a loopback server speaking Google Trends' explore and
interest-over-time endpoints (``)]}'``-prefixed JSON)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd
import pytest
from mlcore.errors import SentimentAuthError, SentimentSourceError
from mlcore_sentiment_http.testing import FakeClock, LoopbackServer, RecordedRequest, Reply

from mlcore_sentiment_trends.adapter import GoogleTrendsAdapter

PAYLOADS = Path(__file__).parent / "payloads"
EXPLORE = "/trends/api/explore"
MULTILINE = "/trends/api/widgetdata/multiline"
#: The fake "now": 15:00 on the fixture's last (partial) day.
NOW = pd.Timestamp("2024-01-10 15:00", tz="UTC")
LATER = pd.Timestamp("2024-03-01", tz="UTC")


def payload(name: str) -> str:
    return (PAYLOADS / name).read_text(encoding="utf-8")


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def explore_reply(request: RecordedRequest) -> Reply:
    """Google's explore answer, its TIMESERIES widget asking for the requested keywords."""
    asked = json.loads(request.param("req") or "{}")
    answer = json.loads(payload("explore_aapl.txt").removeprefix(")]}'\n"))
    widget = answer["widgets"][0]
    widget["request"]["time"] = asked["comparisonItem"][0]["time"]
    widget["request"]["comparisonItem"] = [
        {
            "geo": {},
            "complexKeywordsRestriction": {
                "keyword": [{"type": "BROAD", "value": item["keyword"]}]
            },
        }
        for item in asked["comparisonItem"]
    ]
    return Reply(body=")]}'\n" + json.dumps(answer), headers={"Content-Type": "application/json"})


def serve_fixture(server: LoopbackServer) -> None:
    server.route(EXPLORE, explore_reply)
    server.route(MULTILINE, Reply(body=payload("multiline_aapl.txt")))


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


def adapter(server, now=NOW, **options):
    clock = FakeClock(now.to_pydatetime())
    return GoogleTrendsAdapter(base_url=server.url, clock=clock, rate_limit=None, **options), clock


def test_explore_then_chart_gives_complete_periods_published_at_their_end(server):
    serve_fixture(server)
    source, _ = adapter(server)
    items = source.fetch("AAPL", "2024-01-02", "2024-01-10")
    # Daily periods of Jan 1-9 end on Jan 2-10; Jan 5 has no data; Jan 10 is partial.
    assert [item.published_at for item in items] == [
        utc(f"2024-01-{day:02d}") for day in (2, 3, 4, 5, 7, 8, 9, 10)
    ]
    assert [item.engagement for item in items] == [55, 71, 100, 64, 48, 39, 60, 52]
    assert items[0].id == "AAPL@2024-01-01T00:00Z"
    assert all(item.source == "trends" and item.text == "" and item.score is None for item in items)
    explore, chart = server.requests
    assert explore.path == EXPLORE
    assert chart.path == MULTILINE
    assert (explore.param("hl"), explore.param("tz")) == ("en-US", "0")
    assert json.loads(explore.param("req")) == {
        "comparisonItem": [{"keyword": "AAPL", "geo": "", "time": "2024-01-01 2024-01-10"}],
        "category": 0,
        "property": "",
    }
    # The chart request carries the TIMESERIES widget's own request and token.
    assert chart.param("token") == "APP6_UEAAAAAZZ-timeseries-token"
    assert json.loads(chart.param("req"))["time"] == "2024-01-01 2024-01-10"
    assert chart.param("tz") == "0"
    assert "authorization" not in chart.headers


def test_partial_periods_are_published_when_asked_for(server):
    serve_fixture(server)
    source, _ = adapter(server, include_partial=True)
    items = source.fetch("AAPL", "2024-01-09 12:00", NOW)
    (partial,) = [item for item in items if item.id.endswith("/partial")]
    # Known at the time of the request, not at the end of its day.
    assert partial.published_at == NOW
    assert partial.engagement == 45
    assert partial.id == "AAPL@2024-01-10T00:00Z/partial"
    complete, _ = adapter(server)
    assert all(
        not item.id.endswith("/partial") for item in complete.fetch("AAPL", "2024-01-09 12:00", NOW)
    )


def test_configured_keywords_are_charted_together(server):
    def two_keyword_chart(request: RecordedRequest) -> Reply:
        timeline = [
            {
                "time": str(1704067200 + 86400 * i),
                "value": [10 * i, 100 - 10 * i],
                "hasData": [True, True],
            }
            for i in range(3)
        ]
        return Reply(body=")]}',\n" + json.dumps({"default": {"timelineData": timeline}}))

    server.route(EXPLORE, explore_reply)
    server.route(MULTILINE, two_keyword_chart)
    source, _ = adapter(server, keywords={"aapl": ["AAPL", "Apple stock"]}, geo="US")
    items = source.fetch("AAPL", "2024-01-01", "2024-01-20")
    assert [(item.id, item.engagement) for item in items] == [
        ("AAPL@2024-01-01T00:00Z", 0),
        ("Apple stock@2024-01-01T00:00Z", 100),
        ("AAPL@2024-01-02T00:00Z", 10),
        ("Apple stock@2024-01-02T00:00Z", 90),
        ("AAPL@2024-01-03T00:00Z", 20),
        ("Apple stock@2024-01-03T00:00Z", 80),
    ]
    asked = json.loads(server.requests[0].param("req"))["comparisonItem"]
    assert [(item["keyword"], item["geo"]) for item in asked] == [
        ("AAPL", "US"),
        ("Apple stock", "US"),
    ]


def test_a_short_window_is_asked_for_by_the_hour(server):
    server.route(EXPLORE, explore_reply)
    server.route(MULTILINE, Reply(body=")]}',\n" + json.dumps({"default": {"timelineData": []}})))
    source, _ = adapter(server)
    assert source.fetch("AAPL", "2024-01-08 06:30", "2024-01-09 18:00") == []
    # One period (an hour) before the start, so the first hour ending in range is charted.
    time = json.loads(server.requests[0].param("req"))["comparisonItem"][0]["time"]
    assert time == "2024-01-08T05 2024-01-09T18"


def test_429_on_explore_waits_retry_after_and_a_500_is_retried(server):
    server.route(
        EXPLORE, Reply(429, body="Too Many Requests", headers={"Retry-After": "30"}), explore_reply
    )
    server.route(
        MULTILINE,
        Reply(500, body="Internal Server Error"),
        Reply(body=payload("multiline_aapl.txt")),
    )
    source, clock = adapter(server, backoff_initial=0.5)
    assert len(source.fetch("AAPL", "2024-01-02", "2024-01-10")) == 8
    assert clock.sleeps[0] == 30.0
    assert len(clock.sleeps) == 2
    assert 0 <= clock.sleeps[1] <= 0.5
    assert [r.path for r in server.requests] == [EXPLORE, EXPLORE, MULTILINE, MULTILINE]


def test_an_html_answer_is_a_source_error(server):
    server.route(EXPLORE, Reply(body="<html><body>Before you continue to Google</body></html>"))
    source, _ = adapter(server)
    with pytest.raises(SentimentSourceError, match="malformed JSON") as raised:
        source.fetch("AAPL", "2024-01-02", "2024-01-10")
    assert raised.value.source == "trends"


def test_a_refused_chart_request_is_an_error_and_not_retried(server, caplog):
    server.route(EXPLORE, explore_reply)
    server.route(MULTILINE, Reply(401, body="Unauthorized"))
    caplog.set_level(logging.DEBUG)
    source, _ = adapter(server)
    with pytest.raises(SentimentSourceError, match="HTTP 401") as raised:
        source.fetch("AAPL", "2024-01-02", "2024-01-10")
    assert raised.value.source == "trends"
    assert len(server.requests_to(MULTILINE)) == 1


@pytest.mark.parametrize("status", [401, 403])
def test_a_refusal_says_google_turned_the_client_away_not_to_set_a_token(server, status):
    server.route(EXPLORE, Reply(status, body="<html>Forbidden</html>"))
    source, _ = adapter(server)
    with pytest.raises(SentimentAuthError) as raised:
        source.fetch("AAPL", "2024-01-02", "2024-01-10")
    message = str(raised.value)
    assert "refused access to a client without a token" in message
    assert "rate_limit" in message
    assert "token_env" not in message  # there is no token to set
    assert len(server.requests) == 1


def test_an_empty_chart_gives_no_items(server):
    server.route(EXPLORE, explore_reply)
    server.route(MULTILINE, Reply(body=')]}\',\n{"default":{"timelineData":[],"averages":[]}}'))
    source, _ = adapter(server)
    assert source.fetch("AAPL", "2024-01-02", "2024-01-10") == []


def test_a_rerun_of_a_settled_window_is_read_from_the_cache(server, tmp_path):
    serve_fixture(server)
    cache = str(tmp_path / "trends.sqlite")
    first, _ = adapter(server, now=LATER, cache_path=cache)
    items = first.fetch("AAPL", "2024-01-02", "2024-01-10")
    assert len(server.requests) == 2
    second, _ = adapter(server, now=LATER, cache_path=cache)
    assert second.fetch("AAPL", "2024-01-02", "2024-01-10") == items
    assert len(server.requests) == 2  # neither the explore nor the chart request again


def test_a_recent_window_is_fetched_again(server, tmp_path):
    serve_fixture(server)
    cache = str(tmp_path / "trends.sqlite")
    for _ in range(2):
        source, _ = adapter(server, cache_path=cache)
        source.fetch("AAPL", "2024-01-02", "2024-01-10")
    assert len(server.requests) == 4
