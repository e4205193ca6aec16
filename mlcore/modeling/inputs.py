"""From what users pass to a model (numpy arrays, DataFrames, Series) to what a library takes.

Every model plugin needs the same checks before it hands data to its library: a 2-D float
feature matrix without infinity, DataFrame columns that match the fitted ones (in order),
aligned indexes, targets coded as classes or as finite floats, sample weights, and the
early-stopping split. Every error is a :class:`~mlcore.errors.DataValidationError` (a
``ValueError``) that names the argument, the column or the row, and says how to fix it.

The prediction path for a 2-D float numpy array of the right width does no conversion at
all (:func:`prediction_matrix` returns it as it is): it is the single-row latency path.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mlcore.errors import DataValidationError

__all__ = [
    "LabelledRows",
    "check_columns",
    "check_index_alignment",
    "classes_and_codes",
    "codes_for",
    "early_stopping_sets",
    "eval_set_parts",
    "feature_names_of",
    "prediction_matrix",
    "regression_target",
    "sample_weights",
    "training_matrix",
    "validation_rows",
    "warn_absent_classes",
]

_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

#: Rows to train or to validate on: the feature matrix, the target and the weights (or None).
LabelledRows = tuple[np.ndarray, np.ndarray, np.ndarray | None]


def _describe_row(index: pd.Index | None, position: int) -> str:
    if index is None:
        return f"row {position}"
    return f"row {position} ({index[position]!r})"


def feature_names_of(X: Any, n_features: int) -> tuple[str, ...]:
    """Column names of a DataFrame (as str), else ``f0, f1, ...`` for ``n_features`` columns.

    Duplicate names raise :class:`~mlcore.errors.DataValidationError` (rule
    ``duplicate_column``).
    """
    if not isinstance(X, pd.DataFrame):
        return tuple(f"f{i}" for i in range(n_features))
    names = tuple(str(column) for column in X.columns)
    if len(set(names)) != len(names):
        duplicates = sorted(name for name, count in Counter(names).items() if count > 1)
        raise DataValidationError(
            f"X has duplicate column names {duplicates}: every feature needs its own name",
            rule="duplicate_column",
            column=duplicates[0],
        )
    return names


def _frame_to_matrix(X: pd.DataFrame, what: str) -> np.ndarray:
    try:
        return X.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as error:
        bad = [
            str(column)
            for column, dtype in X.dtypes.items()
            if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))
        ]
        detail = f"columns {bad} are not numeric" if bad else f"it holds non-numbers ({error})"
        raise DataValidationError(
            f"{what}: {detail}; encode them as numbers first (the models take numeric "
            "features, NaN for missing)",
            rule="non_numeric",
            column=bad[0] if bad else None,
        ) from error


def _as_matrix(X: Any, what: str) -> np.ndarray:
    if isinstance(X, pd.DataFrame):
        matrix = _frame_to_matrix(X, what)
    elif isinstance(X, np.ndarray) and X.dtype in _FLOAT_DTYPES:
        matrix = X
    else:
        try:
            matrix = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise DataValidationError(
                f"{what} must hold numbers (NaN for missing): {error}", rule="non_numeric"
            ) from error
    if matrix.ndim != 2:
        hint = "; one row is X.reshape(1, -1)" if matrix.ndim == 1 else ""
        raise DataValidationError(
            f"{what} must be 2-D (rows x features), got an array of shape {matrix.shape}{hint}",
            rule="shape",
        )
    return matrix


def training_matrix(X: Any, what: str = "X") -> np.ndarray:
    """X as a 2-D float array with at least one row and one column and no infinity.

    A float32/float64 numpy array is returned as it is; a DataFrame is converted once (its
    columns must be numeric or bool; NaN stays NaN, a missing value). ``what`` names X in
    the messages (``"eval_set X"``).
    """
    matrix = _as_matrix(X, what)
    rows, columns = matrix.shape
    if rows == 0 or columns == 0:
        raise DataValidationError(
            f"{what} has shape {matrix.shape}: fitting needs at least one row and one feature",
            rule="shape",
        )
    infinite = np.isinf(matrix)
    if infinite.any():
        row, column = (int(i) for i in np.argwhere(infinite)[0])
        names = feature_names_of(X, columns)
        index = X.index if isinstance(X, pd.DataFrame) else None
        raise DataValidationError(
            f"{what} holds {int(infinite.sum())} infinite value(s), the first in column "
            f"{names[column]!r} at {_describe_row(index, row)}: replace them (NaN means "
            "missing and is handled natively)",
            rule="infinite",
            column=names[column],
        )
    return matrix


def _column_mismatch(columns: list[str], expected: Sequence[str], problem: str) -> str:
    known = set(expected)
    present = set(columns)
    missing = [name for name in expected if name not in present]
    unexpected = [name for name in columns if name not in known]
    parts = []
    if missing:
        parts.append(f"missing {missing}")
    if unexpected:
        parts.append(f"unexpected {unexpected}")
    if len(set(columns)) != len(columns):
        parts.append("duplicate column names")
    if not parts:
        position = next(i for i, (a, b) in enumerate(zip(columns, expected, strict=True)) if a != b)
        parts.append(
            f"the same columns in another order: position {position} is "
            f"{columns[position]!r} where the model expects {expected[position]!r}"
        )
    return (
        f"{problem}: {'; '.join(parts)}. Pass the columns in fit order: X[model.feature_names_in_]"
    )


def check_columns(X: pd.DataFrame, feature_names: Sequence[str], problem: str) -> None:
    """The frame's columns are exactly ``feature_names``, in that order.

    Otherwise the :class:`~mlcore.errors.DataValidationError` (rule ``feature_names``)
    starts with ``problem`` and names the missing columns, the unexpected ones, or, when
    only the order differs, the first position that differs.
    """
    if tuple(X.columns.tolist()) == tuple(feature_names):  # the cheap test, for str names
        return
    columns = [str(column) for column in X.columns]
    if columns != list(feature_names):
        raise DataValidationError(
            _column_mismatch(columns, feature_names, problem), rule="feature_names"
        )


def prediction_matrix(X: Any, feature_names: Sequence[str], model: str) -> np.ndarray:
    """X checked against the fitted features, as a 2-D float array.

    A 2-D float32/float64 numpy array of the right width is returned as it is (no copy);
    a DataFrame must have exactly the fitted columns, in the fitted order. ``model`` names
    the model in the messages (``type(self).__name__``).
    """
    if type(X) is np.ndarray and X.ndim == 2 and X.dtype in _FLOAT_DTYPES:
        matrix = X
    elif isinstance(X, pd.DataFrame):
        check_columns(X, feature_names, f"X does not have the features {model} was fit on")
        matrix = _frame_to_matrix(X, "X")
    else:
        matrix = _as_matrix(X, "X")
    if matrix.shape[1] != len(feature_names):
        raise DataValidationError(
            f"X has {matrix.shape[1]} features but {model} was fit on {len(feature_names)} "
            f"({', '.join(feature_names[:5])}{', ...' if len(feature_names) > 5 else ''})",
            rule="feature_names",
        )
    return matrix


def check_index_alignment(X: Any, other: Any, what: str) -> None:
    """When X and ``other`` both carry a pandas index, they must be the same rows."""
    if not isinstance(X, pd.DataFrame) or not isinstance(other, pd.Series | pd.DataFrame):
        return
    if X.index.equals(other.index):
        return
    if len(X.index) == len(other.index):
        position = int(np.argmax(np.asarray(X.index != other.index)))
        where = (
            f"at position {position} X has {X.index[position]!r} and {what} has "
            f"{other.index[position]!r}"
        )
    else:
        where = f"X has {len(X.index)} rows and {what} has {len(other.index)}"
    raise DataValidationError(
        f"X and {what} have different indexes ({where}): align them first, for example "
        f"{what} = {what}.loc[X.index]",
        rule="index_alignment",
    )


def _vector(values: Any, rows: int, what: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise DataValidationError(
            f"{what} must be 1-D with one value per row, got shape {array.shape}", rule="shape"
        )
    if len(array) != rows:
        raise DataValidationError(
            f"{what} has {len(array)} values but X has {rows} rows", rule="shape"
        )
    return array


def _first_bad(mask: np.ndarray, values: Any) -> str:
    position = int(np.argmax(mask))
    index = values.index if isinstance(values, pd.Series | pd.DataFrame) else None
    return _describe_row(index, position)


def classes_and_codes(y: Any, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct labels and each row's label as a code 0..k-1.

    Labels may be any sortable values (``-1/1``, ``"down"/"up"``); ``classes[codes]`` gives
    ``y`` back. Missing labels and a single class are refused.
    """
    labels = _vector(y, rows, "y")
    if labels.dtype.kind == "f" and np.isnan(labels).any():
        raise DataValidationError(
            f"y holds NaN (first at {_first_bad(np.isnan(labels), y)}): drop the rows whose "
            "label is unknown",
            rule="nan",
        )
    if labels.dtype.kind == "O" and pd.isna(labels).any():
        raise DataValidationError(
            f"y holds missing labels (first at {_first_bad(pd.isna(labels), y)}): drop the "
            "rows whose label is unknown",
            rule="nan",
        )
    try:
        classes, codes = np.unique(labels, return_inverse=True)
    except TypeError as error:
        raise DataValidationError(
            f"y holds labels that cannot be ordered ({error}): use labels of one type",
            rule="labels",
        ) from error
    if len(classes) < 2:
        raise DataValidationError(
            f"y holds one class only ({classes.tolist()}): a classifier needs at least two",
            rule="labels",
        )
    return classes, codes.astype(np.int64)


def codes_for(y: Any, classes: np.ndarray, rows: int, what: str) -> np.ndarray:
    """Codes of ``y`` in the fitted ``classes``; labels never seen in fit are an error."""
    labels = _vector(y, rows, what)
    codes = np.searchsorted(classes, labels)
    codes = np.clip(codes, 0, len(classes) - 1)
    unknown = classes[codes] != labels
    if unknown.any():
        raise DataValidationError(
            f"{what} holds labels {sorted(set(labels[unknown].tolist()))!r} that are not in "
            f"the training labels {classes.tolist()!r}",
            rule="labels",
        )
    return codes.astype(np.int64)


def regression_target(y: Any, rows: int, what: str = "y") -> np.ndarray:
    """y as finite float64 values, one per row."""
    try:
        target = _vector(y, rows, what).astype(np.float64)
    except (TypeError, ValueError) as error:
        raise DataValidationError(f"{what} must hold numbers: {error}", rule="labels") from error
    bad = ~np.isfinite(target)
    if bad.any():
        raise DataValidationError(
            f"{what} holds {int(bad.sum())} NaN or infinite value(s), the first at "
            f"{_first_bad(bad, y)}: drop the rows whose target is unknown",
            rule="nan",
        )
    return target


def sample_weights(sample_weight: Any, rows: int, what: str = "sample_weight") -> np.ndarray | None:
    """Finite, non-negative weights with a positive sum, or None."""
    if sample_weight is None:
        return None
    try:
        weights = _vector(sample_weight, rows, what).astype(np.float64)
    except (TypeError, ValueError) as error:
        raise DataValidationError(f"{what} must hold numbers: {error}", rule="weights") from error
    bad = ~np.isfinite(weights) | (weights < 0)
    if bad.any():
        raise DataValidationError(
            f"{what} must be finite and >= 0; {_first_bad(bad, sample_weight)} is "
            f"{float(weights[int(np.argmax(bad))])!r}",
            rule="weights",
        )
    if not weights.sum() > 0:
        raise DataValidationError(f"{what} sums to 0: no row would count", rule="weights")
    return weights


def validation_rows(rows: int, fraction: float) -> int:
    """How many of the last rows form the early-stopping slice: ``ceil(rows * fraction)``."""
    # round() first: 0.7 * 10 is 7.000000000000001 in binary floating point.
    count = math.ceil(round(rows * fraction, 9))
    if count < 1 or rows - count < 1:
        raise DataValidationError(
            f"validation_fraction={fraction} of {rows} rows leaves {rows - count} rows to train "
            f"on and {count} to validate on: early stopping needs both; pass more rows, another "
            "validation_fraction, an eval_set, or early_stopping_rounds=None",
            rule="shape",
        )
    return count


def eval_set_parts(eval_set: Any) -> tuple[Any, Any, Any]:
    """``(X, y, sample_weight or None)`` from ``(X, y)`` or ``(X, y, sample_weight)``, or from a
    list holding one such tuple (scikit-learn's spelling)."""
    if isinstance(eval_set, list) and len(eval_set) == 1:
        eval_set = eval_set[0]
    if not isinstance(eval_set, tuple) or len(eval_set) not in (2, 3):
        raise TypeError(
            "eval_set must be a tuple (X_val, y_val) or (X_val, y_val, sample_weight_val), or "
            f"a list holding one such tuple; got {type(eval_set).__name__}"
        )
    X, y, *rest = eval_set
    return X, y, rest[0] if rest else None


def early_stopping_sets(
    matrix: np.ndarray,
    target: np.ndarray,
    weights: np.ndarray | None,
    *,
    feature_names: Sequence[str],
    validation_fraction: float,
    eval_set: Any = None,
    eval_target: Callable[[Any, int], np.ndarray],
) -> tuple[LabelledRows, LabelledRows | None]:
    """The rows to train on and the rows to validate on (early stopping), in that order.

    - With ``eval_set`` (see :func:`eval_set_parts`): every row trains, and the eval set,
      checked like X (the same columns, in order; finite; aligned indexes) validates.
      ``eval_target(y_val, rows)`` encodes its target the way the training target was
      (for example ``codes_for(y, classes, rows, "eval_set y")``).
    - Else with ``validation_fraction > 0``: the LAST :func:`validation_rows` rows validate
      and the rows before them train. Never a random sample: rows are in time order, and a
      random split would validate on the past with the future in training.
    - Else (``validation_fraction == 0``; pass 0 when early stopping is off): every row
      trains and there is nothing to validate on (None).
    """
    if eval_set is not None:
        X_val, y_val, w_val = eval_set_parts(eval_set)
        if isinstance(X_val, pd.DataFrame):
            check_columns(X_val, feature_names, "eval_set X does not have the columns of X")
        val_matrix = training_matrix(X_val, "eval_set X")
        if val_matrix.shape[1] != len(feature_names):
            raise DataValidationError(
                f"eval_set X has {val_matrix.shape[1]} features but X has {len(feature_names)}",
                rule="shape",
            )
        check_index_alignment(X_val, y_val, "eval_set y")
        val_rows = len(val_matrix)
        validation = (
            val_matrix,
            eval_target(y_val, val_rows),
            sample_weights(w_val, val_rows, "eval_set sample_weight"),
        )
        return (matrix, target, weights), validation
    if validation_fraction == 0:
        return (matrix, target, weights), None
    cut = len(matrix) - validation_rows(len(matrix), validation_fraction)
    head = None if weights is None else weights[:cut]
    tail = None if weights is None else weights[cut:]
    return (matrix[:cut], target[:cut], head), (matrix[cut:], target[cut:], tail)


def warn_absent_classes(
    codes: np.ndarray,
    classes: np.ndarray,
    *,
    model: str,
    validation_fraction: float,
    stacklevel: int = 2,
) -> None:
    """Warn (UserWarning) when the rows trained on hold no row of some class.

    ``codes`` are the class codes of the rows trained on (the early-stopping slice cut
    off); a class found only in the slice is all but never predicted. ``stacklevel`` is
    as for :func:`warnings.warn`, counted from the caller.
    """
    absent = classes[np.bincount(codes, minlength=len(classes)) == 0]
    if len(absent):
        warnings.warn(
            f"{model}: the rows trained on hold no row of class {absent.tolist()} (they are "
            f"all in the early-stopping slice, the last {validation_fraction:.0%} of the "
            "rows); the model will all but never predict it. Pass more rows, a smaller "
            "validation_fraction or an eval_set",
            UserWarning,
            stacklevel=stacklevel + 1,
        )
