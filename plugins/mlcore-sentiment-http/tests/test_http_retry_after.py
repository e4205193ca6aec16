"""How long a 429 or 5xx asks to wait: the policies, and the client honouring them."""

from __future__ import annotations

import json

import httpx
import pytest

from mlcore_sentiment_http import (
    HttpSettings,
    ProviderClient,
    longest,
    rate_limit_reset,
    retry_after_field,
    retry_after_header,
)
from mlcore_sentiment_http.testing import FakeClock, LoopbackServer, Reply

NOW = 1_768_478_400.0  # 2026-01-15T12:00:00Z


def response(status: int = 429, *, headers=None, body: object = None) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(status, headers=headers or {}, content=content)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"message": "You are being rate limited.", "retry_after": 1.337}, 1.337),
        ({"retry_after": 4}, 4.0),
        ({"retry_after": 0}, 0.0),
        ({"retry_after": -1}, None),
        ({"retry_after": True}, None),
        ({"retry_after": "2"}, None),
        ({"other": 1}, None),
        ([1, 2], None),
        (b"<html>Too Many Requests</html>", None),
    ],
)
def test_retry_after_field_reads_seconds_from_the_json_body(body, expected):
    assert retry_after_field(response(body=body), "retry_after") == expected


@pytest.mark.parametrize(
    ("status", "reset", "expected"),
    [
        (429, str(int(NOW) + 42), 42.0),
        (429, f"{NOW + 2.5}", 2.5),
        (429, str(int(NOW) - 10), 0.0),  # the window reopened already
        (429, "soon", None),
        (503, str(int(NOW) + 42), None),  # sent with every answer: a 5xx is no rate limit
    ],
)
def test_rate_limit_reset_waits_until_the_window_reopens(status, reset, expected):
    limited = response(status, headers={"x-rate-limit-reset": reset}, body={})
    assert rate_limit_reset(limited, NOW, "x-rate-limit-reset") == expected


def test_a_missing_reset_header_asks_for_nothing():
    assert rate_limit_reset(response(body={}), NOW, "x-rate-limit-reset") is None


def test_retry_after_header_is_the_standard_policy():
    assert retry_after_header(response(headers={"Retry-After": "0.5"}, body={}), NOW) == 0.5
    assert retry_after_header(response(body={}), NOW) is None


def test_longest_ignores_the_waits_not_given():
    assert longest(None, 2.5, 1.0) == 2.5
    assert longest(None, None) is None
    assert longest() is None


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


def test_the_client_waits_what_its_policy_reads_to_the_fraction(server):
    def body_then_header(answer: httpx.Response, now: float) -> float | None:
        return longest(retry_after_header(answer, now), retry_after_field(answer, "wait"))

    server.route(
        "/news",
        Reply(429, json={"wait": 0.75}),
        Reply(429, json={"wait": 1.25}, headers={"Retry-After": "2"}),
        Reply(503, json={"wait": 0.1}),
        Reply(json=[]),
    )
    clock = FakeClock()
    settings = HttpSettings(base_url=server.url)
    with ProviderClient("acme", settings, clock=clock, retry_after=body_then_header) as client:
        assert client.get_json("/news") == []
    assert clock.sleeps == [0.75, 2.0, 0.1]


def test_a_policy_wait_is_capped_and_none_falls_back_to_backoff(server):
    waits = iter([10_000.0, None])
    server.route("/news", Reply(429), Reply(500), Reply(json=[]))
    clock = FakeClock()
    settings = HttpSettings(base_url=server.url, retry_after_max=60.0, backoff_initial=0.5)
    policy = lambda answer, now: next(waits)  # noqa: E731
    with ProviderClient("acme", settings, clock=clock, retry_after=policy) as client:
        client.get_json("/news")
    capped, backoff = clock.sleeps
    assert capped == 60.0
    assert 0.0 <= backoff <= 1.0  # full jitter after the second attempt: 0.5 * 2**1


def test_the_default_policy_keeps_fractional_retry_after(server):
    server.route("/news", Reply(429, headers={"Retry-After": "1.5"}), Reply(json=[]))
    clock = FakeClock()
    with ProviderClient("acme", HttpSettings(base_url=server.url), clock=clock) as client:
        client.get_json("/news")
    assert clock.sleeps == [1.5]
