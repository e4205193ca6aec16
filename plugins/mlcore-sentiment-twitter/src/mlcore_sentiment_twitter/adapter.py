"""The ``twitter`` sentiment source: posts about a symbol from X API v2 recent search."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar, Final

import httpx
import pandas as pd
from mlcore.errors import SentimentSourceError
from mlcore.sentiment import SentimentItem
from mlcore_sentiment_http import (
    Clock,
    HttpSource,
    iter_cursor,
    longest,
    published_within,
    rate_limit_reset,
    retry_after_header,
    utc_days,
    utc_range,
)
from mlcore_sentiment_http.options import option_key, symbol_terms, text, whole_number

from mlcore_sentiment_twitter.payloads import SOURCE, Post, build_query, parse_search_page

__all__ = ["HTTP_DEFAULTS", "RecentSearchWindowWarning", "TwitterAdapter"]

logger = logging.getLogger("mlcore_sentiment_twitter")

SEARCH_PATH: Final = "/2/tweets/search/recent"
TWEET_FIELDS: Final = "created_at,public_metrics,author_id,lang"
DEFAULT_FILTERS: Final = "-is:retweet lang:en"
#: How far back recent search reaches.
RECENT_SEARCH_SPAN: Final = pd.Timedelta(days=7)
#: Kept clear of the API's own bounds (start within 7 days, end at least 10 s ago), so a
#: request that takes a moment to arrive is still inside them.
_START_MARGIN: Final = pd.Timedelta(minutes=1)
_END_MARGIN: Final = pd.Timedelta(seconds=30)

#: HTTP settings of this source unless its config block says otherwise. The rate limit
#: is the app-auth recent-search budget of the Pro tier (450 requests per 15 minutes);
#: lower it for Basic (60 per 15 minutes: ``rate_limit: 0.066``).
HTTP_DEFAULTS: Final[Mapping[str, Any]] = {
    "base_url": "https://api.x.com",
    "token_env": "TWITTER_BEARER_TOKEN",
    "auth_scheme": "Bearer",
    "rate_limit": 0.5,
    "retry_after_max": 900.0,
}


class RecentSearchWindowWarning(UserWarning):
    """Part of the requested range is older than recent search reaches (7 days)."""


class TwitterAdapter(HttpSource):
    """Posts that mention a symbol, from X API v2 recent search (the last 7 days).

    The query is the symbol's cashtag or any of its ``aliases`` (``{"AAPL": ["Apple
    stock"]}``), followed by ``filters`` (default ``-is:retweet lang:en``). The range is
    searched one UTC day at a time, so a past day is one cacheable request sequence
    that a re-run reads from the cache. Items carry the post text (scored by the kernel's
    scorer), the author id, and likes + retweets + replies + quotes as engagement.

    Part of a range older than 7 days is dropped with a
    :class:`RecentSearchWindowWarning`; a range entirely older is an error. A 429 waits
    until ``x-rate-limit-reset`` or for ``Retry-After``, whichever is later.

    Every other keyword argument is an HTTP setting
    (:class:`~mlcore_sentiment_http.HttpSettings`) over :data:`HTTP_DEFAULTS`; the bearer
    token is read from ``$TWITTER_BEARER_TOKEN``. ``clock`` and ``transport`` are for
    tests.
    """

    source: ClassVar[str] = SOURCE
    http_defaults: ClassVar[Mapping[str, Any]] = HTTP_DEFAULTS

    def __init__(
        self,
        *,
        aliases: Mapping[str, str | Sequence[str]] | None = None,
        filters: str = DEFAULT_FILTERS,
        max_results: int = 100,
        clock: Clock | None = None,
        transport: httpx.BaseTransport | None = None,
        **http_options: Any,
    ) -> None:
        self.aliases = symbol_terms(
            aliases, option_key(SOURCE, "aliases"), example="{AAPL: [Apple stock]}"
        )
        self.filters = text(filters, option_key(SOURCE, "filters"))
        self.max_results = whole_number(
            max_results, option_key(SOURCE, "max_results"), low=10, high=100
        )
        super().__init__(clock=clock, transport=transport, **http_options)

    def query(self, symbol: str) -> str:
        """The recent-search query for ``symbol``."""
        return build_query(symbol, self.aliases.get(symbol.upper(), ()), self.filters)

    def fetch(self, symbol: str, start: object, end: object) -> list[SentimentItem]:
        """Posts about ``symbol`` created in [start, end], oldest first."""
        first, last = utc_range(start, end)
        query = self.query(symbol)
        since, until = self._searchable(first, last)
        items = [
            _item(symbol, post)
            for window_start, window_stop in utc_days(since, until)
            for post in self._search(query, window_start, window_stop)
        ]
        return published_within(items, first, last)

    def retry_after(self, response: httpx.Response, now: float) -> float | None:
        """The later of ``x-rate-limit-reset`` (on a 429) and ``Retry-After``."""
        return longest(
            rate_limit_reset(response, now, "x-rate-limit-reset"),
            retry_after_header(response, now),
        )

    def __repr__(self) -> str:
        return (
            f"TwitterAdapter(aliases={self.aliases!r}, filters={self.filters!r}, "
            f"base_url={self.http.base_url!r})"
        )

    def _searchable(
        self, first: pd.Timestamp, last: pd.Timestamp
    ) -> tuple[pd.Timestamp, pd.Timestamp]:
        """``[since, until)`` to search: the range, clipped to what recent search covers."""
        now = pd.Timestamp(self.clock.now(), unit="s", tz="UTC")
        earliest = (now - RECENT_SEARCH_SPAN + _START_MARGIN).ceil("s")
        latest = (now - _END_MARGIN).floor("s")
        if last < earliest:
            raise SentimentSourceError(
                SOURCE,
                f"recent search covers the last 7 days only (from {earliest:%Y-%m-%d %H:%M} "
                f"UTC); the requested range ends {last:%Y-%m-%d %H:%M} UTC. Older posts need "
                "the full-archive search (Pro or Enterprise access), which this source does "
                "not use",
            )
        if first < earliest:
            message = (
                f"{SOURCE}: recent search covers the last 7 days only; posts from "
                f"{first:%Y-%m-%d %H:%M} to {earliest:%Y-%m-%d %H:%M} UTC are not fetched"
            )
            warnings.warn(RecentSearchWindowWarning(message), stacklevel=3)
            logger.warning(message)
        since = max(first.ceil("s"), earliest)
        # end_time is exclusive, with whole seconds: one second past ``last``.
        until = min(last.floor("s") + pd.Timedelta(seconds=1), latest)
        return since, until

    def _search(self, query: str, since: pd.Timestamp, until: pd.Timestamp) -> Iterator[Post]:
        params: dict[str, str | int | None] = {
            "query": query,
            "start_time": _iso(since),
            "end_time": _iso(until),
            "max_results": self.max_results,
            "tweet.fields": TWEET_FIELDS,
        }

        def page(token: str | None) -> Any:
            payload = self.client.get_json(
                SEARCH_PATH, {**params, "next_token": token}, complete_before=until
            )
            return parse_search_page(payload)

        yield from iter_cursor(
            page, items=lambda found: found.posts, next_cursor=lambda found: found.next_token
        )


def _item(symbol: str, post: Post) -> SentimentItem:
    return SentimentItem(
        source=SOURCE,
        symbol=symbol,
        published_at=post.created_at,
        text=post.text,
        author=post.author_id,
        engagement=post.engagement,
        url=f"https://x.com/i/web/status/{post.id}",
        id=post.id,
    )


def _iso(time: pd.Timestamp) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ")
