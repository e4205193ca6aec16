"""The OHLCV contract: validation, repairs, loaders, fingerprints and data sources."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlcore.builtins.data_sources import CsvSource, ParquetSource, SyntheticSource
from mlcore.data import (
    REQUIRED_COLUMNS,
    RepairPolicy,
    data_fingerprint,
    load_ohlcv,
    synthetic_ohlcv,
    validate_ohlcv,
)
from mlcore.errors import DataValidationError, MissingExtraError
from mlcore.protocols import DataSource

DAY = pd.Timedelta(days=1)


def make_bars(n: int = 6) -> pd.DataFrame:
    """Valid daily bars: open i+10, high +1, low -1, close +0.5, volume 100*(i+1)."""
    base = np.arange(n, dtype=float) + 10
    return pd.DataFrame(
        {
            "open": base,
            "high": base + 1,
            "low": base - 1,
            "close": base + 0.5,
            "volume": 100.0 * np.arange(1, n + 1),
            "regime": [f"r{i}" for i in range(n)],
        },
        index=pd.date_range("2020-01-01", periods=n, freq="D", tz="UTC", name="timestamp"),
    )


# ---------------------------------------------------------------------------
# validate_ohlcv: the valid case
# ---------------------------------------------------------------------------


def test_valid_frame_comes_back_as_a_float_copy_with_extras_last() -> None:
    bars = make_bars()[["regime", "volume", "close", "low", "high", "open"]]
    bars["volume"] = bars["volume"].astype("int64")
    before = bars.copy()

    out = validate_ohlcv(bars)

    assert list(out.columns) == [*REQUIRED_COLUMNS, "regime"]
    assert (out.dtypes[list(REQUIRED_COLUMNS)] == np.float64).all()
    assert out.index.name == "timestamp"
    assert str(out.index.tz) == "UTC"
    assert out["regime"].tolist() == before["regime"].tolist()
    np.testing.assert_array_equal(out["volume"], [100.0, 200, 300, 400, 500, 600])
    pd.testing.assert_frame_equal(bars, before)  # the caller's frame is untouched
    assert not np.shares_memory(out["close"].to_numpy(), bars["close"].to_numpy())


def test_naive_index_is_taken_as_utc_and_aware_index_converted() -> None:
    naive = make_bars().tz_localize(None)
    assert validate_ohlcv(naive).index[0] == pd.Timestamp("2020-01-01", tz="UTC")

    new_york = make_bars().tz_localize(None).tz_localize("America/New_York")
    out = validate_ohlcv(new_york)
    assert str(out.index.tz) == "UTC"
    # midnight in New York in January (EST, UTC-5) is 05:00 UTC
    assert out.index[0] == pd.Timestamp("2020-01-01 05:00", tz="UTC")
    assert (out.index == new_york.index).all()  # same instants


def test_naive_index_raises_when_tz_convert_is_off() -> None:
    with pytest.raises(DataValidationError, match="naive_timestamp") as caught:
        validate_ohlcv(make_bars().tz_localize(None), RepairPolicy(tz_convert=False))
    assert caught.value.rule == "naive_timestamp"


# ---------------------------------------------------------------------------
# validate_ohlcv: every rule names itself, the column, the rows and the fix
# ---------------------------------------------------------------------------


def _set(column: str, value: float, position: int = 3) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def corrupt(bars: pd.DataFrame) -> pd.DataFrame:
        bars = bars.copy()
        bars.iloc[position, bars.columns.get_loc(column)] = value
        return bars

    return corrupt


RULE_CASES = [
    ("nan", "close", _set("close", np.nan)),
    ("nan", "volume", _set("volume", np.inf)),
    ("non_positive_price", "low", _set("low", 0.0)),
    ("non_positive_price", "open", _set("open", -1.0)),
    ("high_below_low", "high", _set("high", 11.0)),  # row 3: low is 12
    ("open_outside_range", "open", _set("open", 14.5)),  # row 3: high is 14
    ("close_outside_range", "close", _set("close", 11.5)),  # row 3: low is 12
    ("negative_volume", "volume", _set("volume", -1.0)),
]


@pytest.mark.parametrize(("rule", "column", "corrupt"), RULE_CASES)
def test_each_row_rule_names_rule_column_row_and_fix(
    rule: str, column: str, corrupt: Callable[[pd.DataFrame], pd.DataFrame]
) -> None:
    bars = corrupt(make_bars())
    with pytest.raises(DataValidationError) as caught:
        validate_ohlcv(bars)
    error = caught.value
    assert (error.rule, error.column) == (rule, column)
    assert error.rows == [pd.Timestamp("2020-01-04", tz="UTC")]
    message = str(error)
    assert f"'{rule}'" in message
    assert "2020-01-04T00:00:00+00:00 (position 3)" in message
    assert "Fix:" in message
    assert "policy='repair'" in message


def test_duplicates_name_every_row_sharing_the_timestamp() -> None:
    bars = make_bars().iloc[[0, 1, 2, 2, 3]]
    with pytest.raises(DataValidationError, match="drop duplicates keeping the last") as caught:
        validate_ohlcv(bars)
    assert caught.value.rule == "duplicate_timestamp"
    assert caught.value.rows == [pd.Timestamp("2020-01-03", tz="UTC")] * 2
    assert "(position 2)" in str(caught.value)
    assert "(position 3)" in str(caught.value)


def test_unsorted_names_the_row_that_goes_back_in_time() -> None:
    bars = make_bars().iloc[[0, 2, 1, 3]]
    with pytest.raises(DataValidationError, match="sort_index") as caught:
        validate_ohlcv(bars)
    assert caught.value.rule == "unsorted"
    assert caught.value.rows == [pd.Timestamp("2020-01-02", tz="UTC")]
    assert "(position 2)" in str(caught.value)


def test_message_shows_five_rows_and_counts_the_rest() -> None:
    bars = make_bars(10)
    bars.iloc[1:9, 3] = np.nan
    with pytest.raises(DataValidationError) as caught:
        validate_ohlcv(bars)
    assert len(caught.value.rows) == 8
    message = str(caught.value)
    assert "in 8 row(s)" in message
    assert "and 3 more" in message
    assert "(position 5)" in message
    assert "(position 6)" not in message


def test_frame_level_rules() -> None:
    with pytest.raises(DataValidationError, match=r"\['volume'\] missing") as caught:
        validate_ohlcv(make_bars().drop(columns="volume"))
    assert (caught.value.rule, caught.value.column) == ("missing_column", "volume")

    with pytest.raises(DataValidationError, match=r"str\.lower") as caught:
        validate_ohlcv(make_bars().rename(columns=str.upper))
    assert caught.value.rule == "missing_column"

    with pytest.raises(DataValidationError, match="RangeIndex") as caught:
        validate_ohlcv(make_bars().reset_index(drop=True))
    assert caught.value.rule == "not_datetime_index"

    with pytest.raises(DataValidationError, match="at least 2 needed") as caught:
        validate_ohlcv(make_bars(1))
    assert caught.value.rule == "too_few_rows"
    assert len(validate_ohlcv(make_bars(1), min_rows=1)) == 1


def test_text_that_is_not_a_number_is_named() -> None:
    bars = make_bars()
    bars["close"] = bars["close"].astype(str)
    bars.iloc[2, 3] = "n/a?"
    with pytest.raises(DataValidationError, match="'n/a\\?'") as caught:
        validate_ohlcv(bars)
    assert (caught.value.rule, caught.value.column) == ("non_numeric", "close")
    # numeric text is fine
    assert validate_ohlcv(make_bars().astype({"close": str}))["close"].iloc[0] == 10.5


def test_missing_timestamp_is_named_and_dropped_on_repair() -> None:
    bars = make_bars()
    bars.index = pd.DatetimeIndex([*bars.index[:2], pd.NaT, *bars.index[3:]])
    with pytest.raises(DataValidationError, match="NaT") as caught:
        validate_ohlcv(bars)
    assert (caught.value.rule, caught.value.column) == ("nan", "timestamp")
    assert len(validate_ohlcv(bars, RepairPolicy(drop_invalid=True))) == 5


def test_bad_policy_values_are_refused() -> None:
    with pytest.raises(ValueError, match="'raise', 'repair' or a RepairPolicy"):
        validate_ohlcv(make_bars(), policy="fix")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"RepairPolicy.sort must be True or False"):
        RepairPolicy(sort="yes")  # type: ignore[arg-type]
    assert RepairPolicy.from_policy("repair") == RepairPolicy(
        drop_duplicates=True, sort=True, forward_fill=True, drop_invalid=True, tz_convert=True
    )


# ---------------------------------------------------------------------------
# validate_ohlcv: repairs, each by hand
# ---------------------------------------------------------------------------


def test_drop_duplicates_keeps_the_last_row() -> None:
    bars = make_bars(4)
    later = bars.iloc[[1]].assign(close=11.25, regime="later")
    out = validate_ohlcv(pd.concat([bars.iloc[:2], later, bars.iloc[2:]]), "repair")
    assert out.index.is_unique
    assert len(out) == 4
    assert out.loc["2020-01-02", "close"] == 11.25
    assert out.loc["2020-01-02", "regime"] == "later"


def test_sort_restores_the_order() -> None:
    bars = make_bars()
    out = validate_ohlcv(bars.iloc[[3, 0, 5, 1, 4, 2]], RepairPolicy(sort=True))
    pd.testing.assert_frame_equal(out, validate_ohlcv(bars))


def test_forward_fill_uses_the_previous_bar_and_drops_leading_gaps() -> None:
    bars = make_bars()
    bars.iloc[0, 0] = np.nan  # leading: nothing earlier, dropped
    bars.iloc[2, 4] = np.nan  # volume 300 -> 200
    bars.iloc[3, 3] = np.inf  # close 13.5 -> NaN -> row 2's close 12.5, inside [12, 14]
    bars.iloc[4, 3] = np.nan  # and again 12.5, but row 4's low is 13: dropped as invalid
    out = validate_ohlcv(bars, RepairPolicy(forward_fill=True, drop_invalid=True))

    assert out.index.tolist() == [bars.index[i] for i in (1, 2, 3, 5)]
    np.testing.assert_array_equal(out["volume"], [200.0, 200, 400, 600])
    np.testing.assert_array_equal(out["close"], [11.5, 12.5, 12.5, 15.5])


def test_forward_fill_alone_still_raises_for_the_invalid_bar_it_makes() -> None:
    bars = make_bars()
    bars.iloc[4, 3] = np.nan  # filled with 13.5, inside row 4's [13, 15]: fine
    assert validate_ohlcv(bars, RepairPolicy(forward_fill=True)).iloc[4]["close"] == 13.5
    bars.iloc[5, 1] = np.nan  # high filled with 15 < row 5's close 15.5
    with pytest.raises(DataValidationError) as caught:
        validate_ohlcv(bars, RepairPolicy(forward_fill=True))
    assert caught.value.rule == "close_outside_range"


def test_rules_without_their_repair_still_raise() -> None:
    bars = make_bars()
    bars.iloc[2, 3] = np.nan
    with pytest.raises(DataValidationError) as caught:
        validate_ohlcv(bars.iloc[::-1], RepairPolicy(sort=True, drop_invalid=True))
    assert caught.value.rule == "nan"


def test_drop_invalid_drops_each_kind_of_bad_row() -> None:
    bars = make_bars(8)
    bars.iloc[1, 2] = 0.0  # low <= 0
    bars.iloc[2, 1] = 11.0  # high < low
    bars.iloc[3, 0] = 14.5  # open above high
    bars.iloc[4, 3] = 12.0  # close below low
    bars.iloc[5, 4] = -1.0  # volume < 0
    out = validate_ohlcv(bars, RepairPolicy(drop_invalid=True))
    assert out.index.tolist() == [bars.index[0], bars.index[6], bars.index[7]]


def test_repairs_that_leave_too_few_rows_say_so() -> None:
    bars = make_bars(3)
    bars.iloc[1:, 4] = -1.0
    with pytest.raises(DataValidationError, match="repair less aggressively") as caught:
        validate_ohlcv(bars, "repair")
    assert caught.value.rule == "too_few_rows"


def test_a_million_rows_validate_in_vectorized_steps() -> None:
    n = 1_000_000
    close = 100 + np.sin(np.arange(n) / 50)
    bars = pd.DataFrame(
        {"open": close, "high": close + 1, "low": close - 1, "close": close, "volume": 1.0},
        index=pd.date_range("2020-01-01", periods=n, freq="1min", tz="UTC"),
    )
    bars.iloc[n // 2, 3] = np.nan
    with pytest.raises(DataValidationError, match=f"position {n // 2}"):
        validate_ohlcv(bars)
    assert validate_ohlcv(bars, "repair")["close"].iloc[n // 2] == close[n // 2 - 1]


# ---------------------------------------------------------------------------
# validate_ohlcv: properties
# ---------------------------------------------------------------------------

CORRUPTIONS = ("nan", "inf", "zero_price", "high_below_low", "negative_volume", "duplicate")


@st.composite
def corrupted_bars(
    draw: st.DrawFn, corruptions: tuple[str, ...] = CORRUPTIONS
) -> tuple[pd.DataFrame, set[int]]:
    """Valid bars, then corruptions; returns the frame and the corrupted positions."""
    n = draw(st.integers(1, 25))
    prices = st.lists(st.floats(1.0, 1000.0), min_size=n, max_size=n)
    wicks = st.lists(st.floats(0.0, 0.1), min_size=n, max_size=n)
    open_, close = np.array(draw(prices)), np.array(draw(prices))
    high = np.maximum(open_, close) * (1 + np.array(draw(wicks)))
    low = np.minimum(open_, close) * (1 - np.array(draw(wicks)))
    volume = np.array(draw(st.lists(st.floats(0.0, 1e6), min_size=n, max_size=n)))
    gaps = draw(st.lists(st.integers(1, 10_000), min_size=n, max_size=n))
    index = pd.Timestamp("2021-01-01", tz="UTC") + pd.to_timedelta(np.cumsum(gaps), unit="min")
    frame = pd.DataFrame(
        {"open": open_, "high": high, "low": low, "close": close, "volume": volume, "tag": gaps},
        index=index,
    )
    bad: set[int] = set()
    for position, kind in draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(corruptions)), max_size=n)
    ):
        column = draw(st.sampled_from(REQUIRED_COLUMNS))
        bad.add(position)
        if kind in ("nan", "inf"):
            frame.iloc[position, frame.columns.get_loc(column)] = (
                np.nan if kind == "nan" else -np.inf
            )
        elif kind == "zero_price":
            frame.iloc[position, frame.columns.get_loc(column if column != "volume" else "low")] = 0
        elif kind == "high_below_low":
            frame.iloc[position, 1] = frame.iloc[position, 2] * 0.5
        elif kind == "negative_volume":
            frame.iloc[position, 4] = -1.0
        elif position > 0:
            frame.index = frame.index.where(frame.index != index[position], index[position - 1])
            bad.add(position - 1)
    return frame, bad


fast = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(corrupted_bars())
def test_repair_gives_valid_bars_and_keeps_valid_rows(case: tuple[pd.DataFrame, set[int]]) -> None:
    frame, bad = case
    shuffled = frame.iloc[::-1]  # also needs sorting
    out = validate_ohlcv(shuffled, "repair", min_rows=0)

    assert not out[list(REQUIRED_COLUMNS)].isna().to_numpy().any()
    assert out.index.is_monotonic_increasing
    assert out.index.is_unique
    pd.testing.assert_frame_equal(validate_ohlcv(out, min_rows=0), out)  # repaired is valid
    clean = [i for i in range(len(frame)) if i not in bad]
    expected = frame.iloc[clean].astype({"volume": float})
    pd.testing.assert_frame_equal(out.loc[expected.index], expected, check_names=False)


@settings(max_examples=50, deadline=None)
@given(corrupted_bars(("nan", "nan", "nan", "inf", "zero_price", "high_below_low")))
def test_repair_never_looks_ahead(case: tuple[pd.DataFrame, set[int]]) -> None:
    frame, bad = case
    full = validate_ohlcv(frame, "repair", min_rows=0)
    for cut in sorted({position + 1 for position in bad} | {1}):  # just after each bad bar
        prefix = validate_ohlcv(frame.iloc[:cut], "repair", min_rows=0)
        # dropping rows after t never changes row t
        pd.testing.assert_frame_equal(prefix, full.loc[full.index <= frame.index[cut - 1]])


# ---------------------------------------------------------------------------
# data_fingerprint
# ---------------------------------------------------------------------------


def test_fingerprint_is_stable_and_sensitive() -> None:
    bars = validate_ohlcv(make_bars())
    digest = data_fingerprint(bars)
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert data_fingerprint(bars.copy()) == digest
    assert data_fingerprint(bars.tz_convert("Asia/Tokyo")) == digest  # same instants

    changed = bars.copy()
    changed.iloc[4, 3] = np.nextafter(changed.iloc[4, 3], np.inf)
    assert data_fingerprint(changed) != digest
    assert data_fingerprint(bars.rename(columns={"regime": "label"})) != digest
    assert data_fingerprint(bars.set_axis(bars.index + pd.Timedelta("1ns"))) != digest
    assert data_fingerprint(bars.iloc[:-1]) != digest
    swapped = bars.copy()
    swapped["regime"] = bars["regime"].iloc[::-1].to_numpy()
    assert data_fingerprint(swapped) != digest


def test_fingerprint_is_the_same_in_another_process() -> None:
    bars = synthetic_ohlcv(300, seed=11).ohlcv
    code = (
        "from mlcore.data import data_fingerprint, synthetic_ohlcv;"
        "print(data_fingerprint(synthetic_ohlcv(300, seed=11).ohlcv))"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={"PYTHONPATH": str(root), "PYTHONHASHSEED": "123"},
    )
    assert result.stdout.strip() == data_fingerprint(bars)


@settings(max_examples=25, deadline=None)
@given(corrupted_bars(("nan",)))
def test_fingerprint_equal_frames_agree(case: tuple[pd.DataFrame, set[int]]) -> None:
    frame, _ = case
    rebuilt = pd.DataFrame({c: frame[c].to_list() for c in frame.columns}, index=frame.index)
    assert data_fingerprint(rebuilt) == data_fingerprint(frame)


# ---------------------------------------------------------------------------
# load_ohlcv
# ---------------------------------------------------------------------------


def _vendor_csv(path: Path) -> pd.DataFrame:
    """A CSV with vendor column names; returns the frame the file should load as."""
    bars = validate_ohlcv(make_bars()).drop(columns="regime")
    vendor = pd.DataFrame(
        {
            " Date ": bars.index.strftime("%Y-%m-%d"),
            "OPEN": bars["open"],
            "High": bars["high"],
            "low ": bars["low"],
            "Close": bars["close"],
            "Adj Close": bars["close"] * 0.5,
            "Vol": bars["volume"].astype(int),
            "Notes": "x",
        }
    )
    vendor.to_csv(path, index=False)
    return bars


def test_csv_columns_are_matched_case_insensitively(tmp_path: Path) -> None:
    expected = _vendor_csv(tmp_path / "bars.csv")
    out = load_ohlcv(tmp_path / "bars.csv")
    pd.testing.assert_frame_equal(out, expected, check_index_type=False)
    assert out.index.name == "timestamp"
    assert list(out.columns) == list(REQUIRED_COLUMNS)


def test_compressed_csv_and_explicit_timestamp_column(tmp_path: Path) -> None:
    bars = validate_ohlcv(make_bars()).drop(columns="regime")
    bars.rename_axis("when").reset_index().to_csv(tmp_path / "bars.csv.gz", index=False)
    out = load_ohlcv(str(tmp_path / "bars.csv.gz"), timestamp_column="WHEN")
    pd.testing.assert_frame_equal(out, bars, check_index_type=False, check_names=False)


def test_parquet_round_trip_with_a_datetime_index(tmp_path: Path) -> None:
    bars = validate_ohlcv(make_bars()).drop(columns="regime")
    bars.to_parquet(tmp_path / "bars.parquet")
    out = load_ohlcv(tmp_path / "bars.parquet")
    pd.testing.assert_frame_equal(out, bars)
    assert data_fingerprint(out) == data_fingerprint(bars)


def test_parquet_with_a_naive_timestamp_column(tmp_path: Path) -> None:
    bars = validate_ohlcv(make_bars()).drop(columns="regime")
    bars.tz_localize(None).reset_index().to_parquet(tmp_path / "bars.pq")
    assert load_ohlcv(tmp_path / "bars.pq").index.equals(bars.index)


def test_aware_new_york_times_become_utc_instants(tmp_path: Path) -> None:
    # across the 2020-03-08 DST change: offsets -05:00 then -04:00
    local = [
        "2020-03-07 12:00:00-05:00",
        "2020-03-08 00:00:00-05:00",
        "2020-03-08 12:00:00-04:00",
        "2020-03-09 00:00:00-04:00",
    ]
    frame = pd.DataFrame({"datetime": local, "open": 1.0, "high": 2.0})
    frame = frame.assign(low=0.5, close=1.5, volume=10)
    frame.to_csv(tmp_path / "ny.csv", index=False)
    out = load_ohlcv(tmp_path / "ny.csv")
    hours = ["2020-03-07 17:00", "2020-03-08 05:00", "2020-03-08 16:00", "2020-03-09 04:00"]
    assert out.index.tolist() == [pd.Timestamp(h, tz="UTC") for h in hours]


def test_naive_times_are_read_in_the_given_zone(tmp_path: Path) -> None:
    frame = make_bars().drop(columns="regime").tz_localize(None).reset_index()
    frame.to_csv(tmp_path / "bars.csv", index=False)
    assert load_ohlcv(tmp_path / "bars.csv").index[0] == pd.Timestamp("2020-01-01", tz="UTC")
    out = load_ohlcv(tmp_path / "bars.csv", tz="America/New_York")
    assert out.index[0] == pd.Timestamp("2020-01-01 05:00", tz="UTC")
    assert str(out.index.tz) == "UTC"


@pytest.mark.parametrize(("unit", "scale"), [("s", 1), ("ms", 1_000), ("us", 1_000_000)])
def test_epoch_numbers_are_read_by_magnitude(tmp_path: Path, unit: str, scale: int) -> None:
    bars = validate_ohlcv(make_bars()).drop(columns="regime")
    seconds = (bars.index - pd.Timestamp("1970-01-01", tz="UTC")) // pd.Timedelta("1s")
    frame = bars.reset_index(drop=True).assign(time=np.asarray(seconds) * scale)
    frame.to_csv(tmp_path / "epoch.csv", index=False)
    out = load_ohlcv(tmp_path / "epoch.csv")
    assert out.index.equals(bars.index), unit
    # 1577836800 s is 2020-01-01T00:00:00Z
    assert int(seconds[0]) == 1_577_836_800


def test_missing_column_names_column_file_and_found_columns(tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    _vendor_csv(path)
    pd.read_csv(path).drop(columns=["Close"]).to_csv(path, index=False)
    with pytest.raises(DataValidationError) as caught:
        load_ohlcv(path)
    message = str(caught.value)
    assert (caught.value.rule, caught.value.column) == ("missing_column", "close")
    assert str(path) in message
    assert "['close']" in message
    assert "'Adj Close'" in message


def test_missing_timestamp_column_lists_what_was_found(tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    make_bars().reset_index(drop=True).to_csv(path, index=False)
    with pytest.raises(DataValidationError, match="timestamp_column=") as caught:
        load_ohlcv(path)
    assert caught.value.rule == "missing_column"
    assert "'regime'" in str(caught.value)
    with pytest.raises(DataValidationError, match="'stamp'"):
        load_ohlcv(path, timestamp_column="stamp")


def test_unreadable_timestamps_are_named(tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    frame = make_bars().drop(columns="regime").reset_index()
    frame["timestamp"] = frame["timestamp"].astype(str)
    frame.loc[4, "timestamp"] = "not a date"
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError, match="'not a date' \\(position 4\\)") as caught:
        load_ohlcv(path)
    assert (caught.value.rule, caught.value.column) == ("bad_timestamp", "timestamp")


def test_rule_errors_from_a_file_start_with_the_path(tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    frame = validate_ohlcv(make_bars()).drop(columns="regime")
    pd.concat([frame, frame.iloc[[2]]]).sort_index().to_csv(path)
    with pytest.raises(DataValidationError) as caught:
        load_ohlcv(path)
    assert caught.value.rule == "duplicate_timestamp"
    assert str(caught.value).startswith(f"{path}: ")
    assert len(load_ohlcv(path, policy="repair")) == 6


def test_missing_file_and_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.csv") as caught:
        load_ohlcv(tmp_path / "nope.csv")
    assert caught.value.filename == str(tmp_path / "nope.csv")
    (tmp_path / "bars.xlsx").write_text("")
    with pytest.raises(DataValidationError, match=r"\.parquet") as raised:
        load_ohlcv(tmp_path / "bars.xlsx")
    assert raised.value.rule == "unsupported_format"


def test_parquet_without_pyarrow_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bars.parquet").write_bytes(b"")
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # makes `import pyarrow` fail
    with pytest.raises(MissingExtraError, match=r"mlcore\[parquet\]"):
        load_ohlcv(tmp_path / "bars.parquet")


@pytest.fixture(scope="module")
def sp500() -> pd.DataFrame:
    arch_data = pytest.importorskip("arch.data.sp500")
    return arch_data.load()


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_real_sp500_bars_load_and_validate(
    sp500: pd.DataFrame, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"sp500{suffix}"
    if suffix == ".csv":
        sp500.to_csv(path)
    else:
        sp500.to_parquet(path)
    out = load_ohlcv(path)
    assert len(out) == len(sp500) == 5031
    np.testing.assert_array_equal(out["close"], sp500["Close"])  # not "Adj Close"
    np.testing.assert_array_equal(out["volume"], sp500["Volume"].astype(float))
    assert (out.index == sp500.index.tz_localize("UTC")).all()


# ---------------------------------------------------------------------------
# Data sources
# ---------------------------------------------------------------------------


def test_file_sources_load_validated_frames(tmp_path: Path) -> None:
    expected = _vendor_csv(tmp_path / "bars.csv")
    expected.to_parquet(tmp_path / "bars.parquet")
    csv = CsvSource(str(tmp_path / "bars.csv"))
    parquet = ParquetSource(tmp_path / "bars.parquet", policy="repair")

    assert (CsvSource.name, ParquetSource.name, SyntheticSource.name) == (
        "csv",
        "parquet",
        "synthetic",
    )
    assert isinstance(csv.path, Path)
    assert isinstance(csv, DataSource)
    assert isinstance(parquet, DataSource)
    pd.testing.assert_frame_equal(csv.load(), expected, check_index_type=False)
    pd.testing.assert_frame_equal(parquet.load(), expected)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        csv.path = tmp_path  # type: ignore[misc]


def test_file_sources_check_their_fields(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="use ParquetSource"):
        CsvSource(tmp_path / "bars.parquet")
    with pytest.raises(ValueError, match="use CsvSource"):
        ParquetSource(tmp_path / "bars.csv")
    with pytest.raises(ValueError, match=r"CsvSource.policy: policy must be"):
        CsvSource(tmp_path / "bars.csv", policy="fix")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="path must be a str"):
        CsvSource(42)  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError):
        CsvSource(tmp_path / "later.csv").load()  # configured before the file exists


def test_synthetic_source_matches_synthetic_ohlcv() -> None:
    source = SyntheticSource(n=300, seed=4, freq="1h", separation=2)
    market = synthetic_ohlcv(300, 4, freq="1h", separation=2.0)
    assert isinstance(source, DataSource)
    pd.testing.assert_frame_equal(source.load(), market.ohlcv)
    pd.testing.assert_series_equal(source.market().regimes, market.regimes)
    assert list(source.load().columns) == list(REQUIRED_COLUMNS)
    with pytest.raises(ValueError, match=r"SyntheticSource\.n must be an integer >= 2"):
        SyntheticSource(n=1)
    with pytest.raises(ValueError, match=r"SyntheticSource\.freq must be a pandas frequency"):
        SyntheticSource(freq="fortnightly")
    with pytest.raises(ValueError, match=r"SyntheticSource\.separation must be >= 0"):
        SyntheticSource(separation=-1)
