"""Preprocessing fit on training rows only, then applied: missing values, outliers, scaling.

``FeaturePreprocessor(...).fit(X_train)`` learns everything from the training rows (the
training means, the scaler's statistics, the end of the training rows); ``transform(X)``
applies it and never changes what was learnt. In ``transform`` the steps run in this order:

1. missing values (``handle_missing``):

   - ``forward_fill``: each NaN takes the column's latest earlier value; leading NaN (an
     indicator's warm-up) stay NaN. Never a backward fill.
   - ``drop``: rows holding a NaN are removed (the output has fewer rows).
   - ``train_mean``: each NaN takes the column's mean over the training rows.

   ``interpolate``, ``bfill`` and ``backward_fill`` are refused: they fill a gap from bars
   after it, which a live system does not have yet (look-ahead).
2. outliers (``outlier_detection``): each value is clipped to ``mean +- outlier_zscore *
   std`` of the ``outlier_window`` values before it in its column (trailing, the current row
   excluded, sample std, computed on the values after step 1, not on clipped ones). A value
   is clipped only once that window is full (NaN in the window count as missing).
3. scaling (``scaler``): scikit-learn's ``StandardScaler``, ``RobustScaler`` or
   ``MinMaxScaler`` fit on the training rows after steps 1 and 2 (NaN ignored in fit, kept
   in transform), or ``none``. A column without a single value in the training rows (a
   sentiment source silent over the whole training window, an indicator whose warm-up is
   longer than the training rows) has nothing to scale by: it is NaN in every row
   ``transform`` returns, and the scaler is not asked to learn from it (scikit-learn
   would give NaN too, with RuntimeWarnings).

``transform`` continues the training rows: when ``X`` starts after the last training row
(a time index), the forward fill and the outlier windows of its first rows carry on from
the end of the training rows. So ``transform(test)`` equals the test rows of
``transform(concat([train, test]))``: nothing from the test rows leaks into the fit, and
nothing after a row changes it.
"""

from __future__ import annotations

from typing import Any, Self

import attrs
import numpy as np
import pandas as pd
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler

from mlcore.config import _LOOK_AHEAD_FILLS, _MISSING_VALUE_POLICIES, PreprocessingConfig
from mlcore.errors import FeatureError

__all__ = ["FeaturePreprocessor", "SCALERS"]

SCALERS = ("standard", "robust", "minmax", "none")


def _check_scaler(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value not in SCALERS:
        raise ValueError(
            f"{attribute.name} must be one of {', '.join(map(repr, SCALERS))}, got {value!r}"
        )


def _check_handle_missing(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    alternatives = ", ".join(repr(policy) for policy in _MISSING_VALUE_POLICIES)
    if value in _LOOK_AHEAD_FILLS:
        raise ValueError(
            f"{attribute.name}={value!r} is refused: {_LOOK_AHEAD_FILLS[value]}; "
            f"use one of {alternatives}"
        )
    if value not in _MISSING_VALUE_POLICIES:
        raise ValueError(f"{attribute.name} must be one of {alternatives}, got {value!r}")


def _positive(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value!r}")


@attrs.define(slots=False)
class FeaturePreprocessor:
    """Causal missing-value handling, rolling outlier clipping and scaling (module docs).

    Fitted attributes: ``feature_names_in_``, ``train_means_``, ``scaler_`` (None for
    ``scaler="none"``), ``train_end_`` (last training index label), ``history_`` (the last
    ``outlier_window`` training rows after step 1), ``last_valid_`` (each column's last
    non-NaN training value) and ``unscaled_columns_`` (the columns without a training value
    after steps 1 and 2, NaN after scaling).
    """

    scaler: str = attrs.field(default="standard", validator=_check_scaler)
    handle_missing: str = attrs.field(default="forward_fill", validator=_check_handle_missing)
    outlier_detection: bool = False
    outlier_window: int = attrs.field(
        default=250, validator=[attrs.validators.instance_of(int), attrs.validators.ge(2)]
    )
    outlier_zscore: float = attrs.field(default=5.0, validator=_positive)

    @classmethod
    def from_config(cls, config: PreprocessingConfig) -> Self:
        """The preprocessor the ``features.preprocessing`` section describes."""
        return cls(
            scaler=config.scaler,
            handle_missing=config.handle_missing,
            outlier_detection=config.outlier_detection,
            outlier_window=config.outlier_window,
            outlier_zscore=config.outlier_zscore,
        )

    def get_params(self, deep: bool = False) -> dict[str, Any]:
        """The constructor parameters (scikit-learn's convention)."""
        return {f.name: getattr(self, f.name) for f in attrs.fields(type(self))}

    def set_params(self, **params: Any) -> Self:
        for name, value in params.items():
            setattr(self, name, value)
        attrs.validate(self)
        return self

    # -- fitting -------------------------------------------------------------

    def fit(self, X: pd.DataFrame, y: Any = None) -> Self:
        """Learn from the training rows ``X`` only; ``y`` is ignored."""
        frame = _as_frame(X)
        self.feature_names_in_ = [str(c) for c in frame.columns]
        self.train_means_ = frame.mean(axis=0, skipna=True)
        self.train_end_ = frame.index[-1] if len(frame) else None
        filled = self._fill(frame, continuing=False)
        self.last_valid_ = frame.ffill().iloc[-1] if len(frame) else frame.mean()
        self.history_ = filled.iloc[-self.outlier_window :].copy()
        clipped = self._clip(filled, continuing=False)
        self.scaler_ = _make_scaler(self.scaler)
        if self.scaler_ is not None and clipped.empty:
            raise FeatureError(
                f"no training rows left to fit the {self.scaler} scaler on "
                f"(handle_missing={self.handle_missing!r}, {len(frame)} rows given): every "
                "row holds a missing value; use forward_fill or train_mean, or more rows"
            )
        empty = clipped.isna().all(axis=0).to_numpy()
        self.unscaled_columns_ = [str(c) for c in clipped.columns[empty]]
        if self.scaler_ is not None:
            values = clipped.to_numpy(dtype=np.float64, copy=True)
            values[:, empty] = 0.0  # a placeholder the scaler can fit; transform gives NaN
            self.scaler_.fit(values)
        return self

    def fit_transform(self, X: pd.DataFrame, y: Any = None) -> pd.DataFrame:
        return self.fit(X, y).transform(X)

    # -- applying ------------------------------------------------------------

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Apply the fitted steps to ``X`` (training or later rows); float64 out."""
        if not hasattr(self, "feature_names_in_"):
            raise FeatureError("FeaturePreprocessor is not fitted: call fit(X_train) first")
        frame = _as_frame(X)
        missing = [c for c in self.feature_names_in_ if c not in frame.columns]
        if missing:
            raise FeatureError(
                f"transform got a frame without the fitted column(s) {missing[:5]}"
                f"{' ...' if len(missing) > 5 else ''}; pass the columns fit saw"
            )
        frame = frame[self.feature_names_in_]
        continuing = self._continues_training(frame)
        filled = self._fill(frame, continuing=continuing)
        clipped = self._clip(filled, continuing=continuing)
        if self.scaler_ is None or clipped.empty:
            return clipped
        scaled = self.scaler_.transform(clipped.to_numpy(dtype=np.float64))
        scaled[:, np.isin(self.feature_names_in_, self.unscaled_columns_)] = np.nan
        return pd.DataFrame(scaled, index=clipped.index, columns=clipped.columns)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(self.feature_names_in_, dtype=object)

    def _continues_training(self, frame: pd.DataFrame) -> bool:
        """Whether ``frame`` starts after the last training row (so it carries on from it)."""
        if self.train_end_ is None or frame.empty:
            return False
        try:
            return bool(frame.index[0] > self.train_end_)
        except TypeError:  # labels that do not compare: nothing to continue from
            return False

    def _fill(self, frame: pd.DataFrame, *, continuing: bool) -> pd.DataFrame:
        frame = frame.astype(np.float64)
        if self.handle_missing == "forward_fill":
            if not continuing:
                return frame.ffill()
            start = self.last_valid_.to_frame().T.set_axis([self.train_end_], axis=0)
            return pd.concat([start, frame]).ffill().iloc[1:].set_axis(frame.index, axis=0)
        if self.handle_missing == "train_mean":
            return frame.fillna(self.train_means_)
        return frame.dropna(axis=0, how="any")

    def _clip(self, frame: pd.DataFrame, *, continuing: bool) -> pd.DataFrame:
        if not self.outlier_detection or frame.empty:
            return frame
        window = self.outlier_window
        history = self.history_ if continuing else frame.iloc[:0]
        extended = pd.concat([history, frame]) if len(history) else frame
        previous = extended.shift(1).rolling(window, min_periods=window)
        mean, std = previous.mean(), previous.std()
        values = extended.to_numpy(dtype=np.float64)
        bound = self.outlier_zscore * std.to_numpy(dtype=np.float64)
        centre = mean.to_numpy(dtype=np.float64)
        with np.errstate(invalid="ignore"):
            clipped = np.where(values > centre + bound, centre + bound, values)
            clipped = np.where(clipped < centre - bound, centre - bound, clipped)
        rows = slice(len(history), None)
        return pd.DataFrame(clipped[rows], index=frame.index, columns=frame.columns)


def _as_frame(X: Any) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    return pd.DataFrame(np.asarray(X, dtype=np.float64))


def _make_scaler(name: str) -> StandardScaler | RobustScaler | MinMaxScaler | None:
    if name == "standard":
        return StandardScaler()
    if name == "robust":
        return RobustScaler()
    if name == "minmax":
        return MinMaxScaler()
    return None
