"""Walking paginated endpoints: numbered pages, opaque cursors, and next links."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from mlcore_sentiment_http.response import ProviderResponse

if TYPE_CHECKING:
    from mlcore_sentiment_http.client import Params, ProviderClient

__all__ = ["iter_cursor", "iter_next_links", "iter_pages", "link_header_next"]

logger = logging.getLogger("mlcore_sentiment_http")

T = TypeVar("T")

#: A guard against a provider that never stops paginating.
MAX_PAGES = 1000


def iter_pages(
    fetch_page: Callable[[int], Any],
    *,
    items: Callable[[Any], Sequence[T]],
    first_page: int = 1,
    page_size: int | None = None,
    total: Callable[[Any], int | None] | None = None,
    max_pages: int = MAX_PAGES,
) -> Iterator[T]:
    """Items of pages ``first_page, first_page + 1, ...`` (``fetch_page(n)`` gives a body).

    Stops after an empty page, a page shorter than ``page_size``, once ``total(body)``
    items were seen, or after ``max_pages`` pages (with a warning).
    """
    seen = 0
    for number in range(first_page, first_page + max_pages):
        body = fetch_page(number)
        page = items(body)
        yield from page
        seen += len(page)
        expected = total(body) if total is not None else None
        if (
            not page
            or (page_size is not None and len(page) < page_size)
            or (expected is not None and seen >= expected)
        ):
            return
    logger.warning("pagination stopped after %d pages (max_pages)", max_pages)


def iter_cursor(
    fetch: Callable[[str | None], Any],
    *,
    items: Callable[[Any], Sequence[T]],
    next_cursor: Callable[[Any], str | None],
    max_pages: int = MAX_PAGES,
) -> Iterator[T]:
    """Items of ``fetch(None)``, then ``fetch(cursor)`` for each ``next_cursor(body)``.

    Stops when the cursor is missing or empty, when a cursor comes back a second time (a
    loop), or after ``max_pages`` pages (with a warning).
    """
    cursor: str | None = None
    seen: set[str] = set()
    for _ in range(max_pages):
        body = fetch(cursor)
        yield from items(body)
        cursor = next_cursor(body)
        if not cursor:
            return
        if cursor in seen:
            logger.warning("pagination stopped: cursor %r came back a second time", cursor)
            return
        seen.add(cursor)
    logger.warning("pagination stopped after %d pages (max_pages)", max_pages)


def link_header_next(response: ProviderResponse) -> str | None:
    """The ``rel="next"`` URL of the response's ``Link`` header, if any."""
    return response.links.get("next")


def iter_next_links(
    client: ProviderClient,
    url: str,
    params: Params | None = None,
    *,
    items: Callable[[ProviderResponse], Sequence[T]],
    next_link: Callable[[ProviderResponse], str | None] = link_header_next,
    complete_before: datetime | None = None,
    max_pages: int = MAX_PAGES,
) -> Iterator[T]:
    """Items of ``GET url``, then of each next link (by default the ``Link`` header's
    ``rel="next"``; pass ``next_link=lambda r: r.data.get("next")`` for a body field).

    A next link carries its own query, so ``params`` apply to the first request only.
    Stops when there is no next link, a link repeats, or after ``max_pages`` pages.
    """
    current, query = url, params
    seen: set[str] = set()
    for _ in range(max_pages):
        response = client.get(current, query, complete_before=complete_before)
        yield from items(response)
        following = next_link(response)
        if not following:
            return
        if following in seen:
            logger.warning("pagination stopped: next link %r came back a second time", following)
            return
        seen.add(following)
        current, query = following, None
    logger.warning("pagination stopped after %d pages (max_pages)", max_pages)
