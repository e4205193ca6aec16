"""Trend indicators: TA-Lib parity on real and synthetic bars, ``ta`` parity where TA-Lib
has no such indicator, hand calculations, streaming, conformance and parameters.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import attrs
import indicators_support as support
import numpy as np
import pandas as pd
import pytest
import ta
import talib
from indicators_support import assert_parity, assert_streams_as_computed, one_per_class
from mlcore_indicators import trend as T
from mlcore_indicators.defaults import default_set

from mlcore.errors import DataValidationError
from mlcore.testing import parametrize_with_checks

DATASETS = ["sp500", "synthetic-1D", "synthetic-5min"]


def _synthetic(freq: str) -> pd.DataFrame:
    return support.synthetic(freq, 4_000, 11)


def _data(name: str) -> pd.DataFrame:
    return support.sp500() if name == "sp500" else _synthetic(name.split("-")[1])


def _columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    return {c: frame[c].to_numpy(dtype=float) for c in ("open", "high", "low", "close")}


# (our indicator, output position, TA-Lib reference from the OHLC columns)
Reference = Callable[[dict[str, np.ndarray]], np.ndarray]
TALIB_CASES: list[tuple[Any, int, Reference]] = [
    *[(T.SMA(period=p), 0, lambda d, p=p: talib.SMA(d["close"], p)) for p in (5, 20, 200)],
    *[(T.EMA(period=p), 0, lambda d, p=p: talib.EMA(d["close"], p)) for p in (5, 20, 200)],
    *[(T.WMA(period=p), 0, lambda d, p=p: talib.WMA(d["close"], p)) for p in (5, 20, 200)],
    *[(T.DEMA(period=p), 0, lambda d, p=p: talib.DEMA(d["close"], p)) for p in (10, 50)],
    *[(T.TEMA(period=p), 0, lambda d, p=p: talib.TEMA(d["close"], p)) for p in (10, 50)],
    *[
        (
            T.MACD(fast=f, slow=s, signal=g),
            i,
            lambda d, f=f, s=s, g=g, i=i: talib.MACD(d["close"], f, s, g)[i],
        )
        for f, s, g in ((12, 26, 9), (5, 35, 5))
        for i in range(3)
    ],
    *[
        (
            T.ParabolicSAR(acceleration=a, maximum=m),
            0,
            lambda d, a=a, m=m: talib.SAR(d["high"], d["low"], a, m),
        )
        for a, m in ((0.02, 0.2), (0.01, 0.1))
    ],
    (T.ParabolicSAR(), 1, lambda d: np.sign(talib.SAREXT(d["high"], d["low"]))),
    *[
        (T.ADX(period=p), i, lambda d, p=p, f=f: f(d["high"], d["low"], d["close"], p))
        for p in (7, 14, 28)
        for i, f in enumerate((talib.ADX, talib.PLUS_DI, talib.MINUS_DI, talib.DX))
    ],
    *[
        (T.ADXR(period=p), 0, lambda d, p=p: talib.ADXR(d["high"], d["low"], d["close"], p))
        for p in (14, 28)
    ],
    *[(T.KAMA(period=p), 0, lambda d, p=p: talib.KAMA(d["close"], p)) for p in (10, 30)],
    *[(T.TRIX(period=p), 0, lambda d, p=p: talib.TRIX(d["close"], p)) for p in (15, 30)],
    *[
        (T.Aroon(period=p), i, lambda d, p=p, i=i: talib.AROON(d["high"], d["low"], p)[i])
        for p in (14, 25, 50)
        for i in range(2)
    ],
    *[
        (T.Aroon(period=p), 2, lambda d, p=p: talib.AROONOSC(d["high"], d["low"], p))
        for p in (14, 25)
    ],
]


def _case_id(case: tuple[Any, int, Reference]) -> str:
    indicator, position, _ = case
    return indicator.outputs[position]


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("case", TALIB_CASES, ids=_case_id)
def test_matches_talib(case: tuple[Any, int, Reference], dataset: str) -> None:
    indicator, position, reference = case
    frame = _data(dataset)
    ours = indicator.compute(frame).iloc[:, position]
    # From TA-Lib's first value on: the seeding is TA-Lib's, so no extra warm-up is needed.
    assert_parity(ours, reference(_columns(frame)))


@pytest.mark.parametrize("dataset", DATASETS)
def test_ichimoku_matches_ta_and_a_hand_computation(dataset: str) -> None:
    frame = _data(dataset)
    indicator = T.Ichimoku()
    ours = indicator.compute(frame)
    bars = frame.reset_index(drop=True)  # ta 0.11 on pandas 3 needs a RangeIndex
    plain = ta.trend.IchimokuIndicator(bars.high, bars.low, 9, 26, 52, visual=False)
    drawn = ta.trend.IchimokuIndicator(bars.high, bars.low, 9, 26, 52, visual=True)
    start = indicator.warmup
    assert_parity(ours.iloc[:, 0], plain.ichimoku_conversion_line(), start)
    assert_parity(ours.iloc[:, 1], plain.ichimoku_base_line(), start)
    assert_parity(ours.iloc[:, 2], plain.ichimoku_a(), start)
    assert_parity(ours.iloc[:, 3], plain.ichimoku_b(), start)
    assert_parity(ours.iloc[:, 4], drawn.ichimoku_a(), start)
    assert_parity(ours.iloc[:, 5], drawn.ichimoku_b(), start)
    high, low = frame.high.to_numpy(), frame.low.to_numpy()
    t = len(frame) - 1
    tenkan = (high[t - 8 : t + 1].max() + low[t - 8 : t + 1].min()) / 2
    kijun = (high[t - 25 : t + 1].max() + low[t - 25 : t + 1].min()) / 2
    assert ours.iloc[t, 2] == pytest.approx((tenkan + kijun) / 2, rel=1e-15)
    old = t - 26
    span_b_then = (high[old - 51 : old + 1].max() + low[old - 51 : old + 1].min()) / 2
    assert ours.iloc[t, 5] == pytest.approx(span_b_then, rel=1e-15)


def test_ichimoku_has_no_chikou_span_and_its_cloud_is_the_past_spans() -> None:
    indicator = T.Ichimoku()
    assert not any("chikou" in name for name in indicator.outputs)
    values = indicator.compute(_synthetic("1D"))
    np.testing.assert_array_equal(
        values.iloc[:, 4].to_numpy()[26:], values.iloc[:-26, 2].to_numpy()
    )
    np.testing.assert_array_equal(
        values.iloc[:, 5].to_numpy()[26:], values.iloc[:-26, 3].to_numpy()
    )


@pytest.mark.parametrize("dataset", DATASETS)
def test_vortex_and_mass_index_match_ta(dataset: str) -> None:
    frame = _data(dataset)
    bars = frame.reset_index(drop=True)
    vortex = ta.trend.VortexIndicator(bars.high, bars.low, bars.close, 14)
    ours = T.Vortex(period=14).compute(frame)
    # ta fills the first previous close with the series mean (a look-ahead): skip bar 0's window
    assert_parity(ours.iloc[:, 0], vortex.vortex_indicator_pos(), 15)
    assert_parity(ours.iloc[:, 1], vortex.vortex_indicator_neg(), 15)
    assert_parity(ours.iloc[:, 2], vortex.vortex_indicator_diff(), 15)
    # ta seeds its EMAs with the first value, TA-Lib (and these) with an SMA: after 10x the period
    mass = ta.trend.MassIndex(bars.high, bars.low, 9, 25).mass_index()
    assert_parity(T.MassIndex().compute(frame).iloc[:, 0], mass, 250)


def test_small_hand_computations() -> None:
    bars = pd.DataFrame(
        {
            "open": [1.0, 2.0, 3.0, 4.0, 5.0],
            "high": [2.0, 4.0, 4.0, 3.0, 6.0],
            "low": [0.5, 1.0, 2.0, 1.0, 2.0],
            "close": [1.0, 2.0, 4.0, 3.0, 5.0],
            "volume": [1.0] * 5,
        },
        index=pd.date_range("2024-01-01", periods=5, tz="UTC"),
    )
    np.testing.assert_allclose(
        T.SMA(period=3).compute(bars).iloc[:, 0], [np.nan, np.nan, 7 / 3, 3, 4]
    )
    # weights 1, 2, 3 (newest heaviest), divided by 6
    np.testing.assert_allclose(
        T.WMA(period=3).compute(bars).iloc[:, 0], [np.nan, np.nan, 17 / 6, 19 / 6, 25 / 6]
    )
    # EMA(3): seed = mean(1, 2, 4), then y += 0.5 * (x - y)
    np.testing.assert_allclose(
        T.EMA(period=3).compute(bars).iloc[:, 0], [np.nan, np.nan, 7 / 3, 8 / 3, 23 / 6]
    )
    # Aroon(2) over 3 bars: highs [2,4,4] -> newest 4 is 0 bars old; lows [0.5,1,2] -> 2 old
    aroon = T.Aroon(period=2).compute(bars)
    assert aroon.iloc[2].tolist() == [0.0, 100.0, 100.0]
    # highs [4,4,3]: the newer 4 is 1 bar old; lows [1,2,1]: the newer 1 is 0 bars old
    assert aroon.iloc[3].tolist() == [100.0, 50.0, -50.0]


def test_macd_seeds_the_fast_average_where_the_slow_one_starts() -> None:
    close = _synthetic("1D").close.to_numpy()
    macd = T.MACD(fast=3, slow=5, signal=2).compute(_synthetic("1D")).iloc[:, 0].to_numpy()
    fast = np.mean(close[2:5])  # the 3 closes ending at bar 4, where EMA(5) starts
    slow = np.mean(close[0:5])
    assert macd[4] == pytest.approx(fast - slow, rel=1e-12)
    assert np.isnan(macd[:4]).all()


def test_parabolic_sar_starts_short_after_a_down_move() -> None:
    bars = pd.DataFrame(
        {"high": [10.0, 9.5, 9.0], "low": [9.0, 8.0, 7.5]},
        index=pd.date_range("2024-01-01", periods=3, tz="UTC"),
    )
    values = T.ParabolicSAR().compute(bars)
    # -DM of bar 1 is 1 > +DM: short, SAR = the first high, extreme point = bar 1's low
    assert values.iloc[1].tolist() == [10.0, -1.0]
    np.testing.assert_allclose(
        values.iloc[:, 0], talib.SAR(bars.high.to_numpy(), bars.low.to_numpy())
    )


def _adx_against_talib(frame: pd.DataFrame, period: int = 14) -> None:
    ours = T.ADX(period=period).compute(frame)
    d = _columns(frame)
    for position, reference in enumerate((talib.ADX, talib.PLUS_DI, talib.MINUS_DI, talib.DX)):
        assert_parity(ours.iloc[:, position], reference(d["high"], d["low"], d["close"], period))


def test_adx_through_flat_bars_and_bars_without_directional_movement() -> None:
    frame = _synthetic("1D").iloc[:400].copy()
    flat = frame.close.iloc[150]
    for column in ("open", "high", "low", "close"):
        frame.iloc[150:200, frame.columns.get_loc(column)] = flat  # zero true ranges
    _adx_against_talib(frame)
    # Inside bars from the start: no +DM or -DM at all, so DX is undefined (TA-Lib skips
    # those bars in the ADX and repeats the last DX, 0 at first) until the market moves.
    inside = frame.copy()
    inside.iloc[:60, inside.columns.get_loc("high")] = 101.0
    inside.iloc[:60, inside.columns.get_loc("low")] = 99.0
    inside.iloc[:60, inside.columns.get_loc("close")] = np.tile([99.5, 100.5], 30)
    _adx_against_talib(inside)
    assert T.ADX().compute(inside).iloc[14:40, 3].eq(0.0).all()


def test_directional_indicators_do_not_depend_on_the_price_scale() -> None:
    # TA-Lib treats a true-range sum below 1e-8 (price units) as zero, which flattens the
    # DIs of assets priced near 1e-9; these test for exactly zero and keep the values.
    frame = _synthetic("1D").iloc[:500]
    tiny = frame.copy()
    tiny[["open", "high", "low", "close"]] *= 1e-9
    np.testing.assert_allclose(
        T.ADX().compute(tiny).to_numpy(), T.ADX().compute(frame).to_numpy(), rtol=1e-9
    )


# ---------------------------------------------------------------------------
# Streaming, conformance, parameters
# ---------------------------------------------------------------------------

TREND_DEFAULTS = default_set(("trend",))
EXTREME_PARAMETERS = [
    T.SMA(period=2),
    T.EMA(period=2),
    T.WMA(period=2),
    T.DEMA(period=2),
    T.TEMA(period=2),
    T.MACD(fast=2, slow=3, signal=1),
    T.ParabolicSAR(acceleration=0.2, maximum=0.2),
    T.ADX(period=2),
    T.ADXR(period=2),
    T.Ichimoku(tenkan=1, kijun=1, senkou=1, displacement=1),
    T.KAMA(period=2),
    T.TRIX(period=1),
    T.Aroon(period=2),
    T.Vortex(period=2),
    T.MassIndex(fast=1, slow=1),
]


@parametrize_with_checks([*TREND_DEFAULTS, *EXTREME_PARAMETERS])
def test_conformance(component: object, check: Any) -> None:
    check(component)


def _long_frame() -> pd.DataFrame:
    return support.synthetic("5min", 20_000, 21)


@pytest.mark.parametrize("indicator", one_per_class(TREND_DEFAULTS), ids=lambda i: type(i).__name__)
def test_streaming_agrees_on_20000_bars_and_across_a_nan(indicator: Any) -> None:
    frame = _long_frame().copy()
    column = indicator.inputs[0]
    frame.iloc[12_345, frame.columns.get_loc(column)] = np.nan
    # Running sums restart every period, so nothing drifts over 20,000 bars; and a NaN
    # spoils the same rows in both forms (recursions keep it for good, windows let it go).
    got = assert_streams_as_computed(indicator, frame)
    assert np.isfinite(got[:12_345]).all(axis=1)[indicator.warmup :].all()


def test_warmup_is_the_first_complete_row() -> None:
    frame = _synthetic("1D")
    for indicator in TREND_DEFAULTS + EXTREME_PARAMETERS:
        values = indicator.compute(frame).to_numpy()
        complete = np.flatnonzero(np.isfinite(values).all(axis=1))
        assert complete[0] == indicator.warmup, indicator
        assert (complete == np.arange(indicator.warmup, len(frame))).all(), indicator


def test_feature_names() -> None:
    assert T.MACD().outputs == ("macd_12_26_9", "macd_signal_12_26_9", "macd_hist_12_26_9")
    assert T.ParabolicSAR().outputs == ("psar_0p02_0p2", "psar_trend_0p02_0p2")
    assert T.ADX().outputs == ("adx_14", "adx_plus_di_14", "adx_minus_di_14", "adx_dx_14")
    assert T.Aroon(period=25).outputs == ("aroon_down_25", "aroon_up_25", "aroon_osc_25")
    assert T.Ichimoku().outputs[2] == "ichimoku_senkou_a_9_26_52_26"
    names = [name for indicator in TREND_DEFAULTS for name in indicator.outputs]
    assert len(names) == len(set(names))
    assert len([n for n in names if n.split("_")[0] in ("sma", "ema", "wma")]) == 18


@pytest.mark.parametrize(
    ("factory", "error"),
    [
        (lambda: T.SMA(period=1), ValueError),
        (lambda: T.EMA(period=True), TypeError),
        (lambda: T.WMA(period=2.5), TypeError),
        (lambda: T.MACD(fast=26, slow=12), ValueError),
        (lambda: T.MACD(signal=0), ValueError),
        (lambda: T.ParabolicSAR(acceleration=0.0), ValueError),
        (lambda: T.ParabolicSAR(maximum=-1), ValueError),
        (lambda: T.ADX(period=1), ValueError),
        (lambda: T.Ichimoku(displacement=0), ValueError),
        (lambda: T.TRIX(period=0), ValueError),
    ],
)
def test_invalid_parameters_are_refused(factory: Callable[[], Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        factory()


def test_update_names_the_missing_column() -> None:
    with pytest.raises(DataValidationError, match="low"):
        T.ADX().update({"high": 1.0, "close": 1.0})


def test_clone_streams_independently_and_descriptions_are_one_line() -> None:
    indicator = T.EMA(period=3)
    for close in (1.0, 2.0, 3.0):
        indicator.update({"close": close})
    clone = attrs.evolve(indicator)
    assert math.isnan(clone.update({"close": 4.0})[0])
    assert indicator.update({"close": 4.0})[0] == pytest.approx(3.0)
    for cls in {type(i) for i in TREND_DEFAULTS}:
        first_line = (cls.__doc__ or "").strip().splitlines()[0]
        assert first_line
        assert len(first_line) <= 100
