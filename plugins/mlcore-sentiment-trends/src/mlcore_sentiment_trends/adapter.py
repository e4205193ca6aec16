"""The ``trends`` sentiment source: Google Trends search interest for a symbol's keywords."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final

import httpx
import numpy as np
import pandas as pd
from mlcore.errors import ConfigError
from mlcore.sentiment import SentimentItem
from mlcore_sentiment_http import (
    Clock,
    HttpSettings,
    ProviderClient,
    ProviderResponse,
    ResponseCache,
    SystemClock,
    cache_key,
)

from mlcore_sentiment_trends.payloads import (
    SOURCE,
    TrendPoint,
    parse_interest_over_time,
    parse_timeseries_widget,
    period_length,
)

__all__ = ["HTTP_DEFAULTS", "MAX_KEYWORDS", "GoogleTrendsAdapter"]

EXPLORE_PATH: Final = "/trends/api/explore"
MULTILINE_PATH: Final = "/trends/api/widgetdata/multiline"
#: Google Trends compares at most five terms in one chart.
MAX_KEYWORDS: Final = 5
_KEY_PATH: Final = f"sentiment.sources_config.{SOURCE}"

#: HTTP settings of this source unless its config block says otherwise. Google answers
#: bursts with 429 quickly: one request every five seconds, the two of one chart at once.
HTTP_DEFAULTS: Final[Mapping[str, Any]] = {
    "base_url": "https://trends.google.com",
    "rate_limit": 0.2,
    "burst": 2,
    "retry_after_max": 120.0,
}


class GoogleTrendsAdapter:
    """Search interest (0-100) over time for a symbol, from Google Trends.

    The search terms are the symbol itself, or its entry in ``keywords`` (``{"AAPL":
    ["AAPL", "Apple stock"]}``, at most five, charted together so their values share one
    scale). ``geo`` (``"US"``; empty for worldwide), ``category`` and ``gprop`` (``""``
    web search, ``"news"``, ``"youtube"``...) narrow the search as on the website.

    Each point becomes an item with empty text and ``engagement`` = interest: attention,
    not a score. Its ``published_at`` is the end of its period (an hour, a day or a week),
    when the value became known; its ``id`` is ``<keyword>@<period start>``. Periods that
    had not ended when Google answered (``isPartial``) change later and are left out
    unless ``include_partial``; then they are published at the time of the request and
    their id ends in ``/partial``.

    Interest is scaled to the busiest period of the requested window (100), so values
    from windows of different lengths are not comparable: a point's value depends on the
    window it was fetched with.

    Every other keyword argument is an HTTP setting
    (:class:`~mlcore_sentiment_http.HttpSettings`) over :data:`HTTP_DEFAULTS`; no token
    is needed. ``clock`` and ``transport`` are for tests.
    """

    capabilities: ClassVar[frozenset[str]] = frozenset({"fetch"})

    def __init__(
        self,
        *,
        keywords: Mapping[str, str | Sequence[str]] | None = None,
        geo: str = "",
        category: int = 0,
        gprop: str = "",
        language: str = "en-US",
        include_partial: bool = False,
        clock: Clock | None = None,
        transport: httpx.BaseTransport | None = None,
        **http_options: Any,
    ) -> None:
        self.keywords = _keywords(keywords)
        self.geo = _text(geo, "geo")
        self.gprop = _text(gprop, "gprop")
        self.language = _text(language, "language")
        if isinstance(category, bool) or not isinstance(category, int) or category < 0:
            raise ConfigError(
                f"expected a Google Trends category number (0 for all), got {category!r}",
                key_path=f"{_KEY_PATH}.category",
            )
        self.category = category
        if not isinstance(include_partial, bool):
            raise ConfigError(
                f"expected true or false, got {include_partial!r}",
                key_path=f"{_KEY_PATH}.include_partial",
            )
        self.include_partial = include_partial
        self.http = HttpSettings.from_options(http_options, defaults=HTTP_DEFAULTS, source=SOURCE)
        self.clock: Clock = clock or SystemClock()
        self.transport = transport

    def keywords_for(self, symbol: str) -> tuple[str, ...]:
        """The search terms charted for ``symbol``."""
        return self.keywords.get(symbol.upper(), (symbol,))

    def fetch(self, symbol: str, start: pd.Timestamp, end: pd.Timestamp) -> list[SentimentItem]:
        """Interest points of ``symbol``'s keywords published in [start, end], oldest first."""
        first, last = _utc(start), _utc(end)
        if first > last:
            raise ValueError(f"start {first} is after end {last}")
        asked_at = pd.Timestamp(self.clock.now(), unit="s", tz="UTC")
        items = []
        for point in self.interest_over_time(self.keywords_for(symbol), first, last):
            if point.partial and not self.include_partial:
                continue
            published = min(point.period_end, asked_at) if point.partial else point.period_end
            if first <= published <= last:
                items.append(_item(symbol, point, published))
        return sorted(items, key=lambda item: (item.published_at, item.id or ""))

    def interest_over_time(
        self, keywords: Sequence[str], start: object, end: object
    ) -> list[TrendPoint]:
        """Every point Google charts for ``keywords`` over a window that covers the
        periods ending in [start, end], partial ones included."""
        start, end = _utc(start), _utc(end)
        # One period before the start, so that the first period ending in range is charted.
        period = period_length([start], end - start)
        window_start = start - period
        explore = self._explore_params(keywords, _time_range(window_start, end, period))
        # The chart is cached under the explore request: the token of the second request
        # is new in every session, so its own URL never repeats.
        key = cache_key("GET", httpx.URL(self.http.base_url + MULTILINE_PATH, params=explore))
        # The chart runs to the end of the period holding ``end``: settled once that is over.
        settled = (end + period).timestamp() <= self.clock.now() - self.http.cache_settle
        cache = ResponseCache(self.http.cache_path) if self.http.cache_path else None
        try:
            cached = cache.get(key) if cache is not None and settled else None
            body = cached.text if cached is not None else self._download(explore)
            points = parse_interest_over_time(body, keywords, end - window_start)
            if cache is not None and settled and cached is None:
                stored = ProviderResponse(path=MULTILINE_PATH, status=200, headers={}, text=body)
                cache.put(key, stored, stored_at=self.clock.now())
        finally:
            if cache is not None:
                cache.close()
        return points

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """Not supported: search interest is attention, not a text to score."""
        raise NotImplementedError(
            f"the {SOURCE} adapter fetches search interest and does not score texts; "
            "name a scorer (lexicon, transformers) as sentiment.scorer"
        )

    def __repr__(self) -> str:
        return (
            f"GoogleTrendsAdapter(keywords={self.keywords!r}, geo={self.geo!r}, "
            f"base_url={self.http.base_url!r})"
        )

    def _download(self, explore: Mapping[str, str]) -> str:
        settings = self.http.evolve(cache_path=None)
        with ProviderClient(SOURCE, settings, clock=self.clock, transport=self.transport) as client:
            request, token = parse_timeseries_widget(client.get_text(EXPLORE_PATH, explore))
            chart = {
                "hl": self.language,
                "tz": "0",
                "req": json.dumps(request, separators=(",", ":")),
                "token": token,
            }
            return client.get_text(MULTILINE_PATH, chart)

    def _explore_params(self, keywords: Sequence[str], time_range: str) -> dict[str, str]:
        request = {
            "comparisonItem": [
                {"keyword": keyword, "geo": self.geo, "time": time_range} for keyword in keywords
            ],
            "category": self.category,
            "property": self.gprop,
        }
        # tz=0: Google reports periods in UTC.
        return {"hl": self.language, "tz": "0", "req": json.dumps(request, separators=(",", ":"))}


def _time_range(start: pd.Timestamp, end: pd.Timestamp, period: pd.Timedelta) -> str:
    """Google's ``time`` for a custom window: by the hour for hourly periods, else by day."""
    if period < pd.Timedelta(days=1):
        return f"{start:%Y-%m-%dT%H} {end:%Y-%m-%dT%H}"
    return f"{start:%Y-%m-%d} {end:%Y-%m-%d}"


def _item(symbol: str, point: TrendPoint, published: pd.Timestamp) -> SentimentItem:
    suffix = "/partial" if point.partial else ""
    return SentimentItem(
        source=SOURCE,
        symbol=symbol,
        published_at=published,
        engagement=point.interest,
        id=f"{point.keyword}@{point.period_start:%Y-%m-%dT%H:%M}Z{suffix}",
    )


def _utc(value: object) -> pd.Timestamp:
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _text(value: object, key: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"expected text, got {value!r}", key_path=f"{_KEY_PATH}.{key}")
    return value


def _keywords(value: Mapping[str, str | Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    key_path = f"{_KEY_PATH}.keywords"
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"expected a mapping of symbol to search terms ({{AAPL: [AAPL, Apple stock]}}), "
            f"got {value!r}",
            key_path=key_path,
        )
    keywords = {}
    for symbol, terms in value.items():
        listed = (terms,) if isinstance(terms, str) else tuple(terms)
        if (
            not listed
            or len(listed) > MAX_KEYWORDS
            or not all(isinstance(term, str) and term.strip() for term in listed)
        ):
            raise ConfigError(
                f"expected 1 to {MAX_KEYWORDS} search terms (Google Trends charts at most "
                f"{MAX_KEYWORDS} together), got {terms!r}",
                key_path=f"{key_path}.{symbol}",
            )
        keywords[str(symbol).upper()] = tuple(term.strip() for term in listed)
    return keywords
