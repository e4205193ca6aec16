"""A NewsAPI-style ``/v2/everything`` answer turned into entries.

Format (https://newsapi.org/docs/endpoints/everything): ``{status: "ok", totalResults,
articles: [{source: {id, name}, author, title, description, url, urlToImage,
publishedAt (ISO 8601), content}]}``; errors are ``{status: "error", code, message}``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from mlcore.errors import SentimentSourceError

from mlcore_sentiment_news.feeds import SOURCE, FeedEntry, plain_text

__all__ = ["newsapi_articles", "newsapi_total"]


def newsapi_articles(body: Any, path: str) -> list[FeedEntry]:
    """The articles of one page, in order; ``published_at`` is None where ``publishedAt``
    is missing or unreadable (the caller drops those after paginating)."""
    _check(body, path)
    articles = body.get("articles")
    if not isinstance(articles, list):
        raise SentimentSourceError(
            SOURCE, f"GET {path} answered without an 'articles' list; check newsapi_path"
        )
    return [_entry(article if isinstance(article, dict) else {}) for article in articles]


def newsapi_total(body: Any) -> int | None:
    """``totalResults`` of a page, if given."""
    total = body.get("totalResults") if isinstance(body, dict) else None
    return total if isinstance(total, int) and not isinstance(total, bool) else None


def _check(body: Any, path: str) -> None:
    if not isinstance(body, dict):
        raise SentimentSourceError(
            SOURCE, f"GET {path} returned a JSON {type(body).__name__}, not an object"
        )
    if body.get("status") == "error":
        raise SentimentSourceError(
            SOURCE, f"GET {path} answered error {body.get('code')!r}: {body.get('message')}"
        )


def _entry(article: dict[str, Any]) -> FeedEntry:
    source = article.get("source")
    publisher = source.get("name") if isinstance(source, dict) else None
    author = _string(article.get("author")) or _string(publisher)
    url = _string(article.get("url"))
    return FeedEntry(
        title=plain_text(_string(article.get("title"))),
        summary=plain_text(_string(article.get("description"))),
        link=url or None,
        id=url or None,
        author=author or None,
        published_at=_time(article.get("publishedAt")),
    )


def _time(value: Any) -> pd.Timestamp | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        stamp = pd.Timestamp(value)
    except ValueError:
        return None
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _string(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
