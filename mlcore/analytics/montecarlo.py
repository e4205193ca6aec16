"""Monte Carlo simulation of future wealth paths from a history of periodic returns.

Every path draws its own returns (with replacement, in blocks, or from a fitted normal),
so paths end at different wealth. quantstats' ``montecarlo`` reshuffles the history
instead: every path then ends at the same wealth and only the drawdowns vary.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import attrs
import numpy as np
import pandas as pd

from mlcore.errors import AnalyticsError

__all__ = ["MonteCarloMethod", "MonteCarloResult", "simulate_paths"]

MonteCarloMethod = Literal["bootstrap", "block_bootstrap", "parametric"]
METHODS: tuple[str, ...] = ("bootstrap", "block_bootstrap", "parametric")
DEFAULT_PERCENTILES: tuple[float, ...] = (5, 25, 50, 75, 95)


@attrs.frozen(kw_only=True)
class MonteCarloResult:
    """Simulated wealth paths, summarised.

    ``percentiles`` has one row per step ``0..time_horizon`` and one column per percentile
    (``5, 25, 50, 75, 95``): the wealth, starting at 1.0, below which that share of paths
    lies at each step. ``final_returns`` holds each path's total return (final wealth - 1)
    and ``max_drawdowns`` each path's maximum drawdown (a fraction <= 0).
    """

    percentiles: pd.DataFrame = attrs.field(eq=False)
    final_returns: np.ndarray = attrs.field(eq=False, repr=False)
    max_drawdowns: np.ndarray = attrs.field(eq=False, repr=False)
    method: str
    n_simulations: int
    time_horizon: int
    block_size: int | None = None
    seed: int | None = None

    def summary(self) -> dict[str, float]:
        """Headline figures of the final returns and maximum drawdowns of the paths."""
        final, drawdowns = self.final_returns, self.max_drawdowns
        return {
            "mean_final_return": float(final.mean()),
            "median_final_return": float(np.median(final)),
            "final_return_5th_percentile": float(np.percentile(final, 5)),
            "final_return_95th_percentile": float(np.percentile(final, 95)),
            "probability_of_loss": float(np.mean(final < 0.0)),
            "median_max_drawdown": float(np.median(drawdowns)),
            "max_drawdown_5th_percentile": float(np.percentile(drawdowns, 5)),
            "worst_max_drawdown": float(drawdowns.min()),
        }


def simulate_paths(
    returns: np.ndarray,
    *,
    n_simulations: int = 10_000,
    time_horizon: int = 252,
    method: str = "bootstrap",
    seed: int | None = None,
    block_size: int | None = None,
    percentiles: Sequence[float] = DEFAULT_PERCENTILES,
) -> MonteCarloResult:
    """Simulate ``n_simulations`` paths of ``time_horizon`` periods from ``returns``.

    - ``bootstrap`` draws each period's return independently from the history;
    - ``block_bootstrap`` draws blocks of ``block_size`` consecutive returns (circular, so
      every return is equally likely; default ``round(len(returns) ** (1/3))``), keeping
      short-range dependence such as volatility clustering;
    - ``parametric`` draws from a normal with the history's mean and sample standard
      deviation (``ddof=1``).

    Wealth compounds from 1.0 and is floored at 0 (a loss beyond -100% is ruin).
    """
    history = _check_inputs(returns, n_simulations, time_horizon, method, percentiles)
    rng = np.random.default_rng(seed)
    shape = (time_horizon, n_simulations)  # time-major: each step is one contiguous row
    size = None
    if method == "bootstrap":
        draws = np.take(history, rng.integers(0, history.size, size=shape, dtype=np.int64))
    elif method == "block_bootstrap":
        size = _block_size(block_size, history.size)
        draws = _block_draws(history, shape, size, rng)
    else:
        mean, spread = float(history.mean()), float(history.std(ddof=1))
        draws = np.maximum(rng.normal(mean, spread, size=shape), -1.0)
    wealth = _wealth(draws)
    max_drawdowns = _max_drawdowns(wealth)
    final_returns = wealth[-1] - 1.0
    return MonteCarloResult(
        percentiles=_percentile_frame(wealth, percentiles),
        final_returns=final_returns,
        max_drawdowns=max_drawdowns,
        method=method,
        n_simulations=n_simulations,
        time_horizon=time_horizon,
        block_size=size,
        seed=seed,
    )


def _check_inputs(
    returns: np.ndarray,
    n_simulations: int,
    time_horizon: int,
    method: str,
    percentiles: Sequence[float],
) -> np.ndarray:
    if method not in METHODS:
        raise AnalyticsError(
            f"unknown Monte Carlo method {method!r}; choose one of {', '.join(METHODS)}"
        )
    for name, value in (("n_simulations", n_simulations), ("time_horizon", time_horizon)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise AnalyticsError(f"{name} must be a positive integer, got {value!r}")
    if any(not 0.0 <= float(q) <= 100.0 for q in percentiles) or not len(percentiles):
        raise AnalyticsError(f"percentiles must be numbers in [0, 100], got {list(percentiles)!r}")
    history = np.asarray(returns, dtype=np.float64).ravel()
    if history.size < 2:
        raise AnalyticsError(
            f"Monte Carlo simulation needs at least 2 returns to draw from, got {history.size}"
        )
    if not (np.isfinite(history).all() and (history >= -1.0).all()):
        raise AnalyticsError("Monte Carlo simulation needs finite simple returns >= -1")
    return history


def _block_size(block_size: int | None, n: int) -> int:
    if block_size is None:
        return max(1, round(math.pow(n, 1.0 / 3.0)))
    if isinstance(block_size, bool) or not isinstance(block_size, int) or not 1 <= block_size <= n:
        raise AnalyticsError(
            f"block_size must be an integer between 1 and the number of returns ({n}), "
            f"got {block_size!r}"
        )
    return block_size


def _block_draws(
    history: np.ndarray, shape: tuple[int, int], size: int, rng: np.random.Generator
) -> np.ndarray:
    """Returns of circular blocks: step ``t`` of a path continues the block it is in."""
    steps, n_simulations = shape
    starts = rng.integers(0, history.size, size=(-(-steps // size), n_simulations))
    positions = np.repeat(starts, size, axis=0)[:steps] + (np.arange(steps) % size)[:, None]
    draws: np.ndarray = np.take(history, positions % history.size)
    return draws


def _wealth(draws: np.ndarray) -> np.ndarray:
    """Wealth of each path (column) after each step (row), with the starting 1.0 as row 0."""
    wealth = np.empty((draws.shape[0] + 1, draws.shape[1]))
    wealth[0] = 1.0
    np.add(draws, 1.0, out=wealth[1:])
    # Row by row: numpy accumulates along axis 0 one strided column at a time, far slower.
    for step in range(1, wealth.shape[0]):
        np.multiply(wealth[step - 1], wealth[step], out=wealth[step])
    return wealth


def _max_drawdowns(wealth: np.ndarray) -> np.ndarray:
    """Each path's deepest fall from its running peak (the start counts as a peak)."""
    peak, ratio = wealth[0].copy(), np.empty(wealth.shape[1])
    lowest = np.ones(wealth.shape[1])
    for row in wealth[1:]:
        np.maximum(peak, row, out=peak)
        np.divide(row, peak, out=ratio)
        np.minimum(lowest, ratio, out=lowest)
    drawdowns: np.ndarray = lowest - 1.0
    return drawdowns


def _percentile_frame(wealth: np.ndarray, percentiles: Sequence[float]) -> pd.DataFrame:
    levels = [float(q) for q in percentiles]
    frame = pd.DataFrame(
        np.percentile(wealth, levels, axis=1).T,
        columns=[int(q) if q.is_integer() else q for q in levels],
    )
    frame.index.name = "step"
    return frame
