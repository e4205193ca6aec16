"""Spread estimators: hand calculations, simulated bid-ask bounce, and the auto choice."""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest
from mlcore.errors import DataValidationError

from mlcore_microstructure.spread import (
    AbdiRanaldoSpread,
    AutoSpread,
    CorwinSchultzSpread,
    QuotedSpread,
    RollSpread,
    corwin_schultz_two_bar,
)

NAN = math.nan


def bars(**columns: list[float]) -> pd.DataFrame:
    length = len(next(iter(columns.values())))
    index = pd.date_range("2024-01-01", periods=length, freq="1D", tz="UTC")
    return pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in columns.items()}, index=index)


def column(frame: pd.DataFrame) -> np.ndarray:
    assert frame.shape[1] == 1
    return frame.iloc[:, 0].to_numpy().copy()


# ---------------------------------------------------------------------------
# Quoted spread
# ---------------------------------------------------------------------------


def test_quoted_spread_matches_a_hand_calculation():
    # (ask - bid) / ((ask + bid) / 2): 2 / 100, 1 / 100, 0.2 / 100.1
    data = bars(bid=[99.0, 99.5, 100.0], ask=[101.0, 100.5, 100.2])
    np.testing.assert_allclose(
        column(QuotedSpread().compute(data)), [0.02, 0.01, 0.2 / 100.1], rtol=1e-12
    )
    # window 2: the mean of consecutive spreads
    np.testing.assert_allclose(
        column(QuotedSpread(window=2).compute(data)),
        [NAN, 0.015, (0.01 + 0.2 / 100.1) / 2],
        rtol=1e-12,
    )


def test_quoted_spread_names_and_warmup():
    spread = QuotedSpread(window=5)
    assert spread.outputs == ("spread_quoted_5",)
    assert spread.inputs == ("bid", "ask")
    assert spread.warmup == 4


def test_crossed_quotes_are_reported_as_negative_spreads():
    assert column(QuotedSpread().compute(bars(bid=[100.0], ask=[99.0])))[0] == pytest.approx(
        -1 / 99.5
    )


def test_quoted_spread_without_quotes_names_the_missing_column():
    with pytest.raises(DataValidationError, match="'bid', 'ask'"):
        QuotedSpread().compute(bars(close=[1.0, 2.0]))


# ---------------------------------------------------------------------------
# Corwin-Schultz
# ---------------------------------------------------------------------------


def corwin_schultz_by_hand(high: tuple[float, float], low: tuple[float, float]) -> float:
    """Corwin & Schultz (2012), equations (14), (18) and (19), for one pair of bars."""
    beta = math.log(high[1] / low[1]) ** 2 + math.log(high[0] / low[0]) ** 2
    gamma = math.log(max(high) / min(low)) ** 2
    k = 3 - 2 * math.sqrt(2)
    alpha = (math.sqrt(2 * beta) - math.sqrt(beta)) / k - math.sqrt(gamma / k)
    return 2 * (math.exp(alpha) - 1) / (1 + math.exp(alpha))


def test_corwin_schultz_of_two_identical_bars_is_their_relative_range():
    # Two identical bars [L, H]: beta = 2 ln(H/L)^2, gamma = ln(H/L)^2, and since
    # 3 - 2 sqrt 2 = (sqrt 2 - 1)^2, alpha = ln(H/L) ((2 - sqrt 2)/(sqrt 2 - 1)^2 - 1/(sqrt 2 - 1))
    # = ln(H/L) (2 + sqrt 2 - sqrt 2 - 1) = ln(H/L), so S = 2 (H/L - 1) / (1 + H/L)
    # = 2 (H - L) / (H + L): for [99, 101], 0.02.
    data = bars(high=[101.0, 101.0, 101.0], low=[99.0, 99.0, 99.0], close=[100.0] * 3)
    np.testing.assert_allclose(
        corwin_schultz_two_bar(*(data[c].to_numpy() for c in ("high", "low", "close"))),
        [NAN, 0.02, 0.02],
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        column(CorwinSchultzSpread(window=2).compute(data)), [NAN, NAN, 0.02], rtol=1e-12
    )


def test_corwin_schultz_matches_the_paper_formula_and_sets_negatives_to_zero():
    # bar 1 vs bar 0: a wide bar after a narrow one, no overnight gap -> positive estimate
    # bar 2 vs bar 1: a trend (two-bar range far above the one-bar ranges) -> negative -> 0
    high = [100.5, 102.0, 104.5]
    low = [99.5, 98.0, 100.8]  # 100.8 < 101, the previous close: no gap adjustment
    close = [100.0, 101.0, 104.0]
    first = corwin_schultz_by_hand((100.5, 102.0), (99.5, 98.0))
    second = corwin_schultz_by_hand((102.0, 104.5), (98.0, 100.8))
    assert first > 0
    assert second < 0
    raw = corwin_schultz_two_bar(np.array(high), np.array(low), np.array(close))
    np.testing.assert_allclose(raw, [NAN, first, second], rtol=1e-12)
    result = column(CorwinSchultzSpread(window=1).compute(bars(high=high, low=low, close=close)))
    np.testing.assert_allclose(result, [NAN, first, 0.0], rtol=1e-12)
    result = column(CorwinSchultzSpread(window=2).compute(bars(high=high, low=low, close=close)))
    np.testing.assert_allclose(result, [NAN, NAN, first / 2], rtol=1e-12)


def test_corwin_schultz_adjusts_for_overnight_gaps():
    # Bar 1 opens above bar 0's close of 100: its low 104 is 4 above, so its high and low
    # are lowered by 4 to [100, 102] before the pair is estimated (paper, section III.B).
    gap_up = corwin_schultz_two_bar(
        np.array([101.0, 106.0]), np.array([99.0, 104.0]), np.array([100.0, 105.0])
    )
    assert gap_up[1] == pytest.approx(corwin_schultz_by_hand((101.0, 102.0), (99.0, 100.0)))
    # Bar 1 entirely below bar 0's close of 100: its high 96 is 4 below, raised by 4.
    gap_down = corwin_schultz_two_bar(
        np.array([101.0, 96.0]), np.array([99.0, 94.0]), np.array([100.0, 95.0])
    )
    assert gap_down[1] == pytest.approx(corwin_schultz_by_hand((101.0, 100.0), (99.0, 98.0)))


@functools.lru_cache(maxsize=16)
def simulated_bars(spread: float, *, n: int = 2000, steps: int = 390, seed: int = 3):
    """Bars of a random-walk efficient price observed through a bid-ask spread.

    Each bar holds ``steps`` efficient log-price steps (1% volatility per bar); highs
    trade at the ask (efficient high + spread/2), lows at the bid, the close at either.
    """
    rng = np.random.default_rng(seed)
    paths = np.log(100.0) + np.cumsum(rng.normal(0, 0.01 / math.sqrt(steps), n * steps))
    paths = paths.reshape(n, steps)
    close = np.exp(paths[:, -1] + rng.choice([-1.0, 1.0], n) * spread / 2)
    high = np.maximum(np.exp(paths.max(axis=1) + spread / 2), close)
    low = np.minimum(np.exp(paths.min(axis=1) - spread / 2), close)
    return bars(high=list(high), low=list(low), close=list(close))


@pytest.mark.parametrize("spread", [0.004, 0.01])
def test_corwin_schultz_recovers_a_simulated_spread(spread):
    # Tolerance: the unclipped two-bar estimates average to the true spread within 20%
    # on 2000 bars (a discretely sampled path has a slightly smaller range than the
    # continuous one of the paper's derivation). Setting negative estimates to 0, as the
    # feature does, biases it upward: by about 0.002-0.003 when the spread is small
    # against the bar's volatility (1% here), as Corwin & Schultz and Abdi & Ranaldo note.
    data = simulated_bars(spread)
    raw = corwin_schultz_two_bar(*(data[c].to_numpy() for c in ("high", "low", "close")))
    assert np.nanmean(raw) == pytest.approx(spread, rel=0.2)
    feature = column(CorwinSchultzSpread(window=len(data) - 1).compute(data))[-1]
    assert spread <= feature <= spread + 0.004


def test_corwin_schultz_grows_with_the_true_spread():
    estimates = [
        column(CorwinSchultzSpread(window=1999).compute(simulated_bars(s)))[-1]
        for s in (0.0, 0.004, 0.01, 0.02)
    ]
    assert estimates == sorted(estimates)
    assert estimates[-1] == pytest.approx(0.02, rel=0.15)


# ---------------------------------------------------------------------------
# Roll
# ---------------------------------------------------------------------------


def closes_from_log_changes(changes: list[float]) -> pd.DataFrame:
    return bars(close=list(100.0 * np.exp(np.cumsum([0.0, *changes]))))


def test_roll_matches_a_hand_calculation():
    # Log changes +a, -a, +a, -a (a = 0.01): with window 3 the last row pairs
    # (dp_t, dp_{t-1}) = (-a, a), (a, -a), (-a, a). Deviations from the means (-a/3, a/3):
    # x: -2a/3, 4a/3, -2a/3; y: 2a/3, -4a/3, 2a/3; sum of products -24a^2/9;
    # sample covariance (/2) -4a^2/3; spread 2 sqrt(4a^2/3) = 4a/sqrt(3).
    a = 0.01
    result = column(RollSpread(window=3).compute(closes_from_log_changes([a, -a, a, -a])))
    assert np.isnan(result[:4]).all()  # warmup = window + 1 = 4
    assert result[4] == pytest.approx(4 * a / math.sqrt(3), rel=1e-9)


def test_roll_is_zero_when_the_covariance_is_positive():
    # steadily accelerating prices: consecutive changes move together
    result = column(RollSpread(window=3).compute(closes_from_log_changes([0.01, 0.02, 0.03, 0.04])))
    assert result[4] == 0.0


def test_roll_recovers_the_spread_of_a_simulated_bid_ask_bounce():
    # Efficient log price: a random walk (0.05% per bar). Trades hit the bid or the ask
    # at random: observed = efficient +- s/2. Then cov(dp_t, dp_{t-1}) = -s^2/4 and Roll's
    # estimate is s. Tolerance 5% on 20,000 bars (the standard error is about 1%).
    rng = np.random.default_rng(2024)
    n, spread = 20_000, 0.002
    log_price = np.cumsum(rng.normal(0, 0.0005, n)) + rng.choice([-1.0, 1.0], n) * spread / 2
    data = bars(close=list(100.0 * np.exp(log_price)))
    assert column(RollSpread(window=n - 2).compute(data))[-1] == pytest.approx(spread, rel=0.05)
    rolling = column(RollSpread(window=500).compute(data))
    assert np.nanmedian(rolling) == pytest.approx(spread, rel=0.05)


# ---------------------------------------------------------------------------
# Abdi-Ranaldo
# ---------------------------------------------------------------------------


def test_abdi_ranaldo_matches_a_hand_calculation():
    # eta = (ln H + ln L) / 2, c = ln C; term_t = (c_{t-1} - eta_{t-1}) (c_{t-1} - eta_t);
    # estimate sqrt(max(4 mean(term), 0)).
    high, low, close = [101.0, 102.0, 101.5], [99.0, 99.5, 99.0], [100.8, 99.7, 101.0]
    eta = [(math.log(h) + math.log(lo)) / 2 for h, lo in zip(high, low, strict=True)]
    c = [math.log(x) for x in close]
    terms = [(c[t - 1] - eta[t - 1]) * (c[t - 1] - eta[t]) for t in (1, 2)]
    data = bars(high=high, low=low, close=close)
    one = column(AbdiRanaldoSpread(window=1).compute(data))
    expected_one = [math.sqrt(max(4 * term, 0.0)) for term in terms]
    np.testing.assert_allclose(one, [NAN, *expected_one], rtol=1e-12)
    two = column(AbdiRanaldoSpread(window=2).compute(data))
    np.testing.assert_allclose(
        two, [NAN, NAN, math.sqrt(max(2 * (terms[0] + terms[1]), 0.0))], rtol=1e-12
    )


def test_abdi_ranaldo_recovers_a_simulated_spread():
    # Same simulation as Corwin-Schultz; the CHL estimator is close to unbiased here.
    data = simulated_bars(0.01)
    estimate = column(AbdiRanaldoSpread(window=len(data) - 1).compute(data))[-1]
    assert estimate == pytest.approx(0.01, rel=0.2)


# ---------------------------------------------------------------------------
# Auto
# ---------------------------------------------------------------------------


def test_auto_spread_uses_quotes_when_the_frame_has_them():
    data = simulated_bars(0.01, n=60).copy()
    quoted = data.assign(bid=data["close"] * 0.999, ask=data["close"] * 1.001)
    auto = AutoSpread(window=5)
    assert auto.source_for(quoted.columns) == "quoted"
    assert auto.source_for(data.columns) == "corwin_schultz"
    with_quotes = column(auto.compute(quoted))
    expected = column(QuotedSpread(window=5).compute(quoted))
    expected[:5] = NAN  # the same warmup (window) on both paths
    np.testing.assert_array_equal(with_quotes, expected)
    np.testing.assert_array_equal(
        column(auto.compute(data)), column(CorwinSchultzSpread(window=5).compute(data))
    )
    assert auto.outputs == ("spread_auto_5",)
    assert auto.warmup == 5
