"""Conformance checks for mlcore components, in the spirit of scikit-learn's
``parametrize_with_checks``.

Every check is a plain function ``check_xxx(component, data=None)`` that returns None
when the component conforms and raises :class:`AssertionError` otherwise, with a message
that names the component, the check, what went wrong and how to fix it. ``data`` is an
OHLCV frame (or a :class:`mlcore.data.SyntheticMarket`) to run the check on; by default a
seeded synthetic market of 600 daily bars (``synthetic_ohlcv(n=600, seed=7)``).

Use :func:`parametrize_with_checks` in a pytest module, :func:`check_component` anywhere
else, and :func:`checks_for` to see which checks apply to a component.

Models declare what they predict with a class attribute ``task``: ``"classification"``
(the default when absent) or ``"regression"``. Classifiers are fit on next-bar direction
labels and compared on ``predict_proba``; regressors on the next bar's log return, and
compared on ``predict``.
"""

from __future__ import annotations

import copy
import functools
import inspect
import math
import pickle
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, get_args

import attrs
import numpy as np
import pandas as pd

from mlcore.errors import MlcoreError
from mlcore.protocols import (
    ArrayIndicator,
    DataSource,
    Indicator,
    Metric,
    MetricFunction,
    Model,
    ModelTask,
    NanPolicy,
    RegimeDetector,
    RetrainState,
    RetrainTrigger,
    SentimentAdapter,
    StreamingIndicator,
    TriggerDecision,
)
from mlcore.registry import Component

if TYPE_CHECKING:
    import pytest

__all__ = [
    "ATOL",
    "DEFAULT_BARS",
    "DEFAULT_SEED",
    "KINDS",
    "RTOL",
    "Check",
    "check_clone",
    "check_clone_is_unfitted",
    "check_component",
    "check_compute_output",
    "check_data_source_load",
    "check_determinism",
    "check_fit_returns_self",
    "check_get_set_params",
    "check_indicator_attributes",
    "check_input_not_mutated",
    "check_kind",
    "check_metric_attributes",
    "check_metric_perfect_beats_random",
    "check_metric_value",
    "check_nan_handling",
    "check_no_lookahead",
    "check_pickle",
    "check_predict_shapes",
    "check_regime_labels",
    "check_save_load",
    "check_sentiment_batch",
    "check_sentiment_capabilities",
    "check_sentiment_fetch",
    "check_sentiment_score",
    "check_streaming_agrees",
    "check_trigger_decision",
    "checks_for",
    "component_id",
    "parametrize_with_checks",
]

#: A conformance check: ``check(component, data=None)`` raises AssertionError on failure.
Check = Callable[..., None]

#: Relative and absolute tolerance for "the same number" (look-ahead, streaming).
RTOL: Final = 1e-9
ATOL: Final = 1e-9
#: Tolerance for probability rows summing to one (float32 models included).
PROBA_ATOL: Final = 1e-6
#: The default check data: ``synthetic_ohlcv(n=DEFAULT_BARS, seed=DEFAULT_SEED)``.
DEFAULT_BARS: Final = 600
DEFAULT_SEED: Final = 7
#: Rows of the feature frame that model checks fit on.
MODEL_ROWS: Final = 300

OHLCV_COLUMNS: Final = ("open", "high", "low", "close", "volume")
PRICE_COLUMNS: Final = ("open", "high", "low", "close")
NAN_POLICIES: Final[tuple[str, ...]] = get_args(NanPolicy)
MODEL_TASKS: Final[tuple[str, ...]] = get_args(ModelTask)
METRIC_NEEDS: Final = ("labels", "proba", "returns", "trades")
SENTIMENT_CAPABILITIES: Final = frozenset({"fetch", "score"})

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


# ---------------------------------------------------------------------------
# Kinds, ids and failures
# ---------------------------------------------------------------------------


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


def _first_mismatch(
    expected: np.ndarray, actual: np.ndarray, rtol: float = RTOL, atol: float = ATOL
) -> tuple[int, int] | None:
    """(row, column) of the first cell that differs; NaN equals NaN; 0 tolerance is exact."""
    if expected.size == 0 and actual.size == 0:
        return None
    expected2 = expected.reshape(len(expected), -1)
    actual2 = actual.reshape(len(actual), -1)
    same = np.isclose(actual2, expected2, rtol=rtol, atol=atol, equal_nan=True)
    if same.all():
        return None
    row, column = np.argwhere(~same)[0]
    return int(row), int(column)


def _cell(values: np.ndarray, position: tuple[int, int]) -> Any:
    """The value at a (row, column) of :func:`_first_mismatch`, for 1-D arrays too."""
    return values.reshape(len(values), -1)[position]


def _same_value(left: Any, right: Any) -> bool:
    if left is right:
        return True
    try:
        result = left == right
        if isinstance(result, bool | np.bool_):
            if bool(result):
                return True
            return bool(
                isinstance(left, float)
                and isinstance(right, float)
                and left != left
                and right != right
            )
        return bool(np.all(result)) and np.shape(left) == np.shape(right)
    except Exception:
        return repr(left) == repr(right)


def _params_difference(left: Mapping[str, Any], right: Mapping[str, Any]) -> str | None:
    if set(left) != set(right):
        return f"parameters {sorted(left)} != {sorted(right)}"
    for name in left:
        if not _same_value(left[name], right[name]):
            return f"parameter {name!r} is {right[name]!r}, expected {left[name]!r}"
    return None


# ---------------------------------------------------------------------------
# Check data
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _default_ohlcv() -> pd.DataFrame:
    from mlcore.data import synthetic_ohlcv

    return synthetic_ohlcv(n=DEFAULT_BARS, seed=DEFAULT_SEED).ohlcv


def _ohlcv(data: object = None) -> pd.DataFrame:
    """A private copy of the check data."""
    if data is None:
        frame = _default_ohlcv()
    elif isinstance(data, pd.DataFrame):
        frame = data
    elif isinstance(getattr(data, "ohlcv", None), pd.DataFrame):
        frame = data.ohlcv  # type: ignore[attr-defined]
    else:
        raise TypeError(
            f"data must be an OHLCV DataFrame or a SyntheticMarket, got {type(data).__name__}"
        )
    missing = [c for c in OHLCV_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"check data lacks the OHLCV column(s) {missing}")
    if len(frame) < 50:
        raise ValueError(f"check data has {len(frame)} rows; the checks need at least 50")
    return frame.copy(deep=True)


def _log(series: pd.Series) -> pd.Series:
    return pd.Series(np.log(series.to_numpy(dtype=float)), index=series.index, name=series.name)


def _model_data(
    data: object = None, task: str = "classification"
) -> tuple[pd.DataFrame, pd.Series]:
    """Lagged-return features and, MODEL_ROWS rows of them, the next bar's direction (0 down,
    1 up) as labels, or for ``task="regression"`` the next bar's log return as the target."""
    bars = _ohlcv(data)
    close = bars["close"].astype(float)
    returns = _log(close).diff()
    features = pd.DataFrame(
        {
            "return_1": returns,
            "return_2": returns.shift(1),
            "return_3": returns.shift(2),
            "range": (bars["high"] - bars["low"]) / close,
            "volume_change": _log(bars["volume"].astype(float) + 1.0).diff(),
        },
        index=bars.index,
    )
    ahead = returns.shift(-1)  # the label: the next bar's return, never a feature
    keep = features.notna().all(axis=1) & ahead.notna()
    X = features[keep].iloc[:MODEL_ROWS]
    if task == "regression":
        return X, ahead[keep].iloc[:MODEL_ROWS].rename("next_return")
    y = (ahead[keep] > 0).astype(int).iloc[:MODEL_ROWS].rename("direction")
    if y.nunique() < 2:
        raise ValueError("the check data gives one direction only; pass data with ups and downs")
    return X, y


def _regime_data(data: object = None) -> pd.DataFrame:
    """Per-bar features for regime detectors: log return and 10-bar rolling volatility."""
    bars = _ohlcv(data)
    returns = _log(bars["close"].astype(float)).diff()
    frame = pd.DataFrame({"returns": returns, "volatility": returns.rolling(10).std()})
    return frame.dropna()


def _returns(data: object = None) -> pd.Series:
    close = _ohlcv(data)["close"].astype(float)
    return close.pct_change().dropna().rename("returns")


def _trades(data: object = None) -> pd.DataFrame:
    """A validated trade history on the data's closes: one 5-bar trade every 10 bars,
    alternately long and short."""
    from mlcore.analytics.trades import validate_trades

    close = _ohlcv(data)["close"].astype(float)
    entries = np.arange(0, len(close) - 5, 10)
    return validate_trades(
        pd.DataFrame(
            {
                "entry_time": close.index[entries],
                "exit_time": close.index[entries + 5],
                "entry_price": close.to_numpy()[entries],
                "exit_price": close.to_numpy()[entries + 5],
                "side": np.where(np.arange(entries.size) % 2 == 0, 1, -1),
                "size": 1.0,
            }
        )
    )


# ---------------------------------------------------------------------------
# Cloning
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Indicators
# ---------------------------------------------------------------------------


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


def check_determinism(component: object, data: pd.DataFrame | None = None) -> None:
    """The same inputs give the same outputs, bit for bit.

    Indicators: two computes, and one on a copy of the data. Models and regime detectors:
    two fresh clones fit on the same data predict the same probabilities (regressors: the
    same ``predict``), and predicting twice gives the same. Triggers,
    metrics, data sources and sentiment scorers: two calls agree.
    """
    instance = _as_instance(component)
    _dispatch(
        "check_determinism",
        instance,
        {
            "indicators": _indicator_determinism,
            "models": _fitted_determinism,
            "regime_detectors": _fitted_determinism,
            "retrain_triggers": _trigger_determinism,
            "metrics": _metric_determinism,
            "data_sources": _data_source_determinism,
            "sentiment_adapters": _sentiment_determinism,
        },
    )(instance, data)


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


def check_no_lookahead(component: object, data: pd.DataFrame | None = None) -> None:
    """No value uses the future (DESIGN invariant 1).

    Indicators: for several cut points t, computing on the rows up to t gives the same
    rows (from ``warmup`` on, to 1e-9) as computing on the full data; and multiplying every
    row after t by random factors (OHLC kept consistent) changes no row up to t.
    Regime detectors: fit once on the full data; ``predict_proba`` on the first t+1 rows
    equals the first t+1 rows of ``predict_proba`` on all rows, and so does
    ``predict_proba`` on data whose rows after t were perturbed.
    """
    instance = _as_instance(component)
    _dispatch(
        "check_no_lookahead",
        instance,
        {"indicators": _indicator_no_lookahead, "regime_detectors": _regime_no_lookahead},
    )(instance, data)


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


def check_nan_handling(component: object, data: pd.DataFrame | None = None) -> None:
    """The component treats NaN input as its declared ``nan_policy`` says.

    Indicators (a NaN put in each input column in turn, mid-series): ``raise`` raises
    ValueError (or an MlcoreError); ``propagate`` and ``ignore`` raise nothing and leave
    every earlier row as on clean data; ``ignore`` also gives finite values from warmup on
    except at the NaN row. Models (class attribute ``nan_policy``, default ``raise``): with
    a NaN in X, ``raise`` makes fit and predict raise ValueError; ``ignore`` and
    ``propagate`` raise nothing in fit, predict and (classifiers only) predict_proba.
    """
    instance = _as_instance(component)
    _dispatch(
        "check_nan_handling",
        instance,
        {"indicators": _indicator_nan_handling, "models": _model_nan_handling},
    )(instance, data)


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


def check_pickle(component: object, data: pd.DataFrame | None = None) -> None:
    """A pickle round trip gives a component with the same outputs (bit for bit): computes
    for indicators, ``predict_proba`` of fitted classifiers and regime detectors, ``predict``
    of fitted regressors, scores and decisions for metrics and triggers."""
    instance = _as_instance(component)
    _dispatch(
        "check_pickle",
        instance,
        {
            "indicators": _indicator_pickle,
            "models": _fitted_pickle,
            "regime_detectors": _fitted_pickle,
            "retrain_triggers": _trigger_pickle,
            "metrics": _metric_pickle,
        },
    )(instance, data)


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


def check_clone(component: object, data: pd.DataFrame | None = None) -> None:
    """Indicators: every round trip the component supports (``clone()``, ``attrs.evolve``,
    ``type(c)(**c.get_params())``) gives an equal component that computes the same.
    Models and regime detectors: as :func:`check_clone_is_unfitted`."""
    instance = _as_instance(component)
    _dispatch(
        "check_clone",
        instance,
        {
            "indicators": _indicator_clone,
            "models": _clone_is_unfitted,
            "regime_detectors": _clone_is_unfitted,
        },
    )(instance, data)


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


# ---------------------------------------------------------------------------
# Models and regime detectors
# ---------------------------------------------------------------------------


def _model_task(model: Any, check: str) -> str:
    """The model's declared ``task`` (``classification`` when it declares none)."""
    task = getattr(model, "task", "classification")
    if task not in MODEL_TASKS:
        raise _failure(
            model,
            check,
            f"task is {task!r}",
            f"declare a class attribute task = one of {', '.join(map(repr, MODEL_TASKS))}",
        )
    return str(task)


def _is_regressor(component: Any, kind: str, check: str) -> bool:
    return kind == "models" and _model_task(component, check) == "regression"


def _fit_data(component: Any, kind: str, data: object, check: str) -> tuple[Any, ...]:
    if kind == "regime_detectors":
        return (_regime_data(data),)
    return _model_data(data, _model_task(component, check))


def _fit(component: Any, check: str, kind: str, data: object) -> tuple[Any, pd.DataFrame]:
    """A fresh clone fitted on the check data, and the X it was fitted on."""
    arguments = _fit_data(component, kind, data, check)
    model: Any = _fresh(component, check)
    _call(component, check, "fit()", lambda: model.fit(*arguments))
    return model, arguments[0]


def _outputs(
    component: Any, model: Any, X: Any, check: str, method: str, what: str = ""
) -> np.ndarray:
    """``model.<method>(X)`` as a float array; ``what`` describes the call in failures."""
    what = what or f"{method}(X)"
    result = _call(component, check, what, lambda: getattr(model, method)(X))
    try:
        return np.asarray(result, dtype=float)
    except (TypeError, ValueError) as error:
        raise _failure(component, check, f"{what} returned non-numbers", "return floats") from error


def _proba(
    component: Any, model: Any, X: Any, check: str, what: str = "predict_proba(X)"
) -> np.ndarray:
    return _outputs(component, model, X, check, "predict_proba", what)


def _compared_method(component: Any, kind: str, check: str) -> str:
    """What the fitted checks compare: ``predict`` for regressors, else ``predict_proba``."""
    return "predict" if _is_regressor(component, kind, check) else "predict_proba"


def check_fit_returns_self(component: object, data: pd.DataFrame | None = None) -> None:
    """``fit`` returns the component itself (so ``model.fit(X, y).predict(X)`` works)."""
    check = "check_fit_returns_self"
    instance: Any = _as_instance(component)
    kind = _kind_of(instance, check, ("models", "regime_detectors"))
    arguments = _fit_data(instance, kind, data, check)
    model: Any = _fresh(instance, check)
    result = _call(instance, check, "fit()", lambda: model.fit(*arguments))
    if result is not model:
        raise _failure(
            instance,
            check,
            f"fit() returned {type(result).__name__} {component_id(result)!s:.60}, not the "
            "component itself",
            "end fit() with `return self`",
        )


def _fitted_determinism(component: Any, data: object) -> None:
    check = "check_determinism"
    kind = check_kind(component)
    method = _compared_method(component, kind, check)
    first, X = _fit(component, check, kind, data)
    second, _ = _fit(component, check, kind, data)
    expected = _outputs(component, first, X, check, method)
    for what, got in (
        (
            f"{method}(X) of a second clone fit on the same data",
            _outputs(component, second, X, check, method),
        ),
        (
            f"a second {method}(X) of the same fitted component",
            _outputs(component, first, X, check, method),
        ),
    ):
        if got.shape != expected.shape or _first_mismatch(expected, got, rtol=0, atol=0):
            mismatch = (
                _first_mismatch(expected, got, rtol=0, atol=0)
                if got.shape == expected.shape
                else None
            )
            detail = (
                f" at position {mismatch[0]}: {_num(_cell(got, mismatch))} vs "
                f"{_num(_cell(expected, mismatch))}"
                if mismatch
                else f": shape {got.shape} vs {expected.shape}"
            )
            raise _failure(component, check, f"{what} differs{detail}", _DETERMINISM_FIX)


def check_clone_is_unfitted(component: object, data: pd.DataFrame | None = None) -> None:
    """A clone of a fitted component has the same parameters and is not fitted
    (``is_fitted`` is False where it exists, else ``predict`` raises)."""
    instance = _as_instance(component)
    _kind_of(instance, "check_clone_is_unfitted", ("models", "regime_detectors"))
    _clone_is_unfitted(instance, data, "check_clone_is_unfitted")


def _clone_is_unfitted(component: Any, data: object, check: str = "check_clone") -> None:
    kind = check_kind(component)
    model, X = _fit(component, check, kind, data)
    fitted_flag = getattr(model, "is_fitted", None)
    if isinstance(fitted_flag, bool) and not fitted_flag:
        raise _failure(
            component,
            check,
            "is_fitted is False after fit()",
            "store fitted state in attributes ending in '_' (coef_, model_)",
        )
    for how, clone in _strict_clones(model, check):
        get_params = getattr(model, "get_params", None)
        if callable(get_params):
            difference = _params_difference(get_params(), clone.get_params())  # type: ignore[attr-defined]
            if difference:
                raise _failure(
                    component,
                    check,
                    f"{how}: {difference}",
                    "get_params() must return the constructor's arguments",
                )
        flag = getattr(clone, "is_fitted", None)
        if isinstance(flag, bool):
            if flag:
                raise _failure(
                    component,
                    check,
                    f"{how} of a fitted component says is_fitted is True",
                    "fitted state must not be a constructor argument: keep it in attributes "
                    "ending in '_' that clone()/attrs.evolve drop",
                )
            continue
        try:
            clone.predict(X)  # type: ignore[attr-defined]
        except Exception:
            continue
        raise _failure(
            component,
            check,
            f"{how} of a fitted component predicts without being fitted",
            "fitted state must not be a constructor argument: keep it in attributes ending "
            "in '_' that clone()/attrs.evolve drop, and raise in predict() before fit()",
        )


def check_predict_shapes(component: object, data: pd.DataFrame | None = None) -> None:
    """Classifiers: ``predict`` has shape (n,) with values among the classes;
    ``predict_proba`` has shape (n, n_classes), finite, non-negative rows summing to 1.
    Regressors (``task = "regression"``): ``predict`` has shape (n,), a float dtype and
    finite values; ``predict_proba`` is not called. Regime detectors: ``predict_proba`` has
    shape (n, n_regimes), same row rules as classifiers. Also on a 5-row slice."""
    check = "check_predict_shapes"
    instance: Any = _as_instance(component)
    kind = _kind_of(instance, check, ("models", "regime_detectors"))
    model, X = _fit(instance, check, kind, data)
    if _is_regressor(instance, kind, check):
        for rows in (X, X.iloc[:5]):
            _check_regression_predictions(instance, model, rows, check)
        return
    if kind == "models":
        _, y = _model_data(data)
        classes = np.asarray(getattr(model, "classes_", np.unique(y)))
        width, what = len(classes), "n_classes"
    else:
        classes = None
        width, what = model.n_regimes, "n_regimes"
        if isinstance(width, bool) or not isinstance(width, int | np.integer) or width < 2:
            raise _failure(instance, check, f"n_regimes is {width!r}", "n_regimes is an int >= 2")
    for rows in (X, X.iloc[:5]):
        n = len(rows)
        if classes is not None:
            predicted = _predictions(instance, model, rows, check, "one label per row")
            unknown = sorted(set(np.unique(predicted).tolist()) - set(classes.tolist()))
            if unknown:
                raise _failure(
                    instance,
                    check,
                    f"predict() returned labels {unknown} not among the classes {classes.tolist()}",
                    "predict labels seen in y",
                )
        proba = _proba(instance, model, rows, check)
        _check_proba_rows(instance, check, proba, (n, int(width)), what)


def _predictions(
    component: Any, model: Any, X: pd.DataFrame, check: str, per_row: str
) -> np.ndarray:
    """``model.predict(X)``, which must have shape (n,)."""
    n = len(X)
    predicted = np.asarray(_call(component, check, "predict(X)", lambda: model.predict(X)))
    if predicted.shape != (n,):
        raise _failure(
            component,
            check,
            f"predict() on {n} rows has shape {predicted.shape}, expected ({n},)",
            f"return a 1-D array with {per_row}",
        )
    return predicted


def _check_regression_predictions(component: Any, model: Any, X: pd.DataFrame, check: str) -> None:
    n = len(X)
    predicted = _predictions(component, model, X, check, "one predicted value per row")
    if predicted.dtype.kind != "f":
        raise _failure(
            component,
            check,
            f"predict() on {n} rows returned dtype {predicted.dtype}",
            "a regressor predicts floats: return predictions.astype(np.float64)",
        )
    bad = ~np.isfinite(predicted)
    if bad.any():
        row = int(np.argmax(bad))
        raise _failure(
            component,
            check,
            f"predict() on {n} rows gives {_num(predicted[row])} at {_where(X.index, row)}",
            "predict finite values on clean data",
        )


def _check_proba_rows(
    component: object, check: str, proba: np.ndarray, shape: tuple[int, int], what: str
) -> None:
    if proba.shape != shape:
        raise _failure(
            component,
            check,
            f"predict_proba() has shape {proba.shape}, expected {shape} (rows, {what})",
            "return one row per input row and one column per class/regime",
        )
    if not np.isfinite(proba).all() or (proba < 0).any():
        row = int(np.argwhere(~np.isfinite(proba) | (proba < 0))[0][0])
        raise _failure(
            component,
            check,
            f"predict_proba() row {row} is {proba[row].tolist()}",
            "probabilities are finite and non-negative",
        )
    sums = proba.sum(axis=1)
    off = np.abs(sums - 1) > PROBA_ATOL
    if off.any():
        row = int(np.argmax(off))
        raise _failure(
            component,
            check,
            f"predict_proba() row {row} sums to {_num(sums[row])}",
            "normalise each row to sum to 1",
        )


def check_regime_labels(component: object, data: pd.DataFrame | None = None) -> None:
    """``predict`` gives integer labels in [0, n_regimes) equal to the arg-max of
    ``predict_proba`` (the filtered path)."""
    check = "check_regime_labels"
    instance: Any = _as_instance(component)
    _kind_of(instance, check, ("regime_detectors",))
    detector, X = _fit(instance, check, "regime_detectors", data)
    proba = _proba(instance, detector, X, check)
    labels = np.asarray(_call(instance, check, "predict(X)", lambda: detector.predict(X)))
    if labels.shape != (len(X),):
        raise _failure(
            instance,
            check,
            f"predict() has shape {labels.shape}, expected ({len(X)},)",
            "return one label per row",
        )
    if labels.dtype.kind not in "iu":
        raise _failure(
            instance, check, f"predict() returned dtype {labels.dtype}", "return integer labels"
        )
    n_regimes = int(detector.n_regimes)
    outside = (labels < 0) | (labels >= n_regimes)
    if outside.any():
        row = int(np.argmax(outside))
        raise _failure(
            instance,
            check,
            f"label {labels[row]} at position {row} is outside [0, {n_regimes})",
            "number regimes 0 bull, 1 bear, 2 sideways, extra states after",
        )
    if proba.ndim == 2 and proba.shape[0] == len(labels):
        differs = labels != proba.argmax(axis=1)
        if differs.any():
            row = int(np.argmax(differs))
            raise _failure(
                instance,
                check,
                f"predict() gives {labels[row]} at position {row} but predict_proba()'s "
                f"arg-max is {int(proba[row].argmax())}",
                "predict must be predict_proba(X).argmax(axis=1) (the filtered path); offer "
                "smoothed or Viterbi paths under another method name",
            )


def _regime_no_lookahead(detector: Any, data: object) -> None:
    check = "check_no_lookahead"
    fitted, X = _fit(detector, check, "regime_detectors", data)
    full = _proba(detector, fitted, X, check)
    rows = len(X)
    cuts = sorted({max(1, rows // 10), rows // 4, rows // 2, 3 * rows // 4, rows - 2})
    fix = (
        "predict_proba must give filtered probabilities: row t conditions on rows <= t "
        "only (a forward pass); no forward-backward smoothing, no Viterbi, no "
        "normalisation over the whole input"
    )
    for t in cuts:
        part = _proba(
            detector, fitted, X.iloc[: t + 1], check, f"predict_proba on the first {t + 1} rows"
        )
        if part.shape != full[: t + 1].shape:
            raise _failure(
                detector,
                check,
                f"predict_proba on {t + 1} rows has shape {part.shape}",
                "return one row per input row",
            )
        mismatch = _first_mismatch(full[: t + 1], part)
        if mismatch is not None:
            row, column = mismatch
            raise _failure(
                detector,
                check,
                f"the probability of regime {column} at {_where(X.index, row)} is "
                f"{_num(full[row, column])} with all rows but {_num(part[row, column])} when the "
                f"data ends at position {t}: it uses later bars",
                fix,
            )
    rng = np.random.default_rng(20_240_607)
    for t in cuts:
        later = rows - t - 1
        perturbed = X.copy(deep=True)
        for name in perturbed.columns:
            values = perturbed[name].to_numpy(dtype=float, copy=True)
            values[t + 1 :] *= rng.uniform(0.5, 1.5, later)
            perturbed[name] = values
        got = _proba(
            detector, fitted, perturbed, check, f"predict_proba on data perturbed after {t}"
        )
        mismatch = _first_mismatch(full[: t + 1], got[: t + 1])
        if mismatch is not None:
            row, column = mismatch
            raise _failure(
                detector,
                check,
                f"the probability of regime {column} at {_where(X.index, row)} changed from "
                f"{_num(full[row, column])} to {_num(got[row, column])} when only rows after "
                f"position {t} changed: it uses later bars",
                fix,
            )


def _fitted_pickle(component: Any, data: object) -> None:
    check = "check_pickle"
    kind = check_kind(component)
    method = _compared_method(component, kind, check)
    model, X = _fit(component, check, kind, data)
    expected = _outputs(component, model, X, check, method)
    loaded = _round_trip(component, model, check)
    got = _outputs(component, loaded, X, check, method, f"{method}(X) after a pickle round trip")
    if got.shape != expected.shape or _first_mismatch(expected, got, rtol=0, atol=0):
        raise _failure(
            component,
            check,
            "a fitted component predicts differently after a pickle round trip",
            "keep the fitted state in picklable attributes; rebuild caches in __setstate__",
        )


def check_save_load(component: object, data: pd.DataFrame | None = None) -> None:
    """A fitted model saved with ``save(path)`` and read with ``type(model).load(path)``
    predicts the same, bit for bit: the same ``predict_proba``, or for a regressor the same
    ``predict``."""
    check = "check_save_load"
    instance: Any = _as_instance(component)
    _kind_of(instance, check, ("models",))
    method = _compared_method(instance, "models", check)
    model, X = _fit(instance, check, "models", data)
    expected = _outputs(instance, model, X, check, method)
    with tempfile.TemporaryDirectory(prefix="mlcore-check-") as folder:
        path = Path(folder) / "model"
        _call(instance, check, f"save({str(path)!r})", lambda: model.save(path))
        loaded = _call(
            instance, check, f"{type(model).__name__}.load(path)", lambda: type(model).load(path)
        )
        got = _outputs(instance, loaded, X, check, method, f"{method}(X) after save/load")
    if got.shape != expected.shape or _first_mismatch(expected, got, rtol=0, atol=0):
        raise _failure(
            instance,
            check,
            "the loaded model predicts differently from the saved one",
            "save every fitted attribute (and the parameters) and restore them in load()",
        )


def check_get_set_params(component: object, data: pd.DataFrame | None = None) -> None:
    """``set_params(**get_params())`` changes nothing; an unknown parameter raises ValueError."""
    check = "check_get_set_params"
    instance: Any = _as_instance(component)
    model: Any = _fresh(instance, check)
    if not (
        callable(getattr(model, "get_params", None))
        and callable(getattr(model, "set_params", None))
    ):
        raise _failure(
            instance,
            check,
            "it has no get_params()/set_params()",
            "inherit mlcore.ModelBase (attrs), or implement get_params() -> dict of the "
            "constructor's arguments and set_params(**params) -> self",
        )
    params = _call(instance, check, "get_params()", model.get_params)
    if not isinstance(params, dict) or not all(isinstance(k, str) for k in params):
        raise _failure(
            instance, check, f"get_params() returned {params!r}", "return a dict of str keys"
        )
    result = _call(
        instance, check, "set_params(**get_params())", lambda: model.set_params(**params)
    )
    target = result if result is not None else model
    after = _call(instance, check, "get_params() after set_params", target.get_params)
    difference = _params_difference(params, after)
    if difference:
        raise _failure(
            instance,
            check,
            f"set_params(**get_params()) changed {difference}",
            "set_params must store each value as given",
        )
    try:
        model.set_params(no_such_parameter__=1)
    except ValueError:
        return
    except Exception as error:
        raise _failure(
            instance,
            check,
            f"set_params(no_such_parameter__=1) raised {type(error).__name__}, not ValueError",
            "raise ValueError naming the unknown parameter and listing the valid ones",
        ) from error
    raise _failure(
        instance,
        check,
        "set_params(no_such_parameter__=1) accepted an unknown parameter",
        "raise ValueError naming the unknown parameter and listing the valid ones",
    )


def _model_nan_handling(model: Any, data: object) -> None:
    check = "check_nan_handling"
    policy = getattr(model, "nan_policy", "raise")
    if policy not in NAN_POLICIES:
        raise _failure(
            model, check, f"nan_policy is {policy!r}", f"declare one of {', '.join(NAN_POLICIES)}"
        )
    X, y = _model_data(data, _model_task(model, check))
    dirty = X.copy(deep=True)
    column = str(dirty.columns[0])
    values = dirty[column].to_numpy(dtype=float, copy=True)
    values[len(values) // 2] = np.nan
    dirty[column] = values
    where = f"column {column!r}, position {len(values) // 2}"
    if policy == "raise":
        fitted, _ = _fit(model, check, "models", data)
        unfitted: Any = _fresh(model, check)
        calls: list[tuple[str, Callable[[], object]]] = [
            ("fit(X, y)", lambda: unfitted.fit(dirty, y)),
            ("predict(X)", lambda: fitted.predict(dirty)),
        ]
        for what, call in calls:
            try:
                call()
            except (ValueError, MlcoreError):
                continue
            except Exception as error:
                raise _failure(
                    model,
                    check,
                    f"{what} with a NaN in X ({where}) raised {type(error).__name__}, "
                    "not ValueError",
                    "raise ValueError naming the column, or declare a class attribute "
                    "nan_policy = 'ignore' / 'propagate'",
                ) from error
            raise _failure(
                model,
                check,
                f"nan_policy is 'raise' (the default) but {what} accepted a NaN in X ({where})",
                "raise ValueError on NaN input, or declare a class attribute nan_policy = "
                "'ignore' (NaN handled natively) or 'propagate'",
            )
        return
    fresh: Any = _fresh(model, check)
    fix = "NaN input must be accepted when nan_policy is 'ignore' or 'propagate'"
    _call(model, check, f"fit(X, y) with a NaN in X ({where})", lambda: fresh.fit(dirty, y), fix)
    _call(model, check, f"predict(X) with a NaN in X ({where})", lambda: fresh.predict(dirty), fix)
    if _model_task(model, check) == "regression":
        return  # a regressor has no probabilities
    _call(
        model,
        check,
        f"predict_proba(X) with a NaN in X ({where})",
        lambda: fresh.predict_proba(dirty),
        fix,
    )


# ---------------------------------------------------------------------------
# Retrain triggers
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Data sources
# ---------------------------------------------------------------------------


def _load(source: Any, check: str, what: str = "load()") -> pd.DataFrame:
    frame = _call(source, check, what, source.load)
    if not isinstance(frame, pd.DataFrame):
        raise _failure(
            source, check, f"{what} returned {type(frame).__name__}", "return a pandas DataFrame"
        )
    return frame


def check_data_source_load(component: object, data: pd.DataFrame | None = None) -> None:
    """``load()`` returns a frame that :func:`mlcore.data.validate_ohlcv` accepts and returns
    unchanged (UTC DatetimeIndex named ``timestamp``, float64 OHLCV columns)."""
    from mlcore.data import validate_ohlcv

    check = "check_data_source_load"
    source: Any = _as_instance(component)
    frame = _load(source, check)
    before = frame.copy(deep=True)
    validated = _call(
        source,
        check,
        "validate_ohlcv(load())",
        lambda: validate_ohlcv(frame),
        "return bars that satisfy the OHLCV contract: validate (and repair by an explicit "
        "policy) inside load(), e.g. return mlcore.validate_ohlcv(frame, policy=...)",
    )
    for what, left, right in (
        ("validate_ohlcv would change the frame", validated, before),
        ("validate_ohlcv changed the frame in place", frame, before),
    ):
        try:
            pd.testing.assert_frame_equal(left, right, check_exact=True, check_freq=False)
        except AssertionError as error:
            detail = " ".join(str(error).split())
            raise _failure(
                source,
                check,
                f"{what} ({detail[:300]})",
                "return the frame as validate_ohlcv returns it: UTC DatetimeIndex named "
                "'timestamp', float64 columns open, high, low, close, volume first",
            ) from None


def _data_source_determinism(source: Any, data: object) -> None:
    check = "check_determinism"
    first = _load(source, check)
    second = _load(source, check, "a second load()")
    try:
        pd.testing.assert_frame_equal(first, second, check_exact=True)
    except AssertionError as error:
        detail = " ".join(str(error).split())
        raise _failure(
            source, check, f"two load() calls differ ({detail[:300]})", _DETERMINISM_FIX
        ) from None


# ---------------------------------------------------------------------------
# Sentiment adapters
# ---------------------------------------------------------------------------


def check_sentiment_capabilities(component: object, data: pd.DataFrame | None = None) -> None:
    """``capabilities`` is a non-empty set of ``"fetch"`` and/or ``"score"``."""
    check = "check_sentiment_capabilities"
    adapter: Any = _as_instance(component)
    capabilities = adapter.capabilities
    if (
        not isinstance(capabilities, set | frozenset)
        or not capabilities
        or not capabilities <= SENTIMENT_CAPABILITIES
    ):
        raise _failure(
            adapter,
            check,
            f"capabilities is {capabilities!r}",
            "set capabilities = frozenset({'fetch'}), frozenset({'score'}) or both",
        )


def _sentiment_scores(adapter: Any, check: str, what: str) -> np.ndarray:
    texts = ["good", "bad"]
    scores = _call(adapter, check, what, lambda: adapter.score(texts))
    if not isinstance(scores, np.ndarray) or scores.dtype.kind != "f" or scores.shape != (2,):
        shape = getattr(scores, "shape", None)
        raise _failure(
            adapter,
            check,
            f"{what} returned {type(scores).__name__} (shape {shape}, dtype "
            f"{getattr(scores, 'dtype', None)})",
            "return a float numpy array with one score per text",
        )
    return scores


def check_sentiment_score(component: object, data: pd.DataFrame | None = None) -> None:
    """Adapters that can ``score``: ``score(["good", "bad"])`` is a float array of length 2
    with finite values in [-1, 1]."""
    check = "check_sentiment_score"
    adapter: Any = _as_instance(component)
    if "score" not in adapter.capabilities:
        raise TypeError(
            f"{check} applies to adapters that can score; {component_id(adapter)} cannot"
        )
    scores = _sentiment_scores(adapter, check, "score(['good', 'bad'])")
    if not np.isfinite(scores).all() or (np.abs(scores) > 1).any():
        raise _failure(
            adapter,
            check,
            f"score(['good', 'bad']) returned {scores.tolist()}",
            "scores are finite and lie in [-1, 1] (clip or rescale, e.g. np.tanh)",
        )


#: Texts for check_sentiment_batch: empty, short, long (past any truncation), non-ASCII,
#: and texts of different strength (a scorer rescaling by the batch scores them apart).
SENTIMENT_BATCH: Final = (
    "",
    "Shares surge after record profit",
    "Company warns of losses; stock falls " * 60,
    "Gewinnwarnung: Aktie bricht ein 📉",
    "good",
    "good results, good outlook, good news",
)


def check_sentiment_batch(component: object, data: pd.DataFrame | None = None) -> None:
    """Adapters that can ``score``: ``score([])`` is an empty float array; a batch gets one
    finite score in [-1, 1] per text (empty, long and non-ASCII texts included), in the
    order given, equal (to 1e-5) to scoring each text alone."""
    check = "check_sentiment_batch"
    adapter: Any = _as_instance(component)
    if "score" not in adapter.capabilities:
        raise TypeError(
            f"{check} applies to adapters that can score; {component_id(adapter)} cannot"
        )
    empty = _call(adapter, check, "score([])", lambda: adapter.score([]))
    if not isinstance(empty, np.ndarray) or empty.shape != (0,) or empty.dtype.kind != "f":
        raise _failure(
            adapter,
            check,
            f"score([]) returned {type(empty).__name__} of shape {getattr(empty, 'shape', None)}",
            "return np.empty(0) for no texts",
        )
    texts = list(SENTIMENT_BATCH)
    batch = _call(adapter, check, f"score() of {len(texts)} texts", lambda: adapter.score(texts))
    if not isinstance(batch, np.ndarray) or batch.shape != (len(texts),):
        raise _failure(
            adapter,
            check,
            f"score() of {len(texts)} texts returned shape {getattr(batch, 'shape', None)}",
            "return a float numpy array with one score per text, empty ones included",
        )
    if not np.isfinite(batch).all() or (np.abs(batch) > 1).any():
        raise _failure(
            adapter, check, f"a batch was scored {batch.tolist()}", "scores lie in [-1, 1]"
        )
    alone = np.array([float(np.asarray(adapter.score([text]))[0]) for text in texts])
    mismatch = _first_mismatch(batch, alone, rtol=0, atol=1e-5)
    if mismatch is not None:
        row = mismatch[0]
        raise _failure(
            adapter,
            check,
            f"text {row} scores {batch[row]} in a batch and {alone[row]} alone",
            "score each text independently of the others in the batch (mask padding, keep "
            "the order)",
        )


def check_sentiment_fetch(adapter: object, symbol: str, start: object, end: object) -> list[Any]:
    """Fetch-capable adapters, against a server the test runs: ``fetch(symbol, start,
    end)`` returns SentimentItems of that symbol published in [start, end], with a
    non-empty ``source``, and a second call returns the same items. Returns the items.

    It needs the provider's test server, so :func:`checks_for` does not include it; call
    it from the provider's tests.
    """
    from mlcore.sentiment import SentimentItem

    check = "check_sentiment_fetch"
    first, last = pd.Timestamp(start), pd.Timestamp(end)  # type: ignore[arg-type]
    first = first.tz_localize("UTC") if first.tzinfo is None else first
    last = last.tz_localize("UTC") if last.tzinfo is None else last
    instance: Any = adapter
    what = f"fetch({symbol!r}, {first}, {last})"
    items = list(_call(instance, check, what, lambda: instance.fetch(symbol, first, last)))
    for position, item in enumerate(items):
        problem = None
        if not isinstance(item, SentimentItem):
            problem = f"item {position} is a {type(item).__name__}, not a SentimentItem"
        elif not item.source.strip():
            problem = f"item {position} has an empty source"
        elif item.symbol != symbol:
            problem = f"item {position} is about {item.symbol!r}, not {symbol!r}"
        elif not first <= item.published_at <= last:
            problem = f"item {position} was published at {item.published_at}, outside the range"
        if problem is not None:
            raise _failure(
                instance,
                check,
                problem,
                "return mlcore.sentiment.SentimentItem objects of the symbol asked, "
                "published within [start, end]",
            )
    again = list(
        _call(instance, check, f"a second {what}", lambda: instance.fetch(symbol, first, last))
    )
    if again != items:
        raise _failure(
            instance,
            check,
            f"two calls returned {len(items)} and {len(again)} items that differ",
            "return the same items for the same request (sorted, deduplicated)",
        )
    return items


def _sentiment_determinism(adapter: Any, data: object) -> None:
    check = "check_determinism"
    if "score" not in adapter.capabilities:
        raise TypeError(f"{check} applies to sentiment adapters that can score")
    first = _sentiment_scores(adapter, check, "score(['good', 'bad'])")
    second = _sentiment_scores(adapter, check, "a second score(['good', 'bad'])")
    if _first_mismatch(first, second, rtol=0, atol=0) is not None:
        raise _failure(
            adapter,
            check,
            f"two calls give {first.tolist()} and {second.tolist()}",
            _DETERMINISM_FIX,
        )


# ---------------------------------------------------------------------------
# Dispatch and collection
# ---------------------------------------------------------------------------


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


def checks_for(component: object) -> list[Check]:
    """The checks that apply to ``component``, in the order they are best run."""
    instance = _as_instance(component)
    kind = check_kind(instance)
    checks: list[Check]
    if kind == "indicators":
        checks = [
            check_indicator_attributes,
            check_compute_output,
            check_determinism,
            check_input_not_mutated,
            check_no_lookahead,
            check_nan_handling,
            check_pickle,
            check_clone,
        ]
        if isinstance(instance, ArrayIndicator):
            checks.append(check_compute_arrays_agrees)
        if isinstance(instance, StreamingIndicator):
            checks.append(check_streaming_agrees)
    elif kind == "models":
        checks = [
            check_fit_returns_self,
            check_predict_shapes,
            check_determinism,
            check_clone_is_unfitted,
            check_get_set_params,
            check_pickle,
            check_save_load,
            check_nan_handling,
        ]
    elif kind == "regime_detectors":
        checks = [
            check_fit_returns_self,
            check_predict_shapes,
            check_regime_labels,
            check_determinism,
            check_clone_is_unfitted,
            check_pickle,
            check_no_lookahead,
        ]
    elif kind == "retrain_triggers":
        checks = [check_trigger_decision, check_determinism, check_pickle]
    elif kind == "metrics":
        checks = [check_metric_attributes, check_metric_value, check_determinism]
        if getattr(instance, "needs", None) in ("labels", "proba"):
            checks.append(check_metric_perfect_beats_random)
        checks.append(check_pickle)
    elif kind == "data_sources":
        checks = [check_data_source_load, check_determinism]
    else:
        checks = [check_sentiment_capabilities]
        capabilities = getattr(instance, "capabilities", ())
        if isinstance(capabilities, Iterable) and "score" in capabilities:
            checks += [check_sentiment_score, check_sentiment_batch, check_determinism]
    return checks


def _bind(check: Check, data: object) -> Check:
    if data is None:
        return check
    bound = functools.partial(check, data=data)
    return functools.update_wrapper(bound, check)


def check_component(component: object, data: pd.DataFrame | None = None) -> None:
    """Run every applicable check; raise one AssertionError listing every failed check.

    For use outside pytest (a notebook, a script); in a test module prefer
    :func:`parametrize_with_checks`, which reports each check as its own test.
    """
    instance = _as_instance(component)
    checks = checks_for(instance)
    failures: list[str] = []
    for check in checks:
        try:
            check(instance, data)
        except AssertionError as error:
            failures.append(f"- {check.__name__}: {error}")
        except Exception as error:
            failures.append(f"- {check.__name__}: raised {type(error).__name__}: {error}")
    if failures:
        raise AssertionError(
            f"{component_id(instance)} failed {len(failures)} of {len(checks)} checks:\n"
            + "\n".join(failures)
        )


def parametrize_with_checks(
    components: Iterable[object], *, data: pd.DataFrame | None = None
) -> pytest.MarkDecorator:
    """A ``pytest.mark.parametrize("component, check", ...)`` over every applicable check
    of every component, with ids like ``RSI(period=14)-check_no_lookahead``::

        @parametrize_with_checks([RSI(period=14), MyModel()])
        def test_conformance(component, check):
            check(component)

    ``components`` are instances (or registry entries and factories needing no
    arguments); ``data`` is an OHLCV frame the checks run on instead of the default
    synthetic market.
    """
    import pytest

    params = []
    for component in components:
        instance = _as_instance(component)
        for check in checks_for(instance):
            params.append(
                pytest.param(
                    instance, _bind(check, data), id=f"{component_id(instance)}-{check.__name__}"
                )
            )
    return pytest.mark.parametrize(("component", "check"), params)
