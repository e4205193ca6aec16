"""The conformance checks for sentiment adapters catch what they promise to catch."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import numpy as np
import pandas as pd
import pytest

from mlcore.sentiment import SentimentItem
from mlcore.testing import (
    check_sentiment_batch,
    check_sentiment_fetch,
    checks_for,
    parametrize_with_checks,
)


@attrs.frozen
class CountingScorer:
    """tanh(#good - #bad): independent of the batch."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"score"})

    def fetch(self, symbol: str, start: Any, end: Any) -> list[Any]:
        raise NotImplementedError

    def score(self, texts: list[str]) -> np.ndarray:
        return np.array([np.tanh(t.count("good") - t.count("bad")) for t in texts], dtype=float)


class BatchNormalised(CountingScorer):
    def score(self, texts):
        raw = np.array([t.count("good") - t.count("bad") for t in texts], dtype=float)
        return raw / max(1.0, np.abs(raw).max(initial=0.0))  # depends on the other texts


class DropsEmpty(CountingScorer):
    def score(self, texts):
        return super().score([t for t in texts if t])


class ListForNothing(CountingScorer):
    def score(self, texts):
        return super().score(texts) if texts else []


class Unbounded(CountingScorer):
    def score(self, texts):
        return np.array([float(t.count("o")) for t in texts])


@parametrize_with_checks([CountingScorer()])
def test_a_conforming_scorer_passes(component, check):
    check(component)


def test_batch_check_is_among_the_scorer_checks():
    names = [check.__name__ for check in checks_for(CountingScorer())]
    assert names == [
        "check_sentiment_capabilities",
        "check_sentiment_score",
        "check_sentiment_batch",
        "check_determinism",
    ]


@pytest.mark.parametrize(
    ("scorer", "message"),
    [
        (BatchNormalised(), r"scores .* in a batch and .* alone"),
        (DropsEmpty(), r"returned shape \(5,\)"),
        (ListForNothing(), r"score\(\[\]\) returned list"),
        (Unbounded(), r"lie in \[-1, 1\]"),
    ],
)
def test_batch_check_failures(scorer, message):
    with pytest.raises(AssertionError, match=message):
        check_sentiment_batch(scorer)


@attrs.define
class Feed:
    """Returns ``items`` for any request; ``drift`` shifts them on every call."""

    items: list[SentimentItem]
    drift: bool = False
    calls: int = 0
    capabilities: ClassVar[frozenset[str]] = frozenset({"fetch"})

    def fetch(self, symbol, start, end):
        self.calls += 1
        if not self.drift:
            return list(self.items)
        shift = pd.Timedelta(minutes=self.calls)
        return [attrs.evolve(i, published_at=i.published_at + shift) for i in self.items]

    def score(self, texts):
        raise NotImplementedError


def _news(symbol: str = "AAPL", when: str = "2026-01-05 12:00") -> SentimentItem:
    return SentimentItem("news", symbol, when, title="Apple beats")


def test_fetch_check_returns_conforming_items():
    items = check_sentiment_fetch(Feed([_news()]), "AAPL", "2026-01-05", "2026-01-06")
    assert items == [_news()]


@pytest.mark.parametrize(
    ("feed", "message"),
    [
        (Feed([_news(symbol="MSFT")]), "item 0 is about 'MSFT', not 'AAPL'"),
        (Feed([_news(when="2026-01-07")]), "item 0 was published at 2026-01-07.*outside"),
        (Feed([_news()], drift=True), "two calls returned 1 and 1 items that differ"),
        (Feed([{"title": "x"}]), "item 0 is a dict, not a SentimentItem"),  # type: ignore[list-item]
    ],
)
def test_fetch_check_failures(feed, message):
    with pytest.raises(AssertionError, match=message):
        check_sentiment_fetch(feed, "AAPL", "2026-01-05", "2026-01-06")
