"""Builtin model-scoring metrics.

Binary problems score the positive class; multi-class ones use the macro average.
Probabilities are the positive-class column (1-D) or one column per class (2-D).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from mlcore.protocols import metric

__all__ = [
    "accuracy",
    "directional_accuracy",
    "f1_score",
    "information_coefficient",
    "log_loss",
    "precision",
    "recall",
    "roc_auc",
]


def _average(y_true: Any, y_pred: Any) -> str:
    classes = np.union1d(np.asarray(y_true), np.asarray(y_pred))
    return "binary" if len(classes) <= 2 and set(classes.tolist()) <= {0, 1} else "macro"


@metric(greater_is_better=True)
def accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of correct class predictions."""
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))


@metric(greater_is_better=True)
def precision(y_true: Any, y_pred: Any) -> float:
    """Precision of the positive class (binary) or macro average."""
    from sklearn.metrics import precision_score

    return float(precision_score(y_true, y_pred, average=_average(y_true, y_pred), zero_division=0))


@metric(greater_is_better=True)
def recall(y_true: Any, y_pred: Any) -> float:
    """Recall of the positive class (binary) or macro average."""
    from sklearn.metrics import recall_score

    return float(recall_score(y_true, y_pred, average=_average(y_true, y_pred), zero_division=0))


@metric(greater_is_better=True)
def f1_score(y_true: Any, y_pred: Any) -> float:
    """F1 of the positive class (binary) or macro average."""
    from sklearn.metrics import f1_score as sklearn_f1

    return float(sklearn_f1(y_true, y_pred, average=_average(y_true, y_pred), zero_division=0))


@metric(greater_is_better=True, needs="proba")
def roc_auc(y_true: Any, y_pred: Any) -> float:
    """Area under the ROC curve; one-vs-rest macro average for several classes."""
    from sklearn.metrics import roc_auc_score

    proba = np.asarray(y_pred, dtype=float)
    if proba.ndim == 2 and proba.shape[1] == 2:
        proba = proba[:, 1]
    multi = {"multi_class": "ovr", "average": "macro"} if proba.ndim == 2 else {}
    return float(roc_auc_score(y_true, proba, **multi))


@metric(greater_is_better=False, needs="proba")
def log_loss(y_true: Any, y_pred: Any) -> float:
    """Cross-entropy of predicted probabilities."""
    from sklearn.metrics import log_loss as sklearn_log_loss

    return float(sklearn_log_loss(y_true, np.asarray(y_pred, dtype=float)))


@metric(greater_is_better=True)
def directional_accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of non-zero realised moves whose sign the prediction got right."""
    truth, guess = np.sign(np.asarray(y_true, float)), np.sign(np.asarray(y_pred, float))
    moved = truth != 0
    if not moved.any():
        raise ValueError("directional_accuracy needs at least one non-zero realised value")
    return float(np.mean(truth[moved] == guess[moved]))


@metric(greater_is_better=True)
def information_coefficient(y_true: Any, y_pred: Any) -> float:
    """Spearman rank correlation between predictions and realised values."""
    result = stats.spearmanr(np.asarray(y_pred, float), np.asarray(y_true, float))
    return float(result.statistic)
