"""The module the ``mlcore.plugins`` entry point names: hook implementations only.

The scorers are registered as lazy ``"module:attr"`` strings, so loading the plugin never
imports torch or transformers; a model is loaded the first time a scorer scores.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlcore import hookimpl

if TYPE_CHECKING:
    from mlcore import Registry


@hookimpl
def mlcore_register_sentiment_adapters(registry: Registry[Any]) -> None:
    registry.add(
        "finbert",
        "mlcore_sentiment_transformers.classifier:TransformerSentimentScorer",
        aliases=("transformers",),
        description="FinBERT-style sequence classifier: p(positive) - p(negative).",
        tags={"sentiment", "scorer", "transformers"},
    )
    registry.add(
        "minilm",
        "mlcore_sentiment_transformers.embedding:EmbeddingSentimentScorer",
        description="MiniLM sentence embeddings + logistic regression fit on labelled texts.",
        tags={"sentiment", "scorer", "transformers", "offline"},
    )
