"""vaderSentiment's lexicon and word lists, compiled once into a vocabulary and arrays.

Every word VADER's rules look at gets an integer id: the lexicon's words, the booster
words, the negations, the words the rules name (``no``, ``but``, ``least``, ``never``...)
and the words of the multi-word idioms. Id 0 is any other word, and the last id,
``outside``, stands for a position before the first or after the last word of a text.
The properties of a word are arrays indexed by id, so that the rules read them for
every word of a batch at once.

The tables are read from vaderSentiment itself (its lexicon files and module constants),
so the scores follow the installed vaderSentiment's data.
"""

from __future__ import annotations

import functools
from typing import Any

import attrs
import numpy as np

__all__ = ["RULE_WORDS", "VaderLexicon", "vader_lexicon"]

#: Words that VADER's rules compare tokens with, beyond the lexicon and the word lists.
RULE_WORDS = (
    "no",
    "or",
    "nor",
    "never",
    "so",
    "this",
    "without",
    "doubt",
    "least",
    "at",
    "very",
    "kind",
    "of",
    "but",
)

#: A phrase as the ids of its words, and its value.
Phrase = tuple[tuple[int, ...], float]


@attrs.frozen(eq=False)
class VaderLexicon:
    """VADER's words as ids and their properties as arrays indexed by id.

    - ``valence``: the lexicon's rating (NaN for words outside the lexicon);
    - ``in_lexicon``: whether the word is in the lexicon;
    - ``booster``: the booster (``B_INCR``) or dampener (``B_DECR``) increment, 0 else;
    - ``negation``: whether the word is one of VADER's negations;
    - ``idioms``: the multi-word special cases (``the shit``, ``kiss of death``...);
    - ``booster_phrases``: the multi-word boosters (``kind of``, ``sort of``...);
    - ``emojis``: a ``str.translate`` table from each emoji to its description.
    """

    ids: dict[str, int]
    valence: np.ndarray
    in_lexicon: np.ndarray
    booster: np.ndarray
    negation: np.ndarray
    idioms: tuple[Phrase, ...]
    booster_phrases: tuple[Phrase, ...]
    emojis: dict[int, str]
    booster_increment: float
    caps_increment: float
    negation_scalar: float

    @property
    def outside(self) -> int:
        """The id of a position outside the text."""
        return len(self.valence) - 1

    def id(self, word: str) -> int:
        """The id of one of the words the rules name."""
        return self.ids[word]


@functools.cache
def vader_lexicon() -> VaderLexicon:
    """The tables of the installed vaderSentiment (read once per process)."""
    from vaderSentiment import vaderSentiment as reference

    analyzer = reference.SentimentIntensityAnalyzer()
    lexicon: dict[str, float] = analyzer.lexicon
    boosters: dict[str, float] = reference.BOOSTER_DICT
    negations = {word.lower() for word in reference.NEGATE}
    idioms = _multi_word(reference.SPECIAL_CASES)
    booster_phrases = _multi_word(boosters)
    words = [
        *lexicon,
        *boosters,
        *negations,
        *RULE_WORDS,
        *(word for phrase in (*idioms, *booster_phrases) for word in phrase.split()),
    ]
    ids = {word: number for number, word in enumerate(dict.fromkeys(words), start=1)}
    size = len(ids) + 2  # id 0: any other word; the last id: outside the text
    valence, booster = np.full(size, np.nan), np.zeros(size)
    negation = np.zeros(size, dtype=bool)
    for word, number in ids.items():
        valence[number] = lexicon.get(word, np.nan)
        booster[number] = boosters.get(word, 0.0)
        negation[number] = word in negations or "n't" in word
    return VaderLexicon(
        ids=ids,
        valence=valence,
        in_lexicon=~np.isnan(valence),
        booster=booster,
        negation=negation,
        idioms=_phrases(idioms, ids),
        booster_phrases=_phrases(booster_phrases, ids),
        emojis=_emoji_table(analyzer.emojis),
        booster_increment=reference.B_INCR,
        caps_increment=reference.C_INCR,
        negation_scalar=reference.N_SCALAR,
    )


def _emoji_table(emojis: dict[str, str]) -> dict[int, str]:
    # vaderSentiment reads a text character by character, so only one-character emojis
    # match. It puts a space before a description unless one precedes it; a space always
    # is the same once the text is split on whitespace.
    return {ord(emoji): f" {text}" for emoji, text in emojis.items() if len(emoji) == 1}


def _multi_word(table: dict[str, Any]) -> dict[str, float]:
    # the rules compare phrases of two or three tokens; a one-word entry never matches them
    return {phrase: float(value) for phrase, value in table.items() if " " in phrase}


def _phrases(table: dict[str, float], ids: dict[str, int]) -> tuple[Phrase, ...]:
    return tuple((tuple(ids[word] for word in phrase.split()), v) for phrase, v in table.items())
