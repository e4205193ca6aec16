"""The SQLite response cache: a re-run backfill fetches nothing twice; recent windows do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from mlcore.errors import SentimentSourceError

from mlcore_sentiment_http import HttpSettings, ProviderClient, ResponseCache, cache_key
from mlcore_sentiment_http.testing import FakeClock, LoopbackServer, Reply

DAY = 86400.0


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


def make_client(server, tmp_path, clock, **options):
    settings = HttpSettings(
        base_url=server.url, cache_path=str(tmp_path / "responses.sqlite"), **options
    )
    return ProviderClient("acme", settings, clock=clock)


def test_rerun_of_a_settled_window_is_served_from_the_cache(server, tmp_path):
    clock = FakeClock()
    server.route("/news", lambda request: Reply(json=[request.param("from")]))
    settled = datetime.fromtimestamp(clock.now() - 2 * DAY, tz=UTC)
    windows = [{"from": "2025-12-01"}, {"from": "2025-12-08"}]
    first_run = []
    with make_client(server, tmp_path, clock) as client:
        for params in windows:
            first_run.append(client.get_json("/news", params, complete_before=settled))
    assert len(server.requests) == 2
    # A new client on the same file: a new process re-running the backfill.
    with make_client(server, tmp_path, clock) as client:
        second_run = [client.get_json("/news", p, complete_before=settled) for p in windows]
        response = client.get("/news", windows[0], complete_before=settled)
        assert client.requests_sent == 0
    assert len(server.requests) == 2
    assert second_run == first_run == [["2025-12-01"], ["2025-12-08"]]
    assert response.from_cache


def test_a_window_that_may_still_change_is_always_fetched(server, tmp_path):
    clock = FakeClock()
    server.route("/news", Reply(json=[]))
    settle = DAY
    # Ended half a day ago: within cache_settle, so a provider may still add items.
    recent = datetime.fromtimestamp(clock.now() - DAY / 2, tz=UTC)
    with make_client(server, tmp_path, clock, cache_settle=settle) as client:
        client.get_json("/news", {"q": "x"}, complete_before=recent)
        client.get_json("/news", {"q": "x"}, complete_before=recent)
        client.get_json("/news", {"q": "x"})  # a snapshot: no window at all
        assert len(server.requests) == 3
        clock.advance(DAY)  # now the same window has settled
        client.get_json("/news", {"q": "x"}, complete_before=recent)
        client.get_json("/news", {"q": "x"}, complete_before=recent)
    assert len(server.requests) == 4


def test_naive_window_end_is_taken_as_utc(server, tmp_path):
    clock = FakeClock()
    server.route("/news", Reply(json=[]))
    aware = datetime.fromtimestamp(clock.now() - 2 * DAY, tz=UTC)
    with make_client(server, tmp_path, clock) as client:
        client.get_json("/news", complete_before=aware.replace(tzinfo=None))
        client.get_json("/news", complete_before=aware)
    assert len(server.requests) == 1


def test_errors_and_malformed_bodies_are_not_cached(server, tmp_path):
    clock = FakeClock()
    server.route("/news", Reply(body="{oops"), Reply(json={"fixed": True}))
    settled = datetime(2020, 1, 1, tzinfo=UTC)
    with make_client(server, tmp_path, clock) as client:
        with pytest.raises(SentimentSourceError, match="malformed JSON"):
            client.get_json("/news", complete_before=settled)
        assert client.get_json("/news", complete_before=settled) == {"fixed": True}
        assert client.get_json("/news", complete_before=settled) == {"fixed": True}
    assert len(server.requests) == 2
    assert len(ResponseCache(tmp_path / "responses.sqlite")) == 1


def test_cache_key_ignores_parameter_order_and_the_token_parameter():
    a = httpx.URL("https://api.example.com/v1/news?b=2&a=1&token=secret")
    b = httpx.URL("https://api.example.com/v1/news?a=1&b=2&token=other")
    key = cache_key("get", a, exclude=frozenset({"token"}))
    assert key == cache_key("GET", b, exclude=frozenset({"token"}))
    assert key == "GET https://api.example.com/v1/news?a=1&b=2"
    assert cache_key("GET", a) != cache_key("GET", b)


def test_cached_rows_keep_only_content_type_and_link(server, tmp_path):
    clock = FakeClock()
    headers = {"Link": '<https://x/next>; rel="next"', "Set-Cookie": "session=abc"}
    server.route("/news", Reply(json=[], headers=headers))
    settled = datetime.fromtimestamp(clock.now(), tz=UTC) - timedelta(days=3)
    with make_client(server, tmp_path, clock) as client:
        client.get("/news", complete_before=settled)
        cached = client.get("/news", complete_before=settled)
    assert cached.from_cache
    assert cached.links == {"next": "https://x/next"}
    assert set(cached.headers) == {"content-type", "link"}
