"""A tiny model for tests/test_tracking.py, importable by a separate process (PYTHONPATH).

It belongs to no installed distribution on purpose: ``log_model`` must warn that a loading
process needs to import it.
"""

from __future__ import annotations

import pandas as pd


class MeanReversionModel:
    """Signal = minus the distance of the close from its rolling mean, in return-vol units."""

    def __init__(self, window: int = 5) -> None:
        self.window = window

    def fit(self, ohlcv: pd.DataFrame) -> MeanReversionModel:
        self.scale_ = float(ohlcv["close"].pct_change().std())
        return self

    def predict(self, ohlcv: pd.DataFrame) -> pd.Series:
        index = ohlcv.index
        if not isinstance(index, pd.DatetimeIndex) or str(index.tz) != "UTC":
            raise TypeError(f"expected OHLCV bars on a UTC DatetimeIndex, got {type(index)}")
        close = ohlcv["close"]
        distance = close / close.rolling(self.window).mean() - 1.0
        return (-distance / self.scale_).rename("signal")
