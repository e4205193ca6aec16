"""Checks for indicators."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from mlcore.errors import MlcoreError
from mlcore.protocols import (
    StreamingIndicator,
)
from mlcore.testing.checks._comparison import _first_mismatch, _params_difference
from mlcore.testing.checks._copies import _fresh, _round_trip, _strict_clones
from mlcore.testing.checks._data import _ohlcv
from mlcore.testing.checks._defaults import NAN_POLICIES, OHLCV_COLUMNS, PRICE_COLUMNS
from mlcore.testing.checks._failures import (
    _DETERMINISM_FIX,
    _LOOKAHEAD_FIX,
    _call,
    _failure,
    _num,
    _where,
)
from mlcore.testing.checks._kinds import _as_instance, check_kind, component_id


def _compute(indicator: Any, frame: pd.DataFrame, check: str, what: str = "") -> pd.DataFrame:
    label = what or f"compute() on {len(frame)} rows"
    result = _call(indicator, check, label, lambda: indicator.compute(frame))
    if not isinstance(result, pd.DataFrame):
        raise _failure(
            indicator,
            check,
            f"{label} returned {type(result).__name__}, not a DataFrame",
            "return pd.DataFrame({name: values, ...}, index=ohlcv.index)",
        )
    return result


def _values(indicator: Any, result: pd.DataFrame, check: str, rows: int) -> np.ndarray:
    outputs = tuple(indicator.outputs)
    if list(result.columns) != list(outputs) or len(result) != rows:
        raise _failure(
            indicator,
            check,
            f"compute() returned shape {result.shape} with columns {list(result.columns)}, "
            f"expected ({rows}, {len(outputs)}) with columns {list(outputs)}",
            "return one row per input row and one column per name in outputs, in order",
        )
    try:
        return result.to_numpy(dtype=float)
    except (TypeError, ValueError) as error:
        raise _failure(
            indicator, check, f"compute() returned non-numeric values ({error})", "return floats"
        ) from error


def _compute_values(indicator: Any, frame: pd.DataFrame, check: str, what: str = "") -> np.ndarray:
    return _values(indicator, _compute(indicator, frame, check, what), check, len(frame))


def _warmup(indicator: Any, check: str, rows: int) -> int:
    warmup = indicator.warmup
    if isinstance(warmup, bool) or not isinstance(warmup, int | np.integer) or warmup < 0:
        raise _failure(
            indicator,
            check,
            f"warmup is {warmup!r}",
            "warmup is an int >= 0 (rows before the first value)",
        )
    if warmup > rows - 3:
        raise _failure(
            indicator,
            check,
            f"warmup {warmup} leaves fewer than 3 of the {rows} check rows",
            "pass longer data= to the checks",
        )
    return int(warmup)


def _cut_points(first: int, rows: int) -> list[int]:
    last = rows - 2
    spread = np.linspace(first, last, 6).round().astype(int).tolist()
    return sorted(p for p in {first, first + 1, first + 3, *spread} if first <= p <= last)


def _perturb_after(frame: pd.DataFrame, t: int, rng: np.random.Generator) -> pd.DataFrame:
    """Rows after ``t`` multiplied by random positive factors (one per row for OHLC)."""
    out = frame.copy(deep=True)
    later = len(frame) - t - 1
    price_factor = rng.uniform(0.5, 1.5, later)
    for column in out.columns:
        series = out[column]
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        factor = price_factor if column in PRICE_COLUMNS else rng.uniform(0.5, 1.5, later)
        values = series.to_numpy(dtype=float, copy=True)
        values[t + 1 :] *= factor
        out[column] = values
    return out


def check_indicator_attributes(component: object, data: pd.DataFrame | None = None) -> None:
    """``family`` is a non-empty str; ``inputs`` are OHLCV columns or columns of ``data``;
    ``outputs`` are unique non-empty strs; ``warmup`` is an int >= 0; ``nan_policy`` is
    one of ``propagate``, ``ignore``, ``raise``."""
    check = "check_indicator_attributes"
    indicator: Any = _as_instance(component)
    frame = _ohlcv(data)
    family = getattr(indicator, "family", None)
    if not isinstance(family, str) or not family.strip():
        raise _failure(
            indicator,
            check,
            f"family is {family!r}",
            "set the class attribute family to a "
            "non-empty string such as 'momentum', 'trend' or 'volatility'",
        )
    inputs = _call(indicator, check, "reading inputs", lambda: indicator.inputs)
    if (
        isinstance(inputs, str)
        or not isinstance(inputs, Sequence)
        or not inputs
        or not all(isinstance(c, str) for c in inputs)
    ):
        raise _failure(
            indicator,
            check,
            f"inputs is {inputs!r}",
            "inputs is a non-empty tuple of column names, e.g. ('close',)",
        )
    unknown = [c for c in inputs if c not in OHLCV_COLUMNS and c not in frame.columns]
    if unknown:
        raise _failure(
            indicator,
            check,
            f"inputs {unknown} are neither OHLCV columns nor columns of the check data",
            "use columns among open, high, low, close, volume, or pass data= holding the "
            "extra columns",
        )
    if len(set(inputs)) != len(inputs):
        raise _failure(indicator, check, f"inputs {list(inputs)} repeat a column", "list each once")
    outputs = _call(indicator, check, "reading outputs", lambda: indicator.outputs)
    if (
        isinstance(outputs, str)
        or not isinstance(outputs, Sequence)
        or not outputs
        or not all(isinstance(c, str) and c for c in outputs)
        or len(set(outputs)) != len(outputs)
    ):
        raise _failure(
            indicator,
            check,
            f"outputs is {outputs!r}",
            "outputs is a non-empty tuple of unique column names such as ('rsi_14',)",
        )
    warmup = _call(indicator, check, "reading warmup", lambda: indicator.warmup)
    if isinstance(warmup, bool) or not isinstance(warmup, int | np.integer) or warmup < 0:
        raise _failure(
            indicator,
            check,
            f"warmup is {warmup!r}",
            "warmup is an int >= 0: the rows before the first valid value",
        )
    policy = getattr(indicator, "nan_policy", None)
    if policy not in NAN_POLICIES:
        raise _failure(
            indicator,
            check,
            f"nan_policy is {policy!r}",
            f"set the class attribute nan_policy to one of {', '.join(NAN_POLICIES)}",
        )


def check_compute_arrays_agrees(component: object, data: pd.DataFrame | None = None) -> None:
    """``compute_arrays`` (the DataFrame-free fast path) returns exactly ``compute``'s values."""
    check = "check_compute_arrays_agrees"
    indicator: Any = _as_instance(component)
    frame = _ohlcv(data)
    expected = _compute(indicator, frame, check).to_numpy(dtype=np.float64)
    arrays = {str(c): frame[c].to_numpy(dtype=np.float64) for c in frame.columns}
    for array in arrays.values():
        array.flags.writeable = False  # the fast path must not write to its inputs
    result = _call(indicator, check, "compute_arrays()", lambda: indicator.compute_arrays(arrays))
    got = [np.asarray(a, dtype=np.float64) for a in result]
    if len(got) != expected.shape[1] or any(a.shape != (len(frame),) for a in got):
        raise _failure(
            indicator,
            check,
            f"compute_arrays() returned {len(got)} array(s) of shapes "
            f"{[a.shape for a in got]}, expected {expected.shape[1]} of ({len(frame)},)",
            "return one array per output, each as long as the input",
        )
    actual = np.column_stack(got)
    if not np.array_equal(actual, expected, equal_nan=True):
        row, column = np.argwhere(
            ~((actual == expected) | (np.isnan(actual) & np.isnan(expected)))
        )[0]
        raise _failure(
            indicator,
            check,
            f"compute_arrays() gives {actual[row, column]!r} for {indicator.outputs[column]} at "
            f"row {row}, compute() gives {expected[row, column]!r}",
            "compute the DataFrame from compute_arrays' arrays, so both paths share one code",
        )


def check_compute_output(component: object, data: pd.DataFrame | None = None) -> None:
    """``compute`` returns a float DataFrame on the input's index with columns == ``outputs``
    (in order), finite from row ``warmup`` on for a clean market."""
    check = "check_compute_output"
    indicator: Any = _as_instance(component)
    frame = _ohlcv(data)
    result = _compute(indicator, frame, check)
    if not result.index.equals(frame.index):
        raise _failure(
            indicator,
            check,
            f"the result's index ({len(result)} rows, {result.index.dtype}) differs from the "
            f"input's ({len(frame)} rows, {frame.index.dtype})",
            "return pd.DataFrame(..., index=ohlcv.index): one row per input row, same labels",
        )
    outputs = list(indicator.outputs)
    if list(result.columns) != outputs:
        raise _failure(
            indicator,
            check,
            f"columns are {list(result.columns)}, outputs declares {outputs}",
            "return exactly the columns named in outputs, in that order",
        )
    not_float = {
        str(name): str(dtype)
        for name, dtype in result.dtypes.items()
        if not (isinstance(dtype, np.dtype) and dtype.kind == "f")
    }
    if not_float:
        raise _failure(
            indicator,
            check,
            f"columns {not_float} are not of a float dtype",
            "cast the result with .astype('float64')",
        )
    warmup = _warmup(indicator, check, len(frame))
    values = result.to_numpy(dtype=float)
    bad = ~np.isfinite(values[warmup:])
    if bad.any():
        row, column = (int(v) for v in np.argwhere(bad)[0])
        raise _failure(
            indicator,
            check,
            f"{_where(frame.index, warmup + row)}, column {outputs[column]!r} is "
            f"{_num(values[warmup + row, column])} although it is at or after warmup={warmup}",
            "declare a warmup covering every row before the first valid value, or fix the "
            "computation (division by zero, log of a non-positive number)",
        )


def _indicator_determinism(indicator: Any, data: object) -> None:
    check = "check_determinism"
    frame = _ohlcv(data)
    first = _compute_values(indicator, frame, check)
    for what, again in (
        ("a second compute() on the same frame", frame),
        ("compute() on a copy of the frame", frame.copy(deep=True)),
    ):
        second = _compute_values(indicator, again, check, what)
        mismatch = _first_mismatch(first, second, rtol=0, atol=0)
        if mismatch is not None:
            row, column = mismatch
            raise _failure(
                indicator,
                check,
                f"{what} differs at {_where(frame.index, row)}, column "
                f"{indicator.outputs[column]!r}: {_num(second[row, column])} vs "
                f"{_num(first[row, column])}",
                _DETERMINISM_FIX,
            )


def check_input_not_mutated(component: object, data: pd.DataFrame | None = None) -> None:
    """``compute`` leaves the frame it was given exactly as it was."""
    check = "check_input_not_mutated"
    indicator: Any = _as_instance(component)
    frame = _ohlcv(data)
    before = frame.copy(deep=True)
    _compute(indicator, frame, check)
    try:
        pd.testing.assert_frame_equal(frame, before, check_exact=True)
    except AssertionError as error:
        detail = " ".join(str(error).split())
        raise _failure(
            indicator,
            check,
            f"compute() changed the frame it was given ({detail[:300]})",
            "never assign into the input (ohlcv[col] = ..., .loc[...] = ..., inplace=True); "
            "build new Series or work on ohlcv.copy()",
        ) from None


def _indicator_no_lookahead(indicator: Any, data: object) -> None:
    check = "check_no_lookahead"
    frame = _ohlcv(data)
    rows = len(frame)
    warmup = _warmup(indicator, check, rows)
    outputs = tuple(indicator.outputs)
    full = _compute_values(indicator, frame, check)
    cuts = _cut_points(warmup, rows)
    for t in cuts:
        part = _compute_values(
            indicator,
            frame.iloc[: t + 1],
            check,
            f"compute() on the first {t + 1} rows",
        )
        mismatch = _first_mismatch(full[warmup : t + 1], part[warmup:])
        if mismatch is not None:
            row, column = mismatch[0] + warmup, mismatch[1]
            raise _failure(
                indicator,
                check,
                f"{_where(frame.index, row)}, column {outputs[column]!r} is "
                f"{_num(full[row, column])} on the full data but {_num(part[row, column])} "
                f"when the data ends at position {t}: it uses later bars",
                _LOOKAHEAD_FIX,
            )
    rng = np.random.default_rng(20_240_607)
    for t in cuts:
        perturbed = _compute_values(
            indicator,
            _perturb_after(frame, t, rng),
            check,
            f"compute() on data perturbed after position {t}",
        )
        mismatch = _first_mismatch(full[warmup : t + 1], perturbed[warmup : t + 1])
        if mismatch is not None:
            row, column = mismatch[0] + warmup, mismatch[1]
            raise _failure(
                indicator,
                check,
                f"{_where(frame.index, row)}, column {outputs[column]!r} changed from "
                f"{_num(full[row, column])} to {_num(perturbed[row, column])} when only the rows "
                f"after position {t} were changed: it uses later bars",
                _LOOKAHEAD_FIX,
            )


def _with_nan(frame: pd.DataFrame, row: int, column: str) -> pd.DataFrame:
    dirty = frame.copy(deep=True)
    values = dirty[column].to_numpy(dtype=float, copy=True)
    values[row] = np.nan
    dirty[column] = values
    return dirty


def _indicator_nan_handling(indicator: Any, data: object) -> None:
    check = "check_nan_handling"
    frame = _ohlcv(data)
    rows = len(frame)
    warmup = _warmup(indicator, check, rows)
    policy = getattr(indicator, "nan_policy", None)
    if policy not in NAN_POLICIES:
        raise _failure(
            indicator,
            check,
            f"nan_policy is {policy!r}",
            f"declare one of {', '.join(NAN_POLICIES)}",
        )
    outputs = tuple(indicator.outputs)
    nan_row = warmup + (rows - warmup) // 2
    where = _where(frame.index, nan_row)
    clean = _compute_values(indicator, frame, check) if policy != "raise" else None
    for column in indicator.inputs:
        dirty = _with_nan(frame, nan_row, column)
        if policy == "raise":
            try:
                indicator.compute(dirty)
            except (ValueError, MlcoreError):
                continue
            except Exception as error:
                raise _failure(
                    indicator,
                    check,
                    f"a NaN in {column!r} at {where} raised {type(error).__name__}: {error}",
                    "raise ValueError (or mlcore.errors.DataValidationError) naming the "
                    "column and row",
                ) from error
            raise _failure(
                indicator,
                check,
                f"nan_policy is 'raise' but compute() accepted a NaN in {column!r} at {where}",
                "raise ValueError when an input holds NaN, or declare nan_policy = "
                "'propagate' or 'ignore'",
            )
        assert clean is not None
        got = _compute_values(
            indicator, dirty, check, f"compute() with a NaN in {column!r} at {where}"
        )
        mismatch = _first_mismatch(clean[warmup:nan_row], got[warmup:nan_row])
        if mismatch is not None:
            row, out = mismatch[0] + warmup, mismatch[1]
            raise _failure(
                indicator,
                check,
                f"a NaN in {column!r} at {where} changed the earlier {_where(frame.index, row)}, "
                f"column {outputs[out]!r}: {_num(got[row, out])} instead of "
                f"{_num(clean[row, out])}",
                "a missing value may affect its own row and later ones only: never fill "
                "backwards or interpolate",
            )
        if policy == "ignore":
            finite = np.isfinite(got)
            finite[nan_row] = True
            finite[:warmup] = True
            if not finite.all():
                row, out = (int(v) for v in np.argwhere(~finite)[0])
                raise _failure(
                    indicator,
                    check,
                    f"nan_policy is 'ignore' but a NaN in {column!r} at {where} gives "
                    f"{_num(got[row, out])} at {_where(frame.index, row)}, column {outputs[out]!r}",
                    "skip missing values (e.g. rolling(..., min_periods=...)), or declare "
                    "nan_policy = 'propagate'",
                )


def _indicator_pickle(indicator: Any, data: object) -> None:
    check = "check_pickle"
    frame = _ohlcv(data)
    expected = _compute_values(indicator, frame, check)
    loaded = _round_trip(indicator, indicator, check)
    got = _compute_values(loaded, frame, check, "compute() after a pickle round trip")
    mismatch = _first_mismatch(expected, got, rtol=0, atol=0)
    if mismatch is not None:
        row, column = mismatch
        raise _failure(
            indicator,
            check,
            f"after a pickle round trip {_where(frame.index, row)}, column "
            f"{indicator.outputs[column]!r} is {_num(got[row, column])}, not "
            f"{_num(expected[row, column])}",
            "keep every parameter in picklable attributes (attrs fields)",
        )


def _indicator_clone(indicator: Any, data: object) -> None:
    check = "check_clone"
    frame = _ohlcv(data)
    expected = _compute_values(indicator, frame, check)
    for how, clone in _strict_clones(indicator, check):
        if attrs.has(type(indicator)) and clone != indicator:
            raise _failure(
                indicator,
                check,
                f"{how} gives {clone!r}, which is not equal to the original",
                "keep only parameters in compared attrs fields; give state fields "
                "attrs.field(init=False, eq=False, repr=False)",
            )
        get_params = getattr(indicator, "get_params", None)
        if callable(get_params):
            difference = _params_difference(get_params(), clone.get_params())  # type: ignore[attr-defined]
            if difference:
                raise _failure(
                    indicator,
                    check,
                    f"{how}: {difference}",
                    "get_params() must return the constructor's arguments",
                )
        got = _compute_values(clone, frame, check, f"compute() on {how}")
        mismatch = _first_mismatch(expected, got, rtol=0, atol=0)
        if mismatch is not None:
            row, column = mismatch
            raise _failure(
                indicator,
                check,
                f"{how} computes {_num(got[row, column])} at {_where(frame.index, row)}, column "
                f"{indicator.outputs[column]!r}, the original {_num(expected[row, column])}",
                "every parameter must be a constructor argument (an attrs field)",
            )


def check_streaming_agrees(component: object, data: pd.DataFrame | None = None) -> None:
    """After ``reset()``, ``update(bar)`` bar by bar (a dict of the input columns) returns
    what ``compute`` gives for that row, to 1e-9 (NaN where compute gives NaN); and a
    second ``reset()`` really starts over."""
    check = "check_streaming_agrees"
    original: Any = _as_instance(component)
    if not isinstance(original, StreamingIndicator):
        raise TypeError(
            f"check_streaming_agrees applies to streaming indicators (with reset() and "
            f"update(bar)); {component_id(original)} is a {check_kind(original)[:-1]}"
        )
    frame = _ohlcv(data)
    expected = _compute_values(original, frame, check)
    indicator: Any = _fresh(original, check)
    inputs = list(indicator.inputs)
    outputs = tuple(indicator.outputs)
    warmup = int(indicator.warmup)
    matrix = frame[inputs].to_numpy(dtype=float)

    def stream(count: int, after: str) -> np.ndarray:
        _call(indicator, check, "reset()", indicator.reset)
        got = np.full((count, len(outputs)), np.nan)
        for position in range(count):
            bar = dict(zip(inputs, (float(v) for v in matrix[position]), strict=True))
            value = _call(
                indicator,
                check,
                f"update(bar) at {_where(frame.index, position)}",
                lambda bar=bar: indicator.update(bar),  # type: ignore[misc]
            )
            try:
                row = np.asarray(value, dtype=float)
            except (TypeError, ValueError):
                row = np.asarray(None)
            if row.shape != (len(outputs),):
                raise _failure(
                    indicator,
                    check,
                    f"update(bar) returned {value!r}, expected {len(outputs)} float(s)",
                    f"return a sequence with one float per output ({', '.join(outputs)}), "
                    "NaN during warmup",
                )
            got[position] = row
        mismatch = _first_mismatch(expected[:count], got)
        if mismatch is not None:
            position, column = mismatch
            phase = " (before warmup)" if position < warmup else ""
            raise _failure(
                indicator,
                check,
                f"{after}update(bar) gives {_num(got[position, column])} at "
                f"{_where(frame.index, position)}{phase}, column {outputs[column]!r}, "
                f"compute() gives {_num(expected[position, column])}",
                "update must reproduce compute row by row (same formula, same seed values, "
                "NaN where compute gives NaN); reset() must clear all state",
            )
        return got

    stream(len(frame), "")
    stream(min(len(frame), warmup + 20), "after a second reset(), ")
