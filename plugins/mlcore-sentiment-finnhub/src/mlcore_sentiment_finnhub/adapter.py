"""FinnhubSource: the ``finnhub`` sentiment adapter."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, ClassVar, Final

import httpx
import pandas as pd
from mlcore.errors import ConfigError, SentimentAuthError, SentimentSourceError
from mlcore.sentiment import SentimentItem
from mlcore_sentiment_http import Clock, HttpSource, day_windows, published_within, utc_range
from mlcore_sentiment_http.options import option_key, whole_number

from mlcore_sentiment_finnhub.payloads import (
    SOURCE,
    company_news_items,
    news_sentiment_item,
    social_sentiment_items,
)

__all__ = ["ENDPOINTS", "HTTP_DEFAULTS", "PREMIUM_ENDPOINTS", "FinnhubSource"]

logger = logging.getLogger("mlcore_sentiment_finnhub")

#: The endpoints the adapter can read, by config name.
ENDPOINTS: Final = ("company_news", "news_sentiment", "social_sentiment")
#: Endpoints outside Finnhub's free tier: a 401/403 there falls back to company news.
PREMIUM_ENDPOINTS: Final = frozenset({"news_sentiment", "social_sentiment"})
#: Finnhub's defaults under the shared HTTP options (free tier: 60 calls a minute).
HTTP_DEFAULTS: Final[Mapping[str, Any]] = {
    "base_url": "https://finnhub.io/api/v1",
    "token_env": "FINNHUB_API_KEY",
    "auth_header": "X-Finnhub-Token",
    "auth_scheme": "",
    "rate_limit": 1.0,
}


class FinnhubSource(HttpSource):
    """Items about a symbol from Finnhub's company news, news sentiment and social
    sentiment endpoints.

    Parameters
    ----------
    endpoints
        Which endpoints to read (:data:`ENDPOINTS`). Company news comes without a score
        (the kernel's scorer scores it); the two sentiment endpoints come scored.
    window_days
        Days per request for the date-ranged endpoints: a long range is split into
        windows of this many days (Finnhub caps what one request returns).
    social_period_hours
        Length of a social sentiment period; a period's item is published at its end.
    clock, transport
        Time and sleep, and an httpx transport (for tests).
    **http_options
        The shared HTTP options (:class:`~mlcore_sentiment_http.HttpSettings`) over
        :data:`HTTP_DEFAULTS`; the token is read from ``$FINNHUB_API_KEY``
        (``token_env``).

    ``failures`` holds the errors of sentiment endpoints that failed in the last fetch for
    another reason (out of retries, malformed answer): they are skipped with a warning and
    the other endpoints still count. A failure of company news raises.

    Tier-aware: when a premium endpoint (:data:`PREMIUM_ENDPOINTS`) answers 401/403, the
    adapter logs one warning, stops asking it, and reads company news instead (free tier)
    so the kernel scores the headlines locally. A 401/403 on company news itself raises
    :class:`~mlcore.errors.SentimentAuthError`.
    """

    source: ClassVar[str] = SOURCE
    http_defaults: ClassVar[Mapping[str, Any]] = HTTP_DEFAULTS

    def __init__(
        self,
        *,
        endpoints: Sequence[str] = ENDPOINTS,
        window_days: int = 7,
        social_period_hours: float = 1.0,
        clock: Clock | None = None,
        transport: httpx.BaseTransport | None = None,
        **http_options: Any,
    ) -> None:
        self.endpoints = _check_endpoints(endpoints)
        self.window_days = whole_number(window_days, option_key(SOURCE, "window_days"), low=1)
        self.social_period = pd.Timedelta(hours=_check_hours(social_period_hours))
        self.refused_endpoints: set[str] = set()
        self.failures: list[SentimentSourceError] = []
        self._announced = False
        super().__init__(clock=clock, transport=transport, **http_options)

    # ------------------------------------------------------------------ protocol

    def fetch(self, symbol: str, start: object, end: object) -> list[SentimentItem]:
        """Items about ``symbol`` published in ``[start, end]``, sorted by time, unique."""
        start, end = utc_range(start, end)
        readers: dict[str, Callable[[str, pd.Timestamp, pd.Timestamp], list[SentimentItem]]]
        readers = {
            "company_news": self._company_news,
            "news_sentiment": self._news_sentiment,
            "social_sentiment": self._social_sentiment,
        }
        items: list[SentimentItem] = []
        refused_now = []
        self.failures = []
        for endpoint in self._endpoints_to_read():
            try:
                items += readers[endpoint](symbol, start, end)
            except SentimentAuthError as error:
                if endpoint not in PREMIUM_ENDPOINTS:
                    raise
                self.refused_endpoints.add(endpoint)
                refused_now.append((endpoint, error))
            except SentimentSourceError as error:
                if endpoint not in PREMIUM_ENDPOINTS:
                    raise
                # A failing sentiment endpoint degrades to the others; company news is the base.
                logger.warning("%s: %s skipped: %s", SOURCE, endpoint, error)
                self.failures.append(error)
        if refused_now:
            self._announce_fallback(refused_now)
            if "company_news" not in self.endpoints:
                items += self._company_news(symbol, start, end)
        return published_within(items, start, end)

    # ------------------------------------------------------------------ endpoints

    def _company_news(
        self, symbol: str, start: pd.Timestamp, end: pd.Timestamp
    ) -> list[SentimentItem]:
        items = []
        for first, last in day_windows(start, end, self.window_days):
            body = self.client.get_json(
                "/company-news",
                {"symbol": symbol, "from": first.isoformat(), "to": last.isoformat()},
                complete_before=_day_end(last),
            )
            items += company_news_items(body, symbol)
        return items

    def _social_sentiment(
        self, symbol: str, start: pd.Timestamp, end: pd.Timestamp
    ) -> list[SentimentItem]:
        items = []
        # A period starting before `start` may end inside the range: ask one period earlier.
        for first, last in day_windows(start - self.social_period, end, self.window_days):
            body = self.client.get_json(
                "/stock/social-sentiment",
                {"symbol": symbol, "from": first.isoformat(), "to": last.isoformat()},
                complete_before=_day_end(last) + self.social_period,
            )
            items += social_sentiment_items(body, symbol, self.social_period)
        return items

    def _news_sentiment(
        self, symbol: str, start: pd.Timestamp, end: pd.Timestamp
    ) -> list[SentimentItem]:
        now = pd.Timestamp(self.clock.now(), unit="s", tz="UTC").floor("s")
        if not start <= now <= end:
            return []  # a snapshot of now: it belongs to no other time
        item = news_sentiment_item(
            self.client.get_json("/news-sentiment", {"symbol": symbol}), symbol, now
        )
        return [] if item is None else [item]

    # ------------------------------------------------------------------ helpers

    def _endpoints_to_read(self) -> list[str]:
        wanted = [e for e in self.endpoints if e not in self.refused_endpoints]
        if self.refused_endpoints and "company_news" not in wanted:
            wanted.insert(0, "company_news")
        return wanted

    def _announce_fallback(self, refused: Iterable[tuple[str, SentimentAuthError]]) -> None:
        if self._announced:
            return
        self._announced = True
        names = ", ".join(endpoint for endpoint, _ in refused)
        logger.warning(
            "%s: %s refused by Finnhub (%s); your subscription tier may not include it. "
            "Falling back to company news (free tier), scored locally by sentiment.scorer. "
            "Set endpoints: [company_news] to skip the premium endpoints.",
            SOURCE,
            names,
            "; ".join(str(error) for _, error in refused),
        )

    def __repr__(self) -> str:
        return (
            f"FinnhubSource(endpoints={list(self.endpoints)!r}, window_days={self.window_days}, "
            f"base_url={self.http.base_url!r}, token_env={self.http.token_env!r})"
        )


def _day_end(day: date) -> pd.Timestamp:
    return pd.Timestamp(day + timedelta(days=1), tz="UTC")


def _check_endpoints(endpoints: Sequence[str]) -> tuple[str, ...]:
    chosen = (endpoints,) if isinstance(endpoints, str) else tuple(endpoints)
    unknown = [e for e in chosen if e not in ENDPOINTS]
    if unknown or not chosen:
        raise ConfigError(
            f"unknown endpoints {unknown}; choose from {list(ENDPOINTS)}"
            if unknown
            else f"no endpoint chosen; choose from {list(ENDPOINTS)}",
            key_path=option_key(SOURCE, "endpoints"),
        )
    return tuple(dict.fromkeys(chosen))


def _check_hours(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigError(
            f"must be a number of hours > 0, got {value!r}",
            key_path=option_key(SOURCE, "social_period_hours"),
        )
    return float(value)
