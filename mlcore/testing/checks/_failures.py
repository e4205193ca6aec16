"""Failures: the AssertionError a check raises, naming the component, problem and fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import pandas as pd

from mlcore.testing.checks._kinds import component_id

_LOOKAHEAD_FIX: Final = (
    "row t must depend only on rows <= t: no centred windows (rolling(center=True)), "
    "no shift(-k), no bfill()/interpolate(), no statistics over the whole series "
    "(mean, std, min/max, rank), no fitting on the full input"
)
_DETERMINISM_FIX: Final = (
    "take every random draw from a seeded generator (a random_state/seed parameter), and "
    "avoid set ordering, global state and thread-count-dependent reductions"
)
_PICKLE_FIX: Final = (
    "keep only picklable state: no lambdas, local functions, open files, locks or "
    "generators in attributes (define functions at module level)"
)


def _failure(component: object, check: str, problem: str, fix: str) -> AssertionError:
    return AssertionError(f"{component_id(component)} failed {check}: {problem}.\n  Fix: {fix}.")


def _call(
    component: object,
    check: str,
    what: str,
    thunk: Callable[[], Any],
    fix: str = "it must work on the check data (a clean synthetic market unless data= was given)",
) -> Any:
    """Run a call into the component; an exception becomes a failure that names the call."""
    try:
        return thunk()
    except Exception as error:
        raise _failure(
            component, check, f"{what} raised {type(error).__name__}: {error}", fix
        ) from error


def _type_name(value: object) -> str:
    kind = type(value)
    return (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )


def _num(value: Any) -> str:
    """A number as Python prints it (numpy 2 scalars otherwise print as np.float64(...))."""
    try:
        return repr(float(value))
    except (TypeError, ValueError):
        return repr(value)


def _where(index: pd.Index, position: int) -> str:
    label = index[position]
    text = label.isoformat() if isinstance(label, pd.Timestamp) else str(label)
    return f"row {text} (position {position})"
