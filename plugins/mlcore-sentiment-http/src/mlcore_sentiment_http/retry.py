"""When and how long to wait before retrying: exponential backoff with jitter, or the wait
the server asks for.

A provider says how long to wait in its own way: the standard ``Retry-After`` header,
a field of the JSON body (Discord's ``retry_after``), or the time its rate window
reopens (X's ``x-rate-limit-reset``). A :data:`RetryAfterPolicy` reads it; the policies
here are the building blocks, and :func:`longest` combines them.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
from collections.abc import Callable
from typing import Final

import httpx
import tenacity

__all__ = [
    "RETRY_STATUSES",
    "BackoffWait",
    "RetryAfterPolicy",
    "RetryableStatus",
    "longest",
    "parse_retry_after",
    "rate_limit_reset",
    "retry_after_field",
    "retry_after_header",
]

#: Statuses worth another try: rate limited, and the server's own failures.
RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})

#: Seconds to wait before retrying a response whose status is in :data:`RETRY_STATUSES`,
#: from the response and the current Unix time; None leaves the wait to the backoff.
RetryAfterPolicy = Callable[[httpx.Response, float], float | None]

_SECONDS: Final = re.compile(r"\d+(?:\.\d*)?|\.\d+")


class RetryableStatus(Exception):
    """An attempt answered with a status in :data:`RETRY_STATUSES` (internal to retries)."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        self.status = status
        self.retry_after = retry_after
        super().__init__(f"HTTP {status}")


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delay-seconds (fractions accepted,
    ``"1.5"``) or an HTTP date.

    ``now`` is the current Unix time, to turn a date into a delay. A date in the past
    gives 0; a value that is neither form gives None (the normal backoff applies).
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if _SECONDS.fullmatch(text):
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - now)


def retry_after_header(response: httpx.Response, now: float) -> float | None:
    """The standard policy: the response's ``Retry-After`` header (see
    :func:`parse_retry_after`)."""
    return parse_retry_after(response.headers.get("retry-after"), now=now)


def retry_after_field(response: httpx.Response, field: str) -> float | None:
    """Seconds (a number, fractions kept) in the top-level ``field`` of a JSON body, as
    Discord sends ``{"retry_after": 1.337}`` with a 429; None when the body is not JSON or
    the field is not a non-negative number."""
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None
    value = body.get(field) if isinstance(body, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None


def rate_limit_reset(response: httpx.Response, now: float, header: str) -> float | None:
    """Seconds until the Unix time (seconds) in ``header``, when the provider's rate
    window reopens (X's ``x-rate-limit-reset``); 0 for a time already past.

    Read on a 429 only: providers send the reset time with every response, and a 5xx
    is no reason to wait for the rate window.
    """
    if response.status_code != 429:
        return None
    value = response.headers.get(header, "").strip()
    if not _SECONDS.fullmatch(value):
        return None
    return max(0.0, float(value) - now)


def longest(*waits: float | None) -> float | None:
    """The longest of the waits that are given (not None), or None when none is."""
    given = [wait for wait in waits if wait is not None]
    return max(given) if given else None


class BackoffWait(tenacity.wait.wait_base):
    """The server's wait (capped at ``retry_after_max``) when it asked for one, otherwise
    tenacity's full-jitter exponential backoff from ``initial`` up to ``maximum`` seconds.
    """

    def __init__(self, initial: float, maximum: float, retry_after_max: float) -> None:
        self.retry_after_max = retry_after_max
        self._backoff = tenacity.wait_random_exponential(multiplier=initial, max=maximum)

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        if isinstance(error, RetryableStatus) and error.retry_after is not None:
            wait = error.retry_after
            if math.isfinite(wait):
                return min(max(wait, 0.0), self.retry_after_max)
        return float(self._backoff(retry_state))
