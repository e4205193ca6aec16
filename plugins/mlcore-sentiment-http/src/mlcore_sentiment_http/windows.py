"""Splitting a long time range into the windows a provider accepts per request."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pandas as pd

__all__ = ["day_windows", "split_range", "utc_days"]


def split_range(
    start: datetime, end: datetime, window: timedelta
) -> list[tuple[datetime, datetime]]:
    """Consecutive windows ``[a, b)`` of at most ``window`` covering ``[start, end]``.

    The last window ends at ``end``; ``start > end`` gives no window.
    """
    if window <= timedelta(0):
        raise ValueError(f"window must be positive, got {window}")
    windows = []
    cursor = start
    while cursor < end:
        stop = min(cursor + window, end)
        windows.append((cursor, stop))
        cursor = stop
    if start == end:
        windows.append((start, end))
    return windows


def day_windows(start: datetime, end: datetime, days: int) -> list[tuple[date, date]]:
    """Inclusive ``(from, to)`` date pairs of at most ``days`` days covering the calendar
    days of ``[start, end]``, for APIs that take ``from=YYYY-MM-DD&to=YYYY-MM-DD``."""
    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")
    first, last = start.date(), end.date()
    windows = []
    cursor = first
    while cursor <= last:
        stop = min(cursor + timedelta(days=days - 1), last)
        windows.append((cursor, stop))
        cursor = stop + timedelta(days=1)
    return windows


def utc_days(start: pd.Timestamp, end: pd.Timestamp) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """``[start, end)`` cut at UTC midnights into half-open windows ``[a, b)``, so that a
    past day is always asked for with the same bounds (and answered from the cache)."""
    start, end = start.tz_convert("UTC"), end.tz_convert("UTC")
    midnights = pd.date_range(start.ceil("D"), end, freq="D", inclusive="left")
    bounds = [start, *(midnight for midnight in midnights if midnight > start), end]
    return [(a, b) for a, b in itertools.pairwise(bounds) if a < b]
