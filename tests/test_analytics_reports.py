"""Performance reports on real market data (the S&P 500 and NASDAQ daily bars shipped with
``arch``): the PDF renders page by page (pypdfium2, and pdftoppm when installed), the
workbook holds typed, formatted numbers equal to the analytics' figures, the HTML
tearsheet is self-contained, and reports written inside an MLflow run are logged to it."""

from __future__ import annotations

import datetime as dt
import html.parser
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")
openpyxl = pytest.importorskip("openpyxl")
sp500 = pytest.importorskip("arch.data.sp500")
nasdaq = pytest.importorskip("arch.data.nasdaq")

from mlcore.analytics import AdvancedAnalytics  # noqa: E402
from mlcore.analytics.reports import (  # noqa: E402
    build_report,
    write_excel,
    write_html,
    write_pdf,
    write_reports,
)
from mlcore.analytics.reports.excel import SHEETS  # noqa: E402
from mlcore.analytics.reports.pages import chart_pages  # noqa: E402
from mlcore.errors import AnalyticsError, MissingExtraError, TrackingError  # noqa: E402
from mlcore.regimes import label_regimes, shade_regimes  # noqa: E402

SIMULATIONS = 200
HORIZON = 63
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------------
# data: two years of real daily closes, hand-made trades on them
# ---------------------------------------------------------------------------


def _closes(module: Any) -> pd.Series:
    close = module.load()["Adj Close"].loc["2016-01-01":"2017-12-31"]
    close.index = pd.DatetimeIndex(close.index).tz_localize("UTC")
    return close.astype(float)


@pytest.fixture(scope="module")
def pdfium() -> Any:
    """pypdfium2 renders and reads the PDF; only the PDF tests need it."""
    return pytest.importorskip("pypdfium2")


@pytest.fixture(scope="module")
def closes() -> pd.Series:
    return _closes(sp500)


@pytest.fixture(scope="module")
def returns(closes: pd.Series) -> pd.Series:
    return closes.pct_change().dropna().rename("returns")


@pytest.fixture(scope="module")
def index_returns() -> pd.Series:
    return _closes(nasdaq).pct_change().dropna().rename("benchmark")


@pytest.fixture(scope="module")
def trades(closes: pd.Series) -> pd.DataFrame:
    """30 trades of 10 units, alternating long and short, entered every 15 bars and held 5,
    with times in New York (the workbook must show them in UTC)."""
    entries = np.arange(30) * 15 + 3
    exits = entries + 5
    days = closes.index.tz_localize(None)
    times = days.tz_localize("America/New_York") + pd.Timedelta(hours=16)  # the close
    return pd.DataFrame(
        {
            "entry_time": times[entries],
            "exit_time": times[exits],
            "entry_price": closes.to_numpy()[entries],
            "exit_price": closes.to_numpy()[exits],
            "side": ["long" if i % 2 == 0 else "short" for i in range(30)],
            "size": 10.0,
            "fees": 1.5,
        }
    )


@pytest.fixture(scope="module")
def analytics(
    returns: pd.Series, index_returns: pd.Series, trades: pd.DataFrame
) -> AdvancedAnalytics:
    return (
        AdvancedAnalytics(risk_free_rate=0.02, metrics={})
        .add_returns(returns, benchmark=index_returns)
        .add_trades(trades)
    )


@pytest.fixture(scope="module")
def report(analytics: AdvancedAnalytics, closes: pd.Series) -> Any:
    regimes = label_regimes(closes, threshold=0.05)
    return build_report(
        analytics,
        title="S&P 500 <two years> & co",
        prices=closes,
        regimes=regimes,
        simulations=SIMULATIONS,
        horizon=HORIZON,
        seed=7,
    )


@pytest.fixture(scope="module")
def pdf_file(report: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pdf(report, tmp_path_factory.mktemp("pdf") / "report.pdf")


@pytest.fixture(scope="module")
def workbook(report: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = write_excel(report, tmp_path_factory.mktemp("xlsx") / "report.xlsx")
    return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def html_text(report: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = write_html(report, tmp_path_factory.mktemp("html") / "report.html")
    return path.read_text(encoding="utf-8")


def _returns_only(returns: pd.Series) -> AdvancedAnalytics:
    return AdvancedAnalytics(metrics={}).add_returns(returns)


def _ink(pixels: np.ndarray) -> float:
    """Share of pixels that are not (near) white."""
    return float((pixels[..., :3].min(axis=-1) < 235).mean())


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------


def test_pdf_has_a_page_per_part_and_every_page_is_drawn(pdfium: Any, pdf_file: Path, report: Any):
    document = pdfium.PdfDocument(pdf_file)
    # summary, performance, calendar, risk, Monte Carlo, trades, regimes
    assert len(document) == 7 == 1 + len(chart_pages(report))
    for number in range(len(document)):
        pixels = document[number].render(scale=0.4).to_numpy()
        assert 0.01 < _ink(pixels) < 0.9, f"page {number + 1} looks blank or flooded"


def test_every_pdf_page_converts_to_png_with_pdftoppm(pdf_file: Path, tmp_path: Path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed")
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", str(pdf_file), str(tmp_path / "page")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 7
    from PIL import Image

    for page in pages:
        assert page.read_bytes()[:8] == PNG_SIGNATURE
        assert _ink(np.asarray(Image.open(page).convert("RGB"))) > 0.01, page.name


def test_pdf_metadata_names_title_creator_and_mlcore_version(pdfium: Any, pdf_file: Path):
    import mlcore

    metadata = pdfium.PdfDocument(pdf_file).get_metadata_dict()
    assert metadata["Title"] == "S&P 500 <two years> & co"
    assert metadata["Creator"] == f"mlcore {mlcore.__version__}"
    assert metadata["CreationDate"].startswith(f"D:{dt.datetime.now(dt.UTC):%Y}")


def test_pdf_summary_page_shows_the_analytics_figures(
    pdfium: Any, pdf_file: Path, analytics: AdvancedAnalytics, returns: pd.Series
):
    text = pdfium.PdfDocument(pdf_file)[0].get_textpage().get_text_range()
    metrics = analytics.calculate_metrics().to_dict()
    total = float(np.prod(1.0 + returns.to_numpy()) - 1.0)  # by hand
    assert f"Total return {total:.2%}" in text
    assert f"Sharpe ratio {metrics['sharpe_ratio']:.2f}" in text
    assert f"Max drawdown {metrics['max_drawdown']:.2%}" in text
    assert "Total trades 30" in text


class _History(NamedTuple):
    """Calendar month and year returns and the final drawdown, computed with pandas
    resampling as a reference for the reports' key figures."""

    months: pd.Series
    years: pd.Series
    current_drawdown: float


def _history(returns: pd.Series) -> _History:
    growth = 1.0 + returns
    wealth = np.r_[1.0, growth.cumprod().to_numpy()]
    return _History(
        months=growth.resample("ME").prod() - 1.0,
        years=growth.resample("YE").prod() - 1.0,
        current_drawdown=float(wealth[-1] / wealth.max() - 1.0),
    )


def test_pdf_summary_page_shows_the_key_figures_of_the_history(
    pdfium: Any, pdf_file: Path, returns: pd.Series
):
    text = pdfium.PdfDocument(pdf_file)[0].get_textpage().get_text_range()
    months, years, current = _history(returns)
    assert "Equity and drawdown" in text
    assert f"Best period {returns.max():.2%} ({returns.idxmax():%Y-%m-%d})" in text
    assert f"Worst month {months.min():.2%} ({months.idxmin():%Y-%m})" in text
    assert f"Best month {months.max():.2%} ({months.idxmax():%Y-%m})" in text
    assert f"Positive months {(months > 0).mean():.0%}" in text
    assert f"Worst year {years.min():.2%} ({years.idxmin():%Y})" in text
    assert f"Positive years {(years > 0).mean():.0%}" in text
    assert f"Current drawdown {current:.2%}" in text


def test_pdf_without_trades_regimes_or_simulation_leaves_their_pages_out_and_says_why(
    pdfium: Any, returns: pd.Series, tmp_path: Path
):
    path = _returns_only(returns).generate_pdf_report(tmp_path / "returns.pdf", simulations=0)
    document = pdfium.PdfDocument(path)
    assert len(document) == 4  # summary, performance, calendar, risk
    summary = document[0].get_textpage().get_text_range()
    assert "no trades: the trade page and sheet are left out" in summary
    assert "Monte Carlo simulation: left out (simulations=0)" in summary


def test_a_failing_report_leaves_the_previous_file_untouched(
    report: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from mlcore.analytics.reports import pdf

    target = tmp_path / "report.pdf"
    target.write_bytes(b"previous report")

    def broken(_report: Any) -> Any:
        raise RuntimeError("drawing failed")

    # the summary page is written, then the next page fails
    monkeypatch.setattr(pdf, "chart_pages", lambda _report: [("Broken", broken)])
    with pytest.raises(RuntimeError, match="drawing failed"):
        write_pdf(report, target)
    assert target.read_bytes() == b"previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_missing_matplotlib_names_the_reports_extra(
    report: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingExtraError, match=r"mlcore\[reports\]"):
        write_pdf(report, tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()


def test_missing_openpyxl_names_the_reports_extra(
    report: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(MissingExtraError, match=r"openpyxl.*mlcore\[reports\]"):
        write_excel(report, tmp_path / "r.xlsx")


def test_options_with_a_finished_report_are_refused(report: Any, tmp_path: Path):
    with pytest.raises(TypeError, match="simulations"):
        write_pdf(report, tmp_path / "r.pdf", simulations=10)


def test_regimes_must_match_the_prices(analytics: AdvancedAnalytics, closes: pd.Series):
    with pytest.raises(AnalyticsError, match=f"prices has {len(closes)} rows but regimes has 3"):
        build_report(analytics, prices=closes, regimes=[0, 1, 0], simulations=0)
    partial = pd.Series(0, index=closes.index[5:])
    with pytest.raises(AnalyticsError, match="no label for 5 price rows"):
        build_report(analytics, prices=closes, regimes=partial, simulations=0)


def test_regimes_without_prices_are_a_note(analytics: AdvancedAnalytics, closes: pd.Series):
    built = build_report(analytics, regimes=np.zeros(len(closes)), simulations=0)
    assert built.prices is None
    assert any("regimes given without prices" in note for note in built.notes)


# ---------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------


def _rows(sheet: Any) -> list[dict[str, Any]]:
    header = [cell.value for cell in sheet[1]]
    return [
        dict(zip(header, (cell for cell in row), strict=True)) for row in sheet.iter_rows(min_row=2)
    ]


def test_workbook_holds_the_sheets_with_frozen_headers_and_widths(workbook: Any):
    assert workbook.sheetnames == list(SHEETS)
    for sheet in workbook:
        assert sheet.freeze_panes == "A2", sheet.title
        for cell in sheet[1]:
            width = sheet.column_dimensions[cell.column_letter].width
            assert len(cell.value or "") < width <= 62, (sheet.title, cell.value)


def test_summary_values_are_the_analytics_metrics_as_formatted_numbers(
    workbook: Any, analytics: AdvancedAnalytics
):
    metrics = analytics.calculate_metrics().to_dict()
    cells = {row["key"].value: row["value"] for row in _rows(workbook["Summary"])}
    for name, value in metrics.items():
        cell = cells[name]
        if math.isinf(value):
            assert cell.value == "inf"
        else:
            assert isinstance(cell.value, int | float), name
            assert cell.value == pytest.approx(value, rel=1e-12, abs=1e-15), name
    assert cells["sharpe_ratio"].number_format == "0.00"
    assert cells["max_drawdown"].number_format == "0.00%"
    assert cells["total_trades"].number_format == "0"
    assert cells["gross_profit"].number_format == "#,##0.00"
    assert isinstance(cells["start"].value, dt.datetime)
    assert cells["start"].number_format == "yyyy-mm-dd"


def test_summary_sheet_holds_the_key_figures_as_numbers_and_dates(
    workbook: Any, returns: pd.Series
):
    months, years, current = _history(returns)
    rows = {row["key"].value: row for row in _rows(workbook["Summary"])}

    def check(key: str, value: float, number_format: str) -> None:
        assert rows[key]["group"].value == "Key figures", key
        assert rows[key]["value"].value == pytest.approx(value, rel=1e-12, abs=1e-15), key
        assert rows[key]["value"].number_format == number_format, key

    def check_date(key: str, when: pd.Timestamp, date_format: str) -> None:
        cell = rows[key]["date (UTC)"]
        assert cell.value == when.tz_localize(None).to_pydatetime(), key
        assert cell.number_format == date_format, key

    span = returns.index[-1] - returns.index[0]
    check("length_years", span / pd.Timedelta(days=365.25), "0.0")
    check("best_period", returns.max(), "0.00%")
    check_date("best_period", returns.idxmax(), "yyyy-mm-dd")
    check("worst_period", returns.min(), "0.00%")
    check_date("worst_period", returns.idxmin(), "yyyy-mm-dd")
    check("positive_periods", (returns > 0).mean(), "0.00%")
    check("best_month", months.max(), "0.00%")
    check_date("best_month", months.idxmax().replace(day=1), "yyyy-mm")
    check("worst_month", months.min(), "0.00%")
    check_date("worst_month", months.idxmin().replace(day=1), "yyyy-mm")
    check("positive_months", (months > 0).mean(), "0.00%")
    check("best_year", years.max(), "0.00%")
    check_date("best_year", years.idxmax().replace(month=1, day=1), "yyyy")
    check("worst_year", years.min(), "0.00%")
    check_date("worst_year", years.idxmin().replace(month=1, day=1), "yyyy")
    check("positive_years", (years > 0).mean(), "0.00%")
    check("current_drawdown", current, "0.00%")
    assert rows["current_drawdown"]["date (UTC)"].value is None


def test_monthly_returns_equal_the_daily_returns_compounded_by_hand(
    workbook: Any, returns: pd.Series
):
    growth = 1.0 + returns
    by_month = growth.groupby([returns.index.year, returns.index.month]).prod() - 1.0
    by_year = growth.groupby(returns.index.year).prod() - 1.0
    names = [dt.date(2000, m, 1).strftime("%b") for m in range(1, 13)]
    rows = _rows(workbook["Monthly Returns"])
    assert [row["year"].value for row in rows] == [2016, 2017]
    for row in rows:
        year = row["year"].value
        for month, name in enumerate(names, start=1):
            assert row[name].value == pytest.approx(by_month[(year, month)], abs=1e-12)
            assert row[name].number_format == "0.00%"
        assert row["year total"].value == pytest.approx(by_year[year], abs=1e-12)


def test_trades_sheet_holds_utc_times_and_hand_computed_pnl(workbook: Any, trades: pd.DataFrame):
    rows = _rows(workbook["Trades"])
    assert len(rows) == len(trades)
    first = rows[0]
    assert "entry_time (UTC)" in first
    # 16:00 in New York in January is 21:00 UTC (EST, UTC-5)
    entry = trades["entry_time"].iloc[0]
    assert entry.hour == 16
    expected = entry.tz_convert("UTC").tz_localize(None).to_pydatetime()
    assert expected.hour == 21
    assert first["entry_time (UTC)"].value == expected
    assert first["entry_time (UTC)"].number_format == "yyyy-mm-dd hh:mm:ss"
    for row, (_, trade) in zip(rows, trades.iterrows(), strict=True):
        sign = 1.0 if trade["side"] == "long" else -1.0
        pnl = sign * trade["size"] * (trade["exit_price"] - trade["entry_price"]) - trade["fees"]
        assert row["pnl"].value == pytest.approx(pnl, rel=1e-12)
        assert row["return"].number_format == "0.00%"


def test_drawdown_sheet_matches_the_analytics_table(workbook: Any, analytics: AdvancedAnalytics):
    table = analytics.analyze_drawdowns(top=10)
    rows = _rows(workbook["Drawdowns"])
    assert len(rows) == len(table)
    for row, (_, period) in zip(rows, table.iterrows(), strict=True):
        assert row["depth"].value == pytest.approx(period["depth"], abs=1e-15)
        assert row["depth"].number_format == "0.00%"
        assert row["start (UTC)"].value == period["start"].tz_localize(None).to_pydatetime()
        assert row["length"].value == period["length"]


def test_monte_carlo_sheet_holds_the_percentile_paths_of_the_same_seed(
    workbook: Any, analytics: AdvancedAnalytics
):
    again = analytics.monte_carlo_simulation(SIMULATIONS, HORIZON, seed=7).percentiles
    rows = _rows(workbook["Monte Carlo"])[: HORIZON + 1]
    assert [row["step"].value for row in rows] == list(range(HORIZON + 1))
    for row, (_, expected) in zip(rows, again.iterrows(), strict=True):
        for column in again.columns:
            assert row[f"p{column:g}"].value == pytest.approx(expected[column], rel=1e-12)
    statistics = {
        row["statistic"].value: row["value"].value
        for row in _rows(workbook["Monte Carlo"])
        if row["statistic"].value
    }
    assert statistics["n_simulations"] == SIMULATIONS
    assert statistics["seed"] == 7


def test_workbook_without_trades_keeps_the_sheet_with_a_note(returns: pd.Series, tmp_path: Path):
    path = _returns_only(returns).export_to_excel(tmp_path / "r.xlsx", simulations=0)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == list(SHEETS)
    assert book["Trades"]["A1"].value == "note"
    assert book["Trades"]["A2"].value == "no trades were added"
    assert "simulations=0" in book["Monte Carlo"]["A2"].value


def test_an_infinite_profit_factor_is_the_text_inf(returns: pd.Series, tmp_path: Path):
    winners = pd.DataFrame(
        {
            "entry_time": returns.index[[0, 10]],
            "exit_time": returns.index[[5, 15]],
            "entry_price": [100.0, 100.0],
            "exit_price": [110.0, 105.0],
            "side": ["long", "long"],
            "size": [1.0, 1.0],
        }
    )
    analytics = _returns_only(returns).add_trades(winners)
    assert math.isinf(analytics.calculate_metrics().to_dict()["profit_factor"])
    book = openpyxl.load_workbook(write_excel(analytics, tmp_path / "w.xlsx", simulations=0))
    cells = {row["key"].value: row["value"].value for row in _rows(book["Summary"])}
    assert cells["profit_factor"] == "inf"


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------


class _References(html.parser.HTMLParser):
    """Collects every attribute that could make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[tuple[str, str, str]] = []
        self.tags: set[str] = set()
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "srcset", "action", "poster", "data"):
                self.references.append((tag, name, value or ""))
            if name == "id" and value:
                self.ids.append(value)


def test_html_is_self_contained(html_text: str):
    parser = _References()
    parser.feed(html_text)
    external = [
        ref for ref in parser.references if not ref[2].startswith(("#", "data:image/png;base64,"))
    ]
    assert external == []
    assert not parser.tags & {"link", "script", "iframe", "object", "embed"}
    assert "http:" not in html_text
    assert "https:" not in html_text
    assert "@import" not in html_text
    assert "url(" not in html_text.replace("url(#", "")


def test_html_holds_every_chart_with_unique_ids(html_text: str, report: Any):
    parser = _References()
    parser.feed(html_text)
    assert html_text.count("<svg") == len(chart_pages(report)) == 6
    assert len(parser.ids) == len(set(parser.ids))
    local = {value[1:] for _, _, value in parser.references if value.startswith("#")}
    assert local <= set(parser.ids)


def test_html_shows_the_analytics_metrics_and_escapes_the_title(
    html_text: str, analytics: AdvancedAnalytics
):
    metrics = analytics.calculate_metrics().to_dict()
    assert f'data-key="sharpe_ratio">{metrics["sharpe_ratio"]:.2f}<' in html_text
    assert f'data-key="annual_volatility">{metrics["annual_volatility"]:.2%}<' in html_text
    assert f'data-key="beta">{metrics["beta"]:.2f}<' in html_text
    assert "<title>S&amp;P 500 &lt;two years&gt; &amp; co</title>" in html_text


def test_html_summary_shows_the_key_figures_of_the_history(html_text: str, returns: pd.Series):
    months, years, current = _history(returns)
    summary = html_text[html_text.index("<h2>Summary</h2>") : html_text.index("</section>")]
    assert "<h3>Key figures</h3>" in summary
    expected = {
        "best_period": f"{returns.max():.2%} ({returns.idxmax():%Y-%m-%d})",
        "worst_month": f"{months.min():.2%} ({months.idxmin():%Y-%m})",
        "positive_months": f"{(months > 0).mean():.0%}",
        "best_year": f"{years.max():.2%} ({years.idxmax():%Y})",
        "positive_years": f"{(years > 0).mean():.0%}",
        "current_drawdown": f"{current:.2%}",
    }
    for key, text in expected.items():
        assert f'<td class="value" data-key="{key}">{text}</td>' in summary, key


# ---------------------------------------------------------------------------
# metric display
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "text"),
    [
        ("annual_return", 0.123456, "12.35%"),
        ("max_drawdown", -0.25, "-25.00%"),
        ("sharpe_ratio", 1.2345, "1.23"),
        ("net_profit", -12345.678, "-12,345.68"),
        ("total_trades", 1200, "1,200"),
        ("profit_factor", math.inf, "inf"),
        ("sortino_ratio", math.nan, "n/a"),
        ("my_plugin_metric", 0.000123456, "0.0001235"),
    ],
)
def test_metrics_are_shown_in_the_format_of_their_kind(name: str, value: float, text: str):
    from mlcore.analytics.reports.formatting import format_metric

    assert format_metric(name, value) == text


# ---------------------------------------------------------------------------
# regime shading
# ---------------------------------------------------------------------------


def _span_edges(axes: Any) -> list[tuple[float, float]]:
    """(left, right) of every shaded span, sorted."""
    return sorted(
        (float(path.vertices[:, 0].min()), float(path.vertices[:, 0].max()))
        for collection in axes.collections
        for path in collection.get_paths()
    )


def test_shade_regimes_spans_runs_between_bar_midpoints():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots()
    try:
        x = np.array([0.0, 1.0, 2.0, 4.0, 6.0])
        handles = shade_regimes(axes, x, [1, 1, 0, 0, 2])
        assert [h.get_label() for h in handles] == ["bull", "bear", "sideways"]
        # edges -0.5 | 0.5 | 1.5 | 3 | 5 | 7: bear [-0.5, 1.5], bull [1.5, 5], sideways [5, 7]
        assert _span_edges(axes) == [(-0.5, 1.5), (1.5, 5.0), (5.0, 7.0)]
    finally:
        plt.close(figure)


def test_shade_regimes_on_dates_uses_matplotlib_date_numbers():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.dates import date2num

    days = pd.date_range("2024-01-01", periods=4, freq="D", tz="UTC")
    figure, axes = plt.subplots()
    try:
        shade_regimes(axes, days, [0, 0, 1, 1])
        start = date2num(dt.datetime(2024, 1, 1))
        assert _span_edges(axes) == [(start - 0.5, start + 1.5), (start + 1.5, start + 3.5)]
    finally:
        plt.close(figure)


# ---------------------------------------------------------------------------
# MLflow
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tracking(tmp_path_factory: pytest.TempPathFactory) -> Any:
    import os

    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    mlflow = pytest.importorskip("mlflow")
    root = tmp_path_factory.mktemp("mlflow")
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
    experiment = mlflow.create_experiment("reports", artifact_location=str(root / "artifacts"))
    yield mlflow, experiment
    while mlflow.active_run() is not None:
        mlflow.end_run()
    mlflow.set_tracking_uri(previous)


def _artifacts(mlflow: Any, run_id: str, path: str | None = None) -> set[str]:
    client = mlflow.MlflowClient()
    found: set[str] = set()
    for item in client.list_artifacts(run_id, path):
        if item.is_dir:
            found |= _artifacts(mlflow, run_id, item.path)
        else:
            found.add(item.path)
    return found


def test_reports_written_in_a_run_are_logged_with_their_inputs(
    tracking: Any, analytics: AdvancedAnalytics, tmp_path: Path
):
    mlflow, experiment = tracking
    paths = {kind: tmp_path / f"tearsheet.{kind}" for kind in ("pdf", "xlsx", "html")}
    with mlflow.start_run(experiment_id=experiment) as run:
        write_reports(analytics, paths, simulations=SIMULATIONS, horizon=5, rolling_window=21)
    logged = _artifacts(mlflow, run.info.run_id)
    inputs = {
        "returns.csv",
        "equity.csv",
        "benchmark_equity.csv",
        "trades.csv",
        "metrics.json",
    }
    assert logged == {f"reports/tearsheet.{k}" for k in paths} | {
        f"reports/inputs/{name}" for name in inputs
    }
    local = Path(
        mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="reports")
    )
    document = json.loads((local / "inputs" / "metrics.json").read_text())
    metrics = analytics.calculate_metrics().to_dict()
    assert document["metrics"]["sharpe_ratio"] == pytest.approx(metrics["sharpe_ratio"])
    assert document["monte_carlo"]["n_simulations"] == SIMULATIONS
    returns = pd.read_csv(local / "inputs" / "returns.csv", index_col=0, parse_dates=True)
    np.testing.assert_allclose(returns["return"].to_numpy(), analytics.returns.to_numpy())
    assert (local / "tearsheet.pdf").read_bytes()[:5] == b"%PDF-"


def test_a_report_in_an_mlflow_manager_run_is_logged_to_it(
    tracking: Any, returns: pd.Series, tmp_path: Path
):
    from mlcore.tracking import MLflowManager

    mlflow, _ = tracking
    manager = MLflowManager(mlflow.get_tracking_uri(), "manager reports")
    with manager.run(run_name="report") as run_id:
        write_excel(_returns_only(returns.iloc[:60]), tmp_path / "t.xlsx", simulations=0)
    logged = _artifacts(mlflow, run_id)
    assert "reports/t.xlsx" in logged
    assert "reports/inputs/metrics.json" in logged
    assert "reports/inputs/trades.csv" not in logged  # no trades


def test_without_a_run_nothing_is_logged_unless_asked(
    tracking: Any, returns: pd.Series, tmp_path: Path
):
    mlflow, _ = tracking
    assert mlflow.active_run() is None
    small = build_report(_returns_only(returns.iloc[:60]), simulations=0)
    assert write_excel(small, tmp_path / "quiet.xlsx").exists()
    with pytest.raises(TrackingError, match="no active MLflow run"):
        write_excel(small, tmp_path / "loud.xlsx", log_artifacts=True)
