"""HttpSource, the base of provider adapters, and what reaches the network: the proxy,
the refusal of a source without a token."""

from __future__ import annotations

import pickle
from typing import ClassVar

import httpx
import pytest
from mlcore.errors import ConfigError, SentimentAuthError

from mlcore_sentiment_http import HttpSettings, HttpSource, ProviderClient, retry_after_field
from mlcore_sentiment_http.testing import FakeClock, LoopbackServer, Reply

TOKEN = "tok-proxy-9c1e"
TOKEN_ENV = "MLCORE_HTTP_SOURCE_TEST_TOKEN"
#: Never resolves (RFC 2606): a request only arrives when it goes through the proxy.
PROVIDER = "http://provider.invalid/api"


class AcmeSource(HttpSource):
    source: ClassVar[str] = "acme"
    http_defaults: ClassVar = {"base_url": PROVIDER, "token_env": TOKEN_ENV, "max_retries": 2}

    def fetch_news(self) -> object:
        return self.client.get_json("/news")


class BodyWaitSource(AcmeSource):
    def retry_after(self, response: httpx.Response, now: float) -> float | None:
        return retry_after_field(response, "retry_after")


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv(TOKEN_ENV, TOKEN)


def test_requests_go_through_the_configured_proxy(server):
    server.route("/api/news", Reply(json=["via proxy"]))
    with AcmeSource(proxy=server.url, clock=FakeClock()) as source:
        assert source.fetch_news() == ["via proxy"]
    (request,) = server.requests
    assert request.headers["host"] == "provider.invalid"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"  # still the provider's host


def test_the_client_alone_uses_the_proxy_too(server):
    server.route("/api/news", Reply(json=[]))
    settings = HttpSettings(base_url=PROVIDER, proxy=server.url)
    with ProviderClient("acme", settings, clock=FakeClock()) as client:
        client.get_json("/news")
    assert server.requests[0].headers["host"] == "provider.invalid"


def test_an_overridden_retry_after_reaches_the_client(server):
    server.route("/news", Reply(429, json={"retry_after": 0.4}), Reply(json=[]))
    clock = FakeClock()
    with BodyWaitSource(base_url=server.url, clock=clock) as source:
        source.fetch_news()
    assert clock.sleeps == [0.4]


def test_the_client_is_kept_across_fetches_and_closed_on_exit(server):
    server.route("/news", Reply(json=[]))
    source = AcmeSource(base_url=server.url, rate_limit=1.0, clock=FakeClock())
    with source:
        first = source.client
        source.fetch_news()
        source.fetch_news()
        assert source.client is first
        # One token bucket for both fetches: the second request waited its turn.
        assert source.clock.sleeps == [1.0]
    assert source._client is None


def test_a_source_pickles_without_its_client(server):
    server.route("/news", Reply(json=[]))
    source = AcmeSource(base_url=server.url, timeout=3, clock=FakeClock())
    source.fetch_news()
    copy = pickle.loads(pickle.dumps(source))
    assert copy.http == source.http
    assert copy._client is None
    source.close()


def test_http_options_are_checked_with_their_key_path():
    with pytest.raises(ConfigError) as raised:
        AcmeSource(time_out=3)
    assert raised.value.key_path == "sentiment.sources_config.acme.time_out"


def test_score_is_refused_with_the_fix():
    with pytest.raises(NotImplementedError, match=r"acme adapter .* sentiment\.scorer"):
        AcmeSource().score(["good"])


@pytest.mark.parametrize("status", [401, 403])
def test_a_refusal_without_a_token_says_so_and_what_to_try(server, status):
    server.route("/chart", Reply(status, body="Forbidden"))
    settings = HttpSettings(base_url=server.url, token_env=None)
    with (
        ProviderClient("trends", settings, clock=FakeClock()) as client,
        pytest.raises(SentimentAuthError) as raised,
    ):
        client.get_text("/chart")
    message = str(raised.value)
    assert f"HTTP {status}" in message
    assert "without a token" in message
    assert "rate_limit" in message
    assert "proxy" in message
    assert "token_env" not in message
    assert len(server.requests) == 1
