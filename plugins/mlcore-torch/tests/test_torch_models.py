"""The forecasting models: they learn from the window, persist, resume and refuse bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch
from mlcore.errors import DataValidationError

from mlcore_torch.models import (
    LSTMClassifier,
    LSTMRegressor,
    TransformerClassifier,
    TransformerRegressor,
)
from mlcore_torch.search_space import SEARCH_SPACE

torch.set_num_threads(1)

TINY = {"hidden_size": 8, "sequence_length": 8, "epochs": 3, "batch_size": 64, "verbose": False}
LEARNING = {
    "hidden_size": 16,
    "sequence_length": 6,
    "epochs": 40,
    "batch_size": 32,
    "learning_rate": 1e-2,
    "patience": 8,
    "verbose": False,
}


def _rows(n: int = 700, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    index = pd.date_range("2020-01-01", periods=n, freq="h", tz="UTC")
    return pd.DataFrame({"x": rng.normal(size=n), "noise": rng.normal(size=n)}, index=index)


def _trailing_sum(x: pd.Series, bars: int) -> pd.Series:
    return x.rolling(bars, min_periods=1).sum()


@pytest.mark.parametrize("model_class", [LSTMClassifier, TransformerClassifier])
def test_classifier_learns_a_target_that_needs_the_window(model_class):
    X = _rows()
    y = (_trailing_sum(X["x"], 3) > 0).astype(int).rename("up")
    model = model_class(**LEARNING, n_heads=2).fit(X.iloc[:500], y.iloc[:500])
    accuracy = (model.predict(X)[500:] == y.to_numpy()[500:]).mean()
    # From row t alone the sign of x[t-2] + x[t-1] + x[t] is right about 70% of the time
    # (1/2 + arcsin(1/sqrt(3)) / pi); the window holds all three terms.
    alone = 0.5 + np.arcsin(1 / np.sqrt(3)) / np.pi
    assert accuracy >= 0.85 > alone + 0.1
    assert model.classes_.tolist() == [0, 1]


@pytest.mark.parametrize("model_class", [LSTMRegressor, TransformerRegressor])
def test_regressor_learns_a_trailing_mean(model_class):
    X = _rows(seed=1)
    y = (_trailing_sum(X["x"], 4) / 4).rename("target")
    model = model_class(**LEARNING, n_heads=2).fit(X.iloc[:500], y.iloc[:500])
    predicted = model.predict(X)[500:]
    truth = y.to_numpy()[500:]
    r2 = 1 - ((predicted - truth) ** 2).sum() / ((truth - truth.mean()) ** 2).sum()
    # x[t] alone explains a quarter of the variance of the mean of four terms.
    assert r2 >= 0.8
    assert predicted.dtype == np.float64


def test_classifier_keeps_any_labels():
    X = _rows(200)
    y = np.where(X["x"] > 0, "up", "down")
    model = LSTMClassifier(**TINY).fit(X, y)
    assert model.classes_.tolist() == ["down", "up"]
    assert set(model.predict(X)) <= {"down", "up"}
    assert model.predict_proba(X).shape == (200, 2)


def test_models_predict_on_fewer_rows_than_a_window():
    X = _rows(200)
    model = LSTMRegressor(**TINY).fit(X, X["x"])
    np.testing.assert_allclose(model.predict(X.iloc[:3]), model.predict(X)[:3], rtol=0, atol=1e-12)


def test_save_load_round_trip(tmp_path):
    X = _rows(200)
    for model in (
        TransformerClassifier(**TINY, n_heads=2).fit(X, (X["x"] > 0).astype(int)),
        TransformerRegressor(**TINY, n_heads=2).fit(X, X["x"] * 3.0 + 1.0),
    ):
        path = tmp_path / type(model).__name__
        model.save(path)
        loaded = type(model).load(path)
        np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
        sidecar = json.loads((path / "mlcore-model.json").read_text())
        assert sidecar["network"]["architecture"] == "transformer"
        assert sidecar["feature_names"] == ["x", "noise"]


def test_regressor_target_scale_comes_from_the_training_rows():
    X = _rows(300)
    y = pd.Series(np.arange(300, dtype=float), index=X.index)
    model = LSTMRegressor(**TINY, validation_fraction=0.2).fit(X, y)
    train_rows = 300 - 60 - (TINY["sequence_length"] - 1)
    assert model.target_center_ == pytest.approx(y.iloc[:train_rows].mean(), rel=1e-12)
    assert model.target_scale_ == pytest.approx(y.iloc[:train_rows].std(ddof=0), rel=1e-12)


def test_model_resume_is_bit_identical(tmp_path):
    X = _rows(200)
    y = (X["x"] > 0).astype(int)
    params = {**TINY, "epochs": 4, "num_layers": 2, "dropout": 0.3}
    uninterrupted = LSTMClassifier(**params).fit(X, y)

    def crash(epoch, record):
        if epoch == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        LSTMClassifier(**params, checkpoint_dir=tmp_path).fit(X, y, on_epoch_end=crash)
    resumed = LSTMClassifier(**params, checkpoint_dir=tmp_path).fit(X, y, resume=True)
    np.testing.assert_array_equal(resumed.predict_proba(X), uninterrupted.predict_proba(X))
    assert resumed.history_ == uninterrupted.history_


def test_search_space_draws_valid_models():
    class Midpoint:
        def suggest_int(self, name, low, high, *, log=False):
            return (low + high) // 2 + 1

        def suggest_float(self, name, low, high, *, log=False):
            return (low + high) / 2

    lstm = LSTMClassifier.search_space(Midpoint())
    transformer = TransformerRegressor.search_space(Midpoint(), prefix="t_")
    assert set(lstm) == set(SEARCH_SPACE)
    assert lstm["hidden_size"] == 73
    assert transformer["hidden_size"] == 80
    TransformerRegressor(**transformer)  # valid parameters


def test_regressor_has_no_probabilities():
    X = _rows(100)
    model = LSTMRegressor(**TINY).fit(X, X["x"])
    with pytest.raises(NotImplementedError, match="use predict"):
        model.predict_proba(X)


def test_bad_model_input_names_the_problem():
    X = _rows(100)
    y = (X["x"] > 0).astype(int)
    dirty = X.copy()
    dirty.iloc[17, 1] = np.nan
    with pytest.raises(DataValidationError, match="column 'noise' is nan at row 17"):
        LSTMClassifier(**TINY).fit(dirty, y)
    with pytest.raises(TypeError, match="unexpected arguments \\['sample_weight'\\]"):
        LSTMClassifier(**TINY).fit(X, y, sample_weight=np.ones(100))
    with pytest.raises(DataValidationError, match="y has 99 values but X has 100 rows"):
        LSTMClassifier(**TINY).fit(X, y.to_numpy()[:-1])
    model = LSTMClassifier(**TINY).fit(X, y)
    with pytest.raises(DataValidationError, match="missing \\['noise'\\]"):
        model.predict(X[["x"]])
    with pytest.raises(ValueError, match="not fitted"):
        LSTMClassifier(**TINY).predict(X)
