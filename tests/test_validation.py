"""Purged walk-forward and combinatorial purged CV, cross_validate, and the leakage guards.

Oracles: scikit-learn's TimeSeriesSplit (walk-forward without purging) and StandardScaler
(preprocessing fit inside the fold), hand-worked purge/embargo examples, and the random-walk
guard: no model may predict a random walk, while a planted leak must be caught.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import TimeSeriesSplit, cross_val_score
from sklearn.preprocessing import StandardScaler

from mlcore.builtins.metrics import accuracy, log_loss, roc_auc
from mlcore.config import ValidationConfig
from mlcore.errors import ConfigError, SplitError
from mlcore.labels import Labels, forward_return_direction
from mlcore.validation import (
    CombinatorialPurgedCV,
    CVResult,
    PurgedWalkForward,
    cross_validate,
    splitter_from_config,
    time_series_split,
)

fast = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def times(n: int) -> pd.DatetimeIndex:
    return pd.date_range("2024-01-01", periods=n, freq="D", tz="UTC", name="timestamp")


def ends_after(offsets: list[int]) -> pd.Series:
    """t1 for row i at bar i + offsets[i] (clipped to the last bar)."""
    index = times(len(offsets))
    last = len(offsets) - 1
    return pd.Series(
        index[[min(i + k, last) for i, k in enumerate(offsets)]], index=index, name="t1"
    )


def frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({"x": np.arange(n, dtype=float)}, index=times(n))


def as_lists(folds: Any) -> list[tuple[list[int], list[int]]]:
    return [(list(train), list(test)) for train, test in folds]


# ---------------------------------------------------------------------------
# Walk-forward geometry
# ---------------------------------------------------------------------------


@fast
@given(
    n=st.integers(20, 400),
    n_splits=st.integers(1, 6),
    test_size=st.one_of(st.integers(1, 30), st.floats(0.05, 0.9)),
    rolling=st.one_of(st.none(), st.integers(1, 100)),
    gap=st.integers(0, 5),
)
def test_walk_forward_folds_are_consecutive_blocks_after_their_training_rows(
    n: int, n_splits: int, test_size: float | int, rolling: int | None, gap: int
) -> None:
    cv = PurgedWalkForward(
        n_splits=n_splits,
        test_size=test_size,
        window="expanding" if rolling is None else "rolling",
        train_size=rolling,
        gap=gap,
        purge=False,
    )
    size = int(test_size * n + 1e-9) // n_splits if isinstance(test_size, float) else test_size
    if size < 1 or n - n_splits * size - gap < 1:
        with pytest.raises(SplitError):
            list(cv.split(np.zeros((n, 1))))
        return
    folds = list(cv.split(np.zeros((n, 1))))
    assert len(folds) == cv.get_n_splits() == n_splits
    tests = np.concatenate([test for _, test in folds])
    # Non-overlapping, consecutive test blocks that end with the data.
    np.testing.assert_array_equal(tests, np.arange(n - n_splits * size, n))
    for train, test in folds:
        assert len(test) == size
        assert train.max() < test.min()  # training strictly before the test block
        assert test.min() - train.max() == gap + 1
        expected_train = test.min() - gap if rolling is None else min(rolling, test.min() - gap)
        assert len(train) == expected_train
        np.testing.assert_array_equal(train, np.arange(train.min(), train.max() + 1))


def test_fraction_test_size_is_the_held_out_share_of_all_rows() -> None:
    folds = list(PurgedWalkForward(n_splits=5, test_size=0.2, purge=False).split(np.zeros(1000)))
    assert [len(test) for _, test in folds] == [40] * 5
    assert folds[0][1][0] == 800  # the first fold trains on the first 80%
    assert [len(train) for train, _ in folds] == [800, 840, 880, 920, 960]


def test_int_test_size_is_rows_per_block() -> None:
    folds = list(PurgedWalkForward(n_splits=3, test_size=25, purge=False).split(np.zeros(100)))
    assert as_lists(folds)[0][1] == list(range(25, 50))
    assert [len(test) for _, test in folds] == [25, 25, 25]


def test_rolling_window_keeps_train_size_rows() -> None:
    cv = PurgedWalkForward(n_splits=3, test_size=10, window="rolling", train_size=30, purge=False)
    folds = as_lists(cv.split(np.zeros(100)))
    assert [train for train, _ in folds] == [
        list(range(40, 70)),
        list(range(50, 80)),
        list(range(60, 90)),
    ]


@fast
@given(
    n=st.integers(10, 300),
    n_splits=st.integers(2, 6),
    test_size=st.integers(1, 30),
    gap=st.integers(0, 5),
    max_train_size=st.one_of(st.none(), st.integers(1, 80)),
)
def test_without_purging_it_is_sklearns_time_series_split(
    n: int, n_splits: int, test_size: int, gap: int, max_train_size: int | None
) -> None:
    if n - n_splits * test_size - gap < 1:
        return
    reference = TimeSeriesSplit(
        n_splits=n_splits, test_size=test_size, gap=gap, max_train_size=max_train_size
    )
    ours = PurgedWalkForward(
        n_splits=n_splits,
        test_size=test_size,
        window="expanding" if max_train_size is None else "rolling",
        train_size=max_train_size,
        gap=gap,
        purge=False,
    )
    X = np.zeros((n, 2))
    assert as_lists(ours.split(X)) == as_lists(reference.split(X))


def test_sklearn_accepts_the_splitter() -> None:
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 3)), rng.integers(0, 2, 200)
    cv = PurgedWalkForward(n_splits=4, test_size=20, purge=False)
    scores = cross_val_score(LogisticRegression(), X, y, cv=cv)
    assert len(scores) == 4


# ---------------------------------------------------------------------------
# Purging, gap and embargo
# ---------------------------------------------------------------------------

# Label windows of 10 rows: row i's label is known at bar i + OFFSETS[i].
OFFSETS = [1, 5, 1, 2, 3, 1, 1, 1, 1, 0]
# Label ends (bar positions): 1, 6, 3, 5, 7, 6, 7, 8, 9, 9.


def test_purging_removes_exactly_the_rows_whose_label_window_reaches_the_test_block() -> None:
    cv = PurgedWalkForward(n_splits=2, test_size=2)
    folds = as_lists(cv.split(frame(10), t1=ends_after(OFFSETS)))
    # Fold 0 tests rows 6-7 (from bar 6): rows 1 (ends 6), 4 (ends 7) and 5 (ends 6) reach
    # it; rows 0, 2, 3 end by bar 5 and stay, although row 1 before them is purged.
    assert folds[0] == ([0, 2, 3], [6, 7])
    # Fold 1 tests rows 8-9: only row 7 (ends 8) reaches it.
    assert folds[1] == ([0, 1, 2, 3, 4, 5, 6], [8, 9])


def test_a_label_ending_exactly_at_the_test_start_is_purged_and_one_before_is_not() -> None:
    index = times(6)
    t1 = pd.Series(index + pd.Timedelta(hours=12), index=index)  # known mid-way to next bar
    t1.iloc[2] = index[4]  # ends exactly when the test block starts: overlaps
    t1.iloc[3] = index[4] - pd.Timedelta(microseconds=1)  # ends just before it: kept
    train, test = next(PurgedWalkForward(n_splits=1, test_size=2).split(frame(6), t1=t1))
    assert list(test) == [4, 5]
    assert list(train) == [0, 1, 3]


def test_undefined_labels_count_as_never_known() -> None:
    t1 = ends_after([1] * 8)
    t1.iloc[1] = pd.NaT  # an undefined label inside the training rows is purged
    train, _ = next(PurgedWalkForward(n_splits=1, test_size=2).split(frame(8), t1=t1))
    assert list(train) == [0, 2, 3, 4]


def test_gap_drops_rows_before_each_test_block_on_top_of_purging() -> None:
    cv = PurgedWalkForward(n_splits=2, test_size=2, gap=2)
    folds = as_lists(cv.split(frame(10), t1=ends_after(OFFSETS)))
    assert folds[0] == ([0, 2, 3], [6, 7])  # rows 4-5: the gap (and purged); row 1 purged
    # Rows 6-7: the gap; row 6's label ends at bar 7, so purging alone would have kept it.
    assert folds[1] == ([0, 1, 2, 3, 4, 5], [8, 9])


def test_embargo_removes_nothing_in_walk_forward() -> None:
    t1 = ends_after(OFFSETS)
    plain = as_lists(PurgedWalkForward(n_splits=2, test_size=2).split(frame(10), t1=t1))
    embargoed = PurgedWalkForward(n_splits=2, test_size=2, embargo=3).split(frame(10), t1=t1)
    assert as_lists(embargoed) == plain


def test_time_series_split_function_purges_when_given_t1() -> None:
    X = frame(10)
    assert as_lists(time_series_split(X, 2, 2)) == as_lists(
        PurgedWalkForward(2, 2, purge=False).split(X)
    )
    purged = as_lists(time_series_split(X, 2, 2, t1=ends_after(OFFSETS)))
    assert purged[0] == ([0, 2, 3], [6, 7])


def test_purge_needs_t1_and_t1_must_match_the_rows() -> None:
    cv = PurgedWalkForward(n_splits=2, test_size=2)
    with pytest.raises(SplitError, match=r"t1=labels\.t1"):
        cv.split(frame(10))
    with pytest.raises(SplitError, match="index is not X's index"):
        cv.split(frame(10), t1=ends_after(OFFSETS).iloc[::-1])
    with pytest.raises(SplitError, match="t1 has 9 rows but X has 10"):
        cv.split(frame(10), t1=ends_after(OFFSETS).iloc[1:])
    early = ends_after(OFFSETS)
    early.iloc[4] = early.index[2]
    with pytest.raises(SplitError, match="earlier than its own row's time"):
        cv.split(frame(10), t1=early)


def test_a_fold_emptied_by_purging_is_an_error() -> None:
    t1 = ends_after([9] * 10)  # every label runs to the end of the data
    with pytest.raises(SplitError, match="fold 0 has no training rows left after purging"):
        PurgedWalkForward(n_splits=2, test_size=2).split(frame(10), t1=t1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"window": "rolling"}, "needs train_size"),
        ({"train_size": 10}, "only applies to window='rolling'"),
        ({"test_size": 1.5}, "test_size must be a fraction"),
        ({"test_size": True}, "test_size must be a fraction"),
        ({"n_splits": 0}, "n_splits must be a whole number >= 1"),
        ({"embargo": -1}, "embargo must be"),
        ({"gap": -1}, "gap must be"),
    ],
)
def test_bad_walk_forward_parameters_are_named(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PurgedWalkForward(**kwargs)


# ---------------------------------------------------------------------------
# Combinatorial purged CV
# ---------------------------------------------------------------------------


def test_cpcv_counts_splits_and_backtest_paths() -> None:
    cv = CombinatorialPurgedCV(n_splits=6, n_test_groups=2)
    assert cv.get_n_splits() == 15 == math.comb(6, 2)
    assert cv.n_backtest_paths == 5
    folds = list(cv.split(frame(60), t1=ends_after([0] * 60)))
    assert len(folds) == 15
    bounds = cv.group_bounds(60)
    assert bounds == [(0, 10), (10, 20), (20, 30), (30, 40), (40, 50), (50, 60)]
    tested = np.zeros(6, dtype=int)
    for (train, test), groups in zip(folds, cv.test_groups(), strict=True):
        assert list(test) == [row for g in groups for row in range(*bounds[g])]
        assert not set(train) & set(test)
        assert sorted([*train, *test]) == list(range(60))  # labels known at once: no purge
        tested[list(groups)] += 1
    assert list(tested) == [5] * 6  # each group is tested once per backtest path


def test_cpcv_backtest_paths_cover_every_group_once_per_path() -> None:
    cv = CombinatorialPurgedCV(n_splits=6, n_test_groups=2)
    paths = cv.backtest_paths()
    assert paths.shape == (5, 6)
    combos = cv.test_groups()
    for path in paths:
        for group, split in enumerate(path):
            assert group in combos[split]
    # Every (split, group) pair that is tested appears in exactly one path.
    assert sorted((int(s), g) for path in paths for g, s in enumerate(path)) == sorted(
        (s, g) for s, c in enumerate(combos) for g in c
    )


def test_cpcv_purges_before_and_embargoes_after_each_test_group() -> None:
    # 12 rows in 3 groups (0-3, 4-7, 8-11); every label is known at the next bar.
    t1 = ends_after([1] * 12)
    cv = CombinatorialPurgedCV(n_splits=3, n_test_groups=1, embargo=2)
    folds = as_lists(cv.split(frame(12), t1=t1))
    # Test 0-3: its labels run to bar 4, the embargo adds bars 5-6: train from 7.
    assert folds[0] == ([7, 8, 9, 10, 11], [0, 1, 2, 3])
    # Test 4-7: row 3 (ends at 4) is purged; its span ends at 8, embargo 9-10: keep 11.
    assert folds[1] == ([0, 1, 2, 11], [4, 5, 6, 7])
    # Test 8-11: row 7 (ends at 8) is purged; nothing follows.
    assert folds[2] == ([0, 1, 2, 3, 4, 5, 6], [8, 9, 10, 11])


def test_cpcv_embargo_as_a_fraction_of_rows() -> None:
    t1 = ends_after([0] * 20)  # labels known at their own bar: only the embargo acts
    rows = as_lists(CombinatorialPurgedCV(2, 1, embargo=2).split(frame(20), t1=t1))
    fraction = as_lists(CombinatorialPurgedCV(2, 1, embargo=0.1).split(frame(20), t1=t1))
    assert rows == fraction
    assert rows[0] == (list(range(12, 20)), list(range(10)))


def test_cpcv_refuses_bad_settings() -> None:
    with pytest.raises(ValueError, match="must be smaller than n_splits"):
        CombinatorialPurgedCV(n_splits=3, n_test_groups=3)
    with pytest.raises(SplitError, match="needs the labels' end times"):
        CombinatorialPurgedCV().split(frame(60))
    with pytest.raises(SplitError, match="at least 6 rows"):
        CombinatorialPurgedCV(purge=False).split(np.zeros(4))


# ---------------------------------------------------------------------------
# From configuration
# ---------------------------------------------------------------------------


def test_splitter_from_config() -> None:
    walk = splitter_from_config(ValidationConfig(n_splits=4, test_size=50, embargo=3))
    assert walk == PurgedWalkForward(n_splits=4, test_size=50, embargo=3, purge=True)
    seed = splitter_from_config(ValidationConfig(method="time_series_split", purge=False))
    assert seed == PurgedWalkForward(n_splits=5, test_size=0.2, purge=False)
    rolling = splitter_from_config(ValidationConfig(window="rolling", train_size=300))
    assert rolling == PurgedWalkForward(window="rolling", train_size=300)
    cpcv = splitter_from_config(
        ValidationConfig(method="combinatorial_purged", n_splits=6, n_test_groups=2, embargo=5)
    )
    assert cpcv == CombinatorialPurgedCV(n_splits=6, n_test_groups=2, embargo=5)
    assert CombinatorialPurgedCV.from_config(ValidationConfig()) == CombinatorialPurgedCV(5, 2)
    with pytest.raises(ConfigError, match=r"training\.validation\.train_size.*window: rolling"):
        splitter_from_config(ValidationConfig(train_size=300))
    assert PurgedWalkForward(np.int64(3), np.int64(10), purge=False).test_block_size(100) == 10


# ---------------------------------------------------------------------------
# cross_validate
# ---------------------------------------------------------------------------


class Recorder:
    """Remembers what it was fit on; predicts the training mean's sign."""

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Recorder:
        self.X_ = np.asarray(X, dtype=float).copy()
        self.sample_weight_ = sample_weight
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.zeros(len(X))


def trending_features(n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    drift = np.linspace(0.0, 5.0, n)[:, None]  # the mean moves: a full-data fit leaks it
    return pd.DataFrame(rng.normal(size=(n, 3)) + drift, index=times(n), columns=["a", "b", "c"])


def test_preprocessing_is_fit_on_each_training_fold_only() -> None:
    X = trending_features()
    y = pd.Series(np.arange(len(X)) % 2, index=X.index)
    cv = PurgedWalkForward(n_splits=3, test_size=50, purge=False)
    result = cross_validate(
        Recorder, X, y, cv=cv, preprocess=StandardScaler(), return_estimators=True
    )
    for (train, _), fitted in zip(result.folds, result.estimators, strict=True):
        inside = StandardScaler().fit(X.iloc[train]).transform(X.iloc[train])
        np.testing.assert_allclose(fitted.X_, inside, rtol=1e-12)
        leaky = StandardScaler().fit(X).transform(X.iloc[train])
        assert not np.allclose(fitted.X_, leaky, atol=0.1)


def test_preprocess_may_be_a_callable_returning_a_fitted_transformer() -> None:
    X = trending_features()
    y = pd.Series(np.arange(len(X)) % 2, index=X.index)
    seen: list[int] = []

    def fit_scaler(X_train: pd.DataFrame, y_train: pd.Series) -> StandardScaler:
        seen.append(len(X_train))
        return StandardScaler().fit(X_train)

    cv = PurgedWalkForward(n_splits=2, test_size=50, purge=False)
    cross_validate(Recorder, X, y, cv=cv, preprocess=fit_scaler)
    assert seen == [200, 250]


def test_scores_oof_predictions_and_probabilities() -> None:
    rng = np.random.default_rng(2)
    n = 400
    X = pd.DataFrame(rng.normal(size=(n, 2)), index=times(n), columns=["a", "b"])
    y = pd.Series((X["a"] + 0.5 * rng.normal(size=n) > 0).astype(int), index=X.index)
    cv = PurgedWalkForward(n_splits=4, test_size=50, purge=False)
    result = cross_validate(
        LogisticRegression,
        X,
        y,
        cv=cv,
        scorers={"accuracy": accuracy, "roc_auc": roc_auc, "log_loss": log_loss},
    )
    assert isinstance(result, CVResult)
    assert list(result.scores.columns) == [
        "fold",
        "n_train",
        "n_test",
        "train_start",
        "train_end",
        "test_start",
        "test_end",
        "fit_time",
        "score_time",
        "accuracy",
        "roc_auc",
        "log_loss",
    ]
    assert result.scores["n_test"].tolist() == [50] * 4
    assert result.scores["test_start"].iloc[0] == X.index[200]
    assert result.scores["train_end"].iloc[0] == X.index[199]
    # Scores match scikit-learn fit by hand on the same folds.
    for row, (train, test) in zip(result.scores.itertuples(), result.folds, strict=True):
        model = LogisticRegression().fit(X.iloc[train], y.iloc[train])
        assert row.accuracy == pytest.approx(model.score(X.iloc[test], y.iloc[test]))
    assert result.mean_scores().index.tolist() == ["accuracy", "roc_auc", "log_loss"]
    assert result.mean_scores()["accuracy"] == pytest.approx(result.scores["accuracy"].mean())
    assert result.fit_times.shape == (4,)
    # Out-of-fold predictions only where a row was tested.
    assert result.oof_predictions.index.equals(X.index)
    assert result.oof_predictions.iloc[:200].isna().all()
    assert result.oof_predictions.iloc[200:].notna().all()
    assert result.oof_proba is not None
    assert list(result.oof_proba.columns) == [0, 1]
    np.testing.assert_allclose(result.oof_proba.iloc[200:].sum(axis=1), 1.0)
    agree = (result.oof_proba.iloc[200:][1] > 0.5).astype(float) == result.oof_predictions[200:]
    assert agree.all()


def test_per_row_fit_params_are_cut_to_the_training_rows() -> None:
    X = trending_features(100)
    y = np.arange(100) % 2
    weights = np.linspace(1.0, 2.0, 100)
    cv = PurgedWalkForward(n_splits=2, test_size=10, purge=False)
    result = cross_validate(
        Recorder, X, y, cv=cv, fit_params={"sample_weight": weights}, return_estimators=True
    )
    for (train, _), fitted in zip(result.folds, result.estimators, strict=True):
        np.testing.assert_array_equal(fitted.sample_weight_, weights[train])


def test_labels_bring_their_t1_for_purging() -> None:
    close = pd.Series(
        100 * np.exp(np.cumsum(np.random.default_rng(4).normal(0, 0.01, 120))), index=times(120)
    )
    labels = forward_return_direction(close, 5)
    X, aligned = labels.align(pd.DataFrame({"x": np.arange(120.0)}, index=close.index))
    cv = PurgedWalkForward(n_splits=2, test_size=20)
    result = cross_validate(Recorder, X, aligned, cv=cv)
    # Horizon 5: the last 5 rows before each test block are purged.
    assert [fold[0].max() for fold in result.folds] == [69, 89]
    assert as_lists(result.folds) == as_lists(cv.split(X, t1=aligned.t1))


def test_progress_reports_each_fold_and_can_stop_the_run() -> None:
    X = trending_features(100)
    y = np.arange(100) % 2
    cv = PurgedWalkForward(n_splits=3, test_size=10, purge=False)
    calls: list[tuple[int, int, dict[str, float]]] = []

    def progress(done: int, total: int, scores: Mapping[str, float]) -> None:
        calls.append((done, total, dict(scores)))

    scorers = {"accuracy": accuracy}
    cross_validate(Recorder, X, y, cv=cv, scorers=scorers, progress=progress)
    assert [(done, total) for done, total, _ in calls] == [(1, 3), (2, 3), (3, 3)]
    assert set(calls[0][2]) == {"accuracy"}

    class Pruned(Exception):
        pass

    def prune(done: int, total: int, scores: Mapping[str, float]) -> None:
        raise Pruned

    with pytest.raises(Pruned):
        cross_validate(Recorder, X, y, cv=cv, scorers=scorers, progress=prune)


def test_cpcv_out_of_fold_predictions_are_backtest_path_zero() -> None:
    X = trending_features(60)
    y = pd.Series(np.arange(60) % 2, index=X.index)
    cv = CombinatorialPurgedCV(n_splits=6, n_test_groups=2, purge=False)
    result = cross_validate(LogisticRegression, X, y, cv=cv)
    assert len(result.folds) == 15
    bounds = cv.group_bounds(60)
    for group, split in enumerate(cv.backtest_paths()[0]):
        test = result.folds[split][1]
        start, stop = bounds[group]
        in_group = (test >= start) & (test < stop)
        np.testing.assert_array_equal(
            result.oof_predictions.iloc[start:stop].to_numpy(),
            result.fold_predictions[split][in_group],
        )


def test_cross_validate_refuses_what_would_leak_or_break() -> None:
    X = frame(30)
    y = pd.Series(np.arange(30) % 2, index=X.index, dtype=float)
    with pytest.raises(TypeError, match="cannot purge"):
        cross_validate(Recorder, X, y, cv=TimeSeriesSplit(2), t1=ends_after([1] * 30))
    undefined = y.copy()
    undefined.iloc[-1] = np.nan
    with pytest.raises(ValueError, match=r"undefined label\(s\)"):
        cross_validate(Recorder, X, undefined, cv=TimeSeriesSplit(2))
    with pytest.raises(ValueError, match="y's index is not X's index"):
        cross_validate(Recorder, X, y.iloc[::-1], cv=TimeSeriesSplit(2))
    with pytest.raises(TypeError, match="needs probabilities"):
        cross_validate(Recorder, X, y, cv=TimeSeriesSplit(2), scorers={"auc": roc_auc})
    # A plain scikit-learn splitter still works without t1.
    result = cross_validate(LogisticRegression(), X, y, cv=TimeSeriesSplit(2))
    assert len(result.folds) == 2


# ---------------------------------------------------------------------------
# Leakage guards (issue 4, item 8: the kernel part)
# ---------------------------------------------------------------------------


def random_walk_problem(n: int = 20_000, seed: int = 11) -> tuple[pd.DataFrame, Labels]:
    """Causal features on a pure random walk, and next-bar direction labels."""
    rng = np.random.default_rng(seed)
    close = pd.Series(
        100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, n))),
        index=pd.date_range("2020-01-01", periods=n, freq="h", tz="UTC"),
    )
    past = (close / close.shift(1)).pipe(np.log)  # the return into bar t: known at t
    features = pd.DataFrame(
        {
            "ret_1": past,
            "ret_2": past.shift(1),
            "ret_3": past.shift(2),
            "mean_5": past.rolling(5).mean(),
            "mean_20": past.rolling(20).mean(),
            "vol_20": past.rolling(20).std(),
        }
    )
    return forward_return_direction(close, 1).align(features)


def walk_forward_accuracy(X: pd.DataFrame, labels: Labels) -> float:
    result = cross_validate(
        LogisticRegression,
        X,
        labels,
        cv=PurgedWalkForward(n_splits=5, test_size=0.5),
        scorers={"accuracy": accuracy},
        preprocess=StandardScaler(),
    )
    tested = result.oof_predictions.notna()
    return float((result.oof_predictions[tested] == labels.y[tested]).mean())


def test_a_random_walk_cannot_be_predicted() -> None:
    X, labels = random_walk_problem()
    assert walk_forward_accuracy(X, labels) == pytest.approx(0.5, abs=0.03)


def test_a_planted_leak_is_caught() -> None:
    X, labels = random_walk_problem()
    rng = np.random.default_rng(12)
    # The sign of the NEXT bar's return plus noise: a feature that sees the future.
    leaked = X.assign(leak=np.sign(labels.returns) + rng.normal(0.0, 1.0, len(X)))  # type: ignore[arg-type]
    assert walk_forward_accuracy(leaked, labels) > 0.7
