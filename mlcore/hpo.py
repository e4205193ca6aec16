"""Hyperparameter optimisation with Optuna: the seed design's ``OptunaOptimizer``.

Each trial draws model parameters from a search space, builds a fresh model from them and
scores it with :func:`mlcore.validation.cross_validate` on the walk-forward splitter it is
given (purged, so no label window of a training row reaches into its test block). A
trial's value is the mean over the folds of the metric; after every fold the running mean
is reported to Optuna, which prunes unpromising trials (``MedianPruner`` by default).

Objectives are model metrics registered with the host (``f1_score``, ``log_loss`` ...,
scored on each fold), or trading objectives scored on the out-of-fold signals
(:data:`TRADING_OBJECTIVES`: ``max_drawdown``, ``sharpe_ratio``, ``total_return``). Several
objectives make a multi-objective study whose answer is a Pareto front.

Studies live in memory, or in a storage URL that many processes or machines share
(``sqlite:///optuna.db``, any SQLAlchemy URL, ``journal:///optuna.log``). Create a shared
study once (:func:`create_study`) before the workers (:meth:`OptunaOptimizer.run_worker`)
load it: concurrent first use of a fresh SQLite file races on creating its tables.

Optuna is an optional dependency (``pip install 'mlcore[hpo]'``), imported on first use.
"""

from __future__ import annotations

import functools
import math
import os
import re
import socket
import sys
import threading
import time
import warnings
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

import attrs
import numpy as np
import pandas as pd

from mlcore.errors import ConfigError, HpoError, MissingExtraError
from mlcore.labels import Labels
from mlcore.protocols import MetricFunction, metric
from mlcore.validation import cross_validate

if TYPE_CHECKING:
    import optuna

    from mlcore.config import HpoConfig
    from mlcore.host import PluginHost

__all__ = [
    "TRADING_OBJECTIVES",
    "OptimizationResult",
    "OptunaOptimizer",
    "ParetoTrial",
    "Progress",
    "create_study",
    "default_positions",
    "max_drawdown",
    "open_storage",
    "search_space_from_config",
    "sharpe_ratio",
    "total_return",
]

Direction: TypeAlias = Literal["maximize", "minimize"]
#: ``progress(done, total, best)`` after each finished trial: trials finished in this run,
#: the trials asked for (None when only a timeout bounds the run), and the best value so
#: far (single objective; None before the first complete trial and for several objectives).
Progress: TypeAlias = Callable[[int, "int | None", "float | None"], object]
#: A search space: ``trial -> model parameters``.
SearchSpace: TypeAlias = Callable[[Any], Mapping[str, Any]]

_SAMPLERS: Final = ("tpe", "random", "cmaes", "nsga2", "nsgaii")
_PRUNERS: Final = ("median", "hyperband", "none", "nop")
_JOURNAL_PREFIX: Final = "journal:///"
_IN_MEMORY: Final = "in-memory"
#: Study user attribute holding the objective names, checked when a worker loads a study.
_OBJECTIVES_ATTR: Final = "mlcore_objectives"
#: SQLite waits this many seconds for a lock held by another worker before failing.
_SQLITE_BUSY_TIMEOUT: Final = 60


def _import_optuna() -> Any:
    try:
        import optuna
    except ImportError:
        raise MissingExtraError("optuna", "hpo", "Hyperparameter optimisation") from None
    return optuna


# ---------------------------------------------------------------------------
# Trading objectives: scored on the returns of the out-of-fold signals
# ---------------------------------------------------------------------------


def _returns_array(returns: Any) -> np.ndarray:
    values = np.asarray(returns, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"expected a 1-D series of returns, got shape {values.shape}")
    return values


def _equity(returns: np.ndarray) -> np.ndarray:
    # Equity cannot go below zero: a loss beyond -100% is ruin, not a negative balance.
    equity: np.ndarray = np.maximum(np.cumprod(1.0 + returns), 0.0)
    return equity


@metric(greater_is_better=True, needs="returns")
def max_drawdown(y_true: Any, y_pred: Any) -> float:
    """Deepest fall of the compounded equity from its running peak, a fraction in
    [-1, 0] (-0.25 is a 25% fall; greater is better), the convention of the analytics'
    ``max_drawdown`` and of empyrical.

    ``y_pred`` holds one simple return per period; the equity starts at 1, which counts
    as a peak. A loss beyond -100% is ruin: -1.
    """
    returns = _returns_array(y_pred)
    if returns.size == 0:
        return math.nan
    equity = np.concatenate(([1.0], _equity(returns)))
    peaks = np.maximum.accumulate(equity)
    return float(np.min(equity / peaks - 1.0))


@metric(greater_is_better=True, needs="returns")
def sharpe_ratio(y_true: Any, y_pred: Any, periods_per_year: float = 252.0) -> float:
    """Annualised Sharpe ratio of the returns (risk-free rate 0): mean / std * sqrt(periods).

    Uses the sample standard deviation; returns that never vary score 0.
    """
    returns = _returns_array(y_pred)
    if returns.size < 2:
        return math.nan
    spread = float(np.std(returns, ddof=1))
    if spread == 0.0:
        return 0.0
    return float(np.mean(returns) / spread * math.sqrt(periods_per_year))


@metric(greater_is_better=True, needs="returns")
def total_return(y_true: Any, y_pred: Any) -> float:
    """Compounded return over the whole series: final equity - 1."""
    returns = _returns_array(y_pred)
    if returns.size == 0:
        return math.nan
    return float(_equity(returns)[-1] - 1.0)


#: Objectives computed from the out-of-fold signals' returns, by name. They are looked up
#: before the host's metric registry; any registered metric whose ``needs`` is
#: ``"returns"`` is scored the same way.
TRADING_OBJECTIVES: Final[Mapping[str, MetricFunction]] = MappingProxyType(
    {
        "max_drawdown": max_drawdown,
        "sharpe_ratio": sharpe_ratio,
        "total_return": total_return,
    }
)


def default_positions(predictions: np.ndarray, classes: Sequence[Any] | None) -> np.ndarray:
    """Positions (+1 long, -1 short, 0 flat) from predictions, by the labels' classes.

    - classes within ``{0, 1}`` (direction and ``"sign"`` triple-barrier labels): 1 is long,
      0 is short;
    - classes ``{0, 1, 2}`` (neutral-band direction, ``"neutral"`` triple barrier):
      0 short, 1 flat, 2 long;
    - classes within ``{-1, 0, 1}``: the prediction is the position;
    - ``classes=None`` (a regression target): the sign of the prediction.
    """
    values = np.asarray(predictions, dtype=np.float64)
    if classes is None:
        return np.sign(values)
    known = {float(c) for c in classes}
    if known <= {0.0, 1.0}:
        return np.where(values == 1.0, 1.0, -1.0)
    if known == {0.0, 1.0, 2.0}:
        return values - 1.0
    if known <= {-1.0, 0.0, 1.0}:
        return values
    raise ValueError(
        f"cannot turn predictions of the classes {sorted(known)} into positions; pass "
        "OptunaOptimizer(positions=...), a function from the out-of-fold predictions "
        "(a Series) to positions in [-1, 1]"
    )


# ---------------------------------------------------------------------------
# Search spaces
# ---------------------------------------------------------------------------

_NUMERIC_KEYS: Final = frozenset({"type", "low", "high", "log", "step"})


def _number(value: Any, key_path: str, *, whole: bool) -> float | int:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if whole:
        ok = ok and float(value).is_integer()
    if not ok or not math.isfinite(value):
        kind = "a whole number" if whole else "a finite number"
        raise ConfigError(f"must be {kind}, got {value!r}", key_path=key_path)
    return int(value) if whole else float(value)


def _dimension(name: str, spec: Any, key_path: str) -> Callable[[Any], Any]:
    """One parameter's sampler: ``trial -> value``, checked now so mistakes fail early."""
    if isinstance(spec, list | tuple):
        spec = {"type": "categorical", "choices": list(spec)}
    if not isinstance(spec, Mapping):
        return lambda trial: spec  # a fixed value, not searched
    kind = spec.get("type")
    if kind == "categorical":
        unknown = sorted(set(spec) - {"type", "choices"})
        if unknown:
            raise ConfigError(
                f"unknown key(s) {unknown}; a categorical parameter takes: choices",
                key_path=key_path,
            )
        choices = spec.get("choices")
        if not isinstance(choices, list | tuple) or not choices:
            raise ConfigError(
                f"needs a non-empty list of choices, got {choices!r}",
                key_path=f"{key_path}.choices",
            )
        for choice in choices:
            if choice is not None and not isinstance(choice, bool | int | float | str):
                raise ConfigError(
                    f"choices must be null, bool, int, float or str (what Optuna stores), "
                    f"got {choice!r}",
                    key_path=f"{key_path}.choices",
                )
        options = list(choices)
        return lambda trial: trial.suggest_categorical(name, options)
    if kind not in ("float", "int"):
        raise ConfigError(
            f"type must be one of float, int, categorical, got {kind!r} (or give a list of "
            "choices, or a fixed value)",
            key_path=f"{key_path}.type",
        )
    unknown = sorted(set(spec) - _NUMERIC_KEYS)
    if unknown:
        raise ConfigError(
            f"unknown key(s) {unknown}; a {kind} parameter takes: low, high, log, step",
            key_path=key_path,
        )
    whole = kind == "int"
    for key in ("low", "high"):
        if key not in spec:
            raise ConfigError(f"a {kind} parameter needs {key}", key_path=f"{key_path}.{key}")
    low = _number(spec["low"], f"{key_path}.low", whole=whole)
    high = _number(spec["high"], f"{key_path}.high", whole=whole)
    if low > high:
        raise ConfigError(f"low {low} is above high {high}", key_path=f"{key_path}.low")
    log = spec.get("log", False)
    if not isinstance(log, bool):
        raise ConfigError(f"must be true or false, got {log!r}", key_path=f"{key_path}.log")
    if log and low <= 0:
        raise ConfigError(
            f"a log-scaled range needs low > 0, got {low}", key_path=f"{key_path}.low"
        )
    step = spec.get("step")
    if step is not None:
        step = _number(step, f"{key_path}.step", whole=whole)
        if step <= 0 or log:
            raise ConfigError(
                "step must be > 0 and cannot be combined with log: true",
                key_path=f"{key_path}.step",
            )
    if whole:
        int_step = 1 if step is None else int(step)
        return lambda trial: trial.suggest_int(name, low, high, step=int_step, log=log)
    return lambda trial: trial.suggest_float(name, low, high, step=step, log=log)


def search_space_from_config(
    spec: Mapping[str, Any], *, key_path: str = "hpo.search_space"
) -> SearchSpace:
    """A search space from its config form, checked now.

    Each parameter is one of::

        C:         {type: float, low: 1.0e-3, high: 10.0, log: true}
        max_depth: {type: int, low: 2, high: 8, step: 2}
        criterion: {type: categorical, choices: [gini, entropy]}
        penalty:   [l1, l2]            # shorthand for a categorical
        n_jobs:    1                   # a fixed value, not searched

    Raises :class:`~mlcore.errors.ConfigError` naming the key path of a bad entry.
    """
    if not isinstance(spec, Mapping):
        raise ConfigError(
            f"must be a mapping of parameter name to range, got {type(spec).__name__}",
            key_path=key_path,
        )
    dimensions = {
        str(name): _dimension(str(name), value, f"{key_path}.{name}")
        for name, value in spec.items()
    }

    def space(trial: Any) -> dict[str, Any]:
        return {name: draw(trial) for name, draw in dimensions.items()}

    return space


# ---------------------------------------------------------------------------
# Storage and studies
# ---------------------------------------------------------------------------


def _redact(url: str) -> str:
    """The URL without its password (``postgresql://user:***@host/db``)."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)


def _storage_label(storage: Any) -> str:
    if storage is None:
        return _IN_MEMORY
    if isinstance(storage, str):
        return _redact(storage)
    return type(storage).__name__


def _make_parent(path: str) -> None:
    parent = Path(path).parent
    if str(parent) not in ("", "."):
        parent.mkdir(parents=True, exist_ok=True)


def open_storage(storage: Any) -> Any:
    """The Optuna storage object for a storage URL.

    - ``None``: a new in-memory storage (one process; gone when it ends);
    - ``"journal:///optuna.log"``: a journal file (``JournalStorage`` with a file backend),
      for many processes on machines that share the file system. Like SQLite URLs, three
      slashes then a relative path, four for an absolute one (``journal:////data/s.log``);
    - ``"sqlite:///optuna.db"``: SQLite, waiting up to 60 s for another worker's lock;
    - any other SQLAlchemy URL (``postgresql://user:pw@host/db``, ``mysql+pymysql://...``);
    - an Optuna storage object, returned as it is.

    The folder of a SQLite or journal file is created when missing.
    """
    optuna = _import_optuna()
    if storage is None:
        return optuna.storages.InMemoryStorage()
    if not isinstance(storage, str):
        return storage
    if storage.startswith(_JOURNAL_PREFIX):
        path = storage[len(_JOURNAL_PREFIX) :]
        if not path:
            raise ConfigError(
                "a journal storage URL names a file: journal:///optuna.log (relative) or "
                "journal:////abs/path/optuna.log",
                key_path="hpo.storage",
            )
        _make_parent(path)
        from optuna.storages.journal import JournalFileBackend, JournalStorage

        return JournalStorage(JournalFileBackend(path))
    if storage.startswith("journal:"):
        raise ConfigError(
            f"{storage!r} is not a journal URL; write journal:///relative/path.log or "
            "journal:////absolute/path.log",
            key_path="hpo.storage",
        )
    if storage.startswith("sqlite:///"):
        path = storage[len("sqlite:///") :]
        if path and not path.startswith(":memory:"):
            _make_parent(path)
        engine_kwargs = {"connect_args": {"timeout": _SQLITE_BUSY_TIMEOUT}}
        return optuna.storages.RDBStorage(storage, engine_kwargs=engine_kwargs)
    return optuna.storages.RDBStorage(storage)


def _make_sampler(sampler: Any, seed: int | None, n_objectives: int) -> Any:
    optuna = _import_optuna()
    if sampler is None:
        sampler = "tpe" if n_objectives == 1 else "nsga2"
    if not isinstance(sampler, str):
        return sampler
    name = sampler.lower()
    if name == "tpe":
        with warnings.catch_warnings():
            # constant_liar keeps parallel workers from proposing the same point.
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.samplers.TPESampler(seed=seed, constant_liar=True)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "cmaes":
        if n_objectives > 1:
            raise ConfigError(
                "the cmaes sampler optimises one objective; use nsga2 or tpe for several",
                key_path="hpo.sampler",
            )
        return optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
    if name in ("nsga2", "nsgaii"):
        return optuna.samplers.NSGAIISampler(seed=seed)
    raise ConfigError(
        f"unknown sampler {sampler!r}; choose one of {', '.join(_SAMPLERS)}, or pass an "
        "optuna sampler object",
        key_path="hpo.sampler",
    )


def _make_pruner(pruner: Any, n_objectives: int) -> Any:
    optuna = _import_optuna()
    name = pruner.lower() if isinstance(pruner, str) else None
    if name is not None and name not in _PRUNERS:
        raise ConfigError(
            f"unknown pruner {pruner!r}; choose one of {', '.join(_PRUNERS)}, or pass an "
            "optuna pruner object",
            key_path="hpo.pruner",
        )
    if n_objectives > 1 or pruner is None or name in ("none", "nop"):
        return optuna.pruners.NopPruner()  # Optuna does not prune multi-objective trials
    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=0)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource="auto")
    return pruner


def _check_directions(directions: Sequence[str]) -> tuple[Direction, ...]:
    checked: list[Direction] = []
    for direction in directions:
        if direction not in ("maximize", "minimize"):
            raise ConfigError(
                f"each direction is 'maximize' or 'minimize', got {direction!r}",
                key_path="hpo.directions",
            )
        checked.append(direction)  # type: ignore[arg-type]
    if not checked:
        raise ConfigError("needs at least one direction", key_path="hpo.directions")
    return tuple(checked)


def create_study(
    storage: Any,
    study_name: str | None,
    directions: Sequence[str] = ("maximize",),
    *,
    objectives: Sequence[str] | None = None,
    sampler: Any = None,
    pruner: Any = "median",
    seed: int | None = 42,
    load_if_exists: bool = True,
) -> optuna.Study:
    """Create a study (or load it, when ``load_if_exists``) in ``storage``.

    Call it ONCE, from one process, before starting workers that share the storage: the
    first use of a fresh SQLite file creates its tables, and two processes doing that at
    once race. ``objectives`` (names) are recorded with the study so that a worker with
    other objectives is refused. ``sampler`` and ``pruner`` (names as in
    :class:`OptunaOptimizer`, or Optuna objects) only serve the returned study object; each
    worker uses its own.

    Raises :class:`~mlcore.errors.ConfigError` when the study exists with other directions
    or objectives.
    """
    optuna = _import_optuna()
    checked = _check_directions(directions)
    if objectives is not None and len(objectives) != len(checked):
        raise ConfigError(
            f"{len(checked)} direction(s) {list(checked)} for {len(objectives)} objective(s) "
            f"{list(objectives)}; give one direction per objective",
            key_path="hpo.directions",
        )
    label = _storage_label(storage)
    study = optuna.create_study(
        storage=open_storage(storage) if isinstance(storage, str) or storage is None else storage,
        study_name=study_name,
        directions=list(checked),
        sampler=_make_sampler(sampler, seed, len(checked)),
        pruner=_make_pruner(pruner, len(checked)),
        load_if_exists=load_if_exists,
    )
    _check_study(study, checked, objectives, label)
    if objectives is not None and _OBJECTIVES_ATTR not in study.user_attrs:
        study.set_user_attr(_OBJECTIVES_ATTR, list(objectives))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            study.set_metric_names(list(objectives))
    return study  # type: ignore[no-any-return]


def _check_study(
    study: Any, directions: Sequence[str], objectives: Sequence[str] | None, storage: str
) -> None:
    found = tuple(d.name.lower() for d in study.directions)
    if found != tuple(directions):
        raise ConfigError(
            f"study {study.study_name!r} in {storage} has directions {list(found)}, not "
            f"{list(directions)}; use another study_name, or the study's own objectives",
            key_path="hpo.directions",
        )
    recorded = study.user_attrs.get(_OBJECTIVES_ATTR)
    if objectives is not None and recorded is not None and list(recorded) != list(objectives):
        raise ConfigError(
            f"study {study.study_name!r} in {storage} optimises {list(recorded)}, not "
            f"{list(objectives)}; use another study_name, or the study's own objectives",
            key_path="hpo.objectives",
        )


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@attrs.frozen
class ParetoTrial:
    """A trial on the Pareto front of a multi-objective study."""

    number: int
    values: tuple[float, ...]
    params: dict[str, Any]


def _model_params(trial: Any) -> dict[str, Any]:
    params = trial.user_attrs.get("model_params")
    return dict(params) if isinstance(params, Mapping) else dict(trial.params)


def _history(trials: Sequence[Any], objectives: Sequence[str]) -> pd.DataFrame:
    param_names = sorted({name for trial in trials for name in trial.params})
    rows = []
    for trial in trials:
        values = trial.values or [math.nan] * len(objectives)
        row: dict[str, Any] = {"trial": trial.number, "state": trial.state.name}
        if len(objectives) == 1:
            row["value"] = values[0]
        else:
            row.update(zip(objectives, values, strict=True))
        row.update({f"params_{name}": trial.params.get(name) for name in param_names})
        duration = trial.duration
        row["duration"] = math.nan if duration is None else duration.total_seconds()
        row["worker"] = trial.user_attrs.get("worker")
        row["error"] = trial.user_attrs.get("error")
        rows.append(row)
    value_columns = ["value"] if len(objectives) == 1 else list(objectives)
    columns = [
        "trial",
        "state",
        *value_columns,
        *(f"params_{name}" for name in param_names),
        "duration",
        "worker",
        "error",
    ]
    return pd.DataFrame.from_records(rows, columns=columns)


@attrs.frozen(eq=False)
class OptimizationResult:
    """What a study found, with the trials recorded in it.

    Attributes
    ----------
    best_params
        The model parameters of the best trial (what the search space returned, so they
        build the model as they are: ``optimizer.build_model(result.best_params)``). With
        several objectives: those of the Pareto-front trial best on the first objective.
    best_value
        The best trial's objective value; None with several objectives.
    best_values
        The best trial's value for each objective.
    best_trial
        The best trial's number.
    n_trials, n_complete, n_pruned, n_failed
        Trials recorded in the study (every worker's, every state), and how many of them
        completed, were pruned and failed.
    study_name, storage
        Where the study lives (the storage URL without its password, or ``in-memory``).
    objectives, directions
        The objective names and their directions.
    pareto_front
        The non-dominated complete trials (several objectives; empty for one).
    history
        One row per trial: ``trial``, ``state``, ``value`` (or one column per objective),
        ``params_<name>`` (the names the sampler saw), ``duration`` (seconds), ``worker``,
        ``error`` (the exception of a failed trial).
    elapsed
        Seconds this run took.
    study
        The ``optuna.Study``.
    """

    best_params: dict[str, Any]
    best_value: float | None
    best_values: tuple[float, ...]
    best_trial: int
    n_trials: int
    n_complete: int
    n_pruned: int
    n_failed: int
    study_name: str
    storage: str
    objectives: tuple[str, ...]
    directions: tuple[Direction, ...]
    pareto_front: tuple[ParetoTrial, ...]
    history: pd.DataFrame = attrs.field(repr=False)
    elapsed: float
    study: Any = attrs.field(repr=False)

    @property
    def is_multi_objective(self) -> bool:
        return len(self.objectives) > 1

    def summary(self) -> dict[str, Any]:
        """The result as plain values (for logging as MLflow params and metrics, or JSON)."""
        return {
            "study_name": self.study_name,
            "storage": self.storage,
            "objectives": list(self.objectives),
            "directions": list(self.directions),
            "best_trial": self.best_trial,
            "best_params": dict(self.best_params),
            "best_values": dict(zip(self.objectives, self.best_values, strict=True)),
            "n_trials": self.n_trials,
            "n_complete": self.n_complete,
            "n_pruned": self.n_pruned,
            "n_failed": self.n_failed,
            "pareto_front": [
                {"number": t.number, "values": list(t.values), "params": dict(t.params)}
                for t in self.pareto_front
            ],
            "elapsed": self.elapsed,
        }

    def save_plots(self, directory: str | os.PathLike[str]) -> list[Path]:
        """Write the optimisation plots as PNG files into ``directory``; return their paths.

        ``optimization_history.png`` and ``param_importances.png`` (one of each per
        objective, ``..._<objective>.png``, for several objectives) and, for two or three
        objectives, ``pareto_front.png``. Parameter importance needs at least two complete
        trials that differ in their parameters; a plot that cannot be drawn is skipped with
        a warning saying why. Needs matplotlib (``pip install 'mlcore[reports]'``); when
        pyplot is not imported yet, the non-interactive Agg backend is selected, so this
        works without a display.
        """
        optuna = _import_optuna()
        try:
            import matplotlib
        except ImportError:
            raise MissingExtraError("matplotlib", "reports", "Saving optimisation plots") from None
        if "matplotlib.pyplot" not in sys.modules:
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from optuna.visualization import matplotlib as plots

        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        complete = [t for t in self.study.get_trials(deepcopy=False) if t.state.name == "COMPLETE"]
        multi = self.is_multi_objective
        drawings: list[tuple[str, Callable[[], Any] | str]] = []
        for index, name in enumerate(self.objectives):
            suffix = f"_{name}" if multi else ""
            target = functools.partial(_objective_value, index=index) if multi else None
            drawings.append(
                (
                    f"optimization_history{suffix}.png",
                    functools.partial(
                        plots.plot_optimization_history,
                        self.study,
                        target=target,
                        target_name=name,
                    ),
                )
            )
            drawings.append(
                (
                    f"param_importances{suffix}.png",
                    _importance_problem(complete)
                    or functools.partial(
                        plots.plot_param_importances,
                        self.study,
                        target=_importance_target(index, self.directions[index]) if multi else None,
                        target_name=name,
                    ),
                )
            )
        if multi:
            pareto: Callable[[], Any] | str = functools.partial(
                plots.plot_pareto_front, self.study, target_names=list(self.objectives)
            )
            if len(self.objectives) > 3:
                pareto = "a Pareto-front plot shows two or three objectives"
            elif not complete:
                pareto = "no trial is complete"
            drawings.append(("pareto_front.png", pareto))

        written: list[Path] = []
        # rc_context undoes the style sheet Optuna's plots set globally.
        with warnings.catch_warnings(), matplotlib.rc_context():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            # _importance_target already turns a maximised objective into one to minimise.
            warnings.filterwarnings("ignore", message=".*importances of params to achieve low")
            for filename, draw in drawings:
                problem = draw if isinstance(draw, str) else None
                axes = None
                if problem is None:
                    try:
                        axes = draw()  # type: ignore[operator]
                    except (ValueError, RuntimeError, ZeroDivisionError) as error:
                        problem = f"{type(error).__name__}: {error}"
                if problem is not None:
                    warnings.warn(
                        f"skipped the plot {filename} of study {self.study_name!r}: {problem}",
                        UserWarning,
                        stacklevel=2,
                    )
                    continue
                figure = np.ravel(np.asarray(axes, dtype=object))[0].figure
                path = folder / filename
                figure.savefig(path, format="png", dpi=100, bbox_inches="tight")
                plt.close(figure)
                written.append(path)
        return written


def _objective_value(trial: Any, *, index: int) -> float:
    return float(trial.values[index])


def _importance_target(index: int, direction: str) -> Callable[[Any], float]:
    """Objective ``index`` as a value to minimise: Optuna's PED-ANOVA importance reads a
    custom target as lower-is-better."""
    sign = -1.0 if direction == "maximize" else 1.0

    def target(trial: Any) -> float:
        return sign * float(trial.values[index])

    return target


def _importance_problem(complete: Sequence[Any]) -> str | None:
    if len(complete) < 2:
        return (
            f"parameter importance needs at least 2 complete trials, the study has {len(complete)}"
        )
    if not any(trial.params for trial in complete):
        return "parameter importance needs searched parameters; the search space is empty"
    if all(trial.params == complete[0].params for trial in complete):
        return "parameter importance needs complete trials with different parameters"
    return None


def _summarise(
    study: Any,
    objectives: tuple[str, ...],
    directions: tuple[Direction, ...],
    storage: str,
    elapsed: float,
) -> OptimizationResult:
    trials = study.get_trials(deepcopy=False)
    states = [trial.state.name for trial in trials]
    complete = [trial for trial in trials if trial.state.name == "COMPLETE"]
    if not complete:
        failed = [trial for trial in trials if trial.user_attrs.get("error")]
        why = f"; the first failure: {failed[0].user_attrs['error']}" if failed else ""
        raise HpoError(
            f"no trial of study {study.study_name!r} completed ({len(trials)} recorded: "
            f"{states.count('PRUNED')} pruned, {states.count('FAIL')} failed){why}. Check "
            "the model, the search space and the data; the history is in the study's storage"
        )
    pareto: tuple[ParetoTrial, ...] = ()
    if len(objectives) == 1:
        best = study.best_trial
    else:
        front = sorted(study.best_trials, key=lambda t: t.number)
        pareto = tuple(
            ParetoTrial(t.number, tuple(float(v) for v in t.values), _model_params(t))
            for t in front
        )
        sign = 1.0 if directions[0] == "maximize" else -1.0
        best = max(front, key=lambda t: (sign * t.values[0], -t.number))
    values = tuple(float(v) for v in best.values)
    return OptimizationResult(
        best_params=_model_params(best),
        best_value=values[0] if len(objectives) == 1 else None,
        best_values=values,
        best_trial=int(best.number),
        n_trials=len(trials),
        n_complete=states.count("COMPLETE"),
        n_pruned=states.count("PRUNED"),
        n_failed=states.count("FAIL"),
        study_name=str(study.study_name),
        storage=storage,
        objectives=objectives,
        directions=directions,
        pareto_front=pareto,
        history=_history(trials, objectives),
        elapsed=elapsed,
        study=study,
    )


# ---------------------------------------------------------------------------
# The optimizer
# ---------------------------------------------------------------------------


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
