"""mlcore-sentiment-http: the HTTP client mlcore's sentiment providers share.

:class:`ProviderClient` sends GET requests to one provider with timeouts, retries
(exponential backoff with jitter, ``Retry-After`` honoured), a token-bucket rate limit, an
SQLite response cache and a token read from the environment; :class:`HttpSettings`
configures it. :mod:`mlcore_sentiment_http.pagination` walks paginated endpoints and
:mod:`mlcore_sentiment_http.testing` holds a loopback server for provider tests.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from mlcore_sentiment_http.cache import ResponseCache, cache_key
from mlcore_sentiment_http.client import ProviderClient
from mlcore_sentiment_http.clock import Clock, SystemClock
from mlcore_sentiment_http.pagination import (
    iter_cursor,
    iter_next_links,
    iter_pages,
    link_header_next,
)
from mlcore_sentiment_http.ratelimit import TokenBucket
from mlcore_sentiment_http.response import ProviderResponse
from mlcore_sentiment_http.retry import parse_retry_after
from mlcore_sentiment_http.settings import HttpSettings
from mlcore_sentiment_http.windows import day_windows, split_range

try:
    __version__ = version("mlcore-sentiment-http")
except PackageNotFoundError:  # running from a source checkout that is not installed
    __version__ = "0.0.0"

__all__ = [
    "Clock",
    "HttpSettings",
    "ProviderClient",
    "ProviderResponse",
    "ResponseCache",
    "SystemClock",
    "TokenBucket",
    "__version__",
    "cache_key",
    "day_windows",
    "iter_cursor",
    "iter_next_links",
    "iter_pages",
    "link_header_next",
    "parse_retry_after",
    "split_range",
]
