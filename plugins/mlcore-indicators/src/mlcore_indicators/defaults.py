"""The default feature set: every default-tagged indicator of ``plugin.INDICATORS`` at
each of its ``default_parameters``.

Family modules are imported by name, on demand, so importing this module stays cheap.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

from mlcore_indicators.plugin import INDICATORS

__all__ = ["default_classes", "default_set"]


def default_classes(families: Iterable[str] | None = None) -> list[tuple[str, type[Any]]]:
    """(registered name, class) of each default indicator, in ``INDICATORS`` order.

    ``families`` (module names: ``trend``, ``momentum``, ``volatility``, ``volume``,
    ``structure``) keeps those families only; None keeps all.
    """
    wanted = None if families is None else set(families)
    classes = []
    for name, (target, _aliases, default) in INDICATORS.items():
        module, _, attr = target.partition(":")
        if not default or (wanted is not None and module not in wanted):
            continue
        classes.append(
            (name, getattr(importlib.import_module(f"mlcore_indicators.{module}"), attr))
        )
    return classes


def default_set(families: Iterable[str] | None = None) -> list[Any]:
    """The default indicator instances: each default class at each of its default parameters."""
    return [
        cls(**params)
        for _name, cls in default_classes(families)
        for params in cls.default_parameters
    ]
