"""mlcore-torch: PyTorch sequence models for mlcore.

- :class:`NNRegimeDetector`: a neural regime detector (LSTM or causal Transformer) that
  learns regime labels (0 bull, 1 bear, 2 sideways) from a teacher: an HMM, rule-based
  dating, or labels you pass.
- :class:`LSTMClassifier`, :class:`LSTMRegressor`, :class:`TransformerClassifier`,
  :class:`TransformerRegressor`: forecasting models behind mlcore's Model protocol.

Every prediction for row ``t`` comes from the window of rows ending at ``t``. Importing
this package is cheap: it never imports torch. The classes live in
:mod:`mlcore_torch.detector` and :mod:`mlcore_torch.models`, imported the first time one
is built (through the registry) or named here (``from mlcore_torch import LSTMClassifier``).
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("mlcore-torch")
except PackageNotFoundError:  # running from a source checkout that is not installed
    __version__ = "0.0.0"

if TYPE_CHECKING:
    from mlcore_torch.detector import NNRegimeDetector
    from mlcore_torch.models import (
        LSTMClassifier,
        LSTMRegressor,
        TransformerClassifier,
        TransformerRegressor,
    )

__all__ = [
    "DISTRIBUTION",
    "LSTMClassifier",
    "LSTMRegressor",
    "NNRegimeDetector",
    "TransformerClassifier",
    "TransformerRegressor",
    "__version__",
]

#: The distribution name: the key of this plugin's settings (``plugins.config.<name>``).
DISTRIBUTION = "mlcore-torch"

_LAZY = {
    "NNRegimeDetector": "mlcore_torch.detector",
    "LSTMClassifier": "mlcore_torch.models",
    "LSTMRegressor": "mlcore_torch.models",
    "TransformerClassifier": "mlcore_torch.models",
    "TransformerRegressor": "mlcore_torch.models",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mlcore_torch' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
