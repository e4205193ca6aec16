"""Checks for metrics."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from mlcore.testing.checks._copies import _round_trip
from mlcore.testing.checks._data import _returns, _trades
from mlcore.testing.checks._defaults import METRIC_NEEDS
from mlcore.testing.checks._failures import (
    _DETERMINISM_FIX,
    _PICKLE_FIX,
    _call,
    _failure,
    _num,
    _type_name,
)
from mlcore.testing.checks._kinds import _as_instance, component_id


def _metric_inputs(metric: Any, data: object) -> tuple[Any, Any]:
    """Inputs suited to ``needs``: labels (0/1), per-class probabilities, a return series
    or a trade history."""
    rng = np.random.default_rng(11)
    if metric.needs == "returns":
        return None, _returns(data)
    if metric.needs == "trades":
        return None, _trades(data)
    y_true = rng.permutation(np.repeat([0, 1], 100))
    if metric.needs == "proba":
        p = rng.uniform(0.05, 0.95, len(y_true))
        return y_true, np.column_stack([1 - p, p])
    return y_true, rng.integers(0, 2, len(y_true))


def _score(
    component: object, metric: Any, y_true: Any, y_pred: Any, check: str, what: str
) -> float:
    value = _call(component, check, what, lambda: metric(y_true, y_pred))
    if isinstance(value, bool) or not isinstance(value, float):
        raise _failure(
            component,
            check,
            f"{what} returned {value!r} ({_type_name(value)}), not a float",
            "return float(...)",
        )
    return value


def check_metric_attributes(component: object, data: pd.DataFrame | None = None) -> None:
    """``name`` is a non-empty str, ``greater_is_better`` a bool, ``needs`` one of
    ``labels``, ``proba``, ``returns``, ``trades``."""
    check = "check_metric_attributes"
    metric: Any = _as_instance(component)
    if not isinstance(metric.name, str) or not metric.name.strip():
        raise _failure(
            metric, check, f"name is {metric.name!r}", "give the metric a non-empty name"
        )
    if not isinstance(metric.greater_is_better, bool):
        raise _failure(
            metric,
            check,
            f"greater_is_better is {metric.greater_is_better!r}",
            "set greater_is_better to True or False",
        )
    if metric.needs not in METRIC_NEEDS:
        raise _failure(
            metric, check, f"needs is {metric.needs!r}", f"use one of {', '.join(METRIC_NEEDS)}"
        )


def check_metric_value(component: object, data: pd.DataFrame | None = None) -> None:
    """On simple inputs suited to ``needs`` (200 labels 0/1; per-class probabilities of
    shape (200, 2); a return series or a trade history with ``y_true=None``) the metric
    returns a finite float."""
    check = "check_metric_value"
    metric: Any = _as_instance(component)
    y_true, y_pred = _metric_inputs(metric, data)
    value = _score(
        metric, metric, y_true, y_pred, check, f"metric(y_true, y_pred) with needs={metric.needs!r}"
    )
    if not math.isfinite(value):
        raise _failure(
            metric,
            check,
            f"metric(y_true, y_pred) with needs={metric.needs!r} returned {_num(value)}",
            "return a finite number on ordinary input; guard divisions by zero",
        )


def _metric_determinism(metric: Any, data: object) -> None:
    check = "check_determinism"
    y_true, y_pred = _metric_inputs(metric, data)
    first = _score(metric, metric, y_true, y_pred, check, "metric(y_true, y_pred)")
    second = _score(metric, metric, y_true, y_pred, check, "a second metric(y_true, y_pred)")
    if not (first == second or (math.isnan(first) and math.isnan(second))):
        raise _failure(
            metric, check, f"two calls give {_num(first)} and {_num(second)}", _DETERMINISM_FIX
        )


def check_metric_perfect_beats_random(component: object, data: pd.DataFrame | None = None) -> None:
    """For ``labels`` and ``proba`` metrics, perfect predictions score at least as well as
    random ones, in the direction ``greater_is_better`` gives."""
    check = "check_metric_perfect_beats_random"
    metric: Any = _as_instance(component)
    if metric.needs not in ("labels", "proba"):
        raise TypeError(
            f"{check} applies to metrics with needs 'labels' or 'proba'; "
            f"{component_id(metric)} needs {metric.needs!r}"
        )
    y_true, random = _metric_inputs(metric, data)
    if metric.needs == "labels":
        perfect: np.ndarray = np.array(y_true, copy=True)
    else:
        p = np.where(y_true == 1, 0.999, 0.001)
        perfect = np.column_stack([1 - p, p])
    best = _score(metric, metric, y_true, perfect, check, "metric on perfect predictions")
    chance = _score(metric, metric, y_true, random, check, "metric on random predictions")
    better = best >= chance if metric.greater_is_better else best <= chance
    if not (math.isfinite(best) and better):
        direction = "higher" if metric.greater_is_better else "lower"
        raise _failure(
            metric,
            check,
            f"perfect predictions score {_num(best)}, random ones {_num(chance)}, although "
            f"greater_is_better={metric.greater_is_better} says {direction} is better",
            "check the sign of the score and the value of greater_is_better",
        )


def _metric_pickle(metric: Any, data: object) -> None:
    check = "check_pickle"
    y_true, y_pred = _metric_inputs(metric, data)
    expected = _score(metric, metric, y_true, y_pred, check, "metric(y_true, y_pred)")
    loaded = _round_trip(metric, metric, check)
    got = _score(metric, loaded, y_true, y_pred, check, "metric after a pickle round trip")
    if not (got == expected or (math.isnan(got) and math.isnan(expected))):
        raise _failure(
            metric,
            check,
            f"after a pickle round trip it scores {_num(got)}, not {_num(expected)}",
            _PICKLE_FIX,
        )
