"""Market regimes: the label convention, canonical relabelling, statistics and dating.

Every regime detector numbers its states the same way: 0 bull (highest mean log return),
1 bear (lowest), 2 sideways (closest to zero among the rest), further states after by
descending mean. :func:`canonical_order` computes that order from per-state mean returns
and :func:`relabel` applies it, so the same market gives the same labels across refits
and seeds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "BEAR",
    "BULL",
    "REGIME_NAMES",
    "SIDEWAYS",
    "canonical_order",
    "expected_durations",
    "label_regimes",
    "regime_name",
    "regime_statistics",
    "relabel",
    "transition_matrix_from_labels",
]

BULL = 0
BEAR = 1
SIDEWAYS = 2
#: Names of the conventional labels; states numbered after 2 are ``"regime_<k>"``.
REGIME_NAMES: tuple[str, ...] = ("bull", "bear", "sideways")


def regime_name(label: int) -> str:
    """``0 -> "bull"``, ``1 -> "bear"``, ``2 -> "sideways"``, ``k -> "regime_k"``."""
    return REGIME_NAMES[label] if 0 <= label < len(REGIME_NAMES) else f"regime_{label}"


def canonical_order(mean_returns: npt.ArrayLike) -> np.ndarray:
    """The states in canonical order: ``order[k]`` is the old state that becomes label ``k``.

    Label 0 is the state with the highest mean log return, 1 the lowest, 2 the one closest
    to zero among the rest, further states after by descending mean. Ties break by the old
    state number, so the order is deterministic.

    >>> canonical_order([0.0, 0.01, -0.02]).tolist()
    [1, 2, 0]
    """
    means = np.asarray(mean_returns, dtype=float).ravel()
    if means.size < 2 or not np.isfinite(means).all():
        raise ValueError(f"mean_returns must be >= 2 finite numbers, got {means.tolist()!r}")
    states = list(range(means.size))
    bull = min(states, key=lambda s: (-means[s], s))
    states.remove(bull)
    bear = min(states, key=lambda s: (means[s], s))
    states.remove(bear)
    order = [bull, bear]
    if states:
        sideways = min(states, key=lambda s: (abs(means[s]), s))
        states.remove(sideways)
        order.append(sideways)
        order.extend(sorted(states, key=lambda s: (-means[s], s)))
    return np.asarray(order, dtype=np.int64)


def relabel(labels: npt.ArrayLike, order: npt.ArrayLike) -> np.ndarray:
    """Map old state numbers to canonical labels: old state ``order[k]`` becomes ``k``.

    >>> relabel([0, 1, 2, 2], [1, 2, 0]).tolist()
    [2, 0, 1, 1]
    """
    perm = np.asarray(order, dtype=np.int64)
    inverse = np.empty_like(perm)
    inverse[perm] = np.arange(perm.size)
    values = np.asarray(labels, dtype=np.int64)
    if values.size and (values.min() < 0 or values.max() >= perm.size):
        raise ValueError(f"labels must lie in [0, {perm.size}) for an order of {perm.size} states")
    result: np.ndarray = inverse[values]
    return result


def _episodes(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Runs of equal labels: (label of each run, length of each run)."""
    if labels.size == 0:
        return labels, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    lengths = np.diff(np.r_[starts, labels.size])
    return labels[starts], lengths


def regime_statistics(
    returns: npt.ArrayLike | pd.Series,
    labels: npt.ArrayLike | pd.Series,
    periods_per_year: float = 252,
    n_regimes: int | None = None,
) -> pd.DataFrame:
    """One row per regime: share of bars, mean return, annualised volatility (sample
    standard deviation times ``sqrt(periods_per_year)``), mean duration in bars and the
    number of episodes (maximal runs of the regime). Regimes that never occur have a
    share and episode count of 0 and NaN elsewhere.
    """
    r = np.asarray(returns, dtype=float).ravel()
    lab = np.asarray(labels, dtype=np.int64).ravel()
    if r.size != lab.size:
        raise ValueError(f"returns has {r.size} rows but labels has {lab.size}")
    k = int(n_regimes if n_regimes is not None else (lab.max() + 1 if lab.size else 0))
    run_labels, run_lengths = _episodes(lab)
    rows: list[dict[str, Any]] = []
    for state in range(k):
        mask = lab == state
        values = r[mask]
        lengths = run_lengths[run_labels == state]
        rows.append(
            {
                "regime": state,
                "name": regime_name(state),
                "share": float(mask.mean()) if lab.size else float("nan"),
                "mean_return": float(values.mean()) if values.size else float("nan"),
                "volatility": float(values.std(ddof=1) * np.sqrt(periods_per_year))
                if values.size > 1
                else float("nan"),
                "mean_duration": float(lengths.mean()) if lengths.size else float("nan"),
                "episodes": int(lengths.size),
            }
        )
    return pd.DataFrame(rows).set_index("regime")


def transition_matrix_from_labels(
    labels: npt.ArrayLike, n_regimes: int | None = None
) -> np.ndarray:
    """Empirical transition matrix: row i is the share of moves from i to each state.

    A state never left (or never seen) gets a row with 1 on the diagonal.
    """
    lab = np.asarray(labels, dtype=np.int64).ravel()
    k = int(n_regimes if n_regimes is not None else (lab.max() + 1 if lab.size else 0))
    counts = np.zeros((k, k))
    np.add.at(counts, (lab[:-1], lab[1:]), 1.0)
    totals = counts.sum(axis=1, keepdims=True)
    empty = totals[:, 0] == 0
    counts[empty] = np.eye(k)[empty]
    totals[empty] = 1.0
    result: np.ndarray = counts / totals
    return result


def expected_durations(transmat: npt.ArrayLike) -> np.ndarray:
    """Expected bars per visit of each state, ``1 / (1 - p_ii)`` (inf for an absorbing state)."""
    diagonal = np.diag(np.asarray(transmat, dtype=float))
    with np.errstate(divide="ignore"):
        result: np.ndarray = 1.0 / (1.0 - diagonal)
    return result


def label_regimes(
    prices: npt.ArrayLike | pd.Series,
    method: str = "drawdown",
    threshold: float = 0.2,
    sideways_band: float | None = None,
) -> pd.Series | np.ndarray:
    """Rule-based bull/bear dating by drawdown and run-up thresholds.

    **Uses hindsight**: a bar is dated bear once a later fall of ``threshold`` confirms the
    peak before it. Use the labels for teaching and as training targets (for example for a
    neural detector), never as a live feature.

    A bear phase starts at a peak after which prices fall by ``threshold`` (relative) before
    rising ``threshold`` above the lowest point, and ends at that trough; the bars after the
    trough up to the next such peak are bull. If ``sideways_band`` is given, a phase whose
    total return (from its first to its last price) lies within ``±sideways_band`` is
    labelled sideways (2) instead. The last, unconfirmed phase keeps the direction of the
    prices since the last turning point.

    Returns labels (0 bull, 1 bear, 2 sideways) with the index of ``prices`` when it is a
    Series, else an array.
    """
    if method != "drawdown":
        raise ValueError(f"unknown method {method!r}; the available method is 'drawdown'")
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be in (0, 1), got {threshold!r}")
    p = np.asarray(prices, dtype=float).ravel()
    if p.size and (not np.isfinite(p).all() or (p <= 0).any()):
        raise ValueError("prices must be finite and positive")
    labels = np.zeros(p.size, dtype=np.int64)
    if p.size:
        turns = _turning_points(p, threshold)
        bounds = [0, *(i for i, _ in turns), p.size - 1]
        kinds = [kind for _, kind in turns]
        # The phase before the first turn is bull if it ends at a peak; the last phase runs
        # away from the last turn.
        first_bear = kinds[0] == "trough" if kinds else p[-1] < p[0]
        for j in range(len(bounds) - 1):
            start, end = bounds[j], bounds[j + 1]
            bear = first_bear if j % 2 == 0 else not first_bear
            label = BEAR if bear else BULL
            if sideways_band is not None and abs(p[end] / p[start] - 1.0) <= sideways_band:
                label = SIDEWAYS
            # Turning points belong to the phase that ends there; the first bar to phase 0.
            labels[start + (1 if j else 0) : end + 1] = label
    if isinstance(prices, pd.Series):
        return pd.Series(labels, index=prices.index, name="regime")
    return labels


def _turning_points(p: np.ndarray, threshold: float) -> list[tuple[int, str]]:
    """Confirmed peaks and troughs, alternating: a peak is confirmed by a later fall of
    ``threshold`` from it, a trough by a later rise of ``threshold``."""
    turns: list[tuple[int, str]] = []
    trend: str | None = None
    high_i = low_i = 0
    for i in range(1, p.size):
        if p[i] > p[high_i]:
            high_i = i
        if p[i] < p[low_i]:
            low_i = i
        if trend != "down" and p[i] <= p[high_i] * (1 - threshold):
            turns.append((high_i, "peak"))
            trend, low_i = "down", i
        elif trend != "up" and p[i] >= p[low_i] * (1 + threshold):
            turns.append((low_i, "trough"))
            trend, high_i = "up", i
    return _drop_leading(turns)


def _drop_leading(turns: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    # A turn at bar 0 is the start of the series, not a phase boundary.
    return [t for t in turns if t[0] > 0]
