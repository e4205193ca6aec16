"""Market regimes: the label convention, canonical relabelling, statistics and dating.

Every regime detector numbers its states the same way: 0 bull (highest mean log return),
1 bear (lowest), 2 sideways (closest to zero among the rest), further states after by
descending mean. :func:`canonical_order` computes that order from per-state mean returns
and :func:`relabel` applies it, so the same market gives the same labels across refits
and seeds.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
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
    "detect_regimes",
    "expected_durations",
    "label_regimes",
    "plot_regimes",
    "probability_columns",
    "regime_name",
    "regime_statistics",
    "relabel",
    "shade_regimes",
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


# ---------------------------------------------------------------------------
# per-bar detection and charts (the ``mlcore regimes`` command)
# ---------------------------------------------------------------------------


def probability_columns(n_regimes: int) -> list[str]:
    """``p_bull``, ``p_bear``, ``p_sideways``, then ``p_state3``, ``p_state4``, ...

    >>> probability_columns(4)
    ['p_bull', 'p_bear', 'p_sideways', 'p_state3']
    """
    return [
        f"p_{REGIME_NAMES[k]}" if k < len(REGIME_NAMES) else f"p_state{k}" for k in range(n_regimes)
    ]


def detect_regimes(ohlcv: pd.DataFrame, detector: Any, fit_bars: int | None = None) -> pd.DataFrame:
    """Fit ``detector`` on the first ``fit_bars`` bars (all when None) and label every bar.

    Returns one row per bar with the index of ``ohlcv``: ``regime`` (the arg-max of the
    filtered probabilities), ``regime_name`` and one probability column per regime
    (:func:`probability_columns`). The probabilities are **filtered**: row ``t`` uses bars
    up to ``t`` only. Bars inside the fit window were also seen by the fit, so for a
    look-ahead-free test fit on a training window and read the rows after it.
    """
    if fit_bars is not None and not 0 < fit_bars <= len(ohlcv):
        raise ValueError(
            f"fit_bars must lie in [1, {len(ohlcv)}] for {len(ohlcv)} bars, got {fit_bars}"
        )
    window = ohlcv if fit_bars is None else ohlcv.iloc[:fit_bars]
    detector.fit(window)
    probabilities = np.asarray(detector.predict_proba(ohlcv), dtype=float)
    if probabilities.ndim != 2 or probabilities.shape[0] != len(ohlcv):
        raise ValueError(
            f"{type(detector).__name__}.predict_proba returned shape {probabilities.shape} "
            f"for {len(ohlcv)} bars; expected ({len(ohlcv)}, n_regimes)"
        )
    labels = probabilities.argmax(axis=1)
    frame = pd.DataFrame(
        probabilities, index=ohlcv.index, columns=probability_columns(probabilities.shape[1])
    )
    frame.insert(0, "regime_name", [regime_name(int(k)) for k in labels])
    frame.insert(0, "regime", labels.astype(np.int64))
    return frame


#: Shading colour per conventional label; further states cycle through the rest.
_REGIME_COLOURS = ("tab:green", "tab:red", "tab:gray", "tab:blue", "tab:purple", "tab:orange")


def _import_pyplot() -> Any:
    """matplotlib's pyplot on the non-interactive Agg backend, or a MissingExtraError."""
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as error:
        from mlcore.errors import MissingExtraError

        raise MissingExtraError("matplotlib", "reports", "Regime charts") from error
    return plt


def _span_edges(x: np.ndarray) -> np.ndarray:
    """``n + 1`` edges around ``n`` increasing points: midpoints between neighbours, and half
    a step beyond each end, so that each bar's shading is centred on the bar."""
    if x.size == 1:
        return np.array([x[0] - 0.5, x[0] + 0.5])
    middles = (x[1:] + x[:-1]) / 2
    edges: np.ndarray = np.r_[x[0] - (x[1] - x[0]) / 2, middles, x[-1] + (x[-1] - x[-2]) / 2]
    return edges


def shade_regimes(
    axes: Any, x: npt.ArrayLike | pd.Index, labels: npt.ArrayLike | pd.Series
) -> list[Any]:
    """Shade the background of matplotlib ``axes`` by regime, one span per run of equal labels.

    ``x`` holds the bars' positions on the x axis: numbers, or datetimes (a
    ``DatetimeIndex``, tz-aware or not, drawn as matplotlib dates). Returns one legend
    handle per regime that occurs, in label order (0 bull green, 1 bear red, 2 sideways
    grey).
    """
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    lab = np.asarray(labels, dtype=np.int64).ravel()
    positions = _axis_positions(x)
    if lab.size != positions.size:
        raise ValueError(f"x has {positions.size} points but labels has {lab.size}")
    if lab.size == 0:
        return []
    edges = _span_edges(positions)
    run_labels, run_lengths = _episodes(lab)
    starts = np.r_[0, np.cumsum(run_lengths)[:-1]]
    left, right = edges[starts], edges[starts + run_lengths]
    handles = []
    for k in sorted({int(k) for k in run_labels}):
        colour = _REGIME_COLOURS[k % len(_REGIME_COLOURS)]
        mine = run_labels == k
        # One collection per regime, spanning the axes' height (x in data, y in axes units):
        # as axvspan draws, but hundreds of episodes cost one artist instead of hundreds.
        spans = [
            [(a, 0.0), (a, 1.0), (b, 1.0), (b, 0.0)]
            for a, b in zip(left[mine], right[mine], strict=True)
        ]
        axes.add_collection(
            PolyCollection(
                spans,
                facecolors=colour,
                alpha=0.25,
                linewidths=0,
                transform=axes.get_xaxis_transform(),
                zorder=0.5,
            ),
            autolim=False,
        )
        handles.append(Patch(color=colour, alpha=0.25, label=regime_name(k)))
    return handles


def _axis_positions(x: npt.ArrayLike | pd.Index) -> np.ndarray:
    """Numbers as floats; datetimes as matplotlib date numbers (UTC for tz-aware ones)."""
    if isinstance(x, pd.DatetimeIndex) or np.issubdtype(np.asarray(x).dtype, np.datetime64):
        from matplotlib import dates

        index = x if isinstance(x, pd.DatetimeIndex) else pd.DatetimeIndex(np.asarray(x))
        if index.tz is not None:
            index = index.tz_convert("UTC").tz_localize(None)
        date2num: Any = dates.date2num
        return np.asarray(date2num(index.to_numpy()), dtype=float)
    return np.asarray(x, dtype=float).ravel()


def plot_regimes(ohlcv: pd.DataFrame, labels: npt.ArrayLike | pd.Series, path: str | Path) -> Path:
    """Save a PNG of the close price with the background shaded by regime; returns ``path``.

    Needs matplotlib (``pip install 'mlcore[reports]'``); it is imported here, with the
    non-interactive Agg backend.
    """
    plt = _import_pyplot()
    lab = np.asarray(labels, dtype=np.int64).ravel()
    if lab.size != len(ohlcv):
        raise ValueError(f"ohlcv has {len(ohlcv)} rows but labels has {lab.size}")
    x = np.arange(len(ohlcv))
    figure, axes = plt.subplots(figsize=(12, 5))
    try:
        axes.plot(x, ohlcv["close"].to_numpy(dtype=float), color="black", linewidth=0.8)
        axes.legend(handles=shade_regimes(axes, x, lab), loc="upper left")
        ticks = np.linspace(0, max(len(ohlcv) - 1, 0), num=min(6, len(ohlcv)), dtype=int)
        axes.set_xticks(ticks)
        axes.set_xticklabels([str(ohlcv.index[i])[:10] for i in ticks])
        axes.set_xlim(-0.5, len(ohlcv) - 0.5)
        axes.set_ylabel("close")
        close = ohlcv["close"].to_numpy(dtype=float)
        if len(close) and close.max() > 10 * close.min():
            axes.set_yscale("log")  # prices spanning decades stay readable
        axes.set_title("Close price shaded by regime (filtered)")
        figure.tight_layout()
        target = Path(path)
        figure.savefig(target, format="png", dpi=100)
    finally:
        plt.close(figure)
    return target
