"""mlcore.regimes: label convention, canonical order, statistics, rule-based dating."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlcore.regimes import (
    canonical_order,
    expected_durations,
    label_regimes,
    regime_statistics,
    relabel,
    transition_matrix_from_labels,
)


def test_canonical_order_examples():
    assert canonical_order([0.0, 0.01, -0.02]).tolist() == [1, 2, 0]
    assert canonical_order([-0.01, 0.02]).tolist() == [1, 0]
    # bull 0.03 (state 3), bear -0.02 (0), sideways 0.001 (2), then 0.02 (1), 0.01 (4).
    assert canonical_order([-0.02, 0.02, 0.001, 0.03, 0.01]).tolist() == [3, 0, 2, 1, 4]
    with pytest.raises(ValueError, match="finite"):
        canonical_order([0.1])


def test_relabel_inverts_the_order():
    assert relabel([0, 1, 2, 2], [1, 2, 0]).tolist() == [2, 0, 1, 1]
    with pytest.raises(ValueError, match="labels must lie"):
        relabel([3], [1, 2, 0])


def test_regime_statistics_against_hand_computation():
    returns = [0.01, 0.03, -0.02, -0.04, 0.02, 0.0]
    labels = [0, 0, 1, 1, 0, 2]
    table = regime_statistics(returns, labels, periods_per_year=4)
    assert table.loc[0, "share"] == pytest.approx(0.5)
    assert table.loc[0, "mean_return"] == pytest.approx(0.02)
    # sample std of (0.01, 0.03, 0.02) is 0.01; times sqrt(4)
    assert table.loc[0, "volatility"] == pytest.approx(0.02)
    assert table.loc[0, "episodes"] == 2
    assert table.loc[0, "mean_duration"] == pytest.approx(1.5)
    assert table.loc[1, "mean_duration"] == pytest.approx(2.0)
    assert table.loc[2, "episodes"] == 1
    assert np.isnan(table.loc[2, "volatility"])
    assert list(table["name"]) == ["bull", "bear", "sideways"]


def test_transition_matrix_and_durations():
    matrix = transition_matrix_from_labels([0, 0, 0, 1, 1, 0])
    np.testing.assert_allclose(matrix, [[2 / 3, 1 / 3], [1 / 2, 1 / 2]])
    np.testing.assert_allclose(expected_durations(matrix), [3.0, 2.0])
    assert expected_durations([[1.0]])[0] == np.inf


def test_label_regimes_dates_peaks_and_troughs():
    # 100 -> peak 150 (bar 5) -> trough 90 (bar 10) -> 130 (bar 14): 40% fall, 44% rise.
    up = np.linspace(100, 150, 6)
    down = np.linspace(150, 90, 6)[1:]
    rise = np.linspace(90, 130, 5)[1:]
    prices = pd.Series(np.r_[up, down, rise])
    labels = label_regimes(prices, threshold=0.2)
    assert isinstance(labels, pd.Series)
    expected = [0] * 6 + [1] * 5 + [0] * 4
    assert labels.tolist() == expected


def test_label_regimes_ignores_moves_below_the_threshold_and_marks_sideways():
    prices = np.array([100, 110, 95, 105, 100, 108.0])  # never a 20% move
    assert label_regimes(prices, threshold=0.2).tolist() == [0] * 6
    assert label_regimes(prices, threshold=0.2, sideways_band=0.1).tolist() == [2] * 6
    with pytest.raises(ValueError, match="method"):
        label_regimes(prices, method="hindsight")


def test_synthetic_market_without_volatility_clustering_is_a_gaussian_hmm():
    from scipy import stats

    from mlcore.data import synthetic_ohlcv

    plain = synthetic_ohlcv(20_000, seed=5, regimes=("bull",), volatility_clustering=False)
    garch = synthetic_ohlcv(20_000, seed=5, regimes=("bull",))
    assert (plain.params.garch_alpha, plain.params.garch_beta) == (0.0, 0.0)
    returns = np.diff(np.log(plain.ohlcv["close"].to_numpy()))
    # i.i.d. normal: no clustering of |r| and no excess kurtosis (GARCH has both)
    assert abs(pd.Series(np.abs(returns)).autocorr(1)) < 0.03
    assert abs(stats.kurtosis(returns)) < 0.15
    clustered = np.diff(np.log(garch.ohlcv["close"].to_numpy()))
    assert stats.kurtosis(clustered) > 0.5
    assert np.std(returns) == pytest.approx(plain.params.regimes[0].bar_volatility, rel=0.03)
    # The switch changes the variance path only, not the regime path.
    three = synthetic_ohlcv(500, seed=2)
    np.testing.assert_array_equal(
        synthetic_ohlcv(500, seed=2, volatility_clustering=False).regimes, three.regimes
    )
