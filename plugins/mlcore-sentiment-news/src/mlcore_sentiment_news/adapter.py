"""NewsSource: the ``news`` sentiment adapter (RSS/Atom feeds and a NewsAPI-style endpoint)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, ClassVar, Final
from urllib.parse import quote

import httpx
import numpy as np
import pandas as pd
from mlcore.errors import ConfigError, SentimentSourceError
from mlcore.sentiment import SentimentItem
from mlcore_sentiment_http import (
    Clock,
    HttpSettings,
    ProviderClient,
    SystemClock,
    iter_pages,
    split_range,
)

from mlcore_sentiment_news.feeds import SOURCE, FeedEntry, parse_feed
from mlcore_sentiment_news.keywords import KeywordMatcher
from mlcore_sentiment_news.newsapi import newsapi_articles, newsapi_total

__all__ = ["HTTP_DEFAULTS", "NewsSource"]

logger = logging.getLogger("mlcore_sentiment_news")

#: NewsAPI's defaults under the shared HTTP options; feeds on other hosts never get the key.
HTTP_DEFAULTS: Final = {
    "base_url": "https://newsapi.org",
    "token_env": "NEWSAPI_KEY",
    "auth_header": "X-Api-Key",
    "auth_scheme": "",
    "rate_limit": 1.0,
}
SYMBOL_PLACEHOLDER: Final = "{symbol}"
_KEY: Final = f"sentiment.sources_config.{SOURCE}"

#: One part of a fetch: a feed or the NewsAPI endpoint, giving entries and whether they
#: still need the keyword filter.
_Part = Callable[[str, pd.Timestamp, pd.Timestamp], tuple[list[FeedEntry], bool]]


class NewsSource:
    """Headlines about a symbol from RSS/Atom feeds and a NewsAPI-style JSON endpoint.

    Parameters
    ----------
    feeds
        Feed URLs (RSS 2.0, RSS 1.0 or Atom). A URL containing ``{symbol}`` is a
        per-symbol feed (``...headline?s={symbol}``): all its entries count. Entries of
        other feeds count when they mention the symbol (see ``aliases``).
    newsapi
        Also query ``newsapi_path`` on ``base_url`` (NewsAPI's ``/v2/everything`` by
        default) with the key from ``$NEWSAPI_KEY`` sent as ``X-Api-Key``.
    aliases
        Extra keywords per symbol, ``{"AAPL": ["Apple", "iPhone"]}``: matched as whole
        words, case-insensitively; the ticker itself is matched case-sensitively, with or
        without ``$``. They also make up the NewsAPI query (``"AAPL" OR "Apple" ...``).
    language, page_size, max_pages, window_days
        NewsAPI ``language``; results per page (at most 100); pages per window; days per
        request window (a long backfill is split so settled windows are cached).
    clock, transport
        Time and sleep, and an httpx transport (for tests).
    **http_options
        The shared HTTP options (:class:`~mlcore_sentiment_http.HttpSettings`) over
        :data:`HTTP_DEFAULTS`.

    Items come unscored (the kernel's scorer scores them), deduplicated by URL keeping
    the earliest time, sorted by time. A part that fails (a feed that is down, malformed
    XML, NewsAPI refusing the key) is skipped with a warning and kept in ``failures``;
    only when every part fails does ``fetch`` raise. Feeds list only their recent
    entries, so a backfill over past months finds little in them; NewsAPI covers the past.
    """

    capabilities: ClassVar[frozenset[str]] = frozenset({"fetch"})

    def __init__(
        self,
        *,
        feeds: Sequence[str] = (),
        newsapi: bool = False,
        aliases: Mapping[str, Sequence[str] | str] | None = None,
        newsapi_path: str = "/v2/everything",
        language: str | None = None,
        page_size: int = 100,
        max_pages: int = 5,
        window_days: int = 7,
        clock: Clock | None = None,
        transport: httpx.BaseTransport | None = None,
        **http_options: Any,
    ) -> None:
        self.feeds = _check_feeds(feeds)
        self.newsapi = _check_bool(newsapi, "newsapi")
        if not self.feeds and not self.newsapi:
            raise ConfigError(
                "the news source has nothing to read: list feed URLs under feeds, and/or set "
                "newsapi: true (with the key in $NEWSAPI_KEY)",
                key_path=f"{_KEY}.feeds",
            )
        self.aliases = _check_aliases(aliases or {})
        self.newsapi_path = newsapi_path
        self.language = language
        self.page_size = _check_int(page_size, "page_size", 1, 100)
        self.max_pages = _check_int(max_pages, "max_pages", 1, 1000)
        self.window_days = _check_int(window_days, "window_days", 1, 3650)
        self.http = HttpSettings.from_options(http_options, defaults=HTTP_DEFAULTS, source=SOURCE)
        self.clock: Clock = clock or SystemClock()
        self.transport = transport
        self.failures: list[SentimentSourceError] = []
        self._client: ProviderClient | None = None

    # ------------------------------------------------------------------ protocol

    def fetch(self, symbol: str, start: pd.Timestamp, end: pd.Timestamp) -> list[SentimentItem]:
        """Items about ``symbol`` published in ``[start, end]``, sorted by time, unique."""
        start, end = _utc(start), _utc(end)
        matcher = KeywordMatcher(symbol, self.aliases.get(symbol, ()))
        self.failures = []
        entries: list[FeedEntry] = []
        parts = self._parts(matcher)
        for name, part in parts:
            try:
                found, needs_filter = part(symbol, start, end)
            except SentimentSourceError as error:
                logger.warning("%s: %s skipped: %s", SOURCE, name, error)
                self.failures.append(error)
                continue
            entries += [e for e in found if not needs_filter or matcher.matches(_words(e))]
        if len(self.failures) == len(parts):
            if len(parts) == 1:
                raise self.failures[0]
            raise SentimentSourceError(
                SOURCE, "every feed and endpoint failed: " + "; ".join(map(str, self.failures))
            )
        return _items(entries, symbol, start, end)

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """Not supported: news is a source; the kernel's ``sentiment.scorer`` scores."""
        raise NotImplementedError(
            "the news adapter fetches items and does not score texts; set sentiment.scorer "
            "to a scoring adapter (lexicon, transformers)"
        )

    # ------------------------------------------------------------------ parts

    def _parts(self, matcher: KeywordMatcher) -> list[tuple[str, _Part]]:
        parts: list[tuple[str, _Part]] = [
            (f"feed {url}", self._feed_reader(url)) for url in self.feeds
        ]
        if self.newsapi:
            parts.append((f"GET {self.newsapi_path}", self._newsapi_reader(matcher)))
        return parts

    def _feed_reader(self, template: str) -> _Part:
        def read(
            symbol: str, start: pd.Timestamp, end: pd.Timestamp
        ) -> tuple[list[FeedEntry], bool]:
            per_symbol = SYMBOL_PLACEHOLDER in template
            url = template.replace(SYMBOL_PLACEHOLDER, quote(symbol, safe=""))
            # Feeds change as they are read: never cached (no complete_before).
            return parse_feed(self.client.get_text(url), url), not per_symbol

        return read

    def _newsapi_reader(self, matcher: KeywordMatcher) -> _Part:
        def read(
            symbol: str, start: pd.Timestamp, end: pd.Timestamp
        ) -> tuple[list[FeedEntry], bool]:
            entries: list[FeedEntry] = []
            for first, last in split_range(start, end, timedelta(days=self.window_days)):
                entries += self._newsapi_window(matcher.query(), first, last)
            return entries, False  # the query already asked for the symbol's keywords

        return read

    def _newsapi_window(self, query: str, first: datetime, last: datetime) -> list[FeedEntry]:
        params = {
            "q": query,
            "from": _iso(first),
            "to": _iso(last),
            "language": self.language,
            "sortBy": "publishedAt",
            "pageSize": self.page_size,
        }
        path = self.newsapi_path
        return list(
            iter_pages(
                lambda page: self.client.get_json(
                    path, {**params, "page": page}, complete_before=last
                ),
                items=lambda body: newsapi_articles(body, path),
                total=newsapi_total,
                page_size=self.page_size,
                max_pages=self.max_pages,
            )
        )

    # ------------------------------------------------------------------ plumbing

    @property
    def client(self) -> ProviderClient:
        """The HTTP client, created on first use."""
        if self._client is None:
            self._client = ProviderClient(
                SOURCE, self.http, clock=self.clock, transport=self.transport
            )
        return self._client

    def close(self) -> None:
        """Close the HTTP client and the cache file."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> NewsSource:
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

    def __repr__(self) -> str:
        return (
            f"NewsSource(feeds={list(self.feeds)!r}, newsapi={self.newsapi!r}, "
            f"base_url={self.http.base_url!r}, token_env={self.http.token_env!r})"
        )


def _items(
    entries: Iterable[FeedEntry], symbol: str, start: pd.Timestamp, end: pd.Timestamp
) -> list[SentimentItem]:
    earliest: dict[str, FeedEntry] = {}
    for entry in entries:
        when = entry.published_at
        if when is None or not start <= when <= end:
            continue
        key = entry.link or entry.id or f"{entry.title}|{entry.summary}"
        kept = earliest.get(key)
        if kept is None or (kept.published_at is not None and when < kept.published_at):
            earliest[key] = entry
    items = [
        SentimentItem(
            source=SOURCE,
            symbol=symbol,
            published_at=entry.published_at,
            title=entry.title,
            text=entry.summary,
            author=entry.author,
            url=entry.link,
            id=entry.id or entry.link,
        )
        for entry in earliest.values()
    ]
    return sorted(items, key=lambda item: (item.published_at, item.url or "", item.title))


def _words(entry: FeedEntry) -> str:
    return f"{entry.title} {entry.summary}"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc(value: pd.Timestamp) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _check_feeds(feeds: Sequence[str]) -> tuple[str, ...]:
    listed = (feeds,) if isinstance(feeds, str) else tuple(feeds)
    for position, url in enumerate(listed):
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ConfigError(
                f"a feed is an http(s) URL, got {url!r}", key_path=f"{_KEY}.feeds[{position}]"
            )
    return listed


def _check_aliases(aliases: Mapping[str, Sequence[str] | str]) -> dict[str, tuple[str, ...]]:
    if not isinstance(aliases, Mapping):
        raise ConfigError(
            "aliases maps a symbol to its keywords, e.g. {AAPL: [Apple, iPhone]}",
            key_path=f"{_KEY}.aliases",
        )
    checked = {}
    for symbol, words in aliases.items():
        listed = (words,) if isinstance(words, str) else tuple(words)
        if not all(isinstance(word, str) and word.strip() for word in listed):
            raise ConfigError(
                f"keywords must be non-empty strings, got {words!r}",
                key_path=f"{_KEY}.aliases.{symbol}",
            )
        checked[str(symbol)] = listed
    return checked


def _check_int(value: int, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(
            f"must be an integer in [{low}, {high}], got {value!r}", key_path=f"{_KEY}.{name}"
        )
    return value


def _check_bool(value: bool, name: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"must be true or false, got {value!r}", key_path=f"{_KEY}.{name}")
    return value
