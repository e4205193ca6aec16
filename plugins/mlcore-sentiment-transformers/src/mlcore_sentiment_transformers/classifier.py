"""FinBERT-style sentiment: a sequence classifier's ``p(positive) - p(negative)``.

The model is any Hugging Face sequence classifier with positive and negative classes
(FinBERT: ``ProsusAI/finbert``), loaded from a local directory (``save_pretrained``) or a
model name with ``AutoModelForSequenceClassification`` and ``AutoTokenizer``, the first
time it scores. Texts are scored in batches sorted by length (little padding), truncated
to ``max_length`` tokens, on the ``device`` (``auto``: CUDA, then MPS, else CPU). Blank
texts score 0 without running the model. Remote code is never run.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, ClassVar

import attrs
import numpy as np

from mlcore_sentiment_transformers._torch import batches, by_length, resolve_device
from mlcore_sentiment_transformers.labels import label_positions

__all__ = ["DEFAULT_MODEL", "TransformerSentimentScorer", "load_classifier"]

#: FinBERT (Araci, 2019): BERT further trained on financial text, labels positive,
#: negative, neutral. Needs the Hugging Face cache or network access.
DEFAULT_MODEL = "ProsusAI/finbert"


@attrs.frozen
class _Loaded:
    tokenizer: Any
    model: Any
    device: str
    positive: int
    negative: int
    max_length: int


@attrs.define(slots=False)
class TransformerSentimentScorer:
    """Scores texts with a sequence classifier: ``p(positive) - p(negative)`` in [-1, 1].

    ``labels`` maps the model's label names to ``positive``/``negative``/``neutral`` when
    they are not already such names (``{"LABEL_0": "negative", ...}``).
    ``local_files_only`` refuses to download (a name must then be in the local cache).
    """

    capabilities: ClassVar[frozenset[str]] = frozenset({"score"})

    model: str = attrs.field(default=DEFAULT_MODEL, converter=os.fspath)
    batch_size: int = attrs.field(default=32, validator=attrs.validators.ge(1))
    max_length: int = attrs.field(default=256, validator=attrs.validators.ge(8))
    device: str = "auto"
    labels: dict[str, str] | None = None
    local_files_only: bool = False
    _loaded: _Loaded | None = attrs.field(init=False, default=None, eq=False, repr=False)

    def fetch(self, symbol: str, start: object, end: object) -> list[object]:
        raise NotImplementedError("finbert scores texts; it fetches nothing")

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """``p(positive) - p(negative)`` per text; 0 for blank texts."""
        scores = np.zeros(len(texts))
        wanted = [position for position, text in enumerate(texts) if text.strip()]
        if wanted:
            probabilities = self.probabilities([texts[p] for p in wanted])
            loaded = self._load()
            scores[wanted] = probabilities[:, loaded.positive] - probabilities[:, loaded.negative]
        return np.clip(scores, -1.0, 1.0)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """The model's class probabilities, one row per text, columns in label-id order."""
        import torch

        loaded = self._load()
        probabilities = np.empty((len(texts), loaded.model.config.num_labels))
        for chunk in batches(by_length(texts, range(len(texts))), self.batch_size):
            encoded = loaded.tokenizer(
                [texts[p] for p in chunk],
                padding=True,
                truncation=True,
                max_length=loaded.max_length,
                return_tensors="pt",
            ).to(loaded.device)
            with torch.inference_mode():
                logits = loaded.model(**encoded).logits
            probabilities[chunk] = logits.float().softmax(dim=-1).cpu().numpy()
        return probabilities

    def _load(self) -> _Loaded:
        if self._loaded is None:
            tokenizer, model = load_classifier(self.model, local_files_only=self.local_files_only)
            device = resolve_device(self.device)
            model.to(device).eval()
            positions = label_positions(model.config.id2label, self.labels, self.model)
            limit = getattr(tokenizer, "model_max_length", self.max_length) or self.max_length
            self._loaded = _Loaded(
                tokenizer=tokenizer,
                model=model,
                device=device,
                positive=positions["positive"],
                negative=positions["negative"],
                max_length=min(self.max_length, int(limit)),
            )
        return self._loaded

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_loaded"] = None  # the model is loaded again where it is unpickled
        return state


def load_classifier(model: str, *, local_files_only: bool = False) -> tuple[Any, Any]:
    """The tokenizer and sequence classifier at ``model`` (a directory or a model name)."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(model, local_files_only=local_files_only)
        classifier = AutoModelForSequenceClassification.from_pretrained(
            model, local_files_only=local_files_only
        )
    except (OSError, ValueError) as error:
        raise OSError(
            f"cannot load the sentiment model {model!r}: {error}. Give a directory written by "
            "save_pretrained (config.json, weights, tokenizer files), or the name of a model "
            "in the Hugging Face cache"
        ) from error
    return tokenizer, classifier
