"""Importing objects named by ``"package.module"`` and a dotted attribute path."""

from __future__ import annotations

import importlib
from typing import Any


def import_attribute(module: str, qualname: str) -> Any:
    """``module.qualname`` (``qualname`` may be dotted), importing ``module`` first."""
    target: Any = importlib.import_module(module)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target
