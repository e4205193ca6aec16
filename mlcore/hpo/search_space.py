"""Search spaces: the config form of the parameters a study searches, checked early."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeAlias

from mlcore.errors import ConfigError

__all__ = ["SearchSpace", "search_space_from_config"]

#: A search space: ``trial -> model parameters``.
SearchSpace: TypeAlias = Callable[[Any], Mapping[str, Any]]

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
