"""Discord's ``retry_after`` from a 429 body, turned into the ``Retry-After`` the shared
client honours.

Discord answers 429 with a JSON body ``{"message": ..., "retry_after": 1.337, "global":
false}`` (seconds, a float) as well as a ``Retry-After`` header in whole seconds. This
transport writes the longer of the two (rounded up to a whole second) into
``Retry-After``, so the client waits at least as long as Discord asks even when a proxy
drops the header.
"""

from __future__ import annotations

import json
import math

import httpx
from mlcore_sentiment_http import Clock, parse_retry_after

__all__ = ["RetryAfterBodyTransport", "seconds_to_wait"]


def _body_retry_after(content: bytes) -> float | None:
    try:
        payload = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None
    value = payload.get("retry_after") if isinstance(payload, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        return None
    return float(value)


def seconds_to_wait(response: httpx.Response, now: float) -> int | None:
    """Whole seconds to wait after a 429, from the body's ``retry_after`` and the
    ``Retry-After`` header (the longer), or None when neither is usable."""
    waits = [
        wait
        for wait in (
            _body_retry_after(response.content),
            parse_retry_after(response.headers.get("retry-after"), now=now),
        )
        if wait is not None
    ]
    return math.ceil(max(waits)) if waits else None


class RetryAfterBodyTransport(httpx.BaseTransport):
    """Wraps a transport (by default httpx's own) and, on a 429, sets ``Retry-After``
    from :func:`seconds_to_wait` at the ``clock``'s current time."""

    def __init__(self, clock: Clock, inner: httpx.BaseTransport | None = None) -> None:
        self._clock = clock
        self._inner = inner if inner is not None else httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        if response.status_code == 429:
            response.read()
            wait = seconds_to_wait(response, self._clock.now())
            if wait is not None:
                response.headers["Retry-After"] = str(wait)
        return response

    def close(self) -> None:
        self._inner.close()
