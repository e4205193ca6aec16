"""mlcore-sentiment-finnhub: Finnhub company news, news sentiment and social sentiment.

Importing this package is cheap: the adapter lives in :mod:`mlcore_sentiment_finnhub.adapter`,
imported the first time it is built (through the registry) or named here
(``from mlcore_sentiment_finnhub import FinnhubSource``).
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("mlcore-sentiment-finnhub")
except PackageNotFoundError:  # running from a source checkout that is not installed
    __version__ = "0.0.0"

if TYPE_CHECKING:
    from mlcore_sentiment_finnhub.adapter import FinnhubSource

__all__ = ["DISTRIBUTION", "FinnhubSource", "__version__"]

#: The distribution name: the key of this plugin's settings (``plugins.config.<name>``).
DISTRIBUTION = "mlcore-sentiment-finnhub"


def __getattr__(name: str) -> Any:
    if name == "FinnhubSource":
        value = getattr(importlib.import_module("mlcore_sentiment_finnhub.adapter"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mlcore_sentiment_finnhub' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
