"""FinnhubSource against a loopback server serving Finnhub's documented JSON formats."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pandas as pd
import pytest
from mlcore.errors import ConfigError, SentimentAuthError, SentimentSourceError
from mlcore.testing import check_sentiment_fetch
from mlcore_sentiment_http.testing import FakeClock, LoopbackServer, Reply

from mlcore_sentiment_finnhub.adapter import FinnhubSource

TOKEN = "fh-live-9c1e77a0b3d24f"
START = pd.Timestamp("2025-12-01T00:00:00Z")
END = pd.Timestamp("2025-12-20T12:00:00Z")
#: Well after END: every window has settled, so the cache applies.
LATER = datetime(2026, 1, 15, tzinfo=UTC)


def unix(text):
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def article(article_id, when, headline, summary="", source="Reuters"):
    """One /company-news article, in Finnhub's documented fields."""
    return {
        "category": "company",
        "datetime": unix(when),
        "headline": headline,
        "id": article_id,
        "image": "",
        "related": "AAPL",
        "source": source,
        "summary": summary,
        "url": f"https://news.example.com/{article_id}",
    }


#: Articles by the window's `from` date.
NEWS = {
    "2025-12-01": [
        article(1, "2025-12-01T14:30:00", "Apple beats estimates", "Record quarter."),
        article(2, "2025-12-05T09:00:00", "Apple supplier warns", source="Bloomberg"),
    ],
    "2025-12-08": [
        article(3, "2025-12-09T16:00:00", "iPhone demand steady"),
        article(2, "2025-12-05T09:00:00", "Apple supplier warns", source="Bloomberg"),
    ],
    "2025-12-15": [
        article(4, "2025-12-20T11:59:59", "Apple at record high"),
        article(5, "2025-12-20T18:00:00", "After the range end"),  # published after END
        {"headline": "no datetime", "id": 6},
    ],
}


def company_news(request):
    return Reply(json=NEWS.get(request.param("from"), []))


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("FINNHUB_API_KEY", TOKEN)


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


def source(server, clock=None, **options):
    return FinnhubSource(
        base_url=server.url,
        clock=clock or FakeClock(LATER),
        endpoints=options.pop("endpoints", ["company_news"]),
        **options,
    )


def test_company_news_in_weekly_windows(server):
    server.route("/company-news", company_news)
    with source(server) as adapter:
        items = adapter.fetch("AAPL", START, END)
    windows = [(r.param("from"), r.param("to")) for r in server.requests]
    assert windows == [
        ("2025-12-01", "2025-12-07"),
        ("2025-12-08", "2025-12-14"),
        ("2025-12-15", "2025-12-20"),
    ]
    assert all(r.param("symbol") == "AAPL" for r in server.requests)
    assert [item.id for item in items] == ["1", "2", "3", "4"]  # sorted, deduplicated
    first = items[0]
    assert first.published_at == pd.Timestamp("2025-12-01T14:30:00Z")
    assert (first.source, first.symbol, first.title, first.text) == (
        "finnhub",
        "AAPL",
        "Apple beats estimates",
        "Record quarter.",
    )
    assert first.author == "Reuters"
    assert first.url == "https://news.example.com/1"
    assert all(item.score is None for item in items)  # the kernel scores company news


def test_the_token_travels_in_the_finnhub_header_only(server):
    server.route("/company-news", Reply(json=[]))
    with source(server) as adapter:
        adapter.fetch("AAPL", START, START)
    (request,) = server.requests
    assert request.headers["x-finnhub-token"] == TOKEN
    assert "token" not in request.query


def test_premium_refusal_falls_back_to_company_news_and_says_so_once(server, caplog):
    clock = FakeClock(datetime(2025, 12, 10, tzinfo=UTC))  # now lies inside the range
    refusal = Reply(403, json={"error": "You don't have access to this resource."})
    server.route("/news-sentiment", refusal)
    server.route("/stock/social-sentiment", refusal)
    server.route("/company-news", company_news)
    adapter = source(server, clock, endpoints=["news_sentiment", "social_sentiment"])
    caplog.set_level(logging.WARNING, logger="mlcore_sentiment_finnhub")
    with adapter:
        first = adapter.fetch("AAPL", START, END)
        second = adapter.fetch("AAPL", START, END)
    assert [item.id for item in first] == ["1", "2", "3", "4"]
    assert second == first
    assert all(item.score is None for item in first)
    assert adapter.refused_endpoints == {"news_sentiment", "social_sentiment"}
    assert len(server.requests_to("/news-sentiment")) == 1
    assert len(server.requests_to("/stock/social-sentiment")) == 1
    fallbacks = [r for r in caplog.records if "Falling back to company news" in r.getMessage()]
    assert len(fallbacks) == 1
    assert "HTTP 403" in fallbacks[0].getMessage()


def test_a_refused_free_endpoint_is_an_auth_error(server):
    server.route("/company-news", Reply(401, json={"error": "Invalid API key"}))
    with source(server) as adapter, pytest.raises(SentimentAuthError) as raised:
        adapter.fetch("AAPL", START, END)
    assert "FINNHUB_API_KEY" in str(raised.value)
    assert len(server.requests) == 1  # never retried


def test_social_sentiment_is_published_when_its_period_closes(server):
    body = {
        "symbol": "AAPL",
        "data": [
            {
                "atTime": "2025-12-03 10:00:00",
                "mention": 40,
                "positiveMention": 30,
                "negativeMention": 10,
                "positiveScore": 0.8,
                "negativeScore": -0.4,
                "score": 0.55,
            },
            {
                "atTime": "2025-12-03 11:00:00",
                "mention": 0,
                "positiveMention": 0,
                "negativeMention": 0,
                "positiveScore": 0,
                "negativeScore": 0,
                "score": 0,
            },
            # Starts 30 minutes before END: complete only after END, so outside the range.
            {
                "atTime": "2025-12-20 11:30:00",
                "mention": 5,
                "positiveMention": 1,
                "negativeMention": 4,
                "positiveScore": 0.5,
                "negativeScore": -0.7,
                "score": -0.6,
            },
        ],
    }
    server.route("/stock/social-sentiment", Reply(json=body))
    with source(server, endpoints=["social_sentiment"], window_days=30) as adapter:
        items = adapter.fetch("AAPL", START, END)
    (item,) = items
    assert item.published_at == pd.Timestamp("2025-12-03T11:00:00Z")
    assert item.score == 0.55
    assert item.engagement == 40
    (request,) = server.requests
    # One period before START is asked too: a period starting then closes inside the range.
    assert (request.param("from"), request.param("to")) == ("2025-11-30", "2025-12-20")


def test_social_sentiment_older_reddit_and_twitter_lists(server):
    body = {
        "symbol": "AAPL",
        "reddit": [{"atTime": "2025-12-02 09:00:00", "mention": 3, "score": 0.2}],
        "twitter": [{"atTime": "2025-12-02 09:00:00", "mention": 9, "score": -0.3}],
    }
    server.route("/stock/social-sentiment", Reply(json=body))
    with source(server, endpoints=["social_sentiment"], window_days=30) as adapter:
        items = adapter.fetch("AAPL", START, END)
    assert sorted((item.author, item.score) for item in items) == [
        ("reddit", 0.2),
        ("twitter", -0.3),
    ]


def test_news_sentiment_snapshot_counts_only_at_its_fetch_time(server):
    body = {
        "buzz": {"articlesInLastWeek": 20, "buzz": 0.8, "weeklyAverage": 25},
        "companyNewsScore": 0.7,
        "sectorAverageBullishPercent": 0.6,
        "sectorAverageNewsScore": 0.5,
        "sentiment": {"bearishPercent": 0.35, "bullishPercent": 0.65},
        "symbol": "AAPL",
    }
    server.route("/news-sentiment", Reply(json=body))
    now = datetime(2025, 12, 10, 8, 30, tzinfo=UTC)
    with source(server, FakeClock(now), endpoints=["news_sentiment"]) as adapter:
        (item,) = adapter.fetch("AAPL", START, END)
        assert adapter.fetch("AAPL", START, pd.Timestamp("2025-12-09T00:00:00Z")) == []
    assert item.published_at == pd.Timestamp(now)
    assert item.score == pytest.approx(0.65 - 0.35)
    assert item.engagement == 20
    assert len(server.requests) == 1  # the snapshot of "now" is not asked for a past range


def test_429_waits_for_retry_after_then_succeeds(server):
    clock = FakeClock(LATER)
    server.route("/company-news", Reply(429, headers={"Retry-After": "11"}), company_news)
    with source(server, clock) as adapter:
        items = adapter.fetch("AAPL", START, pd.Timestamp("2025-12-06T00:00:00Z"))
    assert [item.id for item in items] == ["1", "2"]
    assert 11.0 in clock.sleeps


def test_500_then_success(server):
    server.route("/company-news", Reply(500), Reply(502), company_news)
    with source(server) as adapter:
        items = adapter.fetch("AAPL", START, pd.Timestamp("2025-12-06T00:00:00Z"))
    assert [item.id for item in items] == ["1", "2"]
    assert len(server.requests) == 3


def test_malformed_json_names_the_endpoint_not_the_token(server):
    server.route("/company-news", Reply(body='[{"id": 1, "headline": '))
    with source(server) as adapter, pytest.raises(SentimentSourceError) as raised:
        adapter.fetch("AAPL", START, END)
    assert "GET /company-news returned malformed JSON" in str(raised.value)
    assert TOKEN not in str(raised.value)


def test_an_error_object_instead_of_a_list_is_reported(server):
    server.route("/company-news", Reply(json={"error": "Wrong symbol"}))
    with source(server) as adapter, pytest.raises(SentimentSourceError, match="Wrong symbol"):
        adapter.fetch("AAPL", START, END)


def test_empty_windows_give_no_items(server):
    server.route("/company-news", Reply(json=[]))
    with source(server) as adapter:
        assert adapter.fetch("AAPL", START, END) == []
    assert len(server.requests) == 3


def test_a_failing_sentiment_endpoint_leaves_company_news(server, caplog):
    server.route("/stock/social-sentiment", Reply(500))
    server.route("/company-news", company_news)
    adapter = source(server, endpoints=["company_news", "social_sentiment"], max_retries=1)
    with adapter:
        items = adapter.fetch("AAPL", START, END)
    assert [item.id for item in items] == ["1", "2", "3", "4"]
    (failure,) = adapter.failures
    assert "HTTP 500" in str(failure)
    assert "social_sentiment skipped" in caplog.text


def test_a_rerun_backfill_is_served_from_the_cache(server, tmp_path):
    server.route("/company-news", company_news)
    cache = tmp_path / "finnhub.sqlite"
    with source(server, cache_path=str(cache)) as adapter:
        first = adapter.fetch("AAPL", START, END)
    sent = len(server.requests)
    with source(server, cache_path=str(cache)) as adapter:
        second = adapter.fetch("AAPL", START, END)
    assert sent == 3
    assert len(server.requests) == sent  # the server saw nothing new
    assert second == first
    assert TOKEN.encode() not in cache.read_bytes()


def test_a_window_that_has_not_settled_is_fetched_again(server, tmp_path):
    server.route("/company-news", company_news)
    cache = tmp_path / "finnhub.sqlite"
    clock = FakeClock(datetime(2025, 12, 20, 13, tzinfo=UTC))  # an hour after END
    for _ in range(2):
        with source(server, clock, cache_path=str(cache)) as adapter:
            adapter.fetch("AAPL", START, END)
    # Two settled weeks come from the cache; the current week is asked again.
    assert [r.param("from") for r in server.requests] == [
        "2025-12-01",
        "2025-12-08",
        "2025-12-15",
        "2025-12-15",
    ]


def test_requests_are_spaced_by_the_rate_limit(server):
    clock = FakeClock(LATER)
    server.route("/company-news", Reply(json=[]))
    with source(server, clock, rate_limit=0.25) as adapter:
        adapter.fetch("AAPL", START, END)
    assert clock.sleeps == [4.0, 4.0]


def test_the_token_never_reaches_logs_errors_or_reprs(server, caplog):
    caplog.set_level(logging.DEBUG)
    server.route("/company-news", Reply(429), Reply(400, body=f"echo {TOKEN}"))
    adapter = source(server)
    with adapter, pytest.raises(SentimentSourceError) as raised:
        adapter.fetch("AAPL", START, END)
    for text in (str(raised.value), caplog.text, repr(adapter), repr(adapter.http)):
        assert TOKEN not in text


def test_kernel_fetch_check(server):
    server.route("/company-news", company_news)
    with source(server) as adapter:
        items = check_sentiment_fetch(adapter, "AAPL", START, END)
    assert len(items) == 4


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"endpoints": ["company_news", "insider"]}, "endpoints"),
        ({"endpoints": []}, "endpoints"),
        ({"window_days": 0}, "window_days"),
        ({"social_period_hours": -1}, "social_period_hours"),
        ({"api_key": TOKEN}, "api_key"),
    ],
)
def test_bad_options_name_the_key_path(options, key):
    with pytest.raises(ConfigError) as raised:
        FinnhubSource(**options)
    assert raised.value.key_path == f"sentiment.sources_config.finnhub.{key}"
    assert TOKEN not in str(raised.value)
