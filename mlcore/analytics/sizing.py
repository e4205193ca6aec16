"""Position sizing for the backtest: how much of the equity each trade commits.

Every rule sees only what is known when the trade is decided, at the close of its signal
bar ``d`` (the bar before the fill):

- **fixed fraction**: the same fraction of equity for every trade;
- **volatility target**: ``target / sigma``, with ``sigma`` the annualized standard
  deviation (``ddof=1``) of the ``window`` close-to-close log returns ending at ``d``;
- **fractional Kelly**: ``kelly_fraction * (p - (1 - p) / b)``, where ``p`` is the chance
  of a win and ``b`` the payoff ratio (average win / average loss). Both come from the
  trades that had exited by ``d``, the last ``window`` of them (``p`` is their win rate);
  when probabilities are given, ``p`` is instead the model's probability of the side taken
  and ``b`` is 1 (even odds) until ``min_trades`` trades are known.

Each weight is clipped to ``[0, max_leverage]``; a weight of 0 means the trade is not taken.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = [
    "kelly_criterion",
    "trailing_trade_stats",
    "volatility_target_weights",
]

_FloatArray = npt.NDArray[np.float64]
_IntArray = npt.NDArray[np.int64]


def volatility_target_weights(
    close: _FloatArray,
    decision_bars: _IntArray,
    *,
    target: float,
    window: int,
    periods_per_year: int,
    max_leverage: float,
) -> _FloatArray:
    """``min(target / sigma_d, max_leverage)`` for each decision bar ``d``.

    ``sigma_d`` is the annualized sample standard deviation of the ``window`` log returns
    ``log(close[i] / close[i - 1])`` for ``i`` in ``d - window + 1 .. d``. Before
    ``window`` returns exist the weight is 0 (no estimate, no trade); a zero volatility
    gives ``max_leverage``.
    """
    log_returns = np.diff(np.log(close), prepend=np.nan)
    weights = np.zeros(len(decision_bars))
    ready = decision_bars >= window
    if not ready.any():
        return weights
    rows = decision_bars[ready][:, None] + np.arange(1 - window, 1)
    sigma = log_returns[rows].std(axis=1, ddof=1) * np.sqrt(periods_per_year)
    with np.errstate(divide="ignore"):
        weights[ready] = np.minimum(target / sigma, max_leverage)
    return weights


def trailing_trade_stats(
    unit_returns: _FloatArray,
    exit_bars: _IntArray,
    decision_bars: _IntArray,
    *,
    window: int,
) -> tuple[_IntArray, _FloatArray, _FloatArray]:
    """For each decision bar: how many trades are known, their win rate and payoff ratio.

    A trade is known at decision bar ``d`` when it exited at or before ``d``
    (``exit_bars`` must be non-decreasing). The last ``window`` known trades count; a win
    is a positive unit return, a loss a negative one. The payoff ratio is the average win
    over the average loss: ``inf`` without a loss, 0 without a win, NaN without trades.
    """
    known = np.searchsorted(exit_bars, decision_bars, side="right")
    first = np.maximum(known - window, 0)
    count = (known - first).astype(np.int64)

    def window_sum(values: npt.NDArray[np.float64]) -> _FloatArray:
        total = np.concatenate(([0.0], np.cumsum(values)))
        return np.asarray(total[known] - total[first], dtype=np.float64)

    wins = window_sum((unit_returns > 0).astype(np.float64))
    losses = window_sum((unit_returns < 0).astype(np.float64))
    won = window_sum(np.where(unit_returns > 0, unit_returns, 0.0))
    lost = window_sum(np.where(unit_returns < 0, -unit_returns, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        win_rate = np.where(count > 0, wins / count, np.nan)
        average_win = np.where(wins > 0, won / wins, 0.0)
        average_loss = np.where(losses > 0, lost / losses, 0.0)
        payoff = np.where(
            count == 0, np.nan, np.where(losses > 0, average_win / average_loss, np.inf)
        )
    return count, win_rate, payoff


def kelly_criterion(win_probability: _FloatArray, payoff: _FloatArray) -> _FloatArray:
    """The Kelly fraction ``p - (1 - p) / b`` of a bet won with probability ``p`` at payoff
    ratio ``b``: ``p`` when ``b`` is infinite, ``-inf`` when ``b`` is 0 and ``p < 1``."""
    p = np.asarray(win_probability, dtype=np.float64)
    b = np.asarray(payoff, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        loss_term = np.where(p >= 1.0, 0.0, (1.0 - p) / b)
    return np.asarray(p - loss_term, dtype=np.float64)
