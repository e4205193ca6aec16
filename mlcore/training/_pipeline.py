"""The fitted pipeline: raw OHLCV bars in, predictions and signals out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mlcore.errors import FeatureError
from mlcore.features.regime_features import RegimeFeatures
from mlcore.models import model_task
from mlcore.training._feature_stage import FeatureStage
from mlcore.training._indicator_features import (
    _timeframe_column,
    generate_indicator_features,
)


def _as_bars(ohlcv: Any) -> pd.DataFrame:
    """Bars as a frame on a DatetimeIndex; a ``timestamp`` (or ``date``) column is moved
    into the index (serving layers such as MLflow's may pass the frame without it)."""
    if not isinstance(ohlcv, pd.DataFrame):
        raise TypeError(f"expected OHLCV bars as a pandas DataFrame, got {type(ohlcv).__name__}")
    if isinstance(ohlcv.index, pd.DatetimeIndex):
        return ohlcv
    for name in ("timestamp", "date", "datetime", "time"):
        matches = [c for c in ohlcv.columns if str(c).lower() == name]
        if matches:
            frame = ohlcv.set_index(matches[0])
            index = pd.DatetimeIndex(pd.to_datetime(frame.index, utc=True), name="timestamp")
            return frame.set_axis(index, axis=0)
    return ohlcv


class TradingPipeline:
    """The whole fitted pipeline: raw OHLCV bars -> features -> preprocessing -> selection
    -> model -> predictions and signals.

    It holds its indicator instances (no plugin host is needed to use it), the fitted
    regime detector when the stage had one (:attr:`regimes`), the fitted
    :class:`FeaturePreprocessor` and :class:`FeatureSelector`, and the fitted model. It
    pickles, and is what the job logs to MLflow as a pyfunc model.

    Only the indicators (and the regime filter) behind the selected columns are computed:
    the preprocessing steps act column by column, so the other columns cannot change the
    selected ones (with ``handle_missing: drop``, which drops whole rows, all are computed).
    Regime probabilities are filtered from the first bar given: pass the same history the
    decisions are to be based on (the job passes every bar).

    ``model`` is the fitted model of the last stage: ``pipeline.model.predict_proba(row)``
    on a 2-D float numpy row of the selected features (in :attr:`selected_features` order)
    is the fast path for single-row prediction.
    """

    def __init__(
        self,
        *,
        indicators: Sequence[Any],
        timeframes: Sequence[str],
        feature_names_in: Sequence[str],
        stage: FeatureStage,
        model: Any,
        label_kind: str,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        self.indicators = tuple(indicators)
        self.timeframes = tuple(timeframes)
        self.feature_names_in = list(feature_names_in)
        self.regimes = stage.regimes.fitted_ if stage.regimes is not None else None
        self.preprocessor = stage.preprocessor
        self.selector = stage.selector
        self.model = model
        self.label_kind = label_kind
        self.metadata = dict(metadata or {})
        self.task = model_task(model)
        chosen = set(self.selected_features)
        all_needed = self.preprocessor.handle_missing == "drop"
        self.needed_indicators = tuple(
            indicator
            for indicator in self.indicators
            if all_needed or any(self._columns_of(indicator) & chosen)
        )
        self.regimes_needed = self.regimes is not None and (
            all_needed or bool(set(self.regimes.columns_) & chosen)
        )

    #: The fitted regime features (None: no regime columns). Class-level defaults keep
    #: pipelines pickled before regime features existed loadable.
    regimes: RegimeFeatures | None = None
    regimes_needed: bool = False

    def _columns_of(self, indicator: Any) -> set[str]:
        names = {str(c) for c in indicator.outputs}
        for timeframe in self.timeframes:
            names |= {_timeframe_column(str(c), timeframe) for c in indicator.outputs}
        return names

    def __repr__(self) -> str:
        return (
            f"TradingPipeline({len(self.needed_indicators)}/{len(self.indicators)} indicators, "
            f"{len(self.selected_features)} features, model={type(self.model).__name__})"
        )

    @property
    def _builds_every_column(self) -> bool:
        every_indicator = len(self.needed_indicators) == len(self.indicators)
        return every_indicator and (self.regimes is None or self.regimes_needed)

    @property
    def selected_features(self) -> list[str]:
        """The model's input columns, in order."""
        return list(self.selector.selected_)

    @property
    def classes_(self) -> np.ndarray:
        """The model's classes (classifiers)."""
        return np.asarray(self.model.classes_)

    # -- stages ---------------------------------------------------------------------

    def features(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        """The model's input for every bar: generated, preprocessed and selected."""
        bars = _as_bars(ohlcv)
        generated = generate_indicator_features(bars, self.needed_indicators, self.timeframes)
        if self.regimes is not None and self.regimes_needed:
            generated = self.regimes.add_to(generated, bars)
        missing = [c for c in self.feature_names_in if c not in generated.columns]
        if missing and self._builds_every_column:
            raise FeatureError(f"the indicators no longer produce the columns {missing[:5]}")
        full = generated.reindex(columns=self.feature_names_in)  # unused columns: NaN
        return self.selector.transform(self.preprocessor.transform(full))

    def _model_input(self, ohlcv: pd.DataFrame) -> tuple[pd.Index, np.ndarray, np.ndarray]:
        frame = self.features(ohlcv)
        matrix = frame.to_numpy(dtype=np.float64)
        ready = ~np.isnan(matrix).any(axis=1)
        return frame.index, matrix, ready

    def predict_proba(self, ohlcv: pd.DataFrame) -> pd.DataFrame:
        """Class probabilities for every bar, one column per class.

        Bars still in the indicators' warm-up (a selected feature is undefined) are NaN.
        """
        index, matrix, ready = self._model_input(ohlcv)
        classes = list(self.classes_)
        out = np.full((len(index), len(classes)), np.nan)
        if ready.any():
            out[ready] = np.asarray(self.model.predict_proba(matrix[ready]), dtype=np.float64)
        return pd.DataFrame(out, index=index, columns=classes)

    def predict(self, ohlcv: pd.DataFrame) -> pd.Series:
        """The predicted class (classifiers) or value (regressors) of every bar, as float64;
        NaN during the indicators' warm-up."""
        index, matrix, ready = self._model_input(ohlcv)
        out = np.full(len(index), np.nan)
        if ready.any():
            out[ready] = np.asarray(self.model.predict(matrix[ready]), dtype=np.float64)
        return pd.Series(out, index=index, name="prediction")

    def signals(self, ohlcv: pd.DataFrame, *, band: float = 0.0) -> pd.DataFrame:
        """Trading signals for every bar: ``signal`` decided at the bar's close, and
        ``position``, the signal of the bar before: a signal at ``t`` acts from ``t + 1``.

        Positions are +1 long, -1 short, 0 flat:

        - two classes (direction, triple-barrier): long when the up class's probability
          ``p_up`` exceeds ``0.5 + band``, short below ``0.5 - band``;
        - three classes (down, neutral, up): the most probable one, neutral is flat;
        - regression (a forward return): the sign of the prediction beyond ``band``.

        Warm-up bars are flat.
        """
        if self.task == "regression":
            score = self.predict(ohlcv)
            signal = np.where(score > band, 1, np.where(score < -band, -1, 0))
            frame = pd.DataFrame({"prediction": score}, index=score.index)
        else:
            proba = self.predict_proba(ohlcv)
            classes = list(proba.columns)
            values = proba.to_numpy()
            ready = ~np.isnan(values).any(axis=1)
            if len(classes) == 2:
                p_up = values[:, 1]
                signal = np.where(p_up > 0.5 + band, 1, np.where(p_up < 0.5 - band, -1, 0))
                frame = pd.DataFrame({"p_up": p_up}, index=proba.index)
            else:
                best = np.where(ready, np.nan_to_num(values).argmax(axis=1), -1)
                # the lowest class is down, the highest up (labels.py's convention)
                signal = np.where(best == len(classes) - 1, 1, np.where(best == 0, -1, 0))
                frame = pd.DataFrame({f"p_{c}": values[:, i] for i, c in enumerate(classes)})
                frame.index = proba.index
            signal = np.where(ready, signal, 0)
        frame["signal"] = signal.astype(np.int64)
        frame["position"] = frame["signal"].shift(1, fill_value=0).astype(np.int64)
        return frame
