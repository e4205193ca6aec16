"""What a training job produced: the fitted pipeline, its scores and its registry entry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pandas as pd

from mlcore.config import MlcoreConfig
from mlcore.training._pipeline import TradingPipeline
from mlcore.training._summary import _summary

if TYPE_CHECKING:
    from mlcore.analytics.out_of_sample import OutOfSamplePerformance
    from mlcore.validation import CVResult


@attrs.frozen
class RegisteredModel:
    """A model version in the MLflow registry and the alias it received."""

    name: str
    version: str
    alias: str
    uri: str
    previous_champion: str | None = None


@attrs.define(eq=False)
class TrainingResult:
    """What :class:`TrainingJob` produced and measured.

    ``cv`` is the cross-validation on the training rows (``cv.scores``: one row per fold);
    ``oos_scores`` the metrics on the held-out bars and ``oos_signals`` their signals
    (``signal``, ``position`` and the strategy's log ``return`` with fills at the open of
    the bar after the signal, no costs); ``performance`` the out-of-sample
    backtest, its analytics and the reports written (None without out-of-sample
    predictions); ``timings`` the seconds per stage.
    """

    config: MlcoreConfig
    pipeline: TradingPipeline
    cv: CVResult
    oos_scores: dict[str, float]
    oos_signals: pd.DataFrame
    data: dict[str, Any]
    features: dict[str, Any]
    timings: dict[str, float]
    hpo: Any = None
    run_id: str | None = None
    registered: RegisteredModel | None = None
    tracking_uri: str | None = None
    performance: OutOfSamplePerformance | None = None

    @property
    def fold_scores(self) -> pd.DataFrame:
        """Per-fold rows: sizes, test period, metrics and fit seconds."""
        return self.cv.scores

    @property
    def cv_scores(self) -> dict[str, float]:
        """Each metric's mean over the folds."""
        return {str(name): float(value) for name, value in self.cv.mean_scores().items()}

    @property
    def cv_accuracy(self) -> float:
        """Accuracy of every out-of-fold prediction pooled (for class labels)."""
        predicted = self.cv.oof_predictions
        truth = self.data["y_train"]
        tested = predicted.notna()
        return float(np.mean(predicted[tested].to_numpy() == truth[tested].to_numpy()))

    def summary(self) -> str:
        """The printed summary: data, features, folds, metrics, registry, timings."""
        return _summary(self)
