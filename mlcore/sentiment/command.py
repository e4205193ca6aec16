"""``mlcore sentiment fetch``: collect items, write them to a file, summarise per source."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from mlcore._table import format_table
from mlcore.sentiment.collection import SentimentCollection, collect_sentiment
from mlcore.sentiment.failures import SourceFailure
from mlcore.sentiment.items import write_items

if TYPE_CHECKING:
    from mlcore.host import PluginHost

__all__ = [
    "ITEM_FILE_SUFFIXES",
    "check_item_file",
    "every_source_failed",
    "fetch_to_file",
    "summary_table",
]

ITEM_FILE_SUFFIXES = (".parquet", ".pq", ".csv")


def check_item_file(path: str | os.PathLike[str]) -> Path:
    """``path`` when it names an item file format; a ValueError saying which ones otherwise."""
    file = Path(path)
    if not file.name.lower().endswith(ITEM_FILE_SUFFIXES):
        raise ValueError(f"{file} ends in neither .parquet, .pq nor .csv; name it with one")
    return file


def fetch_to_file(
    host: PluginHost,
    out: str | os.PathLike[str],
    *,
    since: object,
    until: object | None = None,
    symbol: str | None = None,
    sources: Sequence[str] | None = None,
    progress: bool = True,
) -> SentimentCollection:
    """Collect the items of ``sources`` published in [since, until] and write them to ``out``.

    ``until`` defaults to now (UTC). The file is written even when some sources failed;
    the collection says which.
    """
    end = pd.Timestamp.now(tz="UTC") if until is None else until
    collection = collect_sentiment(
        host, since, end, symbol=symbol, sources=sources, progress=progress
    )
    write_items(collection.to_frame(), check_item_file(out))
    return collection


def summary_table(collection: SentimentCollection) -> str:
    """One row per source: items, scored by the provider, scored here, unscored, status."""
    rows = [
        [
            row.source,
            row.items,
            row.provider_scored,
            row.locally_scored,
            row.unscored,
            _status(row.failure),
        ]
        for row in collection.summary()
    ]
    headers = ["source", "items", "provider scored", "scored here", "unscored", "status"]
    return format_table(rows, headers)


#: How the summary words a failure that lost nothing, or only part, of a source's items.
_MILD_STATUS = {"partial": "partly failed", "close": "fetched, then failed"}


def _status(failure: SourceFailure | None) -> str:
    if failure is None:
        return "ok"
    return f"{_MILD_STATUS.get(failure.stage, 'FAILED')} {failure}"


def every_source_failed(collection: SentimentCollection) -> bool:
    """Whether no requested source gave anything (partial failures do not count)."""
    lost = {f.source for f in collection.failures if f.stage in ("missing", "build", "fetch")}
    return set(collection.sources) <= lost
