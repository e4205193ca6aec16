"""When and how long to wait before retrying: exponential backoff with jitter, or the
server's ``Retry-After``."""

from __future__ import annotations

import email.utils
from typing import Final

import tenacity

__all__ = ["RETRY_STATUSES", "BackoffWait", "RetryableStatus", "parse_retry_after"]

#: Statuses worth another try: rate limited, and the server's own failures.
RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})


class RetryableStatus(Exception):
    """An attempt answered with a status in :data:`RETRY_STATUSES` (internal to retries)."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        self.status = status
        self.retry_after = retry_after
        super().__init__(f"HTTP {status}")


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delay-seconds or an HTTP date.

    ``now`` is the current Unix time, to turn a date into a delay. A date in the past
    gives 0; a value that is neither form gives None (the normal backoff applies).
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - now)


class BackoffWait(tenacity.wait.wait_base):
    """``Retry-After`` (capped at ``retry_after_max``) when the server sent one, otherwise
    tenacity's full-jitter exponential backoff from ``initial`` up to ``maximum`` seconds.
    """

    def __init__(self, initial: float, maximum: float, retry_after_max: float) -> None:
        self.retry_after_max = retry_after_max
        self._backoff = tenacity.wait_random_exponential(multiplier=initial, max=maximum)

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        if isinstance(error, RetryableStatus) and error.retry_after is not None:
            return min(error.retry_after, self.retry_after_max)
        return float(self._backoff(retry_state))
