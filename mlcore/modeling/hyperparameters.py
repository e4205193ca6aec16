"""attrs validators for model hyperparameters; every error names the class and the field.

::

    @attrs.define(slots=False, repr=False)
    class MyModel(ModelBase):
        n_estimators: int = attrs.field(default=200, validator=number(int, low=1))
        learning_rate: float = attrs.field(
            default=0.1, validator=number(float, low=0, low_open=True)
        )
        params: dict[str, Any] = attrs.field(
            factory=dict, converter=copy_mapping, validator=extra_params(reserved)
        )

        __repr__ = repr_changed_params  # MyModel(n_estimators=50): the non-defaults only

A wrong type raises ``TypeError``, a value out of bounds ``ValueError``, both worded
``MyModel.learning_rate must be a number > 0, got 0``.
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import numpy as np

__all__ = ["Validator", "copy_mapping", "extra_params", "number", "repr_changed_params"]

#: An attrs validator: ``validate(instance, attribute, value)`` raises or returns None.
Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def _bounds(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        return f" in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    if low is not None:
        return f" {'>' if low_open else '>='} {low}"
    if high is not None:
        return f" {'<' if high_open else '<='} {high}"
    return ""


def number(
    kind: type[int] | type[float],
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    optional: bool = False,
) -> Validator:
    """A validator: an int (or, for ``float``, any real number) within the bounds.

    ``low``/``high`` are inclusive unless ``low_open``/``high_open``; bools and NaN are
    refused; None is accepted too when ``optional``.
    """
    allowed = numbers.Integral if kind is int else numbers.Real
    noun = "an int" if kind is int else "a number"
    bounds = _bounds(low, high, low_open, high_open)
    if optional:
        bounds += " or None"

    def validate(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None and optional:
            return
        where = f"{type(instance).__name__}.{attribute.name}"
        if isinstance(value, bool) or not isinstance(value, allowed):
            raise TypeError(f"{where} must be {noun}{bounds}, got {value!r}")
        number = float(value)
        too_low = low is not None and (number <= low if low_open else number < low)
        too_high = high is not None and (number >= high if high_open else number > high)
        if too_low or too_high or number != number:  # number != number: NaN
            raise ValueError(f"{where} must be {noun}{bounds}, got {value!r}")

    return validate


def _json_value(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def copy_mapping(value: Any) -> Any:
    """A mapping becomes a new dict (a clone never shares it); anything else is left to
    the validator."""
    return dict(value) if isinstance(value, Mapping) else value


def extra_params(reserved: Callable[[Any], Mapping[str, str]]) -> Validator:
    """A validator for a dict of extra native library parameters (``params={...}``).

    Keys are str, values are JSON values (they are saved with the model), and no key is
    one of ``reserved(instance)``: a mapping from a native parameter name (and its
    aliases) that the model sets itself to what to use instead, such as ``{"eta": "set it
    with the learning_rate parameter"}``; the ``ValueError`` quotes it.
    """

    def validate(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        where = f"{type(instance).__name__}.{attribute.name}"
        if not isinstance(value, dict):
            raise TypeError(f"{where} must be a dict of extra native parameters, got {value!r}")
        taken = reserved(instance)
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where} keys must be str, got {key!r}")
            if key in taken:
                raise ValueError(f"{where}[{key!r}]: {taken[key]}")
            try:
                json.dumps(item, default=_json_value)
            except (TypeError, ValueError) as error:
                raise TypeError(
                    f"{where}[{key!r}] = {item!r} is not a JSON value ({error}): parameters "
                    "are saved with the model as JSON"
                ) from error

    return validate


def repr_changed_params(instance: Any) -> str:
    """``Name(a=1, b=2)`` with only the attrs fields whose value differs from the default.

    Meant as a model's ``__repr__`` (with ``repr=False`` on the attrs class): models have
    many hyperparameters, and the conformance suite's test ids read better this way.
    """
    changed = []
    for field in attrs.fields(type(instance)):
        default = field.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = default.factory()
        value = getattr(instance, field.name)
        if value != default:
            changed.append(f"{field.name}={value!r}")
    return f"{type(instance).__name__}({', '.join(changed)})"
