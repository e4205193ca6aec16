"""ProviderClient against a loopback server: auth, retries, Retry-After, errors, tokens."""

from __future__ import annotations

import logging
import socket
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from mlcore.errors import SentimentAuthError, SentimentSourceError

from mlcore_sentiment_http import HttpSettings, ProviderClient
from mlcore_sentiment_http.testing import FakeClock, LoopbackServer, Reply

TOKEN = "tok-3f9a1c77e2b04d5e"
TOKEN_ENV = "MLCORE_HTTP_TEST_TOKEN"


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv(TOKEN_ENV, TOKEN)


def make_client(server, clock, **options):
    settings = HttpSettings(base_url=server.url, token_env=TOKEN_ENV, **options)
    return ProviderClient("acme", settings, clock=clock)


def test_json_body_and_token_header(server, clock):
    server.route("/news", Reply(json=[{"id": 1}]))
    with make_client(server, clock) as client:
        assert client.get_json("/news", {"symbol": "AAPL", "skip": None}) == [{"id": 1}]
    (request,) = server.requests
    assert request.param("symbol") == "AAPL"
    assert "skip" not in request.query
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["user-agent"].startswith("mlcore-sentiment-http")


@pytest.mark.parametrize("status", [401, 403])
def test_auth_refusal_is_not_retried(server, clock, status):
    server.route("/premium", Reply(status, json={"error": "You don't have access."}))
    with make_client(server, clock) as client, pytest.raises(SentimentAuthError) as raised:
        client.get_json("/premium")
    message = str(raised.value)
    assert f"HTTP {status}" in message
    assert "/premium" in message
    assert TOKEN_ENV in message
    assert raised.value.source == "acme"
    assert len(server.requests) == 1
    assert clock.sleeps == []


def test_429_waits_exactly_retry_after_seconds(server, clock):
    server.route("/news", Reply(429, headers={"Retry-After": "7"}), Reply(json={"ok": True}))
    with make_client(server, clock) as client:
        assert client.get_json("/news") == {"ok": True}
    assert clock.sleeps == [7.0]
    assert len(server.requests) == 2


def test_429_retry_after_as_http_date(server, clock):
    when = datetime.fromtimestamp(clock.now(), tz=UTC) + timedelta(seconds=42)
    server.route(
        "/news",
        Reply(429, headers={"Retry-After": format_datetime(when, usegmt=True)}),
        Reply(json=[]),
    )
    with make_client(server, clock) as client:
        assert client.get_json("/news") == []
    assert clock.sleeps == [42.0]


def test_retry_after_is_capped(server, clock):
    server.route("/news", Reply(429, headers={"Retry-After": "86400"}), Reply(json=[]))
    with make_client(server, clock, retry_after_max=60.0) as client:
        client.get_json("/news")
    assert clock.sleeps == [60.0]


def test_500_then_success_backs_off_with_bounded_jitter(server, clock):
    server.route("/news", Reply(500), Reply(503), Reply(502), Reply(json=[1]))
    with make_client(server, clock, backoff_initial=1.0, backoff_max=3.0) as client:
        assert client.get_json("/news") == [1]
    assert len(server.requests) == 4
    # Full jitter: attempt k waits uniformly in [0, min(max, initial * 2**(k-1))].
    bounds = [1.0, 2.0, 3.0]
    assert len(clock.sleeps) == 3
    assert all(0.0 <= wait <= bound for wait, bound in zip(clock.sleeps, bounds, strict=True))


def test_persistent_500_gives_up_after_max_retries(server, clock):
    server.route("/news", Reply(500, body="upstream down"))
    with (
        make_client(server, clock, max_retries=2) as client,
        pytest.raises(SentimentSourceError) as raised,
    ):
        client.get_json("/news")
    assert not isinstance(raised.value, SentimentAuthError)
    assert "HTTP 500 3 times" in str(raised.value)
    assert "/news" in str(raised.value)
    assert len(server.requests) == 3
    assert len(clock.sleeps) == 2


def test_client_error_is_not_retried(server, clock):
    server.route("/news", Reply(400, json={"error": "bad symbol"}))
    with make_client(server, clock) as client, pytest.raises(SentimentSourceError) as raised:
        client.get_json("/news")
    assert "HTTP 400" in str(raised.value)
    assert "bad symbol" in str(raised.value)
    assert len(server.requests) == 1


def test_malformed_json_names_the_path(server, clock):
    server.route("/company-news", Reply(body="<html>gateway</html>"))
    with make_client(server, clock) as client, pytest.raises(SentimentSourceError) as raised:
        client.get_json("/company-news", {"symbol": "AAPL"})
    message = str(raised.value)
    assert "GET /company-news returned malformed JSON" in message
    assert "line 1 column 1" in message


def test_timeout_is_retried(server, clock):
    server.route("/slow", Reply(json=[], delay=0.5), Reply(json=["late"]))
    with make_client(server, clock, timeout=0.05) as client:
        assert client.get_json("/slow") == ["late"]
    assert len(clock.sleeps) == 1


def test_connection_refused_becomes_a_source_error(clock):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = HttpSettings(base_url=f"http://127.0.0.1:{port}", max_retries=1)
    with (
        ProviderClient("acme", settings, clock=clock) as client,
        pytest.raises(SentimentSourceError) as raised,
    ):
        client.get_json("/news")
    assert "ConnectError" in str(raised.value)
    assert "failed 2 times" in str(raised.value)
    assert len(clock.sleeps) == 1


def test_missing_token_names_the_variable(server, clock, monkeypatch):
    monkeypatch.delenv(TOKEN_ENV)
    server.route("/news", Reply(json=[]))
    with make_client(server, clock) as client, pytest.raises(SentimentAuthError) as raised:
        client.get_json("/news")
    assert TOKEN_ENV in str(raised.value)
    assert server.requests == []


def test_token_goes_only_to_the_provider_host(server, clock):
    other_host = server.url.replace("127.0.0.1", "localhost")
    server.route("/feed.xml", Reply(body="<rss/>"))
    server.route("/moved", Reply(302, headers={"Location": f"{other_host}/feed.xml"}))
    with make_client(server, clock, auth_header="X-Api-Key", auth_scheme="") as client:
        assert client.get_text(f"{other_host}/feed.xml") == "<rss/>"
        assert client.get_text("/moved") == "<rss/>"
    direct, moved, redirected = server.requests
    assert "x-api-key" not in direct.headers
    assert moved.headers["x-api-key"] == TOKEN
    assert redirected.path == "/feed.xml"
    assert "x-api-key" not in redirected.headers


def test_token_never_reaches_logs_errors_reprs_or_the_cache(server, clock, tmp_path, caplog):
    cache_path = tmp_path / "cache.sqlite"
    server.route("/ok", Reply(json={"echo": "fine"}))
    server.route("/echo", Reply(429), Reply(400, body=f"bad token {TOKEN}"))
    server.route("/broken", Reply(body=f"not json {TOKEN}"))
    caplog.set_level(logging.DEBUG)
    client = make_client(
        server, clock, auth_param="token", cache_path=str(cache_path), cache_settle=0.0
    )
    past = datetime(2020, 1, 1, tzinfo=UTC)
    with client:
        client.get_json("/ok", {"symbol": "AAPL"}, complete_before=past)
        errors = []
        for path in ("/echo", "/broken"):
            with pytest.raises(SentimentSourceError) as raised:
                client.get_json(path)
            errors.append(raised.value)
        texts = [repr(client), repr(client.settings), *map(str, errors), caplog.text]
    assert server.requests[0].param("token") == TOKEN  # it was sent, as configured
    for text in texts:
        assert TOKEN not in text
    assert all("***" in str(error) for error in errors)
    assert TOKEN.encode() not in cache_path.read_bytes()
    with closing(sqlite3.connect(cache_path)) as stored:
        urls = stored.execute("SELECT url FROM responses").fetchall()
    assert urls == [(f"{server.url}/ok?symbol=AAPL",)]  # no token parameter in the key
