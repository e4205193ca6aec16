"""The bad input of issue 6, end to end through ``AdvancedAnalytics`` and ``mlcore report``:
an empty history, NaN returns, unsorted times, zero-length trades and an all-winning
history each give a clear error (and no report file) or a documented value (``inf``,
sorted trades), never a silent NaN in the metrics, the workbook or the tearsheet."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from mlcore import AnalyticsError
from mlcore.analytics import AdvancedAnalytics
from mlcore.cli import main

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("matplotlib")

HEADER = "entry_time,exit_time,entry_price,exit_price,side,size,fees"
# three winners: a long up 10, a short down 5 (with a fee of 1), a long up 2
WINNERS = [
    "2024-01-02,2024-01-05,100,110,long,1,0",
    "2024-01-08,2024-01-10,50,45,short,1,1",
    "2024-01-15,2024-01-19,20,21,long,2,0",
]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def report(data: Path, out: Path) -> Any:
    config = write(out / "fast.yaml", ["analytics:", "  monte_carlo_simulations: 40"])
    return CliRunner().invoke(
        main,
        ["report", str(data), "-c", str(config), "--xlsx", str(out / "r.xlsx"),
         "--html", str(out / "r.html")],
    )  # fmt: skip


def printed(output: str) -> dict[str, str]:
    """The printed metrics table: label -> value text."""
    table = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.split("  ") if cell.strip()]
        if len(cells) == 3:
            table[cells[1]] = cells[2]
    return table


def workbook_values(path: Path) -> tuple[dict[str, Any], list[Any]]:
    """The Summary sheet (key -> value) and every cell value of the workbook."""
    book = openpyxl.load_workbook(path)
    sheet = book["Summary"]
    header = [cell.value for cell in sheet[1]]
    keys, values = header.index("key"), header.index("value")
    summary = {row[keys]: row[values] for row in sheet.iter_rows(min_row=2, values_only=True)}
    cells = [value for ws in book for row in ws.iter_rows(values_only=True) for value in row]
    return summary, cells


def html_values(path: Path) -> tuple[dict[str, str], str]:
    text = path.read_text(encoding="utf-8")
    return dict(re.findall(r'data-key="([^"]+)">([^<]*)<', text)), text


def assert_no_nan(metrics: dict[str, Any], cells: list[Any], html: str) -> None:
    assert not [k for k, v in metrics.items() if isinstance(v, float) and math.isnan(v)]
    assert not [v for v in cells if isinstance(v, float) and not math.isfinite(v)]
    assert not [v for v in cells if isinstance(v, str) and re.search(r"\bnan\b|n/a", v, re.I)]
    assert not re.search(r">\s*(nan|n/a)\s*<", html, re.I)


# ---------------------------------------------------------------------------
# Errors: a message naming the problem and the fix, and no report file
# ---------------------------------------------------------------------------

REFUSED = {
    "empty trade history": (
        [HEADER],
        "the trade history is empty: add at least one trade",
    ),
    "empty returns": (["date,returns"], "returns is empty: there is nothing to analyse"),
    "NaN returns": (
        ["date,returns", "2024-01-02,0.01", "2024-01-03,nan", "2024-01-04,0.01"],
        "returns row 2 (2024-01-03 00:00:00+00:00) is nan; returns must be finite: drop the "
        "row or fill it explicitly",
    ),
    "unsorted returns": (
        ["date,returns", "2024-01-03,0.01", "2024-01-02,0.02", "2024-01-04,0.01"],
        "times must be strictly increasing (sort_index() and drop duplicates first)",
    ),
    "zero-length trade": (
        [HEADER, WINNERS[0], "2024-01-09,2024-01-09,50,45,short,1,0"],
        "trade history row 2: exit_time 2024-01-09 00:00:00+00:00 is not after entry_time "
        "2024-01-09 00:00:00+00:00; a trade must last",
    ),
}


@pytest.mark.parametrize(("lines", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_bad_input_is_refused_with_the_fix_and_writes_nothing(
    tmp_path: Path, lines: list[str], message: str
) -> None:
    result = report(write(tmp_path / "data.csv", lines), tmp_path)
    assert result.exit_code == 1
    assert message in result.stderr
    assert not (tmp_path / "r.xlsx").exists()
    assert not (tmp_path / "r.html").exists()


def test_the_same_bad_input_is_refused_by_the_analytics() -> None:
    days = pd.bdate_range("2024-01-01", periods=5, tz="UTC")
    empty = pd.DataFrame(columns=HEADER.split(","))
    with pytest.raises(AnalyticsError, match="the trade history is empty"):
        AdvancedAnalytics(metrics={}).add_trades(empty)
    with pytest.raises(AnalyticsError, match=r"no returns to analyse: call add_returns\(\)"):
        AdvancedAnalytics(metrics={}).calculate_metrics()
    with_nan = pd.Series([0.01, np.nan, 0.02, 0.0, 0.01], index=days)
    with pytest.raises(AnalyticsError, match=r"returns row 2 \(2024-01-02") as caught:
        AdvancedAnalytics(metrics={}).add_returns(with_nan)
    assert caught.value.row == days[1]
    unsorted = pd.Series(0.01, index=days[[0, 2, 1, 3, 4]])
    with pytest.raises(AnalyticsError, match=r"row 3 \(2024-01-02.*comes before"):
        AdvancedAnalytics(metrics={}).add_returns(unsorted)
    zero = [{"entry_time": days[1], "exit_time": days[1], "entry_price": 1.0,
             "exit_price": 2.0, "side": "long", "size": 1.0}]  # fmt: skip
    with pytest.raises(AnalyticsError, match="trade history row 1: exit_time") as caught:
        AdvancedAnalytics(metrics={}).add_trades(zero)
    assert (caught.value.row, caught.value.column) == (1, "exit_time")


# ---------------------------------------------------------------------------
# Documented values
# ---------------------------------------------------------------------------


def test_an_all_winning_history_gives_inf_everywhere_and_no_nan(tmp_path: Path) -> None:
    data = write(tmp_path / "winners.csv", [HEADER, *WINNERS])
    result = report(data, tmp_path)
    assert result.exit_code == 0, result.output

    metrics = AdvancedAnalytics(metrics={}).add_trades(pd.read_csv(data))
    flat = metrics.calculate_metrics().to_dict()
    pnl = [10.0, 5.0 - 1.0, 2.0]
    assert flat["total_trades"] == 3
    assert flat["win_rate"] == 1.0
    assert flat["gross_profit"] == pytest.approx(sum(pnl))
    assert flat["gross_loss"] == flat["average_loss"] == flat["largest_loss"] == 0.0
    assert flat["trade_kelly_fraction"] == 1.0  # W - (1 - W) / payoff with W = 1
    # a zero denominator: +inf, as documented (no losing trade, no drawdown, no loss day)
    infinite = {"profit_factor", "payoff_ratio", "calmar_ratio", "tail_ratio"}
    assert {k for k, v in flat.items() if isinstance(v, float) and math.isinf(v)} == infinite
    assert all(flat[k] > 0 for k in infinite)

    table = printed(result.stdout)
    assert table["Profit factor"] == table["Payoff ratio"] == "inf"
    summary, cells = workbook_values(tmp_path / "r.xlsx")
    assert {k for k, v in summary.items() if v == "inf"} == infinite  # Excel has no infinity
    assert summary["win_rate"] == 1.0
    assert summary["gross_profit"] == pytest.approx(sum(pnl))
    shown, html = html_values(tmp_path / "r.html")
    assert {k for k, v in shown.items() if v == "inf"} == infinite
    assert shown["win_rate"] == "100.00%"
    assert_no_nan(flat, cells, html)


def test_all_positive_returns_give_documented_infinities(tmp_path: Path) -> None:
    days = pd.bdate_range("2024-01-01", periods=30)
    returns = np.linspace(0.001, 0.004, 30)
    lines = ["date,returns", *(f"{d.date()},{r}" for d, r in zip(days, returns, strict=True))]
    data = write(tmp_path / "returns.csv", lines)
    config = write(tmp_path / "zero.yaml", ["analytics:", "  risk_free_rate: 0.0",
                                            "  monte_carlo_simulations: 40"])  # fmt: skip
    result = CliRunner().invoke(
        main, ["report", str(data), "-c", str(config), "--xlsx", str(tmp_path / "r.xlsx"),
               "--html", str(tmp_path / "r.html")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    analytics = AdvancedAnalytics(0.0, metrics={}).add_returns(pd.Series(returns, index=days))
    flat = analytics.calculate_metrics().to_dict()
    infinite = {"sortino_ratio", "omega_ratio", "calmar_ratio"}
    assert {k for k, v in flat.items() if isinstance(v, float) and math.isinf(v)} == infinite
    assert flat["max_drawdown"] == 0.0
    assert flat["total_return"] == pytest.approx(np.prod(1 + returns) - 1)
    summary, cells = workbook_values(tmp_path / "r.xlsx")
    assert {k for k, v in summary.items() if v == "inf"} == infinite
    shown, html = html_values(tmp_path / "r.html")
    assert {k for k, v in shown.items() if v == "inf"} == infinite
    assert_no_nan(flat, cells, html)


def test_unsorted_trades_are_sorted_by_exit_time_and_give_the_same_report(
    tmp_path: Path,
) -> None:
    ordered = report(write(tmp_path / "ordered.csv", [HEADER, *WINNERS]), tmp_path)
    assert ordered.exit_code == 0, ordered.output
    ordered_trades = [r[:4] for r in openpyxl.load_workbook(tmp_path / "r.xlsx")["Trades"].values]
    shuffled = write(tmp_path / "shuffled.csv", [HEADER, WINNERS[2], WINNERS[0], WINNERS[1]])
    result = report(shuffled, tmp_path)
    assert result.exit_code == 0, result.output
    assert printed(result.stdout) == printed(ordered.stdout)
    trades = [r[:4] for r in openpyxl.load_workbook(tmp_path / "r.xlsx")["Trades"].values]
    assert trades == ordered_trades
    exits = [row[1] for row in trades[1:]]
    assert exits == sorted(exits)
