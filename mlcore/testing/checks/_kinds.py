"""Component kinds: detecting them, building instances and ids, dispatching by kind."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from mlcore.protocols import (
    DataSource,
    Indicator,
    Metric,
    MetricFunction,
    Model,
    RegimeDetector,
    RetrainTrigger,
    SentimentAdapter,
)
from mlcore.registry import Component

#: (registry kind, protocol, the members the protocol asks for), in detection order.
KINDS: Final[tuple[tuple[str, type, tuple[str, ...]], ...]] = (
    ("indicators", Indicator, ("family", "nan_policy", "inputs", "outputs", "warmup", "compute")),
    ("regime_detectors", RegimeDetector, ("n_regimes", "fit", "predict", "predict_proba")),
    ("models", Model, ("fit", "predict", "predict_proba", "save", "load")),
    ("retrain_triggers", RetrainTrigger, ("check",)),
    ("metrics", Metric, ("name", "greater_is_better", "needs", "__call__")),
    ("data_sources", DataSource, ("load",)),
    ("sentiment_adapters", SentimentAdapter, ("capabilities", "fetch", "score")),
)


def check_kind(component: object) -> str:
    """The registry kind of ``component``: ``"indicators"``, ``"models"`` ...

    The kind is detected structurally, with the runtime-checkable protocols of
    :mod:`mlcore.protocols` tried in this order: Indicator (streaming or not),
    RegimeDetector, Model, RetrainTrigger, Metric, DataSource, SentimentAdapter.
    ``component`` is an instance, a registry :class:`~mlcore.registry.Component`, or a
    class or factory that needs no arguments.

    Raises
    ------
    TypeError
        ``component`` matches no kind; the message lists, per kind, the missing members.
    """
    instance = _as_instance(component)
    kind = _detect(instance)
    if kind is None:
        raise TypeError(_no_kind_message(instance))
    return kind


def component_id(component: object) -> str:
    """A short readable id: the attrs repr (``RSI(period=14)``), a metric's name, or the class."""
    if isinstance(component, MetricFunction):
        return component.name
    text = " ".join(repr(component).split())
    if text.startswith("<") or len(text) > 80:
        return type(component).__name__
    return text


def _detect(instance: object) -> str | None:
    for kind, protocol, _members in KINDS:
        try:
            if isinstance(instance, protocol):
                return kind
        except Exception:  # a property that raises makes the protocol unmet
            continue
    return None


def _missing_members(instance: object, members: Sequence[str]) -> list[str]:
    missing = []
    for member in members:
        try:
            present = hasattr(instance, member)
        except Exception as error:  # a property raising something else than AttributeError
            missing.append(f"{member} (raised {type(error).__name__})")
            continue
        if not present:
            missing.append(member)
    return missing


def _no_kind_message(instance: object) -> str:
    gaps = sorted(
        ((kind, _missing_members(instance, members)) for kind, _p, members in KINDS),
        key=lambda item: len(item[1]),
    )
    listing = "; ".join(f"{kind} lacks {', '.join(missing)}" for kind, missing in gaps)
    return (
        f"{component_id(instance)} ({type(instance).__module__}.{type(instance).__qualname__}) "
        f"is not an mlcore component: it matches no kind ({listing}). Implement the members "
        "of one protocol in mlcore.protocols, e.g. inherit mlcore.IndicatorBase or "
        "mlcore.ModelBase"
    )


def _as_instance(component: object) -> object:
    """An instance from an instance, a registry entry, or a factory needing no arguments."""
    if isinstance(component, Component):
        try:
            factory = component.load()
            # a registered object may be the component itself (metrics are registered so)
            if not isinstance(factory, type) and _detect(factory) is not None:
                return factory
            return factory()
        except Exception as error:
            raise TypeError(
                f"registered {component.kind[:-1]} {component.qualified_name!r} cannot be "
                f"built without arguments ({type(error).__name__}: {error}); pass an "
                "instance with its parameters instead"
            ) from error
    if isinstance(component, type):
        try:
            return component()
        except Exception as error:
            raise TypeError(
                f"{component.__qualname__} cannot be built without arguments "
                f"({type(error).__name__}: {error}); pass an instance instead"
            ) from error
    if _detect(component) is None and _is_argless_factory(component):
        return component()  # type: ignore[operator]
    return component


def _is_argless_factory(candidate: object) -> bool:
    if not (inspect.isfunction(candidate) or isinstance(candidate, functools.partial)):
        return False
    try:
        signature = inspect.signature(candidate)
    except (TypeError, ValueError):
        return False
    return all(
        p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        for p in signature.parameters.values()
    )


def _kind_of(instance: object, check: str, kinds: Sequence[str]) -> str:
    kind = check_kind(instance)
    if kind not in kinds:
        raise TypeError(
            f"{check} applies to {' and '.join(kinds)}; "
            f"{component_id(instance)} is one of the {kind}"
        )
    return kind


def _dispatch(
    check: str, instance: object, table: Mapping[str, Callable[[Any, object], None]]
) -> Callable[[Any, object], None]:
    return table[_kind_of(instance, check, tuple(table))]
