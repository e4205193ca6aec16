"""The data the checks run on: OHLCV bars and what models, metrics and detectors need."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from mlcore.testing.checks._defaults import DEFAULT_BARS, DEFAULT_SEED, MODEL_ROWS, OHLCV_COLUMNS


@functools.lru_cache(maxsize=1)
def _default_ohlcv() -> pd.DataFrame:
    from mlcore.data import synthetic_ohlcv

    return synthetic_ohlcv(n=DEFAULT_BARS, seed=DEFAULT_SEED).ohlcv


def _ohlcv(data: object = None) -> pd.DataFrame:
    """A private copy of the check data."""
    if data is None:
        frame = _default_ohlcv()
    elif isinstance(data, pd.DataFrame):
        frame = data
    elif isinstance(getattr(data, "ohlcv", None), pd.DataFrame):
        frame = data.ohlcv  # type: ignore[attr-defined]
    else:
        raise TypeError(
            f"data must be an OHLCV DataFrame or a SyntheticMarket, got {type(data).__name__}"
        )
    missing = [c for c in OHLCV_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"check data lacks the OHLCV column(s) {missing}")
    if len(frame) < 50:
        raise ValueError(f"check data has {len(frame)} rows; the checks need at least 50")
    return frame.copy(deep=True)


def _log(series: pd.Series) -> pd.Series:
    return pd.Series(np.log(series.to_numpy(dtype=float)), index=series.index, name=series.name)


def _model_data(
    data: object = None, task: str = "classification"
) -> tuple[pd.DataFrame, pd.Series]:
    """Lagged-return features and, MODEL_ROWS rows of them, the next bar's direction (0 down,
    1 up) as labels, or for ``task="regression"`` the next bar's log return as the target."""
    bars = _ohlcv(data)
    close = bars["close"].astype(float)
    returns = _log(close).diff()
    features = pd.DataFrame(
        {
            "return_1": returns,
            "return_2": returns.shift(1),
            "return_3": returns.shift(2),
            "range": (bars["high"] - bars["low"]) / close,
            "volume_change": _log(bars["volume"].astype(float) + 1.0).diff(),
        },
        index=bars.index,
    )
    ahead = returns.shift(-1)  # the label: the next bar's return, never a feature
    keep = features.notna().all(axis=1) & ahead.notna()
    X = features[keep].iloc[:MODEL_ROWS]
    if task == "regression":
        return X, ahead[keep].iloc[:MODEL_ROWS].rename("next_return")
    y = (ahead[keep] > 0).astype(int).iloc[:MODEL_ROWS].rename("direction")
    if y.nunique() < 2:
        raise ValueError("the check data gives one direction only; pass data with ups and downs")
    return X, y


def _regime_data(data: object = None) -> pd.DataFrame:
    """Per-bar features for regime detectors: log return and 10-bar rolling volatility."""
    bars = _ohlcv(data)
    returns = _log(bars["close"].astype(float)).diff()
    frame = pd.DataFrame({"returns": returns, "volatility": returns.rolling(10).std()})
    return frame.dropna()


def _returns(data: object = None) -> pd.Series:
    close = _ohlcv(data)["close"].astype(float)
    return close.pct_change().dropna().rename("returns")


def _trades(data: object = None) -> pd.DataFrame:
    """A validated trade history on the data's closes: one 5-bar trade every 10 bars,
    alternately long and short."""
    from mlcore.analytics.trades import validate_trades

    close = _ohlcv(data)["close"].astype(float)
    entries = np.arange(0, len(close) - 5, 10)
    return validate_trades(
        pd.DataFrame(
            {
                "entry_time": close.index[entries],
                "exit_time": close.index[entries + 5],
                "entry_price": close.to_numpy()[entries],
                "exit_price": close.to_numpy()[entries + 5],
                "side": np.where(np.arange(entries.size) % 2 == 0, 1, -1),
                "size": 1.0,
            }
        )
    )
