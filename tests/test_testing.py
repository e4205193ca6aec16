"""mlcore.testing: the conformance checks pass on correct components, fail on broken ones,
and the pytest plugin's fixtures work."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlcore.builtins import metrics as builtin_metrics
from mlcore.builtins.triggers import DriftTrigger, PerformanceDecayTrigger, ScheduleTrigger
from mlcore.data import synthetic_ohlcv
from mlcore.protocols import (
    IndicatorBase,
    ModelBase,
    NanPolicy,
    RegimeDetectorBase,
    TriggerDecision,
    metric,
)
from mlcore.registry import Registry
from mlcore.testing import (
    check_clone_is_unfitted,
    check_component,
    check_compute_output,
    check_data_source_load,
    check_determinism,
    check_fit_returns_self,
    check_indicator_attributes,
    check_input_not_mutated,
    check_kind,
    check_metric_perfect_beats_random,
    check_metric_value,
    check_nan_handling,
    check_no_lookahead,
    check_pickle,
    check_regime_labels,
    check_sentiment_score,
    check_streaming_agrees,
    check_trigger_decision,
    checks_for,
    component_id,
    parametrize_with_checks,
)
from mlcore.testing import checks as checks_module
from mlcore.testing.checks._data import _default_ohlcv

try:
    from mlcore.builtins.data_sources import CsvSource, SyntheticSource
except ImportError:  # written by another change; the kernel should ship it
    CsvSource = SyntheticSource = None  # type: ignore[assignment,misc]

pytest_plugins = ["pytester"]

# ---------------------------------------------------------------------------
# Correct components, written the way a plugin author would
# ---------------------------------------------------------------------------


@attrs.frozen
class SMA(IndicatorBase):
    """Simple moving average of the close, with a streaming form."""

    name: ClassVar[str] = "sma"
    family: ClassVar[str] = "trend"
    nan_policy: ClassVar[NanPolicy] = "propagate"

    period: int = attrs.field(default=5, validator=attrs.validators.ge(1))
    _window: deque[float] = attrs.field(init=False, factory=deque, eq=False, repr=False)

    @property
    def warmup(self) -> int:
        return self.period - 1

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        values = ohlcv["close"].astype(float).rolling(self.period).mean()
        return pd.DataFrame({self.outputs[0]: values}, index=ohlcv.index)

    def reset(self) -> None:
        self._window.clear()

    def update(self, bar: Mapping[str, float]) -> Sequence[float]:
        self._window.append(bar["close"])
        if len(self._window) > self.period:
            self._window.popleft()
        if len(self._window) < self.period:
            return (float("nan"),)
        return (float(np.mean(self._window)),)


@attrs.frozen
class EMA(IndicatorBase):
    """Recursive exponential average: depends on the start of the data, never on its end."""

    name: ClassVar[str] = "ema"
    family: ClassVar[str] = "trend"
    nan_policy: ClassVar[NanPolicy] = "raise"
    input_columns: ClassVar[tuple[str, ...]] = ("high", "low")

    span: int = 10

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        mid = (ohlcv["high"] + ohlcv["low"]) / 2
        if mid.isna().any():
            raise ValueError(
                f"{self.outputs[0]}: high or low holds NaN at {mid.index[mid.isna()][0]}"
            )
        values = mid.ewm(span=self.span, adjust=False).mean()
        return pd.DataFrame({self.outputs[0]: values}, index=ohlcv.index)


@attrs.frozen
class RollingRange(IndicatorBase):
    """Two outputs, NaN skipped ("ignore")."""

    name: ClassVar[str] = "range"
    family: ClassVar[str] = "volatility"
    nan_policy: ClassVar[NanPolicy] = "ignore"
    input_columns: ClassVar[tuple[str, ...]] = ("high", "low")
    output_suffixes: ClassVar[tuple[str, ...]] = ("max", "min")

    period: int = 8

    @property
    def warmup(self) -> int:
        return self.period - 1

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        high = ohlcv["high"].rolling(self.period, min_periods=self.period - 1).max()
        low = ohlcv["low"].rolling(self.period, min_periods=self.period - 1).min()
        return pd.DataFrame(dict(zip(self.outputs, (high, low), strict=True)), index=ohlcv.index)


@attrs.define(slots=False)
class LogisticModel(ModelBase):
    """A scikit-learn logistic regression behind mlcore's Model protocol."""

    C: float = attrs.field(default=1.0, validator=attrs.validators.gt(0))

    def fit(self, X: Any, y: Any, **fit_params: Any) -> LogisticModel:
        from sklearn.linear_model import LogisticRegression

        self.model_ = LogisticRegression(C=self.C).fit(np.asarray(X, dtype=float), np.asarray(y))
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(self._fitted().predict(np.asarray(X, dtype=float)))

    def predict_proba(self, X: Any) -> np.ndarray:
        return np.asarray(self._fitted().predict_proba(np.asarray(X, dtype=float)))

    def _fitted(self) -> Any:
        if not self.is_fitted:
            raise ValueError("LogisticModel is not fitted; call fit(X, y) first")
        return self.model_


@attrs.define(slots=False)
class LinearRegressor(ModelBase):
    """A scikit-learn linear regression behind mlcore's Model protocol: a regressor."""

    task: ClassVar[str] = "regression"

    fit_intercept: bool = True

    def fit(self, X: Any, y: Any, **fit_params: Any) -> LinearRegressor:
        from sklearn.linear_model import LinearRegression

        self.model_ = LinearRegression(fit_intercept=self.fit_intercept).fit(
            np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        )
        return self

    def predict(self, X: Any) -> np.ndarray:
        if not self.is_fitted:
            raise ValueError("LinearRegressor is not fitted; call fit(X, y) first")
        return np.asarray(self.model_.predict(np.asarray(X, dtype=float)))

    # predict_proba is ModelBase's: it raises NotImplementedError


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return np.asarray(shifted / shifted.sum(axis=1, keepdims=True))


@attrs.define(slots=False)
class ToyRegimes(RegimeDetectorBase):
    """Bull/bear/sideways from a causal exponential average of returns (filtered)."""

    span: int = 5

    def fit(self, X: Any) -> ToyRegimes:
        self.scale_ = float(X["returns"].std())
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        if not self.is_fitted:
            raise ValueError("ToyRegimes is not fitted")
        z = X["returns"].ewm(span=self.span, adjust=False).mean().to_numpy() / self.scale_
        scores = np.column_stack([3 * z, -3 * z, 1 - 3 * np.abs(z)])
        return _softmax(scores)


@attrs.frozen
class LexiconScorer:
    """A sentiment adapter that scores texts from a tiny word list."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"score"})
    words: tuple[tuple[str, float], ...] = (("good", 1.0), ("bad", -1.0))

    def fetch(self, symbol: str, start: pd.Timestamp, end: pd.Timestamp) -> Sequence[Any]:
        raise NotImplementedError("LexiconScorer only scores")

    def score(self, texts: Sequence[str]) -> np.ndarray:
        lexicon = dict(self.words)
        return np.array([np.tanh(sum(lexicon.get(w, 0.0) for w in t.split())) for t in texts])


@metric(greater_is_better=True)
def hit_rate(y_true: Any, y_pred: Any) -> float:
    """Fraction of labels predicted right."""
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))


BUILTIN_METRICS = [getattr(builtin_metrics, name) for name in builtin_metrics.__all__]
BUILTIN_TRIGGERS = [
    ScheduleTrigger(every="7D"),
    ScheduleTrigger(bars=100),
    PerformanceDecayTrigger(),
    DriftTrigger(),
]
DATA_SOURCES = [] if SyntheticSource is None else [SyntheticSource(n=300, seed=1)]
LOCAL_COMPONENTS = [
    SMA(period=5),
    EMA(span=10),
    RollingRange(period=8),
    LogisticModel(C=0.5),
    LinearRegressor(),
    ToyRegimes(),
    LexiconScorer(),
    hit_rate,
]


@parametrize_with_checks([*BUILTIN_METRICS, *BUILTIN_TRIGGERS, *DATA_SOURCES])
def test_builtin_components_conform(component: object, check: Any) -> None:
    check(component)


@parametrize_with_checks(LOCAL_COMPONENTS)
def test_example_components_conform(component: object, check: Any) -> None:
    check(component)


def test_builtin_data_source_is_present() -> None:
    if SyntheticSource is None:
        pytest.skip("mlcore.builtins.data_sources is not written yet")
    assert check_kind(SyntheticSource()) == "data_sources"


def test_csv_source_conforms(tmp_path: Path) -> None:
    if CsvSource is None:
        pytest.skip("mlcore.builtins.data_sources is not written yet")
    path = tmp_path / "bars.csv"
    synthetic_ohlcv(n=120, seed=4).ohlcv.to_csv(path)
    check_component(CsvSource(path))


# ---------------------------------------------------------------------------
# The suite's own API
# ---------------------------------------------------------------------------


def test_ids_name_the_component_and_the_check() -> None:
    mark = parametrize_with_checks([SMA(period=14), builtin_metrics.accuracy])
    ids = [param.id for param in mark.args[1]]
    assert "SMA(period=14)-check_no_lookahead" in ids
    assert "SMA(period=14)-check_streaming_agrees" in ids
    assert "accuracy-check_metric_value" in ids
    assert mark.args[0] == ("component", "check")


@attrs.frozen
class Spy(SMA):
    """Records the length of every frame it computes on."""

    seen: ClassVar[list[int]] = []

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        self.seen.append(len(ohlcv))
        return super().compute(ohlcv)


def test_injected_data_reaches_every_check(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = synthetic_ohlcv(n=80, seed=3).ohlcv
    seen: list[int] = []
    monkeypatch.setattr(Spy, "seen", seen)
    mark = parametrize_with_checks([Spy(period=3)], data=frame)
    for param in mark.args[1]:
        component, check = param.values
        check(component)
    assert max(seen) == 80
    assert [p.values[1].__name__ for p in mark.args[1]] == [c.__name__ for c in checks_for(Spy())]


def test_checks_for_depends_on_the_kind() -> None:
    names = {c.__name__ for c in checks_for(SMA())}
    assert {"check_no_lookahead", "check_streaming_agrees", "check_input_not_mutated"} <= names
    assert "check_streaming_agrees" not in {c.__name__ for c in checks_for(EMA())}
    model_checks = {c.__name__ for c in checks_for(LogisticModel())}
    assert {"check_fit_returns_self", "check_save_load", "check_get_set_params"} <= model_checks
    regime_checks = {c.__name__ for c in checks_for(ToyRegimes())}
    assert {"check_no_lookahead", "check_regime_labels"} <= regime_checks
    returns_metric = metric(needs="returns")(lambda y_true, y_pred: float(np.mean(y_pred)))
    assert "check_metric_perfect_beats_random" not in {
        c.__name__ for c in checks_for(returns_metric)
    }


@pytest.mark.parametrize(
    ("component", "kind"),
    [
        (SMA(), "indicators"),
        (LogisticModel(), "models"),
        (ToyRegimes(), "regime_detectors"),
        (DriftTrigger(), "retrain_triggers"),
        (builtin_metrics.accuracy, "metrics"),
        (LexiconScorer(), "sentiment_adapters"),
        (SMA, "indicators"),  # a class that needs no arguments is built
    ],
)
def test_check_kind(component: object, kind: str) -> None:
    assert check_kind(component) == kind


def test_check_kind_accepts_registry_entries() -> None:
    registry: Registry[Any] = Registry("metrics")
    entry = registry.add("accuracy", "mlcore.builtins.metrics:accuracy")
    assert check_kind(entry) == "metrics"
    indicators: Registry[Any] = Registry("indicators")
    assert check_kind(indicators.add("sma", SMA)) == "indicators"


def test_check_kind_names_missing_methods() -> None:
    class HalfModel:
        def fit(self, X: Any, y: Any) -> HalfModel:
            return self

        def predict(self, X: Any) -> np.ndarray:
            return np.zeros(len(X))

    with pytest.raises(TypeError, match=r"HalfModel.*not an mlcore component") as info:
        check_kind(HalfModel())
    assert "models lacks predict_proba, save, load" in str(info.value)
    with pytest.raises(TypeError, match="cannot be built without arguments"):
        check_kind(ScheduleTrigger)


def test_a_check_for_another_kind_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="check_no_lookahead applies to indicators"):
        check_no_lookahead(builtin_metrics.accuracy)


def test_check_component_lists_every_failure() -> None:
    check_component(SMA(period=4))
    with pytest.raises(AssertionError) as info:
        check_component(CentredSMA(period=4))
    message = str(info.value)
    assert "failed 4 of 9 checks" in message
    failing = ("compute_output", "no_lookahead", "nan_handling", "streaming_agrees")
    for name in (f"check_{suffix}" for suffix in failing):
        assert f"- {name}:" in message


@attrs.define(slots=False)
class TargetSpy(LinearRegressor):
    """Records every (X, y) it is fit on."""

    seen: ClassVar[list[tuple[pd.DataFrame, pd.Series]]] = []

    def fit(self, X: Any, y: Any, **fit_params: Any) -> TargetSpy:
        self.seen.append((X, y))
        return super().fit(X, y)  # type: ignore[return-value]


def test_a_regressor_passes_every_model_check_on_a_continuous_target(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[pd.DataFrame, pd.Series]] = []
    monkeypatch.setattr(TargetSpy, "seen", seen)
    regressor = TargetSpy()
    names = [c.__name__ for c in checks_for(regressor)]
    assert names == [c.__name__ for c in checks_for(LogisticModel())]
    check_component(regressor)  # predict_proba raises NotImplementedError: never called
    # The target is the next bar's log return of the default check market.
    close = synthetic_ohlcv(n=checks_module.DEFAULT_BARS, seed=checks_module.DEFAULT_SEED).ohlcv[
        "close"
    ]
    next_return = np.log(close).diff().shift(-1)
    X, y = seen[0]
    assert len(y) == checks_module.MODEL_ROWS
    np.testing.assert_allclose(y.to_numpy(), next_return.loc[X.index].to_numpy(), rtol=1e-12)
    assert y.nunique() == len(y)  # continuous, not 0/1 labels
    assert all(fit_y.dtype.kind == "f" for _, fit_y in seen)


def test_a_model_without_task_is_checked_as_a_classifier(monkeypatch: pytest.MonkeyPatch) -> None:
    assert LogisticModel().task == "classification"  # ModelBase's default
    # Duck-typed models declare nothing: without the attribute, the checks assume a classifier.
    monkeypatch.delattr(ModelBase, "task")
    monkeypatch.delattr(LinearRegressor, "task")
    assert not hasattr(LogisticModel(), "task")
    checks_module.check_predict_shapes(LogisticModel())
    with pytest.raises(AssertionError, match=r"predict_proba\(X\) raised NotImplementedError"):
        check_determinism(LinearRegressor())


def test_checks_leave_the_shared_default_data_alone() -> None:
    before = _default_ohlcv().copy(deep=True)
    with pytest.raises(AssertionError):
        check_input_not_mutated(MutatesInput())
    pd.testing.assert_frame_equal(_default_ohlcv(), before, check_exact=True)


# ---------------------------------------------------------------------------
# Broken components fail the matching check
# ---------------------------------------------------------------------------


@attrs.frozen
class CentredSMA(SMA):
    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        values = ohlcv["close"].rolling(self.period, center=True).mean()
        return pd.DataFrame({self.outputs[0]: values}, index=ohlcv.index)


@attrs.frozen
class LastUpClose(IndicatorBase):
    """Meant to carry the last up-close forward, but fills backwards."""

    name: ClassVar[str] = "last_up"

    @property
    def warmup(self) -> int:
        return 1

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        close = ohlcv["close"]
        values = close.where(close.diff() > 0).bfill()
        return pd.DataFrame({self.outputs[0]: values}, index=ohlcv.index)


@attrs.frozen
class WholeSeriesZScore(IndicatorBase):
    """Standardises with the mean and std of the whole series: finite everywhere, yet
    every row uses the future."""

    name: ClassVar[str] = "zscore"

    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        close = ohlcv["close"]
        return pd.DataFrame({self.outputs[0]: (close - close.mean()) / close.std()})


@attrs.frozen
class MutatesInput(SMA):
    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        ohlcv["return"] = ohlcv["close"].pct_change()
        return super().compute(ohlcv)


@attrs.frozen
class Jittery(SMA):
    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        noise = np.random.default_rng().normal(0, 1e-9, len(ohlcv))
        result = super().compute(ohlcv)
        return result + noise[:, None]


@attrs.frozen
class StreamingOffByOne(SMA):
    def update(self, bar: Mapping[str, float]) -> Sequence[float]:
        self._window.append(bar["close"])
        if len(self._window) > self.period + 1:
            self._window.popleft()
        if len(self._window) < self.period:
            return (float("nan"),)
        return (float(np.mean(self._window)),)


@attrs.frozen
class ClaimsToRaise(SMA):
    nan_policy: ClassVar[NanPolicy] = "raise"


@attrs.frozen
class ClaimsToIgnore(SMA):
    nan_policy: ClassVar[NanPolicy] = "ignore"


@attrs.frozen
class Unnamed(SMA):
    family: ClassVar[str] = ""


@attrs.frozen
class IntegerOutput(SMA):
    def compute(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        return super().compute(ohlcv).fillna(0).round().astype("int64")


@attrs.define(slots=False)
class FitReturnsNone(LogisticModel):
    def fit(self, X: Any, y: Any, **fit_params: Any) -> Any:
        super().fit(X, y)
        return None


@attrs.define(slots=False)
class ForgetfulClone(LogisticModel):
    """Keeps its fitted estimator in a constructor field, so clones carry it over."""

    estimator: Any = None

    def fit(self, X: Any, y: Any, **fit_params: Any) -> ForgetfulClone:
        from sklearn.linear_model import LogisticRegression

        self.estimator = LogisticRegression(C=self.C).fit(np.asarray(X, float), np.asarray(y))
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(self.estimator.predict(np.asarray(X, float)))

    def predict_proba(self, X: Any) -> np.ndarray:
        return np.asarray(self.estimator.predict_proba(np.asarray(X, float)))


@attrs.define(slots=False)
class FillsNaN(LogisticModel):
    """Declares nothing (so 'raise') but silently replaces NaN by 0."""

    def fit(self, X: Any, y: Any, **fit_params: Any) -> FillsNaN:
        return super().fit(np.nan_to_num(np.asarray(X, float)), y)  # type: ignore[return-value]

    def predict(self, X: Any) -> np.ndarray:
        return super().predict(np.nan_to_num(np.asarray(X, float)))


@attrs.define(slots=False)
class RandomModel(LogisticModel):
    def predict_proba(self, X: Any) -> np.ndarray:
        p = np.random.default_rng().uniform(size=len(X))
        return np.column_stack([1 - p, p])


@attrs.define(slots=False)
class NoisyRegressor(LinearRegressor):
    """predict() adds fresh noise at every call: not deterministic."""

    def predict(self, X: Any) -> np.ndarray:
        noise = np.random.default_rng().normal(scale=1e-6, size=len(X))
        return super().predict(X) + noise


@attrs.define(slots=False)
class RoundingRegressor(LinearRegressor):
    """predict() gives integers: the sign of the prediction."""

    def predict(self, X: Any) -> np.ndarray:
        return np.sign(super().predict(X)).astype(np.int64)


@attrs.define(slots=False)
class ForecastTask(LinearRegressor):
    task: ClassVar[str] = "forecast"


@attrs.define(slots=False)
class SmoothedRegimes(ToyRegimes):
    """Standardises returns over the whole input it is given: smoothing, not filtering."""

    def predict_proba(self, X: Any) -> np.ndarray:
        returns = X["returns"]
        z = ((returns - returns.mean()) / returns.std()).to_numpy()
        return _softmax(np.column_stack([z, -z, 1 - np.abs(z)]))


@attrs.define(slots=False)
class ViterbiLabels(ToyRegimes):
    """predict() is not the arg-max of the filtered probabilities."""

    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(self.predict_proba(X).argmin(axis=1))


@attrs.define(slots=False)
class UnnormalisedRegimes(ToyRegimes):
    def predict_proba(self, X: Any) -> np.ndarray:
        return super().predict_proba(X) * 2


@metric(greater_is_better=True)
def always_nan(y_true: Any, y_pred: Any) -> float:
    return float("nan")


@metric(greater_is_better=False)
def hit_rate_upside_down(y_true: Any, y_pred: Any) -> float:
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))


@attrs.frozen
class NumpyBoolTrigger:
    def check(self, state: Any) -> TriggerDecision:
        return TriggerDecision(np.bool_(state.bars_since_training > 10), "many bars")  # type: ignore[arg-type]


@attrs.frozen
class NaiveIndexSource:
    def load(self) -> pd.DataFrame:
        frame = synthetic_ohlcv(n=50, seed=2).ohlcv
        return frame.tz_localize(None)


@attrs.frozen
class LoudScorer(LexiconScorer):
    def score(self, texts: Sequence[str]) -> np.ndarray:
        return super().score(texts) * 5


BROKEN_CASES: list[tuple[Any, object, str | None]] = [
    (check_no_lookahead, CentredSMA(period=5), "check_no_lookahead.*uses later bars"),
    (check_no_lookahead, LastUpClose(), "check_no_lookahead.*uses later bars"),
    (check_no_lookahead, WholeSeriesZScore(), "check_no_lookahead.*uses later bars"),
    (check_input_not_mutated, MutatesInput(), "check_input_not_mutated.*changed the frame"),
    (check_determinism, Jittery(), "check_determinism.*differs"),
    (check_streaming_agrees, StreamingOffByOne(period=4), "check_streaming_agrees.*update"),
    (check_nan_handling, ClaimsToRaise(), "nan_policy is 'raise' but compute"),
    (check_nan_handling, ClaimsToIgnore(), "nan_policy is 'ignore' but a NaN"),
    (check_indicator_attributes, Unnamed(), "family is ''"),
    (check_compute_output, IntegerOutput(), "not of a float dtype"),
    (check_compute_output, CentredSMA(period=5), "at or after warmup"),
    (check_fit_returns_self, FitReturnsNone(), "fit\\(\\) returned NoneType"),
    (check_clone_is_unfitted, ForgetfulClone(), "is_fitted is False after fit"),
    (check_nan_handling, FillsNaN(), "accepted a NaN in X"),
    (check_determinism, RandomModel(), "check_determinism.*differs"),
    (check_determinism, NoisyRegressor(), r"check_determinism: predict\(X\) .*differs"),
    (check_pickle, NoisyRegressor(), "predicts differently after a pickle round trip"),
    (check_determinism, LinearRegressor(), None),
    (checks_module.check_predict_shapes, RoundingRegressor(), "returned dtype int64"),
    (check_fit_returns_self, ForecastTask(), "task is 'forecast'"),
    (check_no_lookahead, SmoothedRegimes(), "check_no_lookahead.*uses later bars"),
    (check_regime_labels, ViterbiLabels(), "arg-max"),
    (check_fit_returns_self, ToyRegimes(), None),
    (checks_module.check_predict_shapes, UnnormalisedRegimes(), "sums to 2"),
    (check_metric_value, always_nan, "always_nan failed check_metric_value.*nan"),
    (check_metric_perfect_beats_random, hit_rate_upside_down, "perfect predictions"),
    (check_trigger_decision, NumpyBoolTrigger(), r"fire is np.False_ \(numpy.bool\)"),
    (check_data_source_load, NaiveIndexSource(), "check_data_source_load"),
    (check_sentiment_score, LoudScorer(), "finite and lie in \\[-1, 1\\]"),
    (check_pickle, metric()(lambda y_true, y_pred: 0.5), "pickle.dumps raised"),
]


@pytest.mark.parametrize(
    ("check", "component", "match"),
    [
        pytest.param(*case, id=f"{component_id(case[1])}-{case[0].__name__}")
        for case in BROKEN_CASES
    ],
)
def test_broken_components_fail_the_matching_check(
    check: Any, component: object, match: str | None
) -> None:
    if match is None:  # a control: the correct component passes the same check
        check(component)
        return
    with pytest.raises(AssertionError, match=match) as info:
        check(component)
    assert "Fix:" in str(info.value)


def test_broken_indicators_pass_the_checks_they_do_not_break() -> None:
    # the look-ahead check is the one that catches them, not a side effect of another
    for broken in (LastUpClose(), WholeSeriesZScore(), CentredSMA()):
        check_determinism(broken)
        check_input_not_mutated(broken)
        check_pickle(broken)
    check_compute_output(WholeSeriesZScore())
    check_no_lookahead(MutatesInput())
    check_streaming_agrees(Jittery())


# ---------------------------------------------------------------------------
# The pytest plugin
# ---------------------------------------------------------------------------

_FIXTURE_TESTS = """
import pandas as pd
from mlcore.data import synthetic_ohlcv
from mlcore.host import PluginHost


def test_host(mlcore_host):
    assert isinstance(mlcore_host, PluginHost)
    assert "accuracy" in mlcore_host.metrics


def test_hosts_are_fresh(mlcore_host):
    mlcore_host.metrics.add("only_here", "mlcore.builtins.metrics:accuracy")


def test_hosts_are_fresh_again(mlcore_host):
    assert "only_here" not in mlcore_host.metrics


def test_frame(ohlcv_frame, request):
    seed = request.config.getoption("mlcore_seed")
    expected = synthetic_ohlcv(n=500, seed=seed).ohlcv
    pd.testing.assert_frame_equal(ohlcv_frame, expected)
    assert str(ohlcv_frame.index.tz) == "UTC"


def test_factory(ohlcv_factory):
    frame = ohlcv_factory(n=48, seed=3, freq="1h")
    assert len(frame) == 48
    assert (frame.index[1] - frame.index[0]) == pd.Timedelta("1h")
    pd.testing.assert_frame_equal(ohlcv_factory(), synthetic_ohlcv(n=500, seed=0).ohlcv)
"""


def _run_fixture_tests(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_fixtures=_FIXTURE_TESTS)
    return pytester.runpytest(
        "-p",
        "mlcore.testing.pytest_plugin",
        "-W",
        "error::mlcore.errors.MlcorePluginWarning",
        *args,
    )


@pytest.fixture
def isolated_pytester(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> pytest.Pytester:
    # load the plugin with -p whether or not mlcore's pytest11 entry point is installed
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    for variable in ("MLCORE_LOAD_PLUGINS", "MLCORE_STRICT_PLUGINS"):
        monkeypatch.delenv(variable, raising=False)
    return pytester


def test_plugin_fixtures(isolated_pytester: pytest.Pytester) -> None:
    result = _run_fixture_tests(isolated_pytester)
    result.assert_outcomes(passed=5)


def test_plugin_seed_option(isolated_pytester: pytest.Pytester) -> None:
    result = _run_fixture_tests(isolated_pytester, "--mlcore-seed", "11", "-k", "frame")
    result.assert_outcomes(passed=1, deselected=4)


def test_plugin_option_is_documented(isolated_pytester: pytest.Pytester) -> None:
    result = isolated_pytester.runpytest("-p", "mlcore.testing.pytest_plugin", "--help")
    result.stdout.fnmatch_lines(["*--mlcore-seed*"])


def test_host_fixture_survives_broken_plugins(
    isolated_pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    import warnings

    from mlcore.errors import MlcorePluginWarning
    from mlcore.host import PluginHost

    original = PluginHost.load

    def load_with_a_broken_plugin(self: PluginHost) -> PluginHost:
        warnings.warn("mlcore plugin failed to load: broken 0.1", MlcorePluginWarning, stacklevel=2)
        return original(self)

    monkeypatch.setattr(PluginHost, "load", load_with_a_broken_plugin)
    result = _run_fixture_tests(isolated_pytester, "-k", "host")
    result.assert_outcomes(passed=3, deselected=2)


def test_plugin_module_imports_nothing_heavy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, mlcore.testing.pytest_plugin; "
        "print(sorted(m for m in ('sklearn', 'mlcore.testing.checks') "
        "if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[1]
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    ).stdout
    assert output.strip() == "[]"


# ---------------------------------------------------------------------------
# No false alarms: correct causal indicators pass on any market
# ---------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    period=st.integers(min_value=1, max_value=30),
    seed=st.integers(min_value=0, max_value=10_000),
    bars=st.integers(min_value=60, max_value=200),
)
def test_causal_indicators_pass_on_any_market(period: int, seed: int, bars: int) -> None:
    market = synthetic_ohlcv(n=bars, seed=seed)
    for indicator in (SMA(period=period), EMA(span=period), RollingRange(period=period + 1)):
        check_no_lookahead(indicator, data=market.ohlcv)
        check_nan_handling(indicator, data=market)
    check_streaming_agrees(SMA(period=period), data=market.ohlcv)
