"""Sentiment: items from provider plugins, scored, and aligned point-in-time onto bars.

- :class:`SentimentItem` is what a source returns (one text, its time, its score if any);
  the item frame (:func:`items_to_frame`, :func:`read_items`) is its tabular form.
- :func:`collect_sentiment` fetches the configured sources through the plugin host, each
  in its own try, and scores the unscored items with ``sentiment.scorer``.
- :func:`aggregate_sentiment` turns items into :class:`SentimentFeatures` per bar: an item
  counts for a bar only if it was published at or before the bar's close.

See ``docs/sentiment.md``.
"""

from __future__ import annotations

from mlcore.sentiment.aggregation import (
    AGGREGATE_COLUMNS,
    SentimentFeatures,
    aggregate_sentiment,
    sentiment_columns,
)
from mlcore.sentiment.collection import (
    SentimentCollection,
    SentimentProgress,
    SourceSummary,
    collect_sentiment,
    score_items,
)
from mlcore.sentiment.failures import SourceFailure
from mlcore.sentiment.items import (
    ITEM_COLUMNS,
    SentimentItem,
    frame_to_items,
    items_to_frame,
    read_items,
    validate_items_frame,
    write_items,
)

__all__ = [
    "AGGREGATE_COLUMNS",
    "ITEM_COLUMNS",
    "SentimentCollection",
    "SentimentFeatures",
    "SentimentItem",
    "SentimentProgress",
    "SourceFailure",
    "SourceSummary",
    "aggregate_sentiment",
    "collect_sentiment",
    "frame_to_items",
    "items_to_frame",
    "read_items",
    "score_items",
    "sentiment_columns",
    "validate_items_frame",
    "write_items",
]
