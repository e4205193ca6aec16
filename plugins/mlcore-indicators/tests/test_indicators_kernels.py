"""The shared kernels (``_kernels``, ``_sequential``) and their streaming twins (``_streaming``).

References: plain Python loops written here, pandas' rolling windows, TA-Lib, and exact
sums (``math.fsum``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import talib
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from mlcore_indicators import _kernels as k
from mlcore_indicators import _sequential as seq
from mlcore_indicators._streaming import (
    Exponential,
    Lag,
    RollingExtreme,
    RollingSum,
    RollingWeightedSum,
    WindowMoments,
    WindowRank,
    WindowSum,
)
from numpy.lib.stride_tricks import sliding_window_view


def _walk(n: int, seed: int = 0, level: float = 100.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return level + np.cumsum(rng.normal(size=n))


def _with_nans(x: np.ndarray, *rows: int) -> np.ndarray:
    out = x.copy()
    out[list(rows)] = np.nan
    return out


def _stream(step: object, values: np.ndarray) -> np.ndarray:
    return np.array([step(float(v)) for v in values])  # type: ignore[operator]


finite_series = arrays(
    np.float64,
    st.integers(1, 80),
    elements=st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False),
)
series_with_nans = arrays(
    np.float64,
    st.integers(1, 80),
    elements=st.one_of(
        st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False), st.just(math.nan)
    ),
)


# ---------------------------------------------------------------------------
# Rolling sums
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 5, 14, 200])
def test_rolling_sum_equals_exact_window_sums(n: int) -> None:
    x = _walk(1_003, seed=n)
    expected = [math.nan] * (n - 1) + [
        math.fsum(x[t - n + 1 : t + 1]) for t in range(n - 1, len(x))
    ]
    np.testing.assert_allclose(k.rolling_sum(x, n), expected, rtol=1e-13, equal_nan=True)


def test_rolling_sum_stays_exact_on_a_long_series_far_from_zero() -> None:
    # Block-restarted sums: no rounding carried from 200,000 earlier values.
    x = 1e6 + _walk(200_000, seed=3)
    got = k.rolling_sum(x, 5)
    for t in (4, 99_999, 199_999):
        assert abs(got[t] - math.fsum(x[t - 4 : t + 1])) <= 1e-15 * 5e6 * 4


def test_rolling_sum_skips_leading_nans_and_a_nan_spoils_only_nearby_sums() -> None:
    x = _with_nans(_walk(60), 0, 1, 30)
    got = k.rolling_sum(x, 4)
    assert np.isnan(got[:5]).all()
    assert not np.isnan(got[5])  # the first sum: values 2..5
    assert np.isnan(got[30:34]).all()  # every window holding row 30
    assert np.isfinite(got[-10:]).all()
    np.testing.assert_allclose(got[29], math.fsum(x[26:30]), rtol=1e-14)


@pytest.mark.parametrize("n", [1, 2, 7, 30, 200])
def test_rolling_weighted_sum_equals_a_direct_dot_product(n: int) -> None:
    x = 4_000.0 + _walk(2_001, seed=n)
    weights = np.arange(1, n + 1, dtype=np.float64)
    expected = [np.dot(x[t - n + 1 : t + 1], weights) for t in range(n - 1, len(x))]
    got = k.rolling_weighted_sum(x, n)
    assert np.isnan(got[: n - 1]).all()
    np.testing.assert_allclose(got[n - 1 :], expected, rtol=1e-13)


@pytest.mark.parametrize("n", [2, 5, 30, 200])
def test_wma_matches_talib(n: int) -> None:
    x = _walk(3_000, seed=1)
    np.testing.assert_allclose(k.wma(x, n), talib.WMA(x, n), rtol=1e-12, equal_nan=True)


@pytest.mark.parametrize("n", [1, 3, 16])
def test_streaming_sums_repeat_the_batch_kernels_bit_for_bit(n: int) -> None:
    x = _with_nans(_walk(500, seed=n), 0, 250)
    np.testing.assert_array_equal(_stream(RollingSum(n).push, x), k.rolling_sum(x, n))
    np.testing.assert_array_equal(
        _stream(RollingWeightedSum(n).push, x), k.rolling_weighted_sum(x, n)
    )


def test_streaming_sum_reset_starts_over() -> None:
    stream = RollingSum(3)
    first = _stream(stream.push, np.arange(10.0))
    stream.reset()
    np.testing.assert_array_equal(_stream(stream.push, np.arange(10.0)), first)


# ---------------------------------------------------------------------------
# Rolling extremes and their ages
# ---------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(x=series_with_nans, n=st.integers(1, 20))
def test_rolling_max_and_min_equal_pandas_windows(x: np.ndarray, n: int) -> None:
    series = pd.Series(x)
    np.testing.assert_array_equal(k.rolling_max(x, n), series.rolling(n).max().to_numpy())
    np.testing.assert_array_equal(k.rolling_min(x, n), series.rolling(n).min().to_numpy())


@settings(max_examples=150, deadline=None)
@given(x=series_with_nans, n=st.integers(1, 20))
def test_streaming_extremes_agree_with_the_kernels(x: np.ndarray, n: int) -> None:
    highest, lowest = RollingExtreme(n, is_max=True), RollingExtreme(n, is_max=False)
    np.testing.assert_array_equal([highest.push(float(v)) for v in x], k.rolling_max(x, n))
    np.testing.assert_array_equal([lowest.push(float(v)) for v in x], k.rolling_min(x, n))


def test_a_nan_that_left_the_window_leaves_no_trace_in_the_extremes() -> None:
    # Reported once against an earlier rolling_max: wrong maxima after a NaN left the window.
    n = 250
    rng = np.random.default_rng(15)
    high = 100.0 + np.cumsum(rng.normal(size=4_000))
    low = high - rng.uniform(0.0, 2.0, high.size)
    spoiled_high, spoiled_low = _with_nans(high, 1500), _with_nans(low, 1500)
    for kernel, clean, spoiled in (
        (k.rolling_max, high, spoiled_high),
        (k.rolling_min, low, spoiled_low),
    ):
        got, expected = kernel(spoiled, n), kernel(clean, n)
        assert np.isnan(got[1500 : 1500 + n]).all()  # every window holding bar 1500
        np.testing.assert_array_equal(got[1500 + n :], expected[1500 + n :])
        np.testing.assert_array_equal(got[:1500], expected[:1500])
    # prior_max excludes bar t: its windows hold bar 1500 at rows 1501..1750.
    got, expected = k.prior_max(spoiled_high, n), k.prior_max(high, n)
    assert np.isnan(got[1501 : 1501 + n]).all()
    np.testing.assert_array_equal(got[1501 + n :], expected[1501 + n :])
    # ... and by hand, from the last row back to where the NaN left the window.
    for t in (1501 + n, 2_000, 3_999):
        assert got[t] == high[t - n : t].max()
        assert k.rolling_min(spoiled_low, n)[t] == low[t - n + 1 : t + 1].min()
    highest = RollingExtreme(n, is_max=True)
    streamed = [highest.push(float(v)) for v in spoiled_high]
    np.testing.assert_array_equal(streamed, k.rolling_max(spoiled_high, n))


def _ages_by_hand(x: np.ndarray, n: int, best_of: object) -> list[float]:
    ages = []
    for t in range(len(x)):
        window = x[max(0, t - n + 1) : t + 1]
        if t < n - 1 or np.isnan(window).any():
            ages.append(math.nan)
            continue
        best = best_of(window)  # type: ignore[operator]
        ages.append(float(next(i for i, v in enumerate(window[::-1]) if v == best)))
    return ages


@settings(max_examples=150, deadline=None)
@given(
    x=arrays(np.float64, st.integers(1, 60), elements=st.sampled_from([1.0, 2.0, 3.0, math.nan])),
    n=st.integers(1, 12),
)
def test_extreme_ages_pick_the_newest_extreme_on_ties(x: np.ndarray, n: int) -> None:
    high_age, low_age = seq.extreme_ages(x, x, n)
    np.testing.assert_array_equal(high_age, _ages_by_hand(x, n, np.max))
    np.testing.assert_array_equal(low_age, _ages_by_hand(x, n, np.min))
    highest, lowest = RollingExtreme(n, is_max=True), RollingExtreme(n, is_max=False)
    for stream, ages in ((highest, high_age), (lowest, low_age)):
        streamed = []
        for v in x:
            stream.push(float(v))
            streamed.append(stream.age())
        np.testing.assert_array_equal([math.nan if a < 0 else a for a in streamed], ages)


def test_extreme_ages_by_hand() -> None:
    x = np.array([1.0, 3.0, 3.0, 2.0, 1.0, 0.5])
    high_age, low_age = seq.extreme_ages(x, x, 3)
    # Windows: [1,3,3] [3,3,2] [3,2,1] [2,1,0.5]; ties go to the newest bar.
    np.testing.assert_array_equal(high_age, [np.nan, np.nan, 0, 1, 2, 2])
    np.testing.assert_array_equal(low_age, [np.nan, np.nan, 2, 0, 0, 0])


# ---------------------------------------------------------------------------
# Windows that are NaN exactly where they hold a NaN
# ---------------------------------------------------------------------------


def _windows_by_hand(x: np.ndarray, n: int, statistic: object) -> list[float]:
    """``statistic(window)`` per bar; NaN while the window is incomplete or holds a NaN."""
    out = []
    for t in range(len(x)):
        window = x[max(0, t - n + 1) : t + 1]
        complete = t >= n - 1 and not np.isnan(window).any()
        out.append(statistic(window) if complete else math.nan)  # type: ignore[operator]
    return out


@settings(max_examples=150, deadline=None)
@given(x=series_with_nans, n=st.integers(1, 20))
def test_window_sum_is_the_exact_sum_of_each_nan_free_window(x: np.ndarray, n: int) -> None:
    expected = _windows_by_hand(x, n, math.fsum)
    got = k.window_sum(x, n)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-9)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(_stream(WindowSum(n).push, x), got, rtol=1e-12, atol=1e-9)


@settings(max_examples=150, deadline=None)
@given(x=series_with_nans, n=st.integers(1, 20), centered=st.booleans())
def test_window_mean_and_variance_by_hand(x: np.ndarray, n: int, centered: bool) -> None:
    mean, var = k.window_mean_var(x, n, centered=centered)
    np.testing.assert_allclose(mean, _windows_by_hand(x, n, np.mean), rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(var, _windows_by_hand(x, n, np.var), rtol=1e-9, atol=1e-7)
    moments = WindowMoments(n)
    streamed = np.array([moments.push(float(v)) for v in x]).reshape(-1, 2)
    np.testing.assert_allclose(streamed[:, 0], mean, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(streamed[:, 1], var, rtol=1e-9, atol=1e-7)


def test_window_variance_is_exactly_zero_on_a_constant_window_far_from_zero() -> None:
    x = np.concatenate([2_000.0 + np.cumsum(np.full(50, 0.1)), np.full(30, 2_000.3)])
    var = k.window_mean_var(x, 10)[1]
    assert (var[59:] == 0.0).all()  # windows of 2000.3 only
    assert (var[9:50] > 0.0).all()


def test_window_variance_keeps_its_digits_far_from_where_prices_started() -> None:
    # Prices that drift from 20 to 20,000: offsets from a nearby reference, not raw sums.
    rng = np.random.default_rng(8)
    x = np.cumprod(np.full(20_000, 1.0 + 3.5e-4)) * 20.0 + rng.normal(size=20_000)
    var = k.window_mean_var(x, 20)[1]
    expected = np.var(sliding_window_view(x, 20), axis=1)
    np.testing.assert_allclose(var[19:], expected, rtol=1e-9)


@settings(max_examples=150, deadline=None)
@given(x=series_with_nans, n=st.integers(1, 20))
def test_rank_fraction_counts_the_window_values_at_or_below_the_current(
    x: np.ndarray, n: int
) -> None:
    expected = _windows_by_hand(x, n, lambda w: np.count_nonzero(w <= w[-1]) / n)
    np.testing.assert_array_equal(k.rank_fraction(x, n), expected)
    np.testing.assert_array_equal(_stream(WindowRank(n).push, x), expected)


# ---------------------------------------------------------------------------
# Exponential averages and recursions
# ---------------------------------------------------------------------------


def _ema_by_hand(x: np.ndarray, alpha: float, n: int, seed_at: int) -> list[float]:
    out = [math.nan] * len(x)
    value = sum(x[seed_at - n + 1 : seed_at + 1]) / n
    out[seed_at] = value
    for t in range(seed_at + 1, len(x)):
        value = value + alpha * (x[t] - value)
        out[t] = value
    return out


@pytest.mark.parametrize(("n", "seed_at"), [(1, 0), (5, 4), (12, 25), (30, 29)])
def test_exponential_seeds_with_the_sma_ending_at_seed_at(n: int, seed_at: int) -> None:
    x = _walk(400, seed=n)
    alpha = 2.0 / (n + 1.0)
    got = k.exponential(x, alpha, n, seed_at=seed_at)
    np.testing.assert_allclose(got, _ema_by_hand(x, alpha, n, seed_at), rtol=1e-12)


@pytest.mark.parametrize("n", [2, 9, 26, 200])
def test_ema_matches_talib_and_wilder_the_hand_recursion(n: int) -> None:
    x = _walk(3_000, seed=n)
    np.testing.assert_allclose(k.ema(x, n), talib.EMA(x, n), rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(k.wilder(x, n), _ema_by_hand(x, 1.0 / n, n, n - 1), rtol=1e-12)


def test_exponential_skips_leading_nans_and_a_nan_spoils_the_rest() -> None:
    x = _with_nans(_walk(50), 0, 1)
    got = k.ema(x, 3)
    assert np.isnan(got[:4]).all()
    assert got[4] == pytest.approx(np.mean(x[2:5]), rel=1e-15)
    spoiled = k.ema(_with_nans(x, 20), 3)
    assert np.isnan(spoiled[20:]).all()
    np.testing.assert_array_equal(spoiled[:20], got[:20])


@pytest.mark.parametrize(("n", "seed_count"), [(3, None), (12, 26)])
def test_streaming_exponential_agrees_with_the_kernel(n: int, seed_count: int | None) -> None:
    x = _with_nans(_walk(300, seed=2), 0)
    seed_at = 1 + (seed_count or n) - 1
    expected = k.exponential(x, 2.0 / (n + 1.0), n, seed_at=seed_at)
    got = _stream(Exponential(2.0 / (n + 1.0), n, seed_count=seed_count).push, x)
    np.testing.assert_allclose(got, expected, rtol=1e-13, equal_nan=True)


@settings(max_examples=100, deadline=None)
@given(x=series_with_nans, y=series_with_nans, n=st.integers(1, 12))
def test_exponential_pair_is_two_exponentials_bit_for_bit(
    x: np.ndarray, y: np.ndarray, n: int
) -> None:
    y = np.resize(y, x.shape)
    pair = k.exponential_pair(x, y, 1.0 / n, n)
    np.testing.assert_array_equal(pair[0], k.exponential(x, 1.0 / n, n))
    np.testing.assert_array_equal(pair[1], k.exponential(y, 1.0 / n, n))


def test_linear_recurrence_by_hand() -> None:
    v = np.array([5.0, 1.0, 2.0, 3.0])
    # y[1] = 10, then y[t] = 1.0 * v[t] + 0.5 * y[t - 1]: y[2] = 2 + 5 = 7, y[3] = 3 + 3.5
    got = seq.linear_recurrence(v, 1.0, 0.5, 1, 10.0)
    np.testing.assert_array_equal(got, [np.nan, 10.0, 7.0, 6.5])


def test_adaptive_average_by_hand() -> None:
    x = np.array([1.0, 2.0, 4.0, 8.0])
    smoothing = np.array([np.nan, np.nan, 0.5, 0.25])
    # y[1] = x[1] = 2; y[2] = 2 + 0.5 * (4 - 2) = 3; y[3] = 3 + 0.25 * (8 - 3) = 4.25
    np.testing.assert_array_equal(seq.adaptive_average(x, smoothing, 2), [np.nan, np.nan, 3, 4.25])


# ---------------------------------------------------------------------------
# Small kernels
# ---------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(x=finite_series, n=st.integers(1, 15))
def test_rolling_mean_deviation_by_hand(x: np.ndarray, n: int) -> None:
    mean, deviation = k.rolling_mean_deviation(x, n)
    for t in range(n - 1, len(x)):
        window = x[t - n + 1 : t + 1]
        centre = math.fsum(window) / n
        assert mean[t] == pytest.approx(centre, rel=1e-12, abs=1e-9)
        by_hand = math.fsum(abs(v - centre) for v in window) / n
        assert deviation[t] == pytest.approx(by_hand, rel=1e-9, abs=1e-9)
    assert np.isnan(mean[: n - 1]).all()


def test_true_range_matches_talib_and_propagates_nan() -> None:
    rng = np.random.default_rng(4)
    close = _walk(500)
    high = close + rng.uniform(0, 2, 500)
    low = close - rng.uniform(0, 2, 500)
    np.testing.assert_allclose(
        k.true_range(high, low, close), talib.TRANGE(high, low, close), equal_nan=True
    )
    assert np.isnan(k.true_range(_with_nans(high, 7), low, close)[7])


def test_first_valid_shift_diff_and_lag() -> None:
    x = np.array([np.nan, np.nan, 3.0, 4.0, 6.0])
    assert k.first_valid(x) == 2
    assert k.first_valid(np.full(3, np.nan)) == 3
    assert k.first_valid(np.array([1.0])) == 0
    np.testing.assert_array_equal(k.shift(x, 2), [np.nan, np.nan, np.nan, np.nan, 3.0])
    np.testing.assert_array_equal(k.diff(x), [np.nan, np.nan, np.nan, 1.0, 2.0])
    lag = Lag(2)
    np.testing.assert_array_equal(_stream(lag.push, x), k.shift(x, 2))


def test_parabolic_sar_matches_talib_on_a_random_walk() -> None:
    rng = np.random.default_rng(9)
    close = _walk(2_000, seed=9)
    high = close + rng.uniform(0, 1.5, close.size)
    low = close - rng.uniform(0, 1.5, close.size)
    sar, trend = seq.parabolic_sar(high, low, 0.02, 0.2)
    np.testing.assert_allclose(sar, talib.SAR(high, low, 0.02, 0.2), rtol=1e-13, equal_nan=True)
    np.testing.assert_array_equal(trend[1:], np.sign(talib.SAREXT(high, low))[1:])
