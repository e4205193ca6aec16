"""Sentiment items: one text from one source, and the item frame that files and the
aggregation use.

The item frame has one row per item and the columns of :data:`ITEM_COLUMNS`:
``published_at`` is a UTC datetime, ``score`` and ``engagement`` are float (NaN where
absent), the others text (``None`` where absent). It is what ``mlcore sentiment fetch``
writes and what :func:`mlcore.sentiment.aggregate_sentiment` reads.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final

import attrs
import numpy as np
import pandas as pd

from mlcore.errors import DataValidationError

__all__ = [
    "ITEM_COLUMNS",
    "SentimentItem",
    "frame_to_items",
    "items_to_frame",
    "read_items",
    "validate_items_frame",
    "write_items",
]

#: The columns of an item frame, in order: the fields of :class:`SentimentItem`.
ITEM_COLUMNS: Final = (
    "source",
    "symbol",
    "published_at",
    "text",
    "title",
    "score",
    "author",
    "engagement",
    "url",
    "id",
    "scored_by",
)
_REQUIRED: Final = ("source", "symbol", "published_at")
_FLOAT_COLUMNS: Final = ("score", "engagement")
_SHOWN_ROWS: Final = 5


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
    ``engagement`` is the attention the item drew in the source's own unit (likes, Google
    Trends interest). ``scored_by`` names the scorer that gave ``score`` when it did not
    come from the provider.
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
    scored_by: str | None = None

    @property
    def content(self) -> str:
        """The text to score: the title and the body, whichever are present."""
        return " ".join(part for part in (self.title, self.text) if part)


def items_to_frame(items: Iterable[SentimentItem]) -> pd.DataFrame:
    """The item frame of ``items``, in their order (columns :data:`ITEM_COLUMNS`)."""
    items = list(items)
    columns: dict[str, Any] = {name: [getattr(i, name) for i in items] for name in ITEM_COLUMNS}
    for name in _FLOAT_COLUMNS:
        columns[name] = np.array([np.nan if v is None else v for v in columns[name]], float)
    columns["published_at"] = pd.DatetimeIndex(columns["published_at"], tz="UTC").as_unit("ns")
    return pd.DataFrame(columns, columns=list(ITEM_COLUMNS))


def frame_to_items(frame: pd.DataFrame) -> list[SentimentItem]:
    """The items of an item frame (validated first), row by row."""
    checked = validate_items_frame(frame)[list(ITEM_COLUMNS)]
    fields = checked.astype(object).where(checked.notna(), None).to_dict("list")
    rows = zip(*(fields[name] for name in ITEM_COLUMNS), strict=True)
    return [
        SentimentItem(**{k: v for k, v in zip(ITEM_COLUMNS, row, strict=True) if v is not None})
        for row in rows
    ]


def validate_items_frame(frame: pd.DataFrame, *, source: str | None = None) -> pd.DataFrame:
    """Check an item frame and return it with every column of :data:`ITEM_COLUMNS`.

    ``published_at`` becomes UTC (naive times are taken as UTC), ``score`` and
    ``engagement`` float, missing optional columns are added empty; other columns are
    kept. ``source`` (a file name) is put in front of error messages.

    Raises
    ------
    DataValidationError
        A required column (source, symbol, published_at) is missing, a publication time
        cannot be read or is missing, a source or symbol is empty, or a score is not a
        finite number in [-1, 1]; the message names the column, the rows and the fix.
    """
    where = f"{source}: " if source else ""
    missing = [column for column in _REQUIRED if column not in frame.columns]
    if missing:
        raise DataValidationError(
            f"{where}sentiment items lack the column(s) {', '.join(missing)}; an item frame "
            f"needs {', '.join(_REQUIRED)} (and may have {', '.join(ITEM_COLUMNS[3:])})",
            rule="missing_column",
            column=missing[0],
        )
    checked = frame.reset_index(drop=True).copy()
    checked["published_at"] = _published(checked["published_at"], where)
    for column in ("source", "symbol"):
        values = checked[column]
        empty = values.isna().to_numpy() | (values.astype(str).str.strip() == "").to_numpy()
        _refuse(where, empty, column, "empty", f"give every item its {column}")
    for column in _FLOAT_COLUMNS:
        checked[column] = _floats(checked, column, where)
    scores = checked["score"].to_numpy()
    outside = ~np.isnan(scores) & ~((scores >= -1.0) & (scores <= 1.0))
    _refuse(where, outside, "score", "outside [-1, 1]", "scores are numbers in [-1, 1]")
    for column in ITEM_COLUMNS:
        if column not in checked.columns:
            checked[column] = "" if column in ("text", "title") else None
    for column in ("text", "title"):
        values = checked[column]
        text = values.astype(object) if values.dtype.kind in "fO" else values  # all-empty CSV
        checked[column] = text.where(values.notna(), "")
    ordered = [*ITEM_COLUMNS, *(c for c in checked.columns if c not in ITEM_COLUMNS)]
    return checked[ordered]


def _published(values: pd.Series, where: str) -> pd.Series:
    stamps = pd.to_datetime(values, utc=True, format="mixed", errors="coerce")
    absent = values.isna().to_numpy()
    _refuse(where, absent, "published_at", "missing", "give every item its publication time")
    unreadable = stamps.isna().to_numpy() & ~absent
    _refuse(
        where, unreadable, "published_at", "not a time", "write ISO 8601 times (2026-01-05T14:30Z)"
    )
    return stamps.dt.as_unit("ns")


def _floats(frame: pd.DataFrame, column: str, where: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    numbers = pd.to_numeric(frame[column], errors="coerce")
    unreadable = numbers.isna().to_numpy() & frame[column].notna().to_numpy()
    _refuse(
        where, unreadable, column, "not a number", f"write {column} as a number or leave it empty"
    )
    values = numbers.to_numpy(dtype=float, na_value=np.nan)
    infinite = np.isinf(values)
    _refuse(where, infinite, column, "infinite", f"write {column} as a finite number")
    return values


def _refuse(where: str, bad: np.ndarray, column: str, problem: str, fix: str) -> None:
    if not bad.any():
        return
    rows = np.flatnonzero(bad)
    shown = ", ".join(str(row) for row in rows[:_SHOWN_ROWS])
    more = f" and {len(rows) - _SHOWN_ROWS} more" if len(rows) > _SHOWN_ROWS else ""
    raise DataValidationError(
        f"{where}sentiment items: column '{column}' is {problem} in {len(rows)} row(s) "
        f"(rows {shown}{more}); {fix}",
        rule=f"{column}_{problem.replace(' ', '_')}",
        rows=rows.tolist(),
        column=column,
    )


def read_items(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read an item file written by :func:`write_items` (``.parquet``/``.pq`` or ``.csv``)."""
    file = Path(path)
    if not file.exists():
        raise FileNotFoundError(f"sentiment item file not found: {file}")
    if _is_parquet(file):
        frame = pd.read_parquet(file)
    elif file.name.lower().endswith((".csv", ".csv.gz")):
        text_columns = ("text", "title", "author", "url", "id", "scored_by")
        frame = pd.read_csv(file, dtype=dict.fromkeys(text_columns, object))
    else:
        raise ValueError(f"{file}: an item file ends in .parquet, .pq or .csv")
    return validate_items_frame(frame, source=str(file))


def write_items(
    items: pd.DataFrame | Sequence[SentimentItem], path: str | os.PathLike[str]
) -> None:
    """Write items (a frame or SentimentItems) to ``.parquet``/``.pq`` or ``.csv``."""
    file = Path(path)
    frame = items if isinstance(items, pd.DataFrame) else items_to_frame(items)
    if _is_parquet(file):
        frame.to_parquet(file, index=False)
    elif file.name.lower().endswith((".csv", ".csv.gz")):
        frame.to_csv(file, index=False, date_format="%Y-%m-%dT%H:%M:%S.%fZ")
    else:
        raise ValueError(f"{file}: an item file ends in .parquet, .pq or .csv")


def _is_parquet(file: Path) -> bool:
    return file.name.lower().endswith((".parquet", ".pq"))
