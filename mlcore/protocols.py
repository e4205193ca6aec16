"""What each kind of component looks like, and optional attrs base classes.

The kinds are :class:`typing.Protocol` s: a plugin author need not inherit from anything.
The base classes follow scikit-learn's conventions with attrs: hyperparameters are attrs
fields with validators, fitted state ends in ``_`` and is never an ``__init__`` argument,
``fit`` returns ``self``, ``get_params``/``set_params`` derive from :func:`attrs.fields`,
and :meth:`ComponentBase.clone` (``attrs.evolve``) gives an unfitted copy.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Literal, Protocol, Self, runtime_checkable

import attrs
import joblib
import numpy as np
import pandas as pd

from mlcore._imports import import_attribute

__all__ = [
    "ArrayIndicator",
    "ComponentBase",
    "DataSource",
    "Indicator",
    "IndicatorBase",
    "Metric",
    "MetricFunction",
    "Model",
    "ModelBase",
    "ModelTask",
    "NanPolicy",
    "RegimeDetector",
    "RegimeDetectorBase",
    "RetrainState",
    "RetrainTrigger",
    "SentimentAdapter",
    "StreamingIndicator",
    "TriggerDecision",
    "metric",
]

#: How a component treats NaN in its inputs: ``propagate`` gives NaN where an input is
#: NaN (and possibly after), ``ignore`` skips missing values, ``raise`` refuses them.
NanPolicy = Literal["propagate", "ignore", "raise"]

#: What a model predicts: ``classification`` (labels; ``predict_proba`` gives per-class
#: probabilities) or ``regression`` (``predict`` gives floats; no probabilities).
ModelTask = Literal["classification", "regression"]


# ---------------------------------------------------------------------------
# Protocols
# ---------------------------------------------------------------------------


@runtime_checkable
class Indicator(Protocol):
    """A pure, vectorized transformation of OHLCV bars into feature columns.

    ``compute`` returns a frame on the input's index with one column per name in
    ``outputs``. Row ``t`` depends only on rows up to ``t``; rows before ``warmup`` may be
    NaN.
    """

    family: ClassVar[str]
    nan_policy: ClassVar[NanPolicy]

    @property
    def inputs(self) -> tuple[str, ...]: ...

    @property
    def outputs(self) -> tuple[str, ...]: ...

    @property
    def warmup(self) -> int: ...

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame: ...


@runtime_checkable
class ArrayIndicator(Indicator, Protocol):
    """An indicator that also computes straight from numpy arrays, without a DataFrame.

    ``compute_arrays`` receives a mapping from column name to a float64 array (at least the
    ``inputs``; arrays may be read-only) and returns one array per name in ``outputs``,
    equal to ``compute``'s columns. Feature pipelines call it to skip per-indicator frames.
    """

    def compute_arrays(self, inputs: Mapping[str, np.ndarray]) -> Sequence[np.ndarray]: ...


@runtime_checkable
class StreamingIndicator(Indicator, Protocol):
    """An indicator that also updates one bar at a time, agreeing with ``compute`` to 1e-9.

    ``update`` takes a mapping of the ``inputs`` columns for one bar and returns the
    ``outputs`` values for it; ``reset`` forgets every bar seen. The state lives in a private
    attrs field (``init=False, eq=False``), so ``clone()`` gives an independent stream.
    """

    def reset(self) -> None: ...

    def update(self, bar: Mapping[str, float]) -> Sequence[float]: ...


@runtime_checkable
class Model(Protocol):
    """A supervised model with scikit-learn's conventions.

    ``fit(X, y)`` returns the model; ``predict(X)`` gives one value per row; ``save(path)``
    and ``load(path)`` round-trip a fitted model. A model may declare a class attribute
    ``task`` (:data:`ModelTask`): ``"classification"`` (the default when absent; ``predict``
    gives labels and ``predict_proba`` one column per class, in ``classes_`` order) or
    ``"regression"`` (``predict`` gives floats; ``predict_proba`` may raise
    ``NotImplementedError``). The conformance checks in :mod:`mlcore.testing` fit and
    compare a model according to its ``task``.
    """

    def fit(self, X: Any, y: Any, **fit_params: Any) -> Self: ...

    def predict(self, X: Any) -> np.ndarray: ...

    def predict_proba(self, X: Any) -> np.ndarray: ...

    def save(self, path: str | os.PathLike[str]) -> None: ...

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Self: ...


@runtime_checkable
class RegimeDetector(Protocol):
    """Assigns each bar a market regime: 0 bull, 1 bear, 2 sideways, extra states after.

    ``predict_proba`` for row ``t`` uses rows up to ``t`` only (filtered, not smoothed).
    """

    n_regimes: int

    def fit(self, X: Any) -> Self: ...

    def predict(self, X: Any) -> np.ndarray: ...

    def predict_proba(self, X: Any) -> np.ndarray: ...


@runtime_checkable
class SentimentAdapter(Protocol):
    """Fetches timestamped texts for a symbol and/or scores texts in [-1, 1].

    ``capabilities`` says which of the two it does: ``{"fetch"}``, ``{"score"}`` or both.
    ``fetch(symbol, start, end)`` returns :class:`mlcore.sentiment.SentimentItem` s of that
    symbol published in [start, end] (UTC timestamps), without a ``score`` where the
    provider gives none; it raises :class:`~mlcore.errors.SentimentSourceError` when the
    source fails. ``score(texts)`` returns a float array with one score per text, in
    order, in [-1, 1] (an empty array for no texts). A scorer may also define
    ``for_source(source) -> SentimentAdapter``, the scorer to use for that source's
    texts (VADER for social posts, a financial lexicon for news); the kernel calls it
    when present. An adapter that cannot do one of the two raises NotImplementedError.
    """

    capabilities: ClassVar[frozenset[str]]

    def fetch(self, symbol: str, start: pd.Timestamp, end: pd.Timestamp) -> Sequence[Any]: ...

    def score(self, texts: Sequence[str]) -> np.ndarray: ...


@attrs.frozen
class RetrainState:
    """What a retraining trigger looks at."""

    now: pd.Timestamp
    last_trained_at: pd.Timestamp | None = None
    bars_since_training: int = 0
    baseline_score: float | None = None
    recent_score: float | None = None
    drift_score: float | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class TriggerDecision:
    """A trigger's verdict: whether to retrain, and why in words a person reads in a log."""

    fire: bool
    reason: str


@runtime_checkable
class RetrainTrigger(Protocol):
    """Decides whether a model should be retrained now."""

    def check(self, state: RetrainState) -> TriggerDecision: ...


@runtime_checkable
class Metric(Protocol):
    """A score: ``metric(y_true, y_pred, **kwargs) -> float``.

    ``needs`` says what ``y_pred`` holds: ``labels``, ``proba`` (positive-class or per-class
    probabilities), ``returns`` (the metric scores a series of simple periodic returns on a
    DatetimeIndex; ``y_true`` is a benchmark's returns or None) or ``trades`` (a validated
    trade history, see :func:`mlcore.analytics.trades.validate_trades`; ``y_true`` is None).
    Performance analytics pass a ``returns`` or ``trades`` metric the conventions it names
    as keyword parameters (``risk_free_rate``, ``periods_per_year`` ...).
    """

    name: str
    greater_is_better: bool
    needs: str

    def __call__(self, y_true: Any, y_pred: Any, **kwargs: Any) -> float: ...


@runtime_checkable
class DataSource(Protocol):
    """Loads market data as a frame that satisfies the OHLCV contract."""

    def load(self) -> pd.DataFrame: ...


# ---------------------------------------------------------------------------
# Optional base classes
# ---------------------------------------------------------------------------


class ComponentBase:
    """Parameters from attrs fields; subclasses are attrs classes."""

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters and their current values."""
        return {
            f.alias or f.name: getattr(self, f.name)
            for f in attrs.fields(type(self))  # type: ignore[arg-type]
            if f.init
        }

    def set_params(self, **params: Any) -> Self:
        """Update parameters (validated) and return the component.

        Frozen components (indicators) return an updated copy; use the return value.
        """
        known = self.get_params()
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise ValueError(
                f"{type(self).__name__} has no parameter {', '.join(map(repr, unknown))}; "
                f"its parameters are: {', '.join(known) or 'none'}"
            )
        try:
            for name, value in params.items():
                setattr(self, name, value)
        except attrs.exceptions.FrozenInstanceError:
            return attrs.evolve(self, **params)  # type: ignore[misc]
        attrs.validate(self)  # type: ignore[arg-type]
        return self

    def clone(self) -> Self:
        """An unfitted copy with the same parameters."""
        return attrs.evolve(self)  # type: ignore[misc]


@attrs.frozen
class IndicatorBase(ComponentBase):
    """Base for indicators: a frozen attrs class of parameters and a ``compute``.

    Subclasses set ``name`` (the registered name, the stem of feature names), ``family``,
    ``inputs`` and implement ``compute``; ``outputs`` defaults to ``<name>_<params>``
    (``rsi_14``, ``bb_upper_20_2``) and ``warmup`` to 0. ``default_parameters`` lists the
    parameter sets a default feature set computes (``({"period": 7}, {"period": 14})``).
    """

    name: ClassVar[str] = "indicator"
    family: ClassVar[str] = "other"
    nan_policy: ClassVar[NanPolicy] = "propagate"
    input_columns: ClassVar[tuple[str, ...]] = ("close",)
    output_suffixes: ClassVar[tuple[str, ...]] = ("",)
    default_parameters: ClassVar[tuple[Mapping[str, Any], ...]] = ({},)

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.input_columns

    @functools.cached_property
    def outputs(self) -> tuple[str, ...]:
        # Cached: the parameters of a frozen indicator never change.
        return tuple(self.feature_name(suffix) for suffix in self.output_suffixes)

    @property
    def warmup(self) -> int:
        return 0

    def feature_name(self, suffix: str = "") -> str:
        """``<name>[_<suffix>]_<param values>``: ``feature_name("upper")`` -> ``bb_upper_20_2``."""
        parts = [self.name, suffix, *(_format_param(v) for v in self.get_params().values())]
        return "_".join(p for p in parts if p)

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        raise NotImplementedError


def _format_param(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace(".", "p") if isinstance(value, float) else str(value)


class _FittedMixin(ComponentBase):
    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the fitted component with joblib."""
        joblib.dump(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Self:
        """Read a component written by :meth:`save`; only load files you trust."""
        obj = joblib.load(path)
        if not isinstance(obj, cls):
            raise TypeError(f"{os.fspath(path)} holds a {type(obj).__name__}, not a {cls.__name__}")
        return obj

    @property
    def is_fitted(self) -> bool:
        """Whether ``fit`` has run: some attribute ending in ``_`` is set."""
        return any(k.endswith("_") and not k.startswith("_") for k in vars(self))


@attrs.define(slots=False)
class ModelBase(_FittedMixin):
    """Base for models; subclasses implement ``fit``, ``predict`` and ``predict_proba``.

    ``task`` says what the model predicts: a classifier keeps the default
    ``"classification"``; a regressor sets ``task = "regression"`` and need not implement
    ``predict_proba`` (it raises ``NotImplementedError``).
    """

    task: ClassVar[str] = "classification"

    def fit(self, X: Any, y: Any, **fit_params: Any) -> Self:
        raise NotImplementedError

    def predict(self, X: Any) -> np.ndarray:
        raise NotImplementedError

    def predict_proba(self, X: Any) -> np.ndarray:
        raise NotImplementedError


@attrs.define(slots=False)
class RegimeDetectorBase(_FittedMixin):
    """Base for regime detectors; ``predict`` is the arg-max of ``predict_proba``."""

    n_regimes: int = attrs.field(default=3, validator=attrs.validators.ge(2))

    def fit(self, X: Any) -> Self:
        raise NotImplementedError

    def predict_proba(self, X: Any) -> np.ndarray:
        raise NotImplementedError

    def predict(self, X: Any) -> np.ndarray:
        labels: np.ndarray = np.asarray(self.predict_proba(X)).argmax(axis=1)
        return labels


@attrs.frozen
class MetricFunction:
    """A plain function wrapped as a :class:`Metric`; build it with :func:`metric`."""

    function: Callable[..., float] = attrs.field(repr=False)
    name: str
    greater_is_better: bool = True
    needs: str = attrs.field(
        default="labels",
        validator=attrs.validators.in_(("labels", "proba", "returns", "trades")),
    )

    def __call__(self, y_true: Any, y_pred: Any, **kwargs: Any) -> float:
        return float(self.function(y_true, y_pred, **kwargs))

    @property
    def __doc__(self) -> str | None:  # type: ignore[override]
        return self.function.__doc__

    def __reduce__(self) -> tuple[Any, ...]:
        # ``@metric`` puts this object where the function was, so pickle it by name.
        module, qualname = self.function.__module__, self.function.__qualname__
        if getattr(sys.modules.get(module), qualname, None) is self:
            return (import_attribute, (module, qualname))
        return (MetricFunction, (self.function, self.name, self.greater_is_better, self.needs))


def metric(
    name: str | None = None, *, greater_is_better: bool = True, needs: str = "labels"
) -> Callable[[Callable[..., float]], MetricFunction]:
    """Turn ``f(y_true, y_pred, **kwargs) -> float`` into a :class:`Metric`.

    >>> @metric(greater_is_better=True)
    ... def hit_rate(y_true, y_pred):
    ...     return float((y_true == y_pred).mean())
    """

    def wrap(function: Callable[..., float]) -> MetricFunction:
        return MetricFunction(
            function=function,
            name=name or function.__name__,
            greater_is_better=greater_is_better,
            needs=needs,
        )

    return wrap
