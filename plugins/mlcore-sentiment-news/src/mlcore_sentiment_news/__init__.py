"""mlcore-sentiment-news: headlines from RSS/Atom feeds and a NewsAPI-style endpoint.

Importing this package is cheap: the adapter lives in :mod:`mlcore_sentiment_news.adapter`,
imported the first time it is built (through the registry) or named here
(``from mlcore_sentiment_news import NewsSource``).
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("mlcore-sentiment-news")
except PackageNotFoundError:  # running from a source checkout that is not installed
    __version__ = "0.0.0"

if TYPE_CHECKING:
    from mlcore_sentiment_news.adapter import NewsSource

__all__ = ["DISTRIBUTION", "NewsSource", "__version__"]

#: The distribution name: the key of this plugin's settings (``plugins.config.<name>``).
DISTRIBUTION = "mlcore-sentiment-news"


def __getattr__(name: str) -> Any:
    if name == "NewsSource":
        value = getattr(importlib.import_module("mlcore_sentiment_news.adapter"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mlcore_sentiment_news' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
