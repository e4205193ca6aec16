"""What the family test modules share: markets, the parity assertions, bar-by-bar feeding.

Imported by name from the test modules next to it (pytest puts this folder on the path).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mlcore.data import synthetic_ohlcv

#: TA-Lib parity (issue 3): |ours - reference| <= PARITY * max(1, |reference|).
PARITY = 1e-8

#: The markets every family is checked on: real daily bars and two synthetic frequencies.
MARKETS = ("sp500", "daily", "5min")


@functools.cache
def sp500() -> pd.DataFrame:
    """S&P 500 daily bars (arch's bundled copy): lower-case OHLCV on a UTC index."""
    module = pytest.importorskip("arch.data.sp500")
    raw = module.load()[["Open", "High", "Low", "Close", "Volume"]].astype(float)
    raw.columns = [c.lower() for c in raw.columns]
    raw.index = pd.DatetimeIndex(raw.index).tz_localize("UTC")
    return raw


@functools.cache
def synthetic(freq: str, n: int, seed: int) -> pd.DataFrame:
    """A seeded synthetic market (``freq`` a pandas frequency: ``1D``, ``5min``)."""
    return synthetic_ohlcv(n=n, seed=seed, freq=freq).ohlcv


def market(name: str, *, n: int, seed: int) -> pd.DataFrame:
    """One of :data:`MARKETS`; the synthetic ones of ``n`` bars from ``seed``."""
    if name == "sp500":
        return sp500()
    return synthetic({"daily": "1D", "5min": "5min"}[name], n, seed)


def assert_matches(
    actual: np.ndarray, expected: np.ndarray, start: int, rtol: float = PARITY
) -> None:
    """|a - b| <= rtol * max(1, |b|) from ``start`` on; NaN before it."""
    assert np.isnan(actual[:start]).all()
    a, b = actual[start:], expected[start:]
    assert np.isfinite(b).all()
    error = np.abs(a - b) / np.maximum(1.0, np.abs(b))
    assert error.max() <= rtol, (
        f"max relative error {error.max():.3g} at row {start + error.argmax()}"
    )


def assert_parity(ours: Any, reference: Any, start: int = 0) -> None:
    """Equal to the reference wherever it has a value (from ``start``), within PARITY."""
    ours = np.asarray(ours, dtype=float)
    reference = np.asarray(reference, dtype=float)
    where = ~np.isnan(reference)
    where[:start] = False
    assert where.any(), "the reference has no values to compare"
    assert not np.isnan(ours[where]).any(), "NaN where the reference has a value"
    error = np.abs(ours[where] - reference[where]) / np.maximum(1.0, np.abs(reference[where]))
    assert error.max() <= PARITY, f"max error {error.max():.3g} at row {np.argmax(error)}"


def stream(indicator: Any, frame: pd.DataFrame) -> np.ndarray:
    """``update`` on every row of ``frame`` (the indicator's inputs only), after ``reset``."""
    indicator.reset()
    names = list(indicator.inputs)
    rows = frame[names].to_numpy().tolist()
    return np.array([indicator.update(dict(zip(names, row, strict=True))) for row in rows])


def assert_streams_as_computed(indicator: Any, frame: pd.DataFrame) -> np.ndarray:
    """``update`` bar by bar gives ``compute``'s values to 1e-9, NaN where they are NaN
    (issue 3); returns the streamed values."""
    streamed = stream(indicator, frame)
    np.testing.assert_allclose(
        streamed,
        indicator.compute(frame).to_numpy(),
        rtol=1e-9,
        atol=1e-9,
        err_msg=repr(indicator),
    )
    return streamed


def one_per_class(instances: list[Any]) -> list[Any]:
    """The last instance of each class (in a default set: its longest periods)."""
    chosen: dict[type, Any] = {}
    for instance in instances:
        chosen[type(instance)] = instance
    return list(chosen.values())
