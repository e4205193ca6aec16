"""The ``twitter`` sentiment source: posts about a symbol from X API v2 recent search."""

from __future__ import annotations

import itertools
import logging
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar, Final

import httpx
import numpy as np
import pandas as pd
from mlcore.errors import ConfigError, SentimentSourceError
from mlcore.sentiment import SentimentItem
from mlcore_sentiment_http import Clock, HttpSettings, ProviderClient, SystemClock, iter_cursor

from mlcore_sentiment_twitter.payloads import SOURCE, Post, build_query, parse_search_page
from mlcore_sentiment_twitter.rate_limit_reset import RateLimitResetTransport

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
_KEY_PATH: Final = f"sentiment.sources_config.{SOURCE}"

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


class TwitterAdapter:
    """Posts that mention a symbol, from X API v2 recent search (the last 7 days).

    The query is the symbol's cashtag or any of its ``aliases`` (``{"AAPL": ["Apple
    stock"]}``), followed by ``filters`` (default ``-is:retweet lang:en``). The range is
    searched one UTC day at a time, so a past day is one cacheable request sequence
    that a re-run reads from the cache. Items carry the post text (scored by the kernel's
    scorer), the author id, and likes + retweets + replies + quotes as engagement.

    Part of a range older than 7 days is dropped with a
    :class:`RecentSearchWindowWarning`; a range entirely older is an error.

    Every other keyword argument is an HTTP setting
    (:class:`~mlcore_sentiment_http.HttpSettings`) over :data:`HTTP_DEFAULTS`; the bearer
    token is read from ``$TWITTER_BEARER_TOKEN``. ``clock`` and ``transport`` are for
    tests.
    """

    capabilities: ClassVar[frozenset[str]] = frozenset({"fetch"})

    def __init__(
        self,
        *,
        aliases: Mapping[str, Sequence[str]] | None = None,
        filters: str = DEFAULT_FILTERS,
        max_results: int = 100,
        clock: Clock | None = None,
        transport: httpx.BaseTransport | None = None,
        **http_options: Any,
    ) -> None:
        self.aliases = _aliases(aliases)
        if not isinstance(filters, str):
            raise ConfigError(
                f"expected query operators as text, got {filters!r}",
                key_path=f"{_KEY_PATH}.filters",
            )
        self.filters = filters
        if isinstance(max_results, bool) or not isinstance(max_results, int):
            max_results = -1
        if not 10 <= max_results <= 100:
            raise ConfigError(
                f"recent search pages hold 10 to 100 posts, got {max_results!r}",
                key_path=f"{_KEY_PATH}.max_results",
            )
        self.max_results = max_results
        self.http = HttpSettings.from_options(http_options, defaults=HTTP_DEFAULTS, source=SOURCE)
        self.clock: Clock = clock or SystemClock()
        self.transport = transport

    def query(self, symbol: str) -> str:
        """The recent-search query for ``symbol``."""
        return build_query(symbol, self.aliases.get(symbol.upper(), ()), self.filters)

    def fetch(self, symbol: str, start: pd.Timestamp, end: pd.Timestamp) -> list[SentimentItem]:
        """Posts about ``symbol`` created in [start, end], oldest first."""
        first, last = _utc(start), _utc(end)
        if first > last:
            raise ValueError(f"start {first} is after end {last}")
        query = self.query(symbol)
        since, until = self._searchable(first, last)
        posts: dict[str, Post] = {}
        with self._client() as client:
            for window_start, window_stop in _utc_days(since, until):
                for post in self._search(client, query, window_start, window_stop):
                    posts[post.id] = post
        items = [_item(symbol, post) for post in posts.values() if first <= post.created_at <= last]
        return sorted(items, key=lambda item: (item.published_at, item.id or ""))

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """Not supported: this source fetches posts; ``sentiment.scorer`` scores them."""
        raise NotImplementedError(
            f"the {SOURCE} adapter fetches posts and does not score texts; "
            "name a scorer (lexicon, transformers) as sentiment.scorer"
        )

    def __repr__(self) -> str:
        return (
            f"TwitterAdapter(aliases={self.aliases!r}, filters={self.filters!r}, "
            f"base_url={self.http.base_url!r})"
        )

    def _client(self) -> ProviderClient:
        transport = RateLimitResetTransport(self.clock, self.transport)
        return ProviderClient(SOURCE, self.http, clock=self.clock, transport=transport)

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

    def _search(
        self, client: ProviderClient, query: str, since: pd.Timestamp, until: pd.Timestamp
    ) -> Iterator[Post]:
        params: dict[str, str | int | None] = {
            "query": query,
            "start_time": _iso(since),
            "end_time": _iso(until),
            "max_results": self.max_results,
            "tweet.fields": TWEET_FIELDS,
        }

        def page(token: str | None) -> Any:
            payload = client.get_json(
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


def _utc_days(since: pd.Timestamp, until: pd.Timestamp) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """``[since, until)`` cut at UTC midnights."""
    cuts = pd.date_range(since.ceil("D"), until, freq="D", inclusive="left")
    bounds = [since, *(cut for cut in cuts if cut > since), until]
    return [(a, b) for a, b in itertools.pairwise(bounds) if a < b]


def _iso(time: pd.Timestamp) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc(value: object) -> pd.Timestamp:
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _aliases(value: Mapping[str, Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    key_path = f"{_KEY_PATH}.aliases"
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"expected a mapping of symbol to alias list ({{AAPL: [Apple stock]}}), got {value!r}",
            key_path=key_path,
        )
    aliases = {}
    for symbol, names in value.items():
        if isinstance(names, str) or not all(isinstance(name, str) for name in names):
            raise ConfigError(
                f"expected a list of alias strings, got {names!r}", key_path=f"{key_path}.{symbol}"
            )
        aliases[str(symbol).upper()] = tuple(names)
    return aliases
