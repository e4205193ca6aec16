"""Feature generation without a plugin host, from a pipeline's own indicator instances."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mlcore.data import validate_ohlcv
from mlcore.features.caching import IndicatorRunner
from mlcore.features.timeframes import asof_positions, completed_bars


def _timeframe_column(column: str, timeframe: str) -> str:
    return f"{column}_{timeframe}"


def generate_indicator_features(
    ohlcv: pd.DataFrame, indicators: Sequence[Any], timeframes: Sequence[str] = ()
) -> pd.DataFrame:
    """The feature frame of ``indicators`` (and of each higher timeframe) on ``ohlcv``.

    The same columns and values as :meth:`FeatureEngineeringPipeline.generate_features`
    for the same indicator instances, without a plugin host: a fitted pipeline carries its
    indicator instances and computes its features wherever it is loaded. Higher-timeframe
    columns come from completed higher bars only, named ``<column>_<timeframe>``.
    An indicator that fails raises (a fitted model needs every one of its features).
    """
    frame = validate_ohlcv(ohlcv, policy="raise")
    runner = IndicatorRunner(None)
    blocks: list[np.ndarray] = []
    columns: list[str] = []

    def add(values: np.ndarray | list[np.ndarray], names: Sequence[str]) -> None:
        matrix = np.column_stack(values) if isinstance(values, list) else np.asarray(values)
        blocks.append(matrix.reshape(len(matrix), len(names)))
        columns.extend(names)

    for indicator in indicators:
        values = runner.run(indicator, frame, distribution="", version="")
        add(values, [str(c) for c in indicator.outputs])
    for timeframe in timeframes:
        bars = completed_bars(frame, timeframe)
        positions = asof_positions(bars.index, frame.index)
        seen = positions >= 0
        for indicator in indicators:
            names = [_timeframe_column(str(c), timeframe) for c in indicator.outputs]
            block = np.full((len(frame), len(names)), np.nan)
            if len(bars):
                values = runner.run(indicator, bars, distribution="", version="")
                matrix = np.column_stack(values) if isinstance(values, list) else values
                block[seen] = np.asarray(matrix)[positions[seen]]
            blocks.append(block)
            columns.extend(names)
    values = np.hstack(blocks) if blocks else np.empty((len(frame), 0))
    return pd.DataFrame(values, index=frame.index, columns=columns)
