"""Leakage-free cross-validation on time series: purged walk-forward and combinatorial
purged CV (López de Prado, *Advances in Financial Machine Learning*, chapters 7 and 12).

A label at bar ``t`` is known only at ``t1``, the end of its window (:mod:`mlcore.labels`).

- **Purging** drops every training row whose label window ``[t, t1]`` overlaps the time span
  of a test block (from its first bar to the last ``t1`` of its labels): such a row's
  outcome shares returns with the test rows, so training on it leaks the test answers.
- **Embargo** drops the ``embargo`` rows that follow each test block's span: features and
  returns are serially correlated, so rows just after a test block still carry its
  information. It acts only where training rows come after a test block (CPCV). In
  walk-forward every training row precedes its test block, so the embargo removes nothing;
  purging is what matters there, and ``gap`` drops extra rows just before each test block.

:func:`cross_validate` fits everything (imputers, scalers, selectors, the model) on each
fold's training rows only, then scores on its test rows. The splitters follow
scikit-learn's splitter API (``split`` / ``get_n_splits``), with the label end times passed
as ``split(X, t1=labels.t1)``.
"""

from __future__ import annotations

import copy
import inspect
import itertools
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from mlcore.errors import ConfigError, SplitError
from mlcore.labels import Labels

if TYPE_CHECKING:
    from mlcore.config import ValidationConfig

__all__ = [
    "CVResult",
    "CombinatorialPurgedCV",
    "Fold",
    "PurgedWalkForward",
    "Splitter",
    "cross_validate",
    "splitter_from_config",
    "time_series_split",
]

_IntArray: TypeAlias = npt.NDArray[np.intp]
#: One split: (training row positions, test row positions), both sorted.
Fold: TypeAlias = tuple[_IntArray, _IntArray]
_Progress: TypeAlias = Callable[[int, int, Mapping[str, float]], object]


# ---------------------------------------------------------------------------
# Shared machinery
# ---------------------------------------------------------------------------


def _num_samples(data: Any) -> int:
    shape = getattr(data, "shape", None)
    if shape is not None and len(shape) > 0:
        return int(shape[0])
    return len(data)


def _label_ends(X: Any, t1: object, n: int, owner: str) -> _IntArray:
    """For each row, the position of the last bar at or before its ``t1``.

    A missing ``t1`` (NaT: the outcome is not known within the data) counts as the last
    bar, so the row is purged from any training set that precedes a test block.
    """
    if not isinstance(t1, pd.Series):
        raise TypeError(
            f"{owner}: t1 must be a pandas Series of label end times indexed by the rows' "
            f"times (Labels.t1), got {type(t1).__name__}"
        )
    if len(t1) != n:
        raise SplitError(
            f"{owner}: t1 has {len(t1)} rows but X has {n}; pass the label end times of "
            "exactly X's rows (features, labels = labels.align(features) gives both)"
        )
    index = getattr(X, "index", None)
    if isinstance(index, pd.Index) and not index.equals(t1.index):
        raise SplitError(
            f"{owner}: t1's index is not X's index (different rows or order); align them "
            "first: features, labels = labels.align(features), then pass t1=labels.t1"
        )
    times = t1.index
    if not times.is_monotonic_increasing:
        raise SplitError(
            f"{owner}: the rows must be sorted by time for walk-forward splits; sort X, y and "
            "t1 by their index (sort_index())"
        )
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    ends = t1.fillna(times[-1]) if t1.hasnans else t1
    try:
        positions = np.asarray(times.searchsorted(ends.array, side="right"), dtype=np.intp) - 1
    except (TypeError, ValueError) as error:
        raise SplitError(
            f"{owner}: t1's values cannot be compared with its index ({error}); both must be "
            "timestamps in the same time zone"
        ) from None
    early = positions < np.arange(n)
    if early.any():
        first = int(np.flatnonzero(early)[0])
        raise SplitError(
            f"{owner}: t1 is earlier than its own row's time in {int(early.sum())} row(s), "
            f"first at {times[first]} (t1 {t1.iloc[first]}); a label cannot be known before "
            "its bar, so t1 must be >= the row's time"
        )
    return positions


def _purge(
    train: _IntArray, blocks: Sequence[tuple[int, int]], ends: _IntArray, embargo: int
) -> _IntArray:
    """Training rows left once purging and the embargo have acted around each test block.

    A block ``[start, stop)`` spans its first bar to its labels' last end; a training row is
    dropped when its ``[t, t1]`` reaches into that span, or when it starts within ``embargo``
    rows after it.
    """
    keep = np.ones(train.size, dtype=bool)
    label_ends = ends[train]
    for start, stop in blocks:
        span_end = int(ends[start:stop].max()) + embargo
        keep &= (train > span_end) | (label_ends < start)
    return train[keep]


def _rows_of_embargo(embargo: int | float, n: int) -> int:
    return int(n * embargo) if isinstance(embargo, float) else int(embargo)


def _check_whole(minimum: int) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
            raise ValueError(
                f"{type(instance).__name__}.{attribute.name} must be a whole number "
                f">= {minimum}, got {value!r}"
            )

    return check


def _check_embargo(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    rows = isinstance(value, int | np.integer) and not isinstance(value, bool) and value >= 0
    fraction = isinstance(value, float) and 0.0 <= value < 1.0
    if not (rows or fraction):
        raise ValueError(
            f"{type(instance).__name__}.embargo must be a number of rows >= 0 or a fraction "
            f"of the rows in [0, 1), got {value!r}"
        )


def _check_test_size(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    rows = isinstance(value, int | np.integer) and not isinstance(value, bool) and value >= 1
    fraction = isinstance(value, float) and 0.0 < value < 1.0
    if not (rows or fraction):
        raise ValueError(
            f"{type(instance).__name__}.test_size must be a fraction in (0, 1) or a whole "
            f"number of rows >= 1, got {value!r}"
        )


def _check_bool(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, bool):
        raise ValueError(f"{type(instance).__name__}.{attribute.name} must be True or False")


# ---------------------------------------------------------------------------
# Walk-forward
# ---------------------------------------------------------------------------


@attrs.frozen
class PurgedWalkForward:
    """Walk-forward cross-validation with purging.

    The last rows of the data are cut into ``n_splits`` consecutive, non-overlapping test
    blocks; each fold trains on rows before its test block only::

        fold 0: [train.........][gap][test0]
        fold 1: [train...............][gap][test1]
        fold 2: [train.....................][gap][test2]      (expanding)
        fold 2:           [train_size rows][gap][test2]       (rolling)

    Parameters
    ----------
    n_splits
        Number of folds (test blocks), >= 1.
    test_size
        A fraction in (0, 1): the share of all rows held out, the test blocks together
        (``0.2`` with 5 splits: five blocks of 4% of the rows each, the first fold trains on
        the first 80%). A whole number: the rows in each test block.
    window
        ``expanding`` (training starts at the first row) or ``rolling`` (the ``train_size``
        rows before the gap).
    train_size
        Rows in each rolling training window (before purging); only with ``window="rolling"``.
    gap
        Rows dropped between the end of training and each test block (scikit-learn's
        ``TimeSeriesSplit(gap=...)``), on top of purging.
    embargo
        Rows (or a fraction of all rows) dropped after each test block's span. No training
        row follows the test block in walk-forward, so this removes nothing here; it is
        accepted so that one config drives every splitter (see
        :class:`CombinatorialPurgedCV`).
    purge
        Drop training rows whose label window ``[t, t1]`` overlaps the test block's span;
        needs ``split(..., t1=labels.t1)``. ``False`` treats every label as known at its own
        bar (only right for labels that do not look ahead).
    """

    n_splits: int = attrs.field(default=5, validator=_check_whole(1))
    test_size: float | int = attrs.field(default=0.2, validator=_check_test_size)
    window: Literal["expanding", "rolling"] = attrs.field(
        default="expanding", validator=attrs.validators.in_(("expanding", "rolling"))
    )
    train_size: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(_check_whole(1))
    )
    gap: int = attrs.field(default=0, validator=_check_whole(0))
    embargo: int | float = attrs.field(default=0, validator=_check_embargo)
    purge: bool = attrs.field(default=True, validator=_check_bool)

    def __attrs_post_init__(self) -> None:
        if self.window == "rolling" and self.train_size is None:
            raise ValueError(
                "PurgedWalkForward(window='rolling') needs train_size, the rows in each "
                "training window; set it, or use window='expanding'"
            )
        if self.window == "expanding" and self.train_size is not None:
            raise ValueError(
                f"PurgedWalkForward.train_size={self.train_size} only applies to "
                "window='rolling'; set window='rolling' or drop train_size"
            )

    @classmethod
    def from_config(cls, cfg: ValidationConfig) -> PurgedWalkForward:
        """The walk-forward splitter a ``training.validation`` config section describes.

        Raises
        ------
        ConfigError
            ``train_size`` is set with ``window: expanding`` (it sizes rolling windows only).
        """
        if cfg.window == "expanding" and cfg.train_size is not None:
            raise ConfigError(
                f"train_size {cfg.train_size} sizes rolling training windows, but window is "
                "'expanding'; set window: rolling, or remove train_size",
                key_path="training.validation.train_size",
            )
        return cls(
            n_splits=cfg.n_splits,
            test_size=cfg.test_size,
            window=cfg.window,  # type: ignore[arg-type]
            train_size=cfg.train_size,
            embargo=cfg.embargo,
            purge=cfg.purge,
        )

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """The number of folds."""
        return self.n_splits

    def test_block_size(self, n_samples: int) -> int:
        """Rows in each test block for data of ``n_samples`` rows."""
        if isinstance(self.test_size, float):
            # The epsilon keeps 0.2 * 1000 from flooring to 199.
            return int(self.test_size * n_samples + 1e-9) // self.n_splits
        return self.test_size

    def split(
        self, X: Any, y: Any = None, groups: Any = None, *, t1: pd.Series | None = None
    ) -> Iterator[Fold]:
        """Yield ``(train, test)`` row positions for each fold, oldest test block first.

        ``t1`` (the labels' end times, a Series on X's index) is needed when ``purge`` is
        on. Every fold is checked before the first is yielded.
        """
        return iter(self._folds(X, t1))

    def _folds(self, X: Any, t1: pd.Series | None) -> list[Fold]:
        n = _num_samples(X)
        ends = self._ends(X, t1, n)
        size = self.test_block_size(n)
        if size < 1:
            raise SplitError(
                f"{self!r}: test_size={self.test_size} leaves less than one row per test block "
                f"for {n} rows and {self.n_splits} splits; use a larger test_size, fewer splits "
                "or more rows"
            )
        first_test = n - self.n_splits * size
        if first_test - self.gap < 1:
            raise SplitError(
                f"{self!r}: no training rows are left before the first test block ({n} rows, "
                f"{self.n_splits} test blocks of {size} rows, gap {self.gap}); use fewer "
                "splits, a smaller test_size or gap, or more rows"
            )
        embargo = _rows_of_embargo(self.embargo, n)
        folds: list[Fold] = []
        for fold in range(self.n_splits):
            start = first_test + fold * size
            train_end = start - self.gap
            train_start = 0 if self.train_size is None else max(0, train_end - self.train_size)
            train = np.arange(train_start, train_end, dtype=np.intp)
            train = _purge(train, [(start, start + size)], ends, embargo)
            if train.size == 0:
                raise SplitError(
                    f"{self!r}: fold {fold} has no training rows left after purging (every "
                    "label window reaches into its test block); use a longer train_size, "
                    "shorter label horizons, or fewer splits"
                )
            folds.append((train, np.arange(start, start + size, dtype=np.intp)))
        return folds

    def _ends(self, X: Any, t1: pd.Series | None, n: int) -> _IntArray:
        if not self.purge:
            return np.arange(n, dtype=np.intp)
        if t1 is None:
            raise SplitError(
                f"{type(self).__name__}(purge=True) needs the labels' end times to purge: "
                "call split(X, t1=labels.t1) (or cross_validate(..., t1=labels.t1)); use "
                "purge=False only for labels known at their own bar"
            )
        return _label_ends(X, t1, n, type(self).__name__)


def time_series_split(
    X: Any,
    n_splits: int = 5,
    test_size: float | int = 0.2,
    *,
    window: Literal["expanding", "rolling"] = "expanding",
    train_size: int | None = None,
    gap: int = 0,
    embargo: int | float = 0,
    t1: pd.Series | None = None,
) -> list[Fold]:
    """The seed design's function: the folds of :class:`PurgedWalkForward` as a list.

    Purges when ``t1`` (the labels' end times) is given; without it, no row is purged.
    """
    splitter = PurgedWalkForward(
        n_splits=n_splits,
        test_size=test_size,
        window=window,
        train_size=train_size,
        gap=gap,
        embargo=embargo,
        purge=t1 is not None,
    )
    return list(splitter.split(X, t1=t1))


# ---------------------------------------------------------------------------
# Combinatorial purged CV
# ---------------------------------------------------------------------------


@attrs.frozen
class CombinatorialPurgedCV:
    """Combinatorial purged cross-validation (CPCV, López de Prado ch. 12).

    The rows are cut into ``n_splits`` consecutive groups; every choice of
    ``n_test_groups`` of them is a test set, and the model trains on the other groups, less
    the purged and embargoed rows around each test group::

        groups:  [ G0 ][ G1 ][ G2 ][ G3 ][ G4 ][ G5 ]
        split:   [train][test][p|e train][test][p|e train]
                  p: purged (labels reach into the test group), e: embargo after it

    That gives ``C(n_splits, n_test_groups)`` splits, and each group is tested in
    ``n_backtest_paths = C(n_splits - 1, n_test_groups - 1)`` of them: stitching those
    predictions together gives that many complete out-of-sample backtest paths
    (:meth:`backtest_paths`).

    Parameters
    ----------
    n_splits
        Number of groups, >= 2.
    n_test_groups
        Groups in each test set, 1 <= n_test_groups < n_splits.
    embargo
        Rows (or a fraction of all rows) dropped after each test group's span, because
        training rows right after a test group still carry its information.
    purge
        Drop training rows whose label window overlaps a test group's span; needs
        ``split(..., t1=labels.t1)``.
    """

    n_splits: int = attrs.field(default=6, validator=_check_whole(2))
    n_test_groups: int = attrs.field(default=2, validator=_check_whole(1))
    embargo: int | float = attrs.field(default=0, validator=_check_embargo)
    purge: bool = attrs.field(default=True, validator=_check_bool)

    def __attrs_post_init__(self) -> None:
        if self.n_test_groups >= self.n_splits:
            raise ValueError(
                f"CombinatorialPurgedCV.n_test_groups ({self.n_test_groups}) must be smaller "
                f"than n_splits ({self.n_splits}), or nothing is left to train on"
            )

    @classmethod
    def from_config(cls, cfg: ValidationConfig) -> CombinatorialPurgedCV:
        """The CPCV splitter a ``training.validation`` config section describes."""
        return cls(
            n_splits=cfg.n_splits,
            n_test_groups=cfg.n_test_groups,
            embargo=cfg.embargo,
            purge=cfg.purge,
        )

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """``C(n_splits, n_test_groups)``."""
        return math.comb(self.n_splits, self.n_test_groups)

    @property
    def n_backtest_paths(self) -> int:
        """Complete out-of-sample paths: ``C(n_splits - 1, n_test_groups - 1)``."""
        return math.comb(self.n_splits - 1, self.n_test_groups - 1)

    def test_groups(self) -> list[tuple[int, ...]]:
        """The groups tested by each split, in split order."""
        return list(itertools.combinations(range(self.n_splits), self.n_test_groups))

    def group_bounds(self, n_samples: int) -> list[tuple[int, int]]:
        """``[start, stop)`` of each group: consecutive, sizes differing by at most one."""
        edges = [len(part) for part in np.array_split(np.arange(n_samples), self.n_splits)]
        stops = np.cumsum(edges)
        return [(int(stop - size), int(stop)) for size, stop in zip(edges, stops, strict=True)]

    def backtest_paths(self) -> npt.NDArray[np.intp]:
        """``paths[p, g]``: the split whose test predictions fill group ``g`` on path ``p``.

        Path ``p`` takes, for each group, the ``p``-th split (in split order) that tests it.
        """
        combos = self.test_groups()
        paths = np.empty((self.n_backtest_paths, self.n_splits), dtype=np.intp)
        for group in range(self.n_splits):
            paths[:, group] = [number for number, c in enumerate(combos) if group in c]
        return paths

    def split(
        self, X: Any, y: Any = None, groups: Any = None, *, t1: pd.Series | None = None
    ) -> Iterator[Fold]:
        """Yield ``(train, test)`` row positions for each combination of test groups."""
        return iter(self._folds(X, t1))

    def _folds(self, X: Any, t1: pd.Series | None) -> list[Fold]:
        n = _num_samples(X)
        if n < self.n_splits:
            raise SplitError(f"{self!r} needs at least {self.n_splits} rows, got {n}")
        if not self.purge:
            ends = np.arange(n, dtype=np.intp)
        elif t1 is None:
            raise SplitError(
                "CombinatorialPurgedCV(purge=True) needs the labels' end times to purge: call "
                "split(X, t1=labels.t1) (or cross_validate(..., t1=labels.t1)); use "
                "purge=False only for labels known at their own bar"
            )
        else:
            ends = _label_ends(X, t1, n, "CombinatorialPurgedCV")
        bounds = self.group_bounds(n)
        embargo = _rows_of_embargo(self.embargo, n)
        folds: list[Fold] = []
        for number, combo in enumerate(self.test_groups()):
            blocks = [bounds[group] for group in combo]
            test = np.concatenate([np.arange(a, b, dtype=np.intp) for a, b in blocks])
            in_test = np.zeros(n, dtype=bool)
            in_test[test] = True
            train = _purge(np.flatnonzero(~in_test).astype(np.intp), blocks, ends, embargo)
            if train.size == 0:
                raise SplitError(
                    f"{self!r}: split {number} (test groups {combo}) has no training rows left "
                    "after purging and the embargo; use more rows, a smaller embargo or "
                    "shorter label horizons"
                )
            folds.append((train, test))
        return folds


#: A splitter built by :func:`splitter_from_config`.
Splitter: TypeAlias = PurgedWalkForward | CombinatorialPurgedCV


def splitter_from_config(cfg: ValidationConfig) -> Splitter:
    """The splitter of a ``training.validation`` section.

    ``walk_forward`` and ``time_series_split`` (the seed design's name for the same thing)
    give :class:`PurgedWalkForward`; ``combinatorial_purged`` gives
    :class:`CombinatorialPurgedCV`.
    """
    if cfg.method == "combinatorial_purged":
        return CombinatorialPurgedCV.from_config(cfg)
    return PurgedWalkForward.from_config(cfg)


# ---------------------------------------------------------------------------
# Cross-validation
# ---------------------------------------------------------------------------


@attrs.frozen(eq=False)
class CVResult:
    """What :func:`cross_validate` measured.

    Attributes
    ----------
    scores
        One row per fold: ``fold``, ``n_train``, ``n_test``, ``train_start``,
        ``train_end``, ``test_start``, ``test_end`` (first and last row times), ``fit_time``
        and ``score_time`` (seconds), then one column per scorer.
    oof_predictions
        Out-of-fold predictions on X's index; NaN where a row was in no test block. A row
        tested by several splits (CPCV) keeps the first one's, which is backtest path 0.
    oof_proba
        Out-of-fold class probabilities (one column per class seen in any fold, 0 for a
        class a fold's model never saw), or None when the estimator has no
        ``predict_proba``.
    folds
        ``(train, test)`` row positions of each fold.
    fold_predictions
        Each fold's predictions on its test rows (to assemble CPCV backtest paths).
    estimators
        The fitted estimator of each fold when asked for (``return_estimators=True``).
    metrics
        The scorers' names, the metric columns of ``scores``.
    """

    scores: pd.DataFrame
    oof_predictions: pd.Series
    oof_proba: pd.DataFrame | None
    folds: tuple[Fold, ...]
    fold_predictions: tuple[np.ndarray, ...]
    estimators: tuple[Any, ...] = ()
    metrics: tuple[str, ...] = ()

    @property
    def fit_times(self) -> npt.NDArray[np.float64]:
        """Seconds spent in each fold's ``estimator.fit``."""
        return self.scores["fit_time"].to_numpy(dtype=np.float64)

    def mean_scores(self) -> pd.Series:
        """Each metric's mean over the folds."""
        return self.scores[list(self.metrics)].mean()

    def std_scores(self) -> pd.Series:
        """Each metric's standard deviation over the folds."""
        return self.scores[list(self.metrics)].std()


def _take(data: Any, rows: _IntArray) -> Any:
    if isinstance(data, pd.DataFrame | pd.Series):
        return data.iloc[rows]
    return data[rows]


def _fresh(component: Any) -> Any:
    """An unfitted copy: call a factory or class, clone an instance."""
    if isinstance(component, type):
        return component()
    if hasattr(component, "fit"):
        clone = getattr(component, "clone", None)
        if callable(clone):
            return clone()
        try:
            from sklearn.base import clone as sklearn_clone

            return sklearn_clone(component)
        except TypeError:  # not a scikit-learn estimator
            return copy.deepcopy(component)
    if callable(component):
        return component()
    raise TypeError(
        f"expected an estimator factory (a callable returning an unfitted estimator) or an "
        f"estimator to clone, got {component!r}"
    )


def _fit_preprocessing(preprocess: Any, X_train: Any, y_train: Any) -> Any:
    """A transformer fit on the training rows only.

    A transformer (or a transformer class: it has ``fit``) gets a fresh copy fit on the rows;
    any other callable is called as ``preprocess(X_train, y_train)``.
    """
    if hasattr(preprocess, "fit") and hasattr(preprocess, "transform"):
        transformer = _fresh(preprocess)
        transformer.fit(X_train, y_train)
        return transformer
    transformer = preprocess(X_train, y_train)
    if not hasattr(transformer, "transform"):
        raise TypeError(
            f"preprocess(X_train, y_train) must return a fitted transformer (with transform), "
            f"got {transformer!r}"
        )
    return transformer


def _fold_params(fit_params: Mapping[str, Any], train: _IntArray, n: int) -> dict[str, Any]:
    """Per-row fit parameters (sample_weight ...) cut to the training rows."""
    params = {}
    for key, value in fit_params.items():
        per_row = (
            isinstance(value, np.ndarray | pd.Series | pd.DataFrame)
            and value.ndim >= 1
            and _num_samples(value) == n
        )
        params[key] = _take(value, train) if per_row else value
    return params


def _folds_of(cv: Any, X: Any, y: Any, t1: pd.Series | None) -> list[Fold]:
    try:
        takes_t1 = "t1" in inspect.signature(cv.split).parameters
    except (TypeError, ValueError):
        takes_t1 = False
    if takes_t1:
        pairs = cv.split(X, y, t1=t1)
    elif t1 is not None:
        raise TypeError(
            f"{cv!r}.split takes no t1, so it cannot purge overlapping labels; use "
            "PurgedWalkForward or CombinatorialPurgedCV, or pass t1=None"
        )
    else:
        pairs = cv.split(X, y)
    folds = [
        (np.asarray(train, dtype=np.intp), np.asarray(test, dtype=np.intp)) for train, test in pairs
    ]
    if not folds:
        raise SplitError(f"{cv!r} produced no folds")
    return folds


def _check_target(X: Any, y: Any, n: int) -> Any:
    if _num_samples(y) != n:
        raise ValueError(f"X has {n} rows but y has {_num_samples(y)}")
    x_index = getattr(X, "index", None)
    if isinstance(y, pd.Series) and isinstance(x_index, pd.Index) and not y.index.equals(x_index):
        raise ValueError(
            "y's index is not X's index (different rows or order); align them first "
            "(features, labels = labels.align(features))"
        )
    values = np.asarray(y)
    if values.dtype.kind == "f" and np.isnan(values).any():
        missing = np.flatnonzero(np.isnan(values))
        where = y.index[missing[0]] if isinstance(y, pd.Series) else int(missing[0])
        raise ValueError(
            f"y has {missing.size} undefined label(s) (NaN), first at {where}; drop them "
            "first: labels.dropna(), or features, labels = labels.align(features)"
        )
    return values


def _scorer_needs(scorers: Mapping[str, Callable[..., float]]) -> dict[str, str]:
    needs = {}
    for name, scorer in scorers.items():
        need = getattr(scorer, "needs", "labels")
        if need not in ("labels", "proba"):
            raise ValueError(
                f"scorer {name!r} needs {need!r}; cross_validate scores class labels or "
                "probabilities (a returns metric scores the signals' returns, after CV)"
            )
        needs[name] = need
    return needs


def _assemble_oof(
    n: int, folds: Sequence[Fold], predictions: Sequence[np.ndarray], index: pd.Index
) -> pd.Series:
    numeric = all(p.dtype.kind in "biuf" for p in predictions)
    out = np.full(n, np.nan) if numeric else np.full(n, np.nan, dtype=object)
    filled = np.zeros(n, dtype=bool)
    for (_, test), values in zip(folds, predictions, strict=True):
        new = ~filled[test]
        out[test[new]] = values[new]
        filled[test[new]] = True
    return pd.Series(out, index=index, name="prediction")


def _assemble_proba(
    n: int,
    folds: Sequence[Fold],
    probas: Sequence[tuple[np.ndarray, Sequence[Any]]],
    index: pd.Index,
) -> pd.DataFrame:
    seen: list[Any] = []
    for _, classes in probas:
        seen.extend(c for c in classes if c not in seen)
    try:
        columns = sorted(seen)
    except TypeError:
        columns = seen
    out = np.full((n, len(columns)), np.nan)
    filled = np.zeros(n, dtype=bool)
    for (_, test), (proba, classes) in zip(folds, probas, strict=True):
        new = ~filled[test]
        block = np.zeros((int(new.sum()), len(columns)))
        block[:, [columns.index(c) for c in classes]] = proba[new]
        out[test[new]] = block
        filled[test[new]] = True
    return pd.DataFrame(out, index=index, columns=columns)


def cross_validate(
    estimator_factory: Callable[[], Any] | Any,
    X: Any,
    y: Any,
    *,
    cv: Any,
    t1: pd.Series | None = None,
    fit_params: Mapping[str, Any] | None = None,
    scorers: Mapping[str, Callable[..., float]] | None = None,
    preprocess: Callable[[Any, Any], Any] | Any | None = None,
    progress: _Progress | None = None,
    return_estimators: bool = False,
) -> CVResult:
    """Fit and score a fresh estimator on each fold, fitting preprocessing inside the fold.

    For each ``(train, test)`` of ``cv``: fit ``preprocess`` on the training rows only,
    transform both parts, fit a fresh estimator on the training part, predict the test
    part, and score it. Nothing fitted ever sees a test row.

    Parameters
    ----------
    estimator_factory
        A callable returning an unfitted estimator (``lambda: LogisticRegression()``, a
        class), or an estimator, cloned for each fold.
    X, y
        Features (DataFrame or array) and targets, row for row. ``y`` may be a
        :class:`~mlcore.labels.Labels` (its ``t1`` is then used unless ``t1`` is given).
        NaN targets are refused: drop undefined labels first (``labels.align(X)``).
    cv
        A splitter: :class:`PurgedWalkForward`, :class:`CombinatorialPurgedCV` or any
        scikit-learn splitter (those cannot purge, so ``t1`` must then be None).
    t1
        The labels' end times on X's index, for purging.
    fit_params
        Passed to ``estimator.fit``; arrays and Series with one value per row
        (``sample_weight``) are cut to the training rows.
    scorers
        ``name -> scorer(y_true, y_pred)``. A scorer whose ``needs`` attribute is ``"proba"``
        (an mlcore :class:`~mlcore.protocols.Metric`) gets ``predict_proba``'s output;
        others get ``predict``'s.
    preprocess
        Preprocessing fit on each training fold: a transformer (``StandardScaler()``, a
        scikit-learn Pipeline, mlcore's feature preprocessor; cloned, then fit on the
        training rows), or a callable ``(X_train, y_train) -> fitted transformer``.
    progress
        Called after each fold as ``progress(done, n_folds, fold_scores)``; an exception it
        raises (an Optuna ``TrialPruned``) stops the run.
    return_estimators
        Keep each fold's fitted estimator in the result.
    """
    if isinstance(y, Labels):
        t1 = y.t1 if t1 is None else t1
        y = y.y
    if isinstance(X, list):
        X = np.asarray(X)
    if isinstance(y, list):
        y = np.asarray(y)
    n = _num_samples(X)
    y_values = _check_target(X, y, n)
    folds = _folds_of(cv, X, y, t1)
    scorers = dict(scorers or {})
    needs = _scorer_needs(scorers)
    fit_params = dict(fit_params or {})
    x_index = getattr(X, "index", None)
    if isinstance(x_index, pd.Index):
        index = x_index
    elif t1 is not None:
        index = t1.index
    else:
        index = pd.RangeIndex(n)

    records: list[dict[str, Any]] = []
    predictions: list[np.ndarray] = []
    probas: list[tuple[np.ndarray, Sequence[Any]]] = []
    estimators: list[Any] = []
    for number, (train, test) in enumerate(folds):
        X_train, X_test = _take(X, train), _take(X, test)
        y_train = _take(y, train)
        if preprocess is not None:
            transformer = _fit_preprocessing(preprocess, X_train, y_train)
            X_train, X_test = transformer.transform(X_train), transformer.transform(X_test)
        estimator = _fresh(estimator_factory)
        params = _fold_params(fit_params, train, n)
        started = time.perf_counter()
        estimator.fit(X_train, y_train, **params)
        fit_time = time.perf_counter() - started

        started = time.perf_counter()
        predicted = np.asarray(estimator.predict(X_test))
        proba = None
        # Regressors may carry a predict_proba that raises: their ``task`` says so.
        if hasattr(estimator, "predict_proba") and getattr(estimator, "task", "") != "regression":
            proba = np.asarray(estimator.predict_proba(X_test), dtype=np.float64)
            if proba.ndim == 1:
                probas.append((proba[:, None], ["proba"]))
            else:
                classes = getattr(estimator, "classes_", range(proba.shape[1]))
                probas.append((proba, list(np.asarray(classes).tolist())))
        y_test = y_values[test]
        fold_scores: dict[str, float] = {}
        for name, scorer in scorers.items():
            if needs[name] == "proba":
                if proba is None:
                    raise TypeError(
                        f"scorer {name!r} needs probabilities, but {type(estimator).__name__} "
                        "has no predict_proba"
                    )
                fold_scores[name] = float(scorer(y_test, proba))
            else:
                fold_scores[name] = float(scorer(y_test, predicted))
        score_time = time.perf_counter() - started

        predictions.append(predicted)
        if return_estimators:
            estimators.append(estimator)
        records.append(
            {
                "fold": number,
                "n_train": int(train.size),
                "n_test": int(test.size),
                "train_start": index[int(train.min())],
                "train_end": index[int(train.max())],
                "test_start": index[int(test.min())],
                "test_end": index[int(test.max())],
                "fit_time": fit_time,
                "score_time": score_time,
                **fold_scores,
            }
        )
        if progress is not None:
            progress(number + 1, len(folds), fold_scores)

    has_proba = len(probas) == len(folds)
    return CVResult(
        scores=pd.DataFrame.from_records(records),
        oof_predictions=_assemble_oof(n, folds, predictions, index),
        oof_proba=_assemble_proba(n, folds, probas, index) if has_proba else None,
        folds=tuple(folds),
        fold_predictions=tuple(predictions),
        estimators=tuple(estimators),
        metrics=tuple(scorers),
    )
