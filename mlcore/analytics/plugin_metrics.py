"""Metrics from plugins: which ones apply to a history, and how each is called.

Every metric in the host's registry whose ``needs`` is ``returns`` or ``trades`` scores
the history, except the kernel's own (they are the typed fields of
:class:`PerformanceMetrics`). A metric gets the conventions it names as keyword
parameters (all of them when it takes ``**kwargs``). One that raises or returns a
non-number is reported as a :class:`MlcorePluginWarning` and recorded in
``PerformanceMetrics.failures``; the other figures are unaffected.
"""

from __future__ import annotations

import inspect
import math
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import pandas as pd

from mlcore.errors import MlcorePluginWarning
from mlcore.registry import Component

if TYPE_CHECKING:
    from mlcore.analytics.conventions import Conventions
    from mlcore.host import PluginHost

__all__ = ["ANALYTICS_NEEDS", "evaluate", "registered_metrics"]

ANALYTICS_NEEDS: tuple[str, ...] = ("returns", "trades")
KERNEL_DISTRIBUTION = "mlcore"


def registered_metrics(host: PluginHost) -> dict[str, Any]:
    """The plugin metrics of ``host`` that score returns or trades, by name.

    A metric whose plain name is shadowed (registered with ``override=True`` over another)
    is listed under its qualified name ``"<plugin>:<name>"``.
    """
    found: dict[str, Any] = {}
    registry = host.metrics
    for component in registry.components():
        if component.distribution == KERNEL_DISTRIBUTION:
            continue
        try:
            owns_name = registry.get(component.name) is component
        except LookupError:
            owns_name = False
        key = component.name if owns_name else component.qualified_name
        found[key] = component
    return found


def evaluate(
    metrics: Mapping[str, Any],
    *,
    returns: pd.Series,
    benchmark: pd.Series | None,
    trades: pd.DataFrame | None,
    conventions: Conventions,
) -> tuple[dict[str, float], dict[str, str]]:
    """Score every metric that applies: ``(values, failures)`` by name.

    ``metrics`` maps names to metrics or to registry components (built on first use).
    """
    values: dict[str, float] = {}
    failures: dict[str, str] = {}
    offered = attrs.asdict(conventions)
    for name, entry in metrics.items():
        try:
            target = entry.load() if isinstance(entry, Component) else entry
            needs = getattr(target, "needs", "labels")
            if needs not in ANALYTICS_NEEDS or (needs == "trades" and trades is None):
                continue
            scorer = entry.create() if isinstance(entry, Component) else entry
        except Exception as error:  # a broken lazy factory degrades to a failure
            _fail(failures, name, entry, f"cannot be built: {type(error).__name__}: {error}")
            continue
        y_pred = returns if needs == "returns" else trades
        y_true = benchmark if needs == "returns" else None
        try:
            value = scorer(y_true, y_pred, **_accepted(scorer, offered))
        except Exception as error:  # one plugin's bug must not hide the other figures
            _fail(failures, name, entry, f"raised {type(error).__name__}: {error}")
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            _fail(failures, name, entry, f"returned {value!r}, not a number")
            continue
        values[name] = float(value)
    return values, failures


def _accepted(scorer: Any, offered: dict[str, Any]) -> dict[str, Any]:
    parameters = _signature(getattr(scorer, "function", scorer))
    if parameters is None:
        return {}
    if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return dict(offered)
    return {key: value for key, value in offered.items() if key in parameters}


def _signature(target: Callable[..., Any]) -> Mapping[str, inspect.Parameter] | None:
    try:
        return inspect.signature(target).parameters
    except (TypeError, ValueError):
        return None


def _fail(failures: dict[str, str], name: str, entry: Any, reason: str) -> None:
    distribution = getattr(entry, "distribution", None)
    origin = f" from distribution '{distribution}'" if distribution else ""
    failures[name] = reason
    warnings.warn(
        f"metric {name!r}{origin} {reason}; it is left out of the performance metrics",
        MlcorePluginWarning,
        stacklevel=3,
    )
