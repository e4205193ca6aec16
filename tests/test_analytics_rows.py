"""Every analytics error names a row the same way: ``row N``, N counted from 1, then its
time or index label. A bad value on data row N of a file that ``mlcore report`` reads is
``row N`` whether the file reader or the analytics' validation finds it."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from mlcore import AnalyticsError
from mlcore.analytics import AdvancedAnalytics, Backtest
from mlcore.analytics.reports.command import analytics_from_data
from mlcore.analytics.reports.inputs import read_performance_file
from mlcore.analytics.rows import first_bad, row_error, row_key, row_text, rows_text
from mlcore.cli import main
from mlcore.config import MlcoreConfig
from mlcore.errors import DataValidationError
from mlcore.host import PluginHost

TRADES_HEADER = "entry_time,exit_time,entry_price,exit_price,side,size"
GOOD_TRADE = "2024-01-02,2024-01-05,100,101,long,1"
GOOD_RETURNS = ["2024-01-02,0.01", "2024-01-03,-0.02", "2024-01-04,0.005", "2024-01-05,0.01"]


def test_row_names_count_from_one_and_show_the_label() -> None:
    times = pd.date_range("2024-01-01", periods=3, tz="UTC")
    assert row_text(times, 0) == "row 1 (2024-01-01 00:00:00+00:00)"
    assert row_key(times, 2) == times[2]
    plain = pd.RangeIndex(3)
    assert row_text(plain, 1) == "row 2"
    assert row_key(plain, 1) == 2
    # a slice keeps its labels: they no longer repeat the positions
    assert row_text(pd.RangeIndex(5, 8), 0) == "row 1 (index 5)"
    assert row_text(pd.Index(["T-1", "T-2"]), 1) == "row 2 (index 'T-2')"
    assert rows_text(plain, [0, 2]) == "row 1, row 3"
    assert rows_text(pd.RangeIndex(10), np.arange(5)) == "row 1, row 2, row 3 and 2 more"


def test_first_bad_is_the_first_true_position() -> None:
    assert first_bad([False, True, False, True]) == 1
    assert first_bad(np.array([True])) == 0
    assert first_bad(pd.Series([False, False, True], index=[7, 8, 9])) == 2  # a position
    assert first_bad(np.zeros(4, dtype=bool)) is None
    assert first_bad([]) is None


def test_a_row_error_names_its_row_or_rows_and_keys_the_first() -> None:
    times = pd.date_range("2024-01-01", periods=3, tz="UTC")
    one = row_error("returns {row} is nan", times, 1, column="returns")
    assert str(one) == "returns row 2 (2024-01-02 00:00:00+00:00) is nan"
    assert (one.column, one.row) == ("returns", times[1])
    several = row_error("bad at {row}; fix them", pd.RangeIndex(9), np.array([2, 4, 5, 6, 8]))
    assert str(several) == "bad at row 3, row 5, row 6 and 2 more; fix them"
    assert (several.column, several.row) == (None, 3)
    # braces in the values of an f-string message are kept as they are
    braces = row_error(f"side {'{x}'!r} at {{row}}", pd.Index(["a", "b"]), np.int64(0))
    assert str(braces) == "side '{x}' at row 1 (index 'a')"
    assert braces.row == "a"


def _trades_file(bad_trade: str) -> str:
    return "\n".join([TRADES_HEADER, GOOD_TRADE, GOOD_TRADE, bad_trade, GOOD_TRADE]) + "\n"


def _returns_file(bad_line: str) -> str:
    lines = [*GOOD_RETURNS[:2], bad_line, *GOOD_RETURNS[2:]]
    return "date,returns\n" + "\n".join(lines) + "\n"


# each file is bad on data row 3; the first two cases are caught while reading the file,
# the others by the analytics' validation
BAD_ON_ROW_3 = {
    "unparsable time": (_returns_file("soon,0.01"), "'date' is not a time in row 3: 'soon'"),
    "unparsable number": (
        _returns_file("2024-01-03,1%"),
        "'returns' is not a number in row 3 (2024-01-03 00:00:00+00:00): '1%'",
    ),
    "NaN return": (
        _returns_file("2024-01-03 12:00,"),
        "returns row 3 (2024-01-03 12:00:00+00:00) is nan",
    ),
    "return below -1": (_returns_file("2024-01-03 12:00,-2"), "returns row 3 (2024-01-03 12:00"),
    "unsorted times": (
        _returns_file("2024-01-02 12:00,0.01"),
        "returns row 3 (2024-01-02 12:00:00+00:00) comes before the row before it",
    ),
    "repeated time": (
        _returns_file("2024-01-03,0.01"),
        "returns row 3 (2024-01-03 00:00:00+00:00) repeats the time of the row before it",
    ),
    "zero-length trade": (
        _trades_file("2024-01-03,2024-01-03,100,99,short,1"),
        "trade history row 3: exit_time 2024-01-03 00:00:00+00:00 is not after entry_time",
    ),
    "unknown side": (
        _trades_file("2024-01-03,2024-01-04,100,99,up,1"),
        "trade history row 3: side 'up' is not one of",
    ),
    "non-positive size": (
        _trades_file("2024-01-03,2024-01-04,100,99,long,0"),
        "trade history row 3: column 'size' is 0.0",
    ),
    "missing time": (
        _trades_file("2024-01-03,,100,99,long,1"),
        "trade history row 3: column 'exit_time' is missing (NaT)",
    ),
    "equity of 0": (
        "date,equity\n2024-01-02,100\n2024-01-03,101\n2024-01-04,0\n2024-01-05,99\n",
        "equity row 3 (2024-01-04 00:00:00+00:00) is 0.0",
    ),
}


@pytest.mark.parametrize(("content", "message"), BAD_ON_ROW_3.values(), ids=BAD_ON_ROW_3.keys())
def test_mlcore_report_names_the_data_row_of_the_file(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(path), "--html", str(tmp_path / "r.html")])
    assert result.exit_code == 1
    assert message in result.stderr
    assert re.findall(r"\brows? (\d+)", result.stderr) == ["3"]
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize(
    "name", ["NaN return", "unsorted times", "zero-length trade", "unknown side", "equity of 0"]
)
def test_the_error_row_is_the_file_row_or_its_time(tmp_path: Path, name: str) -> None:
    content, _ = BAD_ON_ROW_3[name]
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    data = read_performance_file(path)
    with pytest.raises(AnalyticsError) as caught:
        analytics_from_data(data, MlcoreConfig(), host=PluginHost(MlcoreConfig()))
    if data.series is not None:  # a series row is named by its time
        assert caught.value.row == data.series.index[2]
    else:  # a trade row without an index label by its number
        assert caught.value.row == 3


def test_a_trade_frame_with_its_own_index_is_named_by_number_and_label() -> None:
    rows = [
        {"entry_time": "2024-01-02", "exit_time": "2024-01-04", "entry_price": 10.0,
         "exit_price": 11.0, "side": "long", "size": 1.0},
    ] * 3  # fmt: skip
    frame = pd.DataFrame(rows, index=["T-7", "T-8", "T-9"])
    frame.loc["T-9", "entry_price"] = -1.0
    with pytest.raises(AnalyticsError) as caught:
        AdvancedAnalytics(metrics={}).add_trades(frame)
    assert str(caught.value).startswith("trade history row 3 (index 'T-9'): column 'entry_price'")
    assert caught.value.row == "T-9"
    assert caught.value.column == "entry_price"


def test_backtest_errors_name_rows_the_same_way() -> None:
    index = pd.date_range("2024-01-01", periods=4, freq="D", tz="UTC")
    prices = pd.DataFrame({"open": [1.0, 2.0, 3.0, 4.0], "close": [1.0, 2.0, np.nan, 4.0]}, index)
    with pytest.raises(DataValidationError, match=r"at row 3 \(2024-01-03 00:00:00\+00:00\);"):
        Backtest().run(prices, pd.Series(0, index=index))
    prices["close"] = [1.0, 2.0, 3.0, 4.0]
    with pytest.raises(AnalyticsError, match=r"at row 2 \(2024-01-02.*, row 4 \(2024-01-04"):
        Backtest().run(prices, pd.Series([0, 2, 1, 5], index=index))
    with pytest.raises(
        AnalyticsError, match=r"row 4 \(2024-01-04.*\) of prices: signals has 2024-01-05"
    ):
        Backtest().run(prices, pd.Series(0, index=index[:3].append(index[3:] + pd.Timedelta("1D"))))
