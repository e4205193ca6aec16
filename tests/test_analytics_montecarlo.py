"""Monte Carlo simulation: distributions checked by counting, reproducibility, and the
properties every simulation must have."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlcore import AnalyticsError
from mlcore.analytics import AdvancedAnalytics, MonteCarloResult


def _analytics(values: np.ndarray | list[float]) -> AdvancedAnalytics:
    index = pd.bdate_range("2020-01-01", periods=len(values))
    return AdvancedAnalytics(metrics={}).add_returns(pd.Series(values, index=index))


@pytest.fixture(scope="module")
def history() -> AdvancedAnalytics:
    rng = np.random.default_rng(3)
    return _analytics(rng.normal(0.0005, 0.012, 750))


@pytest.mark.parametrize("method", ["bootstrap", "block_bootstrap", "parametric"])
def test_result_shape_and_paths_that_end_apart(history: AdvancedAnalytics, method: str) -> None:
    result = history.monte_carlo_simulation(2000, 60, method=method, seed=1)
    assert isinstance(result, MonteCarloResult)
    assert list(result.percentiles.columns) == [5, 25, 50, 75, 95]
    assert list(result.percentiles.index) == list(range(61))
    assert (result.percentiles.iloc[0] == 1.0).all()
    assert result.final_returns.shape == (2000,)
    assert result.max_drawdowns.shape == (2000,)
    # not a reshuffle: the paths end at different wealth
    assert np.unique(result.final_returns).size > 1900
    ordered = np.diff(result.percentiles.to_numpy(), axis=1)
    assert (ordered >= 0).all()
    final_wealth = 1 + result.final_returns
    assert result.percentiles.iloc[-1].to_numpy() == pytest.approx(
        np.percentile(final_wealth, [5, 25, 50, 75, 95])
    )
    assert (result.max_drawdowns <= np.minimum(result.final_returns, 0.0) + 1e-12).all()
    assert (result.max_drawdowns >= -1.0).all()


def test_bootstrap_draws_each_period_independently_from_the_history() -> None:
    result = _analytics([-0.1, 0.1]).monte_carlo_simulation(20_000, 2, seed=5)
    outcomes, counts = np.unique(np.round(result.final_returns, 12), return_counts=True)
    # two draws from {-0.1, +0.1}: 0.9*0.9, 0.9*1.1 (twice as likely), 1.1*1.1
    assert outcomes.tolist() == pytest.approx([-0.19, -0.01, 0.21])
    shares = counts / counts.sum()
    standard_error = np.sqrt(0.25 * 0.75 / 20_000)
    assert shares == pytest.approx([0.25, 0.5, 0.25], abs=5 * standard_error)


def test_block_bootstrap_draws_circular_runs_of_the_history() -> None:
    history = np.array([0.01, -0.02, 0.03, 0.05, -0.04, 0.02, -0.01])
    result = _analytics(history).monte_carlo_simulation(
        500, 3, method="block_bootstrap", block_size=3, seed=2
    )
    doubled = np.concatenate([history, history])
    runs = {round(float(np.prod(1 + doubled[i : i + 3]) - 1), 12) for i in range(history.size)}
    assert set(np.round(result.final_returns, 12)) <= runs
    assert result.block_size == 3


def test_parametric_paths_follow_the_fitted_normal(history: AdvancedAnalytics) -> None:
    returns = history.returns
    assert returns is not None
    result = history.monte_carlo_simulation(20_000, 1, method="parametric", seed=9)
    mean, spread = returns.mean(), returns.std(ddof=1)
    assert result.final_returns.mean() == pytest.approx(mean, abs=5 * spread / np.sqrt(20_000))
    assert result.final_returns.std(ddof=1) == pytest.approx(spread, rel=0.03)


def test_same_seed_same_paths(history: AdvancedAnalytics) -> None:
    first = history.monte_carlo_simulation(500, 30, seed=11)
    second = history.monte_carlo_simulation(500, 30, seed=11)
    other = history.monte_carlo_simulation(500, 30, seed=12)
    np.testing.assert_array_equal(first.final_returns, second.final_returns)
    pd.testing.assert_frame_equal(first.percentiles, second.percentiles)
    assert not np.array_equal(first.final_returns, other.final_returns)


def test_summary_reads_the_distributions(history: AdvancedAnalytics) -> None:
    result = history.monte_carlo_simulation(1000, 20, seed=4)
    summary = result.summary()
    assert summary["probability_of_loss"] == pytest.approx(np.mean(result.final_returns < 0))
    assert summary["median_final_return"] == pytest.approx(np.median(result.final_returns))
    assert summary["worst_max_drawdown"] == result.max_drawdowns.min()
    assert all(isinstance(v, float) for v in summary.values())


def test_ruinous_draws_floor_wealth_at_zero() -> None:
    result = _analytics([-1.0, 0.5]).monte_carlo_simulation(200, 10, seed=0)
    assert (result.final_returns >= -1.0).all()
    assert (result.max_drawdowns >= -1.0).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "reshuffle"}, "bootstrap, block_bootstrap, parametric"),
        ({"n_simulations": 0}, "n_simulations must be a positive integer"),
        ({"time_horizon": 2.5}, "time_horizon must be a positive integer"),
        ({"method": "block_bootstrap", "block_size": 0}, "block_size must be an integer"),
        ({"percentiles": (5, 150)}, "percentiles must be numbers in"),
    ],
)
def test_bad_arguments_are_errors(
    history: AdvancedAnalytics, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(AnalyticsError, match=message):
        history.monte_carlo_simulation(**kwargs)  # type: ignore[arg-type]
