"""Values: every wrapper equals the TA-Lib function called directly, exactly, on the S&P
500 daily bars bundled with ``arch`` and on synthetic daily and 5-minute markets."""

from __future__ import annotations

import functools
import math
import pickle

import numpy as np
import pandas as pd
import pytest
from mlcore_talib import MISSING_TALIB

from mlcore import DataValidationError
from mlcore.data import synthetic_ohlcv

talib = pytest.importorskip("talib", reason=MISSING_TALIB)
abstract = pytest.importorskip("talib.abstract", reason=MISSING_TALIB)

from mlcore_talib.indicators import WRAPPERS, TalibIndicator, wrapper_for  # noqa: E402

DATASETS = ("sp500", "synthetic_daily", "synthetic_5min")


@functools.cache
def dataset(name: str) -> pd.DataFrame:
    if name == "sp500":
        module = pytest.importorskip("arch.data.sp500", reason="the S&P 500 bars come with arch")
        raw = module.load()
        frame = raw[["Open", "High", "Low", "Close", "Volume"]].rename(columns=str.lower)
        frame = frame.astype("float64")
        frame.index = pd.DatetimeIndex(frame.index).tz_localize("UTC").rename("timestamp")
        return frame
    freq = {"synthetic_daily": "1D", "synthetic_5min": "5min"}[name]
    return synthetic_ohlcv(1000, seed=5, freq=freq).ohlcv


def direct(indicator: TalibIndicator, frame: pd.DataFrame) -> np.ndarray:
    """The TA-Lib function called on the raw columns, outputs stacked as float64."""
    function = indicator.function
    arrays = [frame[column].to_numpy(dtype=np.float64) for column in function.inputs]
    result = getattr(talib, function.name)(*arrays, **indicator.get_params())
    columns = result if isinstance(result, tuple) else (result,)
    return np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])


@pytest.mark.parametrize("dataset_name", DATASETS)
def test_every_wrapper_equals_talib_called_directly(dataset_name):
    frame = dataset(dataset_name)
    for name, cls in WRAPPERS.items():
        indicator = cls()
        result = indicator.compute(frame)
        assert list(result.columns) == list(indicator.outputs), name
        assert result.index.equals(frame.index), name
        assert (result.dtypes == np.float64).all(), name
        values, warmup = result.to_numpy(), indicator.warmup
        np.testing.assert_array_equal(
            values[warmup:], direct(indicator, frame)[warmup:], err_msg=name
        )
        # the warm-up is TA-Lib's lookback: NaN before it (TA-Lib's integer outputs hold 0
        # there), values from it on
        assert np.isnan(values[:warmup]).all(), name
        assert not np.isnan(values[warmup]).all(), name


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("bbands", {"timeperiod": 10, "nbdevup": 1.5, "nbdevdn": 2.5, "matype": 1}),
        ("rsi", {"timeperiod": 7}),
        ("macdext", {"fastperiod": 5, "fastmatype": 2, "slowperiod": 35, "signalmatype": 1}),
        ("stoch", {"fastk_period": 9, "slowk_matype": 1, "slowd_period": 5}),
        ("sarext", {"accelerationinitlong": 0.01, "accelerationmaxshort": 0.3}),
        ("cdlmorningstar", {"penetration": 0.1}),
        ("t3", {"timeperiod": 8, "vfactor": 0.5}),
        ("kdj", {"fastk_period": 5}),
        ("fractal", {"leftbars": 3, "rightbars": 1}),
        ("percentile", {"timeperiod": 10, "percentile": 90.0}),
    ],
)
def test_non_default_parameters_reach_talib(name, params):
    frame = dataset("synthetic_daily")
    indicator = wrapper_for(name)(**params)
    warmup = indicator.warmup
    assert warmup == abstract.Function(name.upper(), **params).lookback
    np.testing.assert_array_equal(
        indicator.compute(frame).to_numpy()[warmup:], direct(indicator, frame)[warmup:]
    )


def test_candlestick_patterns_are_floats_of_talib_scores():
    frame = dataset("sp500")
    seen: set[float] = set()
    for cls in WRAPPERS.values():
        if cls.family == "pattern":
            values = cls().compute(frame).to_numpy()
            assert values.dtype == np.float64
            seen |= set(np.unique(values[~np.isnan(values)]).tolist())
    # -100/100 bearish/bullish; -80/80 TA-Lib's partial engulfing and harami; -200/200
    # confirmed hikkake
    assert seen == {-200.0, -100.0, -80.0, 0.0, 80.0, 100.0, 200.0}


def test_names_families_and_feature_names():
    bbands = wrapper_for("bbands")()
    assert bbands.family == "trend"
    assert bbands.inputs == ("close",)
    assert bbands.outputs == (
        "talib_bbands_upperband_20_2_2_0",
        "talib_bbands_middleband_20_2_2_0",
        "talib_bbands_lowerband_20_2_2_0",
    )
    assert wrapper_for("rsi")().outputs == ("talib_rsi_14",)
    assert wrapper_for("cdldoji")().outputs == ("talib_cdldoji",)
    assert wrapper_for("cdlmorningstar")().outputs == ("talib_cdlmorningstar_0p3",)
    assert wrapper_for("obv")().inputs == ("close", "volume")
    families = {cls.family for cls in WRAPPERS.values()}
    assert families == {
        "pattern",
        "trend",
        "momentum",
        "volume",
        "volatility",
        "cycle",
        "price",
        "statistic",
    }


def test_warmup_is_talib_lookback_for_the_parameters():
    for name, cls in WRAPPERS.items():
        assert cls().warmup == abstract.Function(name.upper()).lookback, name
    assert wrapper_for("sma")(timeperiod=50).warmup == 49


@pytest.mark.parametrize(
    ("name", "params", "error", "match"),
    [
        ("rsi", {"timeperiod": 1}, ValueError, "TA-Lib refuses RSI with timeperiod=1"),
        ("bbands", {"matype": 99}, ValueError, "matype=99"),
        ("rsi", {"timeperiod": 14.0}, TypeError, "TalibRSI.timeperiod must be an int"),
        ("rsi", {"timeperiod": True}, TypeError, "timeperiod"),
        ("bbands", {"nbdevup": math.nan}, TypeError, "nbdevup"),
        ("bbands", {"nbdevup": "2"}, TypeError, "nbdevup"),
    ],
)
def test_parameters_talib_refuses_are_refused_when_built(name, params, error, match):
    with pytest.raises(error, match=match):
        wrapper_for(name)(**params)


def test_an_int_is_accepted_for_a_float_parameter_and_stored_as_a_float():
    bbands = wrapper_for("bbands")(nbdevup=3)
    assert bbands.nbdevup == 3.0
    assert isinstance(bbands.nbdevup, float)
    assert bbands == wrapper_for("bbands")(nbdevup=3.0)
    frame = dataset("synthetic_daily")
    np.testing.assert_array_equal(bbands.compute(frame).to_numpy()[19:], direct(bbands, frame)[19:])


def test_wrappers_pickle_and_clone_as_module_level_classes():
    for name, cls in WRAPPERS.items():
        indicator = cls()
        assert cls.__module__ == "mlcore_talib.indicators", name
        assert pickle.loads(pickle.dumps(indicator)) == indicator, name
        assert indicator.clone() == indicator, name


def test_a_missing_column_is_a_data_validation_error_naming_it():
    frame = dataset("synthetic_daily").drop(columns=["open"])
    with pytest.raises(DataValidationError, match=r"TalibCDLDOJI \(talib:cdldoji\).*'open'"):
        wrapper_for("cdldoji")().compute(frame)


def test_fewer_rows_than_the_lookback_give_nan():
    frame = dataset("synthetic_daily").iloc[:5]
    result = wrapper_for("sma")().compute(frame)
    assert result.shape == (5, 1)
    assert result.isna().all().all()


def test_unknown_names_say_what_exists():
    with pytest.raises(KeyError, match="cdldoji"):
        wrapper_for("doji")
    assert wrapper_for("RSI") is wrapper_for("rsi")
