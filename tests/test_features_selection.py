"""FeatureSelector: scikit-learn scores as the reference, hand-made correlation cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_selection import (
    VarianceThreshold,
    f_classif,
    f_regression,
    mutual_info_classif,
    mutual_info_regression,
)

from mlcore.config import FeatureSelectionConfig
from mlcore.errors import FeatureError
from mlcore.features import FeatureSelector


def dataset(n: int = 400, seed: int = 0) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Eight features, two of them informative; a class target and a continuous one."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 8)), columns=[f"f{i}" for i in range(8)])
    X["f3"] *= 10.0  # a large-variance noise column
    signal = X["f2"] - X["f5"]
    y_class = pd.Series((signal + rng.normal(0, 0.3, n) > 0).astype(int))
    y_value = pd.Series(signal + rng.normal(0, 0.5, n))
    return X, y_class, y_value


def top(scores: np.ndarray, columns: pd.Index, n: int) -> list[str]:
    best = set(np.argsort(-scores, kind="stable")[:n])
    return [c for i, c in enumerate(columns) if i in best]


@pytest.mark.parametrize(
    ("method", "reference", "target"),
    [
        ("mutual_info", mutual_info_classif, "class"),
        ("mutual_info", mutual_info_regression, "value"),
        ("anova_f", f_classif, "class"),
        ("anova_f", f_regression, "value"),
    ],
)
def test_ranking_methods_match_sklearn(method: str, reference: object, target: str) -> None:
    X, y_class, y_value = dataset()
    y = y_class if target == "class" else y_value
    selector = FeatureSelector(method, n_features=3).fit(X, y)
    if method == "mutual_info":
        expected = np.asarray(reference(X.to_numpy(), y.to_numpy(), random_state=0))  # type: ignore[operator]
    else:
        expected = np.asarray(reference(X.to_numpy(), y.to_numpy())[0])  # type: ignore[operator]
    np.testing.assert_allclose(selector.scores_.to_numpy(), expected, rtol=1e-12)
    assert selector.selected_ == top(expected, X.columns, 3)
    assert {"f2", "f5"} <= set(selector.selected_)
    assert selector.task_ == ("classification" if target == "class" else "regression")
    assert list(selector.transform(X).columns) == selector.selected_
    np.testing.assert_array_equal(selector.get_support(), X.columns.isin(selector.selected_))


def test_a_score_threshold_keeps_only_what_passes() -> None:
    X, y_class, _ = dataset()
    scores = f_classif(X.to_numpy(), y_class.to_numpy())[0]
    cut = float(np.sort(scores)[-2])  # exactly two columns pass
    selector = FeatureSelector("anova_f", n_features=None, threshold=cut).fit(X, y_class)
    assert selector.selected_ == top(scores, X.columns, 2)


def test_variance_threshold_matches_sklearn() -> None:
    X, _, _ = dataset()
    X["flat"] = 0.1 + 0.2  # a constant whose float variance may not be exactly 0
    X["tiny"] = X["f0"] * 0.01
    for threshold in (None, 0.5, 5.0):
        selector = FeatureSelector("variance_threshold", n_features=None, threshold=threshold)
        selector.fit(X)
        reference = VarianceThreshold(threshold or 0.0).fit(X.to_numpy())
        np.testing.assert_array_equal(selector.get_support(), reference.get_support())
    np.testing.assert_allclose(selector.scores_, X.var(ddof=0).where(X.nunique() > 1, 0.0))
    capped = FeatureSelector("variance_threshold", n_features=1).fit(X)
    assert capped.selected_ == ["f3"]  # without a target: the largest variance


def correlated() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(1)
    n = 500
    a = rng.normal(size=n)
    b = a + rng.normal(0, 0.05, n)  # corr(a, b) about 0.999
    c = rng.normal(size=n)
    X = pd.DataFrame({"a": a, "b": b, "c": c, "const": 3.0})
    y = pd.Series(b + 0.3 * c + rng.normal(0, 0.01, n))  # b explains y better than a does
    return X, y


def test_the_correlation_filter_keeps_the_one_more_correlated_with_the_target() -> None:
    X, y = correlated()
    assert abs(np.corrcoef(X["a"], X["b"])[0, 1]) > 0.95
    assert abs(np.corrcoef(X["b"], y)[0, 1]) > abs(np.corrcoef(X["a"], y)[0, 1])
    selector = FeatureSelector("correlation", n_features=None).fit(X, y)
    assert selector.selected_ == ["b", "c", "const"]
    # without a target the earlier column of the pair stays
    assert FeatureSelector("correlation", n_features=None).fit(X).selected_ == ["a", "c", "const"]
    # a higher threshold keeps both
    loose = FeatureSelector("correlation", n_features=None, threshold=0.9999).fit(X, y)
    assert loose.selected_ == ["a", "b", "c", "const"]
    # the cap keeps those most correlated with the target
    assert FeatureSelector("correlation", n_features=1).fit(X, y).selected_ == ["b"]


def test_rows_with_nan_are_left_out_of_the_fit_only() -> None:
    X, y_class, _ = dataset()
    warm = X.copy()
    warm.iloc[:30, 1] = np.nan  # a warm-up
    target = y_class.astype(float)
    target.iloc[-5:] = np.nan  # labels past the horizon
    selector = FeatureSelector("anova_f", n_features=4).fit(warm, target)
    rows = warm.notna().all(axis=1) & target.notna()
    reference = FeatureSelector("anova_f", n_features=4).fit(warm[rows], target[rows])
    pd.testing.assert_series_equal(selector.scores_, reference.scores_)
    assert len(selector.transform(warm)) == len(warm)  # transform keeps every row
    empty = warm.assign(f7=np.nan)  # a column with no value is never chosen
    assert "f7" not in FeatureSelector("anova_f", n_features=None).fit(empty, target).selected_


def test_fit_uses_only_the_rows_given() -> None:
    X, y_class, _ = dataset()
    train = FeatureSelector("mutual_info", n_features=3).fit(X.iloc[:200], y_class.iloc[:200])
    expected = mutual_info_classif(
        X.iloc[:200].to_numpy(), y_class.iloc[:200].to_numpy(), random_state=0
    )
    np.testing.assert_allclose(train.scores_, expected)


def test_a_series_target_is_aligned_on_the_index() -> None:
    X, y_class, _ = dataset()
    shuffled = y_class.sample(frac=1.0, random_state=3)
    a = FeatureSelector("anova_f").fit(X, shuffled)
    b = FeatureSelector("anova_f").fit(X, y_class.to_numpy())
    pd.testing.assert_series_equal(a.scores_, b.scores_)


def test_none_keeps_everything_and_errors_say_what_to_do() -> None:
    X, y_class, _ = dataset()
    assert FeatureSelector("none").fit(X).selected_ == list(X.columns)
    with pytest.raises(FeatureError, match="'anova_f' needs the target"):
        FeatureSelector("anova_f").fit(X)
    with pytest.raises(ValueError, match="method must be one of"):
        FeatureSelector("pca")
    with pytest.raises(FeatureError, match="one value per row"):
        FeatureSelector("anova_f").fit(X, y_class.to_numpy()[:-1])
    with pytest.raises(FeatureError, match="not fitted"):
        FeatureSelector().transform(X)
    fitted = FeatureSelector("anova_f", n_features=2).fit(X, y_class)
    with pytest.raises(FeatureError, match="selected column"):
        fitted.transform(X.drop(columns=fitted.selected_[0]))


def test_from_config() -> None:
    config = FeatureSelectionConfig(method="correlation", n_features=None, threshold=0.8)
    selector = FeatureSelector.from_config(config)
    assert (selector.method, selector.n_features, selector.threshold) == ("correlation", None, 0.8)
