"""Order-flow imbalance: known sides used exactly, bulk-volume classification by hand."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlcore_microstructure.order_flow import (
    FLOW_COLUMNS,
    BulkVolumeImbalance,
    SignedFlowImbalance,
    bvc_buy_fraction,
)

NAN = math.nan


def bars(**columns: list[float]) -> pd.DataFrame:
    length = len(next(iter(columns.values())))
    index = pd.date_range("2024-01-01", periods=length, freq="1min", tz="UTC")
    return pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in columns.items()}, index=index)


def values(frame: pd.DataFrame) -> np.ndarray:
    return frame.iloc[:, 0].to_numpy()


def test_buy_and_sell_volumes_by_hand():
    # window 2: (10 - 30 + 30 - 10) / 80 = 0; (30 - 10 + 5 - 5) / 50 = 0.4
    data = bars(buy_volume=[10.0, 30.0, 5.0], sell_volume=[30.0, 10.0, 5.0])
    result = SignedFlowImbalance(window=2, flow="buy_sell").compute(data)
    assert list(result.columns) == ["ofi_2_buy_sell"]
    np.testing.assert_allclose(values(result), [NAN, 0.0, 0.4], rtol=1e-12, atol=1e-15)


def test_sides_by_hand():
    # signed volume: +10, -20, +30, 0 (side 0: unknown, counted in the total only)
    # window 2: (10 - 20) / 30 = -1/3; (-20 + 30) / 50 = 0.2; (30 + 0) / 70 = 3/7
    data = bars(side=[1.0, -1.0, 1.0, 0.0], volume=[10.0, 20.0, 30.0, 40.0])
    result = values(SignedFlowImbalance(window=2, flow="side").compute(data))
    np.testing.assert_allclose(result, [NAN, -1 / 3, 0.2, 3 / 7], rtol=1e-12)


def test_the_given_sides_are_used_exactly():
    # one bar per window: the imbalance of a bar is its side
    rng = np.random.default_rng(0)
    side = rng.choice([-1.0, 0.0, 1.0], 200)
    data = bars(side=list(side), volume=list(rng.uniform(1, 1000, 200)))
    np.testing.assert_array_equal(
        values(SignedFlowImbalance(window=1, flow="side").compute(data)), side
    )


def test_every_flow_gives_the_same_imbalance_for_the_same_trades():
    rng = np.random.default_rng(1)
    buy, sell = rng.uniform(0, 100, 300), rng.uniform(0, 100, 300)
    data = bars(
        buy_volume=list(buy),
        sell_volume=list(sell),
        volume=list(buy + sell),
        signed_volume=list(buy - sell),
    )
    expected = values(SignedFlowImbalance(window=10, flow="buy_sell").compute(data))
    for flow in ("signed_volume", "buy_volume"):
        got = values(SignedFlowImbalance(window=10, flow=flow).compute(data))
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    assert np.nanmax(np.abs(expected)) <= 1.0


def test_inputs_follow_the_flow():
    for flow, columns in FLOW_COLUMNS.items():
        assert SignedFlowImbalance(flow=flow).inputs == columns
    with pytest.raises(ValueError, match="flow"):
        SignedFlowImbalance(flow="guess")


def test_a_window_without_volume_has_no_imbalance():
    data = bars(buy_volume=[0.0, 0.0, 1.0], sell_volume=[0.0, 0.0, 0.0])
    np.testing.assert_array_equal(
        values(SignedFlowImbalance(window=2).compute(data)), [NAN, 0.0, 1.0]
    )


# ---------------------------------------------------------------------------
# Bulk-volume classification
# ---------------------------------------------------------------------------

CLOSE = [100.0, 101.0, 100.5, 102.0, 101.0, 101.5, 103.0]
VOLUME = [1000.0, 1200.0, 800.0, 1500.0, 900.0, 1100.0, 2000.0]


def bvc_by_hand(close: list[float], sigma_window: int) -> list[float]:
    """Phi(r_t / s_t), s_t the sample std of the last sigma_window log returns (stdlib)."""
    returns = [math.log(close[t] / close[t - 1]) for t in range(1, len(close))]
    fractions = [NAN] * sigma_window
    for t in range(sigma_window, len(close)):
        window = returns[t - sigma_window : t]  # returns of rows t-sigma_window+1 .. t
        fractions.append(statistics.NormalDist().cdf(returns[t - 1] / statistics.stdev(window)))
    return fractions


def test_bvc_buy_fraction_matches_a_hand_calculation():
    expected = bvc_by_hand(CLOSE, 3)
    got = bvc_buy_fraction(np.array(CLOSE), 3)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert np.isnan(got[:3]).all()


def test_bvc_imbalance_matches_a_hand_calculation():
    fractions = bvc_by_hand(CLOSE, 3)
    # buys - sells = V (2 f - 1); imbalance over 2 bars = sum V (2 f - 1) / sum V
    expected = [NAN] * 4 + [
        sum(VOLUME[i] * (2 * fractions[i] - 1) for i in (t - 1, t)) / (VOLUME[t - 1] + VOLUME[t])
        for t in range(4, len(CLOSE))
    ]
    indicator = BulkVolumeImbalance(window=2, sigma_window=3)
    assert indicator.warmup == 4
    assert indicator.outputs == ("ofi_bvc_2_3",)
    got = values(indicator.compute(bars(close=CLOSE, volume=VOLUME)))
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_bvc_sigma_uses_trailing_bars_only():
    # a huge move after row 5 cannot change the fraction of rows <= 5
    close = np.array(CLOSE)
    later = close.copy()
    later[6] = 150.0
    np.testing.assert_array_equal(bvc_buy_fraction(close, 3)[:6], bvc_buy_fraction(later, 3)[:6])


def test_a_flat_window_is_split_evenly():
    assert bvc_buy_fraction(np.full(6, 100.0), 3)[-1] == 0.5


@settings(max_examples=60, deadline=None)
@given(
    log_changes=arrays(
        np.float64,
        st.integers(3, 80),
        elements=st.floats(-0.5, 0.5, allow_nan=False, allow_subnormal=False),
    ),
    sigma_window=st.integers(2, 10),
)
def test_bvc_buy_fraction_is_a_fraction(log_changes, sigma_window):
    close = 100.0 * np.exp(np.cumsum(log_changes))
    fraction = bvc_buy_fraction(close, sigma_window)
    finite = fraction[np.isfinite(fraction)]
    assert ((finite >= 0.0) & (finite <= 1.0)).all()
    assert np.isfinite(fraction[sigma_window:]).all()
