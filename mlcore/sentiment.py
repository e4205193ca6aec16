"""Sentiment items from providers, scored and aligned point-in-time onto bars."""

from __future__ import annotations

import math

import attrs
import pandas as pd

__all__ = ["SentimentItem"]


def _utc_timestamp(value: object) -> pd.Timestamp:
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    if pd.isna(stamp):
        raise ValueError("published_at is missing (NaT); an item needs its publication time")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _check_score(
    instance: object, attribute: attrs.Attribute[float | None], value: float | None
) -> None:
    if value is not None and not (math.isfinite(value) and -1.0 <= value <= 1.0):
        raise ValueError(f"{attribute.name} must be a finite number in [-1, 1], got {value!r}")


@attrs.frozen
class SentimentItem:
    """One text from one source about one symbol, as the provider published it.

    ``published_at`` is converted to UTC (a naive time is taken as UTC). ``score`` is the
    provider's own score in [-1, 1] where it gives one; scorers fill it for the others.
    """

    source: str
    symbol: str
    published_at: pd.Timestamp = attrs.field(converter=_utc_timestamp)
    text: str = ""
    title: str = ""
    score: float | None = attrs.field(default=None, validator=_check_score)
    author: str | None = None
    engagement: float | None = None
    url: str | None = None
    id: str | None = None

    @property
    def content(self) -> str:
        """The text to score: the title and the body, whichever are present."""
        return " ".join(part for part in (self.title, self.text) if part)
