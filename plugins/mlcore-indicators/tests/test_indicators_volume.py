"""Volume family: TA-Lib and ``ta`` parity, hand computations, properties, streaming,
conformance."""

from __future__ import annotations

import indicators_support as support
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from indicators_support import MARKETS, assert_matches, assert_streams_as_computed
from mlcore_indicators.defaults import default_set
from mlcore_indicators.volume import (
    MFI,
    OBV,
    VPT,
    VWMA,
    AccumulationDistribution,
    ChaikinMoneyFlow,
    ChaikinOscillator,
    RollingVWAP,
    VolumeZScore,
)
from numpy.lib.stride_tricks import sliding_window_view

from mlcore.data import synthetic_ohlcv
from mlcore.errors import DataValidationError
from mlcore.testing import parametrize_with_checks

FAMILY = "volume"
DEFAULTS = default_set([FAMILY])


def market(name: str) -> pd.DataFrame:
    return support.market(name, n=4000, seed=23)


def arrays(frame: pd.DataFrame) -> tuple[np.ndarray, ...]:
    return tuple(frame[c].to_numpy() for c in ("high", "low", "close", "volume"))


def column(indicator: object, frame: pd.DataFrame) -> np.ndarray:
    values: np.ndarray = indicator.compute(frame).to_numpy()[:, 0]  # type: ignore[attr-defined]
    return values


def ta_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``ta`` aligns on the index: hand it a RangeIndex frame."""
    return frame.reset_index(drop=True)


# ---------------------------------------------------------------------------
# TA-Lib parity
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("data", MARKETS)
def test_obv_ad_and_adosc_match_talib(data: str) -> None:
    talib = pytest.importorskip("talib")
    frame = market(data)
    high, low, close, volume = arrays(frame)
    # Sequential sums in TA-Lib's order: equal to the last bit.
    np.testing.assert_array_equal(column(OBV(), frame), talib.OBV(close, volume))
    np.testing.assert_array_equal(
        column(AccumulationDistribution(), frame), talib.AD(high, low, close, volume)
    )
    # TA-Lib's build fuses the EMA's multiply-add, so its ADOSC differs in the last bits of
    # two EMAs of the (large) AD line.
    assert_matches(
        column(ChaikinOscillator(fast=3, slow=10), frame),
        talib.ADOSC(high, low, close, volume, 3, 10),
        9,
    )


@pytest.mark.parametrize("data", MARKETS)
@pytest.mark.parametrize("period", [7, 14, 21])
def test_mfi_matches_talib(data: str, period: int) -> None:
    talib = pytest.importorskip("talib")
    frame = market(data)
    assert_matches(column(MFI(period=period), frame), talib.MFI(*arrays(frame), period), period)


def test_mfi_follows_talib_on_tiny_and_missing_volume() -> None:
    talib = pytest.importorskip("talib")
    frame = market("daily").iloc[:500].copy()
    frame["volume"] = 1e-12  # tiny flows are still flows
    np.testing.assert_allclose(column(MFI(period=14), frame), talib.MFI(*arrays(frame), 14))
    frame["volume"] = market("daily")["volume"].iloc[:500].to_numpy()
    frame.iloc[100:200, frame.columns.get_loc("volume")] = 0.0  # nothing traded: MFI 0
    expected = talib.MFI(*arrays(frame), 14)
    got = column(MFI(period=14), frame)
    assert (got[114:200] == 0.0).all()
    assert_matches(got, expected, 14)


# ---------------------------------------------------------------------------
# The ``ta`` library and hand computations
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("data", MARKETS)
def test_vpt_cmf_and_vwap_match_ta(data: str) -> None:
    ta_volume = pytest.importorskip("ta.volume")
    frame = market(data)
    bars = ta_frame(frame)
    vpt = ta_volume.VolumePriceTrendIndicator(bars.close, bars.volume).volume_price_trend()
    assert_matches(column(VPT(), frame), vpt.to_numpy(), 1, rtol=1e-12)
    for period in (10, 20):
        cmf = ta_volume.ChaikinMoneyFlowIndicator(
            bars.high, bars.low, bars.close, bars.volume, window=period
        ).chaikin_money_flow()
        assert_matches(column(ChaikinMoneyFlow(period=period), frame), cmf.to_numpy(), period - 1)
        vwap = ta_volume.VolumeWeightedAveragePrice(
            bars.high, bars.low, bars.close, bars.volume, window=period
        ).volume_weighted_average_price()
        assert_matches(column(RollingVWAP(period=period), frame), vwap.to_numpy(), period - 1)


@pytest.mark.parametrize("data", MARKETS)
def test_obv_differs_from_ta_by_the_volume_of_unchanged_closes(data: str) -> None:
    ta_volume = pytest.importorskip("ta.volume")
    frame = market(data)
    bars = ta_frame(frame)
    theirs = ta_volume.OnBalanceVolumeIndicator(bars.close, bars.volume).on_balance_volume()
    unchanged = np.r_[False, np.diff(bars.close.to_numpy()) == 0.0]
    # ta adds the volume of every unchanged close; both start from the first bar's volume.
    correction = np.cumsum(np.where(unchanged, bars.volume.to_numpy(), 0.0))
    np.testing.assert_allclose(column(OBV(), frame) + correction, theirs.to_numpy(), rtol=1e-12)


@pytest.mark.parametrize("data", MARKETS)
def test_vwma_and_volume_zscore_by_hand(data: str) -> None:
    frame = market(data)
    _high, _low, close, volume = arrays(frame)
    period = 20
    price_volume = sliding_window_view(close * volume, period).sum(axis=1)
    vwma = np.r_[
        np.full(period - 1, np.nan), price_volume / sliding_window_view(volume, period).sum(axis=1)
    ]
    assert_matches(column(VWMA(period=period), frame), vwma, period - 1, rtol=1e-12)
    spans = sliding_window_view(volume, period)
    zscore = (volume[period - 1 :] - spans.mean(axis=1)) / spans.std(axis=1)
    expected = np.r_[np.full(period - 1, np.nan), zscore]
    assert_matches(column(VolumeZScore(period=period), frame), expected, period - 1, rtol=1e-9)


def test_obv_by_hand() -> None:
    index = pd.date_range("2024-01-01", periods=5, freq="1D", tz="UTC")
    close = [10.0, 11.0, 11.0, 10.5, 12.0]
    frame = pd.DataFrame(
        {"open": close, "high": close, "low": close, "close": close, "volume": [5, 7, 2, 3, 4]},
        index=index,
        dtype=float,
    )
    # 5, then +7 (up), +0 (unchanged), -3 (down), +4 (up)
    np.testing.assert_array_equal(column(OBV(), frame), [5.0, 12.0, 12.0, 9.0, 13.0])


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------


@st.composite
def bars(draw: st.DrawFn) -> pd.DataFrame:
    size = draw(st.integers(min_value=25, max_value=60))
    floats = st.floats(min_value=1.0, max_value=500.0, allow_nan=False)
    close = np.array(draw(st.lists(floats, min_size=size, max_size=size)))
    wick = np.array(draw(st.lists(st.floats(0.0, 5.0), min_size=size, max_size=size)))
    volume = np.array(draw(st.lists(st.floats(0.0, 1e6), min_size=size, max_size=size)))
    index = pd.date_range("2024-01-01", periods=size, freq="1h", tz="UTC")
    return pd.DataFrame(
        {
            "open": close,
            "high": close + wick,
            "low": close - wick / 2,
            "close": close,
            "volume": volume,
        },
        index=index,
    )


@settings(max_examples=40, deadline=None)
@given(bars())
def test_bounded_outputs(frame: pd.DataFrame) -> None:
    cmf = column(ChaikinMoneyFlow(period=10), frame)
    assert (np.abs(cmf[~np.isnan(cmf)]) <= 1.0 + 1e-12).all()
    mfi = column(MFI(period=10), frame)[10:]
    assert ((mfi >= 0.0) & (mfi <= 100.0)).all()
    vwap = column(RollingVWAP(period=10), frame)
    low = frame["low"].rolling(10).min().to_numpy()
    high = frame["high"].rolling(10).max().to_numpy()
    known = ~np.isnan(vwap)
    assert (vwap[known] >= low[known] - 1e-9 * high[known]).all()
    assert (vwap[known] <= high[known] * (1 + 1e-12)).all()


@settings(max_examples=30, deadline=None)
@given(bars(), st.floats(min_value=1.0, max_value=1e4))
def test_constant_volume_makes_vwma_the_sma(frame: pd.DataFrame, volume: float) -> None:
    frame = frame.assign(volume=volume)
    expected = frame["close"].rolling(10).mean().to_numpy()
    np.testing.assert_allclose(column(VWMA(period=10), frame), expected, rtol=1e-12)
    assert np.isnan(column(VolumeZScore(period=10), frame)).all()  # flat volume: undefined


# ---------------------------------------------------------------------------
# Warm-up, streaming, validation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("indicator", DEFAULTS, ids=repr)
def test_warmup_is_the_first_valid_row(indicator: object) -> None:
    values = indicator.compute(market("daily")).to_numpy()  # type: ignore[attr-defined]
    warmup = indicator.warmup  # type: ignore[attr-defined]
    assert np.isnan(values[:warmup]).all()
    assert not np.isnan(values[warmup]).any()
    assert indicator.family == FAMILY  # type: ignore[attr-defined]


def test_streaming_does_not_drift_over_20000_bars() -> None:
    frame = synthetic_ohlcv(n=20_000, seed=6, freq="5min").ohlcv
    frame["volume"] *= np.linspace(1.0, 1e4, len(frame))  # volumes that grow a lot
    for indicator in DEFAULTS:
        assert_streams_as_computed(indicator, frame)


def test_streaming_agrees_on_flat_stretches_and_after_a_nan() -> None:
    frame = synthetic_ohlcv(n=800, seed=8, freq="5min").ohlcv
    frame.iloc[200:320, :4] = frame.iloc[200]["close"]
    frame.iloc[400:500, 4] = 0.0  # nothing traded
    frame.iloc[600, frame.columns.get_loc("volume")] = np.nan
    for indicator in DEFAULTS:
        assert_streams_as_computed(indicator, frame)


def test_a_bar_without_its_inputs_is_refused() -> None:
    with pytest.raises(DataValidationError, match="volume"):
        OBV().update({"close": 1.0})
    with pytest.raises(DataValidationError, match="high"):
        MFI().update({"close": 1.0, "volume": 1.0})


@pytest.mark.parametrize(
    ("factory", "kwargs"),
    [
        (ChaikinOscillator, {"fast": 10, "slow": 3}),
        (ChaikinMoneyFlow, {"period": 1}),
        (MFI, {"period": 0}),
        (RollingVWAP, {"period": 2.5}),
        (VolumeZScore, {"period": 1}),
    ],
)
def test_invalid_parameters_are_refused(factory: type, kwargs: dict[str, object]) -> None:
    with pytest.raises((ValueError, TypeError)):
        factory(**kwargs)


def test_feature_names() -> None:
    assert OBV().outputs == ("obv",)
    assert ChaikinOscillator().outputs == ("adosc_3_10",)
    assert RollingVWAP(period=50).outputs == ("vwap_50",)
    assert VolumeZScore(period=20).outputs == ("volume_zscore_20",)


@parametrize_with_checks(
    [*DEFAULTS, ChaikinMoneyFlow(period=2), MFI(period=2), ChaikinOscillator(fast=2, slow=3)]
)
def test_conformance(component: object, check: object) -> None:
    check(component)  # type: ignore[operator]
