"""The optimizer: trials of model parameters scored on walk-forward cross-validation."""

from __future__ import annotations

import functools
import math
import os
import socket
import threading
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs
import numpy as np
import pandas as pd

from mlcore.errors import ConfigError
from mlcore.hpo._optuna import _import_optuna
from mlcore.hpo.results import OptimizationResult, _summarise
from mlcore.hpo.search_space import SearchSpace, search_space_from_config
from mlcore.hpo.storage import _storage_label, open_storage
from mlcore.hpo.studies import (
    Direction,
    _check_directions,
    _make_pruner,
    _make_sampler,
    create_study,
)
from mlcore.hpo.trading_objectives import TRADING_OBJECTIVES, default_positions, sharpe_ratio
from mlcore.labels import Labels
from mlcore.validation import cross_validate

if TYPE_CHECKING:
    from mlcore.config import HpoConfig
    from mlcore.host import PluginHost

__all__ = ["OptunaOptimizer", "Progress"]

#: ``progress(done, total, best)`` after each finished trial: trials finished in this run,
#: the trials asked for (None when only a timeout bounds the run), and the best value so
#: far (single objective; None before the first complete trial and for several objectives).
Progress: TypeAlias = Callable[[int, "int | None", "float | None"], object]


@attrs.frozen
class _Objective:
    name: str
    scorer: Callable[..., float]
    direction: Direction
    on_returns: bool  # scored on the out-of-fold signal returns, not on each fold


def _plain(value: Any) -> Any:
    """``value`` with numpy scalars and tuples made JSON-friendly (Optuna stores user attrs)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _default_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _classes_of(y: Any) -> list[Any] | None:
    """The label classes behind default positions; None for a regression target."""
    if isinstance(y, Labels):
        if y.kind == "meta":
            raise ValueError(
                "meta-labels say whether to take the primary model's trade, not its side; "
                "pass OptunaOptimizer(positions=...) to turn predictions into positions"
            )
        if y.kind == "regression":
            return None
        y = y.y
    values = np.asarray(y)
    if values.dtype.kind == "f":
        finite = values[np.isfinite(values)]
        if not np.all(finite == np.round(finite)):
            return None
        values = finite
    if values.dtype.kind not in "biuf":
        raise ValueError(
            f"cannot turn labels of dtype {values.dtype} into positions; pass "
            "OptunaOptimizer(positions=...)"
        )
    return list(np.unique(values).tolist())


class OptunaOptimizer:
    """Tune a model's hyperparameters with Optuna on walk-forward cross-validation.

    Parameters
    ----------
    model
        A registered model name (``"xgboost"``, built by the host's model registry), or a
        factory: a class or a callable ``(**params) -> unfitted model``.
    metric
        The objective: a metric name (the host's metric registry, or a trading objective
        of :data:`TRADING_OBJECTIVES`), a :class:`~mlcore.protocols.Metric` object, or a
        list of them for a multi-objective study.
    directions
        ``"maximize"`` / ``"minimize"`` per objective; None derives each from the metric's
        ``greater_is_better``. A direction that contradicts it is refused.
    n_trials, timeout
        Trials to run, and seconds after which no new trial starts (None: no limit).
    n_jobs
        Trials run at once, in threads of this process (-1: one per core).
    storage
        Where the study lives (:func:`open_storage`): None (in memory), ``"sqlite:///x.db"``,
        any SQLAlchemy URL, ``"journal:///x.log"``, or an Optuna storage object.
    study_name
        The study's name, to resume it or share it among workers; None lets Optuna name it.
    sampler
        ``"tpe"``, ``"random"``, ``"cmaes"`` (one objective; needs the ``cmaes`` package),
        ``"nsga2"``, or an Optuna sampler. None: ``tpe`` for one objective, ``nsga2`` for
        several. Seeded with ``seed``.
    pruner
        ``"median"`` (``MedianPruner(n_startup_trials=5)``), ``"hyperband"``, ``"none"``,
        or an Optuna pruner. Only a single model-metric objective is pruned.
    seed
        Seeds the sampler: with ``n_jobs=1`` the same data and seed give the same trials.
    search_space
        ``trial -> model parameters`` (a callable), or a mapping in config form
        (:func:`search_space_from_config`). None: the model class's own
        ``search_space(trial)`` (model plugins declare one).
    host
        The :class:`~mlcore.host.PluginHost` that resolves metric and model names; None
        loads one with the installed plugins when a name needs it.
    model_params
        Fixed model parameters; each trial's parameters are laid over them.
    positions
        ``oof_predictions -> positions`` for the trading objectives; None:
        :func:`default_positions` by the label classes.
    periods_per_year
        Annualises ``sharpe_ratio`` (252 for daily bars).
    """

    def __init__(
        self,
        model: str | Callable[..., Any],
        *,
        metric: str | Any | Sequence[str | Any] = "f1_score",
        directions: str | Sequence[str] | None = None,
        n_trials: int = 50,
        timeout: float | None = None,
        n_jobs: int = 1,
        storage: Any = None,
        study_name: str | None = None,
        sampler: Any = None,
        pruner: Any = "median",
        seed: int | None = 42,
        search_space: SearchSpace | Mapping[str, Any] | None = None,
        host: PluginHost | None = None,
        model_params: Mapping[str, Any] | None = None,
        positions: Callable[[pd.Series], Any] | None = None,
        periods_per_year: float = 252.0,
    ) -> None:
        _import_optuna()  # fail now, not after the data is loaded
        if isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 1:
            raise ConfigError(
                f"must be a whole number >= 1, got {n_trials!r}", key_path="hpo.n_trials"
            )
        if timeout is not None and not timeout > 0:
            raise ConfigError(
                f"must be > 0 seconds or null, got {timeout!r}", key_path="hpo.timeout"
            )
        if n_jobs != -1 and n_jobs < 1:
            raise ConfigError(
                f"must be >= 1, or -1 for every core, got {n_jobs}", key_path="hpo.n_jobs"
            )
        self.n_trials = n_trials
        self.timeout = timeout
        self.n_jobs = n_jobs
        self.storage = storage
        self.study_name = study_name
        self.sampler = sampler
        self.pruner = pruner
        self.seed = seed
        self.model_params = dict(model_params or {})
        self.positions = positions
        self.periods_per_year = periods_per_year
        self._host = host
        self._storage_object: Any = None
        self._lock = threading.Lock()

        self.model = model
        self._factory, space_owner = self._resolve_model(model)
        specs = [metric] if isinstance(metric, str) or not isinstance(metric, Sequence) else metric
        if isinstance(directions, str):
            directions = [directions]
        self._objectives = self._resolve_objectives(list(specs), directions)
        # Built now only to refuse an unknown name or a misfit early; each run builds its own.
        _make_sampler(sampler, seed, len(self._objectives))
        _make_pruner(pruner, len(self._objectives))
        self._space = self._resolve_space(search_space, space_owner)

    # -- construction ------------------------------------------------------------------

    @classmethod
    def from_config(
        cls,
        cfg: HpoConfig,
        model: str | Callable[..., Any],
        *,
        metric: str | Any = "f1_score",
        seed: int | None = 42,
        host: PluginHost | None = None,
        model_params: Mapping[str, Any] | None = None,
        positions: Callable[[pd.Series], Any] | None = None,
        periods_per_year: float = 252.0,
    ) -> OptunaOptimizer:
        """The optimizer an ``hpo`` config section describes.

        ``hpo.objectives`` (when set) are the objectives, with ``hpo.directions``; otherwise
        ``metric`` (pass ``training.optimization_metric``) is, with its direction derived
        from the metric unless ``hpo.directions`` says otherwise than the default
        ``[maximize]``. ``seed`` is ``training.seed``; ``model`` is
        ``training.model_type``; ``model_params`` are ``training.model_params``. An empty
        ``hpo.search_space`` uses the model's own.
        """
        if cfg.objectives:
            objectives: list[Any] = list(cfg.objectives)
            directions: list[str] | None = list(cfg.directions)
        else:
            objectives = [metric]
            directions = None if list(cfg.directions) == ["maximize"] else list(cfg.directions)
        return cls(
            model,
            metric=objectives,
            directions=directions,
            n_trials=cfg.n_trials,
            timeout=cfg.timeout,
            n_jobs=cfg.n_jobs,
            storage=cfg.storage,
            study_name=cfg.study_name,
            sampler=cfg.sampler,
            pruner=cfg.pruner,
            seed=seed,
            search_space=dict(cfg.search_space) or None,
            host=host,
            model_params=model_params,
            positions=positions,
            periods_per_year=periods_per_year,
        )

    @property
    def host(self) -> PluginHost:
        """The plugin host; loaded with the installed plugins on first use when not given."""
        if self._host is None:
            from mlcore.host import PluginHost

            self._host = PluginHost.from_config(None).load()
        return self._host

    @property
    def objectives(self) -> tuple[str, ...]:
        """The objective names, in the order of the study's values."""
        return tuple(objective.name for objective in self._objectives)

    @property
    def directions(self) -> tuple[Direction, ...]:
        """Each objective's direction."""
        return tuple(objective.direction for objective in self._objectives)

    @property
    def is_multi_objective(self) -> bool:
        return len(self._objectives) > 1

    def _resolve_model(self, model: str | Callable[..., Any]) -> tuple[Callable[..., Any], Any]:
        if isinstance(model, str):
            component = self.host.models.get(model)
            target = component.load()
            return component.create, target
        if not callable(model):
            raise TypeError(
                f"model must be a registered model name or a factory (a class or a callable "
                f"taking the parameters as keywords), got {model!r}"
            )
        return model, model

    def _resolve_objectives(
        self, specs: list[Any], directions: Sequence[str] | None
    ) -> tuple[_Objective, ...]:
        if not specs:
            raise ConfigError("needs at least one metric to optimise", key_path="hpo.objectives")
        if directions is not None:
            given = _check_directions(directions)
            if len(given) != len(specs):
                raise ConfigError(
                    f"{len(given)} direction(s) {list(given)} for {len(specs)} objective(s); "
                    "give one direction per objective, or none to derive them",
                    key_path="hpo.directions",
                )
        objectives: list[_Objective] = []
        for position, spec in enumerate(specs):
            if isinstance(spec, str):
                scorer: Any = TRADING_OBJECTIVES.get(spec) or self.host.metrics.create(spec)
                name = spec
            else:
                scorer = spec
                name = str(getattr(spec, "name", None) or getattr(spec, "__name__", repr(spec)))
            if not callable(scorer):
                raise TypeError(f"objective {name!r} is not callable: {scorer!r}")
            if scorer is sharpe_ratio:
                scorer = attrs.evolve(
                    sharpe_ratio,
                    function=functools.partial(
                        sharpe_ratio.function, periods_per_year=self.periods_per_year
                    ),
                )
            greater = getattr(scorer, "greater_is_better", None)
            derived: Direction | None = None
            if greater is not None:
                derived = "maximize" if greater else "minimize"
            direction = derived if directions is None else _check_directions(directions)[position]
            if direction is None:
                raise ConfigError(
                    f"objective {name!r} does not say whether greater is better; pass "
                    "directions=['maximize' or 'minimize', ...]",
                    key_path="hpo.directions",
                )
            if derived is not None and direction != derived:
                raise ConfigError(
                    f"objective {name!r} is to {derived} (greater_is_better={greater}), but "
                    f"its direction is {direction!r}",
                    key_path="hpo.directions",
                )
            needs = getattr(scorer, "needs", "labels")
            if needs == "trades":
                raise ConfigError(
                    f"objective {name!r} scores a trade history; tuning scores fold "
                    "predictions or the returns of their signals: choose another objective",
                    key_path="hpo.objectives",
                )
            objectives.append(_Objective(name, scorer, direction, needs == "returns"))
        names = [objective.name for objective in objectives]
        if len(set(names)) != len(names):
            raise ConfigError(f"objectives repeat a name: {names}", key_path="hpo.objectives")
        return tuple(objectives)

    def _resolve_space(
        self, search_space: SearchSpace | Mapping[str, Any] | None, owner: Any
    ) -> SearchSpace:
        if isinstance(search_space, Mapping):
            return search_space_from_config(search_space)
        if search_space is not None:
            if not callable(search_space):
                raise TypeError(
                    f"search_space must be a callable (trial -> params) or a mapping in config "
                    f"form, got {search_space!r}"
                )
            return search_space
        declared = getattr(owner, "search_space", None)
        if not callable(declared):
            raise ConfigError(
                f"{getattr(owner, '__name__', owner)!r} declares no search_space(trial); pass "
                "search_space= (a callable trial -> params, or a mapping such as "
                "{'C': {'type': 'float', 'low': 0.001, 'high': 10, 'log': True}})",
                key_path="hpo.search_space",
            )
        return declared  # type: ignore[no-any-return]

    # -- building blocks ----------------------------------------------------------------

    def suggest(self, trial: Any) -> dict[str, Any]:
        """The model parameters the search space draws for ``trial``."""
        params = self._space(trial)
        if not isinstance(params, Mapping):
            raise TypeError(
                f"the search space must return a mapping of model parameters, got {params!r}"
            )
        return dict(params)

    def build_model(self, params: Mapping[str, Any] | None = None) -> Any:
        """A fresh, unfitted model: ``model_params`` overlaid with ``params``."""
        return self._factory(**{**self.model_params, **(params or {})})

    def _storage(self) -> Any:
        with self._lock:
            if self._storage_object is None:
                self._storage_object = open_storage(self.storage)
            return self._storage_object

    def create_study(self, study_name: str | None = None, *, seed: int | None = None) -> Any:
        """Create this optimizer's study in its storage, or load it when it exists.

        Run it once before starting workers that share the storage (see
        :func:`create_study`).
        """
        return create_study(
            self._storage(),
            study_name or self.study_name,
            self.directions,
            objectives=self.objectives,
            sampler=self.sampler,
            pruner=self.pruner,
            seed=self.seed if seed is None else seed,
        )

    # -- running -----------------------------------------------------------------------

    def optimize(
        self,
        X: Any,
        y: Any,
        *,
        cv: Any,
        t1: pd.Series | None = None,
        fit_params: Mapping[str, Any] | None = None,
        preprocess: Any = None,
        returns: pd.Series | np.ndarray | None = None,
        progress: Progress | None = None,
        study_name: str | None = None,
        n_trials: int | None = None,
        timeout: float | None = None,
        worker: str | None = None,
        max_total_trials: int | None = None,
    ) -> OptimizationResult:
        """Run the study and return what it found.

        Each trial draws parameters, builds a fresh model, and runs
        :func:`~mlcore.validation.cross_validate` with ``cv`` (``t1``, ``fit_params`` and
        ``preprocess`` are passed on; a :class:`~mlcore.labels.Labels` ``y`` brings its
        ``t1``). A model metric's value is its mean over the folds; the running mean is
        reported after each fold for pruning. A trading objective is scored on the
        out-of-fold signals: ``position_t`` (from the prediction, see ``positions``) times
        ``returns_t``, the realised simple return from ``t`` over the label's horizon, one
        per row of X (a Series on X's index, or an array). Without ``returns``, a
        ``Labels`` y gives ``expm1(labels.returns)``. The returns of consecutive rows
        overlap when the horizon is longer than one bar; pass one-bar forward returns for
        a bar-by-bar equity curve.

        A trial whose model raises is recorded as FAIL with its error (``history.error``),
        and the study goes on. ``study_name``, ``n_trials`` and ``timeout`` override the
        optimizer's for this run; ``worker`` (default ``host:pid``) is recorded with every
        trial; ``max_total_trials`` stops once the study holds that many finished trials
        (all workers together). ``progress(done, total, best)`` is called after each trial.

        Raises :class:`~mlcore.errors.MlcoreError` when no trial of the study has completed.
        """
        return self._run(
            X,
            y,
            cv=cv,
            t1=t1,
            fit_params=fit_params,
            preprocess=preprocess,
            returns=returns,
            progress=progress,
            study_name=study_name or self.study_name,
            n_trials=self.n_trials if n_trials is None else n_trials,
            timeout=self.timeout if timeout is None else timeout,
            worker=worker or _default_worker(),
            seed=self.seed,
            max_total_trials=max_total_trials,
        )

    def run_worker(
        self,
        X: Any,
        y: Any,
        *,
        cv: Any,
        t1: pd.Series | None = None,
        fit_params: Mapping[str, Any] | None = None,
        preprocess: Any = None,
        returns: pd.Series | np.ndarray | None = None,
        progress: Progress | None = None,
        study_name: str | None = None,
        n_trials: int | None = None,
        timeout: float | None = None,
        worker: str | None = None,
        max_total_trials: int | None = None,
    ) -> OptimizationResult:
        """Run trials of a study shared with other processes or machines through ``storage``.

        Same as :meth:`optimize`, but the storage must be shared (not in memory) and the
        study named; create the study once beforehand (:func:`create_study` or
        :meth:`create_study`), then start any number of workers. Each worker seeds its
        sampler with ``seed`` mixed with its ``worker`` name (default ``host:pid``), so that
        workers do not propose the same first points. The result covers every worker's
        trials recorded so far.
        """
        if self.storage is None:
            raise ConfigError(
                "workers share a study through a storage URL; set storage "
                "(sqlite:///optuna.db, journal:///optuna.log or an SQLAlchemy URL)",
                key_path="hpo.storage",
            )
        name = study_name or self.study_name
        if not name:
            raise ConfigError(
                "workers find their shared study by name; set study_name",
                key_path="hpo.study_name",
            )
        worker = worker or _default_worker()
        seed = None if self.seed is None else (self.seed + zlib.crc32(worker.encode())) % 2**32
        return self._run(
            X,
            y,
            cv=cv,
            t1=t1,
            fit_params=fit_params,
            preprocess=preprocess,
            returns=returns,
            progress=progress,
            study_name=name,
            n_trials=self.n_trials if n_trials is None else n_trials,
            timeout=self.timeout if timeout is None else timeout,
            worker=worker,
            seed=seed,
            max_total_trials=max_total_trials,
        )

    def _run(
        self,
        X: Any,
        y: Any,
        *,
        cv: Any,
        t1: pd.Series | None,
        fit_params: Mapping[str, Any] | None,
        preprocess: Any,
        returns: pd.Series | np.ndarray | None,
        progress: Progress | None,
        study_name: str | None,
        n_trials: int | None,
        timeout: float | None,
        worker: str,
        seed: int | None,
        max_total_trials: int | None,
    ) -> OptimizationResult:
        optuna = _import_optuna()
        started = time.perf_counter()
        forward = self._forward_returns(X, y, returns)
        classes = None
        if forward is not None and self.positions is None:
            classes = _classes_of(y)
        study = create_study(
            self._storage(),
            study_name,
            self.directions,
            objectives=self.objectives,
            sampler=self.sampler,
            pruner=self.pruner,
            seed=seed,
        )
        objective = functools.partial(
            self._trial,
            X=X,
            y=y,
            cv=cv,
            t1=t1,
            fit_params=fit_params,
            preprocess=preprocess,
            forward=forward,
            classes=classes,
            worker=worker,
        )
        callbacks: list[Callable[[Any, Any], None]] = []
        if max_total_trials is not None:
            callbacks.append(
                optuna.study.MaxTrialsCallback(
                    max_total_trials,
                    states=(
                        optuna.trial.TrialState.COMPLETE,
                        optuna.trial.TrialState.PRUNED,
                        optuna.trial.TrialState.FAIL,
                    ),
                )
            )
        if progress is not None:
            callbacks.append(self._progress_callback(progress, n_trials))
        study.optimize(
            objective,
            n_trials=n_trials,
            timeout=timeout,
            n_jobs=self.n_jobs,
            catch=(Exception,),
            callbacks=callbacks,
        )
        return _summarise(
            study,
            self.objectives,
            self.directions,
            _storage_label(self.storage),
            time.perf_counter() - started,
        )

    def _progress_callback(
        self, progress: Progress, total: int | None
    ) -> Callable[[Any, Any], None]:
        done = 0
        lock = threading.Lock()
        multi = self.is_multi_objective

        def callback(study: Any, trial: Any) -> None:
            nonlocal done
            with lock:
                done += 1
                count = done
            best = None
            if not multi:
                try:
                    best = float(study.best_value)
                except ValueError:  # no complete trial yet
                    best = None
            progress(count, total, best)

        return callback

    def _forward_returns(self, X: Any, y: Any, returns: Any) -> np.ndarray | None:
        needed = [objective.name for objective in self._objectives if objective.on_returns]
        if not needed:
            return None
        n = len(y)
        if returns is None:
            if isinstance(y, Labels) and y.returns is not None:
                returns = np.expm1(y.returns)  # log returns to simple returns
            else:
                raise ValueError(
                    f"the objective(s) {needed} score the out-of-fold signals' returns: pass "
                    "optimize(..., returns=...), the realised forward return of each row of X "
                    "over the label horizon (or a Labels y that recorded its returns)"
                )
        if isinstance(returns, pd.Series):
            index = getattr(X, "index", None)
            same_length = isinstance(index, pd.Index) and len(returns) == len(index)
            if same_length and not returns.index.equals(index):
                raise ValueError(
                    "returns' index is not X's index (different rows or order); align "
                    "them first, e.g. returns.reindex(X.index)"
                )
        values = np.asarray(returns, dtype=np.float64)
        if values.ndim != 1 or values.size != n:
            raise ValueError(
                f"returns must hold one value per row of X ({n}), got shape {values.shape}"
            )
        bad = ~np.isfinite(values)
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            where = returns.index[first] if isinstance(returns, pd.Series) else first
            raise ValueError(
                f"returns has {int(bad.sum())} missing or infinite value(s), first at {where}; "
                "drop those rows from X, y and returns"
            )
        return values

    def _trial(
        self,
        trial: Any,
        *,
        X: Any,
        y: Any,
        cv: Any,
        t1: pd.Series | None,
        fit_params: Mapping[str, Any] | None,
        preprocess: Any,
        forward: np.ndarray | None,
        classes: list[Any] | None,
        worker: str,
    ) -> float | list[float]:
        optuna = _import_optuna()
        trial.set_user_attr("worker", worker)
        try:
            params = _plain(self.suggest(trial))
            trial.set_user_attr("model_params", params)
            primary = self._objectives[0]
            prune = not self.is_multi_objective and not primary.on_returns
            fold_scores: list[float] = []

            def report(done: int, total: int, scores: Mapping[str, float]) -> None:
                fold_scores.append(float(scores[primary.name]))
                running = float(np.mean(fold_scores))
                if math.isfinite(running):
                    trial.report(running, step=done - 1)
                if trial.should_prune():
                    trial.set_user_attr("fold_scores", fold_scores)
                    raise optuna.TrialPruned(
                        f"fold {done} of {total}: running mean {primary.name} {running:.6g}"
                    )

            scorers = {o.name: o.scorer for o in self._objectives if not o.on_returns}
            result = cross_validate(
                functools.partial(self.build_model, params),
                X,
                y,
                cv=cv,
                t1=t1,
                fit_params=fit_params,
                scorers=scorers,
                preprocess=preprocess,
                progress=report if prune else None,
            )
            means = result.mean_scores()
            values: list[float] = []
            for objective in self._objectives:
                if objective.on_returns:
                    assert forward is not None
                    value = float(
                        objective.scorer(None, self._signal_returns(result, forward, classes))
                    )
                else:
                    value = float(means[objective.name])
                if not math.isfinite(value):
                    raise ValueError(f"objective {objective.name!r} is {value}")
                values.append(value)
            trial.set_user_attr(
                "fold_scores",
                {name: [float(v) for v in result.scores[name]] for name in scorers},
            )
        except optuna.TrialPruned:
            raise
        except Exception as error:
            trial.set_user_attr("error", f"{type(error).__name__}: {error}"[:2000])
            raise
        return values[0] if len(values) == 1 else values

    def _signal_returns(
        self, result: Any, forward: np.ndarray, classes: list[Any] | None
    ) -> np.ndarray:
        """Out-of-fold strategy returns: position_t x forward return_t on the tested rows."""
        predictions = result.oof_predictions
        tested = predictions.notna().to_numpy()
        if self.positions is not None:
            positions = np.asarray(self.positions(predictions[tested]), dtype=np.float64)
        else:
            positions = default_positions(predictions[tested].to_numpy(), classes)
        if positions.shape != (int(tested.sum()),):
            raise ValueError(
                f"positions must give one value per out-of-fold prediction "
                f"({int(tested.sum())}), got shape {positions.shape}"
            )
        return np.asarray(positions * forward[tested], dtype=np.float64)

    def __repr__(self) -> str:
        model = self.model if isinstance(self.model, str) else getattr(self.model, "__name__", "?")
        return (
            f"OptunaOptimizer({model!r}, metric={list(self.objectives)}, "
            f"directions={list(self.directions)}, n_trials={self.n_trials}, "
            f"storage={_storage_label(self.storage)!r}, study_name={self.study_name!r})"
        )
