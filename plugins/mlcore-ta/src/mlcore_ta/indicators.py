"""Every ``ta`` indicator class as an mlcore indicator, generated from :mod:`._table`.

Each row of :data:`mlcore_ta._table.TA_INDICATORS` becomes a frozen attrs class named
``Ta<ta class>`` (``TaRSIIndicator``, ``TaBollingerBands``) that lives in this module, so
it imports, pickles and clones like a hand-written one. Its attrs fields are the ``ta``
constructor's parameters (same names, same defaults); ``family`` is the ``ta`` module.

``compute`` hands ``ta`` a copy of the input columns on a ``RangeIndex`` and puts the
input's index back: ``ta`` 0.11 mixes label and position indexing (``PSARIndicator``
writes ``series[i]``), which with pandas 3 on a ``DatetimeIndex`` appends rows instead of
assigning, giving wrong values in quadratic time. Rows before ``warmup`` are NaN.

``ta`` itself is imported the first time an indicator computes.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
import pandas as pd

from mlcore import DataValidationError
from mlcore.protocols import IndicatorBase, NanPolicy
from mlcore_ta._table import FIXED_ARGUMENTS, REQUIRED, TA_INDICATORS, Param, ParamKind, TaSpec

__all__ = ["WRAPPERS", "TaIndicator", "wrapper_for"]


@attrs.frozen
class TaIndicator(IndicatorBase):
    """Base of the generated wrappers: one ``ta`` class, described by ``spec``.

    ``nan_policy`` comes from the table: ``ignore`` for the indicators that skip a missing
    input by construction (exponential smoothing, cumulative sums, true range, PSAR),
    ``propagate`` for the others, where a NaN blanks a rolling window or every later row
    of a recursion. A NaN never changes an earlier row.
    """

    spec: ClassVar[TaSpec]
    nan_policy: ClassVar[NanPolicy] = "propagate"

    @property
    def warmup(self) -> int:
        return int(self.spec.warmup(self.get_params()))

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        """One float64 column per name in ``outputs``, on ``ohlcv``'s index."""
        arrays = _input_arrays(self, ohlcv)
        rows, warmup = len(ohlcv), self.warmup
        values = np.full((rows, len(self.spec.outputs)), np.nan)
        if rows > warmup:  # otherwise every row is warm-up (and ta may fail on so few rows)
            index = pd.RangeIndex(rows)
            series = {name: pd.Series(array, index=index) for name, array in arrays.items()}
            ta_class = _ta_class(self.spec.ta_class)
            with np.errstate(all="ignore"):
                computed = ta_class(
                    **series, **self.get_params(), **self.spec.fixed, **FIXED_ARGUMENTS
                )
                for column, (_, method) in enumerate(self.spec.outputs):
                    result = np.asarray(getattr(computed, method)(), dtype=np.float64)
                    if result.shape != (rows,):
                        raise RuntimeError(
                            f"ta {self.spec.class_name}.{method}() returned shape "
                            f"{result.shape} for {rows} rows"
                        )
                    values[:, column] = result
            values[:warmup] = np.nan
        return pd.DataFrame(values, index=ohlcv.index, columns=list(self.outputs))


def _input_arrays(indicator: TaIndicator, ohlcv: pd.DataFrame) -> dict[str, np.ndarray]:
    label = f"{type(indicator).__name__} (ta:{indicator.spec.name})"
    arrays = {}
    for column in indicator.inputs:
        if column not in ohlcv.columns:
            raise DataValidationError(
                f"{label} needs the column {column!r}; the frame has {list(ohlcv.columns)}",
                rule="missing_column",
                column=column,
            )
        try:
            arrays[column] = ohlcv[column].to_numpy(dtype=np.float64, copy=True)
        except (TypeError, ValueError) as error:
            raise DataValidationError(
                f"{label} needs numbers in column {column!r} ({error})",
                rule="not_numeric",
                column=column,
            ) from error
    return arrays


@functools.cache
def _ta_class(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


# ---------------------------------------------------------------------------
# Generating the wrappers from the table
# ---------------------------------------------------------------------------

_TYPES: Mapping[ParamKind, Any] = {
    "window": int,
    "lag": int,
    "number": float,
    "flag": bool,
    "optional_window": int | None,
}


def _check_param(kind: ParamKind) -> Any:
    """A validator naming the field: TypeError for a wrong type, ValueError out of range."""

    def validate(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        where = f"{type(instance).__name__}.{attribute.name}"
        integer = isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)
        if kind == "flag":
            if not isinstance(value, bool | np.bool_):
                raise TypeError(f"{where} must be a bool, got {value!r}")
        elif kind == "number":
            if not (integer or isinstance(value, float | np.floating)):
                raise TypeError(f"{where} must be a number, got {value!r}")
            if not np.isfinite(value) or value <= 0:
                raise ValueError(f"{where} must be a finite number > 0, got {value!r}")
        elif kind == "optional_window" and value is None:
            return
        else:
            bound = 0 if kind == "lag" else 1
            if not integer:
                raise TypeError(f"{where} must be an int >= {bound}, got {value!r}")
            if value < bound:
                raise ValueError(f"{where} must be an int >= {bound}, got {value!r}")

    return validate


def _field(param: Param) -> Any:
    options: dict[str, Any] = {"validator": _check_param(param.kind), "type": _TYPES[param.kind]}
    if param.default is not REQUIRED:
        options["default"] = param.default
    return attrs.field(**options)


def _make_wrapper(spec: TaSpec) -> type[TaIndicator]:
    fields = {param.name: _field(param) for param in spec.params}
    outputs = ", ".join(f"``{suffix or '(main)'}`` ({method})" for suffix, method in spec.outputs)
    body = {
        "__doc__": (
            f"{spec.description}\n\nWraps ``{spec.module}.{spec.class_name}``; registered as "
            f"``ta:{spec.name}``. Outputs: {outputs}."
        ),
        "spec": spec,
        "name": f"ta_{spec.name}",
        "family": spec.family,
        "nan_policy": spec.nan_policy,
        "input_columns": spec.inputs,
        "output_suffixes": tuple(suffix for suffix, _ in spec.outputs),
        "default_parameters": spec.default_parameters,
    }
    cls: type[TaIndicator] = attrs.make_class(
        spec.wrapper_name,
        fields,
        bases=(TaIndicator,),
        class_body=body,
        frozen=True,
        slots=True,  # as attrs.frozen: its __getstate__ is what pickles the parameters
        order=False,
    )
    cls.__module__ = __name__
    return cls


#: Registered name (``rsi``) -> its wrapper class, in the table's order.
WRAPPERS: dict[str, type[TaIndicator]] = {}
for _spec in TA_INDICATORS:
    WRAPPERS[_spec.name] = globals()[_spec.wrapper_name] = _make_wrapper(_spec)
    __all__ += [_spec.wrapper_name]
del _spec


def wrapper_for(name: str) -> type[TaIndicator]:
    """The wrapper class registered as ``ta:<name>`` (``wrapper_for("rsi")``)."""
    try:
        return WRAPPERS[name]
    except KeyError:
        raise KeyError(f"no ta indicator {name!r}; known: {', '.join(WRAPPERS)}") from None
