"""The module the ``mlcore.plugins`` entry point names: hook implementations only.

mlcore imports this module at start-up, so it imports nothing heavy: the models are
registered as lazy ``"module:attr"`` strings and lightgbm is imported the first time one
of them is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlcore import hookimpl

if TYPE_CHECKING:
    from mlcore import Registry


@hookimpl
def mlcore_register_models(registry: Registry[Any]) -> None:
    registry.add(
        "lightgbm",
        "mlcore_lightgbm.models:LightGBMClassifier",
        aliases=("lgbm", "lightgbm_classifier"),
        description="LightGBM gradient-boosted trees classifier (binary and multiclass).",
        tags={"classifier", "gradient-boosting", "trees", "lightgbm"},
    )
    registry.add(
        "lightgbm_regressor",
        "mlcore_lightgbm.models:LightGBMRegressor",
        description="LightGBM gradient-boosted trees regressor.",
        tags={"regressor", "gradient-boosting", "trees", "lightgbm"},
    )
