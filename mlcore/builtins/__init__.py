"""The kernel's own plugin: builtin metrics, retraining triggers and data sources.

It registers through the same hooks as any third-party plugin, with lazy factories.
"""

from __future__ import annotations

from typing import Any

from mlcore.hookspecs import hookimpl
from mlcore.registry import Registry

METRICS: dict[str, str] = {
    "accuracy": "Fraction of correct class predictions.",
    "precision": "Precision of the positive class (binary) or macro average.",
    "recall": "Recall of the positive class (binary) or macro average.",
    "f1_score": "F1 of the positive class (binary) or macro average.",
    "roc_auc": "Area under the ROC curve from predicted probabilities.",
    "log_loss": "Cross-entropy of predicted probabilities (lower is better).",
    "directional_accuracy": "Fraction of bars whose predicted sign matches the realised sign.",
    "information_coefficient": "Spearman rank correlation of predictions with realised values.",
}

TRIGGERS: dict[str, tuple[str, str]] = {
    "schedule": ("ScheduleTrigger", "Fires when a time span or a number of bars has passed."),
    "performance_decay": (
        "PerformanceDecayTrigger",
        "Fires when the recent score falls below the baseline by a threshold.",
    ),
    "drift": ("DriftTrigger", "Fires when the measured drift score exceeds a threshold."),
}

DATA_SOURCES: dict[str, tuple[str, str]] = {
    "csv": ("CsvSource", "OHLCV bars from a CSV file."),
    "parquet": ("ParquetSource", "OHLCV bars from a Parquet file."),
    "synthetic": ("SyntheticSource", "A seeded regime-switching synthetic market."),
}


@hookimpl
def mlcore_register_metrics(registry: Registry[Any]) -> None:
    for name, description in METRICS.items():
        registry.add(name, f"mlcore.builtins.metrics:{name}", description=description)


@hookimpl
def mlcore_register_retrain_triggers(registry: Registry[Any]) -> None:
    for name, (attr, description) in TRIGGERS.items():
        registry.add(name, f"mlcore.builtins.triggers:{attr}", description=description)


@hookimpl
def mlcore_register_data_sources(registry: Registry[Any]) -> None:
    for name, (attr, description) in DATA_SOURCES.items():
        registry.add(name, f"mlcore.builtins.data_sources:{attr}", description=description)
