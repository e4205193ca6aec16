"""fine_tune: a pretrained encoder trained on labelled headlines becomes a classifier that
TransformerSentimentScorer loads, and it learns the labels."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
torch.set_num_threads(1)

from test_transformers_classifier import FINBERT_LABELS, build_tiny_bert  # noqa: E402

from mlcore_sentiment_transformers import TransformerSentimentScorer, fine_tune  # noqa: E402

HEADLINES = ["good record profit", "strong good profit", "shares surge good", "bad loss",
             "stock falls bad", "warns of loss bad", "the stock", "a record"]  # fmt: skip
LABELS = ["positive", "positive", "positive", "negative", "negative", -1, "neutral", 0]


def test_a_fine_tuned_model_learns_its_labels(tmp_path: Path):
    base = build_tiny_bert(tmp_path / "base", FINBERT_LABELS, seed=1)
    out = fine_tune(
        HEADLINES, LABELS, tmp_path / "tuned", base=base, epochs=60, learning_rate=3e-3,
        batch_size=4, seed=1, device="cpu",
    )  # fmt: skip
    config = transformers.AutoConfig.from_pretrained(out)
    assert config.id2label == {0: "negative", 1: "neutral", 2: "positive"}
    scores = TransformerSentimentScorer(model=out).score(HEADLINES)
    assert (scores[:3] > 0.3).all(), scores
    assert (scores[3:6] < -0.3).all(), scores
    assert np.abs(scores[6:]).max() < np.abs(scores[:6]).min(), scores
    before = TransformerSentimentScorer(model=base).score(HEADLINES)
    assert np.abs(before).max() < 0.5  # the untrained head could not tell them apart


def test_labels_must_be_sentiment_classes(tmp_path: Path):
    with pytest.raises(ValueError, match="label 'up' at position 1"):
        fine_tune(["a", "b"], ["positive", "up"], tmp_path / "out", base=tmp_path)
