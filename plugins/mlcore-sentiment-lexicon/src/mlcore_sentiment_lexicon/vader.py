"""VADER sentiment for social media text, scored a whole batch at a time.

A text scores VADER's ``compound`` value, in [-1, 1]: the sum of the valences of its
words after VADER's rules, plus punctuation emphasis, normalised with
``x / sqrt(x**2 + 15)`` and rounded to 4 decimals. The scores equal
``vaderSentiment.vaderSentiment.SentimentIntensityAnalyzer().polarity_scores(text)
["compound"]`` exactly; the tests compare the two on generated and real-looking texts.

How the batch is scored:

1. emojis become their descriptions (``str.translate``; ASCII texts have none);
2. every text is split on whitespace, and each token loses its leading and trailing
   punctuation unless that leaves two characters or fewer (emoticons such as ``:)``);
3. the tokens of all texts become one array of vocabulary ids
   (:mod:`mlcore_sentiment_lexicon.vader_lexicon`), with their ALL CAPS and negation flags;
4. VADER's rules run as array operations over every lexicon word of the batch at once,
   in vaderSentiment's order: ``no`` before a word, capitals, boosters and dampeners of
   the three words before (damped by distance), negations (``never so``/``never this``
   amplify, ``without doubt`` keeps), idioms and ``kind of``/``sort of``, ``least``;
5. the contrastive ``but`` (words before it halved, words after it times 1.5) is applied
   per text that has one, exactly as vaderSentiment does it, including how it finds a
   word by its value;
6. each text's valences are summed with Python's ``sum`` (as vaderSentiment does, which
   keeps the result identical across Python versions), amplified by ``!`` (up to four)
   and ``?`` (two or more), normalised and rounded.
"""

from __future__ import annotations

import operator
import string
from collections.abc import Callable, Iterable, Sequence
from itertools import chain, islice, repeat
from typing import ClassVar, Final

import attrs
import numpy as np
import pandas as pd

from mlcore_sentiment_lexicon.vader_lexicon import Phrase, VaderLexicon, vader_lexicon

__all__ = ["VaderScorer", "vader_compound"]

#: A booster two or three words before a word counts this much of its increment.
BOOSTER_DAMPING: Final = {1: 1.0, 2: 0.95, 3: 0.9}
#: ``never so good`` / ``never this good``: the valence grows by this factor.
NEVER_SO: Final = 1.25
#: Each ``!`` (up to ``EXCLAMATION_LIMIT``) adds this to the sum's magnitude.
EXCLAMATION: Final = 0.292
EXCLAMATION_LIMIT: Final = 4
#: Two or three ``?`` add this each; more add ``QUESTIONS_MAX``.
QUESTION: Final = 0.18
QUESTIONS_MAX: Final = 0.96
#: ``x / sqrt(x**2 + ALPHA)`` maps the sum into (-1, 1).
ALPHA: Final = 15
BUT_BEFORE, BUT_AFTER = 0.5, 1.5


@attrs.frozen
class VaderScorer:
    """Scores short social texts (tweets, chat messages) with VADER's compound score."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"score"})

    def fetch(self, symbol: str, start: pd.Timestamp, end: pd.Timestamp) -> list[object]:
        raise NotImplementedError("vader scores texts; it fetches nothing")

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """VADER's compound score per text (repeated texts are scored once)."""
        unique = list(dict.fromkeys(texts))
        scores = dict(zip(unique, vader_compound(unique).tolist(), strict=True))
        return np.array([scores[text] for text in texts], dtype=float)


def vader_compound(texts: Sequence[str]) -> np.ndarray:
    """VADER's compound score of each text, as vaderSentiment computes it."""
    lexicon = vader_lexicon()
    prepared = [text if text.isascii() else text.translate(lexicon.emojis) for text in texts]
    tokens = _Tokens.split(prepared, lexicon)
    sentiments = _word_sentiments(tokens, lexicon)
    _contrast_around_but(sentiments, tokens, lexicon.id("but"))
    return _compound(_sums(sentiments, tokens), tokens)


@attrs.frozen(eq=False)
class _Tokens:
    """The tokens of a batch, flattened: one entry per token, texts one after another."""

    ids: np.ndarray  # vocabulary id
    upper: np.ndarray  # the token is ALL CAPS
    negation: np.ndarray  # a negation word, or a word with "n't"
    text: np.ndarray  # the text it belongs to
    before: np.ndarray  # tokens before it in its text
    after: np.ndarray  # tokens after it in its text
    counts: np.ndarray  # per text: its number of tokens
    emphasis: np.ndarray  # per text: some, but not all, of its tokens are ALL CAPS
    exclamations: np.ndarray  # per text: its number of "!"
    questions: np.ndarray  # per text: its number of "?"

    @classmethod
    def split(cls, texts: list[str], lexicon: VaderLexicon) -> _Tokens:
        pieces = [text.split() for text in texts]
        counts = np.fromiter(map(len, pieces), dtype=np.intp, count=len(pieces))
        # the string work runs once per distinct token of the batch, not once per token
        codes, distinct = pd.factorize(np.array([*chain.from_iterable(pieces)], dtype=object))
        words = _Words.of(distinct.tolist(), lexicon)
        text = np.repeat(np.arange(len(texts)), counts)
        starts = np.cumsum(counts) - counts
        before = np.arange(len(codes)) - starts[text]
        upper = words.upper[codes]

        def per_text(values: np.ndarray) -> np.ndarray:
            return np.bincount(text, weights=values[codes], minlength=len(texts))

        capitals = per_text(words.upper)
        return cls(
            ids=words.ids[codes],
            upper=upper,
            negation=words.negation[codes],
            text=text,
            before=before,
            after=counts[text] - before - 1,
            counts=counts,
            emphasis=(capitals > 0) & (capitals < counts),
            exclamations=per_text(words.exclamations).astype(np.intp),
            questions=per_text(words.questions).astype(np.intp),
        )

    def neighbour(self, at: np.ndarray, offset: int, outside: int) -> _Neighbour:
        """The tokens ``offset`` places from the tokens ``at``, within their texts."""
        room = self.before[at] if offset < 0 else self.after[at]
        valid = room >= abs(offset)
        position = np.where(valid, at + offset, 0)
        return _Neighbour(
            ids=np.where(valid, self.ids[position], outside),
            upper=valid & self.upper[position],
            negation=valid & self.negation[position],
            valid=valid,
        )


@attrs.frozen(eq=False)
class _Neighbour:
    ids: np.ndarray  # the lexicon's ``outside`` id where there is no such token
    upper: np.ndarray
    negation: np.ndarray
    valid: np.ndarray


@attrs.frozen(eq=False)
class _Words:
    """The distinct tokens of a batch as VADER reads them."""

    ids: np.ndarray  # vocabulary id of the token, lower-cased and stripped of punctuation
    upper: np.ndarray
    negation: np.ndarray
    exclamations: np.ndarray
    questions: np.ndarray

    @classmethod
    def of(cls, tokens: list[str], lexicon: VaderLexicon) -> _Words:
        stripped = map(str.strip, tokens, repeat(string.punctuation))
        # an emoticon loses everything to the strip: keep the token as written
        pairs = zip(stripped, tokens, strict=True)
        words = [word if len(word) > 2 else token for word, token in pairs]
        lower = list(map(str.lower, words))

        def each(function: Callable[..., object], *arguments: Iterable[object]) -> np.ndarray:
            return np.fromiter(map(function, *arguments), count=len(tokens), dtype=np.int64)

        ids = each(lexicon.ids.get, lower, repeat(0))
        has_nt = each(operator.contains, lower, repeat("n't")).astype(bool)
        return cls(
            ids=ids,
            upper=each(str.isupper, words).astype(bool),
            negation=lexicon.negation[ids] | has_nt,
            exclamations=each(str.count, tokens, repeat("!")),
            questions=each(str.count, tokens, repeat("?")),
        )


def _word_sentiments(tokens: _Tokens, lexicon: VaderLexicon) -> np.ndarray:
    """Each token's valence after the word-level rules (0 outside the lexicon, for boosters
    and for the ``kind`` of ``kind of``)."""
    everywhere = np.arange(len(tokens.ids))
    following = tokens.neighbour(everywhere, 1, lexicon.outside).ids
    kind_of = (tokens.ids == lexicon.id("kind")) & (following == lexicon.id("of"))
    rated = lexicon.in_lexicon[tokens.ids] & (lexicon.booster[tokens.ids] == 0) & ~kind_of
    at = np.flatnonzero(rated)
    sentiments = np.zeros(len(tokens.ids))
    sentiments[at] = _valences(tokens, at, lexicon)
    return sentiments


def _valences(tokens: _Tokens, at: np.ndarray, lexicon: VaderLexicon) -> np.ndarray:
    """vaderSentiment's ``sentiment_valence`` for the lexicon words at ``at``."""
    word = tokens.ids[at]
    previous = [tokens.neighbour(at, -distance, lexicon.outside) for distance in (1, 2, 3)]
    following = [tokens.neighbour(at, distance, lexicon.outside) for distance in (1, 2)]
    emphasis = tokens.emphasis[tokens.text[at]]
    rating = lexicon.valence[word]
    valence = _after_no(rating, word, previous, following, lexicon)
    capital = tokens.upper[at] & emphasis
    caps = lexicon.caps_increment
    valence = np.where(capital, np.where(valence > 0, valence + caps, valence - caps), valence)
    for distance, neighbour in enumerate(previous, start=1):
        applies = neighbour.valid & ~lexicon.in_lexicon[neighbour.ids]
        scalar = _booster_scalar(neighbour, valence, emphasis, lexicon)
        damped = np.where(scalar != 0, scalar * BOOSTER_DAMPING[distance], scalar)
        changed = _negated(valence + damped, distance, previous, lexicon)
        if distance == 3:
            changed = _idioms(changed, word, previous, following, lexicon)
        valence = np.where(applies, changed, valence)
    return _after_least(valence, previous, lexicon)


def _after_no(
    rating: np.ndarray,
    word: np.ndarray,
    previous: list[_Neighbour],
    following: list[_Neighbour],
    lexicon: VaderLexicon,
) -> np.ndarray:
    """``no`` before a lexicon word rates 0; a word after ``no`` is negated."""
    no = lexicon.id("no")
    first, second, third = (neighbour.ids for neighbour in previous)
    valence = np.where((word == no) & lexicon.in_lexicon[following[0].ids], 0.0, rating)
    either = (first == lexicon.id("or")) | (first == lexicon.id("nor"))
    after_no = (first == no) | (second == no) | ((third == no) & either)
    return np.where(after_no, rating * lexicon.negation_scalar, valence)


def _booster_scalar(
    neighbour: _Neighbour, valence: np.ndarray, emphasis: np.ndarray, lexicon: VaderLexicon
) -> np.ndarray:
    """vaderSentiment's ``scalar_inc_dec``: the neighbour's booster increment, turned to the
    valence's sign, plus the caps increment when the booster is in capitals."""
    increment: np.ndarray = lexicon.booster[neighbour.ids]
    scalar = np.where(valence < 0, increment * -1, increment)
    capital = (increment != 0) & neighbour.upper & emphasis
    caps = lexicon.caps_increment
    return np.where(capital, np.where(valence > 0, scalar + caps, scalar - caps), scalar)


def _negated(
    valence: np.ndarray, distance: int, previous: list[_Neighbour], lexicon: VaderLexicon
) -> np.ndarray:
    """vaderSentiment's ``_negation_check`` for the word ``distance`` places before."""
    first, second, third = (neighbour.ids for neighbour in previous)
    negated = valence * lexicon.negation_scalar
    if distance == 1:
        return np.where(previous[0].negation, negated, valence)

    def one_of(ids: np.ndarray, *words: str) -> np.ndarray:
        return np.isin(ids, [lexicon.id(word) for word in words])

    if distance == 2:
        never_so = (second == lexicon.id("never")) & one_of(first, "so", "this")
        without_doubt = (second == lexicon.id("without")) & (first == lexicon.id("doubt"))
    else:
        never_so = (third == lexicon.id("never")) & one_of(second, "so", "this")
        never_so |= one_of(first, "so", "this")
        doubt = (second == lexicon.id("doubt")) | (first == lexicon.id("doubt"))
        without_doubt = (third == lexicon.id("without")) & doubt
    return np.select(
        [never_so, without_doubt, previous[distance - 1].negation],
        [valence * NEVER_SO, valence, negated],
        valence,
    )


def _idioms(
    valence: np.ndarray,
    word: np.ndarray,
    previous: list[_Neighbour],
    following: list[_Neighbour],
    lexicon: VaderLexicon,
) -> np.ndarray:
    """vaderSentiment's ``_special_idioms_check``: an idiom around the word sets the valence
    (the first found of the phrases ending at or before it, overridden by those starting at
    it); ``kind of``, ``sort of``... just before it add their increment."""
    first, second, third = (neighbour.ids for neighbour in previous)
    after, after_next = (neighbour.ids for neighbour in following)
    ending = [(first, word), (second, first, word), (second, first), (third, second, first)]
    ending.append((third, second))
    found = np.full(len(word), np.nan)
    for phrase in reversed(ending):  # the first in vaderSentiment's order wins
        found = _phrase_values(phrase, lexicon.idioms, found)
    found = _phrase_values((word, after), lexicon.idioms, found)
    found = _phrase_values((word, after, after_next), lexicon.idioms, found)
    valence = np.where(np.isnan(found), valence, found)
    for phrase in ((third, second, first), (third, second), (second, first)):
        increment = _phrase_values(phrase, lexicon.booster_phrases, np.full(len(word), np.nan))
        valence = np.where(np.isnan(increment), valence, valence + increment)
    return valence


def _phrase_values(
    phrase: tuple[np.ndarray, ...], table: tuple[Phrase, ...], into: np.ndarray
) -> np.ndarray:
    """``into`` with the value of the table's phrase where the tokens spell one."""
    out = into.copy()
    for words, value in table:
        if len(words) == len(phrase):
            match = np.logical_and.reduce([ids == w for ids, w in zip(phrase, words, strict=True)])
            out[match] = value
    return out


def _after_least(
    valence: np.ndarray, previous: list[_Neighbour], lexicon: VaderLexicon
) -> np.ndarray:
    """``least good`` is negated; ``at least good`` and ``very least good`` are not."""
    first, second = previous[0].ids, previous[1].ids
    least = (first == lexicon.id("least")) & ~lexicon.in_lexicon[first]
    kept = (second == lexicon.id("at")) | (second == lexicon.id("very"))
    return np.where(least & ~kept, valence * lexicon.negation_scalar, valence)


def _contrast_around_but(sentiments: np.ndarray, tokens: _Tokens, but: int) -> None:
    """vaderSentiment's ``_but_check``, in place, for each text with a ``but``."""
    positions = np.flatnonzero(tokens.ids == but)
    if not len(positions):
        return
    texts, first = np.unique(tokens.text[positions], return_index=True)
    starts = np.cumsum(tokens.counts) - tokens.counts
    for text, position in zip(texts.tolist(), positions[first].tolist(), strict=True):
        start = starts[text]
        end = start + tokens.counts[text]
        sentiments[start:end] = _but_check(sentiments[start:end].tolist(), position - start)


def _but_check(values: list[float], but: int) -> list[float]:
    # vaderSentiment walks the list and finds each value's *first* occurrence with
    # list.index, so repeated valences are scaled at that occurrence: kept as it is.
    for position in range(len(values)):
        value = values[position]
        found = values.index(value)
        if found < but:
            values[found] = value * BUT_BEFORE
        elif found > but:
            values[found] = value * BUT_AFTER
    return values


def _sums(sentiments: np.ndarray, tokens: _Tokens) -> np.ndarray:
    """Each text's sum of valences, added in word order by Python's ``sum``."""
    nonzero = sentiments != 0  # adding a zero changes no sum
    values = iter(sentiments[nonzero].tolist())
    counts = np.bincount(tokens.text[nonzero], minlength=len(tokens.counts)).tolist()
    return np.array([sum(islice(values, count)) for count in counts], dtype=float)


def _compound(sums: np.ndarray, tokens: _Tokens) -> np.ndarray:
    exclamations, questions = tokens.exclamations, tokens.questions
    emphasis = np.minimum(exclamations, EXCLAMATION_LIMIT) * EXCLAMATION + np.where(
        questions > 3, QUESTIONS_MAX, np.where(questions > 1, questions * QUESTION, 0.0)
    )
    total = np.where(sums > 0, sums + emphasis, np.where(sums < 0, sums - emphasis, sums))
    compound = np.clip(total / np.sqrt(total * total + ALPHA), -1.0, 1.0)
    # Python's round (correctly rounded decimal), as vaderSentiment; np.round differs
    return np.array([round(value, 4) for value in compound.tolist()], dtype=float)
