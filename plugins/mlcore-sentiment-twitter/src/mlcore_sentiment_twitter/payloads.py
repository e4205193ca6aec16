"""X API v2 recent-search answers, parsed into posts, and the search query for a symbol.

``GET /2/tweets/search/recent`` answers ``{"data": [...], "meta": {...}}``: each post has
``id``, ``text`` and, when asked for in ``tweet.fields``, ``created_at`` (ISO 8601, UTC),
``author_id``, ``lang`` and ``public_metrics`` (``retweet_count``, ``reply_count``,
``like_count``, ``quote_count``, ...). ``meta.result_count`` is the number of posts on
the page (0 on an empty page, which has no ``data``) and ``meta.next_token`` names the
next page. Problems the API could partly answer come as ``errors[]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import pandas as pd
from mlcore.errors import SentimentSourceError
from mlcore_sentiment_http import parse_time

__all__ = [
    "ENGAGEMENT_METRICS",
    "MAX_QUERY_LENGTH",
    "SOURCE",
    "Post",
    "SearchPage",
    "build_query",
    "parse_search_page",
]

SOURCE = "twitter"
#: The longest query recent search accepts on the self-serve tiers.
MAX_QUERY_LENGTH = 512
#: The public metrics summed into an item's engagement.
ENGAGEMENT_METRICS = ("like_count", "retweet_count", "reply_count", "quote_count")


@attrs.frozen
class Post:
    """One post of a search page."""

    id: str
    text: str
    created_at: pd.Timestamp
    author_id: str | None
    lang: str | None
    engagement: float


@attrs.frozen
class SearchPage:
    """One page of recent-search results and the token of the next page, if any."""

    posts: tuple[Post, ...]
    next_token: str | None


def build_query(symbol: str, aliases: Iterable[str] = (), filters: str = "") -> str:
    """The search query for a symbol: its cashtag or any alias, then the filters.

    ``build_query("AAPL", ["Apple stock"], "-is:retweet lang:en")`` is
    ``($AAPL OR "Apple stock") -is:retweet lang:en``.
    """
    terms = [f"${symbol.upper()}"]
    for alias in aliases:
        clean = alias.replace('"', "").strip()
        if clean:
            terms.append(f'"{clean}"' if " " in clean else clean)
    query = f"({' OR '.join(terms)})" if len(terms) > 1 else terms[0]
    query = f"{query} {filters.strip()}".strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise SentimentSourceError(
            SOURCE,
            f"the search query for {symbol} is {len(query)} characters, over the "
            f"{MAX_QUERY_LENGTH} recent search accepts: give fewer aliases or filters "
            f"(query: {query[:80]}...)",
        )
    return query


def _malformed(path: str, expected: str) -> SentimentSourceError:
    return SentimentSourceError(
        SOURCE, f"recent search answer: '{path}' is missing or not {expected}"
    )


def _engagement(metrics: Any, path: str) -> float:
    if metrics is None:
        return 0.0
    if not isinstance(metrics, Mapping):
        raise _malformed(f"{path}.public_metrics", "an object")
    total = 0.0
    for name in ENGAGEMENT_METRICS:
        value = metrics.get(name, 0)
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise _malformed(f"{path}.public_metrics.{name}", "a count")
        total += value
    return total


def _created_at(post: Mapping[str, Any], path: str) -> pd.Timestamp:
    stamp = post.get("created_at")
    if not isinstance(stamp, str):
        raise _malformed(f"{path}.created_at", "an ISO 8601 time (ask for tweet.fields=created_at)")
    parsed = parse_time(stamp)
    if parsed is None:
        raise _malformed(f"{path}.created_at", "an ISO 8601 time")
    return parsed


def _post(post: Any, path: str) -> Post:
    if not isinstance(post, Mapping):
        raise _malformed(path, "an object")
    post_id, text = post.get("id"), post.get("text")
    if not isinstance(post_id, str) or not post_id:
        raise _malformed(f"{path}.id", "a string")
    if not isinstance(text, str):
        raise _malformed(f"{path}.text", "a string")
    return Post(
        id=post_id,
        text=text,
        created_at=_created_at(post, path),
        author_id=post.get("author_id"),
        lang=post.get("lang"),
        engagement=_engagement(post.get("public_metrics"), path),
    )


def parse_search_page(payload: Any) -> SearchPage:
    """One page of ``GET /2/tweets/search/recent``, from its parsed JSON."""
    if not isinstance(payload, Mapping):
        raise _malformed("(top level)", "an object")
    meta = payload.get("meta", {})
    if not isinstance(meta, Mapping):
        raise _malformed("meta", "an object")
    data = payload.get("data", [])
    if not isinstance(data, list):
        raise _malformed("data", "a list")
    if not data and "errors" in payload:
        raise SentimentSourceError(
            SOURCE, f"recent search answered only with errors: {_problems(payload['errors'])}"
        )
    token = meta.get("next_token")
    return SearchPage(
        posts=tuple(_post(post, f"data[{index}]") for index, post in enumerate(data)),
        next_token=token if isinstance(token, str) and token else None,
    )


def _problems(errors: Any) -> str:
    if not isinstance(errors, list):
        return repr(errors)[:200]
    parts = [
        str(error.get("detail") or error.get("message") or error.get("title") or error)
        for error in errors
        if isinstance(error, Mapping)
    ]
    return "; ".join(parts)[:300]
