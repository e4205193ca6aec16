"""Training orchestration: the main job, and the fitted pipeline it produces.

>>> result = train(load_config("examples/quickstart.yaml"))
>>> print(result.summary())
>>> result.pipeline.predict_proba(new_bars)         # raw OHLCV bars in

The job (:class:`TrainingJob`, ``mlcore train --config CFG`` / ``mlcore run CFG``):

1. **data**: the ``data`` section's source from the data source registry, validated
   against the OHLCV contract (``data.policy``).
2. **labels**: ``labels`` (:func:`mlcore.labels.make_labels`); each label knows when its
   outcome is known (``t1``), for purging.
3. **hold-out**: the last ``holdout`` bars (a fraction, default 0.2, or a number of bars)
   are set aside for the out-of-sample check. Training rows whose label window reaches into
   them are purged, so no training label uses a held-out price.
4. **features**: the ``features`` section (:class:`~mlcore.features.FeatureEngineeringPipeline`).
   Indicators are causal (a row depends on bars at or before it), so they are computed once
   on all bars; everything *fitted* (the preprocessor, the selector, the model) is fit on
   training rows only: per cross-validation fold on that fold's training rows, and at the
   end on all training rows, never on a held-out bar. With ``regimes.enabled`` and
   ``regimes.as_features`` the regime detector is fitted too: each fold (and the final fit)
   fits one on the bars of its training rows and adds its **filtered** probabilities
   (``regime_p_bull``, ...) before preprocessing and selection
   (:class:`~mlcore.features.RegimeFeatureStep`).
5. **cross-validation**: ``training.validation`` (purged walk-forward by default), scored
   per fold by the metrics registry (``training.metrics`` and
   ``training.optimization_metric``).
6. **tuning** (``hpo.enabled``): an Optuna search on the training rows with the same folds;
   the best parameters are used from then on.
7. **final fit** on all training rows. ``mlcore_before_fit``, ``mlcore_after_fit`` and
   ``mlcore_on_fit_error`` fire around every fit: each fold, each trial's folds, the final.
8. **out-of-sample**: the fitted :class:`TradingPipeline` predicts the held-out bars; a
   signal decided at bar ``t`` (from data up to ``t``'s close) is held from ``t + 1``: no
   same-bar fill.
9. **performance report** (:mod:`mlcore.analytics.out_of_sample`): the held-out signals
   (without a hold-out, the walk-forward out-of-fold predictions; never in-sample ones)
   are backtested on their bars with the costs and sizing of ``analytics.backtest``
   (:class:`~mlcore.analytics.backtest.Backtest`), the analytics use
   ``analytics.risk_free_rate`` and ``analytics.periods_per_year``, and the formats in
   ``analytics.reports`` are written to ``analytics.output_dir`` (and logged to the
   MLflow run). The summary ends with the headline metrics and the report files.
10. **tracking** (``mlflow.enabled``): parameters, per-fold and mean metrics, the
   backtest's metrics (``backtest_*``), the resolved config, plugin versions, data
   fingerprint, feature list, seed, plots, the seed's model metadata JSON and the whole
   pipeline as an MLflow pyfunc, registered under ``mlflow.registered_model_name`` with
   the alias ``champion`` (see :class:`TrainingJob`).

Reproducible: the same data, config and ``training.seed`` give the same numbers.
"""

from __future__ import annotations

from mlcore.training._aliases import (
    CHALLENGER,
    CHAMPION,
    DEFAULT_REGISTERED_MODEL_NAME,
)
from mlcore.training._aliases import (
    PREVIOUS_CHAMPION as PREVIOUS_CHAMPION,  # importable as before, not in __all__
)
from mlcore.training._feature_stage import FeatureStage
from mlcore.training._hooks import HookedModel
from mlcore.training._indicator_features import generate_indicator_features
from mlcore.training._job import Progress, TrainingJob, train
from mlcore.training._pipeline import TradingPipeline
from mlcore.training._quickstart import QUICKSTART, quickstart_config
from mlcore.training._result import RegisteredModel, TrainingResult

__all__ = [
    "CHAMPION",
    "CHALLENGER",
    "DEFAULT_REGISTERED_MODEL_NAME",
    "FeatureStage",
    "HookedModel",
    "Progress",
    "RegisteredModel",
    "TradingPipeline",
    "TrainingJob",
    "TrainingResult",
    "QUICKSTART",
    "generate_indicator_features",
    "quickstart_config",
    "train",
]

# Public classes keep the module path they are pickled under (saved pipelines, MLflow models).
for _public in (
    FeatureStage,
    HookedModel,
    RegisteredModel,
    TradingPipeline,
    TrainingJob,
    TrainingResult,
):
    _public.__module__ = __name__
del _public
