"""NewsSource: the ``news`` sentiment adapter (RSS/Atom feeds and a NewsAPI-style endpoint)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Final
from urllib.parse import quote

import httpx
import pandas as pd
from mlcore.errors import ConfigError, SentimentSourceError
from mlcore.sentiment import SentimentItem
from mlcore_sentiment_http import (
    Clock,
    HttpSource,
    iter_pages,
    mention_pattern,
    published_within,
    split_range,
    utc_range,
)
from mlcore_sentiment_http.options import flag, option_key, symbol_terms, whole_number

from mlcore_sentiment_news.feeds import SOURCE, FeedEntry, parse_feed
from mlcore_sentiment_news.newsapi import newsapi_articles, newsapi_query, newsapi_total

__all__ = ["HTTP_DEFAULTS", "NewsSource"]

logger = logging.getLogger("mlcore_sentiment_news")

#: NewsAPI's defaults under the shared HTTP options; feeds on other hosts never get the key.
HTTP_DEFAULTS: Final[Mapping[str, Any]] = {
    "base_url": "https://newsapi.org",
    "token_env": "NEWSAPI_KEY",
    "auth_header": "X-Api-Key",
    "auth_scheme": "",
    "rate_limit": 1.0,
}
SYMBOL_PLACEHOLDER: Final = "{symbol}"

#: One part of a fetch: a feed or the NewsAPI endpoint, giving entries and whether they
#: still need the keyword filter.
_Part = Callable[[str, pd.Timestamp, pd.Timestamp], tuple[list[FeedEntry], bool]]


class NewsSource(HttpSource):
    """Headlines about a symbol from RSS/Atom feeds and a NewsAPI-style JSON endpoint.

    Parameters
    ----------
    feeds
        Feed URLs (RSS 2.0, RSS 1.0 or Atom). A URL containing ``{symbol}`` is a
        per-symbol feed (``...headline?s={symbol}``): all its entries count. Entries of
        other feeds count when they mention the symbol (see ``aliases``). A feed is read
        as bytes, so the encoding its XML declaration names counts (a ``charset`` in the
        ``Content-Type`` header takes precedence, as RFC 7303 has it).
    newsapi
        Also query ``newsapi_path`` on ``base_url`` (NewsAPI's ``/v2/everything`` by
        default) with the key from ``$NEWSAPI_KEY`` sent as ``X-Api-Key``.
    aliases
        Extra keywords per symbol, ``{"AAPL": ["Apple", "iPhone"]}``: matched as whole
        words, case-insensitively; the ticker itself counts in capitals (``AAPL``) or as
        a cashtag (``$AAPL``, any case). They also make up the NewsAPI query (``"AAPL" OR
        "Apple" ...``).
    language, page_size, max_pages, window_days
        NewsAPI ``language``; results per page (at most 100); pages per window; days per
        request window (a long backfill is split so settled windows are cached).
    clock, transport
        Time and sleep, and an httpx transport (for tests).
    **http_options
        The shared HTTP options (:class:`~mlcore_sentiment_http.HttpSettings`) over
        :data:`HTTP_DEFAULTS`.

    Items come unscored (the kernel's scorer scores them), identified by their URL (else
    the feed's id), deduplicated keeping the earliest time, sorted by time. A part that
    fails (a feed that is down, malformed XML, NewsAPI refusing the key) is skipped with a
    warning and kept in ``failures``; only when every part fails does ``fetch`` raise.
    Feeds list only their recent entries, so a backfill over past months finds little in
    them; NewsAPI covers the past.
    """

    source: ClassVar[str] = SOURCE
    http_defaults: ClassVar[Mapping[str, Any]] = HTTP_DEFAULTS

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
        self.newsapi = flag(newsapi, option_key(SOURCE, "newsapi"))
        if not self.feeds and not self.newsapi:
            raise ConfigError(
                "the news source has nothing to read: list feed URLs under feeds, and/or set "
                "newsapi: true (with the key in $NEWSAPI_KEY)",
                key_path=option_key(SOURCE, "feeds"),
            )
        self.aliases = symbol_terms(aliases, option_key(SOURCE, "aliases"))
        self.newsapi_path = newsapi_path
        self.language = language
        self.page_size = _count(page_size, "page_size", 100)
        self.max_pages = _count(max_pages, "max_pages", 1000)
        self.window_days = _count(window_days, "window_days", 3650)
        self.failures: list[SentimentSourceError] = []
        super().__init__(clock=clock, transport=transport, **http_options)

    # ------------------------------------------------------------------ protocol

    def fetch(self, symbol: str, start: object, end: object) -> list[SentimentItem]:
        """Items about ``symbol`` published in ``[start, end]``, sorted by time, unique."""
        start, end = utc_range(start, end)
        aliases = self.aliases.get(symbol.upper(), ())
        mentions = mention_pattern(symbol, aliases)
        self.failures = []
        entries: list[FeedEntry] = []
        parts = self._parts(newsapi_query(symbol, aliases))
        for name, part in parts:
            try:
                found, needs_filter = part(symbol, start, end)
            except SentimentSourceError as error:
                logger.warning("%s: %s skipped: %s", SOURCE, name, error)
                self.failures.append(error)
                continue
            entries += [e for e in found if not needs_filter or mentions.search(_words(e))]
        if len(self.failures) == len(parts):
            if len(parts) == 1:
                raise self.failures[0]
            raise SentimentSourceError(
                SOURCE, "every feed and endpoint failed: " + "; ".join(map(str, self.failures))
            )
        return published_within(_items(entries, symbol), start, end)

    # ------------------------------------------------------------------ parts

    def _parts(self, query: str) -> list[tuple[str, _Part]]:
        parts: list[tuple[str, _Part]] = [
            (f"feed {url}", self._feed_reader(url)) for url in self.feeds
        ]
        if self.newsapi:
            parts.append((f"GET {self.newsapi_path}", self._newsapi_reader(query)))
        return parts

    def _feed_reader(self, template: str) -> _Part:
        def read(
            symbol: str, start: pd.Timestamp, end: pd.Timestamp
        ) -> tuple[list[FeedEntry], bool]:
            per_symbol = SYMBOL_PLACEHOLDER in template
            url = template.replace(SYMBOL_PLACEHOLDER, quote(symbol, safe=""))
            # Feeds change as they are read: never cached (no complete_before).
            response = self.client.get(url, expect_json=False)
            return parse_feed(response.content, url, charset=response.charset), not per_symbol

        return read

    def _newsapi_reader(self, query: str) -> _Part:
        def read(
            symbol: str, start: pd.Timestamp, end: pd.Timestamp
        ) -> tuple[list[FeedEntry], bool]:
            entries: list[FeedEntry] = []
            for first, last in split_range(start, end, timedelta(days=self.window_days)):
                entries += self._newsapi_window(query, first, last)
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

    def __repr__(self) -> str:
        return (
            f"NewsSource(feeds={list(self.feeds)!r}, newsapi={self.newsapi!r}, "
            f"base_url={self.http.base_url!r}, token_env={self.http.token_env!r})"
        )


def _items(entries: Iterable[FeedEntry], symbol: str) -> list[SentimentItem]:
    """An item per entry that has a time (without one it cannot be placed on a bar)."""
    return [
        SentimentItem(
            source=SOURCE,
            symbol=symbol,
            published_at=entry.published_at,
            title=entry.title,
            text=entry.summary,
            author=entry.author,
            url=entry.link,
            # The URL first: the same article in two feeds is one item.
            id=entry.link or entry.id,
        )
        for entry in entries
        if entry.published_at is not None
    ]


def _words(entry: FeedEntry) -> str:
    return f"{entry.title} {entry.summary}"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_feeds(feeds: Sequence[str]) -> tuple[str, ...]:
    listed = (feeds,) if isinstance(feeds, str) else tuple(feeds)
    for position, url in enumerate(listed):
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ConfigError(
                f"a feed is an http(s) URL, got {url!r}",
                key_path=f"{option_key(SOURCE, 'feeds')}[{position}]",
            )
    return listed


def _count(value: object, name: str, most: int) -> int:
    return whole_number(value, option_key(SOURCE, name), low=1, high=most)
