"""Feature selection fit on training rows only.

Callers pass the training rows (a fold's training part), never rows the model will be
scored on: a selector that saw the test rows' targets leaks them into the model.

Rows where the target or a feature is NaN (indicator warm-up, a label's horizon) are left
out of the fit; a column that is NaN on every such row is never selected. Methods:

- ``mutual_info``: mutual information with the target (``mutual_info_classif`` for class
  labels, ``mutual_info_regression`` for a continuous target, seeded by ``random_state``);
  keeps the best ``n_features`` with a score >= ``threshold`` (when set).
- ``anova_f``: the ANOVA F statistic (``f_classif`` / ``f_regression``; NaN, never chosen,
  for a constant column); kept as for ``mutual_info``.
- ``variance_threshold``: keeps the columns whose variance (``ddof=0``, as scikit-learn's
  ``VarianceThreshold``) exceeds ``threshold`` (default 0). Variance depends on scale, so
  this is most useful after a scaler or to drop constant columns.
- ``correlation``: a redundancy filter, see below; the score is the absolute Pearson
  correlation with the target (class labels by their codes), 0 without a target.
- ``none``: keeps every column.

The correlation filter visits the columns from the most to the least correlated with the
target (ties, and every column when no target is given, in column order) and keeps a column
unless its absolute correlation with a column already kept exceeds ``threshold`` (default
0.95): of each highly correlated pair, the one more correlated with the target stays, or the
earlier column. Constant columns correlate with nothing.

``n_features`` caps every method but ``none``: the ranking methods keep their best, the
filters keep the columns that pass ranked by absolute correlation with the target (by
variance for ``variance_threshold`` without a target); ``n_features=None`` keeps every
column that passes. ``selected_`` lists the kept columns in the input's column order.
"""

from __future__ import annotations

from typing import Any, Self

import attrs
import numpy as np
import pandas as pd
from sklearn.feature_selection import (
    f_classif,
    f_regression,
    mutual_info_classif,
    mutual_info_regression,
)
from sklearn.utils.multiclass import type_of_target

from mlcore.config import FeatureSelectionConfig
from mlcore.errors import FeatureError

__all__ = ["DEFAULT_CORRELATION_THRESHOLD", "FeatureSelector", "SELECTION_METHODS"]

SELECTION_METHODS = ("mutual_info", "anova_f", "variance_threshold", "correlation", "none")
DEFAULT_CORRELATION_THRESHOLD = 0.95
_NEEDS_TARGET = ("mutual_info", "anova_f")


def _check_method(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value not in SELECTION_METHODS:
        names = ", ".join(map(repr, SELECTION_METHODS))
        raise ValueError(f"{attribute.name} must be one of {names}, got {value!r}")


def _check_n_features(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"{attribute.name} must be an int >= 1 or None, got {value!r}")


@attrs.define(slots=False)
class FeatureSelector:
    """Chooses feature columns on training rows (see the module docs for each method).

    Fitted attributes: ``feature_names_in_``, ``scores_`` (a Series by column, NaN where
    not scored), ``selected_`` (kept column names, in input order), ``task_``
    (``classification``, ``regression`` or None without a target).
    """

    method: str = attrs.field(default="mutual_info", validator=_check_method)
    n_features: int | None = attrs.field(default=30, validator=_check_n_features)
    threshold: float | None = None
    random_state: int | None = 0

    @classmethod
    def from_config(cls, config: FeatureSelectionConfig, *, random_state: int | None = 0) -> Self:
        """The selector the ``features.feature_selection`` section describes."""
        return cls(
            method=config.method,
            n_features=config.n_features,
            threshold=config.threshold,
            random_state=random_state,
        )

    def get_params(self, deep: bool = False) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in attrs.fields(type(self))}

    def set_params(self, **params: Any) -> Self:
        for name, value in params.items():
            setattr(self, name, value)
        attrs.validate(self)
        return self

    # -- fitting -------------------------------------------------------------

    def fit(self, X: pd.DataFrame, y: Any = None) -> Self:
        """Score and choose columns on the training rows ``X`` (and their targets ``y``)."""
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X, dtype=float))
        names = [str(c) for c in frame.columns]
        self.feature_names_in_ = names
        target = _align_target(frame, y)
        if target is None and self.method in _NEEDS_TARGET:
            raise FeatureError(
                f"feature selection method {self.method!r} needs the target y of the training "
                "rows; pass it, or use 'variance_threshold', 'correlation' or 'none'"
            )
        self.task_ = None if target is None else _task(target)
        if self.method == "none":
            self.scores_ = pd.Series(np.nan, index=names, dtype=np.float64)
            self.selected_ = list(names)
            return self
        values, y_values, usable = _fitting_rows(frame, target)
        scores = np.full(len(names), np.nan)
        kept = self._choose(values, y_values, usable, scores)
        self.scores_ = pd.Series(scores, index=names, dtype=np.float64)
        chosen = set(kept)
        self.selected_ = [name for i, name in enumerate(names) if i in chosen]
        return self

    def _choose(
        self,
        values: np.ndarray,
        y_values: np.ndarray | None,
        usable: np.ndarray,
        scores: np.ndarray,
    ) -> list[int]:
        columns = np.flatnonzero(usable)
        block = values[:, columns]
        if self.method in _NEEDS_TARGET:
            assert y_values is not None
            scores[columns] = self._rank_scores(block, y_values)
            passing = [
                c
                for c in columns
                if np.isfinite(scores[c])
                and (self.threshold is None or scores[c] >= self.threshold)
            ]
            return self._best(passing, scores)
        target_corr = _target_correlation(block, y_values)
        if self.method == "variance_threshold":
            # a constant column can show a rounding-error variance: take the range as proof
            variance = np.where(np.ptp(block, axis=0) == 0, 0.0, block.var(axis=0))
            scores[columns] = variance
            cut = 0.0 if self.threshold is None else self.threshold
            passing = [c for c, v in zip(columns, variance, strict=True) if v > cut]
            ranking = scores.copy()
            if y_values is not None:
                ranking[columns] = target_corr
            return self._best(passing, ranking)
        scores[columns] = target_corr
        return self._correlation_filter(block, columns, target_corr)

    def _rank_scores(self, block: np.ndarray, y_values: np.ndarray) -> np.ndarray:
        classify = self.task_ == "classification"
        if self.method == "mutual_info":
            mi = mutual_info_classif if classify else mutual_info_regression
            return np.asarray(mi(block, y_values, random_state=self.random_state), dtype=float)
        f_test = f_classif if classify else f_regression
        with np.errstate(divide="ignore", invalid="ignore"):
            statistic, _ = f_test(block, y_values)
        return np.asarray(statistic, dtype=float)

    def _best(self, candidates: list[Any], scores: np.ndarray) -> list[int]:
        """``candidates`` by descending score (NaN last, ties in column order), capped."""
        ordered = sorted(
            (int(c) for c in candidates),
            key=lambda c: (-scores[c] if np.isfinite(scores[c]) else np.inf, c),
        )
        return ordered if self.n_features is None else ordered[: self.n_features]

    def _correlation_filter(
        self, block: np.ndarray, columns: np.ndarray, target_corr: np.ndarray
    ) -> list[int]:
        cut = DEFAULT_CORRELATION_THRESHOLD if self.threshold is None else self.threshold
        with np.errstate(divide="ignore", invalid="ignore"):
            matrix = np.abs(np.corrcoef(block, rowvar=False)) if block.shape[1] > 1 else None
        if matrix is not None:
            matrix = np.nan_to_num(np.atleast_2d(matrix), nan=0.0)
        order = sorted(range(len(columns)), key=lambda i: (-target_corr[i], i))
        kept: list[int] = []
        for i in order:
            if matrix is None or all(matrix[i, j] <= cut for j in kept):
                kept.append(i)
            if self.n_features is not None and len(kept) == self.n_features:
                break
        return [int(columns[i]) for i in kept]

    # -- applying ------------------------------------------------------------

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """The selected columns of ``X``."""
        if not hasattr(self, "selected_"):
            raise FeatureError("FeatureSelector is not fitted: call fit(X_train, y_train) first")
        missing = [c for c in self.selected_ if c not in X.columns]
        if missing:
            raise FeatureError(
                f"transform got a frame without the selected column(s) {missing[:5]}"
                f"{' ...' if len(missing) > 5 else ''}; pass the columns fit saw"
            )
        return X[self.selected_]

    def fit_transform(self, X: pd.DataFrame, y: Any = None) -> pd.DataFrame:
        return self.fit(X, y).transform(X)

    def get_support(self, indices: bool = False) -> np.ndarray:
        """A boolean mask over ``feature_names_in_`` (or the kept positions)."""
        chosen = set(self.selected_)
        mask = np.array([name in chosen for name in self.feature_names_in_], dtype=bool)
        return np.flatnonzero(mask) if indices else mask

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(self.selected_, dtype=object)


def _align_target(frame: pd.DataFrame, y: Any) -> pd.Series | None:
    if y is None:
        return None
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise FeatureError(f"the target must be one column, got {y.shape[1]} columns")
        y = y.iloc[:, 0]
    if isinstance(y, pd.Series):
        aligned: pd.Series = y if y.index.equals(frame.index) else y.reindex(frame.index)
        return aligned
    array = np.asarray(y)
    if array.ndim != 1 or len(array) != len(frame):
        raise FeatureError(
            f"the target has shape {array.shape}; it needs one value per row of X "
            f"({len(frame)} rows), or pass a Series on X's index"
        )
    return pd.Series(array, index=frame.index)


def _task(target: pd.Series) -> str:
    kind = type_of_target(target.dropna().to_numpy())
    if kind in ("binary", "multiclass"):
        return "classification"
    if kind == "continuous":
        return "regression"
    raise FeatureError(
        f"cannot select features for a target of type {kind!r}: it must be class labels "
        "or one continuous value per row"
    )


def _fitting_rows(
    frame: pd.DataFrame, target: pd.Series | None
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Rows without NaN (over the columns not entirely NaN), their targets, usable columns."""
    values = frame.to_numpy(dtype=np.float64)
    rows = np.ones(len(frame), dtype=bool)
    y_values: np.ndarray | None = None
    if target is not None:
        rows &= target.notna().to_numpy()
    present = ~np.isnan(values[rows])
    usable = present.any(axis=0)
    rows[rows] &= present[:, usable].all(axis=1)
    if not rows.any() or not usable.any():
        raise FeatureError(
            f"no training row has a value for every feature and the target ({len(frame)} "
            "rows given, NaN in every one); give more rows than the longest warm-up"
        )
    if target is not None:
        labels = target.to_numpy()[rows]
        if not np.issubdtype(np.asarray(labels).dtype, np.number):
            labels = pd.factorize(labels)[0]
        y_values = np.asarray(labels)
    return values[rows], y_values, usable


def _target_correlation(block: np.ndarray, y_values: np.ndarray | None) -> np.ndarray:
    """|Pearson correlation| of each column with the target; 0 without one or when undefined."""
    if y_values is None:
        return np.zeros(block.shape[1])
    y = y_values.astype(np.float64) - float(np.mean(y_values))
    centred = block - block.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = (centred * y[:, None]).sum(axis=0) / np.sqrt(
            (centred**2).sum(axis=0) * float((y**2).sum())
        )
    result: np.ndarray = np.nan_to_num(np.abs(corr), nan=0.0)
    return result
