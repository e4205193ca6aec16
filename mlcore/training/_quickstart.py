"""The quickstart configuration: what ``mlcore run`` runs without a config."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Final

from mlcore.config import MlcoreConfig, config_from_dict
from mlcore.training._aliases import DEFAULT_REGISTERED_MODEL_NAME

#: What ``mlcore run`` runs without a config: the same as ``examples/quickstart.yaml``.
QUICKSTART: Final[Mapping[str, Any]] = {
    "data": {"source": "synthetic", "params": {"n": 4000, "seed": 7, "freq": "1D"}},
    "features": {"feature_selection": {"method": "mutual_info", "n_features": 30}},
    "labels": {"method": "direction", "horizon": 5},
    "training": {
        "model_type": "lightgbm",
        "model_params": {"n_estimators": 200, "learning_rate": 0.05, "num_leaves": 15},
        "optimization_metric": "f1_score",
        "metrics": ["accuracy", "f1_score", "roc_auc"],
        "seed": 42,
        "validation": {
            "method": "walk_forward",
            "n_splits": 5,
            "test_size": 0.2,
            "window": "expanding",
        },
    },
    "hpo": {"enabled": False, "n_trials": 20},
    "mlflow": {
        "enabled": True,
        "tracking_uri": "sqlite:///mlflow.db",
        "experiment_name": "mlcore-quickstart",
        "registered_model_name": DEFAULT_REGISTERED_MODEL_NAME,
    },
    "analytics": {
        "reports": ["pdf", "xlsx", "html"],
        "backtest": {"commission": 0.0001, "slippage_bps": 1.0},
    },
}


def quickstart_config() -> MlcoreConfig:
    """The quickstart configuration (:data:`QUICKSTART`, as ``examples/quickstart.yaml``)."""
    return config_from_dict(copy.deepcopy(dict(QUICKSTART)), source="quickstart")
