"""``mlcore report`` through click's CliRunner, on real S&P 500 and NASDAQ closes (from
``arch``) written to CSV and Parquet files: what the file holds is detected, the printed
figures equal hand calculations, the config's ``analytics`` section applies, and bad
files get errors that name the column and row."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

pytest.importorskip("matplotlib")
openpyxl = pytest.importorskip("openpyxl")
sp500 = pytest.importorskip("arch.data.sp500")
nasdaq = pytest.importorskip("arch.data.nasdaq")

from mlcore.analytics.reports.excel import SHEETS  # noqa: E402
from mlcore.cli import main  # noqa: E402


def _closes(module: object) -> pd.Series:
    close = module.load()["Adj Close"].loc["2017-01-01":"2017-12-31"]  # type: ignore[attr-defined]
    return close.astype(float)


@pytest.fixture(scope="module")
def closes() -> pd.Series:
    return _closes(sp500)


@pytest.fixture(scope="module")
def files(closes: pd.Series, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("report-cli")
    returns = closes.pct_change().dropna()
    returns.rename("returns").to_csv(root / "returns.csv", index_label="date")
    (closes * 10).rename("equity").to_frame().rename_axis("timestamp").to_parquet(
        root / "equity.parquet"
    )
    _closes(nasdaq).rename("close").to_csv(root / "nasdaq.csv", index_label="Date")
    entries = np.arange(12) * 20
    pd.DataFrame(
        {
            "entry_time": closes.index[entries],
            "exit_time": closes.index[entries + 7],
            "entry_price": closes.to_numpy()[entries],
            "exit_price": closes.to_numpy()[entries + 7],
            "side": "long",
            "size": 2.0,
            "fees": 0.25,
        }
    ).to_csv(root / "trades.csv", index=False)
    config = root / "fast.yaml"
    config.write_text("analytics:\n  monte_carlo_simulations: 50\n", encoding="utf-8")
    return {
        "returns": root / "returns.csv",
        "equity": root / "equity.parquet",
        "nasdaq": root / "nasdaq.csv",
        "trades": root / "trades.csv",
        "config": config,
    }


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _value(output: str, metric: str) -> str:
    """The value printed on the table row of ``metric``."""
    for line in output.splitlines():
        parts = line.split("  ")
        cells = [part.strip() for part in parts if part.strip()]
        if len(cells) == 3 and cells[1] == metric:
            return cells[2]
    raise AssertionError(f"no row {metric!r} in:\n{output}")


def _sharpe(returns: np.ndarray, annual_rate: float, periods: int) -> float:
    """Sharpe ratio by hand: mean excess return over its sample deviation, annualised; the
    per-period rate compounds to the annual one."""
    excess = returns - ((1 + annual_rate) ** (1 / periods) - 1)
    return float(excess.mean() / excess.std(ddof=1) * math.sqrt(periods))


def test_a_return_series_gives_the_metrics_and_three_reports(
    runner: CliRunner, files: dict[str, Path], closes: pd.Series, tmp_path: Path
):
    out = {kind: tmp_path / f"r.{kind}" for kind in ("pdf", "xlsx", "html")}
    result = runner.invoke(
        main,
        [
            "report",
            str(files["returns"]),
            "--config",
            str(files["config"]),
            *(f"--{kind}={path}" for kind, path in out.items()),
        ],
    )
    assert result.exit_code == 0, result.output
    returns = closes.pct_change().dropna().to_numpy()
    assert result.stdout.startswith(f"{files['returns']}: returns, {returns.size} periods")
    assert _value(result.stdout, "Sharpe ratio") == f"{_sharpe(returns, 0.02, 252):.2f}"
    assert _value(result.stdout, "Total return") == f"{np.prod(1 + returns) - 1:.2%}"
    assert out["pdf"].read_bytes()[:5] == b"%PDF-"
    assert openpyxl.load_workbook(out["xlsx"]).sheetnames == list(SHEETS)
    assert out["html"].read_text(encoding="utf-8").count("<svg") == 4
    for kind, path in out.items():
        assert f"{kind} report written to {path}" in result.stdout
    book = openpyxl.load_workbook(out["xlsx"])
    statistics = {row[7].value: row[8].value for row in book["Monte Carlo"].iter_rows(min_row=2)}
    assert statistics["n_simulations"] == 50  # analytics.monte_carlo_simulations


def test_the_config_conventions_apply(
    runner: CliRunner, files: dict[str, Path], closes: pd.Series, tmp_path: Path
):
    config = tmp_path / "weekly.yaml"
    config.write_text(
        "analytics:\n  risk_free_rate: 0.0\n  periods_per_year: 52\n"
        "  monte_carlo_simulations: 10\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["report", str(files["returns"]), "-c", str(config)])
    assert result.exit_code == 0, result.output
    returns = closes.pct_change().dropna().to_numpy()
    assert _value(result.stdout, "Sharpe ratio") == f"{_sharpe(returns, 0.0, 52):.2f}"
    assert "no report file requested" in result.stderr


def test_a_trade_history_is_detected_by_its_columns(
    runner: CliRunner, files: dict[str, Path], closes: pd.Series, tmp_path: Path
):
    xlsx = tmp_path / "trades.xlsx"
    result = runner.invoke(
        main, ["report", str(files["trades"]), "-c", str(files["config"]), "--xlsx", str(xlsx)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{files['trades']}: trades,")
    assert _value(result.stdout, "Total trades") == "12"
    entries = np.arange(12) * 20
    pnl = 2.0 * (closes.to_numpy()[entries + 7] - closes.to_numpy()[entries]) - 0.25
    assert _value(result.stdout, "Net profit") == f"{pnl.sum():,.2f}"
    assert openpyxl.load_workbook(xlsx)["Trades"].max_row == 1 + 12


def test_an_equity_curve_in_parquet_with_a_price_benchmark(
    runner: CliRunner, files: dict[str, Path], closes: pd.Series, tmp_path: Path
):
    result = runner.invoke(
        main,
        [
            "report",
            str(files["equity"]),
            "-c",
            str(files["config"]),
            "--benchmark",
            str(files["nasdaq"]),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{files['equity']}: equity, {len(closes) - 1} periods")
    total = closes.iloc[-1] / closes.iloc[0] - 1
    assert _value(result.stdout, "Total return") == f"{total:.2%}"
    ours = closes.pct_change().dropna().to_numpy()
    theirs = _closes(nasdaq).pct_change().dropna().to_numpy()
    correlation = np.corrcoef(ours, theirs)[0, 1]
    assert _value(result.stdout, "Correlation") == f"{correlation:.2f}"


def test_out_dir_writes_the_configured_formats_named_after_the_input(
    runner: CliRunner, files: dict[str, Path], tmp_path: Path
):
    config = tmp_path / "xlsx.yaml"
    config.write_text(
        "analytics:\n  reports: [xlsx]\n  monte_carlo_simulations: 10\n", encoding="utf-8"
    )
    out = tmp_path / "reports"
    result = runner.invoke(
        main, ["report", str(files["returns"]), "-c", str(config), "--out-dir", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["returns.xlsx"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "date,returns\n2024-01-02,0.01\n2024-01-03,0.02\nnot a day,0.01\n",
            "column 'date' is not a time in row 3: 'not a day'",
        ),
        (
            "date,returns\n2024-01-02,0.01\n2024-01-03,1.5%\n",
            "column 'returns' is not a number in row 2 (2024-01-03 00:00:00+00:00): '1.5%'",
        ),
        (
            "date,returns\n2024-01-02,0.01\n2024-01-03,\n2024-01-04,0.02\n",
            "returns row 2 (2024-01-03 00:00:00+00:00) is nan",
        ),
        (
            "date,returns\n2024-01-03,0.01\n2024-01-02,0.02\n",
            "times must be strictly increasing",
        ),
        ("when,pnl\n2024-01-02,5\n", "a return series a time column"),
        (
            "entry_time,exit_time,entry_price,exit_price,side,size\n"
            "2024-01-02,2024-01-05,100,101,long,1\n2024-01-03,2024-01-03,100,99,short,1\n",
            "exit_time 2024-01-03 00:00:00+00:00 is not after entry_time",
        ),
    ],
    ids=["bad-time", "bad-number", "nan-return", "unsorted", "unknown-columns", "zero-length"],
)
def test_bad_files_get_errors_naming_the_column_and_row(
    runner: CliRunner, tmp_path: Path, content: str, message: str
):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(main, ["report", str(path), "--pdf", str(tmp_path / "bad.pdf")])
    assert result.exit_code == 1
    assert message in result.stderr
    assert not (tmp_path / "bad.pdf").exists()


def test_an_unreadable_suffix_is_named(runner: CliRunner, tmp_path: Path):
    path = tmp_path / "returns.txt"
    path.write_text("date,returns\n", encoding="utf-8")
    result = runner.invoke(main, ["report", str(path)])
    assert result.exit_code == 1
    assert "cannot read a .txt file; give a .csv, .parquet or .pq file" in result.stderr


def test_a_benchmark_key_that_is_not_a_file_names_the_key(
    runner: CliRunner, files: dict[str, Path], tmp_path: Path
):
    config = tmp_path / "spy.yaml"
    config.write_text("analytics:\n  benchmark: SPY\n", encoding="utf-8")
    result = runner.invoke(main, ["report", str(files["returns"]), "-c", str(config)])
    assert result.exit_code == 1
    assert "config key 'analytics.benchmark': 'SPY' is not a file" in result.stderr
