"""Results: what a study found, its trial history, Pareto front and plots."""

from __future__ import annotations

import functools
import math
import os
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd

from mlcore.errors import HpoError, MissingExtraError
from mlcore.hpo._optuna import _import_optuna
from mlcore.hpo.studies import Direction

__all__ = ["OptimizationResult", "ParetoTrial"]


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
