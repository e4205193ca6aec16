"""mlcore-sentiment-transformers: transformer sentiment scorers for mlcore.

Importing this package is cheap: torch and transformers are imported by the modules that
need them, the first time a scorer is built or :func:`fine_tune` runs.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("mlcore-sentiment-transformers")
except PackageNotFoundError:  # running from a source checkout that is not installed
    __version__ = "0.0.0"

if TYPE_CHECKING:
    from mlcore_sentiment_transformers.classifier import TransformerSentimentScorer
    from mlcore_sentiment_transformers.embedding import EmbeddingSentimentScorer
    from mlcore_sentiment_transformers.fine_tuning import fine_tune

__all__ = [
    "DISTRIBUTION",
    "EmbeddingSentimentScorer",
    "TransformerSentimentScorer",
    "__version__",
    "fine_tune",
]

#: The distribution name: the key of this plugin's settings (``plugins.config.<name>``).
DISTRIBUTION = "mlcore-sentiment-transformers"

_HOMES = {
    "EmbeddingSentimentScorer": "mlcore_sentiment_transformers.embedding",
    "TransformerSentimentScorer": "mlcore_sentiment_transformers.classifier",
    "fine_tune": "mlcore_sentiment_transformers.fine_tuning",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mlcore_sentiment_transformers' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
