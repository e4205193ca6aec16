"""Structure family: swing levels without look-ahead, TA-Lib's linear regression, R^2 by
hand, breakouts, properties, streaming, conformance."""

from __future__ import annotations

import indicators_support as support
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from indicators_support import MARKETS, assert_matches, assert_streams_as_computed
from mlcore_indicators.defaults import default_set
from mlcore_indicators.structure import (
    Breakout,
    LinearRegression,
    SupportResistance,
    swing_highs,
    swing_lows,
)

from mlcore.data import synthetic_ohlcv
from mlcore.errors import DataValidationError
from mlcore.testing import check_no_lookahead, parametrize_with_checks

FAMILY = "structure"
DEFAULTS = default_set([FAMILY])


def market(name: str) -> pd.DataFrame:
    return support.market(name, n=3000, seed=29)


def outputs(indicator: object, frame: pd.DataFrame) -> np.ndarray:
    values: np.ndarray = indicator.compute(frame).to_numpy()  # type: ignore[attr-defined]
    return values


def ohlc_frame(high: list[float], low: list[float], close: list[float]) -> pd.DataFrame:
    index = pd.date_range("2024-01-01", periods=len(close), freq="1D", tz="UTC")
    return pd.DataFrame(
        {"open": close, "high": high, "low": low, "close": close, "volume": 1.0},
        index=index,
        dtype=float,
    )


# ---------------------------------------------------------------------------
# Support and resistance
# ---------------------------------------------------------------------------


def levels_by_hand(frame: pd.DataFrame, order: int, lookback: int) -> np.ndarray:
    """The documented definition, bar by bar, with plain loops: (resistance, support)."""
    high, low, close = (frame[c].to_numpy() for c in ("high", "low", "close"))
    out = np.full((len(close), 2), np.nan)
    for t in range(lookback - 1, len(close)):
        swings = range(max(order, t - lookback + 1), t - order + 1)  # confirmed by t
        tops = [
            high[s]
            for s in swings
            if high[s] > high[s - order : s].max() and high[s] >= high[s + 1 : s + order + 1].max()
        ]
        bottoms = [
            low[s]
            for s in swings
            if low[s] < low[s - order : s].min() and low[s] <= low[s + 1 : s + order + 1].min()
        ]
        above = [level for level in tops if level >= close[t]]
        below = [level for level in bottoms if level <= close[t]]
        window = slice(t - lookback + 1, t + 1)
        out[t, 0] = min(above) if above else high[window].max()
        out[t, 1] = max(below) if below else low[window].min()
    return out


@pytest.mark.parametrize("data", MARKETS)
@pytest.mark.parametrize(("order", "lookback"), [(3, 50), (5, 100)])
def test_support_resistance_by_hand(data: str, order: int, lookback: int) -> None:
    frame = market(data).iloc[:1500]
    got = outputs(SupportResistance(order=order, lookback=lookback), frame)
    expected = levels_by_hand(frame, order, lookback)
    np.testing.assert_array_equal(got[:, :2], expected)
    close = frame["close"].to_numpy()
    np.testing.assert_allclose(got[:, 2], expected[:, 0] / close - 1.0, rtol=1e-15)
    np.testing.assert_allclose(got[:, 3], 1.0 - expected[:, 1] / close, rtol=1e-15)


def test_a_swing_high_is_a_level_only_from_its_confirmation_bar() -> None:
    order, lookback = 3, 20
    # A swing high at 120 (bar 12), then a lower peak at 110 (bar 25) that becomes a swing
    # high once bars 26..28 have closed below it; the close stays at 100.
    high = [101.0] * 40
    high[12], high[25] = 120.0, 110.0
    low = [99.0] * 40
    frame = ohlc_frame(high, low, [100.0] * 40)
    resistance = outputs(SupportResistance(order=order, lookback=lookback), frame)[:, 0]
    assert resistance[8] != resistance[8]  # warm-up: NaN
    assert resistance[24] == 120.0  # only the old level is known
    assert resistance[25] == resistance[27] == 120.0  # bar 25's peak is not confirmed yet
    assert resistance[28] == 110.0  # confirmed at 25 + order: the nearer level
    # Bars after 28 changed: nothing up to 28 moves (no look-ahead).
    later = frame.copy()
    later.iloc[29:, :4] *= 3.0
    np.testing.assert_array_equal(
        outputs(SupportResistance(order=order, lookback=lookback), later)[:29],
        outputs(SupportResistance(order=order, lookback=lookback), frame)[:29],
    )
    # The same through the stream: the level appears at bar 28, not before.
    indicator = SupportResistance(order=order, lookback=lookback)
    streamed = [indicator.update(bar)[0] for bar in frame.to_dict("records")]
    assert streamed[27] == 120.0
    assert streamed[28] == 110.0


def test_swings_are_confirmed_order_bars_late() -> None:
    high = np.array([1.0, 2.0, 5.0, 2.0, 1.0, 1.0, 3.0, 3.0, 1.0, 0.5, 0.5])
    confirmed = swing_highs(high, 2)
    # Bar 2 (5.0) is confirmed at bar 4; the flat top at 6..7 counts once, at bar 6 + 2.
    assert np.flatnonzero(confirmed).tolist() == [4, 8]
    assert np.flatnonzero(swing_lows(-high, 2)).tolist() == [4, 8]


def test_level_check_with_the_conformance_suite() -> None:
    for indicator in DEFAULTS:
        if isinstance(indicator, SupportResistance):
            check_no_lookahead(indicator, data=market("5min").iloc[:800])


# ---------------------------------------------------------------------------
# Linear regression
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("data", MARKETS)
@pytest.mark.parametrize("period", [10, 20, 50])
def test_linear_regression_matches_talib(data: str, period: int) -> None:
    talib = pytest.importorskip("talib")
    frame = market(data)
    close = frame["close"].to_numpy()
    got = outputs(LinearRegression(period=period), frame)
    assert_matches(got[:, 0], talib.LINEARREG_SLOPE(close, period), period - 1)
    assert_matches(got[:, 1], talib.LINEARREG_INTERCEPT(close, period), period - 1)


@pytest.mark.parametrize("data", MARKETS)
@pytest.mark.parametrize("period", [10, 50])
def test_r_squared_by_hand(data: str, period: int) -> None:
    frame = market(data)
    close = frame["close"].to_numpy()
    got = outputs(LinearRegression(period=period), frame)
    x = np.arange(period, dtype=float)
    for t in range(period - 1, len(close), 13):
        y = close[t - period + 1 : t + 1]
        slope, intercept = np.polyfit(x, y, 1)
        fitted = intercept + slope * x
        r2 = 1.0 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()
        assert got[t, 0] == pytest.approx(slope, rel=1e-9, abs=1e-12)
        assert got[t, 1] == pytest.approx(intercept, rel=1e-9)
        assert got[t, 2] == pytest.approx(r2, abs=1e-9)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(min_value=1.0, max_value=1e4, allow_nan=False), min_size=30, max_size=80),
    st.integers(min_value=3, max_value=25),
)
def test_r_squared_is_a_fraction(closes: list[float], period: int) -> None:
    frame = ohlc_frame(closes, closes, closes)
    r2 = outputs(LinearRegression(period=period), frame)[period - 1 :, 2]
    known = r2[~np.isnan(r2)]
    assert ((known >= 0.0) & (known <= 1.0)).all()


@settings(max_examples=30, deadline=None)
@given(
    st.floats(min_value=1.0, max_value=1e3),
    st.floats(min_value=-5.0, max_value=5.0).filter(lambda s: abs(s) > 1e-3),
)
def test_a_straight_line_is_fitted_exactly(start: float, step: float) -> None:
    closes = list(start + 1e3 + step * np.arange(40))
    got = outputs(LinearRegression(period=10), ohlc_frame(closes, closes, closes))
    np.testing.assert_allclose(got[9:, 0], step, rtol=1e-9)
    np.testing.assert_allclose(got[9:, 1], np.array(closes[:31]), rtol=1e-12)
    np.testing.assert_allclose(got[9:, 2], 1.0, rtol=1e-9)


# ---------------------------------------------------------------------------
# Breakouts
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("data", MARKETS)
@pytest.mark.parametrize("period", [5, 20, 250])
def test_breakouts_by_hand(data: str, period: int) -> None:
    frame = market(data)
    got = outputs(Breakout(period=period), frame)
    prior_high = frame["high"].rolling(period).max().shift(1)  # excludes the current bar
    prior_low = frame["low"].rolling(period).min().shift(1)
    up = (frame["close"] > prior_high).astype(float).where(prior_high.notna())
    down = (frame["close"] < prior_low).astype(float).where(prior_low.notna())
    np.testing.assert_array_equal(got, np.column_stack([up, down]))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(min_value=1.0, max_value=100.0), min_size=15, max_size=60))
def test_breakout_flags_are_zero_or_one_and_exclusive(closes: list[float]) -> None:
    close = np.array(closes)
    frame = ohlc_frame(list(close * 1.01), list(close * 0.99), closes)
    flags = outputs(Breakout(period=5), frame)[5:]
    assert np.isin(flags, (0.0, 1.0)).all()
    assert not (flags.sum(axis=1) > 1).any()


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
    frame = synthetic_ohlcv(n=20_000, seed=7, freq="5min").ohlcv
    frame[["open", "high", "low", "close"]] *= np.linspace(1.0, 50.0, len(frame))[:, None]
    for indicator in DEFAULTS:
        assert_streams_as_computed(indicator, frame)


def test_streaming_agrees_on_flat_stretches_and_after_a_nan() -> None:
    frame = synthetic_ohlcv(n=900, seed=3, freq="5min").ohlcv
    frame.iloc[300:420, :4] = frame.iloc[300]["close"]
    frame.iloc[600, frame.columns.get_loc("high")] = np.nan
    for indicator in DEFAULTS:
        assert_streams_as_computed(indicator, frame)


def test_a_bar_without_its_inputs_is_refused() -> None:
    with pytest.raises(DataValidationError, match="high"):
        Breakout().update({"low": 1.0, "close": 1.0})
    with pytest.raises(DataValidationError, match="close"):
        LinearRegression().update({"open": 1.0})


@pytest.mark.parametrize(
    ("factory", "kwargs"),
    [
        (SupportResistance, {"order": 0}),
        (SupportResistance, {"order": 5, "lookback": 10}),
        (LinearRegression, {"period": 2}),
        (Breakout, {"period": 0}),
    ],
)
def test_invalid_parameters_are_refused(factory: type, kwargs: dict[str, object]) -> None:
    with pytest.raises((ValueError, TypeError)):
        factory(**kwargs)


def test_feature_names() -> None:
    assert SupportResistance(order=5, lookback=100).outputs == (
        "sr_resistance_5_100",
        "sr_support_5_100",
        "sr_resistance_distance_5_100",
        "sr_support_distance_5_100",
    )
    assert LinearRegression(period=20).outputs == (
        "linreg_slope_20",
        "linreg_intercept_20",
        "linreg_r2_20",
    )
    assert Breakout(period=20).outputs == ("breakout_up_20", "breakout_down_20")


@parametrize_with_checks(
    [
        *DEFAULTS,
        SupportResistance(order=1, lookback=3),
        LinearRegression(period=3),
        Breakout(period=1),
    ]
)
def test_conformance(component: object, check: object) -> None:
    check(component)  # type: ignore[operator]
