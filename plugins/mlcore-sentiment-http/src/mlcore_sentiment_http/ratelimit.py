"""A token bucket: at most ``rate`` requests per second on average, bursts of ``burst``."""

from __future__ import annotations

import threading

from mlcore_sentiment_http.clock import Clock, SystemClock

__all__ = ["TokenBucket"]


class TokenBucket:
    """Blocks in :meth:`acquire` until a token is available.

    The bucket holds at most ``burst`` tokens and refills at ``rate`` tokens per second, so
    ``n`` back-to-back requests after the first ``burst`` are spaced ``1 / rate`` seconds
    apart. Thread-safe: threads sharing one bucket share its budget.
    """

    def __init__(self, rate: float, burst: int = 1, *, clock: Clock | None = None) -> None:
        if not rate > 0:
            raise ValueError(f"rate must be > 0 requests per second, got {rate!r}")
        if burst < 1:
            raise ValueError(f"burst must be >= 1, got {burst!r}")
        self.rate = float(rate)
        self.burst = int(burst)
        self._clock = clock or SystemClock()
        self._tokens = float(burst)
        self._updated = self._clock.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, waiting for it if needed; return the seconds waited."""
        with self._lock:
            self._refill()
            wait = 0.0
            if self._tokens < 1.0:
                wait = (1.0 - self._tokens) / self.rate
                self._clock.sleep(wait)
                self._refill()
                # A clock that returns early must not let a request through without a token.
                self._tokens = max(self._tokens, 1.0)
            self._tokens -= 1.0
            return wait

    def _refill(self) -> None:
        now = self._clock.monotonic()
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate)
        self._updated = now

    def __repr__(self) -> str:
        return f"TokenBucket(rate={self.rate!r}, burst={self.burst!r})"
