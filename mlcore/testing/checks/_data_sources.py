"""Checks for data sources."""

from __future__ import annotations

from typing import Any

import pandas as pd

from mlcore.testing.checks._failures import _DETERMINISM_FIX, _call, _failure
from mlcore.testing.checks._kinds import _as_instance


def _load(source: Any, check: str, what: str = "load()") -> pd.DataFrame:
    frame = _call(source, check, what, source.load)
    if not isinstance(frame, pd.DataFrame):
        raise _failure(
            source, check, f"{what} returned {type(frame).__name__}", "return a pandas DataFrame"
        )
    return frame


def check_data_source_load(component: object, data: pd.DataFrame | None = None) -> None:
    """``load()`` returns a frame that :func:`mlcore.data.validate_ohlcv` accepts and returns
    unchanged (UTC DatetimeIndex named ``timestamp``, float64 OHLCV columns)."""
    from mlcore.data import validate_ohlcv

    check = "check_data_source_load"
    source: Any = _as_instance(component)
    frame = _load(source, check)
    before = frame.copy(deep=True)
    validated = _call(
        source,
        check,
        "validate_ohlcv(load())",
        lambda: validate_ohlcv(frame),
        "return bars that satisfy the OHLCV contract: validate (and repair by an explicit "
        "policy) inside load(), e.g. return mlcore.validate_ohlcv(frame, policy=...)",
    )
    for what, left, right in (
        ("validate_ohlcv would change the frame", validated, before),
        ("validate_ohlcv changed the frame in place", frame, before),
    ):
        try:
            pd.testing.assert_frame_equal(left, right, check_exact=True, check_freq=False)
        except AssertionError as error:
            detail = " ".join(str(error).split())
            raise _failure(
                source,
                check,
                f"{what} ({detail[:300]})",
                "return the frame as validate_ohlcv returns it: UTC DatetimeIndex named "
                "'timestamp', float64 columns open, high, low, close, volume first",
            ) from None


def _data_source_determinism(source: Any, data: object) -> None:
    check = "check_determinism"
    first = _load(source, check)
    second = _load(source, check, "a second load()")
    try:
        pd.testing.assert_frame_equal(first, second, check_exact=True)
    except AssertionError as error:
        detail = " ".join(str(error).split())
        raise _failure(
            source, check, f"two load() calls differ ({detail[:300]})", _DETERMINISM_FIX
        ) from None
