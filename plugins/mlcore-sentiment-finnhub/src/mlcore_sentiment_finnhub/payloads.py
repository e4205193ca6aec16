"""Finnhub's JSON payloads turned into sentiment items.

Formats (https://finnhub.io/docs/api):

- ``/company-news``: a list of ``{category, datetime (Unix seconds), headline, id, image,
  related, source, summary, url}``.
- ``/news-sentiment``: one snapshot ``{buzz: {articlesInLastWeek, buzz, weeklyAverage},
  companyNewsScore, sectorAverageBullishPercent, sectorAverageNewsScore,
  sentiment: {bearishPercent, bullishPercent}, symbol}`` describing the past week.
- ``/stock/social-sentiment``: ``{symbol, data: [...]}`` (older responses: ``reddit``
  and ``twitter`` lists) of per-period rows ``{atTime, mention, positiveMention,
  negativeMention, positiveScore, negativeScore, score}`` with ``score`` in [-1, 1].
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any, Final

import pandas as pd
from mlcore.errors import SentimentSourceError
from mlcore.sentiment import SentimentItem
from mlcore_sentiment_http import parse_time

__all__ = ["SOURCE", "company_news_items", "news_sentiment_item", "social_sentiment_items"]

SOURCE: Final = "finnhub"

logger = logging.getLogger("mlcore_sentiment_finnhub")

#: Social sentiment lists and the platform each stands for (None: not said).
_SOCIAL_LISTS: Final = (("data", None), ("reddit", "reddit"), ("twitter", "twitter"))


def company_news_items(body: Any, symbol: str) -> list[SentimentItem]:
    """Items of a ``/company-news`` answer; articles without a valid ``datetime`` are
    skipped (and counted in a log line), since they cannot be placed in time."""
    if not isinstance(body, list):
        raise _shape_error("/company-news", body, "a list of articles")
    items, skipped = [], 0
    for article in body:
        published = _unix_time(article.get("datetime")) if isinstance(article, dict) else None
        if published is None:
            skipped += 1
            continue
        items.append(
            SentimentItem(
                source=SOURCE,
                symbol=symbol,
                published_at=published,
                title=_text(article.get("headline")),
                text=_text(article.get("summary")),
                author=_text(article.get("source")) or None,
                url=_text(article.get("url")) or None,
                id=_article_id(article),
            )
        )
    _log_skipped(skipped, "/company-news", "articles without a valid datetime")
    return items


def social_sentiment_items(body: Any, symbol: str, period: pd.Timedelta) -> list[SentimentItem]:
    """Items of a ``/stock/social-sentiment`` answer, one per period row with mentions.

    ``atTime`` starts a period of length ``period`` whose counts are only complete at its
    end, so an item is published at ``atTime + period``: a bar before the period closes
    never sees it. Rows without mentions or without a finite score are skipped.
    """
    if not isinstance(body, dict):
        raise _shape_error("/stock/social-sentiment", body, "an object with a 'data' list")
    items, skipped = [], 0
    for key, platform in _SOCIAL_LISTS:
        rows = body.get(key) or []
        if not isinstance(rows, list):
            raise _shape_error("/stock/social-sentiment", rows, f"a list under {key!r}")
        for row in rows:
            item = _social_item(row, symbol, period, platform)
            if item is None:
                skipped += 1
            else:
                items.append(item)
    _log_skipped(skipped, "/stock/social-sentiment", "rows without mentions or a score")
    return items


def news_sentiment_item(body: Any, symbol: str, at: pd.Timestamp) -> SentimentItem | None:
    """The ``/news-sentiment`` snapshot as one item published at ``at`` (when it was
    fetched: it describes the week up to then), scored ``bullishPercent -
    bearishPercent``, or ``2 * companyNewsScore - 1`` when the split is missing. None for
    an empty snapshot (a symbol Finnhub does not cover)."""
    if not isinstance(body, dict):
        raise _shape_error("/news-sentiment", body, "an object")
    score = _news_score(body)
    if score is None:
        return None
    buzz = body.get("buzz")
    articles = _number(buzz.get("articlesInLastWeek")) if isinstance(buzz, dict) else None
    return SentimentItem(
        source=SOURCE,
        symbol=symbol,
        published_at=at,
        score=score,
        engagement=articles,
        id=f"news-sentiment:{symbol}:{at.isoformat()}",
    )


def _social_item(
    row: Any, symbol: str, period: pd.Timedelta, platform: str | None
) -> SentimentItem | None:
    if not isinstance(row, dict):
        return None
    mentions, score = _number(row.get("mention")), _number(row.get("score"))
    start = parse_time(row.get("atTime"))
    if start is None or not mentions or score is None:
        return None
    return SentimentItem(
        source=SOURCE,
        symbol=symbol,
        published_at=start + period,
        score=min(1.0, max(-1.0, score)),
        author=platform,
        engagement=mentions,
        id=f"social:{platform or 'all'}:{start.isoformat()}",
    )


def _news_score(body: Mapping[str, Any]) -> float | None:
    split = body.get("sentiment")
    if isinstance(split, dict):
        bullish, bearish = (
            _number(split.get("bullishPercent")),
            _number(split.get("bearishPercent")),
        )
        if bullish is not None and bearish is not None:
            return min(1.0, max(-1.0, bullish - bearish))
    company = _number(body.get("companyNewsScore"))
    return None if company is None else min(1.0, max(-1.0, 2.0 * company - 1.0))


def _unix_time(value: Any) -> pd.Timestamp | None:
    seconds = _number(value)
    if seconds is None or seconds <= 0:
        return None
    return pd.Timestamp(seconds, unit="s", tz="UTC")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _article_id(article: Mapping[str, Any]) -> str | None:
    value = article.get("id")
    if isinstance(value, int | str) and not isinstance(value, bool) and str(value):
        return str(value)
    return _text(article.get("url")) or None


def _shape_error(path: str, body: Any, expected: str) -> SentimentSourceError:
    found = type(body).__name__
    detail = f" ({body['error']})" if isinstance(body, dict) and "error" in body else ""
    return SentimentSourceError(
        SOURCE,
        f"GET {path} returned a JSON {found}{detail} where Finnhub documents {expected}; "
        "check base_url and the Finnhub API version",
    )


def _log_skipped(count: int, path: str, what: str) -> None:
    if count:
        logger.warning("%s: skipped %d %s from GET %s", SOURCE, count, what, path)
