"""The training job: data, labels, features, cross-validation, tuning, final fit,
out-of-sample check, performance report and tracking (see :mod:`mlcore.training`)."""

from __future__ import annotations

import contextlib
import datetime as _dt
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pandas as pd

from mlcore._version import __version__
from mlcore.config import MlcoreConfig, config_to_dict
from mlcore.data import data_fingerprint, validate_ohlcv
from mlcore.errors import ConfigError, MlcoreError, UnknownComponentError
from mlcore.features.regime_features import RegimeFeatures, RegimeFeatureStep
from mlcore.labels import Labels, make_labels
from mlcore.models import ENSEMBLE_TYPES, create_model, model_parameter_names
from mlcore.training._aliases import CHALLENGER, CHAMPION
from mlcore.training._feature_stage import FeatureStage
from mlcore.training._hooks import HookedModel, _HookedFactory, _takes_t1
from mlcore.training._json_values import _model_params
from mlcore.training._pipeline import TradingPipeline
from mlcore.training._result import TrainingResult
from mlcore.training._strategy_returns import _next_open_returns, _strategy_stats
from mlcore.training._tracker import _Tracker

if TYPE_CHECKING:
    from mlcore.analytics.backtest import Backtest
    from mlcore.analytics.out_of_sample import OutOfSamplePerformance
    from mlcore.host import PluginHost
    from mlcore.validation import CVResult

#: ``progress(stage, done, total)``: ``stage`` is ``folds`` or ``trials``; called once with
#: ``done=0`` when a stage starts, then after each fold or trial.
Progress = Callable[[str, int, int], None]


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


def train(
    config: MlcoreConfig | None = None, host: PluginHost | None = None, **options: Any
) -> TrainingResult:
    """Run the training job: ``TrainingJob(config, host, **options).run()``."""
    return TrainingJob(config if config is not None else MlcoreConfig(), host, **options).run()
