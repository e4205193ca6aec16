"""The returns and statistics of the out-of-sample signals traded without costs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def _next_open_returns(position: np.ndarray, bars: pd.DataFrame) -> np.ndarray:
    """Log returns of positions filled at the open of the bar they act on.

    A signal from bar ``t``'s close becomes the position of bar ``t + 1``, entered at that
    bar's open: the gap from ``t``'s close to ``t + 1``'s open is earned by the position held
    overnight, and the open-to-close move by the new one. Position before the first bar: flat.
    """
    log_open = np.log(bars["open"].to_numpy(dtype=np.float64))
    log_close = np.log(bars["close"].to_numpy(dtype=np.float64))
    gap = np.r_[0.0, log_open[1:] - log_close[:-1]]
    held_overnight = np.r_[0.0, position[:-1]]
    returns: np.ndarray = held_overnight * gap + position * (log_close - log_open)
    return returns


def _strategy_stats(signals: pd.DataFrame, periods_per_year: int) -> dict[str, float]:
    returns = signals["return"].to_numpy()
    position = signals["position"].to_numpy()
    market = signals["market_return"].to_numpy()
    std = float(np.std(returns, ddof=1)) if len(returns) > 1 else 0.0
    sharpe = float(np.mean(returns) / std * math.sqrt(periods_per_year)) if std > 0 else 0.0
    changes = int(np.count_nonzero(np.diff(position, prepend=0)))
    return {
        "strategy_log_return": float(returns.sum()),
        "buy_and_hold_log_return": float(market.sum()),
        "sharpe": sharpe,
        "trades": float(changes),
        "exposure": float(np.mean(position != 0)) if len(position) else 0.0,
    }
