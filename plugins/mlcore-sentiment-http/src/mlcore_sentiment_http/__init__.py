"""mlcore-sentiment-http: the HTTP client mlcore's sentiment providers share.

:class:`ProviderClient` sends GET requests to one provider with timeouts, retries
(exponential backoff with jitter, the server's wait honoured), a token-bucket rate limit,
an SQLite response cache and a token read from the environment; :class:`HttpSettings`
configures it. :class:`HttpSource` is the base of a provider's adapter;
:mod:`mlcore_sentiment_http.pagination` walks paginated endpoints,
:mod:`mlcore_sentiment_http.timerange`, :mod:`~mlcore_sentiment_http.mentions` and
:mod:`~mlcore_sentiment_http.options` hold what providers share about time ranges,
symbol mentions and config blocks, and :mod:`mlcore_sentiment_http.testing` holds a
loopback server for provider tests.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from mlcore_sentiment_http.cache import ResponseCache, cache_key
from mlcore_sentiment_http.client import ProviderClient
from mlcore_sentiment_http.clock import Clock, SystemClock
from mlcore_sentiment_http.mentions import mention_pattern
from mlcore_sentiment_http.pagination import (
    iter_cursor,
    iter_next_links,
    iter_pages,
    link_header_next,
)
from mlcore_sentiment_http.ratelimit import TokenBucket
from mlcore_sentiment_http.response import ProviderResponse
from mlcore_sentiment_http.retry import (
    RetryAfterPolicy,
    longest,
    parse_retry_after,
    rate_limit_reset,
    retry_after_field,
    retry_after_header,
)
from mlcore_sentiment_http.settings import HttpSettings
from mlcore_sentiment_http.source import HttpSource
from mlcore_sentiment_http.timerange import as_utc, parse_time, published_within, utc_range
from mlcore_sentiment_http.windows import day_windows, split_range, utc_days

try:
    __version__ = version("mlcore-sentiment-http")
except PackageNotFoundError:  # running from a source checkout that is not installed
    __version__ = "0.0.0"

__all__ = [
    "Clock",
    "HttpSettings",
    "HttpSource",
    "ProviderClient",
    "ProviderResponse",
    "ResponseCache",
    "RetryAfterPolicy",
    "SystemClock",
    "TokenBucket",
    "__version__",
    "as_utc",
    "cache_key",
    "day_windows",
    "iter_cursor",
    "iter_next_links",
    "iter_pages",
    "link_header_next",
    "longest",
    "mention_pattern",
    "parse_retry_after",
    "parse_time",
    "published_within",
    "rate_limit_reset",
    "retry_after_field",
    "retry_after_header",
    "split_range",
    "utc_days",
    "utc_range",
]
