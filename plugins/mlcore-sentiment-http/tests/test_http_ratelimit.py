"""The token bucket spaces requests at 1 / rate seconds after a burst (with a fake clock)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlcore_sentiment_http import HttpSettings, ProviderClient, TokenBucket
from mlcore_sentiment_http.testing import FakeClock, LoopbackServer, Reply


def test_requests_are_spaced_by_the_rate():
    clock = FakeClock()
    bucket = TokenBucket(rate=4.0, burst=1, clock=clock)
    waits = [bucket.acquire() for _ in range(5)]
    assert waits == [0.0, 0.25, 0.25, 0.25, 0.25]
    assert clock.sleeps == [0.25, 0.25, 0.25, 0.25]


def test_a_burst_goes_through_then_the_bucket_refills_with_time():
    clock = FakeClock()
    bucket = TokenBucket(rate=2.0, burst=3, clock=clock)
    assert [bucket.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.acquire() == pytest.approx(0.5)
    clock.advance(10.0)  # idle: refills to the burst, never beyond
    assert [bucket.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.acquire() == pytest.approx(0.5)


@given(
    rate=st.floats(min_value=0.1, max_value=50.0),
    burst=st.integers(min_value=1, max_value=5),
    n=st.integers(min_value=1, max_value=40),
)
def test_n_requests_take_exactly_the_time_the_rate_allows(rate, burst, n):
    clock = FakeClock()
    start = clock.monotonic()
    bucket = TokenBucket(rate=rate, burst=burst, clock=clock)
    for _ in range(n):
        bucket.acquire()
    # Tolerance: the fake clock counts Unix seconds (~1.7e9), where a float step is ~2e-7.
    elapsed = clock.monotonic() - start
    assert elapsed == pytest.approx(max(0, n - burst) / rate, rel=1e-9, abs=1e-6 * n)


def test_the_client_waits_for_the_rate_limit_before_each_request():
    clock = FakeClock()
    with LoopbackServer() as server:
        server.route("/news", Reply(json=[]))
        settings = HttpSettings(base_url=server.url, rate_limit=0.5)
        with ProviderClient("acme", settings, clock=clock) as client:
            for _ in range(3):
                client.get_json("/news")
    assert len(server.requests) == 3
    assert clock.sleeps == [2.0, 2.0]


def test_invalid_rates_are_refused():
    with pytest.raises(ValueError, match="rate must be > 0"):
        TokenBucket(rate=0)
    with pytest.raises(ValueError, match="burst must be >= 1"):
        TokenBucket(rate=1, burst=0)
