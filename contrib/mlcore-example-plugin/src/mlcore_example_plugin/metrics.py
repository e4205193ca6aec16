"""The ``hit_rate`` metric: how often a directional call was right."""

from __future__ import annotations

from typing import Any

import numpy as np
from mlcore import metric

__all__ = ["hit_rate"]


@metric(greater_is_better=True)
def hit_rate(y_true: Any, y_pred: Any) -> float:
    """Fraction of bars where ``sign(y_pred) == sign(y_true)``, over bars that moved.

    ``y_true`` holds realised returns and ``y_pred`` predictions (signed forecasts or
    -1/0/1 signals). Bars whose realised return is 0 are ignored: there was nothing to
    call. A prediction of 0 on a bar that moved counts as a miss. Pairs where either
    value is NaN are ignored.

    >>> hit_rate([0.01, -0.02, 0.0, 0.03], [1, 1, -1, 0.5])
    0.6666666666666666
    """
    truth = np.asarray(y_true, dtype=float).ravel()
    guess = np.asarray(y_pred, dtype=float).ravel()
    if truth.shape != guess.shape:
        raise ValueError(
            f"hit_rate needs y_true and y_pred of the same length, got {truth.size} and "
            f"{guess.size}"
        )
    scored = ~(np.isnan(truth) | np.isnan(guess)) & (truth != 0)
    if not scored.any():
        raise ValueError(
            "hit_rate needs at least one bar with a non-zero, non-NaN realised return and a "
            "non-NaN prediction"
        )
    return float(np.mean(np.sign(truth[scored]) == np.sign(guess[scored])))
