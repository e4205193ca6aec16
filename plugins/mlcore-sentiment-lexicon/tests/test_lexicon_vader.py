"""VADER scores equal vaderSentiment's own SentimentIntensityAnalyzer, exactly: on texts
built from the words every rule reads, on templated headlines, and on edge cases."""

from __future__ import annotations

import string

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    NEGATE,
    SPECIAL_CASES,
    SentimentIntensityAnalyzer,
)

from mlcore_sentiment_lexicon.vader import VaderScorer, vader_compound

REFERENCE = SentimentIntensityAnalyzer()


def reference(texts: list[str]) -> list[float]:
    return [REFERENCE.polarity_scores(text)["compound"] for text in texts]


POSTS = [
    "$AAPL to the moon 🚀🚀",
    "This stock is NOT good at all!!!",
    "meh, sideways again",
    "Earnings were great but guidance was terrible",
    "I absolutely LOVE this company :)",
    "",
    "This stock is NOT good at all!!!",  # repeated: scored once, placed twice
]

#: One text per rule of vaderSentiment, with the rule it exercises.
RULES = [
    ("VADER is smart, handsome, and funny.", "lexicon words"),
    ("VADER is smart, handsome, and funny!!!!!", "exclamation marks, at most four count"),
    ("Is it good?? Is it good??? Is it good????", "question marks: 2-3 count each, more cap"),
    ("VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!", "boosters, caps emphasis"),
    ("ALL CAPS GOOD NEWS", "caps everywhere: no emphasis"),
    ("The book was only kind of good.", "kind of: dampener, and 'kind' rates 0"),
    ("The plot was sort of good, just enough bad", "two-word dampeners"),
    ("VADER is not smart, handsome, nor funny.", "negation"),
    ("At least it isn't a horrible book.", "n't negation, 'at least'"),
    ("Roger Dodger is one of the least compelling variations", "least negates"),
    ("it is the very least good", "'very least' keeps"),
    ("Sentiment analysis has never been good.", "never negates"),
    ("Sentiment analysis has never been this good!", "never this amplifies"),
    ("never so good", "never so amplifies"),
    ("Without a doubt, an excellent idea.", "without doubt keeps"),
    ("no good", "no negates the next word and rates 0"),
    ("no problem or nor good", "no ... or/nor negates"),
    ("no no no", "no after no"),
    ("NO GOOD, no", "caps on a zero valence"),
    ("With VADER, sentiment analysis is the shit!", "special case idioms"),
    ("the shit is to die for, kiss of death at the bus stop, yeah right", "idioms"),
    ("On the other hand, VADER is quite bad ass", "idiom after the word"),
    ("good great but good great", "but: repeated valences found by value"),
    ("great good good but bad bad great", "but: repeated valences on both sides"),
    ("but good", "but first"),
    ("good BUT", "but last, in caps"),
    ("Make sure you :) or :D today! (-: </3", "emoticons, kept whole"),
    ("Catch utf-8 emoji such as 💘 and 💋 and 😁", "emojis become descriptions"),
    ("abc💘def🚀🚀", "emojis inside words"),
    ("⬆️ UP! 🔛 ON!", "emoji descriptions with '!'"),
    ("   \t\n  ", "whitespace only"),
    ("!!!???", "punctuation only"),
    ("Ünïcödé GOOD straße İstanbul", "non-ASCII lower-casing"),
]


def test_scores_equal_the_reference_analyzer():
    scores = VaderScorer().score(POSTS)
    np.testing.assert_array_equal(scores, reference(POSTS))
    assert scores[1] < 0 < scores[4]
    assert scores[5] == 0.0


@pytest.mark.parametrize(("text", "rule"), RULES, ids=[rule for _, rule in RULES])
def test_each_rule_equals_the_reference(text, rule):
    assert vader_compound([text]).tolist() == reference([text])


def test_the_rules_in_one_batch_equal_the_reference():
    texts = [text for text, _ in RULES]
    assert vader_compound(texts).tolist() == reference(texts)


def test_empty_batch():
    scores = VaderScorer().score([])
    assert scores.shape == (0,)
    assert scores.dtype == float


# ------------------------------------------------------------ generated texts

LEXICON_WORDS = sorted(REFERENCE.lexicon)
EMOJIS = sorted(emoji for emoji in REFERENCE.emojis if len(emoji) == 1)
RULE_WORDS = [
    "no", "or", "nor", "never", "so", "this", "without", "doubt", "least", "at", "very",
    "kind", "of", "but", "sort", "just", "enough", "the", "to", "for",
]  # fmt: skip
PHRASE_WORDS = sorted({w for phrase in (*SPECIAL_CASES, *BOOSTER_DICT) for w in phrase.split()})
NEGATIONS = [*NEGATE, "isn't", "couldn't've", "AIN'T", "xn't"]
OTHERS = ["stock", "AAPL", "$TSLA", "shares", "Q3", "!", "?", "?!", "...", "-", "'", "é", "中"]

WORDS = st.one_of(
    st.sampled_from(LEXICON_WORDS),
    st.sampled_from(sorted(BOOSTER_DICT)),
    st.sampled_from(NEGATIONS),
    st.sampled_from(RULE_WORDS),
    st.sampled_from(PHRASE_WORDS),
    st.sampled_from(EMOJIS),
    st.sampled_from(OTHERS),
)
SHAPES = st.sampled_from([str, str, str, str.upper, str.capitalize])
PUNCTUATION = st.sampled_from(["", "", "", ",", ".", "!", "!!", "?", "??", "'", '"', "(", ")"])
SEPARATORS = st.sampled_from([" ", " ", " ", "  ", "\t", "\n", ""])


@st.composite
def tokens(draw: st.DrawFn) -> str:
    word = draw(SHAPES)(draw(WORDS))
    return f"{draw(PUNCTUATION)}{word}{draw(PUNCTUATION)}{draw(SEPARATORS)}"


TEXTS = st.lists(tokens(), max_size=14).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=6))
def test_generated_texts_equal_the_reference(texts):
    assert vader_compound(texts).tolist() == reference(texts)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(string.printable + "💘🚀😁é", max_size=40), min_size=1, max_size=4))
def test_arbitrary_characters_equal_the_reference(texts):
    assert vader_compound(texts).tolist() == reference(texts)


# ---------------------------------------------------------- templated headlines

COMPANIES = ["Apple", "TESLA", "$MSFT", "Nvidia", "Boeing", "the bank", "GameStop"]
VERBS = ["posts", "reports", "sees", "warns of", "beats", "misses", "cuts", "raises", "loves"]
MODIFIERS = [
    "", "very", "not", "never", "hardly", "extremely", "kind of", "sort of", "at least",
    "least", "no", "isn't", "barely", "REALLY", "never so", "without doubt", "slightly",
]  # fmt: skip
ADJECTIVES = [
    "strong", "weak", "great", "terrible", "good", "bad", "solid", "disappointing",
    "record", "horrible", "excellent", "poor", "amazing", "awful", "GOOD", "BAD",
]  # fmt: skip
NOUNS = ["profit", "losses", "growth", "guidance", "quarter", "outlook", "demand", "fraud"]
ENDINGS = ["", "", ".", "!", "!!!", "?", "??", " :)", " :(", " 🚀", " 📉", " lol", " smh"]
TEMPLATES = [
    "{company} {verb} {modifier} {adjective} {noun}{ending}",
    "{company} {verb} {modifier} {adjective} {noun}, but {adjective2} {noun2}{ending}",
    "{modifier} {adjective} {noun} for {company}: {verb} {adjective2} {noun2}{ending}",
    "{company}: {adjective} {noun} but {modifier} {adjective2} {noun2} and {adjective} outlook",
]


def headlines(n: int, seed: int = 7) -> list[str]:
    rng = np.random.default_rng(seed)

    def pick(options: list[str]) -> str:
        return str(options[rng.integers(len(options))])

    return [
        " ".join(
            pick(TEMPLATES)
            .format(
                company=pick(COMPANIES), verb=pick(VERBS), modifier=pick(MODIFIERS),
                adjective=pick(ADJECTIVES), adjective2=pick(ADJECTIVES), noun=pick(NOUNS),
                noun2=pick(NOUNS), ending=pick(ENDINGS),
            )
            .split(" ")
        )
        for _ in range(n)
    ]  # fmt: skip


def test_three_thousand_templated_headlines_equal_the_reference():
    texts = headlines(3000)
    scores = VaderScorer().score(texts)
    np.testing.assert_array_equal(scores, reference(texts))
    assert (scores > 0).sum() > 500  # both signs are exercised
    assert (scores < 0).sum() > 500
