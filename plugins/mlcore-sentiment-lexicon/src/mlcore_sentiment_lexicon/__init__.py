"""mlcore-sentiment-lexicon: offline lexicon sentiment scorers for mlcore.

Importing this package is cheap: the scorers live in their modules and read their word
lists the first time they score.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("mlcore-sentiment-lexicon")
except PackageNotFoundError:  # running from a source checkout that is not installed
    __version__ = "0.0.0"

if TYPE_CHECKING:
    from mlcore_sentiment_lexicon.lexicon import LexiconScorer
    from mlcore_sentiment_lexicon.loughran_mcdonald import LoughranMcDonaldScorer
    from mlcore_sentiment_lexicon.vader import VaderScorer, vader_compound

__all__ = [
    "DISTRIBUTION",
    "LexiconScorer",
    "LoughranMcDonaldScorer",
    "VaderScorer",
    "__version__",
    "vader_compound",
]

#: The distribution name: the key of this plugin's settings (``plugins.config.<name>``).
DISTRIBUTION = "mlcore-sentiment-lexicon"

_HOMES = {
    "LexiconScorer": "mlcore_sentiment_lexicon.lexicon",
    "LoughranMcDonaldScorer": "mlcore_sentiment_lexicon.loughran_mcdonald",
    "VaderScorer": "mlcore_sentiment_lexicon.vader",
    "vader_compound": "mlcore_sentiment_lexicon.vader",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mlcore_sentiment_lexicon' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
