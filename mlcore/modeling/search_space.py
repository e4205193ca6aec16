"""A model's default hyperparameter search space, declared as data, without Optuna.

A plugin declares its space as a mapping ``name -> (kind, low, high, log)`` and gives its
models a ``search_space(trial)`` classmethod that calls :func:`suggest`; optimizers (Optuna
studies in :mod:`mlcore.hpo`) call that classmethod with their trial::

    SEARCH_SPACE = {"learning_rate": ("float", 0.01, 0.3, True), "max_depth": ("int", 3, 10, False)}

    @classmethod
    def search_space(cls, trial, *, prefix=""):
        return suggest(trial, SEARCH_SPACE, prefix=prefix)

The data form also serves documentation and tools that build their own distributions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Protocol

__all__ = ["SearchDimension", "Trial", "suggest"]

#: One dimension: (kind, low, high, log). ``kind`` is ``"int"`` or ``"float"``; ``low``
#: and ``high`` are inclusive; ``log`` samples uniformly in log space.
SearchDimension = tuple[Literal["int", "float"], float, float, bool]


class Trial(Protocol):
    """What :func:`suggest` needs from a trial: the two methods of ``optuna.trial.Trial``."""

    def suggest_float(self, name: str, low: float, high: float, *, log: bool = ...) -> float: ...

    def suggest_int(self, name: str, low: int, high: int, *, log: bool = ...) -> int: ...


def suggest(
    trial: Trial, space: Mapping[str, SearchDimension], *, prefix: str = ""
) -> dict[str, Any]:
    """Draw one value per dimension of ``space``: a dict of model parameters.

    The trial sees each parameter as ``prefix + name`` (so that several models can share a
    study: ``prefix="xgb_"``); the returned keys are the model's parameter names. Ints are
    returned as ``int``, floats as ``float``.
    """
    params: dict[str, Any] = {}
    for name, (kind, low, high, log) in space.items():
        if kind == "int":
            params[name] = int(trial.suggest_int(prefix + name, int(low), int(high), log=log))
        else:
            params[name] = float(trial.suggest_float(prefix + name, low, high, log=log))
    return params
