"""Liquidity measures by hand: zero returns, Amivest, VPIN."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd
import pytest

from mlcore_microstructure.liquidity import VPIN, AmivestLiquidity, ZeroReturnProportion

NAN = math.nan


def bars(**columns: list[float]) -> pd.DataFrame:
    length = len(next(iter(columns.values())))
    index = pd.date_range("2024-01-01", periods=length, freq="1D", tz="UTC")
    return pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in columns.items()}, index=index)


def values(frame: pd.DataFrame) -> np.ndarray:
    return frame.iloc[:, 0].to_numpy()


def test_zero_return_proportion_by_hand():
    # changes into rows 1..6: zero, up, zero, zero, down, zero -> 1, 0, 1, 1, 0, 1
    data = bars(close=[10.0, 10.0, 11.0, 11.0, 11.0, 10.5, 10.5])
    result = ZeroReturnProportion(window=3).compute(data)
    assert list(result.columns) == ["zero_return_3"]
    np.testing.assert_allclose(
        values(result), [NAN, NAN, NAN, 2 / 3, 2 / 3, 2 / 3, 2 / 3], rtol=1e-15
    )
    np.testing.assert_array_equal(
        values(ZeroReturnProportion(window=1).compute(data)), [NAN, 1, 0, 1, 1, 0, 1]
    )


def test_amivest_by_hand():
    close = [100.0, 101.0, 101.0, 99.99]
    volume = [5.0, 10.0, 20.0, 30.0]
    # bars that moved: row 1 (r = 0.01, dollar volume 1010) and row 3 (r = -0.01,
    # dollar volume 2999.7); row 2 did not move and is left out.
    data = bars(close=close, volume=volume)
    result = values(AmivestLiquidity(window=2).compute(data))
    np.testing.assert_allclose(result, [NAN, NAN, 1010 / 0.01, 2999.7 / 0.01], rtol=1e-9)
    result = values(AmivestLiquidity(window=3).compute(data))
    assert result[3] == pytest.approx((1010 + 2999.7) / 0.02, rel=1e-9)
    # a window in which the price never moved has no Amivest ratio
    assert np.isnan(values(AmivestLiquidity(window=1).compute(data))[2])


def test_vpin_by_hand():
    close = [100.0, 101.0, 100.5, 102.0, 101.0, 101.5, 103.0]
    volume = [1000.0, 1200.0, 800.0, 1500.0, 900.0, 1100.0, 2000.0]
    returns = [math.log(close[t] / close[t - 1]) for t in range(1, len(close))]
    # buy fraction f_t = Phi(r_t / stdev(last 3 returns)); |buys - sells| = V |2 f - 1|
    imbalance = {}
    for t in range(3, len(close)):
        f = statistics.NormalDist().cdf(returns[t - 1] / statistics.stdev(returns[t - 3 : t]))
        imbalance[t] = volume[t] * abs(2 * f - 1)
    expected = [NAN] * 4 + [
        (imbalance[t - 1] + imbalance[t]) / (volume[t - 1] + volume[t])
        for t in range(4, len(close))
    ]
    indicator = VPIN(window=2, sigma_window=3)
    assert indicator.outputs == ("vpin_2_3",)
    assert indicator.warmup == 4
    np.testing.assert_allclose(
        values(indicator.compute(bars(close=close, volume=volume))), expected, rtol=1e-12
    )


def test_vpin_is_a_probability():
    rng = np.random.default_rng(3)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 500)))
    result = values(VPIN().compute(bars(close=list(close), volume=list(rng.uniform(1, 10, 500)))))
    finite = result[np.isfinite(result)]
    assert len(finite) == 500 - VPIN().warmup
    assert ((finite >= 0) & (finite <= 1)).all()
