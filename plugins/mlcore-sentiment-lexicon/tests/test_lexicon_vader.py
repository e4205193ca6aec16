"""VADER scores equal vaderSentiment's own SentimentIntensityAnalyzer."""

from __future__ import annotations

import numpy as np
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from mlcore_sentiment_lexicon.vader import VaderScorer

POSTS = [
    "$AAPL to the moon 🚀🚀",
    "This stock is NOT good at all!!!",
    "meh, sideways again",
    "Earnings were great but guidance was terrible",
    "I absolutely LOVE this company :)",
    "",
    "This stock is NOT good at all!!!",  # repeated: scored once, placed twice
]


def test_scores_equal_the_reference_analyzer():
    reference = SentimentIntensityAnalyzer()
    expected = [reference.polarity_scores(post)["compound"] for post in POSTS]
    scores = VaderScorer().score(POSTS)
    np.testing.assert_array_equal(scores, expected)
    assert scores[1] < 0 < scores[4]
    assert scores[5] == 0.0
