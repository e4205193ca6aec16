"""Backtest benchmark: the vectorized backtest against a per-bar event loop.

    python benchmarks/backtest.py            # 10,000 / 100,000 / 1,000,000 bars
    python benchmarks/backtest.py --quick    # 10,000 and 100,000 bars, fewer repetitions

Both sides trade the same signals on the same bars (a signal at a bar's close fills at the
next bar's open, commission and slippage, all equity per trade) and must agree on the final
equity to 1e-9. The reference is the plain Python loop a backtest would otherwise be: one
iteration per bar with cash and shares. The best of several runs is kept on each side: on
a shared machine another process's load only ever adds time. Signals change on about one
bar in ten (a trade every few bars), the hardest case for the trade bookkeeping.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from mlcore._table import format_table
from mlcore.analytics.backtest import Backtest

COMMISSION = 0.0005
SLIPPAGE = 2e-4


def best_seconds(function: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def market(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    open_ = np.r_[100.0, close[:-1]] * np.exp(rng.normal(0, 0.002, n))
    index = pd.date_range("2000-01-01", periods=n, freq="min", tz="UTC")
    frame = pd.DataFrame({"open": open_, "close": close}, index=index)
    changes = rng.random(n) < 0.1
    signal = np.zeros(n, dtype=np.int64)
    signal[changes] = rng.choice([-1, 0, 1], size=int(changes.sum()))
    return frame, pd.Series(signal, index=index).where(changes).ffill().fillna(0).to_numpy()


def event_loop(open_: np.ndarray, close: np.ndarray, signal: np.ndarray) -> list[float]:
    """The same strategy bar by bar: the equity at each close (trades are booked too)."""
    cash, shares, side = 1.0, 0.0, 0
    equity: list[float] = []
    trades: list[tuple[int, int, int]] = []
    entered = 0
    n = len(close)
    for t in range(n):
        wanted = int(signal[t - 1]) if t else 0
        if wanted != side:
            if side:
                price = open_[t] * (1 - side * SLIPPAGE)
                cash += shares * price - abs(shares) * COMMISSION * price
                trades.append((entered, t, side))
                shares, side = 0.0, 0
            if wanted and t < n - 1:
                price = open_[t] * (1 + wanted * SLIPPAGE)
                size = cash / price
                cash -= wanted * size * price + size * COMMISSION * price
                shares, side, entered = wanted * size, wanted, t
        if t == n - 1 and side:
            price = close[t] * (1 - side * SLIPPAGE)
            cash += shares * price - abs(shares) * COMMISSION * price
            trades.append((entered, t, side))
            shares, side = 0.0, 0
        equity.append(cash + shares * close[t])
    return equity


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer bars and repetitions")
    options = parser.parse_args()
    sizes = (10_000, 100_000) if options.quick else (10_000, 100_000, 1_000_000)
    repeat = 3 if options.quick else 5
    settings = Backtest(commission=COMMISSION, slippage_bps=SLIPPAGE * 1e4, initial_capital=1.0)
    rows = []
    for n in sizes:
        frame, signal = market(n)
        open_, close = frame["open"].to_numpy(), frame["close"].to_numpy()
        result = settings.run(frame, signal)
        reference = event_loop(open_, close, signal)[-1]
        assert abs(result.equity.iloc[-1] - reference) <= 1e-9 * abs(reference), "disagree"
        vectorized = best_seconds(lambda frame=frame, s=signal: settings.run(frame, s), repeat)
        loop = best_seconds(lambda o=open_, c=close, s=signal: event_loop(o, c, s), 1)
        rows.append(
            [
                f"{n:,}",
                len(result.trades),
                vectorized * 1e3,
                loop * 1e3,
                f"{loop / vectorized:.1f}x",
                f"{n / vectorized / 1e6:.2f}",
            ]
        )
    headers = ["bars", "trades", "vectorized ms", "event loop ms", "speed-up", "M bars/s"]
    print(format_table(rows, headers))


if __name__ == "__main__":
    main()
