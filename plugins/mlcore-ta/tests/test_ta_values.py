"""Values: every wrapper equals ``ta`` called directly, and agrees with TA-Lib where both
define the same indicator.

The reference is ``ta`` on a ``RangeIndex`` frame (what ``ta`` is written for), on the
S&P 500 daily bars bundled with ``arch`` and on synthetic daily and 5-minute markets.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from mlcore_ta._table import FIXED_ARGUMENTS, TA_INDICATORS, TaSpec
from mlcore_ta.indicators import WRAPPERS, wrapper_for

from mlcore import DataValidationError
from mlcore.data import synthetic_ohlcv

ta = pytest.importorskip("ta")

DATASETS = ("sp500", "synthetic_daily", "synthetic_5min")


@functools.cache
def sp500() -> pd.DataFrame:
    module = pytest.importorskip("arch.data.sp500", reason="the S&P 500 bars come with arch")
    raw = module.load()
    frame = raw[["Open", "High", "Low", "Close", "Volume"]].rename(columns=str.lower)
    frame = frame.astype("float64")
    frame.index = pd.DatetimeIndex(frame.index).tz_localize("UTC").rename("timestamp")
    return frame


@functools.cache
def dataset(name: str) -> pd.DataFrame:
    if name == "sp500":
        return sp500()
    freq = {"synthetic_daily": "1D", "synthetic_5min": "5min"}[name]
    return synthetic_ohlcv(1000, seed=11, freq=freq).ohlcv


def reference(spec: TaSpec, frame: pd.DataFrame, params: dict[str, Any]) -> np.ndarray:
    """``ta`` called directly on a RangeIndex copy, one column per exposed output."""
    plain = frame.reset_index(drop=True)
    module, _, name = spec.ta_class.partition(":")
    cls = getattr(__import__(module, fromlist=[name]), name)
    computed = cls(
        **{column: plain[column] for column in spec.inputs},
        **params,
        **spec.fixed,
        **FIXED_ARGUMENTS,
    )
    return np.column_stack([getattr(computed, method)().to_numpy() for _, method in spec.outputs])


def other_parameters(spec: TaSpec) -> dict[str, Any]:
    """A non-default parameter set: shorter windows, wider multipliers, flipped flags."""
    params: dict[str, Any] = {}
    for param in spec.params:
        default = spec.default_parameters[0].get(param.name, param.default)
        params[param.name] = {
            "window": lambda d: max(2, d // 2 + 1),
            "lag": lambda d: d + 2,
            "number": lambda d: d * 1.5,
            "flag": lambda d: not d,
            "optional_window": lambda d: 5 if d is None else None,
        }[param.kind](default)
    return params


CASES = [
    pytest.param(spec, dataset_name, id=f"{spec.name}-{dataset_name}")
    for spec in TA_INDICATORS
    for dataset_name in DATASETS
]


@pytest.mark.parametrize(("spec", "dataset_name"), CASES)
def test_each_wrapper_equals_ta_called_directly(spec, dataset_name):
    frame = dataset(dataset_name)
    indicator = WRAPPERS[spec.name](**spec.default_parameters[0])
    result = indicator.compute(frame)
    assert list(result.columns) == list(indicator.outputs)
    assert result.index.equals(frame.index)
    assert (result.dtypes == np.float64).all()
    expected = reference(spec, frame, indicator.get_params())
    warmup = indicator.warmup
    np.testing.assert_array_equal(result.to_numpy()[warmup:], expected[warmup:])
    assert np.isnan(result.to_numpy()[:warmup]).all()


@pytest.mark.parametrize("spec", TA_INDICATORS, ids=lambda spec: spec.name)
def test_non_default_parameters_reach_ta(spec):
    frame = dataset("synthetic_daily")
    params = other_parameters(spec)
    indicator = WRAPPERS[spec.name](**params)
    result = indicator.compute(frame).to_numpy()
    expected = reference(spec, frame, params)
    np.testing.assert_array_equal(result[indicator.warmup :], expected[indicator.warmup :])
    if params:
        default = WRAPPERS[spec.name](**spec.default_parameters[0]).compute(frame).to_numpy()
        assert not np.array_equal(result, default, equal_nan=True)


def test_the_index_does_not_change_the_values():
    # ta 0.11 under pandas 3 mixes label and position indexing (PSAR writes series[i]):
    # the wrapper always hands ta a RangeIndex.
    frame = dataset("synthetic_daily").iloc[:300]
    shuffled_labels = frame.set_axis(pd.date_range("2001-01-01", periods=300, freq="7h"))
    for name in ("psar", "adx", "kama", "nvi", "ichimoku"):
        indicator = wrapper_for(name)()
        np.testing.assert_array_equal(
            indicator.compute(frame).to_numpy(), indicator.compute(shuffled_labels).to_numpy()
        )


def test_psar_on_a_datetime_index_is_why_the_wrapper_uses_a_range_index():
    frame = dataset("synthetic_daily").iloc[:200]
    ours = wrapper_for("psar")().compute(frame)["ta_psar_0p02_0p2"].to_numpy()
    on_positions = ta.trend.PSARIndicator(
        *(frame[c].reset_index(drop=True) for c in ("high", "low", "close"))
    ).psar()
    np.testing.assert_array_equal(ours[2:], on_positions.to_numpy()[2:])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        on_dates = ta.trend.PSARIndicator(frame["high"], frame["low"], frame["close"]).psar()
    # ta's `series[i] = ...` appends rows keyed i instead of assigning position i
    assert len(on_dates) > len(frame)


def test_ichimoku_visual_would_look_ahead_which_is_why_it_is_forced_off():
    frame = dataset("synthetic_daily").iloc[:300]
    plain = frame.reset_index(drop=True)

    def span_a(rows: int) -> np.ndarray:
        part = plain.iloc[:rows]
        return ta.trend.IchimokuIndicator(part["high"], part["low"], visual=True).ichimoku_a()

    # visual=True fills its first window2 rows with the mean of the whole series
    assert span_a(300)[:26].to_numpy() != pytest.approx(span_a(150)[:26].to_numpy())
    result = wrapper_for("ichimoku")().compute(frame.iloc[:150])
    np.testing.assert_array_equal(
        result.to_numpy()[51:], wrapper_for("ichimoku")().compute(frame).to_numpy()[51:150]
    )


def test_kst_blanks_the_rows_ta_seeds_with_the_whole_series_mean():
    frame = dataset("synthetic_daily")
    indicator = wrapper_for("kst")()
    raw = reference(indicator.spec, frame, indicator.get_params())
    assert np.isfinite(raw[indicator.warmup - 1, 0])  # ta gives a (contaminated) value
    assert np.isnan(indicator.compute(frame).to_numpy()[: indicator.warmup]).all()


def test_fewer_rows_than_the_warmup_give_nan_not_an_error():
    frame = dataset("synthetic_daily").iloc[:10]
    for name, cls in WRAPPERS.items():
        indicator = cls(**cls.default_parameters[0])
        result = indicator.compute(frame)
        assert result.shape == (10, len(indicator.outputs)), name
        if indicator.warmup >= 10:
            assert result.isna().all().all(), name


def test_a_missing_column_is_a_data_validation_error_naming_it():
    frame = dataset("synthetic_daily").drop(columns=["volume"])
    with pytest.raises(DataValidationError, match=r"TaMFIIndicator \(ta:mfi\).*'volume'") as info:
        wrapper_for("mfi")().compute(frame)
    assert info.value.column == "volume"
    assert info.value.rule == "missing_column"


def test_a_non_numeric_column_is_a_data_validation_error():
    frame = dataset("synthetic_daily").iloc[:50].assign(close="n/a")
    with pytest.raises(DataValidationError, match="'close'"):
        wrapper_for("rsi")().compute(frame)


def test_the_input_frame_may_hold_extra_columns_and_any_column_order():
    frame = dataset("synthetic_daily").iloc[:300]
    shuffled = frame[["volume", "close", "low", "high", "open"]].assign(extra=1.0)
    indicator = wrapper_for("keltner_channel")()
    pd.testing.assert_frame_equal(indicator.compute(shuffled), indicator.compute(frame))


# ---------------------------------------------------------------------------
# Cross-check with TA-Lib where both libraries define the same indicator
# ---------------------------------------------------------------------------

# (ta name, ta params, ta output suffix, TA-Lib function, TA-Lib args, output position,
#  first row compared). Exponentially seeded indicators converge to each other; they are
# compared from 600 rows on, well past ten times their longest period.
TALIB_AGREES = [
    ("rsi", {"window": 14}, "", "RSI", ("close",), {"timeperiod": 14}, 0, 600),
    ("atr", {"window": 14}, "", "ATR", ("high", "low", "close"), {"timeperiod": 14}, 0, 600),
    ("adx", {"window": 14}, "", "ADX", ("high", "low", "close"), {"timeperiod": 14}, 0, 600),
    ("adx", {"window": 14}, "pos", "PLUS_DI", ("high", "low", "close"), {"timeperiod": 14}, 0, 600),
    ("sma", {"window": 20}, "", "SMA", ("close",), {"timeperiod": 20}, 0, 19),
    ("ema", {"window": 14}, "", "EMA", ("close",), {"timeperiod": 14}, 0, 600),
    ("wma", {"window": 9}, "", "WMA", ("close",), {"timeperiod": 9}, 0, 8),
    ("bollinger_bands", {}, "hband", "BBANDS", ("close",), {"timeperiod": 20}, 0, 19),
    ("bollinger_bands", {}, "lband", "BBANDS", ("close",), {"timeperiod": 20}, 2, 19),
    ("macd", {}, "", "MACD", ("close",), {}, 0, 600),
    ("macd", {}, "signal", "MACD", ("close",), {}, 1, 600),
    ("williams_r", {}, "", "WILLR", ("high", "low", "close"), {"timeperiod": 14}, 0, 13),
    ("cci", {}, "", "CCI", ("high", "low", "close"), {"timeperiod": 20}, 0, 19),
    ("roc", {}, "", "ROC", ("close",), {"timeperiod": 12}, 0, 12),
    ("stoch", {}, "", "STOCHF", ("high", "low", "close"), {"fastk_period": 14}, 0, 15),
    ("mfi", {}, "", "MFI", ("high", "low", "close", "volume"), {"timeperiod": 14}, 0, 14),
    ("ultimate_oscillator", {}, "", "ULTOSC", ("high", "low", "close"), {}, 0, 28),
    ("acc_dist_index", {}, "", "AD", ("high", "low", "close", "volume"), {}, 0, 0),
    ("chaikin_money_flow", {}, "", "CMF", ("high", "low", "close", "volume"), {}, 0, 19),
    ("trix", {}, "", "TRIX", ("close",), {"timeperiod": 15}, 0, 600),
    ("dpo", {}, "", "DPO", ("close",), {"timeperiod": 20}, 0, 19),
    ("kama", {}, "", "KAMA", ("close",), {"timeperiod": 10}, 0, 600),
    ("tsi", {}, "", "TSI", ("close",), {}, 0, 600),
    ("mass_index", {}, "", "MASSI", ("high", "low"), {}, 0, 600),
    ("vortex", {}, "pos", "VORTEX", ("high", "low", "close"), {}, 0, 14),
    ("nvi", {}, "", "NVI", ("close", "volume"), {}, 0, 0),
]


@pytest.mark.parametrize(
    ("name", "params", "suffix", "function", "columns", "kwargs", "position", "start"),
    TALIB_AGREES,
    ids=[f"{case[0]}{'_' + case[2] if case[2] else ''}-{case[3]}" for case in TALIB_AGREES],
)
def test_agrees_with_talib_where_the_definitions_agree(
    name, params, suffix, function, columns, kwargs, position, start
):
    talib = pytest.importorskip("talib", reason="the cross-check needs TA-Lib")
    frame = sp500()
    indicator = wrapper_for(name)(**params)
    ours = indicator.compute(frame)[indicator.feature_name(suffix)].to_numpy()
    theirs = getattr(talib, function)(*(frame[c].to_numpy() for c in columns), **kwargs)
    theirs = theirs[position] if isinstance(theirs, tuple) else theirs
    np.testing.assert_allclose(ours[start:], theirs[start:], rtol=1e-8, atol=1e-10)
