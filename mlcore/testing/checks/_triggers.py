"""Checks for retrain triggers."""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd

from mlcore.protocols import (
    RetrainState,
    TriggerDecision,
)
from mlcore.testing.checks._copies import _round_trip
from mlcore.testing.checks._failures import (
    _DETERMINISM_FIX,
    _PICKLE_FIX,
    _call,
    _failure,
    _type_name,
)
from mlcore.testing.checks._kinds import _as_instance


def _trigger_states() -> list[RetrainState]:
    now = pd.Timestamp("2024-06-28 16:00", tz="UTC")
    return [
        RetrainState(now=now),
        RetrainState(
            now=now,
            last_trained_at=now - pd.Timedelta(days=90),
            bars_since_training=2_000,
            baseline_score=0.62,
            recent_score=0.41,
            drift_score=0.9,
        ),
        RetrainState(
            now=now,
            last_trained_at=now - pd.Timedelta(days=1),
            bars_since_training=1,
            baseline_score=0.6,
            recent_score=0.6,
            drift_score=0.01,
        ),
        RetrainState(
            now=now,
            last_trained_at=now - pd.Timedelta(days=7),
            bars_since_training=120,
            extra={"note": "no scores measured"},
        ),
    ]


def _decisions(component: object, trigger: Any, check: str, what: str = "") -> list[Any]:
    return [
        _call(component, check, f"{what}check({state!r})", functools.partial(trigger.check, state))
        for state in _trigger_states()
    ]


def check_trigger_decision(component: object, data: pd.DataFrame | None = None) -> None:
    """``check(state)`` returns a :class:`TriggerDecision` with a bool ``fire`` and a
    non-empty ``reason``, for several :class:`RetrainState` values."""
    check = "check_trigger_decision"
    trigger: Any = _as_instance(component)
    for state, decision in zip(_trigger_states(), _decisions(trigger, trigger, check), strict=True):
        if not isinstance(decision, TriggerDecision):
            raise _failure(
                trigger,
                check,
                f"check({state!r}) returned {decision!r}",
                "return mlcore.TriggerDecision(fire, reason)",
            )
        if not isinstance(decision.fire, bool):
            raise _failure(
                trigger,
                check,
                f"fire is {decision.fire!r} ({_type_name(decision.fire)}) for {state!r}",
                "fire is a Python bool: wrap comparisons in bool(...)",
            )
        if not isinstance(decision.reason, str) or not decision.reason.strip():
            raise _failure(
                trigger,
                check,
                f"reason is {decision.reason!r} for {state!r}",
                "say why in words a person reads in a log, e.g. 'drift 0.31 > 0.2'",
            )


def _trigger_determinism(trigger: Any, data: object) -> None:
    check = "check_determinism"
    first = _decisions(trigger, trigger, check)
    second = _decisions(trigger, trigger, check, "a second ")
    if first != second:
        raise _failure(
            trigger, check, f"two runs decide {first!r} and {second!r}", _DETERMINISM_FIX
        )


def _trigger_pickle(trigger: Any, data: object) -> None:
    check = "check_pickle"
    loaded = _round_trip(trigger, trigger, check)
    expected = _decisions(trigger, trigger, check)
    got = _decisions(trigger, loaded, check, "after a pickle round trip, ")
    if expected != got:
        raise _failure(
            trigger,
            check,
            f"after a pickle round trip it decides {got!r}, not {expected!r}",
            _PICKLE_FIX,
        )
