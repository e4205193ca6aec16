"""VADER sentiment for social media text (vaderSentiment's lexicon and rules, offline).

A text scores VADER's ``compound`` value, in [-1, 1]: the sum of the valences of its
words after VADER's rules (negation, intensifiers, capitals, punctuation, emoji, "but"),
normalised with ``x / sqrt(x**2 + 15)``. Repeated texts in a batch are scored once.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, ClassVar

import attrs
import numpy as np
import pandas as pd

__all__ = ["VaderScorer"]


@attrs.frozen
class VaderScorer:
    """Scores short social texts (tweets, chat messages) with VADER's compound score."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"score"})

    def fetch(self, symbol: str, start: pd.Timestamp, end: pd.Timestamp) -> list[object]:
        raise NotImplementedError("vader scores texts; it fetches nothing")

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """VADER's compound score per text."""
        analyzer = _analyzer()
        unique = {text: analyzer.polarity_scores(text)["compound"] for text in dict.fromkeys(texts)}
        return np.array([unique[text] for text in texts], dtype=float)


@functools.cache
def _analyzer() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()
