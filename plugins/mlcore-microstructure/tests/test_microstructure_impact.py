"""Price impact: Amihud by hand, Kyle's lambda against LAPACK least squares, the tick rule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mlcore_microstructure.impact import AmihudIlliquidity, KyleLambda, tick_rule_signs

NAN = math.nan


def bars(**columns: list[float]) -> pd.DataFrame:
    length = len(next(iter(columns.values())))
    index = pd.date_range("2024-01-01", periods=length, freq="1D", tz="UTC")
    return pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in columns.items()}, index=index)


def values(frame: pd.DataFrame) -> np.ndarray:
    return frame.iloc[:, 0].to_numpy()


# ---------------------------------------------------------------------------
# Amihud
# ---------------------------------------------------------------------------


def test_amihud_matches_a_hand_calculation():
    close = [100.0, 101.0, 99.99, 99.99, 100.99]
    volume = [10.0, 20.0, 0.0, 5.0, 4.0]
    # |r_t| / (close_t volume_t):
    #   row 1: 0.01 / 2020;  row 2: no volume, left out;  row 3: 0 / 499.95 = 0;
    #   row 4: (100.99/99.99 - 1) / (100.99 * 4) = (1/99.99) / 403.96
    r1 = 0.01 / 2020
    r4 = (1 / 99.99) / (100.99 * 4)
    data = bars(close=close, volume=volume)
    np.testing.assert_allclose(
        values(AmihudIlliquidity(window=1).compute(data)), [NAN, r1, NAN, 0.0, r4], rtol=1e-9
    )
    # window 2: the mean over the traded bars of each window
    np.testing.assert_allclose(
        values(AmihudIlliquidity(window=2).compute(data)),
        [NAN, NAN, r1, 0.0, r4 / 2],
        rtol=1e-9,
    )
    # window 3 at row 3: rows 1..3, traded bars 1 and 3
    assert values(AmihudIlliquidity(window=3).compute(data))[3] == pytest.approx(r1 / 2)


def test_amihud_names():
    amihud = AmihudIlliquidity(window=21)
    assert amihud.outputs == ("amihud_21",)
    assert amihud.inputs == ("close", "volume")
    assert amihud.warmup == 21


# ---------------------------------------------------------------------------
# Tick rule and Kyle's lambda
# ---------------------------------------------------------------------------


def test_tick_rule_by_hand():
    # first bar unknown (0), up, unchanged (carry +1), down, unchanged (carry -1),
    # NaN (carry -1), and the change into row 6 is unknown too (from a NaN): carry -1
    close = np.array([10.0, 11.0, 11.0, 10.0, 10.0, NAN, 12.0])
    np.testing.assert_array_equal(tick_rule_signs(close), [0, 1, 1, -1, -1, -1, -1])
    # with row 5 known: up into row 5 and unchanged into row 6
    close[5] = 10.5
    close[6] = 10.5
    np.testing.assert_array_equal(tick_rule_signs(close), [0, 1, 1, -1, -1, 1, 1])
    assert tick_rule_signs(np.array([5.0, 5.0]), sign_before=-1.0).tolist() == [-1.0, -1.0]


def ols_slopes(x: np.ndarray, y: np.ndarray, window: int) -> np.ndarray:
    """The slope of y on [1, x], solved by numpy.linalg.lstsq (LAPACK) on every window."""
    out = np.full(len(y), NAN)
    for t in range(window, len(y)):
        rows = slice(t - window + 1, t + 1)
        design = np.column_stack([np.ones(window), x[rows]])
        out[t] = np.linalg.lstsq(design, y[rows], rcond=None)[0][1]
    return out


@pytest.fixture(scope="module")
def trades() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 120
    side = rng.choice([-1.0, 1.0], n)
    volume = rng.lognormal(8, 0.5, n)
    # returns respond to signed volume (lambda 2e-6) plus noise
    log_close = np.log(50.0) + np.cumsum(2e-6 * side * volume + rng.normal(0, 0.004, n))
    return bars(close=list(np.exp(log_close)), volume=list(volume), side=list(side))


def test_kyle_lambda_with_sides_matches_least_squares(trades):
    close = trades["close"].to_numpy()
    returns = np.concatenate([[NAN], np.log(close[1:] / close[:-1])])
    signed = trades["side"].to_numpy() * trades["volume"].to_numpy()
    got = values(KyleLambda(window=30, flow="side").compute(trades))
    expected = ols_slopes(signed, returns, 30)
    assert np.isnan(got[:30]).all()
    np.testing.assert_allclose(got[30:], expected[30:], rtol=1e-8)
    assert np.nanmean(got) == pytest.approx(2e-6, rel=0.3)  # it finds the simulated impact


def test_kyle_lambda_with_the_tick_rule_matches_least_squares(trades):
    close = trades["close"].to_numpy()
    returns = np.concatenate([[NAN], np.log(close[1:] / close[:-1])])
    signed = tick_rule_signs(close) * trades["volume"].to_numpy()
    got = values(KyleLambda(window=25).compute(trades))
    np.testing.assert_allclose(got[25:], ols_slopes(signed, returns, 25)[25:], rtol=1e-8)


def test_kyle_lambda_on_signed_sqrt_dollar_volume_matches_least_squares(trades):
    close = trades["close"].to_numpy()
    returns = np.concatenate([[NAN], np.log(close[1:] / close[:-1])])
    signed = trades["side"].to_numpy() * np.sqrt(trades["volume"].to_numpy() * close)
    indicator = KyleLambda(window=30, flow="side", regressor="sqrt_dollar_volume")
    assert indicator.outputs == ("kyle_lambda_30_side_sqrt_dollar_volume",)
    assert indicator.inputs == ("close", "side", "volume")
    got = values(indicator.compute(trades))
    np.testing.assert_allclose(got[30:], ols_slopes(signed, returns, 30)[30:], rtol=1e-8)


def test_kyle_lambda_is_nan_when_the_flow_does_not_vary():
    data = bars(close=[10.0, 10.1, 10.2, 10.3, 10.4], side=[1.0] * 5, volume=[100.0] * 5)
    assert np.isnan(values(KyleLambda(window=3, flow="side").compute(data))).all()


def test_kyle_lambda_streams_through_long_unchanged_stretches():
    # the tick rule carries a sign across many unchanged closes, beyond the window
    close = [10.0, 10.5] + [10.5] * 12 + [10.4, 10.6, 10.6, 10.3, 10.8, 10.8, 10.9]
    volume = list(np.linspace(100.0, 300.0, len(close)))
    data = bars(close=close, volume=volume)
    indicator = KyleLambda(window=4)
    expected = values(indicator.compute(data))
    streamed = [
        indicator.update({"close": c, "volume": v})[0] for c, v in zip(close, volume, strict=True)
    ]
    np.testing.assert_allclose(streamed, expected, rtol=1e-9, atol=1e-12)
