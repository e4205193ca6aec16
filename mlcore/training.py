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

import contextlib
import copy
import datetime as _dt
import inspect
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np
import pandas as pd

from mlcore._table import format_table
from mlcore._version import __version__
from mlcore.config import MlcoreConfig, config_from_dict, config_to_dict
from mlcore.data import data_fingerprint, validate_ohlcv
from mlcore.errors import ConfigError, FeatureError, MlcoreError, UnknownComponentError
from mlcore.features.caching import IndicatorRunner
from mlcore.features.preprocessing import FeaturePreprocessor
from mlcore.features.regime_features import RegimeFeatures, RegimeFeatureStep
from mlcore.features.selection import FeatureSelector
from mlcore.features.timeframes import asof_positions, completed_bars
from mlcore.labels import Labels, make_labels
from mlcore.models import ENSEMBLE_TYPES, create_model, model_parameter_names, model_task

if TYPE_CHECKING:
    from mlcore.analytics.backtest import Backtest
    from mlcore.analytics.out_of_sample import OutOfSamplePerformance
    from mlcore.host import PluginHost
    from mlcore.validation import CVResult

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

#: The share of the bars held out for the out-of-sample check when none is given.
#: The registered model name when ``mlflow.registered_model_name`` is not set.
DEFAULT_REGISTERED_MODEL_NAME: Final = "mlcore-quickstart"
#: The alias the newly trained version receives, and the one the previous champion gets.
CHAMPION: Final = "champion"
CHALLENGER: Final = "challenger"
PREVIOUS_CHAMPION: Final = "previous_champion"

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

#: ``progress(stage, done, total)``: ``stage`` is ``folds`` or ``trials``; called once with
#: ``done=0`` when a stage starts, then after each fold or trial.
Progress = Callable[[str, int, int], None]


# ---------------------------------------------------------------------------
# Feature generation without a host
# ---------------------------------------------------------------------------


def _timeframe_column(column: str, timeframe: str) -> str:
    return f"{column}_{timeframe}"


def generate_indicator_features(
    ohlcv: pd.DataFrame, indicators: Sequence[Any], timeframes: Sequence[str] = ()
) -> pd.DataFrame:
    """The feature frame of ``indicators`` (and of each higher timeframe) on ``ohlcv``.

    The same columns and values as :meth:`FeatureEngineeringPipeline.generate_features`
    for the same indicator instances, without a plugin host: a fitted pipeline carries its
    indicator instances and computes its features wherever it is loaded. Higher-timeframe
    columns come from completed higher bars only, named ``<column>_<timeframe>``.
    An indicator that fails raises (a fitted model needs every one of its features).
    """
    frame = validate_ohlcv(ohlcv, policy="raise")
    runner = IndicatorRunner(None)
    blocks: list[np.ndarray] = []
    columns: list[str] = []

    def add(values: np.ndarray | list[np.ndarray], names: Sequence[str]) -> None:
        matrix = np.column_stack(values) if isinstance(values, list) else np.asarray(values)
        blocks.append(matrix.reshape(len(matrix), len(names)))
        columns.extend(names)

    for indicator in indicators:
        values = runner.run(indicator, frame, distribution="", version="")
        add(values, [str(c) for c in indicator.outputs])
    for timeframe in timeframes:
        bars = completed_bars(frame, timeframe)
        positions = asof_positions(bars.index, frame.index)
        seen = positions >= 0
        for indicator in indicators:
            names = [_timeframe_column(str(c), timeframe) for c in indicator.outputs]
            block = np.full((len(frame), len(names)), np.nan)
            if len(bars):
                values = runner.run(indicator, bars, distribution="", version="")
                matrix = np.column_stack(values) if isinstance(values, list) else values
                block[seen] = np.asarray(matrix)[positions[seen]]
            blocks.append(block)
            columns.extend(names)
    values = np.hstack(blocks) if blocks else np.empty((len(frame), 0))
    return pd.DataFrame(values, index=frame.index, columns=columns)


# ---------------------------------------------------------------------------
# Preprocessing + selection, fit on training rows
# ---------------------------------------------------------------------------


@attrs.define(slots=False)
class FeatureStage:
    """The regime columns (optional), the preprocessor, then the selector: fit on training
    rows, applied to any rows.

    ``cross_validate(..., preprocess=FeatureStage(...))`` clones and fits it on each
    fold's training rows; ``regimes`` then fits a regime detector per fold, on the bars of
    that fold's training rows only.
    """

    preprocessor: FeaturePreprocessor = attrs.field(factory=FeaturePreprocessor)
    selector: FeatureSelector = attrs.field(factory=FeatureSelector)
    regimes: RegimeFeatureStep | None = None

    @classmethod
    def from_config(
        cls, config: MlcoreConfig, regimes: RegimeFeatureStep | None = None
    ) -> FeatureStage:
        """The stage ``features.preprocessing`` and ``features.feature_selection`` describe
        (the selector seeded by ``training.seed``), after ``regimes`` when given."""
        return cls(
            preprocessor=FeaturePreprocessor.from_config(config.features.preprocessing),
            selector=FeatureSelector.from_config(
                config.features.feature_selection, random_state=config.training.seed
            ),
            regimes=regimes,
        )

    def get_params(self, deep: bool = False) -> dict[str, Any]:
        return {
            "preprocessor": self.preprocessor,
            "selector": self.selector,
            "regimes": self.regimes,
        }

    def clone(self) -> FeatureStage:
        """An unfitted copy with the same settings."""
        return FeatureStage(
            preprocessor=FeaturePreprocessor(**self.preprocessor.get_params()),
            selector=FeatureSelector(**self.selector.get_params()),
            regimes=None if self.regimes is None else self.regimes.clone(),
        )

    def fit(self, X: pd.DataFrame, y: Any = None) -> FeatureStage:
        if self.regimes is not None:
            X = self.regimes.fit(X).transform(X)
        processed = self.preprocessor.fit(X).transform(X)
        target = y.reindex(processed.index) if isinstance(y, pd.Series) else y
        self.selector.fit(processed, target)
        self.feature_names_in_ = list(X.columns)
        self.selected_ = list(self.selector.selected_)
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        if self.regimes is not None:
            X = self.regimes.transform(X)
        return self.selector.transform(self.preprocessor.transform(X))


# ---------------------------------------------------------------------------
# The fitted pipeline
# ---------------------------------------------------------------------------


def _as_bars(ohlcv: Any) -> pd.DataFrame:
    """Bars as a frame on a DatetimeIndex; a ``timestamp`` (or ``date``) column is moved
    into the index (serving layers such as MLflow's may pass the frame without it)."""
    if not isinstance(ohlcv, pd.DataFrame):
        raise TypeError(f"expected OHLCV bars as a pandas DataFrame, got {type(ohlcv).__name__}")
    if isinstance(ohlcv.index, pd.DatetimeIndex):
        return ohlcv
    for name in ("timestamp", "date", "datetime", "time"):
        matches = [c for c in ohlcv.columns if str(c).lower() == name]
        if matches:
            frame = ohlcv.set_index(matches[0])
            index = pd.DatetimeIndex(pd.to_datetime(frame.index, utc=True), name="timestamp")
            return frame.set_axis(index, axis=0)
    return ohlcv


class TradingPipeline:
    """The whole fitted pipeline: raw OHLCV bars -> features -> preprocessing -> selection
    -> model -> predictions and signals.

    It holds its indicator instances (no plugin host is needed to use it), the fitted
    regime detector when the stage had one (:attr:`regimes`), the fitted
    :class:`FeaturePreprocessor` and :class:`FeatureSelector`, and the fitted model. It
    pickles, and is what the job logs to MLflow as a pyfunc model.

    Only the indicators (and the regime filter) behind the selected columns are computed:
    the preprocessing steps act column by column, so the other columns cannot change the
    selected ones (with ``handle_missing: drop``, which drops whole rows, all are computed).
    Regime probabilities are filtered from the first bar given: pass the same history the
    decisions are to be based on (the job passes every bar).

    ``model`` is the fitted model of the last stage: ``pipeline.model.predict_proba(row)``
    on a 2-D float numpy row of the selected features (in :attr:`selected_features` order)
    is the fast path for single-row prediction.
    """

    def __init__(
        self,
        *,
        indicators: Sequence[Any],
        timeframes: Sequence[str],
        feature_names_in: Sequence[str],
        stage: FeatureStage,
        model: Any,
        label_kind: str,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        self.indicators = tuple(indicators)
        self.timeframes = tuple(timeframes)
        self.feature_names_in = list(feature_names_in)
        self.regimes = stage.regimes.fitted_ if stage.regimes is not None else None
        self.preprocessor = stage.preprocessor
        self.selector = stage.selector
        self.model = model
        self.label_kind = label_kind
        self.metadata = dict(metadata or {})
        self.task = model_task(model)
        chosen = set(self.selected_features)
        all_needed = self.preprocessor.handle_missing == "drop"
        self.needed_indicators = tuple(
            indicator
            for indicator in self.indicators
            if all_needed or any(self._columns_of(indicator) & chosen)
        )
        self.regimes_needed = self.regimes is not None and (
            all_needed or bool(set(self.regimes.columns_) & chosen)
        )

    #: The fitted regime features (None: no regime columns). Class-level defaults keep
    #: pipelines pickled before regime features existed loadable.
    regimes: RegimeFeatures | None = None
    regimes_needed: bool = False

    def _columns_of(self, indicator: Any) -> set[str]:
        names = {str(c) for c in indicator.outputs}
        for timeframe in self.timeframes:
            names |= {_timeframe_column(str(c), timeframe) for c in indicator.outputs}
        return names

    def __repr__(self) -> str:
        return (
            f"TradingPipeline({len(self.needed_indicators)}/{len(self.indicators)} indicators, "
            f"{len(self.selected_features)} features, model={type(self.model).__name__})"
        )

    @property
    def _builds_every_column(self) -> bool:
        every_indicator = len(self.needed_indicators) == len(self.indicators)
        return every_indicator and (self.regimes is None or self.regimes_needed)

    @property
    def selected_features(self) -> list[str]:
        """The model's input columns, in order."""
        return list(self.selector.selected_)

    @property
    def classes_(self) -> np.ndarray:
        """The model's classes (classifiers)."""
        return np.asarray(self.model.classes_)

    # -- stages ---------------------------------------------------------------------

    def features(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        """The model's input for every bar: generated, preprocessed and selected."""
        bars = _as_bars(ohlcv)
        generated = generate_indicator_features(bars, self.needed_indicators, self.timeframes)
        if self.regimes is not None and self.regimes_needed:
            generated = self.regimes.add_to(generated, bars)
        missing = [c for c in self.feature_names_in if c not in generated.columns]
        if missing and self._builds_every_column:
            raise FeatureError(f"the indicators no longer produce the columns {missing[:5]}")
        full = generated.reindex(columns=self.feature_names_in)  # unused columns: NaN
        return self.selector.transform(self.preprocessor.transform(full))

    def _model_input(self, ohlcv: pd.DataFrame) -> tuple[pd.Index, np.ndarray, np.ndarray]:
        frame = self.features(ohlcv)
        matrix = frame.to_numpy(dtype=np.float64)
        ready = ~np.isnan(matrix).any(axis=1)
        return frame.index, matrix, ready

    def predict_proba(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        """Class probabilities for every bar, one column per class.

        Bars still in the indicators' warm-up (a selected feature is undefined) are NaN.
        """
        index, matrix, ready = self._model_input(ohlcv)
        classes = list(self.classes_)
        out = np.full((len(index), len(classes)), np.nan)
        if ready.any():
            out[ready] = np.asarray(self.model.predict_proba(matrix[ready]), dtype=np.float64)
        return pd.DataFrame(out, index=index, columns=classes)

    def predict(self, ohlcv: pd.DataFrame) -> pd.Series:
        """The predicted class (classifiers) or value (regressors) of every bar, as float64;
        NaN during the indicators' warm-up."""
        index, matrix, ready = self._model_input(ohlcv)
        out = np.full(len(index), np.nan)
        if ready.any():
            out[ready] = np.asarray(self.model.predict(matrix[ready]), dtype=np.float64)
        return pd.Series(out, index=index, name="prediction")

    def signals(self, ohlcv: pd.DataFrame, *, band: float = 0.0) -> pd.DataFrame:
        """Trading signals for every bar: ``signal`` decided at the bar's close, and
        ``position``, the signal of the bar before: a signal at ``t`` acts from ``t + 1``.

        Positions are +1 long, -1 short, 0 flat:

        - two classes (direction, triple-barrier): long when the up class's probability
          ``p_up`` exceeds ``0.5 + band``, short below ``0.5 - band``;
        - three classes (down, neutral, up): the most probable one, neutral is flat;
        - regression (a forward return): the sign of the prediction beyond ``band``.

        Warm-up bars are flat.
        """
        if self.task == "regression":
            score = self.predict(ohlcv)
            signal = np.where(score > band, 1, np.where(score < -band, -1, 0))
            frame = pd.DataFrame({"prediction": score}, index=score.index)
        else:
            proba = self.predict_proba(ohlcv)
            classes = list(proba.columns)
            values = proba.to_numpy()
            ready = ~np.isnan(values).any(axis=1)
            if len(classes) == 2:
                p_up = values[:, 1]
                signal = np.where(p_up > 0.5 + band, 1, np.where(p_up < 0.5 - band, -1, 0))
                frame = pd.DataFrame({"p_up": p_up}, index=proba.index)
            else:
                best = np.where(ready, np.nan_to_num(values).argmax(axis=1), -1)
                # the lowest class is down, the highest up (labels.py's convention)
                signal = np.where(best == len(classes) - 1, 1, np.where(best == 0, -1, 0))
                frame = pd.DataFrame({f"p_{c}": values[:, i] for i, c in enumerate(classes)})
                frame.index = proba.index
            signal = np.where(ready, signal, 0)
        frame["signal"] = signal.astype(np.int64)
        frame["position"] = frame["signal"].shift(1, fill_value=0).astype(np.int64)
        return frame


# ---------------------------------------------------------------------------
# Hooks around every fit
# ---------------------------------------------------------------------------


class HookedModel:
    """A model whose ``fit`` is announced to plugins: ``mlcore_before_fit`` before,
    ``mlcore_after_fit`` after (``result``: stage, fold, rows, seconds) or
    ``mlcore_on_fit_error`` when it raises (the error is re-raised). Everything else is the
    wrapped model's."""

    def __init__(
        self,
        model: Any,
        host: PluginHost,
        config: MlcoreConfig,
        run_id: str | None,
        stage: str,
        fold: int | None = None,
    ) -> None:
        self.model = model
        self._host = host
        self._config = config
        self._run_id = run_id
        self._stage = stage
        self._fold = fold

    def fit(self, X: Any, y: Any, **fit_params: Any) -> HookedModel:
        common = {"data": (X, y), "config": self._config, "run_id": self._run_id}
        self._host.notify("mlcore_before_fit", model=self.model, **common)
        started = time.perf_counter()
        try:
            self.model.fit(X, y, **fit_params)
        except Exception as error:
            self._host.notify("mlcore_on_fit_error", model=self.model, error=error, **common)
            raise
        result = {
            "stage": self._stage,
            "fold": self._fold,
            "n_rows": len(X),
            "fit_seconds": time.perf_counter() - started,
        }
        self._host.notify("mlcore_after_fit", model=self.model, result=result, **common)
        return self

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "model":
            raise AttributeError(name)
        return getattr(self.model, name)


class _HookedFactory:
    """Builds fresh hooked models for cross-validation (numbering the folds) or tuning (trial
    folds, possibly in threads, are not numbered: ``fold`` is None)."""

    def __init__(
        self,
        build: Callable[..., Any],
        host: PluginHost,
        config: MlcoreConfig,
        run_id: str | None,
        stage: str,
    ) -> None:
        self.build = build
        self.host = host
        self.config = config
        self.run_id = run_id
        self.stage = stage
        self.count = 0
        #: The model's ``search_space(trial)``, for the tuner (None: the config must give one).
        self.search_space: Any = None

    def __call__(self, **params: Any) -> HookedModel:
        fold = self.count if self.stage == "cv" else None
        self.count += 1
        return HookedModel(
            self.build(**params), self.host, self.config, self.run_id, self.stage, fold
        )


def _takes_t1(model: Any) -> bool:
    try:
        return "t1" in inspect.signature(model.fit).parameters
    except (TypeError, ValueError):
        return False


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# The job
# ---------------------------------------------------------------------------


def _metric_scorers(host: PluginHost, config: MlcoreConfig) -> dict[str, Any]:
    """The CV scorers: ``training.metrics`` then ``training.optimization_metric``."""
    wanted = [(f"training.metrics[{i}]", name) for i, name in enumerate(config.training.metrics)]
    wanted.append(("training.optimization_metric", config.training.optimization_metric))
    scorers: dict[str, Any] = {}
    for key, name in wanted:
        if name in scorers:
            continue
        try:
            scorer = host.metrics.create(name)
        except UnknownComponentError as error:
            raise UnknownComponentError(f"config key '{key}': {error}") from None
        needs = getattr(scorer, "needs", "labels")
        if needs in ("returns", "trades"):
            what = "a return series" if needs == "returns" else "a trade history"
            raise ConfigError(
                f"metric {name!r} scores {what}, not predictions; cross-validation "
                "scores class labels or probabilities: choose another metric",
                key_path=key,
            )
        scorers[name] = scorer
    return scorers


def _check_holdout(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    fraction = isinstance(value, float) and 0.0 <= value < 1.0
    rows = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if not (fraction or rows):
        raise ValueError(
            f"TrainingJob.holdout must be a fraction in [0, 1) of the bars or a number of bars "
            f">= 0, got {value!r}"
        )


def _holdout_rows(holdout: float | int, n: int) -> int:
    rows = round(holdout * n) if isinstance(holdout, float) else int(holdout)
    if rows >= n:
        raise MlcoreError(
            f"a holdout of {rows} bars leaves none of the {n} bars to train on; hold out fewer"
        )
    return rows


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return repr(value)


def _model_params(model: Any) -> dict[str, Any]:
    get_params = getattr(model, "get_params", None)
    if not callable(get_params):
        return {}
    try:
        params = dict(get_params())
    except Exception:  # a model's get_params may need arguments or fail: nothing to log
        return {}
    return {k: _jsonable(v) for k, v in params.items()}


def _feature_importances(model: Any, names: Sequence[str]) -> pd.Series | None:
    importance = getattr(model, "feature_importance", None)
    try:
        if callable(importance):
            values = importance("gain")
            return pd.Series(np.asarray(values, dtype=np.float64), index=list(names))
        values = getattr(model, "feature_importances_", None)
    except Exception:  # importances are a nicety for the plots; the job goes on without
        return None
    if values is None or len(values) != len(names):
        return None
    return pd.Series(np.asarray(values, dtype=np.float64), index=list(names))


def _next_open_returns(position: np.ndarray, bars: pd.DataFrame) -> np.ndarray:
    """Log returns of positions filled at the open of the bar they act on.

    A signal from bar ``t``'s close becomes the position of bar ``t + 1``, entered at that
    bar's open: the gap from ``t``'s close to ``t + 1``'s open is earned by the position held
    overnight, and the open-to-close move by the new one. Position before the first bar: flat.
    """
    log_open = np.log(bars["open"].to_numpy(dtype=np.float64))
    log_close = np.log(bars["close"].to_numpy(dtype=np.float64))
    gap = np.r_[0.0, log_open[1:] - log_close[:-1]]
    held_overnight = np.r_[0.0, position[:-1]]
    returns: np.ndarray = held_overnight * gap + position * (log_close - log_open)
    return returns


def _strategy_stats(signals: pd.DataFrame, periods_per_year: int) -> dict[str, float]:
    returns = signals["return"].to_numpy()
    position = signals["position"].to_numpy()
    market = signals["market_return"].to_numpy()
    std = float(np.std(returns, ddof=1)) if len(returns) > 1 else 0.0
    sharpe = float(np.mean(returns) / std * math.sqrt(periods_per_year)) if std > 0 else 0.0
    changes = int(np.count_nonzero(np.diff(position, prepend=0)))
    return {
        "strategy_log_return": float(returns.sum()),
        "buy_and_hold_log_return": float(market.sum()),
        "sharpe": sharpe,
        "trades": float(changes),
        "exposure": float(np.mean(position != 0)) if len(position) else 0.0,
    }


@attrs.define(eq=False)
class TrainingJob:
    """The main job of the module docstring; :meth:`run` returns a :class:`TrainingResult`.

    Parameters
    ----------
    config
        The whole configuration.
    host
        A loaded plugin host; by default ``PluginHost.from_config(config).load()``.
    ohlcv
        Bars to train on instead of the ``data`` section's source.
    holdout
        The last bars held out for the out-of-sample check: a fraction in [0, 1) of the bars
        or a number of bars (0: none).
    alias
        The registry alias the new version gets: ``champion`` (the default; the version that
        was champion before, if any, gets the alias ``previous_champion`` for a rollback) or
        ``challenger`` (the champion is left as it is, for an A/B test or a later
        promotion). Promoting a version to champion also clears a ``challenger`` alias that
        points at it (:meth:`MLflowManager.promote`).
    progress
        ``progress(stage, done, total)`` for the folds and the trials.
    run_name
        The MLflow run's name (default ``<model_type>-<time>``).
    n_jobs
        Threads per model fit, for models that take ``n_jobs`` when
        ``training.model_params`` does not set it; None keeps the model's own default. One
        thread is the default: the job's fits are many and small, and on a machine with few
        cores a second thread per fit mostly waits (measured in benchmarks/training.py).
    backtest
        How the out-of-sample signals are traded in the performance report (costs, sizing,
        fill); by default ``Backtest.from_config(config)``: the ``analytics.backtest``
        section with ``analytics.periods_per_year``.
    """

    config: MlcoreConfig = attrs.field(factory=MlcoreConfig)
    host: PluginHost | None = None
    ohlcv: pd.DataFrame | None = None
    holdout: float | int | None = attrs.field(
        default=None, validator=attrs.validators.optional(_check_holdout)
    )
    alias: str = attrs.field(
        default=CHAMPION, validator=attrs.validators.in_((CHAMPION, CHALLENGER))
    )
    progress: Progress | None = None
    run_name: str | None = None
    n_jobs: int | None = 1
    backtest: Backtest | None = None
    timings: dict[str, float] = attrs.field(factory=dict, init=False)

    @property
    def resolved_holdout(self) -> float | int:
        """``holdout`` when given, else ``training.holdout`` from the config."""
        return self.config.training.holdout if self.holdout is None else self.holdout

    def _host(self) -> PluginHost:
        if self.host is None:
            from mlcore.host import PluginHost

            self.host = PluginHost.from_config(self.config).load()
        return self.host

    @contextmanager
    def _timed(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - started

    def _defaults(self, host: PluginHost) -> dict[str, Any]:
        """Job-level model parameters: ``n_jobs`` when the model takes it and
        ``training.model_params`` does not set it."""
        config = self.config
        if self.n_jobs is None or "n_jobs" in config.training.model_params:
            return {}
        if config.training.model_type in ENSEMBLE_TYPES:
            return {}
        accepted = model_parameter_names(create_model(config, host))
        return {"n_jobs": self.n_jobs} if "n_jobs" in accepted else {}

    def _report(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)

    # -- stages ---------------------------------------------------------------------

    def load_data(self) -> pd.DataFrame:
        """The bars: ``ohlcv`` if given, else the ``data`` section's source, validated."""
        config = self.config
        if self.ohlcv is not None:
            return validate_ohlcv(self.ohlcv, policy=config.data.policy)  # type: ignore[arg-type]
        source = self._data_source()
        return validate_ohlcv(source.load(), policy=config.data.policy)  # type: ignore[arg-type]

    def _known_regimes(self, bars: pd.DataFrame) -> pd.Series | None:
        """The regime path behind the bars when the data source knows it (the synthetic
        market's ``market().regimes``), for the report's regime chart."""
        if self.ohlcv is not None:
            return None
        market = getattr(self._data_source(), "market", None)
        try:
            regimes = getattr(market(), "regimes", None) if callable(market) else None
        except (MlcoreError, ValueError, TypeError, OSError):  # a chart is not worth the job
            return None
        if not isinstance(regimes, pd.Series) or not bars.index.isin(regimes.index).all():
            return None
        return regimes.reindex(bars.index)

    def _data_source(self) -> Any:
        """The ``data`` section's source, built from the data source registry."""
        config = self.config
        host = self._host()
        params = dict(config.data.params)
        if config.data.path is not None:
            params.setdefault("path", config.data.path)
        try:
            component = host.data_sources.get(config.data.source)
        except UnknownComponentError as error:
            raise UnknownComponentError(f"config key 'data.source': {error}") from None
        try:
            source = component.create(**params)
        except (TypeError, ValueError) as error:
            raise ConfigError(
                f"cannot build data source {config.data.source!r}: {error}",
                key_path="data.params" if config.data.params else "data",
            ) from error
        return source

    def make_labels(self, bars: pd.DataFrame) -> Labels:
        """The ``labels`` section's labels of the bars (meta-labels need a primary model)."""
        if self.config.labels.meta_labeling:
            raise ConfigError(
                "meta-labels need a primary model's side per bar, which the training job "
                "does not make; train the primary model first and label with "
                "mlcore.labels.meta_labels, or set meta_labeling: false",
                key_path="labels.meta_labeling",
            )
        return make_labels(bars["close"], self.config.labels)

    def run(self) -> TrainingResult:
        """Run every stage; see the module docstring."""
        started = time.perf_counter()
        config = self.config
        host = self._host()
        with self._timed("data"):
            bars = self.load_data()
            labels = self.make_labels(bars)
            n_holdout = _holdout_rows(self.resolved_holdout, len(bars))
        scorers = _metric_scorers(host, config)
        from mlcore.validation import splitter_from_config

        splitter = splitter_from_config(config.training.validation)
        create_model(config, host)  # fail on a bad model_type or parameter before any work
        cut = len(bars) - n_holdout
        regimes = self._regime_step(host, bars.iloc[:cut])  # and on an unknown detector
        with self._timed("features"):
            from mlcore.features import FeatureEngineeringPipeline

            engine = FeatureEngineeringPipeline(config.features, host=host)
            generated = engine.generate_features(bars)  # a failing indicator: warned, skipped
            X_all, labels_all = labels.align(generated)
        last_train_time = bars.index[cut - 1]
        in_train = (labels_all.y.index <= last_train_time) & (
            labels_all.t1 <= last_train_time
        ).to_numpy()
        X_train = X_all[in_train]
        y_train = labels_all.y[in_train]
        t1_train = labels_all.t1[in_train]
        if labels_all.is_classification:
            y_train = y_train.astype(np.int64)
        if len(X_train) == 0:
            raise MlcoreError(
                f"no training row is left: {len(bars)} bars, {n_holdout} held out, and the "
                f"indicators' warm-up and the labels remove the rest; use more bars"
            )
        if config.mlflow.enabled:
            with self._timed("tracking"):
                tracker = _Tracker.start(config, self.run_name)
        else:
            tracker = _Tracker(None, None, None)
        try:
            result = self._train(
                host,
                bars,
                labels_all,
                X_all,
                X_train,
                y_train,
                t1_train,
                cut,
                scorers,
                splitter,
                engine,
                regimes,
                tracker,
            )
        except BaseException:
            with contextlib.suppress(Exception):  # the job's own error is the one to see
                tracker.end(failed=True)
            raise
        self.timings["total"] = time.perf_counter() - started
        tracker.end(failed=False)
        return result

    def _train(
        self,
        host: PluginHost,
        bars: pd.DataFrame,
        labels_all: Labels,
        X_all: pd.DataFrame,
        X_train: pd.DataFrame,
        y_train: pd.Series,
        t1_train: pd.Series,
        cut: int,
        scorers: dict[str, Any],
        splitter: Any,
        engine: Any,
        regimes: RegimeFeatureStep | None,
        tracker: _Tracker,
    ) -> TrainingResult:
        config = self.config
        run_id = tracker.run_id
        overrides = self._defaults(host)
        stage = FeatureStage.from_config(config, regimes=regimes)
        takes_t1 = _takes_t1(create_model(config, host))
        fit_params = {"t1": t1_train} if takes_t1 else {}

        hpo_result = None
        if config.hpo.enabled:
            returns = None
            if labels_all.returns is not None:
                returns = np.expm1(labels_all.returns.loc[X_train.index])
            with self._timed("hpo"):
                hpo_result = self._tune(
                    host, X_train, y_train, t1_train, splitter, stage, fit_params, returns, run_id
                )
            overrides = {**overrides, **hpo_result.best_params}

        from mlcore.validation import cross_validate

        factory = _HookedFactory(
            lambda **params: create_model(config, host, **{**overrides, **params}),
            host,
            config,
            run_id,
            "cv",
        )
        n_folds = splitter.get_n_splits()
        self._report("folds", 0, n_folds)
        with self._timed("cross_validation"):
            cv = cross_validate(
                factory,
                X_train,
                y_train,
                cv=splitter,
                t1=t1_train,
                fit_params=fit_params,
                scorers=scorers,
                preprocess=stage,
                progress=lambda done, total, _scores: self._report("folds", done, total),
            )

        with self._timed("final_fit"):
            final_stage = stage.clone().fit(X_train, y_train)
            model = create_model(config, host, **overrides)
            hooked = HookedModel(model, host, config, run_id, "final")
            hooked.fit(final_stage.transform(X_train), y_train, **fit_params)
        if regimes is not None:
            self.timings["regime_fits"] = regimes.fit_seconds  # within the stages above
        metadata = self._metadata(host, bars, model, final_stage, cv, run_id)
        built = set(X_all.columns)
        pipeline = TradingPipeline(
            # the indicators whose columns were built (a failed one was skipped and warned)
            indicators=[i for i in engine.indicators if {str(c) for c in i.outputs} <= built],
            timeframes=engine.timeframes,
            feature_names_in=final_stage.feature_names_in_,
            stage=final_stage,
            model=model,
            label_kind=labels_all.kind,
            metadata=metadata,
        )

        with self._timed("out_of_sample"):
            oos_scores, oos_signals = self._out_of_sample(pipeline, bars, labels_all, cut, scorers)
        with self._timed("performance"):
            performance = self._performance(host, bars, oos_signals, cv, cut)
        pipeline.metadata["performance_metrics"] = {
            **{f"cv_{k}": float(v) for k, v in cv.mean_scores().items()},
            **{f"oos_{k}": v for k, v in oos_scores.items()},
        }
        data_info = {
            "source": "ohlcv argument" if self.ohlcv is not None else config.data.source,
            "bars": len(bars),
            "start": bars.index[0],
            "end": bars.index[-1],
            "fingerprint": metadata["data_fingerprint"],
            "training_rows": len(X_train),
            "holdout_bars": len(bars) - cut,
            "holdout_start": bars.index[cut] if cut < len(bars) else None,
            "y_train": y_train,
        }
        features_info = {
            "indicators": len(engine.indicators),
            "generated": len(pipeline.feature_names_in),
            "selected": pipeline.selected_features,
            "method": config.features.feature_selection.method,
        }
        result = TrainingResult(
            config=config,
            pipeline=pipeline,
            cv=cv,
            oos_scores=oos_scores,
            oos_signals=oos_signals,
            data=data_info,
            features=features_info,
            timings=self.timings,
            hpo=hpo_result,
            run_id=run_id,
            tracking_uri=tracker.tracking_uri,
            performance=performance,
        )
        if tracker.manager is not None:
            with self._timed("tracking"):
                result.registered = tracker.log(self, result, host, bars)
        return result

    def _regime_step(self, host: PluginHost, bars: pd.DataFrame) -> RegimeFeatureStep | None:
        """The regime columns' step when ``regimes.enabled`` and ``regimes.as_features``;
        an unknown ``regimes.detector`` fails here.

        ``bars`` are those before the hold-out cut: every fit sees the bars of its own
        training rows only, and the filter never runs past the cut.
        """
        regimes = self.config.regimes
        if not (regimes.enabled and regimes.as_features):
            return None
        return RegimeFeatureStep(RegimeFeatures(regimes, host.regime_detectors), bars)

    def _performance(
        self, host: PluginHost, bars: pd.DataFrame, held_out: pd.DataFrame, cv: CVResult, cut: int
    ) -> OutOfSamplePerformance | None:
        """The out-of-sample backtest, its analytics and the reports (while the MLflow run
        is active, so that the reports are logged to it)."""
        from mlcore.analytics.out_of_sample import evaluate_out_of_sample

        wants_reports = bool(self.config.analytics.reports)
        return evaluate_out_of_sample(
            self.config,
            host,
            bars,
            held_out=held_out,
            cv=cv,
            settings=self.backtest,
            regimes=self._known_regimes(bars) if wants_reports else None,
            fit_bars=cut,
            title=f"{self.config.training.model_type}: out-of-sample backtest",
        )

    def _tune(
        self,
        host: PluginHost,
        X_train: pd.DataFrame,
        y_train: pd.Series,
        t1_train: pd.Series,
        splitter: Any,
        stage: FeatureStage,
        fit_params: Mapping[str, Any],
        returns: pd.Series | None,
        run_id: str | None,
    ) -> Any:
        from mlcore.hpo import OptunaOptimizer

        config = self.config
        factory = _HookedFactory(
            lambda **params: create_model(config, host, **{**self._defaults(host), **params}),
            host,
            config,
            run_id,
            "hpo",
        )
        space = getattr(type(create_model(config, host)), "search_space", None)
        if callable(space):
            factory.search_space = space
        optimizer = OptunaOptimizer.from_config(
            config.hpo,
            factory,
            metric=config.training.optimization_metric,
            seed=config.training.seed,
            host=host,
            periods_per_year=config.analytics.periods_per_year,
        )
        total = config.hpo.n_trials
        self._report("trials", 0, total)
        return optimizer.optimize(
            X_train,
            y_train,
            cv=splitter,
            t1=t1_train,
            fit_params=fit_params,
            preprocess=stage,
            returns=returns,
            progress=lambda done, _total, _best: self._report("trials", min(done, total), total),
        )

    def _out_of_sample(
        self,
        pipeline: TradingPipeline,
        bars: pd.DataFrame,
        labels_all: Labels,
        cut: int,
        scorers: Mapping[str, Any],
    ) -> tuple[dict[str, float], pd.DataFrame]:
        if cut >= len(bars):
            return {}, pd.DataFrame(columns=["signal", "position", "return"])
        signals = pipeline.signals(bars)
        log_close = np.log(bars["close"].to_numpy())
        market = pd.Series(np.diff(log_close, prepend=log_close[0]), index=bars.index)
        signals["market_return"] = market
        held_out = signals.iloc[cut:].copy()
        # the first held-out bar's position was decided at the last training bar: flat
        held_out.loc[held_out.index[0], "position"] = 0
        held_out["return"] = _next_open_returns(held_out["position"].to_numpy(), bars.iloc[cut:])
        scores: dict[str, float] = {}
        labelled = labels_all.y.index[labels_all.y.index >= bars.index[cut]]
        if len(labelled):
            truth = labels_all.y.loc[labelled]
            if labels_all.is_classification:
                proba = pipeline.predict_proba(bars).loc[labelled]
                ready = proba.notna().all(axis=1).to_numpy()
                truth = truth[ready].astype(np.int64)
                proba = proba[ready]
                predicted = np.asarray(pipeline.classes_)[proba.to_numpy().argmax(axis=1)]
            else:
                prediction = pipeline.predict(bars).loc[labelled]
                ready = prediction.notna().to_numpy()
                truth, predicted, proba = truth[ready], prediction[ready].to_numpy(), None
            for name, scorer in scorers.items():
                if getattr(scorer, "needs", "labels") == "proba":
                    if proba is None:
                        continue
                    value = proba.to_numpy()
                    try:
                        scores[name] = float(scorer(truth.to_numpy(), value))
                    except ValueError:  # one class only in the held-out labels
                        scores[name] = float("nan")
                else:
                    scores[name] = float(scorer(truth.to_numpy(), predicted))
            scores["rows"] = float(len(truth))
        periods = self.config.analytics.periods_per_year
        scores.update(_strategy_stats(held_out, periods))
        return scores, held_out

    def _metadata(
        self,
        host: PluginHost,
        bars: pd.DataFrame,
        model: Any,
        stage: FeatureStage,
        cv: CVResult,
        run_id: str | None,
    ) -> dict[str, Any]:
        """The seed design's model metadata (the registry version is added once known)."""
        config = self.config
        return {
            "model_id": run_id or f"local-{time.strftime('%Y%m%dT%H%M%S')}",
            "model_type": config.training.model_type,
            "model_class": f"{type(model).__module__}.{type(model).__qualname__}",
            "version": None,
            "training_date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "features": list(stage.selected_),
            "performance_metrics": {},
            "hyperparameters": _model_params(model),
            "training_config": config_to_dict(config),
            "data_fingerprint": data_fingerprint(bars),
            "seed": config.training.seed,
            "holdout": self.resolved_holdout,
            "mlcore_version": __version__,
            "plugins": {p.distribution: p.version for p in host.plugins},
            "cv_folds": len(cv.folds),
        }


def quickstart_config() -> MlcoreConfig:
    """The quickstart configuration (:data:`QUICKSTART`, as ``examples/quickstart.yaml``)."""
    return config_from_dict(copy.deepcopy(dict(QUICKSTART)), source="quickstart")


def train(
    config: MlcoreConfig | None = None, host: PluginHost | None = None, **options: Any
) -> TrainingResult:
    """Run the training job: ``TrainingJob(config, host, **options).run()``."""
    return TrainingJob(config if config is not None else MlcoreConfig(), host, **options).run()


# ---------------------------------------------------------------------------
# Tracking
# ---------------------------------------------------------------------------


class _Tracker:
    """The job's MLflow side: a no-op when ``mlflow.enabled`` is false."""

    def __init__(self, manager: Any, run_id: str | None, tracking_uri: str | None) -> None:
        self.manager = manager
        self.run_id = run_id
        self.tracking_uri = tracking_uri

    @classmethod
    def start(cls, config: MlcoreConfig, run_name: str | None) -> _Tracker:
        if not config.mlflow.enabled:
            return cls(None, None, None)
        from mlcore.tracking import MLflowManager

        manager = MLflowManager.from_config(config.mlflow)
        name = run_name or f"{config.training.model_type}-{time.strftime('%Y%m%d-%H%M%S')}"
        tags = {"mlcore.job": "train", "mlcore.model_type": config.training.model_type}
        run_id = manager.start_run(run_name=name, tags={**config.mlflow.tags, **tags})
        return cls(manager, run_id, str(manager.tracking_uri))

    def end(self, *, failed: bool) -> None:
        if self.manager is not None and self.run_id is not None:
            self.manager.end_run(status="FAILED" if failed else "FINISHED")

    def log(
        self, job: TrainingJob, result: TrainingResult, host: PluginHost, bars: pd.DataFrame
    ) -> RegisteredModel | None:
        if self.manager is None:
            return None
        manager, config = self.manager, job.config
        pipeline = result.pipeline
        params = {
            "model_type": config.training.model_type,
            **{f"model.{k}": v for k, v in _model_params(pipeline.model).items()},
            "holdout": job.resolved_holdout,
            "bars": result.data["bars"],
            "training_rows": result.data["training_rows"],
            "features.generated": result.features["generated"],
            "features.selected": len(result.features["selected"]),
            "features.selection": config.features.feature_selection.method,
        }
        manager.log_parameters(params)
        metric_names = list(result.cv.metrics)
        for row in result.cv.scores.to_dict("records"):
            values = {f"cv_{name}": float(row[name]) for name in metric_names}
            values["cv_fit_seconds"] = float(row["fit_time"])
            manager.log_metrics(values, step=int(row["fold"]))
        summary = {f"cv_mean_{k}": float(v) for k, v in result.cv.mean_scores().items()}
        summary.update({f"cv_std_{k}": float(v) for k, v in result.cv.std_scores().items()})
        summary.update({f"oos_{k}": v for k, v in result.oos_scores.items() if math.isfinite(v)})
        if result.performance is not None:
            from mlcore.analytics.out_of_sample import finite_metrics

            performance = finite_metrics(result.performance.metrics)
            summary.update({f"backtest_{k}": v for k, v in performance.items()})
        manager.log_metrics(summary)
        manager.log_config(config)
        manager.log_environment(host)
        manager.log_data_fingerprint(bars)
        manager.log_features(pipeline.selected_features)
        manager.log_seed(config.training.seed)
        for name, figure in _figures(result):
            manager.log_figure(figure, name)
        if result.hpo is not None:
            _log_search(manager, result.hpo)
        if not config.mlflow.log_models:
            manager.log_dict(_jsonable(pipeline.metadata), "model_metadata.json")
            return None
        name = config.mlflow.registered_model_name or DEFAULT_REGISTERED_MODEL_NAME
        previous = _alias_version(manager, name, CHAMPION)
        logged = manager.log_model(
            pipeline, "model", registered_model_name=name, metadata=_jsonable(pipeline.metadata)
        )
        version = str(logged.registered_version)
        pipeline.metadata["version"] = version
        if job.alias == CHAMPION:
            manager.promote(name, version, CHAMPION, previous_alias=PREVIOUS_CHAMPION)
        else:
            manager.set_alias(name, CHALLENGER, version)
        return RegisteredModel(
            name=name,
            version=version,
            alias=job.alias,
            uri=f"models:/{name}@{job.alias}",
            previous_champion=previous if previous != version else None,
        )


def _log_search(manager: Any, search: Any) -> None:
    """The Optuna search: best parameters, trial counts, and its plots under ``hpo/``."""
    import tempfile

    manager.log_parameters({f"hpo.best.{k}": v for k, v in search.best_params.items()})
    counts = {"hpo_n_trials": search.n_trials, "hpo_n_pruned": search.n_pruned}
    if search.best_value is not None:
        counts["hpo_best_value"] = search.best_value
    manager.log_metrics(counts)
    manager.log_dict(search.summary(), "hpo/summary.json")
    with tempfile.TemporaryDirectory(prefix="mlcore-hpo-") as folder:
        try:
            written = search.save_plots(folder)
        except ImportError:  # no matplotlib: the plots are a nicety
            written = []
        if written:
            manager.log_artifact(folder, "hpo")


def _alias_version(manager: Any, name: str, alias: str) -> str | None:
    """The version holding ``alias`` now, or None (no such model or alias)."""
    from mlcore.tracking import ModelNotFoundError

    try:
        return str(manager.get_version_by_alias(name, alias).version)
    except ModelNotFoundError:
        return None


def _figures(result: TrainingResult) -> Iterator[tuple[str, Any]]:
    """The plots logged as artifacts (skipped when matplotlib is not installed)."""
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError:
        return
    scores = result.cv.scores
    metrics = list(result.cv.metrics)
    figure, axis = plt.subplots(figsize=(7, 4))
    width = 0.8 / max(len(metrics), 1)
    for offset, name in enumerate(metrics):
        axis.bar(scores["fold"] + offset * width, scores[name], width=width, label=name)
    axis.set_xlabel("fold")
    axis.set_ylabel("score")
    axis.set_title("Walk-forward CV scores per fold")
    axis.legend()
    yield "cv_scores.png", figure
    plt.close(figure)
    importances = _feature_importances(result.pipeline.model, result.pipeline.selected_features)
    if importances is not None:
        top = importances.sort_values().tail(20)
        figure, axis = plt.subplots(figsize=(7, max(3.0, 0.3 * len(top))))
        axis.barh(top.index, top.to_numpy())
        axis.set_title("Feature importances (gain)")
        figure.tight_layout()
        yield "feature_importances.png", figure
        plt.close(figure)


# ---------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 4] + " ...)"


def _summary(result: TrainingResult) -> str:
    config = result.config
    data = result.data
    parts = []
    rows = [
        ["source", data["source"]],
        ["bars", data["bars"]],
        ["from", _cell(data["start"])],
        ["to", _cell(data["end"])],
        ["fingerprint", str(data["fingerprint"])[:16]],
        ["training rows (labelled, after warm-up)", data["training_rows"]],
        ["held-out bars (out-of-sample)", data["holdout_bars"]],
    ]
    if data["holdout_start"] is not None:
        rows.append(["held out from", _cell(data["holdout_start"])])
    parts.append(format_table(rows, ["data", "value"]))
    features = result.features
    shown = ", ".join(features["selected"][:6]) + (" ..." if len(features["selected"]) > 6 else "")
    parts.append(
        format_table(
            [
                ["indicators", features["indicators"]],
                ["generated columns", features["generated"]],
                [f"selected ({features['method']})", len(features["selected"])],
                ["first selected", shown],
            ],
            ["features", "value"],
        )
    )
    metrics = list(result.cv.metrics)
    scores = result.cv.scores
    fold_rows = [
        [
            int(row["fold"]),
            int(row["n_train"]),
            int(row["n_test"]),
            _cell(row["test_start"]),
            *[float(row[m]) for m in metrics],
            float(row["fit_time"]),
        ]
        for _, row in scores.iterrows()
    ]
    means = result.cv.mean_scores()
    fold_rows.append(["mean", "", "", "", *[float(means[m]) for m in metrics], ""])
    validation = config.training.validation
    details = [] if validation.method == "combinatorial_purged" else [validation.window]
    if validation.purge:
        details.append("purged")
    if validation.embargo:
        details.append(f"embargo {validation.embargo}")
    parts.append(
        f"Cross-validation: {validation.method}, {len(result.cv.folds)} folds"
        + (f" ({', '.join(details)})" if details else "")
    )
    parts.append(format_table(fold_rows, ["fold", "train", "test", "test from", *metrics, "fit s"]))
    oos = result.oos_scores
    if oos:
        oos_rows = [[name, value] for name, value in oos.items()]
        parts.append(format_table(oos_rows, ["out-of-sample (held out)", "value"]))
    model_rows: list[list[Any]] = [
        ["model_type", config.training.model_type],
        ["model", _shorten(repr(result.pipeline.model), 100)],
    ]
    if result.hpo is not None:
        model_rows.append(["hpo trials", getattr(result.hpo, "n_trials", "")])
        model_rows.append(["hpo best value", getattr(result.hpo, "best_value", "")])
    if result.run_id is not None:
        model_rows.append(["MLflow run id", result.run_id])
        model_rows.append(["tracking uri", result.tracking_uri])
    if result.registered is not None:
        registered = result.registered
        model_rows.append(["registered model", registered.name])
        model_rows.append(["version", registered.version])
        model_rows.append(["alias", registered.alias])
        model_rows.append(["load with", f"mlflow.pyfunc.load_model({registered.uri!r})"])
    parts.append(format_table(model_rows, ["model", "value"]))
    timing_rows = [[stage, seconds] for stage, seconds in result.timings.items()]
    parts.append(format_table(timing_rows, ["stage", "seconds"]))
    if result.performance is not None:  # last: `mlcore run` ends with the report
        parts.append(result.performance.summary())
    return "\n\n".join(parts)
