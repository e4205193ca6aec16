"""The module the ``mlcore.plugins`` entry point names: hook implementations only.

mlcore imports this module at start-up, so it imports nothing heavy: the models are
registered as lazy ``"module:attr"`` strings and xgboost is imported the first time one
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
        "xgboost",
        "mlcore_xgboost.models:XGBoostClassifier",
        aliases=("xgb", "xgboost_classifier"),
        description="XGBoost gradient-boosted trees classifier (binary and multiclass).",
        tags={"classifier", "gradient-boosting", "trees", "xgboost"},
    )
    registry.add(
        "xgboost_regressor",
        "mlcore_xgboost.models:XGBoostRegressor",
        description="XGBoost gradient-boosted trees regressor.",
        tags={"regressor", "gradient-boosting", "trees", "xgboost"},
    )
