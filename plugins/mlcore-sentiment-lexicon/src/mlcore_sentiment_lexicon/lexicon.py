"""The ``lexicon`` scorer: VADER for social sources, Loughran-McDonald for the others.

VADER was built for social media text (emoji, slang, capitals); the Loughran-McDonald
lists were built for financial documents, where general-purpose lexicons misread words
such as "liability" or "tax". The kernel asks ``for_source(source)`` which of the two
scores a source's texts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Final

import attrs
import numpy as np
import pandas as pd

from mlcore_sentiment_lexicon.loughran_mcdonald import LoughranMcDonaldScorer
from mlcore_sentiment_lexicon.vader import VaderScorer

__all__ = ["SOCIAL_SOURCES", "LexiconScorer"]

#: Sources whose texts are social posts by default.
SOCIAL_SOURCES: Final = ("twitter", "discord", "stocktwits", "reddit", "telegram")
_KINDS: Final = ("news", "social")


def _tuple_of_names(value: Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


@attrs.frozen
class LexiconScorer:
    """Picks the lexicon by source: VADER for ``social_sources``, Loughran-McDonald else.

    ``score(texts)`` (no source known) uses the ``default`` kind: ``news``
    (Loughran-McDonald) or ``social`` (VADER).
    """

    capabilities: ClassVar[frozenset[str]] = frozenset({"score"})
    social_sources: tuple[str, ...] = attrs.field(default=SOCIAL_SOURCES, converter=_tuple_of_names)
    default: str = attrs.field(default="news", validator=attrs.validators.in_(_KINDS))
    negation: bool = True

    def fetch(self, symbol: str, start: pd.Timestamp, end: pd.Timestamp) -> list[object]:
        raise NotImplementedError("lexicon scores texts; it fetches nothing")

    def for_source(self, source: str) -> VaderScorer | LoughranMcDonaldScorer:
        """The scorer for ``source``'s texts."""
        return self._scorer("social" if source in self.social_sources else "news")

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """Scores with the ``default`` kind's lexicon."""
        return self._scorer(self.default).score(texts)

    def _scorer(self, kind: str) -> VaderScorer | LoughranMcDonaldScorer:
        if kind == "social":
            return VaderScorer()
        return LoughranMcDonaldScorer(negation=self.negation)
