"""TransformerSentimentScorer on a tiny BERT classifier built and saved here (no model hub):
scores equal the model's own softmax, batching and truncation change nothing else, label
names map, and the scorer passes mlcore's conformance checks."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
torch.set_num_threads(1)

from mlcore.testing import check_component  # noqa: E402

from mlcore_sentiment_transformers.classifier import TransformerSentimentScorer  # noqa: E402

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "shares", "surge", "profit", "loss",
         "stock", "falls", "good", "bad", "record", "the", "a", "warns", "strong"]  # fmt: skip
FINBERT_LABELS = {0: "positive", 1: "negative", 2: "neutral"}  # FinBERT's order
TEXTS = ["shares surge", "stock falls bad bad", "the record profit is good", "", "a loss"]


def build_tiny_bert(directory: Path, id2label: dict[int, str], seed: int = 0) -> Path:
    """Save a randomly initialised 1-layer BERT classifier and its WordPiece tokenizer."""
    directory.mkdir(parents=True, exist_ok=True)
    vocab = directory / "vocab.txt"
    vocab.write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizer(vocab=str(vocab))
    config = transformers.BertConfig(
        vocab_size=len(VOCAB), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=64, num_labels=len(id2label),
        id2label=id2label, label2id={v: k for k, v in id2label.items()},
    )  # fmt: skip
    torch.manual_seed(seed)
    transformers.BertForSequenceClassification(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_bert(tmp_path_factory.mktemp("finbert"), FINBERT_LABELS)


def reference_probabilities(directory: Path, texts: list[str], max_length: int = 64):
    """The model run directly, one text at a time."""
    tokenizer = transformers.AutoTokenizer.from_pretrained(directory)
    model = transformers.AutoModelForSequenceClassification.from_pretrained(directory).eval()
    rows = []
    for text in texts:
        encoded = tokenizer(text, truncation=True, max_length=max_length, return_tensors="pt")
        with torch.no_grad():
            rows.append(model(**encoded).logits.softmax(-1)[0].numpy())
    return np.array(rows)


def test_scores_are_p_positive_minus_p_negative(tiny_model: Path):
    scorer = TransformerSentimentScorer(model=tiny_model, device="cpu")
    probabilities = reference_probabilities(tiny_model, TEXTS)
    expected = probabilities[:, 0] - probabilities[:, 1]
    expected[3] = 0.0  # a blank text scores 0 without running the model
    np.testing.assert_allclose(scorer.score(TEXTS), expected, atol=1e-6)
    np.testing.assert_allclose(scorer.probabilities(TEXTS[:3]), probabilities[:3], atol=1e-6)
    assert np.ptp(expected[[0, 1, 2, 4]]) > 0  # the texts do score apart


def test_batch_size_and_order_change_nothing(tiny_model: Path):
    one = TransformerSentimentScorer(model=tiny_model, batch_size=1).score(TEXTS)
    many = TransformerSentimentScorer(model=tiny_model, batch_size=64).score(TEXTS)
    np.testing.assert_allclose(one, many, atol=1e-6)
    reordered = TransformerSentimentScorer(model=tiny_model).score(TEXTS[::-1])
    np.testing.assert_allclose(reordered[::-1], many, atol=1e-6)


def test_long_texts_are_truncated_to_max_length(tiny_model: Path):
    words = ["shares", "surge", "stock", "falls"] * 40
    scorer = TransformerSentimentScorer(model=tiny_model, max_length=16)
    # [CLS] + 14 words + [SEP]
    assert scorer.score([" ".join(words)]) == pytest.approx(scorer.score([" ".join(words[:14])]))


def test_label_names_are_mapped(tmp_path: Path):
    directory = build_tiny_bert(tmp_path / "plain", {0: "LABEL_0", 1: "LABEL_1"})
    with pytest.raises(ValueError, match=r"labels \['LABEL_0', 'LABEL_1'\].*labels=\{"):
        TransformerSentimentScorer(model=directory).score(["good"])
    labels = {"LABEL_0": "bearish", "LABEL_1": "bullish"}
    scores = TransformerSentimentScorer(model=directory, labels=labels).score(TEXTS[:2])
    probabilities = reference_probabilities(directory, TEXTS[:2])
    np.testing.assert_allclose(scores, probabilities[:, 1] - probabilities[:, 0], atol=1e-6)


def test_a_missing_model_is_a_clear_error(tmp_path: Path):
    scorer = TransformerSentimentScorer(model=tmp_path / "nothing", local_files_only=True)
    with pytest.raises(OSError, match=r"cannot load the sentiment model .*save_pretrained"):
        scorer.score(["good"])


def test_a_pickled_scorer_loads_its_model_again(tiny_model: Path):
    scorer = TransformerSentimentScorer(model=tiny_model)
    before = scorer.score(TEXTS)
    copy = pickle.loads(pickle.dumps(scorer))
    assert copy == scorer
    np.testing.assert_array_equal(copy.score(TEXTS), before)


def test_conformance(tiny_model: Path):
    check_component(TransformerSentimentScorer(model=tiny_model, max_length=32))
