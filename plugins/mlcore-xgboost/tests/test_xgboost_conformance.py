"""mlcore's conformance suite on the XGBoost models, the classifier and the regressor.

The kernel's model checks read each model's ``task``: the classifier is fit on direction
labels and compared on ``predict_proba``, the regressor on the next bar's log return and
compared on ``predict``.
"""

from __future__ import annotations

from mlcore.testing import parametrize_with_checks

from mlcore_xgboost.models import XGBoostClassifier, XGBoostRegressor

# Row and column sampling exercise the seed; no early stopping trains every round.
SAMPLED = {"subsample": 0.7, "colsample_bytree": 0.6, "early_stopping_rounds": None, "n_jobs": 1}


@parametrize_with_checks(
    [
        XGBoostClassifier(n_estimators=20, n_jobs=1),
        XGBoostClassifier(n_estimators=15, max_depth=3, **SAMPLED),
        XGBoostRegressor(n_estimators=20, n_jobs=1),
        XGBoostRegressor(n_estimators=15, max_depth=3, **SAMPLED),
    ]
)
def test_xgboost_conformance(component, check):
    check(component)
