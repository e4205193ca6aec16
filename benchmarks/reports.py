"""Reports benchmark: a PDF report of 10 years of daily returns with 1,000+ trades and the
default Monte Carlo simulation (10,000 paths of 252 days), against bare matplotlib.

    python benchmarks/reports.py            # best of 3 runs each
    python benchmarks/reports.py --quick    # best of 1

Data: the S&P 500's daily closes 2009-2018 (from ``arch``) as the strategy, the NASDAQ's
as the benchmark, 1,200 trades of 1 to 8 days on those closes, and drawdown-dated regimes:
every page of the report is drawn (7 pages).

Figures, each the best of the runs (on a shared machine another process's load only adds
time), after one warm-up run that pays the imports:

- ``pdf report``: ``write_pdf(analytics, ...)`` end to end: metrics, VaR, drawdowns,
  rolling Sharpe, the Monte Carlo simulation and the drawing. Target: <= 5 s.
- ``  build``, ``  draw + save``: the same split in two.
- ``reference pdf``: bare matplotlib: as many pages, each one axes with one line of the
  same 2,500 returns, saved through ``PdfPages``. The ratio is the report's cost over it.
- ``excel workbook`` against bare openpyxl writing the same values without formats, and
  ``html tearsheet`` against the same bare pages saved as SVG.
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlcore._table import format_table
from mlcore.analytics import AdvancedAnalytics
from mlcore.analytics.reports import build_report, write_excel, write_html, write_pdf
from mlcore.analytics.reports.charts import import_pyplot
from mlcore.analytics.reports.pages import chart_pages
from mlcore.regimes import label_regimes

N_TRADES = 1_200


def market() -> tuple[pd.Series, pd.Series]:
    """Ten years of daily closes: the strategy's (S&P 500) and the benchmark's (NASDAQ)."""
    from arch.data import nasdaq, sp500

    def closes(module: Any) -> pd.Series:
        close = module.load()["Adj Close"].loc["2009-01-01":"2018-12-31"].astype(float)
        close.index = pd.DatetimeIndex(close.index).tz_localize("UTC")
        return close

    return closes(sp500), closes(nasdaq)


def trades_on(closes: pd.Series, count: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    entries = np.sort(rng.choice(len(closes) - 10, count, replace=True))
    exits = entries + rng.integers(1, 9, count)
    prices = closes.to_numpy()
    return pd.DataFrame(
        {
            "entry_time": closes.index[entries],
            "exit_time": closes.index[exits],
            "entry_price": prices[entries],
            "exit_price": prices[exits],
            "side": rng.choice(["long", "short"], count),
            "size": 10.0,
            "fees": 0.5,
        }
    )


def best_seconds(function: Callable[[], object], repeat: int) -> float:
    function()  # warm-up: imports, font cache
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def bare_pages(returns: pd.Series, pages: int, target: Path | None, fmt: str) -> None:
    """The reference: ``pages`` one-line figures of the returns, saved as PDF (or SVG)."""
    plt = import_pyplot()
    x, y = returns.index.tz_localize(None).to_numpy(), returns.to_numpy()
    if fmt == "pdf":
        from matplotlib.backends.backend_pdf import PdfPages

        assert target is not None
        with PdfPages(target) as document:
            for _ in range(pages):
                figure, axes = plt.subplots(figsize=(11.69, 8.27))
                axes.plot(x, y)
                document.savefig(figure)
                plt.close(figure)
        return
    for _ in range(pages):
        figure, axes = plt.subplots(figsize=(11.69, 8.27))
        axes.plot(x, y)
        figure.savefig(io.StringIO(), format="svg")
        plt.close(figure)


def bare_workbook(report: Any, target: Path) -> None:
    """The reference: the same returns and trades with openpyxl, no formats or widths."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for stamp, value in zip(report.returns.index, report.returns.to_numpy(), strict=True):
        sheet.append([stamp.tz_localize(None).to_pydatetime(), float(value)])
    trades = book.create_sheet("Trades")
    for row in report.trades.itertuples(index=False):
        trades.append([str(value) if isinstance(value, pd.Timestamp) else value for value in row])
    book.save(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="best of 1 instead of 3")
    repeat = 1 if parser.parse_args().quick else 3
    closes, index_closes = market()
    returns = closes.pct_change().dropna()
    analytics = (
        AdvancedAnalytics(metrics={})
        .add_returns(returns, benchmark=index_closes.pct_change().dropna())
        .add_trades(trades_on(closes, N_TRADES))
    )
    regimes = label_regimes(closes, threshold=0.1)
    options = {"prices": closes, "regimes": regimes}
    report = build_report(analytics, **options)
    pages = 1 + len(chart_pages(report))
    print(
        f"{len(returns):,d} daily returns, {N_TRADES:,d} trades, "
        f"{report.monte_carlo.n_simulations:,d} x {report.monte_carlo.time_horizon} Monte Carlo, "
        f"{pages} pages; best of {repeat} on {os.cpu_count()} CPUs"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pdf = best_seconds(lambda: write_pdf(analytics, folder / "r.pdf", **options), repeat)
        build = best_seconds(lambda: build_report(analytics, **options), repeat)
        draw = best_seconds(lambda: write_pdf(report, folder / "d.pdf"), repeat)
        reference = best_seconds(
            lambda: bare_pages(returns, pages, folder / "b.pdf", "pdf"), repeat
        )
        excel = best_seconds(lambda: write_excel(report, folder / "r.xlsx"), repeat)
        bare_excel = best_seconds(lambda: bare_workbook(report, folder / "b.xlsx"), repeat)
        html = best_seconds(lambda: write_html(report, folder / "r.html"), repeat)
        bare_svg = best_seconds(lambda: bare_pages(returns, pages - 1, None, "svg"), repeat)
        size = (folder / "r.pdf").stat().st_size
    rows = [
        ["pdf report", pdf, reference, pdf / reference, "<= 5 s"],
        ["  build (metrics, Monte Carlo)", build, "", "", ""],
        ["  draw + save", draw, reference, draw / reference, ""],
        ["reference pdf (bare matplotlib)", reference, "", "", ""],
        ["excel workbook", excel, bare_excel, excel / bare_excel, ""],
        ["html tearsheet", html, bare_svg, html / bare_svg, ""],
    ]
    print(format_table(rows, ["step", "seconds", "reference s", "ratio", "target"]))
    verdict = "meets" if pdf <= 5.0 else "MISSES"
    print(f"pdf report: {pdf:.2f} s ({size / 1e3:,.0f} kB), {verdict} the 5 s target")


if __name__ == "__main__":
    main()
