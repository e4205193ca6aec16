"""X's rate-limit reset time, turned into the ``Retry-After`` the shared client honours.

X answers 429 with ``x-rate-limit-reset``: the Unix time (seconds) at which the rate
window reopens, and often no ``Retry-After``. This transport writes the wait until that
time into ``Retry-After`` (the larger of the two when both are sent), so the shared
client's retry waits exactly as long as X asks, through its injectable clock.
"""

from __future__ import annotations

import math

import httpx
from mlcore_sentiment_http import Clock, parse_retry_after

__all__ = ["RateLimitResetTransport", "seconds_until_reset"]


def seconds_until_reset(headers: httpx.Headers, now: float) -> int | None:
    """Whole seconds to wait after a 429, from ``x-rate-limit-reset`` and ``Retry-After``
    (the longer wait), or None when neither is usable."""
    waits = []
    reset = headers.get("x-rate-limit-reset", "").strip()
    if reset.isdigit():
        waits.append(max(0.0, int(reset) - now))
    retry_after = parse_retry_after(headers.get("retry-after"), now=now)
    if retry_after is not None:
        waits.append(retry_after)
    return math.ceil(max(waits)) if waits else None


class RateLimitResetTransport(httpx.BaseTransport):
    """Wraps a transport (by default httpx's own) and, on a 429, sets ``Retry-After``
    from :func:`seconds_until_reset` at the ``clock``'s current time."""

    def __init__(self, clock: Clock, inner: httpx.BaseTransport | None = None) -> None:
        self._clock = clock
        self._inner = inner if inner is not None else httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        if response.status_code == 429:
            wait = seconds_until_reset(response.headers, self._clock.now())
            if wait is not None:
                response.headers["Retry-After"] = str(wait)
        return response

    def close(self) -> None:
        self._inner.close()
