"""Sentiment columns for a feature pipeline: items from a file, given ones, or collected.

:class:`BarSentiment` is what :class:`~mlcore.features.FeatureEngineeringPipeline` uses
when ``sentiment.enabled``: for the bars of one call it takes the items published from
the first bar on (with a decay half-life, from ten half-lives before it, so that the
decayed statistics start warm), aggregates them point-in-time, and returns the columns
with the collection's failures. The columns are fixed when it is built, so that the
features of the training and the test bars have the same columns.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

import attrs
import pandas as pd

from mlcore.config import SentimentConfig
from mlcore.errors import ConfigError, FeatureError
from mlcore.sentiment.aggregation import SentimentFeatures, aggregate_sentiment, sentiment_columns
from mlcore.sentiment.collection import collect_sentiment
from mlcore.sentiment.items import SentimentItem, items_to_frame, read_items, validate_items_frame

if TYPE_CHECKING:
    from mlcore.host import PluginHost

__all__ = ["BarSentiment", "SentimentItems"]

#: Items for a pipeline: an item frame, SentimentItems, or an item file.
SentimentItems = pd.DataFrame | Sequence[SentimentItem] | str | os.PathLike[str]

#: Half-lives of history fetched before the first bar: older items weigh under 0.1%.
HISTORY_HALF_LIVES: Final = 10


@attrs.define
class BarSentiment:
    """Builds the sentiment columns of the bars given to :meth:`features`.

    ``items`` (a frame, SentimentItems or a file; default ``settings.items_path``) are
    used when given; otherwise every call collects the items of ``settings.sources``
    through ``host``, for the bars' time range.
    """

    settings: SentimentConfig
    host: PluginHost
    items: pd.DataFrame | None = attrs.field(default=None)
    sources: list[str] = attrs.field(factory=list)

    @classmethod
    def build(
        cls, settings: SentimentConfig, host: PluginHost, items: SentimentItems | None = None
    ) -> BarSentiment:
        """Read or check the items now, and fix the sources (hence the columns).

        Raises ConfigError when there is nothing to read: no items, no ``items_path``
        and no ``sources`` to collect from.
        """
        frame = _item_frame(items if items is not None else settings.items_path)
        if settings.sources:
            sources = list(settings.sources)
        elif frame is not None:
            sources = sorted(frame["source"].unique())
        else:
            raise ConfigError(
                "sentiment is enabled but there is nothing to read: list sources to collect "
                "from, set sentiment.items_path to a file of collected items, or pass "
                "sentiment_items=",
                key_path="sentiment.sources",
            )
        return cls(settings=settings, host=host, items=frame, sources=sources)

    @property
    def columns(self) -> list[str]:
        """The columns every call gives, in order."""
        return sentiment_columns(self.sources)

    def features(self, index: pd.Index) -> SentimentFeatures:
        """The sentiment of the bars of ``index`` (the items collected now when none were
        given; a failing source is recorded in ``failures``)."""
        if not isinstance(index, pd.DatetimeIndex):
            raise FeatureError(
                f"sentiment features need bars on a DatetimeIndex, got {type(index).__name__}"
            )
        settings = attrs.evolve(self.settings, sources=self.sources)
        if len(index) == 0:
            return aggregate_sentiment(_NO_ITEMS, index, settings)
        first = _history_start(index[0], settings.decay_half_life)
        if self.items is not None:
            recent = self.items[self.items["published_at"] >= first]
            return aggregate_sentiment(recent, index, settings)
        last = index[-1] + pd.Timedelta(settings.bar_close_offset or 0)
        collection = collect_sentiment(self.host, first, last, settings=settings)
        return aggregate_sentiment(
            collection.to_frame(),
            index,
            settings,
            symbol=collection.symbol,
            failures=collection.failures,
        )


_NO_ITEMS: Final = items_to_frame(())


def _history_start(first_bar: pd.Timestamp, half_life: str | None) -> pd.Timestamp:
    stamp = first_bar.tz_localize("UTC") if first_bar.tzinfo is None else first_bar
    if half_life is None:
        return stamp
    return stamp - HISTORY_HALF_LIVES * pd.Timedelta(half_life)


def _item_frame(items: SentimentItems | None) -> pd.DataFrame | None:
    if items is None:
        return None
    if isinstance(items, str | os.PathLike):
        return read_items(items)
    if isinstance(items, pd.DataFrame):
        return validate_items_frame(items)
    return validate_items_frame(items_to_frame(items))
