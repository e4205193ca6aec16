"""mlcore-sentiment-discord: Discord channel messages for mlcore sentiment.

Importing this package is cheap: it never imports httpx. The adapter lives in
:mod:`mlcore_sentiment_discord.adapter`, imported the first time it is built (through the
registry) or named here (``from mlcore_sentiment_discord import DiscordAdapter``).
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("mlcore-sentiment-discord")
except PackageNotFoundError:  # running from a source checkout that is not installed
    __version__ = "0.0.0"

if TYPE_CHECKING:
    from mlcore_sentiment_discord.adapter import DiscordAdapter

__all__ = ["DISTRIBUTION", "DiscordAdapter", "__version__"]

#: The distribution name: the key of this plugin's settings (``plugins.config.<name>``).
DISTRIBUTION = "mlcore-sentiment-discord"


def __getattr__(name: str) -> Any:
    if name == "DiscordAdapter":
        value = getattr(importlib.import_module("mlcore_sentiment_discord.adapter"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mlcore_sentiment_discord' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
