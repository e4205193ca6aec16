"""Optuna, an optional dependency (``pip install 'mlcore[hpo]'``), imported on first use."""

from __future__ import annotations

from typing import Any

from mlcore.errors import MissingExtraError


def _import_optuna() -> Any:
    try:
        import optuna
    except ImportError:
        raise MissingExtraError("optuna", "hpo", "Hyperparameter optimisation") from None
    return optuna
