"""Experiment tracking and the model registry on MLflow: :class:`MLflowManager`.

One manager talks to one tracking store (``sqlite:///mlflow.db`` by default: MLflow embedded
in a file, no server) and one experiment in it. A run records what produced a model: its
parameters, metrics per fold and overall, the resolved config (``config.yaml``), the plugin
versions (``plugins.json``), the data fingerprint, the feature list (``features.json``), the
seed, plots, and the model itself: the whole pipeline as an MLflow *pyfunc* model that predicts
from raw OHLCV bars, with the seed document's ``model_metadata.json``. The registry side
registers versions, moves the aliases ``champion`` and ``challenger``, and loads a model by
alias, here or in any other process.

Secrets never reach MLflow: parameters, tags, config and metadata are scrubbed of keys that
name a secret (``api_key``, ``token``, ``password``...), of values equal to (or, from 8
characters, containing) a secret held in an environment variable whose name says so
(``FINNHUB_API_KEY``), and of passwords inside URLs (``postgresql://user:***@host/db``).

mlflow is the ``mlcore[tracking]`` extra, imported on first use. ``docs/tracking.md`` is
the user guide.
"""

from __future__ import annotations

import os

# Before mlflow is first imported anywhere through this package; the user's setting wins.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")


from mlcore.errors import ModelLoadError, ModelNotFoundError, TrackingError, TrackingWarning
from mlcore.tracking._manager import MLflowManager
from mlcore.tracking._mlflow import _mlflow_errors as _mlflow_errors
from mlcore.tracking._params import MAX_KEY_LENGTH as MAX_KEY_LENGTH
from mlcore.tracking._params import MAX_PARAM_LENGTH as MAX_PARAM_LENGTH
from mlcore.tracking._params import MAX_TAG_LENGTH as MAX_TAG_LENGTH
from mlcore.tracking._params import TRUNCATION_MARKER as TRUNCATION_MARKER
from mlcore.tracking._params import flatten_params
from mlcore.tracking._requirements import default_pip_requirements
from mlcore.tracking._results import LoggedModel, ModelVersionInfo, RunSummary

__all__ = [
    "LoggedModel",
    "MLflowManager",
    "ModelLoadError",
    "ModelNotFoundError",
    "ModelVersionInfo",
    "RunSummary",
    "TrackingError",
    "TrackingWarning",
    "default_pip_requirements",
    "flatten_params",
]
