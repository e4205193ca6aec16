"""NewsSource against a loopback server serving RSS, Atom and NewsAPI-format payloads."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import format_datetime

import pandas as pd
import pytest
from mlcore.errors import ConfigError, SentimentAuthError, SentimentSourceError
from mlcore.testing import check_sentiment_fetch
from mlcore_sentiment_http.testing import FakeClock, LoopbackServer, Reply

from mlcore_sentiment_news.adapter import NewsSource

TOKEN = "newsapi-key-5b8e0c41d9"
START = pd.Timestamp("2025-12-01T00:00:00Z")
END = pd.Timestamp("2025-12-10T00:00:00Z")
LATER = datetime(2026, 1, 15, tzinfo=UTC)
ALIASES = {"AAPL": ["Apple"]}


def rss(*items):
    """An RSS 2.0 document of (title, link, published) items."""
    body = "".join(
        f"<item><title>{title}</title><link>{link}</link>"
        f"<description>Details of {title}</description>"
        f"<pubDate>{format_datetime(datetime.fromisoformat(when).replace(tzinfo=UTC))}</pubDate>"
        f"</item>"
        for title, link, when in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{body}</channel></rss>'
    )


def atom(*entries):
    body = "".join(
        f'<entry><title>{title}</title><link href="{link}"/><id>{link}</id>'
        f"<updated>{when}Z</updated><summary>s</summary></entry>"
        for title, link, when in entries
    )
    return f'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{body}</feed>'


MARKETS = rss(
    ("Apple beats estimates", "https://n.example/1", "2025-12-02T10:00:00"),
    ("Oil slips", "https://n.example/2", "2025-12-02T11:00:00"),
    ("AAPL hits a record", "https://n.example/3", "2025-12-09T23:59:00"),
    ("Apple after the range", "https://n.example/4", "2025-12-10T00:00:01"),
    ("Apple before the range", "https://n.example/5", "2025-11-30T23:00:00"),
)
TECH = atom(
    ("Apple beats estimates", "https://n.example/1", "2025-12-02T09:30:00"),  # seen earlier
    ("Chips rally", "https://n.example/6", "2025-12-03T12:00:00"),
)
PER_SYMBOL = rss(("Quarterly filing", "https://n.example/7", "2025-12-05T08:00:00"))


def article(n, when, title):
    """One NewsAPI /v2/everything article."""
    return {
        "source": {"id": None, "name": "Example Wire"},
        "author": None if n % 2 else f"Reporter {n}",
        "title": title,
        "description": f"Description {n}",
        "url": f"https://wire.example/{n}",
        "urlToImage": None,
        "publishedAt": when,
        "content": f"Body {n} [+100 chars]",
    }


ARTICLES = [
    article(n, f"2025-12-0{1 + n % 9}T0{n % 10}:00:00Z", f"Apple story {n}") for n in range(5)
]


def newsapi_pages(request):
    page, size = int(request.param("page")), int(request.param("pageSize"))
    chunk = (
        ARTICLES[(page - 1) * size : page * size] if request.param("from") < "2025-12-08" else []
    )
    total = len(ARTICLES) if request.param("from") < "2025-12-08" else 0
    return Reply(json={"status": "ok", "totalResults": total, "articles": chunk})


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("NEWSAPI_KEY", TOKEN)


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


def feed_url(server, path):
    # Feeds live on other hosts than NewsAPI: "localhost" is another host than 127.0.0.1.
    return server.url.replace("127.0.0.1", "localhost") + path


def news(server, clock=None, **options):
    return NewsSource(base_url=server.url, clock=clock or FakeClock(LATER), **options)


def test_feeds_filtered_by_keywords_and_time_deduplicated(server):
    server.route("/markets.xml", Reply(body=MARKETS))
    server.route("/tech.atom", Reply(body=TECH))
    server.route("/rss/headline", Reply(body=PER_SYMBOL))
    feeds = [
        feed_url(server, "/markets.xml"),
        feed_url(server, "/tech.atom"),
        feed_url(server, "/rss/headline?s={symbol}"),
    ]
    with news(server, feeds=feeds, aliases=ALIASES) as adapter:
        items = adapter.fetch("AAPL", START, END)
    assert [(item.title, item.published_at) for item in items] == [
        # The same link in two feeds counts once, at the earlier time (the Atom entry).
        ("Apple beats estimates", pd.Timestamp("2025-12-02T09:30:00Z")),
        # A per-symbol feed is not filtered by keywords.
        ("Quarterly filing", pd.Timestamp("2025-12-05T08:00:00Z")),
        ("AAPL hits a record", pd.Timestamp("2025-12-09T23:59:00Z")),
    ]
    assert all(item.source == "news" and item.score is None for item in items)
    assert items[2].text == "Details of AAPL hits a record"
    assert server.requests_to("/rss/headline")[0].param("s") == "AAPL"
    assert all("x-api-key" not in request.headers for request in server.requests)


def test_a_feed_in_iso_8859_1_without_a_charset_header_is_read_as_declared(server):
    title = "Apple \u00e0 M\u00fcnchen: \u00a3 \u00e9lev\u00e9"
    latin = rss((title, "https://n.example/m", "2025-12-02T10:00:00")).replace(
        '<?xml version="1.0"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>'
    )
    headers = {"Content-Type": "application/rss+xml"}  # no charset: the XML declaration counts
    server.route("/fr.xml", Reply(body=latin.encode("iso-8859-1"), headers=headers))
    with news(server, feeds=[feed_url(server, "/fr.xml")], aliases=ALIASES) as adapter:
        (item,) = adapter.fetch("AAPL", START, END)
    assert item.title == title
    assert item.text == f"Details of {title}"


def test_newsapi_pages_windows_and_headers(server):
    server.route("/v2/everything", newsapi_pages)
    with news(server, newsapi=True, aliases=ALIASES, page_size=2, language="en") as adapter:
        items = adapter.fetch("AAPL", START, END)
    requests = server.requests
    assert [(r.param("from"), r.param("page")) for r in requests] == [
        ("2025-12-01T00:00:00Z", "1"),
        ("2025-12-01T00:00:00Z", "2"),
        ("2025-12-01T00:00:00Z", "3"),
        ("2025-12-08T00:00:00Z", "1"),  # second 7-day window, empty
    ]
    first = requests[0]
    assert first.param("q") == '"AAPL" OR "Apple"'
    assert first.param("to") == "2025-12-08T00:00:00Z"
    assert (first.param("language"), first.param("sortBy"), first.param("pageSize")) == (
        "en",
        "publishedAt",
        "2",
    )
    assert first.headers["x-api-key"] == TOKEN
    assert [item.url for item in items] == [f"https://wire.example/{n}" for n in range(5)]
    assert items[1].author == "Example Wire"  # no author: the publisher
    assert items[0].author == "Reporter 0"
    assert items[0].text == "Description 0"


def test_newsapi_empty_results_need_one_request_per_window(server):
    server.route("/v2/everything", Reply(json={"status": "ok", "totalResults": 0, "articles": []}))
    with news(server, newsapi=True) as adapter:
        assert adapter.fetch("AAPL", START, END) == []
    assert len(server.requests) == 2


def test_newsapi_refusal_alone_is_an_auth_error(server):
    refusal = {"status": "error", "code": "apiKeyInvalid", "message": "Your API key is invalid."}
    server.route("/v2/everything", Reply(401, json=refusal))
    with news(server, newsapi=True) as adapter, pytest.raises(SentimentAuthError) as raised:
        adapter.fetch("AAPL", START, END)
    assert "NEWSAPI_KEY" in str(raised.value)
    assert "apiKeyInvalid" in str(raised.value)
    assert len(server.requests) == 1


def test_a_failing_part_degrades_to_the_others(server, caplog):
    server.route("/v2/everything", Reply(403, json={"status": "error", "code": "x"}))
    server.route("/down.xml", Reply(503))
    server.route("/markets.xml", Reply(body=MARKETS))
    feeds = [feed_url(server, "/down.xml"), feed_url(server, "/markets.xml")]
    adapter = news(server, feeds=feeds, newsapi=True, aliases=ALIASES, max_retries=1)
    with adapter:
        items = adapter.fetch("AAPL", START, END)
    assert [item.url for item in items] == ["https://n.example/1", "https://n.example/3"]
    assert len(adapter.failures) == 2
    assert isinstance(adapter.failures[1], SentimentAuthError)
    assert caplog.text.count("skipped") == 2


def test_every_part_failing_raises_naming_them(server):
    server.route("/a.xml", Reply(body="<html/>"))
    server.route("/b.xml", Reply(body="<rss><channel>"))
    feeds = [feed_url(server, "/a.xml"), feed_url(server, "/b.xml")]
    with news(server, feeds=feeds) as adapter, pytest.raises(SentimentSourceError) as raised:
        adapter.fetch("AAPL", START, END)
    assert "every feed and endpoint failed" in str(raised.value)
    assert "/a.xml" in str(raised.value)
    assert "/b.xml" in str(raised.value)


def test_429_retry_after_and_500_then_success(server):
    clock = FakeClock(LATER)
    server.route(
        "/markets.xml", Reply(500), Reply(429, headers={"Retry-After": "9"}), Reply(body=MARKETS)
    )
    with news(server, clock, feeds=[feed_url(server, "/markets.xml")], aliases=ALIASES) as adapter:
        items = adapter.fetch("AAPL", START, END)
    assert len(items) == 2
    assert len(server.requests) == 3
    assert clock.sleeps[-1] == 9.0


def test_malformed_newsapi_json_names_the_path(server):
    server.route("/v2/everything", Reply(body="{'status': 'ok'"))
    with news(server, newsapi=True) as adapter, pytest.raises(SentimentSourceError) as raised:
        adapter.fetch("AAPL", START, END)
    assert "GET /v2/everything returned malformed JSON" in str(raised.value)


def test_a_rerun_newsapi_backfill_is_served_from_the_cache(server, tmp_path):
    server.route("/v2/everything", newsapi_pages)
    cache = tmp_path / "news.sqlite"
    with news(server, newsapi=True, cache_path=str(cache)) as adapter:
        first = adapter.fetch("AAPL", START, END)
    sent = len(server.requests)
    with news(server, newsapi=True, cache_path=str(cache)) as adapter:
        second = adapter.fetch("AAPL", START, END)
    assert sent == 2
    assert len(server.requests) == sent
    assert second == first
    assert TOKEN.encode() not in cache.read_bytes()


def test_requests_are_spaced_by_the_rate_limit(server):
    clock = FakeClock(LATER)
    server.route("/markets.xml", Reply(body=MARKETS))
    feeds = [feed_url(server, "/markets.xml")] * 3
    with news(server, clock, feeds=feeds, rate_limit=0.5) as adapter:
        adapter.fetch("AAPL", START, END)
    assert clock.sleeps == [2.0, 2.0]


def test_the_token_never_reaches_logs_or_errors(server, caplog):
    caplog.set_level(logging.DEBUG)
    server.route("/v2/everything", Reply(400, body=f"bad key {TOKEN}"))
    adapter = news(server, newsapi=True)
    with adapter, pytest.raises(SentimentSourceError) as raised:
        adapter.fetch("AAPL", START, END)
    for text in (str(raised.value), caplog.text, repr(adapter)):
        assert TOKEN not in text


def test_kernel_fetch_check(server):
    server.route("/markets.xml", Reply(body=MARKETS))
    server.route("/v2/everything", newsapi_pages)
    adapter = news(server, feeds=[feed_url(server, "/markets.xml")], newsapi=True, aliases=ALIASES)
    with adapter:
        items = check_sentiment_fetch(adapter, "AAPL", START, END)
    assert len(items) == 7


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({}, "feeds"),
        ({"feeds": ["ftp://x/feed"]}, "feeds[0]"),
        ({"feeds": ["https://x/f"], "aliases": {"AAPL": [""]}}, "aliases.AAPL"),
        ({"newsapi": "yes"}, "newsapi"),
        ({"newsapi": True, "page_size": 500}, "page_size"),
        ({"newsapi": True, "apikey": TOKEN}, "apikey"),
    ],
)
def test_bad_options_name_the_key_path(options, key):
    with pytest.raises(ConfigError) as raised:
        NewsSource(**options)
    assert raised.value.key_path == f"sentiment.sources_config.news.{key}"
    assert TOKEN not in str(raised.value)
