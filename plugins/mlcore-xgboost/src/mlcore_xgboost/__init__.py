"""mlcore-xgboost: XGBoost classifier and regressor behind mlcore's Model protocol.

Importing this package is cheap: it never imports xgboost. The models live in
:mod:`mlcore_xgboost.models`, imported the first time a model is built (through the
registry) or named here (``from mlcore_xgboost import XGBoostClassifier``).
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("mlcore-xgboost")
except PackageNotFoundError:  # running from a source checkout that is not installed
    __version__ = "0.0.0"

if TYPE_CHECKING:
    from mlcore_xgboost.models import XGBoostClassifier, XGBoostRegressor

__all__ = ["DISTRIBUTION", "XGBoostClassifier", "XGBoostRegressor", "__version__"]

#: The distribution name: the key of this plugin's settings (``plugins.config.<name>``).
DISTRIBUTION = "mlcore-xgboost"

_LAZY = {"XGBoostClassifier", "XGBoostRegressor"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module("mlcore_xgboost.models"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mlcore_xgboost' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
