"""Every exposed TA-Lib function as an mlcore indicator, generated from the catalog.

Each function of :data:`mlcore_talib._catalog.FUNCTIONS` that is not excluded (see
:mod:`._metadata`) becomes a frozen attrs class named ``Talib<FUNCTION>`` (``TalibRSI``,
``TalibCDLDOJI``) in this module, so it imports, pickles and clones like a hand-written
one. Its attrs fields are TA-Lib's optional inputs, with TA-Lib's names and defaults;
``warmup`` is TA-Lib's lookback for those parameters, and parameters TA-Lib refuses
(lookback -1) are refused when the indicator is built.

``compute`` calls TA-Lib's function API on float64 copies of the input columns; every
output is returned as float64 (candlestick patterns give -100, 0 or 100, with -80/80 for
TA-Lib's partial engulfing and harami and -200/200 for confirmed hikkake; HT_TRENDMODE 0
or 1), NaN before ``warmup``. Importing this module imports TA-Lib.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any, ClassVar

import attrs
import numpy as np
import pandas as pd

from mlcore import DataValidationError
from mlcore.protocols import IndicatorBase, NanPolicy
from mlcore_talib._catalog import FUNCTIONS
from mlcore_talib._metadata import Parameter, TalibFunction, exclusion_reason

# TA-Lib ships no type information: its modules are used as Any.
talib: Any = importlib.import_module("talib")
abstract: Any = importlib.import_module("talib.abstract")

__all__ = ["WRAPPERS", "TalibIndicator", "wrapper_for"]


@attrs.frozen
class TalibIndicator(IndicatorBase):
    """Base of the generated wrappers: one TA-Lib function, described by ``function``.

    ``nan_policy`` is ``propagate``: TA-Lib carries a NaN input into its own row and, for
    windows and recursions, into later rows; an earlier row never changes. (TA-Lib skips
    NaN only at the start of the data, where its lookback begins after the last leading
    NaN.)
    """

    function: ClassVar[TalibFunction]
    nan_policy: ClassVar[NanPolicy] = "propagate"

    def __attrs_post_init__(self) -> None:
        if self.warmup < 0:
            raise ValueError(
                f"{type(self).__name__}: TA-Lib refuses {self.function.name} with "
                f"{_describe(self.get_params())} (out of range); see "
                f"talib.abstract.Function({self.function.name!r}).info"
            )

    @property
    def warmup(self) -> int:
        """TA-Lib's lookback: the rows before its first output."""
        return _lookback(self.function.name, tuple(self.get_params().items()))

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        """One float64 column per name in ``outputs``, on ``ohlcv``'s index.

        Rows before ``warmup`` are NaN, also for the integer outputs (patterns,
        HT_TRENDMODE, FRACTAL), which TA-Lib fills with 0 where it computed nothing.
        """
        arrays = _input_arrays(self, ohlcv)
        computed = getattr(talib, self.function.name)(*arrays, **self.get_params())
        columns = computed if isinstance(computed, tuple | list) else (computed,)
        values = np.column_stack([np.asarray(column, dtype=np.float64) for column in columns])
        values[: self.warmup] = np.nan
        return pd.DataFrame(values, index=ohlcv.index, columns=list(self.outputs))


@functools.lru_cache(maxsize=4096)
def _lookback(name: str, params: tuple[tuple[str, Any], ...]) -> int:
    return int(abstract.Function(name, **dict(params)).lookback)


def _describe(params: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in params.items()) or "no parameters"


def _input_arrays(indicator: TalibIndicator, ohlcv: pd.DataFrame) -> list[np.ndarray]:
    label = f"{type(indicator).__name__} (talib:{indicator.function.registered_name})"
    arrays = []
    for column in indicator.inputs:
        if column not in ohlcv.columns:
            raise DataValidationError(
                f"{label} needs the column {column!r}; the frame has {list(ohlcv.columns)}",
                rule="missing_column",
                column=column,
            )
        try:
            arrays.append(ohlcv[column].to_numpy(dtype=np.float64, copy=True))
        except (TypeError, ValueError) as error:
            raise DataValidationError(
                f"{label} needs numbers in column {column!r} ({error})",
                rule="not_numeric",
                column=column,
            ) from error
    return arrays


# ---------------------------------------------------------------------------
# Generating the wrappers from the catalog
# ---------------------------------------------------------------------------


def _check_param(kind: type) -> Any:
    def validate(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        where = f"{type(instance).__name__}.{attribute.name}"
        integer = isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)
        if kind is int and not integer:
            raise TypeError(f"{where} must be an int, got {value!r}")
        if kind is float and not (
            (integer or isinstance(value, float | np.floating)) and np.isfinite(value)
        ):
            raise TypeError(f"{where} must be a finite number, got {value!r}")

    return validate


def _int_to_float(value: Any) -> Any:
    """TA-Lib takes a float parameter only as a float: ``nbdevup=3`` becomes ``3.0``."""
    integer = isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)
    return float(value) if integer else value


def _field(parameter: Parameter) -> Any:
    kind = type(parameter.default)
    options: dict[str, Any] = {
        "default": parameter.default,
        "validator": _check_param(kind),
        "type": kind,
    }
    if kind is float:
        options["converter"] = _int_to_float
    return attrs.field(**options)


def _make_wrapper(function: TalibFunction) -> type[TalibIndicator]:
    fields = {p.name: _field(p) for p in function.parameters}
    outputs = ", ".join(function.outputs)
    parameters = "; ".join(f"``{p.name}``: {p.help}" for p in function.parameters)
    body = {
        "__doc__": (
            f"TA-Lib {function.name}: {function.display_name} ({function.group}).\n\n"
            f"Registered as ``talib:{function.registered_name}``. Inputs: "
            f"{', '.join(function.inputs)}. Outputs: {outputs}."
            + (f" Parameters: {parameters}." if parameters else "")
        ),
        "function": function,
        "name": f"talib_{function.registered_name}",
        "family": function.family,
        "input_columns": function.inputs,
        "output_suffixes": function.outputs if len(function.outputs) > 1 else ("",),
    }
    cls: type[TalibIndicator] = attrs.make_class(
        function.wrapper_name,
        fields,
        bases=(TalibIndicator,),
        class_body=body,
        frozen=True,
        slots=True,  # as attrs.frozen: its __getstate__ is what pickles the parameters
        order=False,
    )
    cls.__module__ = __name__
    return cls


#: Registered name (``rsi``, ``cdldoji``) -> its wrapper class, in the catalog's order.
WRAPPERS: dict[str, type[TalibIndicator]] = {}
for _function in FUNCTIONS:
    if exclusion_reason(_function) is None:
        WRAPPERS[_function.registered_name] = globals()[_function.wrapper_name] = _make_wrapper(
            _function
        )
        __all__ += [_function.wrapper_name]
del _function


def wrapper_for(name: str) -> type[TalibIndicator]:
    """The wrapper class registered as ``talib:<name>`` (``wrapper_for("rsi")``)."""
    try:
        return WRAPPERS[name.lower()]
    except KeyError:
        raise KeyError(f"no TA-Lib indicator {name!r}; known: {', '.join(WRAPPERS)}") from None
