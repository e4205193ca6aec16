"""Analytics benchmark: performance metrics and Monte Carlo against references in the same run.

    python benchmarks/analytics.py            # best of 7
    python benchmarks/analytics.py --quick    # best of 3

Issue 6's targets, each printed next to a reference measured in the same run:

(a) ``calculate_metrics()`` on 10 years of daily returns (2,520) and 10,000 trades, with
    the plugin metrics of a loaded host (the default), against empyrical-reloaded computing
    the twelve return metrics both have (Sharpe, Sortino, Calmar, Omega, annual return and
    volatility, downside risk, max drawdown, VaR, CVaR, tail ratio, stability). The first call,
    which loads the host, is shown apart. Target: <= 50 ms.
(b) ``monte_carlo_simulation(10000, 252)`` for each method against quantstats'
    ``montecarlo`` with 10,000 simulations of 252 returns (which only reshuffles them, so
    every path ends at the same wealth). Target: <= 0.3 s.

Times are the best of several runs: on a shared machine another process's load only ever
adds time. CPU time is shown too; it is less sensitive to other processes.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from mlcore._table import format_table
from mlcore.analytics import AdvancedAnalytics

PERIODS = 252


def best_seconds(function: Callable[[], object], repeat: int) -> tuple[float, float]:
    """The fastest wall-clock and CPU seconds of ``repeat`` calls."""
    wall, cpu = [], []
    for _ in range(repeat):
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append(time.perf_counter() - start_wall)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), min(cpu)


def history(years: int = 10, n_trades: int = 10_000) -> tuple[pd.Series, pd.DataFrame]:
    rng = np.random.default_rng(0)
    days = pd.bdate_range("2014-01-01", periods=years * PERIODS, tz="UTC")
    returns = pd.Series(rng.normal(0.0004, 0.01, days.size), index=days)
    entries = rng.integers(0, days.size - 12, n_trades)
    trades = pd.DataFrame(
        {
            "entry_time": days[entries],
            "exit_time": days[entries + rng.integers(1, 12, n_trades)],
            "entry_price": rng.uniform(50, 150, n_trades),
            "exit_price": rng.uniform(50, 150, n_trades),
            "side": rng.choice(["long", "short"], n_trades),
            "size": rng.integers(1, 100, n_trades).astype(float),
            "fees": 1.0,
        }
    )
    return returns, trades


def empyrical_metrics(returns: pd.Series, rf: float) -> None:
    import empyrical as ep

    ep.sharpe_ratio(returns, risk_free=rf)
    ep.sortino_ratio(returns, required_return=rf)
    ep.calmar_ratio(returns)
    ep.omega_ratio(returns, risk_free=rf)
    ep.annual_return(returns)
    ep.annual_volatility(returns)
    ep.downside_risk(returns, required_return=rf)
    ep.max_drawdown(returns)
    ep.value_at_risk(returns)
    ep.conditional_value_at_risk(returns)
    ep.tail_ratio(returns)
    ep.stability_of_timeseries(returns)


def bench_metrics(repeat: int) -> list[list[object]]:
    returns, trades = history()
    analytics = AdvancedAnalytics().add_returns(returns)
    validation, validation_cpu = best_seconds(lambda: analytics.add_trades(trades), 1)
    # The first call loads the host: the installed plugins' metrics.
    first, first_cpu = best_seconds(analytics.calculate_metrics, 1)
    ours, ours_cpu = best_seconds(analytics.calculate_metrics, repeat)
    rf = analytics.conventions.risk_free_per_period
    reference, reference_cpu = best_seconds(lambda: empyrical_metrics(returns, rf), repeat)
    return [
        ["add_trades (validate 10,000 trades)", validation * 1e3, validation_cpu * 1e3, "", ""],
        ["calculate_metrics, first call (loads host)", first * 1e3, first_cpu * 1e3, "", ""],
        ["calculate_metrics", ours * 1e3, ours_cpu * 1e3, ours / reference, ours / 0.05],
        ["empyrical, 12 return metrics", reference * 1e3, reference_cpu * 1e3, 1.0, ""],
    ]


def bench_monte_carlo(repeat: int) -> list[list[object]]:
    returns, _ = history(n_trades=10)
    analytics = AdvancedAnalytics(metrics={}).add_returns(returns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import quantstats as qs

        last_year = returns.iloc[-PERIODS:].tz_localize(None)
        reference, reference_cpu = best_seconds(
            lambda: qs.stats.montecarlo(last_year, sims=10_000, seed=1), max(1, repeat // 2)
        )
    rows: list[list[object]] = []
    for method in ("bootstrap", "block_bootstrap", "parametric"):
        wall, cpu = best_seconds(
            lambda m=method: analytics.monte_carlo_simulation(10_000, PERIODS, m, seed=1), repeat
        )
        rows.append([f"mlcore {method}", wall, cpu, wall / reference, wall / 0.3])
    rows.append(["quantstats montecarlo (reshuffle)", reference, reference_cpu, 1.0, ""])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="best of 3 instead of 7")
    options = parser.parse_args()
    repeat = 3 if options.quick else 7
    print("(a) calculate_metrics: 2,520 daily returns and 10,000 trades")
    headers = ["what", "best ms", "cpu ms", "x empyrical", "x 50 ms target"]
    print(format_table(bench_metrics(repeat), headers))
    print("target: calculate_metrics <= 50 ms\n")
    print("(b) monte_carlo_simulation(10000, 252)")
    headers = ["what", "best s", "cpu s", "x quantstats", "x 0.3 s target"]
    print(format_table(bench_monte_carlo(repeat), headers))
    print("target: <= 0.3 s")


if __name__ == "__main__":
    main()
