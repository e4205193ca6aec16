"""Sentiment class names: ``negative``, ``neutral``, ``positive``, and what maps onto them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

__all__ = ["CLASSES", "canonical_label", "canonical_labels", "label_positions"]

#: The classes, in the order fine-tuned models number them (id 0, 1, 2).
CLASSES: Final = ("negative", "neutral", "positive")

_SYNONYMS: Final = {
    "negative": "negative",
    "neg": "negative",
    "bearish": "negative",
    "-1": "negative",
    "neutral": "neutral",
    "neu": "neutral",
    "0": "neutral",
    "positive": "positive",
    "pos": "positive",
    "bullish": "positive",
    "1": "positive",
}


def canonical_label(value: object) -> str | None:
    """``negative``/``neutral``/``positive`` for a name, a synonym or -1/0/1; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        value = str(int(value))
    return _SYNONYMS.get(str(value).strip().lower())


def canonical_labels(values: Iterable[object]) -> list[str]:
    """Every value as a class name; a ValueError names the first one that is none."""
    labels = []
    for position, value in enumerate(values):
        label = canonical_label(value)
        if label is None:
            raise ValueError(
                f"label {value!r} at position {position} is not a sentiment class; use "
                "'negative', 'neutral', 'positive' (or -1, 0, 1)"
            )
        labels.append(label)
    return labels


def label_positions(
    id2label: Mapping[int, str], override: Mapping[str, str] | None, model: str
) -> dict[str, int]:
    """The output position of each class among a model's labels.

    ``override`` maps the model's own label names (``LABEL_0``) to class names, for models
    whose labels say nothing. Positive and negative are required; neutral is optional.
    """
    found: dict[str, int] = {}
    for position, name in sorted(id2label.items()):
        label = (override or {}).get(name) if override else None
        label = canonical_label(label if label is not None else name)
        if label is not None:
            found[label] = int(position)
    missing = [label for label in ("positive", "negative") if label not in found]
    if missing:
        names = [id2label[k] for k in sorted(id2label)]
        example = ", ".join(f"{n!r}: {c!r}" for n, c in zip(names, CLASSES, strict=False))
        raise ValueError(
            f"model {model!r} has labels {names}, and none of them is {' or '.join(missing)}; "
            f"name the classes with labels={{{example}}}"
        )
    return found
