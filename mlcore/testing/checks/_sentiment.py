"""Checks for sentiment adapters."""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

from mlcore.testing.checks._comparison import _first_mismatch
from mlcore.testing.checks._defaults import SENTIMENT_CAPABILITIES
from mlcore.testing.checks._failures import _DETERMINISM_FIX, _call, _failure
from mlcore.testing.checks._kinds import _as_instance, component_id


def check_sentiment_capabilities(component: object, data: pd.DataFrame | None = None) -> None:
    """``capabilities`` is a non-empty set of ``"fetch"`` and/or ``"score"``."""
    check = "check_sentiment_capabilities"
    adapter: Any = _as_instance(component)
    capabilities = adapter.capabilities
    if (
        not isinstance(capabilities, set | frozenset)
        or not capabilities
        or not capabilities <= SENTIMENT_CAPABILITIES
    ):
        raise _failure(
            adapter,
            check,
            f"capabilities is {capabilities!r}",
            "set capabilities = frozenset({'fetch'}), frozenset({'score'}) or both",
        )


def _sentiment_scores(adapter: Any, check: str, what: str) -> np.ndarray:
    texts = ["good", "bad"]
    scores = _call(adapter, check, what, lambda: adapter.score(texts))
    if not isinstance(scores, np.ndarray) or scores.dtype.kind != "f" or scores.shape != (2,):
        shape = getattr(scores, "shape", None)
        raise _failure(
            adapter,
            check,
            f"{what} returned {type(scores).__name__} (shape {shape}, dtype "
            f"{getattr(scores, 'dtype', None)})",
            "return a float numpy array with one score per text",
        )
    return scores


def check_sentiment_score(component: object, data: pd.DataFrame | None = None) -> None:
    """Adapters that can ``score``: ``score(["good", "bad"])`` is a float array of length 2
    with finite values in [-1, 1]."""
    check = "check_sentiment_score"
    adapter: Any = _as_instance(component)
    if "score" not in adapter.capabilities:
        raise TypeError(
            f"{check} applies to adapters that can score; {component_id(adapter)} cannot"
        )
    scores = _sentiment_scores(adapter, check, "score(['good', 'bad'])")
    if not np.isfinite(scores).all() or (np.abs(scores) > 1).any():
        raise _failure(
            adapter,
            check,
            f"score(['good', 'bad']) returned {scores.tolist()}",
            "scores are finite and lie in [-1, 1] (clip or rescale, e.g. np.tanh)",
        )


#: Texts for check_sentiment_batch: empty, short, long (past any truncation), non-ASCII,
#: and texts of different strength (a scorer rescaling by the batch scores them apart).
SENTIMENT_BATCH: Final = (
    "",
    "Shares surge after record profit",
    "Company warns of losses; stock falls " * 60,
    "Gewinnwarnung: Aktie bricht ein 📉",
    "good",
    "good results, good outlook, good news",
)


def check_sentiment_batch(component: object, data: pd.DataFrame | None = None) -> None:
    """Adapters that can ``score``: ``score([])`` is an empty float array; a batch gets one
    finite score in [-1, 1] per text (empty, long and non-ASCII texts included), in the
    order given, equal (to 1e-5) to scoring each text alone."""
    check = "check_sentiment_batch"
    adapter: Any = _as_instance(component)
    if "score" not in adapter.capabilities:
        raise TypeError(
            f"{check} applies to adapters that can score; {component_id(adapter)} cannot"
        )
    empty = _call(adapter, check, "score([])", lambda: adapter.score([]))
    if not isinstance(empty, np.ndarray) or empty.shape != (0,) or empty.dtype.kind != "f":
        raise _failure(
            adapter,
            check,
            f"score([]) returned {type(empty).__name__} of shape {getattr(empty, 'shape', None)}",
            "return np.empty(0) for no texts",
        )
    texts = list(SENTIMENT_BATCH)
    batch = _call(adapter, check, f"score() of {len(texts)} texts", lambda: adapter.score(texts))
    if not isinstance(batch, np.ndarray) or batch.shape != (len(texts),):
        raise _failure(
            adapter,
            check,
            f"score() of {len(texts)} texts returned shape {getattr(batch, 'shape', None)}",
            "return a float numpy array with one score per text, empty ones included",
        )
    if not np.isfinite(batch).all() or (np.abs(batch) > 1).any():
        raise _failure(
            adapter, check, f"a batch was scored {batch.tolist()}", "scores lie in [-1, 1]"
        )
    alone = np.array([float(np.asarray(adapter.score([text]))[0]) for text in texts])
    mismatch = _first_mismatch(batch, alone, rtol=0, atol=1e-5)
    if mismatch is not None:
        row = mismatch[0]
        raise _failure(
            adapter,
            check,
            f"text {row} scores {batch[row]} in a batch and {alone[row]} alone",
            "score each text independently of the others in the batch (mask padding, keep "
            "the order)",
        )


def check_sentiment_fetch(adapter: object, symbol: str, start: object, end: object) -> list[Any]:
    """Fetch-capable adapters, against a server the test runs: ``fetch(symbol, start,
    end)`` returns SentimentItems of that symbol published in [start, end], with a
    non-empty ``source``, and a second call returns the same items. Returns the items.

    It needs the provider's test server, so :func:`checks_for` does not include it; call
    it from the provider's tests.
    """
    from mlcore.sentiment import SentimentItem

    check = "check_sentiment_fetch"
    first, last = pd.Timestamp(start), pd.Timestamp(end)  # type: ignore[arg-type]
    first = first.tz_localize("UTC") if first.tzinfo is None else first
    last = last.tz_localize("UTC") if last.tzinfo is None else last
    instance: Any = adapter
    what = f"fetch({symbol!r}, {first}, {last})"
    items = list(_call(instance, check, what, lambda: instance.fetch(symbol, first, last)))
    for position, item in enumerate(items):
        problem = None
        if not isinstance(item, SentimentItem):
            problem = f"item {position} is a {type(item).__name__}, not a SentimentItem"
        elif not item.source.strip():
            problem = f"item {position} has an empty source"
        elif item.symbol != symbol:
            problem = f"item {position} is about {item.symbol!r}, not {symbol!r}"
        elif not first <= item.published_at <= last:
            problem = f"item {position} was published at {item.published_at}, outside the range"
        if problem is not None:
            raise _failure(
                instance,
                check,
                problem,
                "return mlcore.sentiment.SentimentItem objects of the symbol asked, "
                "published within [start, end]",
            )
    again = list(
        _call(instance, check, f"a second {what}", lambda: instance.fetch(symbol, first, last))
    )
    if again != items:
        raise _failure(
            instance,
            check,
            f"two calls returned {len(items)} and {len(again)} items that differ",
            "return the same items for the same request (sorted, deduplicated)",
        )
    return items


def _sentiment_determinism(adapter: Any, data: object) -> None:
    check = "check_determinism"
    if "score" not in adapter.capabilities:
        raise TypeError(f"{check} applies to sentiment adapters that can score")
    first = _sentiment_scores(adapter, check, "score(['good', 'bad'])")
    second = _sentiment_scores(adapter, check, "a second score(['good', 'bad'])")
    if _first_mismatch(first, second, rtol=0, atol=0) is not None:
        raise _failure(
            adapter,
            check,
            f"two calls give {first.tolist()} and {second.tolist()}",
            _DETERMINISM_FIX,
        )
