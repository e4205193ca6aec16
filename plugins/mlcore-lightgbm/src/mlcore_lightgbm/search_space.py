"""The default Optuna search space this plugin declares for its models.

:data:`SEARCH_SPACE` describes it as data (for documentation, and for tools that build
their own distributions); the models' ``search_space(trial)`` classmethod draws one point
from it with :func:`mlcore.modeling.suggest` and any object that has Optuna's
``suggest_float`` / ``suggest_int`` methods. Optuna itself is not a dependency.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from mlcore.modeling import SearchDimension

__all__ = ["SEARCH_SPACE"]

#: Hyperparameter -> (kind, low, high, log), shared by the classifier and the regressor.
SEARCH_SPACE: Mapping[str, SearchDimension] = MappingProxyType(
    {
        "n_estimators": ("int", 100, 1000, False),
        "learning_rate": ("float", 0.01, 0.3, True),
        "num_leaves": ("int", 15, 255, True),
        "subsample": ("float", 0.5, 1.0, False),
        "colsample_bytree": ("float", 0.5, 1.0, False),
        "min_child_samples": ("int", 5, 100, True),
        "reg_alpha": ("float", 1e-8, 10.0, True),
        "reg_lambda": ("float", 1e-8, 10.0, True),
    }
)
