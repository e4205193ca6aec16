"""mlcore's default indicator families: trend, momentum, volatility, volume, structure."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "default_set"]


def default_set(families: Iterable[str] | None = None) -> list[Any]:
    """The default indicator instances (see :func:`mlcore_indicators.defaults.default_set`)."""
    from mlcore_indicators.defaults import default_set as build  # imports the families

    return build(families)
