"""Copies of a component: clones with the same parameters and pickle round trips."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import attrs

from mlcore.testing.checks._failures import _PICKLE_FIX, _call, _failure


def _clones(component: object) -> list[tuple[str, object]]:
    """Every parameter round trip the component supports: (how, copy)."""
    found: list[tuple[str, object]] = []
    clone = getattr(component, "clone", None)
    if callable(clone):
        found.append(("clone()", clone()))
    if attrs.has(type(component)):
        found.append(("attrs.evolve(component)", attrs.evolve(component)))  # type: ignore[misc]
    get_params = getattr(component, "get_params", None)
    if callable(get_params):
        found.append(("type(component)(**component.get_params())", type(component)(**get_params())))
    return found


def _fresh(component: object, check: str) -> object:
    """An unfitted copy with the same parameters (a deep copy when it cannot be cloned)."""

    def build() -> object:
        clones = _clones(component)
        return clones[0][1] if clones else copy.deepcopy(component)

    return _call(component, check, "cloning", build, "clone() / attrs.evolve must work")


def _strict_clones(component: object, check: str) -> list[tuple[str, object]]:
    clones = _call(component, check, "cloning", lambda: _clones(component))
    if not clones:
        raise _failure(
            component,
            check,
            "it cannot be cloned: it has no clone(), is no attrs class and has no get_params()",
            "make it an attrs class (mlcore.IndicatorBase / ModelBase / RegimeDetectorBase) "
            "or implement get_params() returning the constructor's arguments",
        )
    return clones  # type: ignore[no-any-return]


def _round_trip(component: object, subject: object, check: str) -> Any:
    try:
        blob = pickle.dumps(subject)
    except Exception as error:
        fix = _PICKLE_FIX
        if "not the same object" in str(error):
            fix = (
                "a decorator kept the original function and replaced it under the same "
                "module name (as @metric does), so pickle cannot find the original: give "
                "the wrapper a __reduce__ that re-imports it by module and name, or keep the "
                "undecorated function under another name"
            )
        raise _failure(
            component, check, f"pickle.dumps raised {type(error).__name__}: {error}", fix
        ) from error
    return _call(component, check, "pickle.loads", lambda: pickle.loads(blob), _PICKLE_FIX)
