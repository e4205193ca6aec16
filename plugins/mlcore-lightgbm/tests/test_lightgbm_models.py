"""LightGBMClassifier / LightGBMRegressor against LightGBM's own estimators and definitions.

Reference values come from lightgbm itself (its scikit-learn wrappers trained with the
same parameters, its ``best_iteration_``, its raw scores) or from hand calculations in the
test.
"""

from __future__ import annotations

import inspect
import json
import math
import pickle

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
from mlcore import DataValidationError
from sklearn.exceptions import NotFittedError

from mlcore_lightgbm.models import LightGBMClassifier, LightGBMRegressor
from mlcore_lightgbm.search_space import SEARCH_SPACE

# Parameters shared by the model and LightGBM's wrappers in the oracle tests.
SHARED = {
    "n_estimators": 25,
    "learning_rate": 0.2,
    "num_leaves": 15,
    "max_depth": 6,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.7,
    "min_child_samples": 10,
    "reg_alpha": 0.1,
    "reg_lambda": 2.0,
    "random_state": 7,
    "n_jobs": 1,
}
# What the model sets on top, for the wrappers.
NATIVE = {"deterministic": True, "force_row_wise": True, "verbose": -1}


def make_data(
    rows: int = 500, features: int = 5, classes: int = 2, seed: int = 0
) -> tuple[pd.DataFrame, pd.Series]:
    """Hourly rows: a noisy linear score of three features, cut into ``classes`` labels."""
    rng = np.random.default_rng(seed)
    index = pd.date_range("2024-01-01", periods=rows, freq="h", tz="UTC")
    X = pd.DataFrame(
        rng.normal(size=(rows, features)),
        index=index,
        columns=[f"x{i}" for i in range(features)],
    )
    score = X["x0"] + 0.5 * X["x1"] - 0.25 * X["x2"] + rng.normal(size=rows)
    cuts = np.quantile(score, np.linspace(0, 1, classes + 1)[1:-1])
    y = pd.Series(np.digitize(score, cuts), index=index, name="label")
    X.iloc[::37, 3] = np.nan  # missing values are handled natively
    return X, y


def regression_data(rows: int = 400, seed: int = 1) -> tuple[pd.DataFrame, pd.Series]:
    X, _ = make_data(rows=rows, seed=seed)
    rng = np.random.default_rng(seed)
    y = 2.0 * X["x0"] - X["x1"].clip(-1, 1) + 0.3 * rng.normal(size=rows)
    return X, y.rename("target")


def fit_reference(reference, X, y, X_val, y_val, rounds):
    """Fit a LightGBM wrapper with early stopping on (X_val, y_val), across 4.x APIs."""
    if "eval_X" in inspect.signature(reference.fit).parameters:  # lightgbm >= 4.7
        evaluation = {"eval_X": (X_val,), "eval_y": (y_val,)}
    else:
        evaluation = {"eval_set": [(X_val, y_val)]}
    return reference.fit(X, y, **evaluation, callbacks=[lgb.early_stopping(rounds, verbose=False)])


# ---------------------------------------------------------------------------
# Oracle: LightGBM's scikit-learn wrappers, trained with the same parameters
# ---------------------------------------------------------------------------


def test_lightgbm_binary_matches_lgbmclassifier():
    X, y = make_data()
    weights = np.linspace(0.5, 2.0, len(y))
    model = LightGBMClassifier(**SHARED, early_stopping_rounds=None)
    model.fit(X, y, sample_weight=weights)
    reference = lgb.LGBMClassifier(**SHARED, **NATIVE)
    reference.fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(model.predict_proba(X), reference.predict_proba(X), atol=1e-6)
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))


def test_lightgbm_multiclass_labels_map_through_classes():
    X, codes = make_data(classes=3)
    names = np.array(["down", "flat", "up"])
    labels = pd.Series(names[codes], index=codes.index)
    model = LightGBMClassifier(**SHARED, early_stopping_rounds=None).fit(X, labels)
    reference = lgb.LGBMClassifier(**SHARED, **NATIVE).fit(X, codes)
    assert model.classes_.tolist() == ["down", "flat", "up"]
    assert model.n_classes_ == 3
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba, reference.predict_proba(X), atol=1e-6)
    np.testing.assert_array_equal(model.predict(X), names[reference.predict(X)])


def test_lightgbm_arbitrary_binary_labels():
    X, y = make_data()
    signs = y.map({0: -1, 1: 1})
    model = LightGBMClassifier(**SHARED, early_stopping_rounds=None).fit(X, signs)
    reference = lgb.LGBMClassifier(**SHARED, **NATIVE).fit(X, y)
    assert model.classes_.tolist() == [-1, 1]
    np.testing.assert_allclose(model.predict_proba(X), reference.predict_proba(X), atol=1e-6)
    assert set(np.unique(model.predict(X))) <= {-1, 1}


def test_lightgbm_regressor_matches_lgbmregressor():
    X, y = regression_data()
    model = LightGBMRegressor(**SHARED, early_stopping_rounds=None).fit(X, y)
    reference = lgb.LGBMRegressor(**SHARED, **NATIVE).fit(X, y)
    np.testing.assert_allclose(model.predict(X), reference.predict(X), rtol=0, atol=1e-6)


def test_lightgbm_regressor_has_no_probabilities():
    X, y = regression_data(rows=100)
    model = LightGBMRegressor(n_estimators=5, n_jobs=1).fit(X, y)
    with pytest.raises(NotImplementedError, match="predict\\(\\)"):
        model.predict_proba(X)


def test_lightgbm_numpy_and_frame_inputs_predict_the_same():
    X, y = make_data()
    model = LightGBMClassifier(**SHARED).fit(X, y)
    expected = model.predict_proba(X)
    np.testing.assert_array_equal(model.predict_proba(X.to_numpy()), expected)
    np.testing.assert_array_equal(model.predict_proba(X.to_numpy()[:1]), expected[:1])
    from_numpy = LightGBMClassifier(**SHARED).fit(X.to_numpy(), y.to_numpy())
    np.testing.assert_array_equal(from_numpy.predict_proba(X.to_numpy()), expected)
    assert from_numpy.feature_names_in_.tolist() == ["f0", "f1", "f2", "f3", "f4"]


# ---------------------------------------------------------------------------
# Early stopping: the validation slice is the last rows
# ---------------------------------------------------------------------------


def test_lightgbm_early_stopping_uses_the_last_rows():
    X, y = make_data(rows=503, seed=3)
    held_out = math.ceil(503 * 0.1)  # 51 rows: ceil(50.3)
    params = {**SHARED, "n_estimators": 300, "learning_rate": 0.3}
    model = LightGBMClassifier(**params, early_stopping_rounds=5, validation_fraction=0.1)
    model.fit(X, y)
    reference = lgb.LGBMClassifier(**params, **NATIVE)
    train, valid = slice(None, -held_out), slice(-held_out, None)
    fit_reference(reference, X[train], y[train], X[valid], y[valid], rounds=5)
    assert reference.best_iteration_ < 300  # it did stop early
    assert model.best_iteration_ == reference.best_iteration_
    # The booster is kept at its best iteration (no refit).
    assert model.n_estimators_ == reference.best_iteration_
    assert model.booster_.num_trees() == reference.best_iteration_
    np.testing.assert_allclose(model.predict_proba(X), reference.predict_proba(X), atol=1e-6)
    recorded = model.evals_result_["validation"]["binary_logloss"]
    assert len(recorded) == reference.best_iteration_ + 5


def test_lightgbm_eval_set_replaces_the_slice():
    X, y = make_data(rows=500, seed=4)
    X_val, y_val = make_data(rows=120, seed=5)
    params = {**SHARED, "n_estimators": 300, "learning_rate": 0.3}
    model = LightGBMClassifier(**params, early_stopping_rounds=5)
    model.fit(X, y, eval_set=(X_val, y_val))
    reference = fit_reference(lgb.LGBMClassifier(**params, **NATIVE), X, y, X_val, y_val, 5)
    assert model.best_iteration_ == reference.best_iteration_
    np.testing.assert_allclose(model.predict_proba(X), reference.predict_proba(X), atol=1e-6)


def test_lightgbm_without_early_stopping_trains_every_iteration():
    X, y = make_data()
    for switch_off in ({"early_stopping_rounds": None}, {"validation_fraction": 0.0}):
        model = LightGBMClassifier(n_estimators=12, n_jobs=1, **switch_off).fit(X, y)
        assert model.best_iteration_ is None
        assert model.n_estimators_ == 12
        assert model.evals_result_ == {}


# ---------------------------------------------------------------------------
# Sample weights
# ---------------------------------------------------------------------------


def test_lightgbm_sample_weights_move_probabilities_to_the_weighted_mean():
    # Group x=0: labels alternate 0/1; weighting the 1s three times makes the weighted
    # share of 1s 3/(3+1) = 0.75. Group x=1: labels alternate too, unweighted: 0.5.
    x = np.repeat([0.0, 1.0], 200)
    y = np.tile([0, 1], 200)
    weights = np.where((x == 0) & (y == 1), 3.0, 1.0)
    X = x.reshape(-1, 1)
    model = LightGBMClassifier(n_estimators=200, early_stopping_rounds=None, n_jobs=1)
    groups = np.array([[0.0], [1.0]])
    weighted = model.clone().fit(X, y, sample_weight=weights).predict_proba(groups)
    plain = model.clone().fit(X, y).predict_proba(groups)
    np.testing.assert_allclose(weighted[:, 1], [0.75, 0.5], atol=0.01)
    np.testing.assert_allclose(plain[:, 1], [0.5, 0.5], atol=0.01)


def test_lightgbm_regressor_weights_give_the_weighted_mean():
    # x=0: targets 0 and 10 with weights 1 and 3 -> weighted mean 7.5; x=1: target 1.
    x = np.repeat([0.0, 1.0], 200)
    y = np.where(x == 0, np.tile([0.0, 10.0], 200), 1.0)
    weights = np.where(y == 10.0, 3.0, 1.0)
    model = LightGBMRegressor(n_estimators=300, early_stopping_rounds=None, n_jobs=1)
    model.fit(x.reshape(-1, 1), y, sample_weight=weights)
    np.testing.assert_allclose(model.predict(np.array([[0.0], [1.0]])), [7.5, 1.0], atol=0.05)


# ---------------------------------------------------------------------------
# Persistence
# ---------------------------------------------------------------------------


def test_lightgbm_save_load_round_trip(tmp_path):
    X, codes = make_data(classes=3)
    labels = pd.Series(np.array(["down", "flat", "up"])[codes], index=codes.index)
    model = LightGBMClassifier(n_estimators=60, early_stopping_rounds=3, n_jobs=1).fit(X, labels)
    model.save(tmp_path / "model")
    loaded = LightGBMClassifier.load(tmp_path / "model")
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded.classes_, model.classes_)
    assert loaded.classes_.dtype == model.classes_.dtype
    assert loaded.feature_names_in_.tolist() == model.feature_names_in_.tolist()
    assert loaded.best_iteration_ == model.best_iteration_
    assert loaded.get_params() == model.get_params()
    # The booster file is LightGBM's own text format, readable without mlcore.
    plain = lgb.Booster(model_file=str(tmp_path / "model" / "model.txt"))
    np.testing.assert_array_equal(plain.predict(X.to_numpy()), model.predict_proba(X))
    sidecar = json.loads((tmp_path / "model" / "mlcore-model.json").read_text())
    assert sidecar["model_class"] == "LightGBMClassifier"
    assert sidecar["classes"] == ["down", "flat", "up"]
    assert sidecar["params"]["n_estimators"] == 60


def test_lightgbm_pickle_round_trip_is_exact():
    X, y = make_data()
    model = LightGBMClassifier(**SHARED).fit(X, y)
    blob = pickle.dumps(model)
    assert b"tree_sizes=" in blob  # the booster travels as LightGBM's model text
    loaded = pickle.loads(blob)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded == model  # same parameters


def test_lightgbm_load_refuses_other_models_and_folders(tmp_path):
    X, y = regression_data(rows=100)
    LightGBMRegressor(n_estimators=3, n_jobs=1).fit(X, y).save(tmp_path / "regressor")
    with pytest.raises(TypeError, match="holds a LightGBMRegressor"):
        LightGBMClassifier.load(tmp_path / "regressor")
    with pytest.raises(FileNotFoundError, match=r"mlcore-model\.json"):
        LightGBMRegressor.load(tmp_path)
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(FileExistsError):
        LightGBMRegressor(n_estimators=3, n_jobs=1).fit(X, y).save(tmp_path / "file")


# ---------------------------------------------------------------------------
# Explanations and importances
# ---------------------------------------------------------------------------


def test_lightgbm_explain_rows_sum_to_the_raw_score():
    X, y = make_data()
    model = LightGBMClassifier(**SHARED).fit(X, y)
    contributions = model.explain(X)
    assert contributions.columns.tolist() == [*X.columns, "bias"]
    assert contributions.index.equals(X.index)
    raw = model.booster_.predict(X.to_numpy(), raw_score=True)
    np.testing.assert_allclose(contributions.sum(axis=1), raw, atol=1e-9)


def test_lightgbm_explain_multiclass_has_a_frame_per_class():
    X, codes = make_data(classes=3)
    model = LightGBMClassifier(**SHARED).fit(X, codes)
    contributions = model.explain(X.to_numpy())
    assert contributions.columns.names == ["class", "feature"]
    raw = model.booster_.predict(X.to_numpy(), raw_score=True)
    for position, label in enumerate(model.classes_):
        frame = contributions[label]
        assert frame.columns.tolist() == [*X.columns, "bias"]
        np.testing.assert_allclose(frame.sum(axis=1), raw[:, position], atol=1e-9)


def test_lightgbm_explain_regressor_sums_to_the_prediction():
    X, y = regression_data()
    model = LightGBMRegressor(**SHARED).fit(X, y)
    np.testing.assert_allclose(model.explain(X).sum(axis=1), model.predict(X), atol=1e-9)


def test_lightgbm_feature_importances():
    X, y = make_data()
    model = LightGBMClassifier(**SHARED, early_stopping_rounds=None).fit(X, y)
    importances = model.feature_importances_
    assert importances.shape == (5,)
    assert importances.sum() == pytest.approx(1.0)
    assert importances.argmax() == 0  # x0 carries most of the signal
    splits = model.feature_importance("split")
    assert splits.index.tolist() == X.columns.tolist()
    np.testing.assert_array_equal(splits, model.booster_.feature_importance("split"))
    np.testing.assert_array_equal(model.feature_importance("weight"), splits)
    gain = model.booster_.feature_importance("gain")
    np.testing.assert_allclose(importances, gain / gain.sum())
    with pytest.raises(ValueError, match="unknown importance kind"):
        model.feature_importance("cover")


def test_lightgbm_feature_names_the_library_rejects_stay_on_the_model():
    X, y = make_data(rows=200)
    X.columns = ["ret[1]", "vol, 20", "a b", "x3", "x4"]
    model = LightGBMClassifier(n_estimators=5, n_jobs=1).fit(X, y)
    assert model.booster_.feature_name() == [f"Column_{i}" for i in range(5)]
    assert model.feature_names_in_.tolist() == ["ret[1]", "vol, 20", "a b", "x3", "x4"]
    assert model.explain(X).columns[:3].tolist() == ["ret[1]", "vol, 20", "a b"]
    assert model.feature_importance("split").index[0] == "ret[1]"


# ---------------------------------------------------------------------------
# Bad input gets a clear error
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fitted():
    X, y = make_data(rows=200)
    return LightGBMClassifier(n_estimators=5, n_jobs=1).fit(X, y), X


def test_lightgbm_missing_column_is_named(fitted):
    model, X = fitted
    with pytest.raises(DataValidationError, match=r"missing \['x3'\]"):
        model.predict(X.drop(columns="x3"))


def test_lightgbm_reordered_columns_are_named(fitted):
    model, X = fitted
    with pytest.raises(DataValidationError, match="another order: position 0 is 'x1'"):
        model.predict_proba(X[["x1", "x0", "x2", "x3", "x4"]])


def test_lightgbm_extra_column_is_named(fitted):
    model, X = fitted
    with pytest.raises(DataValidationError, match=r"unexpected \['close'\]"):
        model.predict(X.assign(close=1.0))


def test_lightgbm_wrong_width_array(fitted):
    model, X = fitted
    with pytest.raises(DataValidationError, match="has 4 features but LightGBMClassifier"):
        model.predict(X.to_numpy()[:, :4])
    with pytest.raises(DataValidationError, match="reshape"):
        model.predict(X.to_numpy()[0])


def test_lightgbm_unfitted_model_says_so():
    with pytest.raises(NotFittedError, match="call fit"):
        LightGBMClassifier().predict(np.zeros((1, 3)))
    assert not LightGBMClassifier().is_fitted


def test_lightgbm_bad_training_data():
    X, y = make_data(rows=100)
    infinite = X.copy()
    infinite.iloc[7, 2] = np.inf
    with pytest.raises(DataValidationError, match="column 'x2'"):
        LightGBMClassifier(n_jobs=1).fit(infinite, y)
    with pytest.raises(DataValidationError, match="one class"):
        LightGBMClassifier(n_jobs=1).fit(X, np.zeros(len(X)))
    with pytest.raises(DataValidationError, match="has 99 values"):
        LightGBMClassifier(n_jobs=1).fit(X, y.iloc[:99].to_numpy())
    with pytest.raises(DataValidationError, match="different indexes"):
        LightGBMClassifier(n_jobs=1).fit(X, y.shift(1, freq="h"))
    with pytest.raises(DataValidationError, match="NaN"):
        LightGBMRegressor(n_jobs=1).fit(X, y.astype(float).where(y.index != y.index[3]))
    with pytest.raises(DataValidationError, match="sample_weight"):
        LightGBMClassifier(n_jobs=1).fit(X, y, sample_weight=-np.ones(len(X)))
    with pytest.raises(TypeError, match="unexpected arguments"):
        LightGBMClassifier(n_jobs=1).fit(X, y, verbose=True)
    with pytest.raises(DataValidationError, match=r"eval_set X .* missing \['x4'\]"):
        LightGBMClassifier(n_jobs=1).fit(X, y, eval_set=(X.drop(columns="x4"), y))
    with pytest.raises(DataValidationError, match=r"eval_set y holds labels \[7\]"):
        LightGBMClassifier(n_jobs=1).fit(X, y, eval_set=(X, y.replace(1, 7)))


def test_lightgbm_hyperparameters_are_validated():
    with pytest.raises(ValueError, match="learning_rate must be a number > 0"):
        LightGBMClassifier(learning_rate=0)
    with pytest.raises(TypeError, match="n_estimators must be an int"):
        LightGBMClassifier(n_estimators=10.5)
    with pytest.raises(ValueError, match="num_leaves"):
        LightGBMClassifier(num_leaves=1)
    with pytest.raises(ValueError, match="max_depth must be -1"):
        LightGBMClassifier(max_depth=0)
    with pytest.raises(ValueError, match="learning_rate parameter"):
        LightGBMClassifier(params={"eta": 0.3})
    with pytest.raises(ValueError, match="num_leaves parameter"):
        LightGBMClassifier(params={"max_leaves": 63})
    with pytest.raises(ValueError, match="the classifier sets it"):
        LightGBMClassifier(params={"objective": "xentropy"})
    with pytest.raises(TypeError, match="JSON"):
        LightGBMClassifier(params={"max_bin": object()})
    with pytest.raises(ValueError, match=r"validation_fraction must be a number in \[0, 1\)"):
        LightGBMClassifier(validation_fraction=1.0)
    with pytest.raises(ValueError, match="n_estimators"):
        LightGBMClassifier().set_params(n_estimators=0)
    assert LightGBMClassifier(early_stopping_rounds=None).early_stopping_rounds is None
    extra = {"max_bin": 64}
    model = LightGBMClassifier(params=extra)
    extra["max_bin"] = 2  # the model keeps its own copy, and so does a clone
    assert model.params == model.clone().params == {"max_bin": 64}
    assert model.params is not model.clone().params


def test_lightgbm_extra_params_reach_the_booster():
    X, y = regression_data(rows=200)
    model = LightGBMRegressor(
        n_estimators=5, n_jobs=1, params={"objective": "huber", "force_col_wise": True}
    )
    assert "force_row_wise" not in model.booster_params()
    assert model.fit(X, y).booster_.dump_model()["objective"].startswith("huber")
    assert repr(model) == (
        "LightGBMRegressor(n_estimators=5, n_jobs=1, "
        "params={'objective': 'huber', 'force_col_wise': True})"
    )


def test_lightgbm_seed_changes_a_sampled_model():
    X, y = make_data()
    params = {**SHARED, "early_stopping_rounds": None}
    first = LightGBMClassifier(**params).fit(X, y).predict_proba(X)
    again = LightGBMClassifier(**params).fit(X, y).predict_proba(X)
    other = LightGBMClassifier(**{**params, "random_state": 8}).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


# ---------------------------------------------------------------------------
# Search space
# ---------------------------------------------------------------------------


class FakeTrial:
    """Optuna's suggest methods, answering the middle of each range (geometric when log)."""

    def __init__(self) -> None:
        self.asked: dict[str, tuple[str, float, float, bool]] = {}

    def suggest_float(self, name, low, high, *, step=None, log=False):
        self.asked[name] = ("float", low, high, log)
        return math.sqrt(low * high) if log else (low + high) / 2

    def suggest_int(self, name, low, high, *, step=1, log=False):
        self.asked[name] = ("int", low, high, log)
        return round(math.sqrt(low * high)) if log else (low + high) // 2

    def suggest_categorical(self, name, choices):
        return choices[0]


def test_lightgbm_search_space_with_a_fake_trial():
    trial = FakeTrial()
    params = LightGBMClassifier.search_space(trial)
    assert trial.asked == dict(SEARCH_SPACE)
    assert trial.asked["learning_rate"] == ("float", 0.01, 0.3, True)
    assert trial.asked["num_leaves"] == ("int", 15, 255, True)
    assert trial.asked["min_child_samples"] == ("int", 5, 100, True)
    assert trial.asked["n_estimators"] == ("int", 100, 1000, False)
    LightGBMClassifier(**params)  # every suggestion is a valid parameter
    LightGBMRegressor(**LightGBMRegressor.search_space(FakeTrial()))
    prefixed = FakeTrial()
    assert LightGBMClassifier.search_space(prefixed, prefix="lgbm_") == params
    assert set(prefixed.asked) == {f"lgbm_{name}" for name in SEARCH_SPACE}


def test_lightgbm_search_space_with_optuna():
    optuna = pytest.importorskip("optuna")
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    trial = study.ask()
    model = LightGBMClassifier(**LightGBMClassifier.search_space(trial))
    for name, (kind, low, high, log) in SEARCH_SPACE.items():
        distribution = trial.distributions[name]
        assert (distribution.low, distribution.high, distribution.log) == (low, high, log)
        assert low <= getattr(model, name) <= high
        assert isinstance(getattr(model, name), int if kind == "int" else float)


def test_lightgbm_warns_when_the_trained_rows_lack_a_class():
    X, _ = make_data(rows=200)
    y = np.zeros(len(X), dtype=int)
    y[-10:] = 1  # class 1 only in the last 10% of the rows: the early-stopping slice
    with pytest.warns(UserWarning, match=r"no row of class \[1\]"):
        LightGBMClassifier(n_estimators=5, n_jobs=1).fit(X, y)
