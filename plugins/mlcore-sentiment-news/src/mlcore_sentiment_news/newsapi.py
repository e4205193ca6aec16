"""A NewsAPI-style ``/v2/everything`` query, and its answer turned into entries.

Format (https://newsapi.org/docs/endpoints/everything): ``{status: "ok", totalResults,
articles: [{source: {id, name}, author, title, description, url, urlToImage,
publishedAt (ISO 8601), content}]}``; errors are ``{status: "error", code, message}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mlcore.errors import SentimentSourceError
from mlcore_sentiment_http import parse_time

from mlcore_sentiment_news.feeds import SOURCE, FeedEntry, plain_text

__all__ = ["newsapi_articles", "newsapi_query", "newsapi_total"]


def newsapi_query(symbol: str, aliases: Iterable[str] = ()) -> str:
    """The ``q`` of a symbol: the ticker and its aliases, each quoted once, joined by OR."""
    terms = dict.fromkeys([symbol, *aliases])
    return " OR ".join(f'"{term}"' for term in terms)


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
        published_at=parse_time(article.get("publishedAt")),
    )


def _string(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
