"""The module the ``mlcore.plugins`` entry point names: hook implementations only.

The scorers are registered as lazy ``"module:attr"`` strings; the word lists are read the
first time a scorer scores.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlcore import hookimpl

if TYPE_CHECKING:
    from mlcore import Registry


@hookimpl
def mlcore_register_sentiment_adapters(registry: Registry[Any]) -> None:
    registry.add(
        "lexicon",
        "mlcore_sentiment_lexicon.lexicon:LexiconScorer",
        description="VADER for social posts, Loughran-McDonald for news, chosen by source.",
        tags={"sentiment", "scorer", "offline"},
    )
    registry.add(
        "vader",
        "mlcore_sentiment_lexicon.vader:VaderScorer",
        description="VADER compound score (social media text, emoji, slang).",
        tags={"sentiment", "scorer", "offline", "social"},
    )
    registry.add(
        "loughran_mcdonald",
        "mlcore_sentiment_lexicon.loughran_mcdonald:LoughranMcDonaldScorer",
        aliases=("lm",),
        description="Loughran-McDonald financial word lists: (pos - neg) / (pos + neg).",
        tags={"sentiment", "scorer", "offline", "news"},
    )
