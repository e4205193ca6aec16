"""Momentum indicators: TA-Lib parity on real and synthetic bars, ``ta`` parity where TA-Lib
has no such indicator, hand calculations, bounds (hypothesis), streaming, conformance.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import indicators_support as support
import numpy as np
import pandas as pd
import pytest
import ta
import talib
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from indicators_support import assert_parity, assert_streams_as_computed, one_per_class
from mlcore_indicators import momentum as M
from mlcore_indicators.defaults import default_set

from mlcore.errors import DataValidationError
from mlcore.testing import parametrize_with_checks

DATASETS = ["sp500", "synthetic-1D", "synthetic-5min"]


def _synthetic(freq: str) -> pd.DataFrame:
    return support.synthetic(freq, 4_000, 13)


def _data(name: str) -> pd.DataFrame:
    return support.sp500() if name == "sp500" else _synthetic(name.split("-")[1])


def _columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    return {c: frame[c].to_numpy(dtype=float) for c in ("open", "high", "low", "close")}


def _hlc(d: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return d["high"], d["low"], d["close"]


Reference = Callable[[dict[str, np.ndarray]], np.ndarray]
TALIB_CASES: list[tuple[Any, int, Reference]] = [
    *[(M.RSI(period=p), 0, lambda d, p=p: talib.RSI(d["close"], p)) for p in (7, 14, 21)],
    *[(M.CMO(period=p), 0, lambda d, p=p: talib.CMO(d["close"], p)) for p in (14, 28)],
    *[
        (
            M.Stochastic(fastk=a, slowk=b, slowd=c),
            i,
            lambda d, a=a, b=b, c=c, i=i: talib.STOCH(*_hlc(d), a, b, 0, c, 0)[i],
        )
        for a, b, c in ((5, 3, 3), (14, 3, 3), (9, 1, 4))
        for i in range(2)
    ],
    *[
        (
            M.StochasticFast(fastk=a, fastd=b),
            i,
            lambda d, a=a, b=b, i=i: talib.STOCHF(*_hlc(d), a, b, 0)[i],
        )
        for a, b in ((5, 3), (14, 3))
        for i in range(2)
    ],
    *[(M.WilliamsR(period=p), 0, lambda d, p=p: talib.WILLR(*_hlc(d), p)) for p in (7, 14, 28)],
    *[(M.CCI(period=p), 0, lambda d, p=p: talib.CCI(*_hlc(d), p)) for p in (14, 20, 40)],
    *[(M.ROC(period=p), 0, lambda d, p=p: talib.ROC(d["close"], p)) for p in (1, 5, 60)],
    *[(M.Momentum(period=p), 0, lambda d, p=p: talib.MOM(d["close"], p)) for p in (1, 10, 60)],
    (M.UltimateOscillator(), 0, lambda d: talib.ULTOSC(*_hlc(d), 7, 14, 28)),
    # TA-Lib sorts the three periods: the shortest always gets weight 4.
    (
        M.UltimateOscillator(short=28, medium=5, long=10),
        0,
        lambda d: talib.ULTOSC(*_hlc(d), 28, 5, 10),
    ),
    *[
        (
            M.StochRSI(period=p, fastk=a, fastd=b),
            i,
            lambda d, p=p, a=a, b=b, i=i: talib.STOCHRSI(d["close"], p, a, b, 0)[i],
        )
        for p, a, b in ((14, 5, 3), (14, 14, 3), (9, 3, 2))
        for i in range(2)
    ],
    (M.PPO(), 0, lambda d: talib.PPO(d["close"], 12, 26, 1)),
    (M.BalanceOfPower(), 0, lambda d: talib.BOP(d["open"], d["high"], d["low"], d["close"])),
]


def _case_id(case: tuple[Any, int, Reference]) -> str:
    indicator, position, _ = case
    return indicator.outputs[position]


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("case", TALIB_CASES, ids=_case_id)
def test_matches_talib(case: tuple[Any, int, Reference], dataset: str) -> None:
    indicator, position, reference = case
    frame = _data(dataset)
    # From TA-Lib's first value on: the seeding is TA-Lib's, so no extra warm-up is needed.
    assert_parity(indicator.compute(frame).iloc[:, position], reference(_columns(frame)))


@pytest.mark.parametrize("dataset", DATASETS)
def test_ppo_signal_is_the_ema_of_talibs_ppo(dataset: str) -> None:
    frame = _data(dataset)
    ours = M.PPO().compute(frame)
    ppo = talib.PPO(frame.close.to_numpy(), 12, 26, 1)
    signal = np.full(len(ppo), np.nan)
    signal[25:] = talib.EMA(ppo[25:], 9)
    assert_parity(ours.iloc[:, 1], signal)
    assert_parity(ours.iloc[:, 2], ppo - signal)


@pytest.mark.parametrize("dataset", DATASETS)
def test_tsi_and_awesome_oscillator_match_ta(dataset: str) -> None:
    frame = _data(dataset)
    bars = frame.reset_index(drop=True)  # ta 0.11 on pandas 3 needs a RangeIndex
    awesome = ta.momentum.AwesomeOscillatorIndicator(bars.high, bars.low, 5, 34)
    assert_parity(M.AwesomeOscillator().compute(frame).iloc[:, 0], awesome.awesome_oscillator())
    # ta seeds its EMAs with the first value, these with an SMA (TA-Lib's way). Two EMAs in
    # a row and a ratio of small numbers: the difference fades by 20x the slow period.
    tsi = ta.momentum.TSIIndicator(bars.close, 25, 13).tsi()
    assert_parity(M.TSI().compute(frame).iloc[:, 0], tsi, 500)


def _ema_seeded(x: list[float], n: int) -> list[float]:
    """An EMA by hand: NaNs skipped at the start, the SMA of the first ``n`` as seed."""
    out = [np.nan] * len(x)
    start = next(i for i, v in enumerate(x) if not np.isnan(v))
    value = sum(x[start : start + n]) / n
    out[start + n - 1] = value
    for t in range(start + n, len(x)):
        value += 2.0 / (n + 1.0) * (x[t] - value)
        out[t] = value
    return out


def test_tsi_by_hand() -> None:
    close = _synthetic("1D").close.to_numpy()[:300]
    change = [np.nan, *np.diff(close).tolist()]
    signed = _ema_seeded(_ema_seeded(change, 25), 13)
    absolute = _ema_seeded(_ema_seeded([abs(v) for v in change], 25), 13)
    expected = 100.0 * np.array(signed) / np.array(absolute)
    got = M.TSI().compute(_synthetic("1D").iloc[:300]).iloc[:, 0].to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-10, equal_nan=True)


def test_small_hand_computations() -> None:
    bars = pd.DataFrame(
        {
            "open": [1.0, 2.0, 3.0, 3.5, 5.0],
            "high": [2.0, 4.0, 4.0, 4.0, 6.0],
            "low": [0.5, 1.0, 2.0, 1.0, 2.0],
            "close": [1.0, 2.0, 4.0, 3.0, 5.0],
            "volume": [1.0] * 5,
        },
        index=pd.date_range("2024-01-01", periods=5, tz="UTC"),
    )
    # Changes +1, +2, -1, +2; RSI(2) seed: gain (1+2)/2, loss 0 -> 100; then Wilder:
    # gain (1.5 + 0) / 2 = 0.75, loss (0 + 1) / 2 = 0.5 -> 60; gain 1.375, loss 0.25
    rsi = M.RSI(period=2).compute(bars).iloc[:, 0].to_numpy()
    np.testing.assert_allclose(rsi, [np.nan, np.nan, 100.0, 60.0, 100 * 1.375 / 1.625])
    # Williams %R(3) at bar 4: highest 6, lowest 1 -> (6 - 5) / (5 / -100) = -20
    assert M.WilliamsR(period=3).compute(bars).iloc[4, 0] == pytest.approx(-20.0)
    # fast %K(3) at bar 4: (5 - 1) / (6 - 1) * 100 = 80
    assert M.StochasticFast(fastk=3, fastd=1).compute(bars).iloc[4, 0] == pytest.approx(80.0)
    assert M.ROC(period=2).compute(bars).iloc[4, 0] == pytest.approx(25.0)
    assert M.Momentum(period=3).compute(bars).iloc[4, 0] == pytest.approx(3.0)
    assert M.BalanceOfPower().compute(bars).iloc[3, 0] == pytest.approx(-0.5 / 3.0)
    # CCI(3) at bar 4: typical prices 10/3, 8/3, 13/3; mean 31/9; mean |dev| 16/27
    cci = M.CCI(period=3).compute(bars).iloc[4, 0]
    assert cci == pytest.approx((13 / 3 - 31 / 9) / (0.015 * 16 / 27))


def test_flat_market_gives_talibs_zeros() -> None:
    frame = _synthetic("1D").iloc[:200].copy()
    frame[["open", "high", "low", "close"]] = 100.0
    d = _columns(frame)
    assert_parity(M.RSI().compute(frame).iloc[:, 0], talib.RSI(d["close"], 14))
    assert_parity(M.CMO().compute(frame).iloc[:, 0], talib.CMO(d["close"], 14))
    assert_parity(M.WilliamsR().compute(frame).iloc[:, 0], talib.WILLR(*_hlc(d), 14))
    assert_parity(M.CCI().compute(frame).iloc[:, 0], talib.CCI(*_hlc(d), 14))
    assert_parity(M.UltimateOscillator().compute(frame).iloc[:, 0], talib.ULTOSC(*_hlc(d)))
    assert_parity(M.StochRSI().compute(frame).iloc[:, 0], talib.STOCHRSI(d["close"])[0])
    assert_parity(M.BalanceOfPower().compute(frame).iloc[:, 0], talib.BOP(*d.values()))


# ---------------------------------------------------------------------------
# Bounds that must hold on any market (hypothesis)
# ---------------------------------------------------------------------------


@st.composite
def markets(draw: Any) -> pd.DataFrame:
    steps = draw(
        arrays(
            np.float64, st.integers(40, 120), elements=st.floats(-0.05, 0.05, allow_subnormal=False)
        )
    )
    close = 100.0 * np.exp(np.cumsum(steps))
    wick = draw(
        arrays(np.float64, len(close), elements=st.floats(0.0, 0.02, allow_subnormal=False))
    )
    opens = np.r_[close[0], close[:-1]]
    return pd.DataFrame(
        {
            "open": opens,
            "high": np.maximum(opens, close) * (1 + wick),
            "low": np.minimum(opens, close) * (1 - wick),
            "close": close,
            "volume": 1.0,
        },
        index=pd.date_range("2024-01-01", periods=len(close), freq="h", tz="UTC"),
    )


BOUNDED = [
    (M.RSI(period=7), 0.0, 100.0),
    (M.CMO(period=7), -100.0, 100.0),
    (M.Stochastic(), 0.0, 100.0),
    (M.StochasticFast(), 0.0, 100.0),
    (M.WilliamsR(period=7), -100.0, 0.0),
    (M.UltimateOscillator(short=3, medium=5, long=9), 0.0, 100.0),
    (M.StochRSI(period=7), 0.0, 100.0),
    (M.BalanceOfPower(), -1.0, 1.0),
    (M.TSI(slow=9, fast=5), -100.0, 100.0),
]


@settings(max_examples=60, deadline=None)
@given(frame=markets())
def test_oscillators_stay_in_their_ranges(frame: pd.DataFrame) -> None:
    tolerance = 1e-9
    for indicator, low, high in BOUNDED:
        values = indicator.compute(frame).to_numpy()[indicator.warmup :]
        assert np.isfinite(values).all(), indicator
        assert (values >= low - tolerance).all(), indicator
        assert (values <= high + tolerance).all(), indicator
    rsi = M.RSI(period=7).compute(frame).iloc[:, 0]
    cmo = M.CMO(period=7).compute(frame).iloc[:, 0]
    moved = ~((rsi == 0) & (cmo == 0))  # both are 0 on a market that has not moved
    # TA-Lib's CMO smooths like its RSI (Wilder), so CMO = 2 RSI - 100
    np.testing.assert_allclose(cmo[moved], 2 * rsi[moved] - 100, atol=1e-9)


# ---------------------------------------------------------------------------
# Streaming, conformance, parameters
# ---------------------------------------------------------------------------

MOMENTUM_DEFAULTS = default_set(("momentum",))
EXTREME_PARAMETERS = [
    M.RSI(period=2),
    M.CMO(period=2),
    M.Stochastic(fastk=1, slowk=1, slowd=1),
    M.StochasticFast(fastk=1, fastd=1),
    M.WilliamsR(period=2),
    M.CCI(period=2),
    M.ROC(period=1),
    M.Momentum(period=1),
    M.UltimateOscillator(short=1, medium=1, long=1),
    M.StochRSI(period=2, fastk=1, fastd=1),
    M.PPO(fast=2, slow=3, signal=1),
    M.TSI(slow=1, fast=1),
    M.AwesomeOscillator(fast=1, slow=2),
]


@parametrize_with_checks([*MOMENTUM_DEFAULTS, *EXTREME_PARAMETERS])
def test_conformance(component: object, check: Any) -> None:
    check(component)


def _long_frame() -> pd.DataFrame:
    return support.synthetic("5min", 20_000, 23)


@pytest.mark.parametrize(
    "indicator", one_per_class(MOMENTUM_DEFAULTS), ids=lambda i: type(i).__name__
)
def test_streaming_agrees_on_20000_bars_and_across_a_nan(indicator: Any) -> None:
    frame = _long_frame().copy()
    column = indicator.inputs[-1]
    frame.iloc[12_345, frame.columns.get_loc(column)] = np.nan
    # Running sums restart every period, so nothing drifts over 20,000 bars; and a NaN
    # spoils the same rows in both forms (recursions keep it for good, windows let it go).
    got = assert_streams_as_computed(indicator, frame)
    assert np.isfinite(got[:12_345]).all(axis=1)[indicator.warmup :].all()


def test_warmup_is_the_first_complete_row() -> None:
    frame = _synthetic("1D")
    for indicator in MOMENTUM_DEFAULTS + EXTREME_PARAMETERS:
        values = indicator.compute(frame).to_numpy()
        complete = np.flatnonzero(np.isfinite(values).all(axis=1))
        assert complete[0] == indicator.warmup, indicator
        assert (complete == np.arange(indicator.warmup, len(frame))).all(), indicator


def test_feature_names_and_the_default_set_size() -> None:
    assert M.RSI().outputs == ("rsi_14",)
    assert M.Stochastic().outputs == ("stoch_k_5_3_3", "stoch_d_5_3_3")
    assert M.StochRSI().outputs == ("stochrsi_k_14_5_3", "stochrsi_d_14_5_3")
    assert M.WilliamsR().outputs == ("williams_r_14",)
    assert M.UltimateOscillator().outputs == ("ultosc_7_14_28",)
    assert M.BalanceOfPower().outputs == ("bop",)
    names = [n for i in default_set(("trend", "momentum")) for n in i.outputs]
    assert len(names) == len(set(names))
    assert len(names) >= 110
    assert {f"rsi_{p}" for p in (7, 14, 21)} <= set(names)


@pytest.mark.parametrize(
    ("factory", "error"),
    [
        (lambda: M.RSI(period=1), ValueError),
        (lambda: M.RSI(period=14.0), TypeError),
        (lambda: M.Stochastic(fastk=0), ValueError),
        (lambda: M.CCI(period=1), ValueError),
        (lambda: M.ROC(period=0), ValueError),
        (lambda: M.PPO(fast=26, slow=12), ValueError),
        (lambda: M.AwesomeOscillator(fast=34, slow=5), ValueError),
        (lambda: M.StochRSI(fastd=0), ValueError),
    ],
)
def test_invalid_parameters_are_refused(factory: Callable[[], Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        factory()


def test_update_names_the_missing_column() -> None:
    with pytest.raises(DataValidationError, match="close"):
        M.CCI().update({"high": 1.0, "low": 1.0})
    with pytest.raises(DataValidationError, match="open"):
        M.BalanceOfPower().update({"high": 1.0, "low": 1.0, "close": 1.0})


def test_registered_through_the_plugin(mlcore_host: Any) -> None:
    for name in ("rsi", "stoch", "stochf", "williams_r", "cci", "roc", "mom", "cmo", "ultosc"):
        component = mlcore_host.indicators.get(name)
        indicator = component.load()()
        assert indicator.family == "momentum"
        assert component.summary() == (type(indicator).__doc__ or "").splitlines()[0]
    assert type(mlcore_host.indicators.get("willr").load()()) is M.WilliamsR
    assert mlcore_host.indicators.get("psar").load()().family == "trend"
