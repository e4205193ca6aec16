"""The detector's inputs: a feature frame, raw OHLCV bars, or a 2-D array.

- Raw OHLCV (a frame with ``close`` and ``volume`` and no ``log_return`` column): the log
  return of the close (0 on the first bar) and ``log1p(volume)``, as the HMM detector
  builds them.
- A feature frame (such as ``df[["log_return", "volume"]]``): its columns in order; a
  column named ``volume`` is used as ``log1p(volume)``.
- A 2-D array: its columns, named ``f0, f1, ...``.

Each row is built from its own bar (and the previous close), so no row reads a later one.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pandas as pd
from mlcore.errors import DataValidationError

from mlcore_torch.sequence import check_finite

__all__ = [
    "OHLCV_FEATURES",
    "RETURN_COLUMNS",
    "RegimeInputs",
    "is_ohlcv",
    "price_path",
    "regime_inputs",
]

#: The features built from raw OHLCV bars.
OHLCV_FEATURES = ("log_return", "log_volume")
#: Column names read as log returns when a teacher needs a price path.
RETURN_COLUMNS = ("log_return", "log_returns", "returns", "return")


def is_ohlcv(X: Any) -> bool:
    """Raw bars: a frame with ``close`` and ``volume`` and no ``log_return`` column."""
    if not isinstance(X, pd.DataFrame):
        return False
    columns = X.columns  # membership tests hash; iterating an Arrow-backed index is slow
    return "close" in columns and "volume" in columns and "log_return" not in columns


@attrs.frozen(eq=False)
class RegimeInputs:
    """The float matrix the network reads, its column names, and whether it came from
    raw OHLCV bars."""

    matrix: np.ndarray
    names: tuple[str, ...]
    ohlcv: bool


def regime_inputs(X: Any, last: int | None = None) -> RegimeInputs:
    """The detector's input matrix from ``X`` (see the module docstring), or from its
    ``last`` rows only; refuses NaN, infinity and non-numeric columns with an error naming
    the column and row."""
    rows = slice(None) if last is None else slice(-last, None)
    ohlcv = is_ohlcv(X)
    if ohlcv:
        # One bar more than asked: the first log return needs the close before it.
        before = slice(None) if last is None else slice(-last - 1, None)
        close = X["close"].to_numpy(dtype=np.float64)[before]
        log_return = np.log(close / np.r_[close[:1], close[:-1]])[rows]
        log_volume = np.log1p(X["volume"].to_numpy(dtype=np.float64)[rows])
        matrix = np.column_stack([log_return, log_volume])
        names: tuple[str, ...] = OHLCV_FEATURES
    elif isinstance(X, pd.DataFrame):
        names = tuple(str(c) for c in X.columns)
        try:
            matrix = X.iloc[rows].to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        except (TypeError, ValueError) as error:
            raise DataValidationError(
                f"features must be numeric ({error}); encode the columns as numbers",
                rule="non_numeric",
            ) from error
        for position, name in enumerate(names):
            if name == "volume":
                matrix[:, position] = np.log1p(matrix[:, position])
    else:
        matrix = np.array(X, dtype=np.float64)
        if matrix.ndim != 2:
            raise DataValidationError(
                f"features must be 2-D (rows x features), got shape {matrix.shape}; one "
                "feature is X.reshape(-1, 1)",
                rule="shape",
            )
        matrix = matrix[rows]
        names = tuple(f"f{i}" for i in range(matrix.shape[1]))
    if matrix.shape[0] == 0 or matrix.shape[1] == 0:
        raise DataValidationError(
            f"features have shape {matrix.shape}: at least one row and one column are needed",
            rule="shape",
        )
    check_finite(matrix, names, X.index if isinstance(X, pd.DataFrame) else None, "features")
    return RegimeInputs(matrix=matrix, names=names, ohlcv=ohlcv)


def price_path(X: Any) -> np.ndarray:
    """A price path for rule-based dating: the ``close`` column, or ``exp(cumsum(r))`` of
    the first return column (one of :data:`RETURN_COLUMNS`)."""
    if isinstance(X, pd.DataFrame):
        if "close" in X.columns:
            return X["close"].to_numpy(dtype=np.float64)
        for name in RETURN_COLUMNS:
            if name in X.columns:
                returns = X[name].to_numpy(dtype=np.float64)
                check_finite(returns[:, None], (name,), X.index, "features")
                path: np.ndarray = np.exp(np.cumsum(returns))
                return path
    columns = list(X.columns) if isinstance(X, pd.DataFrame) else "none (an array)"
    raise DataValidationError(
        "teacher='drawdown' dates regimes on a price path, but the features have no 'close' "
        f"column and no return column ({', '.join(RETURN_COLUMNS)}); their columns: "
        f"{columns}. Pass labels=, raw OHLCV bars, or teacher='hmm'",
        rule="labels",
    )
