"""Sentiment items and the item frame: conversion, files, and the errors bad input gets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlcore.errors import DataValidationError
from mlcore.sentiment import (
    ITEM_COLUMNS,
    SentimentItem,
    frame_to_items,
    items_to_frame,
    read_items,
    validate_items_frame,
    write_items,
)

ITEMS = [
    SentimentItem("news", "AAPL", "2026-01-05T14:30", title="Apple beats", text="Record", score=0.7,
                  url="https://example.com/a", id="a1"),
    SentimentItem("trends", "AAPL", pd.Timestamp("2026-01-05 16:00", tz="Europe/Berlin"),
                  engagement=63.0),
    SentimentItem("twitter", "AAPL", "2026-01-05T15:00Z", text="to the moon 🚀", author="@x",
                  engagement=12.0, score=0.4, scored_by="lexicon"),
]  # fmt: skip


def test_item_times_are_utc_and_content_joins_title_and_text():
    assert ITEMS[0].published_at == pd.Timestamp("2026-01-05 14:30", tz="UTC")
    assert ITEMS[1].published_at == pd.Timestamp("2026-01-05 15:00", tz="UTC")
    assert ITEMS[0].content == "Apple beats Record"
    assert ITEMS[1].content == ""
    with pytest.raises(ValueError, match="finite number in"):
        SentimentItem("news", "AAPL", "2026-01-05", score=1.5)
    with pytest.raises(ValueError, match="NaT"):
        SentimentItem("news", "AAPL", pd.NaT)


def test_the_item_frame_round_trips():
    frame = items_to_frame(ITEMS)
    assert list(frame.columns) == list(ITEM_COLUMNS)
    assert str(frame["published_at"].dtype) == "datetime64[ns, UTC]"
    np.testing.assert_array_equal(frame["score"], [0.7, np.nan, 0.4])
    assert frame_to_items(frame) == ITEMS


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_item_files_round_trip(tmp_path: Path, suffix: str):
    path = tmp_path / f"items{suffix}"
    write_items(ITEMS, path)
    assert frame_to_items(read_items(path)) == ITEMS


def test_a_foreign_frame_gets_the_missing_columns():
    frame = pd.DataFrame(
        {
            "source": ["news"],
            "symbol": ["AAPL"],
            "published_at": ["2026-01-05 09:00"],
            "sentiment_label": ["bullish"],
        }
    )
    checked = validate_items_frame(frame)
    assert list(checked.columns) == [*ITEM_COLUMNS, "sentiment_label"]
    assert checked["published_at"].iloc[0] == pd.Timestamp("2026-01-05 09:00", tz="UTC")
    assert np.isnan(checked["score"].iloc[0])
    assert checked["text"].iloc[0] == ""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"drop": "symbol"}, r"lack the column\(s\) symbol"),
        (
            {"published_at": [None, "2026-01-05"]},
            r"'published_at' is missing in 1 row\(s\) \(rows 0\)",
        ),
        (
            {"published_at": ["2026-01-05", "next tuesday"]},
            r"'published_at' is not a time .*rows 1\)",
        ),
        ({"score": [0.5, 1.5]}, r"'score' is outside \[-1, 1\] in 1 row\(s\) \(rows 1\)"),
        ({"score": [0.5, "high"]}, r"'score' is not a number .*rows 1\)"),
        ({"engagement": [1.0, np.inf]}, r"'engagement' is infinite"),
        ({"source": ["news", " "]}, r"'source' is empty .*give every item its source"),
    ],
)
def test_bad_frames_are_refused_with_the_column_and_rows(change, message):
    frame = pd.DataFrame(
        {"source": ["news", "news"], "symbol": ["A", "A"],
         "published_at": ["2026-01-05", "2026-01-06"], "score": [0.1, 0.2]}
    )  # fmt: skip
    if "drop" in change:
        frame = frame.drop(columns=change["drop"])
    else:
        for column, values in change.items():
            frame[column] = values
    with pytest.raises(DataValidationError, match=message):
        validate_items_frame(frame)


def test_file_errors_name_the_file(tmp_path: Path):
    path = tmp_path / "items.csv"
    pd.DataFrame({"source": ["news"], "symbol": ["A"], "published_at": ["soon"]}).to_csv(path)
    with pytest.raises(DataValidationError, match=rf"^{path}: sentiment items"):
        read_items(path)
    with pytest.raises(FileNotFoundError, match="sentiment item file not found"):
        read_items(tmp_path / "none.csv")
    with pytest.raises(ValueError, match=r"\.parquet, \.pq or \.csv"):
        write_items(ITEMS, tmp_path / "items.json")
