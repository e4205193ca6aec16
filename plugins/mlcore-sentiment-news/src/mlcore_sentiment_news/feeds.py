"""RSS and Atom feeds parsed into entries, safely.

Feeds come from servers we do not control, so they are parsed with defusedxml, which
refuses entity declarations (the "billion laughs" expansion) and external entities and
DTDs fetched from the network. Elements are matched by local name, so RSS 2.0, RSS 1.0
(RDF) and Atom 1.0 read alike.
"""

from __future__ import annotations

import contextlib
import email.utils
from datetime import datetime
from html.parser import HTMLParser
from typing import Any

import attrs
import pandas as pd
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from mlcore.errors import SentimentSourceError
from mlcore_sentiment_http import as_utc

__all__ = ["FeedEntry", "parse_feed", "plain_text"]

SOURCE = "news"


@attrs.frozen
class FeedEntry:
    """One item (RSS) or entry (Atom): its text, link, identity and time.

    ``published_at`` is the latest time the feed gives for it: for Atom the later of
    ``published`` and ``updated``, since the text we read is the text as of the update.
    """

    title: str
    summary: str
    link: str | None
    id: str | None
    author: str | None
    published_at: pd.Timestamp | None


def parse_feed(document: bytes | str, url: str, *, charset: str | None = None) -> list[FeedEntry]:
    """The entries of an RSS 2.0, RSS 1.0 or Atom document fetched from ``url``.

    Pass the document as bytes, as received, so that the encoding its XML declaration
    names (``<?xml version="1.0" encoding="ISO-8859-1"?>``) is honoured; ``charset`` is
    the one the HTTP ``Content-Type`` header gives, which takes precedence (RFC 7303).

    Raises
    ------
    SentimentSourceError
        The document is not well-formed XML, declares entities (refused for safety), or is
        not a feed; the message names ``url``.
    """
    if charset is not None and isinstance(document, bytes):
        with contextlib.suppress(LookupError):  # an unknown charset: the declaration decides
            document = document.decode(charset, errors="replace")
    try:
        root = fromstring(document)
    except ParseError as error:
        raise SentimentSourceError(
            SOURCE, f"feed {url} is not well-formed XML ({error}); check the feed URL"
        ) from None
    except DefusedXmlException as error:
        raise SentimentSourceError(
            SOURCE,
            f"feed {url} declares XML entities or a DTD ({type(error).__name__}), which are "
            "refused to guard against entity-expansion attacks",
        ) from None
    kind = _local(root.tag)
    if kind in ("rss", "RDF"):
        return [_rss_entry(item) for item in root.iter() if _local(item.tag) == "item"]
    if kind == "feed":
        return [_atom_entry(entry) for entry in root if _local(entry.tag) == "entry"]
    raise SentimentSourceError(
        SOURCE, f"feed {url} is <{kind}>, not an RSS or Atom feed; check the feed URL"
    )


def _rss_entry(item: Any) -> FeedEntry:
    fields = _children(item)
    link = _text(fields.get("link"))
    return FeedEntry(
        title=plain_text(_text(fields.get("title"))),
        summary=plain_text(_text(fields.get("description")) or _text(fields.get("encoded"))),
        link=link or None,
        id=_text(fields.get("guid")) or item.get(_RDF_ABOUT) or link or None,
        author=_text(fields.get("creator")) or _text(fields.get("author")) or None,
        published_at=_rss_time(_text(fields.get("pubDate")) or _text(fields.get("date"))),
    )


def _atom_entry(entry: Any) -> FeedEntry:
    fields = _children(entry)
    author = fields.get("author")
    name = _text(_children(author).get("name")) if author is not None else ""
    times = [_iso_time(_text(fields.get(key))) for key in ("published", "updated")]
    known = [time for time in times if time is not None]
    return FeedEntry(
        title=plain_text(_text(fields.get("title"))),
        summary=plain_text(_text(fields.get("summary")) or _text(fields.get("content"))),
        link=_atom_link(entry),
        id=_text(fields.get("id")) or None,
        author=name or None,
        published_at=max(known) if known else None,
    )


_RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"


def _atom_link(entry: Any) -> str | None:
    links = [child for child in entry if _local(child.tag) == "link" and child.get("href")]
    alternate = [link for link in links if link.get("rel", "alternate") == "alternate"]
    chosen = (alternate or links)[:1]
    return str(chosen[0].get("href")) if chosen else None


def _children(element: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for child in element:
        found.setdefault(_local(child.tag), child)
    return found


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(element: Any) -> str:
    if element is None:
        return ""
    return "".join(element.itertext()).strip()


def _rss_time(value: str) -> pd.Timestamp | None:
    if not value:
        return None
    try:
        return as_utc(email.utils.parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError):
        return _iso_time(value)  # RSS 1.0's dc:date, and feeds that ignore RFC 822


def _iso_time(value: str) -> pd.Timestamp | None:
    if not value:
        return None
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError:
        return None


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(markup: str) -> str:
    """The text of an HTML fragment (feed descriptions often hold HTML): tags dropped,
    entities decoded, whitespace collapsed."""
    if "<" not in markup and "&" not in markup:
        return " ".join(markup.split())
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    return " ".join(" ".join(collector.parts).split())
