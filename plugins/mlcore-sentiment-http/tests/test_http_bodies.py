"""Bodies as bytes and as text, through the cache, and answers cached under another request."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from mlcore.errors import SentimentSourceError

from mlcore_sentiment_http import HttpSettings, ProviderClient, ProviderResponse
from mlcore_sentiment_http.testing import FakeClock, LoopbackServer, Reply

CAFE = "Caf\N{LATIN SMALL LETTER E WITH ACUTE} \N{POUND SIGN}5"
PAST = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


def make_client(server, tmp_path=None, **options):
    cache = {"cache_path": str(tmp_path / "cache.sqlite")} if tmp_path else {}
    settings = HttpSettings(base_url=server.url, **cache, **options)
    return ProviderClient("acme", settings, clock=FakeClock())


def test_bytes_come_as_received_and_text_follows_the_charset(server):
    latin = CAFE.encode("iso-8859-1")
    server.route(
        "/latin", Reply(body=latin, headers={"Content-Type": "text/plain; charset=latin-1"})
    )
    server.route("/plain", Reply(body=CAFE.encode(), headers={"Content-Type": "text/plain"}))
    with make_client(server) as client:
        assert client.get("/latin", expect_json=False).content == latin
        assert client.get_text("/latin") == CAFE
        assert client.get_text("/plain") == CAFE  # no charset: UTF-8


def test_a_cached_body_keeps_its_bytes_and_charset(server, tmp_path):
    latin = CAFE.encode("cp1252")
    headers = {"Content-Type": "text/plain; charset=windows-1252", "Set-Cookie": "s=1"}
    server.route("/latin", Reply(body=latin, headers=headers))
    for _ in range(2):
        with make_client(server, tmp_path, cache_settle=0.0) as client:
            response = client.get("/latin", complete_before=PAST, expect_json=False)
    assert len(server.requests) == 1
    assert response.from_cache
    assert response.content == latin
    assert response.text == CAFE
    assert "set-cookie" not in response.headers


def test_an_unknown_charset_falls_back_to_utf8():
    response = ProviderResponse(
        "/x", 200, {"content-type": "text/plain; charset=klingon"}, CAFE.encode()
    )
    assert response.charset is None
    assert response.text == CAFE


def two_step(client: ProviderClient, calls: list[str]) -> ProviderResponse:
    """An answer that takes two requests, the second one with a token from the first."""
    calls.append("produce")
    token = client.get_json("/token")["token"]
    return client.get("/chart", {"token": token}, expect_json=False)


def test_an_answer_is_cached_under_the_request_that_repeats(server, tmp_path):
    server.route("/token", Reply(json={"token": "t1"}), Reply(json={"token": "t2"}))
    server.route("/chart", Reply(body=b"[1, 2, 3]"))
    calls: list[str] = []
    for _ in range(2):
        with make_client(server, tmp_path, cache_settle=0.0) as client:
            response = client.cached(
                "/explore",
                {"q": "AAPL"},
                complete_before=PAST,
                produce=lambda: two_step(client, calls),
            )
            assert response.text == "[1, 2, 3]"
    assert calls == ["produce"]
    assert [request.path for request in server.requests] == ["/token", "/chart"]


def test_an_answer_of_an_open_window_is_made_every_time(server, tmp_path):
    server.route("/token", Reply(json={"token": "t"}))
    server.route("/chart", Reply(body=b"[]"))
    calls: list[str] = []
    with make_client(server, tmp_path) as client:
        for _ in range(2):
            client.cached(
                "/explore", None, complete_before=None, produce=lambda: two_step(client, calls)
            )
    assert calls == ["produce", "produce"]


def test_nothing_is_cached_when_the_answer_fails(server, tmp_path):
    server.route("/token", Reply(json={"token": "t"}))
    server.route("/chart", Reply(400, body="expired token"), Reply(body=b"[]"))
    calls: list[str] = []
    with make_client(server, tmp_path, cache_settle=0.0) as client:
        with pytest.raises(SentimentSourceError, match="HTTP 400"):
            client.cached(
                "/explore", None, complete_before=PAST, produce=lambda: two_step(client, calls)
            )
        client.cached(
            "/explore", None, complete_before=PAST, produce=lambda: two_step(client, calls)
        )
    assert calls == ["produce", "produce"]
