"""HttpSource: what every HTTP sentiment provider's adapter shares, as a base class."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, ClassVar, NoReturn, Self

import httpx

from mlcore_sentiment_http.client import ProviderClient
from mlcore_sentiment_http.clock import Clock, SystemClock
from mlcore_sentiment_http.retry import retry_after_header
from mlcore_sentiment_http.settings import HttpSettings

__all__ = ["HttpSource"]


class HttpSource:
    """The plumbing of a sentiment adapter that fetches from one HTTP provider.

    A subclass names its ``source`` and its :attr:`http_defaults`, checks its own options
    and passes the rest on: every other keyword argument is an HTTP setting
    (:class:`~mlcore_sentiment_http.HttpSettings`) over those defaults, and an unknown or
    invalid one is a :class:`~mlcore.errors.ConfigError` naming
    ``sentiment.sources_config.<source>.<option>``. ``clock`` and ``transport`` are for
    tests (:class:`~mlcore_sentiment_http.testing.FakeClock`, an httpx transport).

    :attr:`client` is created on first use and kept, so the rate limit holds across
    fetches; :meth:`close` (or a ``with`` block) releases it and the cache file. The
    adapter pickles without it. A provider that says how long to wait after a 429 in
    its own way overrides :meth:`retry_after`.
    """

    source: ClassVar[str]
    #: The provider's HTTP settings unless its config block says otherwise.
    http_defaults: ClassVar[Mapping[str, Any]] = {}
    capabilities: ClassVar[frozenset[str]] = frozenset({"fetch"})

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        transport: httpx.BaseTransport | None = None,
        **http_options: Any,
    ) -> None:
        self.http = HttpSettings.from_options(
            http_options, defaults=self.http_defaults, source=self.source
        )
        self.clock: Clock = clock or SystemClock()
        self.transport = transport
        self._client: ProviderClient | None = None

    def retry_after(self, response: httpx.Response, now: float) -> float | None:
        """Seconds a 429 or 5xx ``response`` asks to wait at Unix time ``now`` (None: the
        usual backoff). Default: its ``Retry-After`` header."""
        return retry_after_header(response, now)

    def score(self, texts: Sequence[str]) -> NoReturn:
        """Not supported: a provider fetches items; ``sentiment.scorer`` scores them."""
        raise NotImplementedError(
            f"the {self.source} adapter fetches items and does not score texts; name a "
            "scorer (lexicon, transformers) as sentiment.scorer"
        )

    @property
    def client(self) -> ProviderClient:
        """The provider's HTTP client, created on first use."""
        if self._client is None:
            self._client = ProviderClient(
                self.source,
                self.http,
                clock=self.clock,
                transport=self.transport,
                retry_after=self.retry_after,
            )
        return self._client

    def close(self) -> None:
        """Close the HTTP client and the cache file (a later fetch opens them again)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_client"] = None  # sockets and the cache connection do not pickle
        return state
