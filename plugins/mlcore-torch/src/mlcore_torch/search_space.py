"""The default Optuna search space of the forecasting models, declared as data.

The models' ``search_space(trial)`` classmethod draws one point with
:func:`mlcore.modeling.suggest`; Optuna itself is not a dependency.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from mlcore.modeling import SearchDimension

__all__ = ["HEAD_MULTIPLE", "SEARCH_SPACE"]

#: Hyperparameter -> (kind, low, high, log), shared by the LSTM and Transformer models.
SEARCH_SPACE: Mapping[str, SearchDimension] = MappingProxyType(
    {
        "sequence_length": ("int", 10, 60, False),
        "hidden_size": ("int", 16, 128, True),
        "num_layers": ("int", 1, 3, False),
        "dropout": ("float", 0.0, 0.5, False),
        "learning_rate": ("float", 1e-4, 1e-2, True),
    }
)

#: A Transformer's drawn ``hidden_size`` is rounded up to a multiple of this, so that it
#: splits evenly over 1, 2, 4 or 8 attention heads.
HEAD_MULTIPLE = 8
