"""Studies: created once in a storage, with their directions, objectives, sampler and pruner."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

from mlcore.errors import ConfigError
from mlcore.hpo._optuna import _import_optuna
from mlcore.hpo.storage import _storage_label, open_storage

if TYPE_CHECKING:
    import optuna

__all__ = ["Direction", "create_study"]

Direction: TypeAlias = Literal["maximize", "minimize"]

_SAMPLERS: Final = ("tpe", "random", "cmaes", "nsga2", "nsgaii")
_PRUNERS: Final = ("median", "hyperband", "none", "nop")
#: Study user attribute holding the objective names, checked when a worker loads a study.
_OBJECTIVES_ATTR: Final = "mlcore_objectives"


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
