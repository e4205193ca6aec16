"""The ``trends`` sentiment source: Google Trends search interest for a symbol's keywords."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final

import httpx
import pandas as pd
from mlcore.errors import ConfigError
from mlcore.sentiment import SentimentItem
from mlcore_sentiment_http import (
    Clock,
    HttpSource,
    ProviderResponse,
    as_utc,
    published_within,
    utc_range,
)
from mlcore_sentiment_http.options import flag, option_key, symbol_terms, text

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

#: HTTP settings of this source unless its config block says otherwise. Google answers
#: bursts with 429 quickly: one request every five seconds, the two of one chart at once.
HTTP_DEFAULTS: Final[Mapping[str, Any]] = {
    "base_url": "https://trends.google.com",
    "rate_limit": 0.2,
    "burst": 2,
    "retry_after_max": 120.0,
}


class GoogleTrendsAdapter(HttpSource):
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

    source: ClassVar[str] = SOURCE
    http_defaults: ClassVar[Mapping[str, Any]] = HTTP_DEFAULTS

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
        self.keywords = symbol_terms(
            keywords,
            option_key(SOURCE, "keywords"),
            most=MAX_KEYWORDS,  # Google Trends charts at most five terms together
            example="{AAPL: [AAPL, Apple stock]}",
        )
        self.geo = text(geo, option_key(SOURCE, "geo"))
        self.gprop = text(gprop, option_key(SOURCE, "gprop"))
        self.language = text(language, option_key(SOURCE, "language"))
        if isinstance(category, bool) or not isinstance(category, int) or category < 0:
            raise ConfigError(
                f"expected a Google Trends category number (0 for all), got {category!r}",
                key_path=option_key(SOURCE, "category"),
            )
        self.category = category
        self.include_partial = flag(include_partial, option_key(SOURCE, "include_partial"))
        super().__init__(clock=clock, transport=transport, **http_options)

    def keywords_for(self, symbol: str) -> tuple[str, ...]:
        """The search terms charted for ``symbol``."""
        return self.keywords.get(symbol.upper(), (symbol,))

    def fetch(self, symbol: str, start: object, end: object) -> list[SentimentItem]:
        """Interest points of ``symbol``'s keywords published in [start, end], oldest first."""
        first, last = utc_range(start, end)
        asked_at = pd.Timestamp(self.clock.now(), unit="s", tz="UTC")
        items = [
            _item(symbol, point, _known_at(point, asked_at))
            for point in self.interest_over_time(self.keywords_for(symbol), first, last)
            if self.include_partial or not point.partial
        ]
        return published_within(items, first, last)

    def interest_over_time(
        self, keywords: Sequence[str], start: object, end: object
    ) -> list[TrendPoint]:
        """Every point Google charts for ``keywords`` over a window that covers the
        periods ending in [start, end], partial ones included."""
        start, end = as_utc(start), as_utc(end)
        # One period before the start, so that the first period ending in range is charted.
        period = period_length([start], end - start)
        window_start = start - period
        explore = self._explore_params(keywords, _time_range(window_start, end, period))
        # Cached under the chart's path with the explore query, since the chart's own query
        # holds a token that is new in every session; settled once ``end``'s period is over.
        chart = self.client.cached(
            MULTILINE_PATH,
            explore,
            complete_before=end + period,
            produce=lambda: self._download(explore),
        )
        return parse_interest_over_time(chart.text, keywords, end - window_start)

    def __repr__(self) -> str:
        return (
            f"GoogleTrendsAdapter(keywords={self.keywords!r}, geo={self.geo!r}, "
            f"base_url={self.http.base_url!r})"
        )

    def _download(self, explore: Mapping[str, str]) -> ProviderResponse:
        request, token = parse_timeseries_widget(self.client.get_text(EXPLORE_PATH, explore))
        chart = {
            "hl": self.language,
            "tz": "0",
            "req": json.dumps(request, separators=(",", ":")),
            "token": token,
        }
        return self.client.get(MULTILINE_PATH, chart, expect_json=False)

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


def _known_at(point: TrendPoint, asked_at: pd.Timestamp) -> pd.Timestamp:
    """When a point's value became known: its period's end, or, for a period that had not
    ended, the time of the request."""
    return min(point.period_end, asked_at) if point.partial else point.period_end


def _item(symbol: str, point: TrendPoint, published: pd.Timestamp) -> SentimentItem:
    suffix = "/partial" if point.partial else ""
    return SentimentItem(
        source=SOURCE,
        symbol=symbol,
        published_at=published,
        engagement=point.interest,
        id=f"{point.keyword}@{point.period_start:%Y-%m-%dT%H:%M}Z{suffix}",
    )
