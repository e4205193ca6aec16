"""The module the ``mlcore.plugins`` entry point names: hook implementations only.

mlcore imports this module at start-up, so it imports nothing heavy: the adapter is
registered as a lazy ``"module:attr"`` string and httpx is imported when it is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlcore import hookimpl

if TYPE_CHECKING:
    from mlcore import Registry


@hookimpl
def mlcore_register_sentiment_adapters(registry: Registry[Any]) -> None:
    registry.add(
        "finnhub",
        "mlcore_sentiment_finnhub.adapter:FinnhubSource",
        description="Finnhub company news, news and social sentiment (premium falls back to free).",
        tags={"sentiment", "fetch", "news", "social"},
    )
