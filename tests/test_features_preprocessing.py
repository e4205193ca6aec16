"""FeaturePreprocessor: fit on training rows only, causal fills and clipping, no look-ahead."""

from __future__ import annotations

import copy
import itertools

import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler

from mlcore.config import PreprocessingConfig, config_from_dict
from mlcore.errors import ConfigError, FeatureError
from mlcore.features import FeaturePreprocessor

NAN = np.nan


def features(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """Three columns on a daily index: a trend, heavy-tailed noise, and warm-up NaN plus gaps."""
    rng = np.random.default_rng(seed)
    index = pd.date_range("2020-01-01", periods=n, freq="D", tz="UTC", name="timestamp")
    trend = np.linspace(0, 10, n) + rng.normal(0, 0.1, n)
    spiky = rng.standard_t(2, n)
    gappy = rng.normal(5, 2, n)
    gappy[:20] = NAN  # warm-up
    gappy[rng.choice(np.arange(20, n), 15, replace=False)] = NAN
    return pd.DataFrame({"trend": trend, "spiky": spiky, "gappy": gappy}, index=index)


SKLEARN = {"standard": StandardScaler, "robust": RobustScaler, "minmax": MinMaxScaler}


@pytest.mark.parametrize("scaler", ["standard", "robust", "minmax"])
def test_scalers_equal_sklearn_fit_on_the_training_rows(scaler: str) -> None:
    frame = features().drop(columns="gappy")
    train, test = frame.iloc[:300], frame.iloc[300:]
    fitted = FeaturePreprocessor(scaler=scaler).fit(train)
    reference = SKLEARN[scaler]().fit(train.to_numpy())
    np.testing.assert_allclose(fitted.transform(test), reference.transform(test.to_numpy()))
    np.testing.assert_allclose(fitted.transform(train), reference.transform(train.to_numpy()))


def test_the_scaler_statistics_are_the_training_rows_not_all_rows() -> None:
    frame = features().drop(columns="gappy")
    train, test = frame.iloc[:300], frame.iloc[300:]
    fitted = FeaturePreprocessor(scaler="standard").fit(train)
    np.testing.assert_allclose(fitted.scaler_.mean_, train.mean(), rtol=1e-12)
    np.testing.assert_allclose(fitted.scaler_.scale_, train.std(ddof=0), rtol=1e-12)
    leaky = StandardScaler().fit(frame.to_numpy())  # what a look-ahead pipeline would do
    assert not np.allclose(fitted.scaler_.mean_, leaky.mean_)
    assert not np.allclose(fitted.transform(test), leaky.transform(test.to_numpy()))


SETTINGS = list(
    itertools.product(
        ["standard", "robust", "minmax", "none"],
        ["forward_fill", "drop", "train_mean"],
        [False, True],
    )
)


@pytest.mark.parametrize(("scaler", "handle_missing", "outliers"), SETTINGS)
def test_transforming_test_rows_equals_appending_them_later(
    scaler: str, handle_missing: str, outliers: bool
) -> None:
    frame = features()
    train, test = frame.iloc[:300], frame.iloc[300:]
    preprocessor = FeaturePreprocessor(
        scaler=scaler,
        handle_missing=handle_missing,
        outlier_detection=outliers,
        outlier_window=30,
        outlier_zscore=2.0,
    ).fit(train)
    alone = preprocessor.transform(test)
    appended = preprocessor.transform(frame)
    pd.testing.assert_frame_equal(alone, appended.loc[alone.index], rtol=1e-9)
    # and no row depends on a later one: cutting the frame short changes no earlier row
    for cut in (320, 350, 399):
        shorter = preprocessor.transform(frame.iloc[:cut])
        pd.testing.assert_frame_equal(shorter, appended.loc[shorter.index], rtol=1e-9)


def test_transform_never_changes_the_fitted_state() -> None:
    frame = features()
    preprocessor = FeaturePreprocessor(outlier_detection=True, outlier_window=20).fit(
        frame.iloc[:300]
    )
    before = copy.deepcopy(vars(preprocessor))
    preprocessor.transform(frame)
    preprocessor.transform(frame.iloc[300:])
    after = vars(preprocessor)
    assert before.keys() == after.keys()
    for key, value in before.items():
        if isinstance(value, pd.DataFrame | pd.Series):
            assert value.equals(after[key]), key
        elif key == "scaler_":
            np.testing.assert_array_equal(value.mean_, after[key].mean_)
            np.testing.assert_array_equal(value.scale_, after[key].scale_)
        else:
            assert value == after[key], key


def test_forward_fill_is_causal_and_leading_gaps_stay() -> None:
    index = pd.date_range("2024-01-01", periods=7, freq="D", tz="UTC")
    frame = pd.DataFrame({"x": [NAN, NAN, 1.0, NAN, NAN, 4.0, NAN]}, index=index)
    out = FeaturePreprocessor(scaler="none").fit(frame).transform(frame)
    np.testing.assert_array_equal(out["x"], [NAN, NAN, 1.0, 1.0, 1.0, 4.0, 4.0])
    # test rows that start with a gap continue from the last training value
    preprocessor = FeaturePreprocessor(scaler="none").fit(frame.iloc[:4])
    np.testing.assert_array_equal(preprocessor.transform(frame.iloc[4:])["x"], [1.0, 4.0, 4.0])


def test_train_mean_fills_with_the_training_mean_and_drop_removes_rows() -> None:
    index = pd.date_range("2024-01-01", periods=6, freq="D", tz="UTC")
    frame = pd.DataFrame({"x": [1.0, NAN, 3.0, 8.0, NAN, 0.0], "y": [1.0] * 6}, index=index)
    train_mean = FeaturePreprocessor(scaler="none", handle_missing="train_mean")
    out = train_mean.fit(frame.iloc[:4]).transform(frame)
    np.testing.assert_array_equal(out["x"], [1.0, 4.0, 3.0, 8.0, 4.0, 0.0])  # (1+3+8)/3 = 4
    dropped = FeaturePreprocessor(scaler="none", handle_missing="drop").fit(frame).transform(frame)
    assert list(dropped.index) == list(index[[0, 2, 3, 5]])


@pytest.mark.parametrize("fill", ["interpolate", "bfill", "backward_fill"])
def test_look_ahead_fills_are_refused_with_the_reason(fill: str) -> None:
    with pytest.raises(ValueError, match="look-ahead") as caught:
        FeaturePreprocessor(handle_missing=fill)
    assert "'forward_fill', 'drop', 'train_mean'" in str(caught.value)
    with pytest.raises(ConfigError, match="look-ahead"):
        config_from_dict({"features": {"preprocessing": {"handle_missing": fill}}})


def test_outlier_clipping_uses_the_previous_window_only() -> None:
    values = [1.0, 2.0, 3.0, 100.0, 2.0, -50.0]
    index = pd.date_range("2024-01-01", periods=6, freq="D", tz="UTC")
    frame = pd.DataFrame({"x": values}, index=index)
    preprocessor = FeaturePreprocessor(
        scaler="none", outlier_detection=True, outlier_window=3, outlier_zscore=1.0
    )
    out = preprocessor.fit(frame).transform(frame)["x"].tolist()
    # rows 0-2: no full window before them, unchanged
    assert out[:3] == [1.0, 2.0, 3.0]
    # row 3: previous (1, 2, 3): mean 2, sample std 1 -> clipped to 3
    assert out[3] == pytest.approx(3.0)
    # row 4: previous raw values (2, 3, 100): mean 35, std 55.4 -> 2 is inside
    assert out[4] == 2.0
    # row 5: previous (3, 100, 2): mean 35, std sqrt(((32)^2 + 65^2 + 33^2) / 2)
    std = np.std([3.0, 100.0, 2.0], ddof=1)
    assert out[5] == pytest.approx(35.0 - std)


def test_errors_name_the_problem() -> None:
    frame = features()
    with pytest.raises(FeatureError, match="not fitted"):
        FeaturePreprocessor().transform(frame)
    fitted = FeaturePreprocessor().fit(frame)
    with pytest.raises(FeatureError, match=r"\['spiky'\]"):
        fitted.transform(frame.drop(columns="spiky"))
    with pytest.raises(ValueError, match="scaler must be one of"):
        FeaturePreprocessor(scaler="zscore")
    all_nan = frame.assign(gappy=NAN)
    with pytest.raises(FeatureError, match="no training rows left"):
        FeaturePreprocessor(handle_missing="drop").fit(all_nan)


def test_from_config() -> None:
    config = PreprocessingConfig(scaler="robust", outlier_detection=True, outlier_window=10)
    preprocessor = FeaturePreprocessor.from_config(config)
    assert preprocessor.get_params() == {
        "scaler": "robust",
        "handle_missing": "forward_fill",
        "outlier_detection": True,
        "outlier_window": 10,
        "outlier_zscore": 5.0,
    }
