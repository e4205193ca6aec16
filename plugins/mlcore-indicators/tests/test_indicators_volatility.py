"""Volatility family: TA-Lib parity, hand computations, properties, streaming, conformance."""

from __future__ import annotations

import math

import indicators_support as support
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from indicators_support import MARKETS, assert_matches, assert_streams_as_computed
from mlcore_indicators.defaults import default_set
from mlcore_indicators.volatility import (
    ATR,
    NATR,
    BollingerBands,
    RealizedVolatilityRatio,
    RollingPercentile,
    RollingStd,
)
from numpy.lib.stride_tricks import sliding_window_view

from mlcore.data import synthetic_ohlcv
from mlcore.errors import DataValidationError
from mlcore.testing import parametrize_with_checks

FAMILY = "volatility"
DEFAULTS = default_set([FAMILY])


def market(name: str) -> pd.DataFrame:
    return support.market(name, n=4000, seed=17)


def column(indicator: object, frame: pd.DataFrame, position: int = 0) -> np.ndarray:
    values: np.ndarray = indicator.compute(frame).to_numpy()[:, position]  # type: ignore[attr-defined]
    return values


def log_returns(close: np.ndarray) -> np.ndarray:
    out = np.full(len(close), np.nan)
    out[1:] = np.log(close[1:] / close[:-1])
    return out


def windows(x: np.ndarray, n: int) -> np.ndarray:
    """Trailing windows of ``x``: row ``i`` ends at position ``i + n - 1``."""
    return sliding_window_view(x, n)


# ---------------------------------------------------------------------------
# TA-Lib parity
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("data", MARKETS)
@pytest.mark.parametrize("period", [10, 20, 50])
def test_bollinger_bands_match_talib(data: str, period: int) -> None:
    talib = pytest.importorskip("talib")
    frame = market(data)
    close = frame["close"].to_numpy()
    result = BollingerBands(period=period, nbdev=2.0).compute(frame).to_numpy()
    upper, middle, lower = talib.BBANDS(close, period, 2.0, 2.0, 0)
    for position, expected in enumerate((upper, middle, lower)):
        assert_matches(result[:, position], expected, period - 1)
    # %B and width from TA-Lib's bands, by their definitions.
    assert_matches(result[:, 3], (close - lower) / (upper - lower), period - 1)
    assert_matches(result[:, 4], (upper - lower) / middle, period - 1)


@pytest.mark.parametrize("data", MARKETS)
@pytest.mark.parametrize("period", [7, 14, 21])
def test_atr_and_natr_match_talib(data: str, period: int) -> None:
    talib = pytest.importorskip("talib")
    frame = market(data)
    high, low, close = (frame[c].to_numpy() for c in ("high", "low", "close"))
    assert_matches(column(ATR(period=period), frame), talib.ATR(high, low, close, period), period)
    assert_matches(column(NATR(period=period), frame), talib.NATR(high, low, close, period), period)


@pytest.mark.parametrize("data", MARKETS)
@pytest.mark.parametrize("period", [5, 20, 50])
def test_stddev_of_close_matches_talib(data: str, period: int) -> None:
    talib = pytest.importorskip("talib")
    frame = market(data)
    expected = talib.STDDEV(frame["close"].to_numpy(), period, 1.0)
    assert_matches(column(RollingStd(period=period, source="close"), frame), expected, period - 1)


# ---------------------------------------------------------------------------
# Hand computations
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("data", MARKETS)
def test_stddev_of_log_returns_by_hand(data: str) -> None:
    frame = market(data)
    returns = log_returns(frame["close"].to_numpy())
    for period in (5, 60):
        expected = np.full(len(returns), np.nan)
        expected[period:] = windows(returns[1:], period).std(axis=1)  # population std
        got = column(RollingStd(period=period), frame)
        assert_matches(got, expected, period, rtol=1e-10)


@pytest.mark.parametrize("data", MARKETS)
def test_realized_volatility_ratio_by_hand(data: str) -> None:
    frame = market(data)
    returns = log_returns(frame["close"].to_numpy())
    short, long = 10, 60
    expected = np.full(len(returns), np.nan)
    short_std = windows(returns[1:], short).std(axis=1)[long - short :]
    expected[long:] = short_std / windows(returns[1:], long).std(axis=1)
    got = column(RealizedVolatilityRatio(short=short, long=long), frame)
    assert_matches(got, expected, long, rtol=1e-10)


@pytest.mark.parametrize("data", MARKETS)
@pytest.mark.parametrize("source", ["close", "logret"])
def test_percentile_rank_by_hand(data: str, source: str) -> None:
    frame = market(data)
    close = frame["close"].to_numpy()
    values = close if source == "close" else log_returns(close)
    period = 50
    got = column(RollingPercentile(period=period, source=source), frame)
    first = period - 1 if source == "close" else period
    assert np.isnan(got[:first]).all()
    for t in range(first, len(close), 7):  # a plain loop: the definition, row by row
        window = values[t - period + 1 : t + 1]
        assert got[t] == np.count_nonzero(window <= values[t]) / period


def test_percentile_rank_of_a_rising_series_is_one() -> None:
    frame = synthetic_ohlcv(n=300, seed=1).ohlcv
    frame["close"] = np.linspace(10.0, 40.0, len(frame))
    got = column(RollingPercentile(period=20), frame)
    assert (got[19:] == 1.0).all()


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------


def frame_from_closes(closes: list[float]) -> pd.DataFrame:
    close = np.asarray(closes, dtype=float)
    index = pd.date_range("2020-01-01", periods=len(close), freq="1D", tz="UTC")
    return pd.DataFrame(
        {"open": close, "high": close * 1.01, "low": close * 0.99, "close": close, "volume": 1e3},
        index=index,
    )


prices = st.lists(
    st.floats(min_value=1.0, max_value=1000.0, allow_nan=False), min_size=30, max_size=60
)


@settings(max_examples=40, deadline=None)
@given(prices, st.integers(min_value=3, max_value=20))
def test_percent_b_is_one_half_when_close_is_the_middle_band(
    closes: list[float], period: int
) -> None:
    window = closes[-period:-1]
    closes[-1] = math.fsum(window) / len(window)  # then the window's mean equals the close
    frame = frame_from_closes(closes)
    upper, middle, lower, percent_b, width = BollingerBands(period=period).compute(frame).iloc[-1]
    if np.isnan(percent_b):  # a flat window has no bands
        assert upper - lower <= 1e-9 * middle
        return
    assert percent_b == pytest.approx(0.5, abs=1e-9)
    assert width == pytest.approx((upper - lower) / middle)


@settings(max_examples=40, deadline=None)
@given(prices, st.floats(min_value=0.01, max_value=100.0), st.integers(-8, 8))
def test_scale_invariance(closes: list[float], scale: float, power: int) -> None:
    frame = frame_from_closes(closes)
    # a power of two scales every price exactly, so ranks must not move even between prices
    # one ulp apart; any other factor may round such a pair into a tie
    exactly = frame.copy()
    exactly[["open", "high", "low", "close"]] *= 2.0**power
    for indicator in (RollingPercentile(period=10), RollingPercentile(period=10, source="logret")):
        np.testing.assert_array_equal(column(indicator, frame), column(indicator, exactly))
    scaled = frame.copy()
    scaled[["open", "high", "low", "close"]] *= scale
    for indicator in (RealizedVolatilityRatio(short=3, long=12), NATR(period=5)):
        np.testing.assert_allclose(column(indicator, frame), column(indicator, scaled), rtol=1e-8)
    # A std is exact to rounding of the prices' squares: ~1e-8 of the level at worst.
    np.testing.assert_allclose(
        column(RollingStd(period=10, source="close"), scaled),
        scale * column(RollingStd(period=10, source="close"), frame),
        rtol=1e-7,
        atol=1e-7 * scale * max(closes),
    )


@settings(max_examples=30, deadline=None)
@given(prices)
def test_ranges(closes: list[float]) -> None:
    frame = frame_from_closes(closes)
    rank = column(RollingPercentile(period=10), frame)[9:]
    assert ((rank >= 0.1) & (rank <= 1.0)).all()
    std = column(RollingStd(period=10), frame)[10:]
    assert (std >= 0.0).all()


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
    # Prices that travel far from where they started: running sums of raw prices would lose
    # digits, block-referenced ones must not.
    frame = synthetic_ohlcv(n=20_000, seed=5, freq="5min", start_price=20.0).ohlcv
    frame[["open", "high", "low", "close"]] *= np.linspace(1.0, 80.0, len(frame))[:, None]
    for indicator in DEFAULTS:
        assert_streams_as_computed(indicator, frame)


def test_streaming_after_a_nan_agrees_with_compute() -> None:
    frame = synthetic_ohlcv(n=600, seed=9).ohlcv
    frame.iloc[300, frame.columns.get_loc("close")] = np.nan
    for indicator in DEFAULTS:
        assert_streams_as_computed(indicator, frame)


def test_a_bar_without_its_inputs_is_refused() -> None:
    with pytest.raises(DataValidationError, match="high"):
        ATR().update({"low": 1.0, "close": 1.0})
    with pytest.raises(DataValidationError, match="close"):
        BollingerBands().update({"open": 1.0})


@pytest.mark.parametrize(
    ("factory", "kwargs"),
    [
        (BollingerBands, {"period": 1}),
        (BollingerBands, {"nbdev": 0.0}),
        (ATR, {"period": 0}),
        (RollingStd, {"source": "open"}),
        (RealizedVolatilityRatio, {"short": 20, "long": 10}),
        (RollingPercentile, {"period": 1}),
    ],
)
def test_invalid_parameters_are_refused(factory: type, kwargs: dict[str, object]) -> None:
    with pytest.raises((ValueError, TypeError)):
        factory(**kwargs)


def test_feature_names() -> None:
    assert BollingerBands(period=20, nbdev=2.0).outputs == (
        "bb_upper_20_2",
        "bb_middle_20_2",
        "bb_lower_20_2",
        "bb_percent_b_20_2",
        "bb_width_20_2",
    )
    assert RollingStd(period=20, source="logret").outputs == ("stddev_20_logret",)
    assert RealizedVolatilityRatio(short=5, long=20).outputs == ("rv_ratio_5_20",)
    assert NATR(period=14).outputs == ("natr_14",)


@parametrize_with_checks(
    [
        *DEFAULTS,
        BollingerBands(period=2, nbdev=0.5),
        ATR(period=1),
        RollingStd(period=2, source="logret"),
        RealizedVolatilityRatio(short=2, long=3),
        RollingPercentile(period=2, source="logret"),
    ]
)
def test_conformance(component: object, check: object) -> None:
    check(component)  # type: ignore[operator]


def test_volatility_volume_and_structure_contribute_100_default_columns() -> None:
    from mlcore_indicators.defaults import default_classes

    indicators = default_set(["volatility", "volume", "structure"])
    columns = [name for indicator in indicators for name in indicator.outputs]
    assert len(columns) >= 100
    assert len(set(columns)) == len(columns)
    for registered, cls in default_classes(["volatility", "volume", "structure"]):
        assert cls.family in ("volatility", "volume", "structure"), registered
        summary = (cls.__doc__ or "").strip().splitlines()[0]  # the registry's description
        assert summary.endswith((".", "?")), registered
