"""Where the detector's training labels come from, and the checks every label passes.

Labels follow mlcore's convention: 0 bull, 1 bear, 2 sideways, further states after
(:mod:`mlcore.regimes`). They are given to ``fit``, or made by the detector's teacher:

- ``"drawdown"``: :func:`mlcore.regimes.label_regimes` on the price path (rule-based
  bull/bear dating by 20% drawdowns and run-ups; it dates with hindsight, which is what a
  training target may do and a feature may not);
- ``"hmm"``: mlcore-hmm's ``HMMRegimeDetector(n_components=n_regimes)`` fit on the same
  rows, its filtered (forward-only) labels;
- any regime detector object: a fresh clone fit on the same rows, its ``predict``.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
from mlcore.errors import DataValidationError
from mlcore.modeling import check_index_alignment
from mlcore.regimes import label_regimes

from mlcore_torch.regime_inputs import price_path

__all__ = ["TEACHERS", "checked_labels", "teacher_labels"]

#: The teachers named by a string.
TEACHERS = ("drawdown", "hmm")


def _fresh(detector: Any) -> Any:
    clone = getattr(detector, "clone", None)
    return clone() if callable(clone) else copy.deepcopy(detector)


def teacher_labels(teacher: Any, features: Any, n_regimes: int, random_state: int) -> np.ndarray:
    """The teacher's labels for every row of ``features``."""
    if teacher is None:
        raise ValueError(
            "fit needs labels: pass labels= (one regime label per row, 0 bull, 1 bear, "
            "2 sideways), or set teacher='drawdown', teacher='hmm' or a regime detector"
        )
    if isinstance(teacher, str) and teacher == "drawdown":
        return np.asarray(label_regimes(price_path(features)), dtype=np.int64)
    if isinstance(teacher, str) and teacher == "hmm":
        try:
            from mlcore_hmm import HMMRegimeDetector
        except ImportError as error:
            raise ImportError(
                "teacher='hmm' needs the mlcore-hmm plugin: pip install mlcore-hmm, or pass "
                "labels= or teacher='drawdown'"
            ) from error
        detector: Any = HMMRegimeDetector(n_components=n_regimes, random_state=random_state)
    else:
        detector = _fresh(teacher)
    return np.asarray(detector.fit(features).predict(features))


def _first(mask: np.ndarray, labels: Any) -> str:
    position = int(np.argmax(mask))
    if isinstance(labels, pd.Series):
        return f"row {position} ({labels.index[position]!r})"
    return f"row {position}"


def checked_labels(labels: Any, features: Any, rows: int, n_regimes: int) -> np.ndarray:
    """``labels`` as int64 codes after checking: one per row, aligned, no NaN, integers in
    ``[0, n_regimes)``. Errors name the first bad row and the fix."""
    check_index_alignment(features, labels, "labels")
    values = np.asarray(labels)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1 or len(values) != rows:
        raise DataValidationError(
            f"labels has {len(values) if values.ndim == 1 else values.shape} values but the "
            f"features have {rows} rows: pass one regime label per row",
            rule="shape",
        )
    try:
        numbers = values.astype(np.float64)
    except (TypeError, ValueError) as error:
        raise DataValidationError(
            f"labels must be integer regime numbers (0 bull, 1 bear, 2 sideways), got "
            f"{values.dtype} values ({error})",
            rule="labels",
        ) from error
    missing = np.isnan(numbers)
    if missing.any():
        raise DataValidationError(
            f"labels holds {int(missing.sum())} NaN value(s), the first at "
            f"{_first(missing, labels)}: drop those rows (features too) or label them",
            rule="nan",
        )
    outside = (numbers < 0) | (numbers >= n_regimes) | (numbers != np.round(numbers))
    if outside.any():
        value = numbers[int(np.argmax(outside))]
        raise DataValidationError(
            f"label {value:g} at {_first(outside, labels)} is not an integer in [0, "
            f"{n_regimes}): regimes are numbered 0 bull, 1 bear, 2 sideways, further states "
            f"after; relabel (mlcore.regimes.relabel) or raise n_regimes",
            rule="labels",
        )
    return numbers.astype(np.int64)
