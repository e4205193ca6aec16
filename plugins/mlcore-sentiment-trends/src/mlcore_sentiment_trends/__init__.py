"""mlcore-sentiment-trends: Google Trends search interest for mlcore sentiment.

Importing this package is cheap: it never imports httpx. The adapter lives in
:mod:`mlcore_sentiment_trends.adapter`, imported the first time it is built (through the
registry) or named here (``from mlcore_sentiment_trends import GoogleTrendsAdapter``).
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("mlcore-sentiment-trends")
except PackageNotFoundError:  # running from a source checkout that is not installed
    __version__ = "0.0.0"

if TYPE_CHECKING:
    from mlcore_sentiment_trends.adapter import GoogleTrendsAdapter

__all__ = ["DISTRIBUTION", "GoogleTrendsAdapter", "__version__"]

#: The distribution name: the key of this plugin's settings (``plugins.config.<name>``).
DISTRIBUTION = "mlcore-sentiment-trends"


def __getattr__(name: str) -> Any:
    if name == "GoogleTrendsAdapter":
        value = getattr(importlib.import_module("mlcore_sentiment_trends.adapter"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mlcore_sentiment_trends' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
