"""The kernel's data sources: OHLCV bars from CSV or Parquet files, or a synthetic market.

Each is a frozen attrs class with a ``name`` and a ``load()`` that returns a validated
OHLCV frame (see :mod:`mlcore.data`). A missing file is reported by ``load()``, not at
construction, so sources can be configured before their data exists.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pandas as pd

from mlcore.data import (
    CSV_SUFFIXES,
    PARQUET_SUFFIXES,
    Policy,
    RepairPolicy,
    SyntheticMarket,
    load_ohlcv,
    synthetic_ohlcv,
)

__all__ = ["CsvSource", "ParquetSource", "SyntheticSource"]

_Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def _to_path(value: str | os.PathLike[str]) -> Path:
    if not isinstance(value, str | os.PathLike):
        raise TypeError(f"path must be a str or os.PathLike, got {type(value).__name__}")
    return Path(value)


def _check_policy(instance: object, attribute: attrs.Attribute[Policy], value: Policy) -> None:
    try:
        RepairPolicy.from_policy(value)
    except ValueError as error:
        raise ValueError(f"{type(instance).__name__}.{attribute.name}: {error}") from None


def _suffix_check(suffixes: tuple[str, ...], other: str) -> _Validator:
    def check(instance: object, attribute: attrs.Attribute[Path], value: Path) -> None:
        if not value.name.lower().endswith(suffixes):
            raise ValueError(
                f"{type(instance).__name__}.{attribute.name} must end with one of {suffixes}, "
                f"got '{value}'; use {other} for other files"
            )

    return check


_optional_str = attrs.validators.optional(attrs.validators.instance_of(str))
_str = attrs.validators.instance_of(str)


@attrs.frozen
class CsvSource:
    """OHLCV bars from a CSV file (optionally compressed); see :func:`mlcore.data.load_ohlcv`."""

    name: ClassVar[str] = "csv"

    path: Path = attrs.field(
        converter=_to_path, validator=_suffix_check(CSV_SUFFIXES, "ParquetSource")
    )
    timestamp_column: str | None = attrs.field(default=None, validator=_optional_str)
    tz: str = attrs.field(default="UTC", validator=_str)
    policy: Policy = attrs.field(default="raise", validator=_check_policy)

    def load(self) -> pd.DataFrame:
        """Read and validate the file.

        Raises
        ------
        FileNotFoundError, mlcore.errors.DataValidationError
            As :func:`mlcore.data.load_ohlcv`.
        """
        return load_ohlcv(
            self.path, timestamp_column=self.timestamp_column, tz=self.tz, policy=self.policy
        )


@attrs.frozen
class ParquetSource:
    """OHLCV bars from a Parquet file (needs ``mlcore[parquet]``)."""

    name: ClassVar[str] = "parquet"

    path: Path = attrs.field(
        converter=_to_path, validator=_suffix_check(PARQUET_SUFFIXES, "CsvSource")
    )
    timestamp_column: str | None = attrs.field(default=None, validator=_optional_str)
    tz: str = attrs.field(default="UTC", validator=_str)
    policy: Policy = attrs.field(default="raise", validator=_check_policy)

    def load(self) -> pd.DataFrame:
        """Read and validate the file.

        Raises
        ------
        FileNotFoundError, mlcore.errors.DataValidationError, mlcore.errors.MissingExtraError
            As :func:`mlcore.data.load_ohlcv`.
        """
        return load_ohlcv(
            self.path, timestamp_column=self.timestamp_column, tz=self.tz, policy=self.policy
        )


def _whole_number(minimum: int) -> _Validator:
    def check(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(
                f"{type(instance).__name__}.{attribute.name} must be an integer >= {minimum}, "
                f"got {value!r}"
            )

    return check


def _check_freq(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    try:
        pd.tseries.frequencies.to_offset(value)
    except (ValueError, TypeError):
        raise ValueError(
            f"{type(instance).__name__}.{attribute.name} must be a pandas frequency such as "
            f"'1D', '1h' or '5min', got {value!r}"
        ) from None


def _check_separation(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value >= 0:
        raise ValueError(f"{type(instance).__name__}.{attribute.name} must be >= 0, got {value!r}")


@attrs.frozen
class SyntheticSource:
    """A seeded regime-switching market; see :func:`mlcore.data.synthetic_ohlcv`."""

    name: ClassVar[str] = "synthetic"

    n: int = attrs.field(default=2000, validator=_whole_number(2))
    seed: int = attrs.field(default=0, validator=_whole_number(0))
    freq: str = attrs.field(default="1D", validator=[_str, _check_freq])
    separation: float = attrs.field(default=1.0, converter=float, validator=_check_separation)

    def load(self) -> pd.DataFrame:
        """The OHLCV frame only; :meth:`market` also gives the regime path."""
        return self.market().ohlcv

    def market(self) -> SyntheticMarket:
        """The whole synthetic market: bars, regime labels and parameters."""
        return synthetic_ohlcv(self.n, self.seed, freq=self.freq, separation=self.separation)
