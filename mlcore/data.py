"""The OHLCV contract: validation and repair, CSV/Parquet loaders, fingerprints, and a
seeded regime-switching synthetic market.

An OHLCV frame has a UTC, strictly increasing, unique ``DatetimeIndex`` named
``timestamp`` and float64 columns ``open, high, low, close, volume`` in that order; any
extra columns follow them untouched.
"""

from __future__ import annotations

import errno
import hashlib
import json
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal, TypeAlias, cast

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api import types as pdt

from mlcore.errors import DataValidationError, MissingExtraError

__all__ = [
    "CSV_SUFFIXES",
    "PARQUET_SUFFIXES",
    "PRICE_COLUMNS",
    "REQUIRED_COLUMNS",
    "Policy",
    "RegimeParams",
    "RepairPolicy",
    "SyntheticMarket",
    "SyntheticParams",
    "data_fingerprint",
    "load_ohlcv",
    "synthetic_ohlcv",
    "validate_ohlcv",
]

REQUIRED_COLUMNS: Final = ("open", "high", "low", "close", "volume")
PRICE_COLUMNS: Final = ("open", "high", "low", "close")
CSV_SUFFIXES: Final = (".csv", ".csv.gz", ".csv.bz2", ".csv.xz", ".csv.zip", ".csv.zst")
PARQUET_SUFFIXES: Final = (".parquet", ".pq")

_TIMESTAMP_NAMES: Final = ("timestamp", "datetime", "date", "time")
_COLUMN_ALIASES: Final = {"vol": "volume"}
_SHOWN_ROWS: Final = 5

_FloatArray: TypeAlias = npt.NDArray[np.float64]
_BoolArray: TypeAlias = npt.NDArray[np.bool_]
_IntArray: TypeAlias = npt.NDArray[np.int64]
_EpochUnit: TypeAlias = Literal["s", "ms", "us", "ns"]


# ---------------------------------------------------------------------------
# Repair policy
# ---------------------------------------------------------------------------


def _is_bool(instance: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"RepairPolicy.{attribute.name} must be True or False, got {value!r}")


@attrs.frozen
class RepairPolicy:
    """Which rule breaks :func:`validate_ohlcv` repairs instead of raising.

    Every repair is opt-in; a broken rule without its repair enabled raises.

    Parameters
    ----------
    drop_duplicates
        Rows sharing a timestamp are reduced to the last one (in the caller's row order).
    sort
        Rows are sorted by timestamp (stable, so the order of duplicates is kept).
    forward_fill
        NaN or infinite values in ``open, high, low, close, volume`` are replaced by the
        same column's value on the latest earlier bar. Never a backward fill, never an
        interpolation. Leading rows with nothing earlier to fill from are dropped.
    drop_invalid
        Rows whose price is not positive, whose high is below the low, whose open or close
        lies outside [low, high], whose volume is negative, or whose timestamp is missing
        (NaT) are dropped.
    tz_convert
        A naive index is taken as UTC. When False a naive index raises
        ``naive_timestamp``. An aware index is always converted to UTC (same instants).
    """

    drop_duplicates: bool = attrs.field(default=False, validator=_is_bool)
    sort: bool = attrs.field(default=False, validator=_is_bool)
    forward_fill: bool = attrs.field(default=False, validator=_is_bool)
    drop_invalid: bool = attrs.field(default=False, validator=_is_bool)
    tz_convert: bool = attrs.field(default=True, validator=_is_bool)

    @classmethod
    def from_policy(cls, policy: Policy) -> RepairPolicy:
        """``"raise"`` (no repairs; naive taken as UTC), ``"repair"`` (all), or a policy.

        Raises
        ------
        ValueError
            ``policy`` is none of those.
        """
        if isinstance(policy, RepairPolicy):
            return policy
        if policy == "raise":
            return cls()
        if policy == "repair":
            return cls(drop_duplicates=True, sort=True, forward_fill=True, drop_invalid=True)
        raise ValueError(f"policy must be 'raise', 'repair' or a RepairPolicy(...), got {policy!r}")


Policy: TypeAlias = Literal["raise", "repair"] | RepairPolicy


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


@attrs.define
class _Rows:
    """The frame being validated and each row's position in the caller's frame."""

    frame: pd.DataFrame
    positions: _IntArray
    _values: _FloatArray | None = None

    def keep(self, mask: _BoolArray) -> None:
        if mask.all():
            return
        self.frame = self.frame.iloc[mask]
        self.positions = self.positions[mask]
        self._values = None if self._values is None else self._values[mask]

    def take(self, order: _IntArray) -> None:
        self.frame = self.frame.iloc[order]
        self.positions = self.positions[order]
        self._values = None if self._values is None else self._values[order]

    def values(self) -> _FloatArray:
        """The OHLCV columns as one float array (cached until the rows change)."""
        if self._values is None:
            self._values = self.frame[list(REQUIRED_COLUMNS)].to_numpy(dtype=np.float64)
        return self._values

    def replace_values(self, values: _FloatArray) -> None:
        self.frame = self.frame.copy()
        self.frame[list(REQUIRED_COLUMNS)] = values
        self._values = values


def _violation(
    rows: _Rows, rule: str, mask: _BoolArray, problem: str, fix: str, column: str | None = None
) -> DataValidationError:
    where = np.flatnonzero(mask)
    stamps = pd.Index(rows.frame.index[where])
    shown = ", ".join(
        f"{_format_stamp(stamp)} (position {position})"
        for stamp, position in zip(
            stamps[:_SHOWN_ROWS], rows.positions[where[:_SHOWN_ROWS]], strict=True
        )
    )
    more = f" and {len(where) - _SHOWN_ROWS} more" if len(where) > _SHOWN_ROWS else ""
    return DataValidationError(
        f"OHLCV rule '{rule}' broken: {problem} in {len(where)} row(s): {shown}{more}. Fix: {fix}.",
        rule=rule,
        rows=stamps.tolist(),
        column=column,
    )


def _format_stamp(stamp: object) -> str:
    return stamp.isoformat() if isinstance(stamp, pd.Timestamp) else str(stamp)


def _check_columns(df: pd.DataFrame) -> None:
    missing = [name for name in REQUIRED_COLUMNS if name not in df.columns]
    if missing:
        found = [str(label) for label in df.columns]
        raise DataValidationError(
            f"OHLCV rule 'missing_column' broken: column(s) {missing} missing; found {found}. "
            "Fix: name the columns open, high, low, close, volume in lower case "
            "(df.rename(columns=str.lower)) or read the file with mlcore.data.load_ohlcv.",
            rule="missing_column",
            column=missing[0],
        )
    doubled = [name for name in REQUIRED_COLUMNS if list(df.columns).count(name) > 1]
    if doubled:
        raise DataValidationError(
            f"OHLCV rule 'duplicate_column' broken: column(s) {doubled} appear more than once. "
            "Fix: keep one column of each name.",
            rule="duplicate_column",
            column=doubled[0],
        )


def _utc_index(index: pd.Index, policy: RepairPolicy) -> pd.DatetimeIndex:
    if not isinstance(index, pd.DatetimeIndex):
        raise DataValidationError(
            f"OHLCV rule 'not_datetime_index' broken: the index is a {type(index).__name__} "
            f"of dtype {index.dtype}, not a DatetimeIndex. Fix: set a DatetimeIndex "
            "(df.set_index(pd.to_datetime(df['timestamp'], utc=True))) or read the file "
            "with mlcore.data.load_ohlcv.",
            rule="not_datetime_index",
        )
    if index.tz is None:
        if not policy.tz_convert:
            raise DataValidationError(
                "OHLCV rule 'naive_timestamp' broken: the index has no time zone. Fix: "
                "df.tz_localize(<zone>) before validating, or enable RepairPolicy(tz_convert=True) "
                "to take it as UTC.",
                rule="naive_timestamp",
            )
        index = index.tz_localize("UTC")
    return index.tz_convert("UTC").rename("timestamp")


def _float_column(df: pd.DataFrame, name: str) -> _FloatArray:
    column = df[name]
    if pdt.is_bool_dtype(column.dtype):
        raise DataValidationError(
            f"OHLCV rule 'non_numeric' broken: column '{name}' holds booleans. "
            "Fix: supply numbers.",
            rule="non_numeric",
            column=name,
        )
    if pdt.is_numeric_dtype(column.dtype):
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
    numbers = pd.to_numeric(column, errors="coerce")
    bad = (numbers.isna() & column.notna()).to_numpy(dtype=bool)
    if bad.any():
        where = np.flatnonzero(bad)
        shown = ", ".join(
            f"{column.iloc[i]!r} at {_format_stamp(df.index[i])} (position {i})"
            for i in where[:_SHOWN_ROWS]
        )
        raise DataValidationError(
            f"OHLCV rule 'non_numeric' broken: column '{name}' has {len(where)} value(s) that "
            f"are not numbers: {shown}. Fix: clean the source or parse the column "
            "(pd.to_numeric) before validating.",
            rule="non_numeric",
            rows=df.index[where].tolist(),
            column=name,
        )
    return numbers.to_numpy(dtype=np.float64, na_value=np.nan)


def _canonical_frame(df: pd.DataFrame, policy: RepairPolicy) -> pd.DataFrame:
    index = _utc_index(df.index, policy)
    out = pd.DataFrame({name: _float_column(df, name) for name in REQUIRED_COLUMNS}, index=index)
    extra = [column for column in df.columns if column not in REQUIRED_COLUMNS]
    if extra:
        out = pd.concat([out, df[extra].set_axis(index, axis=0)], axis=1)
    return out


def _drop_missing_timestamps(rows: _Rows, policy: RepairPolicy) -> None:
    missing = np.asarray(rows.frame.index.isna(), dtype=bool)
    if not missing.any():
        return
    if not policy.drop_invalid:
        raise _violation(
            rows,
            "nan",
            missing,
            "missing timestamp (NaT)",
            "give every row a timestamp, or pass policy='repair' "
            "(RepairPolicy(drop_invalid=True)) to drop these rows",
            column="timestamp",
        )
    rows.keep(~missing)


def _sort(rows: _Rows, policy: RepairPolicy) -> None:
    stamps = np.asarray(cast(pd.DatetimeIndex, rows.frame.index).asi8)
    backwards = np.zeros(len(stamps), dtype=bool)
    backwards[1:] = stamps[1:] < stamps[:-1]
    if not backwards.any():
        return
    if not policy.sort:
        raise _violation(
            rows,
            "unsorted",
            backwards,
            "timestamp earlier than the row before",
            "sort the rows (df.sort_index()), or pass policy='repair' (RepairPolicy(sort=True))",
        )
    rows.take(np.argsort(stamps, kind="stable"))


def _drop_duplicates(rows: _Rows, policy: RepairPolicy) -> None:
    index = rows.frame.index
    shared = np.asarray(index.duplicated(keep=False), dtype=bool)
    if not shared.any():
        return
    if not policy.drop_duplicates:
        raise _violation(
            rows,
            "duplicate_timestamp",
            shared,
            "timestamp shared with another row",
            "remove the duplicates, or pass policy='repair' "
            "(RepairPolicy(drop_duplicates=True)) to drop duplicates keeping the last",
        )
    rows.keep(~np.asarray(index.duplicated(keep="last"), dtype=bool))


def _fill_missing(rows: _Rows, policy: RepairPolicy) -> None:
    values = rows.values()
    bad = ~np.isfinite(values)
    if not bad.any():
        return
    if not policy.forward_fill:
        counts = {
            name: int(n) for name, n in zip(REQUIRED_COLUMNS, bad.sum(axis=0), strict=True) if n
        }
        raise _violation(
            rows,
            "nan",
            np.asarray(bad.any(axis=1), dtype=bool),
            f"NaN or infinite value {counts}",
            "clean the source, or pass policy='repair' (RepairPolicy(forward_fill=True)) to "
            "carry the previous bar's value forward (leading rows without one are dropped)",
            column=next(iter(counts)),
        )
    block = pd.DataFrame(np.where(bad, np.nan, values)).ffill().to_numpy()
    rows.replace_values(block)
    rows.keep(np.asarray(~np.isnan(block).any(axis=1), dtype=bool))


def _invalid_masks(values: _FloatArray) -> dict[str, tuple[_BoolArray, str, str]]:
    """Rule -> (offending rows, problem, column); NaN compares False so it is never flagged."""
    open_, high, low, close, volume = values.T
    prices = values[:, :4]
    non_positive = prices <= 0
    first_bad_price = PRICE_COLUMNS[int(non_positive.any(axis=0).argmax())]
    return {
        "non_positive_price": (non_positive.any(axis=1), "price <= 0", first_bad_price),
        "high_below_low": (high < low, "high < low", "high"),
        "open_outside_range": ((open_ < low) | (open_ > high), "open outside [low, high]", "open"),
        "close_outside_range": (
            (close < low) | (close > high),
            "close outside [low, high]",
            "close",
        ),
        "negative_volume": (volume < 0, "volume < 0", "volume"),
    }


def _drop_invalid(rows: _Rows, policy: RepairPolicy) -> None:
    masks = _invalid_masks(rows.values())
    if policy.drop_invalid:
        drop = np.logical_or.reduce([mask for mask, _, _ in masks.values()])
        rows.keep(~drop)
        return
    for rule, (mask, problem, column) in masks.items():
        if mask.any():
            raise _violation(
                rows,
                rule,
                mask,
                problem,
                "correct the source data, or pass policy='repair' "
                "(RepairPolicy(drop_invalid=True)) to drop these rows",
                column=column,
            )


def validate_ohlcv(
    df: pd.DataFrame, policy: Policy = "raise", *, min_rows: int = 2
) -> pd.DataFrame:
    """Check a frame against the OHLCV contract, repairing only what ``policy`` allows.

    Rules, checked in this order: ``missing_column``, ``not_datetime_index``,
    ``non_numeric``, ``nan`` (missing timestamp), ``unsorted``, ``duplicate_timestamp``,
    ``nan`` (NaN or inf in a price or volume), ``non_positive_price``, ``high_below_low``,
    ``open_outside_range``, ``close_outside_range``, ``negative_volume``,
    ``too_few_rows``. See :class:`RepairPolicy` for each repair. A naive index is taken as
    UTC and an aware one converted to UTC; neither changes any value. Comparisons are
    exact (no tolerance).

    Parameters
    ----------
    df
        Bars with a ``DatetimeIndex`` and lower-case OHLCV columns; extra columns are kept
        after the OHLCV ones, values untouched (rows may be dropped or reordered by repairs).
    policy
        ``"raise"`` (default: change no data), ``"repair"`` (every repair) or a
        :class:`RepairPolicy`.
    min_rows
        Fewest rows acceptable after repairs.

    Returns
    -------
    pandas.DataFrame
        A new frame: UTC ``DatetimeIndex`` named ``timestamp`` (its unit kept), float64
        OHLCV columns.

    Raises
    ------
    DataValidationError
        A rule is broken and its repair is not enabled; the message names the rule, the
        column, the first offending timestamps with their positions in ``df``, and the fix.
    """
    repairs = RepairPolicy.from_policy(policy)
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"validate_ohlcv needs a pandas DataFrame, got {type(df).__name__}")
    if min_rows < 0:
        raise ValueError(f"min_rows must be >= 0, got {min_rows}")
    _check_columns(df)
    rows = _Rows(_canonical_frame(df, repairs), np.arange(len(df), dtype=np.int64))
    for step in (_drop_missing_timestamps, _sort, _drop_duplicates, _fill_missing, _drop_invalid):
        step(rows, repairs)
    if len(rows.frame) < min_rows:
        raise DataValidationError(
            f"OHLCV rule 'too_few_rows' broken: {len(rows.frame)} row(s) left of {len(df)} "
            f"given, at least {min_rows} needed. Fix: supply more bars"
            + (" or repair less aggressively." if len(rows.frame) < len(df) else "."),
            rule="too_few_rows",
        )
    return rows.frame


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


def _normalise(label: object) -> str:
    return str(label).strip().lower()


def _find_column(raw: pd.DataFrame, name: str) -> object | None:
    wanted = _normalise(name)
    return next((label for label in raw.columns if _normalise(label) == wanted), None)


def _read_table(path: Path) -> pd.DataFrame:
    name = path.name.lower()
    if name.endswith(CSV_SUFFIXES):
        return pd.read_csv(path, skipinitialspace=True)
    if name.endswith(PARQUET_SUFFIXES):
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise MissingExtraError("pyarrow", "parquet", "Reading Parquet files") from None
        return pd.read_parquet(path, engine="pyarrow")
    raise DataValidationError(
        f"{path}: unsupported file type; expected one of {CSV_SUFFIXES + PARQUET_SUFFIXES}. "
        "Fix: convert the file, or read it yourself and call validate_ohlcv.",
        rule="unsupported_format",
    )


def _ohlcv_labels(raw: pd.DataFrame, path: Path) -> dict[str, object]:
    labels: dict[str, object] = {}
    for label in raw.columns:
        key = _COLUMN_ALIASES.get(_normalise(label), _normalise(label))
        if key not in REQUIRED_COLUMNS:
            continue
        if key in labels:
            raise DataValidationError(
                f"{path}: columns {labels[key]!r} and {label!r} both read as '{key}'. "
                "Fix: drop or rename one of them.",
                rule="duplicate_column",
                column=key,
            )
        labels[key] = label
    missing = [name for name in REQUIRED_COLUMNS if name not in labels]
    if missing:
        raise DataValidationError(
            f"{path}: missing column(s) {missing}; found {[str(c) for c in raw.columns]}. "
            "Fix: add or rename the columns (names are case-insensitive; 'vol' reads as "
            "volume, 'adj close' is not close).",
            rule="missing_column",
            column=missing[0],
        )
    return labels


def _epoch_index(values: pd.Series) -> pd.DatetimeIndex:
    numbers: _FloatArray = values.to_numpy(dtype=np.float64, na_value=np.nan)
    finite = numbers[np.isfinite(numbers)]
    magnitude = float(np.abs(finite).max()) if finite.size else 0.0
    # 1e11 s is the year 5138, while 1e11 ms is only 1973: magnitude tells the unit apart.
    units: tuple[tuple[float, _EpochUnit], ...] = ((1e11, "s"), (1e14, "ms"), (1e17, "us"))
    unit: _EpochUnit = next((unit for limit, unit in units if magnitude < limit), "ns")
    return pd.DatetimeIndex(pd.to_datetime(numbers, unit=unit, utc=True))


def _text_index(values: pd.Series, column: str, path: Path) -> pd.DatetimeIndex:
    try:
        return pd.DatetimeIndex(pd.to_datetime(values))
    except (ValueError, TypeError):
        pass  # mixed UTC offsets or formats: parse each value on its own below
    parsed = pd.to_datetime(values, errors="coerce", utc=True, format="mixed")
    bad = (parsed.isna() & values.notna()).to_numpy(dtype=bool)
    if bad.any():
        where = np.flatnonzero(bad)
        shown = ", ".join(f"{values.iloc[i]!r} (position {i})" for i in where[:_SHOWN_ROWS])
        raise DataValidationError(
            f"{path}: column '{column}' has {len(where)} value(s) that are not timestamps: "
            f"{shown}. Fix: correct them, or pass timestamp_column= to use another column.",
            rule="bad_timestamp",
            rows=[int(i) for i in where],
            column=column,
        )
    return pd.DatetimeIndex(parsed)


def _to_utc(index: pd.DatetimeIndex, tz: str, column: str, path: Path) -> pd.DatetimeIndex:
    if index.tz is None:
        try:
            index = index.tz_localize(tz, ambiguous="raise", nonexistent="raise")
        except (ValueError, TypeError) as error:
            raise DataValidationError(
                f"{path}: column '{column}' cannot be read as local time in {tz!r}: {error}. "
                "Fix: store UTC or offset-aware timestamps.",
                rule="bad_timestamp",
                column=column,
            ) from None
    return index.tz_convert("UTC").rename("timestamp")


def _timestamps(values: pd.Series, column: str, tz: str, path: Path) -> pd.DatetimeIndex:
    if pdt.is_datetime64_any_dtype(values.dtype):
        index = pd.DatetimeIndex(values)
    elif pdt.is_numeric_dtype(values.dtype) and not pdt.is_bool_dtype(values.dtype):
        index = _epoch_index(values)
    else:
        index = _text_index(values, column, path)
    return _to_utc(index, tz, column, path)


def _timestamp_index(
    raw: pd.DataFrame, path: Path, timestamp_column: str | None, tz: str
) -> pd.DatetimeIndex:
    names = (timestamp_column,) if timestamp_column is not None else _TIMESTAMP_NAMES
    for name in names:
        label = _find_column(raw, name)
        if label is not None:
            return _timestamps(raw[label], str(label), tz, path)
    if timestamp_column is None and isinstance(raw.index, pd.DatetimeIndex):
        return _to_utc(raw.index, tz, str(raw.index.name or "index"), path)
    wanted = repr(timestamp_column) if timestamp_column else f"one of {list(_TIMESTAMP_NAMES)}"
    raise DataValidationError(
        f"{path}: no timestamp column ({wanted}); found {[str(c) for c in raw.columns]}. "
        "Fix: pass timestamp_column='<name>'.",
        rule="missing_column",
        column=timestamp_column or "timestamp",
    )


def load_ohlcv(
    path: str | os.PathLike[str],
    *,
    timestamp_column: str | None = None,
    tz: str = "UTC",
    policy: Policy = "raise",
) -> pd.DataFrame:
    """Read OHLCV bars from CSV (``.csv``, ``.csv.gz`` ...) or Parquet (``.parquet``, ``.pq``).

    Column names are matched case-insensitively after stripping spaces (``vol`` reads as
    ``volume``); other columns, ``adj close`` among them, are dropped. The timestamps come
    from ``timestamp_column``, else the first column named timestamp, datetime, date or
    time, else a ``DatetimeIndex`` stored in the file. Integer or float columns are epoch
    seconds, milliseconds, microseconds or nanoseconds, told apart by magnitude.

    Parameters
    ----------
    path
        The file.
    timestamp_column
        Name of the timestamp column (case-insensitive).
    tz
        Zone of naive timestamps (default UTC); aware and epoch ones keep their instants.
        The result is always in UTC.
    policy
        Passed to :func:`validate_ohlcv`.

    Returns
    -------
    pandas.DataFrame
        A validated OHLCV frame with exactly the five OHLCV columns.

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    DataValidationError
        A column is missing, a timestamp cannot be read, or a rule is broken; the message
        starts with the path.
    MissingExtraError
        Parquet without pyarrow installed.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(errno.ENOENT, "OHLCV file not found", str(path))
    raw = _read_table(path)
    labels = _ohlcv_labels(raw, path)
    index = _timestamp_index(raw, path, timestamp_column, tz)
    frame = raw[[labels[name] for name in REQUIRED_COLUMNS]]
    frame = frame.set_axis(list(REQUIRED_COLUMNS), axis=1).set_axis(index, axis=0)
    try:
        return validate_ohlcv(frame, policy=policy)
    except DataValidationError as error:
        raise DataValidationError(
            f"{path}: {error}", rule=error.rule, rows=error.rows, column=error.column
        ) from None


# ---------------------------------------------------------------------------
# Fingerprint
# ---------------------------------------------------------------------------


def _chunk(digest: Any, tag: str, payload: bytes) -> None:
    # Length-prefixed so that no two different frames can produce the same byte stream.
    digest.update(f"{tag}:{len(payload)}:".encode())
    digest.update(payload)


def _index_bytes(index: pd.Index) -> tuple[str, bytes]:
    if isinstance(index, pd.DatetimeIndex):
        tag = "naive" if index.tz is None else "utc"
        stamps = index if index.tz is None else index.tz_convert("UTC")
        try:
            return f"{tag}-ns", np.asarray(stamps.as_unit("ns").asi8).astype("<i8").tobytes()
        except pd.errors.OutOfBoundsDatetime:  # beyond 1677-2262: microseconds are exact
            return f"{tag}-us", np.asarray(stamps.as_unit("us").asi8).astype("<i8").tobytes()
    hashed = pd.util.hash_pandas_object(index, index=False)
    return "hashed", hashed.to_numpy().astype("<u8").tobytes()


def _column_bytes(column: pd.Series) -> tuple[str, bytes]:
    dtype = column.dtype
    if pdt.is_float_dtype(dtype):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        values = np.where(np.isnan(values), np.nan, values)  # one NaN bit pattern
        return "float", values.astype("<f8").tobytes()
    if (pdt.is_integer_dtype(dtype) or pdt.is_bool_dtype(dtype)) and not column.hasnans:
        return "int", column.to_numpy(dtype=np.int64).astype("<i8").tobytes()
    hashed = pd.util.hash_pandas_object(column, index=False)
    return "hashed", hashed.to_numpy().astype("<u8").tobytes()


def data_fingerprint(df: pd.DataFrame) -> str:
    """A sha256 hex digest of a frame's index, column names and values.

    Equal frames give the same digest in every process and on every platform; any
    changed timestamp, name or value changes it. A UTC index and the same instants in
    another zone give the same digest; float NaNs are treated as one value.

    Parameters
    ----------
    df
        Any frame, usually a validated OHLCV frame.

    Returns
    -------
    str
        64 hexadecimal characters.
    """
    digest = hashlib.sha256(b"mlcore.data_fingerprint/1")
    _chunk(digest, "shape", json.dumps(list(df.shape)).encode())
    _chunk(digest, "columns", json.dumps([str(c) for c in df.columns]).encode())
    _chunk(digest, *_index_bytes(df.index))
    for position in range(df.shape[1]):
        _chunk(digest, *_column_bytes(df.iloc[:, position]))
    return digest.hexdigest()


# ---------------------------------------------------------------------------
# Synthetic market
# ---------------------------------------------------------------------------

# The kernel's regime label convention (DESIGN.md section 5).
_REGIME_LABELS: Final = {"bull": 0, "bear": 1, "sideways": 2}
# name -> (annual mean log return, annual volatility, mean duration in bars)
_REGIME_DEFAULTS: Final = {
    "bull": (0.20, 0.15, 150.0),
    "bear": (-0.25, 0.30, 60.0),
    "sideways": (0.0, 0.10, 100.0),
}
_TRADING_DAYS_PER_YEAR: Final = 252
_GARCH_ALPHA: Final = 0.08
_GARCH_BETA: Final = 0.90
_GAP_SCALE: Final = 0.1
_WICK_SCALE: Final = 0.5
_VOLUME_PER_DAY: Final = 1e6


@attrs.frozen
class RegimeParams:
    """One regime of a synthetic market; drift and volatility are annual and per bar."""

    name: str
    label: int
    drift: float
    volatility: float
    mean_duration: float
    bar_drift: float
    bar_volatility: float


@attrs.frozen
class SyntheticParams:
    """What generated a synthetic market.

    ``transition_matrix[i][j]`` is the probability of moving from ``regimes[i]`` to
    ``regimes[j]`` at the next bar. The GARCH(1,1) variance multiplier follows
    ``h[t] = (1 - alpha - beta) + alpha * h[t-1] * z[t-1]**2 + beta * h[t-1]``.
    """

    regimes: tuple[RegimeParams, ...]
    transition_matrix: tuple[tuple[float, ...], ...]
    garch_alpha: float
    garch_beta: float
    bar_fraction_of_year: float
    separation: float
    seed: int


@attrs.frozen(eq=False)
class SyntheticMarket:
    """A synthetic OHLCV frame with the regime path that generated it.

    Unpacks as ``ohlcv, regimes = market``.
    """

    ohlcv: pd.DataFrame
    regimes: pd.Series
    params: SyntheticParams

    @property
    def regime_names(self) -> dict[int, str]:
        """Label -> name for the regimes this market can visit."""
        return {regime.label: regime.name for regime in self.params.regimes}

    def __iter__(self) -> Iterator[Any]:  # Any, so that unpacking needs no casts
        return iter((self.ohlcv, self.regimes))


def _utc_start(start: str | pd.Timestamp) -> pd.Timestamp:
    stamp = pd.Timestamp(start)
    return stamp.tz_localize("UTC") if stamp.tz is None else stamp.tz_convert("UTC")


def _bar_days(start: pd.Timestamp, freq: str) -> float:
    # The median step handles calendar offsets ("B", "W", "ME") as well as fixed ones.
    probe = pd.date_range(start, periods=64, freq=freq).to_series()
    return float(probe.diff().median() / pd.Timedelta(days=1))


def _regime_names_and_path(
    regimes: Sequence[str] | Sequence[int] | npt.ArrayLike, n: int
) -> tuple[tuple[str, ...], _IntArray | None]:
    if isinstance(regimes, str):
        raise TypeError(f"regimes must be a sequence of names, e.g. ({regimes!r},)")
    given = np.asarray(regimes)
    by_label = {label: name for name, label in _REGIME_LABELS.items()}
    if given.dtype.kind in "iu":
        if given.shape != (n,) or not set(np.unique(given).tolist()) <= set(by_label):
            raise ValueError(
                f"a forced regime path must hold n={n} labels from {sorted(by_label)}, "
                f"got shape {given.shape} with labels {sorted(set(given.ravel().tolist()))}"
            )
        labels = sorted(set(given.tolist()))
        return tuple(by_label[label] for label in labels), given.astype(np.int64)
    names = [str(name) for name in given.ravel()]
    unknown = sorted(set(names) - set(_REGIME_LABELS))
    if unknown or not names or len(set(names)) != len(names):
        raise ValueError(
            f"regimes must be distinct names from {list(_REGIME_LABELS)} (or a path of n "
            f"integer labels), got {names}"
        )
    return tuple(sorted(names, key=_REGIME_LABELS.__getitem__)), None


def _durations(
    names: tuple[str, ...], mean_duration: float | Mapping[str, float] | None
) -> list[float]:
    given: Mapping[str, float]
    if mean_duration is None:
        given = {}
    elif isinstance(mean_duration, Mapping):
        given = mean_duration
    else:
        given = dict.fromkeys(names, float(mean_duration))
    durations = [float(given.get(name, _REGIME_DEFAULTS[name][2])) for name in names]
    if any(not d >= 1.0 for d in durations):
        raise ValueError(f"mean_duration must be >= 1 bar for every regime, got {durations}")
    return durations


def _transition_matrix(durations: list[float]) -> _FloatArray:
    k = len(durations)
    if k == 1:
        return np.ones((1, 1))
    leave = np.array([1.0 / d for d in durations])
    matrix = np.repeat((leave / (k - 1))[:, None], k, axis=1)
    np.fill_diagonal(matrix, 1.0 - leave)
    return matrix


def _markov_path(matrix: _FloatArray, n: int, rng: np.random.Generator) -> _IntArray:
    """State indices of a Markov chain started from its stationary distribution."""
    k = len(matrix)
    # With equal off-diagonal splits the stationary probability is proportional to the
    # mean duration 1 / (1 - P[i, i]).
    stationary = 1.0 / np.maximum(1.0 - np.diag(matrix), 1e-300)
    state = int(rng.choice(k, p=stationary / stationary.sum()))
    leave = (1.0 - np.diag(matrix)).tolist()
    switch_draws = rng.random(n).tolist()
    target_draws = rng.random(n).tolist()
    path = [0] * n
    for t in range(n):
        if t and switch_draws[t] < leave[state]:
            target = int(target_draws[t] * (k - 1))
            state = target + (target >= state)  # uniform over the other states
        path[t] = state
    return np.asarray(path, dtype=np.int64)


def _garch_variance(shocks: _FloatArray, alpha: float, beta: float) -> _FloatArray:
    """Unit-mean GARCH(1,1) variance multipliers for standard normal ``shocks``."""
    omega = 1.0 - alpha - beta
    growth = (alpha * shocks**2 + beta).tolist()
    variance = [1.0] * len(growth)
    for t in range(1, len(growth)):
        variance[t] = omega + growth[t - 1] * variance[t - 1]
    return np.asarray(variance, dtype=np.float64)


def _regime_params(
    names: tuple[str, ...], durations: list[float], separation: float, dt: float
) -> tuple[RegimeParams, ...]:
    params = []
    for name, duration in zip(names, durations, strict=True):
        drift, volatility, _ = _REGIME_DEFAULTS[name]
        params.append(
            RegimeParams(
                name=name,
                label=_REGIME_LABELS[name],
                drift=separation * drift,
                volatility=volatility,
                mean_duration=duration,
                bar_drift=separation * drift * dt,
                bar_volatility=volatility * math.sqrt(dt),
            )
        )
    return tuple(params)


def _bars(
    log_returns: _FloatArray,
    bar_sigma: _FloatArray,
    variance: _FloatArray,
    shocks: _FloatArray,
    start_price: float,
    bar_days: float,
    rng: np.random.Generator,
) -> dict[str, _FloatArray]:
    n = len(log_returns)
    log_close = math.log(start_price) + np.cumsum(log_returns)
    log_previous = np.concatenate(([math.log(start_price)], log_close[:-1]))
    log_open = log_previous + _GAP_SCALE * bar_sigma * rng.standard_normal(n)
    open_, close = np.exp(log_open), np.exp(log_close)
    upper = np.exp(_WICK_SCALE * bar_sigma * np.abs(rng.standard_normal(n)))
    lower = np.exp(-_WICK_SCALE * bar_sigma * np.abs(rng.standard_normal(n)))
    # Busy bars trade more: volume rises with |shock| and with the conditional variance.
    log_volume = (
        math.log(_VOLUME_PER_DAY * bar_days)
        + 0.5 * np.log(variance)
        + 0.5 * np.abs(shocks)
        + 0.3 * rng.standard_normal(n)
    )
    return {
        "open": open_,
        "high": np.maximum(open_, close) * upper,
        "low": np.minimum(open_, close) * lower,
        "close": close,
        "volume": np.maximum(np.round(np.exp(log_volume)), 1.0),
    }


def synthetic_ohlcv(
    n: int = 2000,
    seed: int = 0,
    *,
    regimes: Sequence[str] | Sequence[int] | npt.ArrayLike = ("bull", "bear", "sideways"),
    freq: str = "1D",
    start: str | pd.Timestamp = "2015-01-01",
    start_price: float = 100.0,
    mean_duration: float | Mapping[str, float] | None = None,
    separation: float = 1.0,
    volatility_clustering: bool = True,
) -> SyntheticMarket:
    """A seeded regime-switching market with GARCH volatility clustering.

    Regimes follow a sticky Markov chain (stay with probability ``1 - 1/mean_duration``,
    otherwise move to one of the other regimes at random; started from the stationary
    distribution). Defaults, annual: bull drift +20% vol 15% (150 bars), bear -25% / 30%
    (60 bars), sideways 0% / 10% (100 bars). Each bar's log return is
    ``drift * dt + vol * sqrt(dt) * sqrt(h) * z`` with ``h`` a unit-mean GARCH(1,1)
    multiplier (alpha 0.08, beta 0.90) and ``dt`` the bar length in days / 252: every
    calendar day counts as a trading day, so "1h" bars get 1/24 of a day's variance and
    "1D" bars include weekends (use "B" for business days). Opens gap slightly from the
    previous close, wicks extend beyond open and close, volume is log-normal and rises
    with ``|z|`` and ``h``.

    Parameters
    ----------
    n, seed
        Number of bars; the seed of every random draw (same seed, same market).
    regimes
        Distinct regime names to use, or a forced path of ``n`` integer labels
        (0 bull, 1 bear, 2 sideways).
    freq, start
        Bar frequency (a pandas offset alias) and first timestamp (naive means UTC).
    start_price
        The price before the first bar.
    mean_duration
        Expected bars per regime visit: one number for all, or per regime name.
    separation
        Multiplies every regime's drift; larger is easier to tell apart.
    volatility_clustering
        False sets the GARCH multiplier to 1 (alpha = beta = 0): each regime's returns
        are then i.i.d. normal, so the market is exactly a Gaussian hidden Markov model
        with as many states as regimes.

    Returns
    -------
    SyntheticMarket
        ``ohlcv`` (a valid OHLCV frame), ``regimes`` (int labels named ``regime``) and
        ``params``.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if not start_price > 0 or not separation >= 0:
        raise ValueError(
            f"start_price must be > 0 and separation >= 0, got {start_price!r}, {separation!r}"
        )
    names, forced = _regime_names_and_path(regimes, n)
    durations = _durations(names, mean_duration)
    first = _utc_start(start)
    bar_days = _bar_days(first, freq)
    dt = bar_days / _TRADING_DAYS_PER_YEAR
    params = _regime_params(names, durations, float(separation), dt)
    matrix = _transition_matrix(durations)
    rng = np.random.default_rng(seed)
    if forced is None:
        labels = np.array([p.label for p in params], dtype=np.int64)[_markov_path(matrix, n, rng)]
    else:
        labels = forced
    drift_of = np.zeros(len(_REGIME_LABELS))
    sigma_of = np.zeros(len(_REGIME_LABELS))
    for p in params:
        drift_of[p.label], sigma_of[p.label] = p.bar_drift, p.bar_volatility
    shocks = rng.standard_normal(n)
    alpha, beta = (_GARCH_ALPHA, _GARCH_BETA) if volatility_clustering else (0.0, 0.0)
    variance = _garch_variance(shocks, alpha, beta)
    bar_sigma = sigma_of[labels] * np.sqrt(variance)
    log_returns = drift_of[labels] + bar_sigma * shocks
    columns = _bars(log_returns, bar_sigma, variance, shocks, float(start_price), bar_days, rng)
    if not all(np.isfinite(v).all() and (v > 0).all() for v in columns.values()):
        raise ValueError(
            "prices left the float range; use fewer bars, a lower separation or a start_price "
            "nearer 100"
        )
    index = pd.date_range(first, periods=n, freq=freq, name="timestamp")
    ohlcv = validate_ohlcv(pd.DataFrame(columns, index=index), min_rows=1)
    synthetic = SyntheticParams(
        regimes=params,
        transition_matrix=tuple(tuple(float(x) for x in row) for row in matrix),
        garch_alpha=alpha,
        garch_beta=beta,
        bar_fraction_of_year=dt,
        separation=float(separation),
        seed=seed,
    )
    return SyntheticMarket(ohlcv, pd.Series(labels, index=index, name="regime"), synthetic)
