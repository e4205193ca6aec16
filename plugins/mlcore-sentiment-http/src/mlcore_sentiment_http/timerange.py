"""The time range a provider is asked for: UTC timestamps, and the items published in it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from mlcore.sentiment import SentimentItem

__all__ = ["as_utc", "parse_time", "published_within", "utc_range"]


def as_utc(value: object) -> pd.Timestamp:
    """``value`` (anything :class:`pandas.Timestamp` reads) as a UTC timestamp; a naive
    time is taken as UTC."""
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def parse_time(value: object) -> pd.Timestamp | None:
    """An ISO 8601 time from a payload as a UTC timestamp (naive: UTC), or None when it
    is missing, empty or unreadable; the caller decides whether that is an error."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        stamp = as_utc(value.strip())
    except (ValueError, TypeError, OverflowError):
        return None
    return None if pd.isna(stamp) else stamp


def utc_range(start: object, end: object) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``(start, end)`` as UTC timestamps.

    Raises
    ------
    ValueError
        ``start`` is after ``end``.
    """
    first, last = as_utc(start), as_utc(end)
    if first > last:
        raise ValueError(f"start {first} is after end {last}; swap them")
    return first, last


def published_within(
    items: Iterable[SentimentItem], start: pd.Timestamp, end: pd.Timestamp
) -> list[SentimentItem]:
    """The items published in ``[start, end]``, one per ``id`` (the earliest published;
    an item without an id is known by its time and content), sorted by time and id.

    Providers read overlapping windows and pages, so the same item can come twice.
    """
    earliest: dict[str, SentimentItem] = {}
    for item in items:
        if not start <= item.published_at <= end:
            continue
        key = item.id or f"{item.published_at.isoformat()}|{item.content}"
        kept = earliest.get(key)
        if kept is None or item.published_at < kept.published_at:
            earliest[key] = item
    return sorted(earliest.values(), key=lambda item: (item.published_at, item.id or ""))
