"""The model factory (mlcore.models) and the ensembles (mlcore.ensembles).

Kernel-only: the members are scikit-learn estimators and small models defined here,
registered through an in-process plugin where the factory needs a registry.
"""

from __future__ import annotations

import pickle
from typing import Any, ClassVar

import attrs
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from mlcore import ConfigError, ModelBase, UnknownComponentError, hookimpl
from mlcore.config import MlcoreConfig, PluginsConfig, config_from_dict
from mlcore.ensembles import AveragingEnsemble, BlendingEnsemble, StackingEnsemble
from mlcore.host import PluginHost
from mlcore.models import clone_model, create_model, model_task


def _classification_data(n: int = 400, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    index = pd.date_range("2020-01-01", periods=n, freq="D", tz="UTC")
    X = pd.DataFrame(rng.normal(size=(n, 4)), index=index, columns=["a", "b", "c", "d"])
    y = pd.Series(((X["a"] + 0.5 * X["b"] + rng.normal(scale=0.8, size=n)) > 0).astype(int))
    return X, y.set_axis(index)


# ---------------------------------------------------------------------------
# Averaging and blending
# ---------------------------------------------------------------------------


def test_averaging_is_the_mean_of_the_members_probabilities() -> None:
    X, y = _classification_data()
    members = [LogisticRegression(), DecisionTreeClassifier(max_depth=3, random_state=0)]
    ensemble = AveragingEnsemble(members).fit(X, y)
    by_hand = [LogisticRegression().fit(X, y), DecisionTreeClassifier(max_depth=3, random_state=0)]
    by_hand[1].fit(X, y)
    expected = (by_hand[0].predict_proba(X) + by_hand[1].predict_proba(X)) / 2
    np.testing.assert_allclose(ensemble.predict_proba(X), expected, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(ensemble.predict(X), np.array([0, 1])[expected.argmax(axis=1)])
    np.testing.assert_array_equal(ensemble.classes_, [0, 1])
    assert members[0].__dict__.get("coef_") is None, "the given members are never fitted"


def test_averaging_regressors_averages_predictions() -> None:
    X, _ = _classification_data()
    target = X["a"] * 2.0 + X["c"]
    members = [LinearRegression(), DecisionTreeRegressor(max_depth=4, random_state=0)]
    ensemble = AveragingEnsemble(members).fit(X, target)
    assert ensemble.task == "regression"
    expected = (
        LinearRegression().fit(X, target).predict(X)
        + DecisionTreeRegressor(max_depth=4, random_state=0).fit(X, target).predict(X)
    ) / 2
    np.testing.assert_allclose(ensemble.predict(X), expected, atol=1e-12)
    with pytest.raises(NotImplementedError, match="predict"):
        ensemble.predict_proba(X)


def test_blending_uses_the_normalized_weights() -> None:
    X, y = _classification_data()
    members = [LogisticRegression(), DecisionTreeClassifier(max_depth=2, random_state=0)]
    ensemble = BlendingEnsemble(members, weights=[1.0, 3.0]).fit(X, y)
    first = LogisticRegression().fit(X, y).predict_proba(X)
    second = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y).predict_proba(X)
    np.testing.assert_allclose(ensemble.predict_proba(X), 0.25 * first + 0.75 * second, atol=1e-12)
    np.testing.assert_allclose(ensemble.member_weights(), [0.25, 0.75])
    equal = BlendingEnsemble(members).fit(X, y)
    np.testing.assert_allclose(equal.predict_proba(X), 0.5 * first + 0.5 * second, atol=1e-12)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([1.0], "has 1 values for 2 member models"),
        ([1.0, -1.0], r"weights\[1\] must be a finite number >= 0"),
        ([0.0, 0.0], "sum to 0"),
        ([1.0, float("nan")], r"weights\[1\]"),
    ],
)
def test_blending_refuses_bad_weights(weights: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BlendingEnsemble([LogisticRegression(), LogisticRegression()], weights=weights)


def test_members_of_mixed_kinds_are_refused() -> None:
    with pytest.raises(ValueError, match="mixes classifiers and regressors"):
        AveragingEnsemble([LogisticRegression(), LinearRegression()])
    with pytest.raises(TypeError, match=r"models\[0\] is a str"):
        AveragingEnsemble(["lightgbm"])


def test_a_member_missing_a_class_gets_zero_probability_for_it() -> None:
    X, y = _classification_data(300)
    y3 = pd.Series(np.where(X["a"] > 0.8, 2, y), index=X.index)

    class NoTwo(DecisionTreeClassifier):  # trains without the rows of class 2
        def fit(self, X: Any, y: Any, sample_weight: Any = None) -> NoTwo:  # type: ignore[override]
            keep = np.asarray(y) != 2
            return super().fit(X[keep], np.asarray(y)[keep])  # type: ignore[return-value]

    ensemble = AveragingEnsemble([LogisticRegression(max_iter=500), NoTwo(max_depth=2)])
    ensemble.fit(X, y3)
    proba = ensemble.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    member_two = ensemble.models_[0].predict_proba(X)[:, 2]
    np.testing.assert_allclose(proba[:, 2], member_two / 2, atol=1e-12)


def test_ensembles_pickle_and_clone_unfitted() -> None:
    X, y = _classification_data()
    ensemble = BlendingEnsemble([LogisticRegression(), LogisticRegression(C=0.1)], weights=[1, 2])
    ensemble.fit(X, y)
    restored = pickle.loads(pickle.dumps(ensemble))
    np.testing.assert_array_equal(restored.predict_proba(X), ensemble.predict_proba(X))
    fresh = ensemble.clone()
    assert fresh.weights == [1, 2]
    assert "models_" not in fresh.__dict__


# ---------------------------------------------------------------------------
# Stacking: the meta-model sees out-of-fold predictions only
# ---------------------------------------------------------------------------

SCALE = 1_000_000.0


class LastRowSeen:
    """A base model whose probability encodes the last training row it saw: p = (row+1)/SCALE.

    The meta-feature of row i then says which rows the model that produced it trained on.
    """

    def fit(self, X: pd.DataFrame, y: Any) -> LastRowSeen:
        self.last_row_ = int(X["row"].max())
        self.rows_ = X["row"].to_numpy().copy()
        self.classes_ = np.unique(np.asarray(y))
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = np.full(len(X), (self.last_row_ + 1) / SCALE)
        return np.column_stack([1 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.zeros(len(X), dtype=int)


class RecordingMeta:
    """A meta-model that records what it was fit on and predicts the class balance."""

    def fit(self, X: np.ndarray, y: Any) -> RecordingMeta:
        self.X_ = np.asarray(X).copy()
        self.y_ = np.asarray(y).copy()
        self.classes_ = np.unique(self.y_)
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        share = float(np.mean(self.y_ == self.classes_[1]))
        return np.tile([1 - share, share], (len(X), 1))

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.full(len(X), self.classes_[1])


def _row_data(n: int = 300) -> tuple[pd.DataFrame, pd.Series]:
    index = pd.date_range("2021-01-01", periods=n, freq="h", tz="UTC")
    X = pd.DataFrame({"row": np.arange(n), "noise": np.sin(np.arange(n))}, index=index)
    y = pd.Series(np.arange(n) % 3 == 0, index=index).astype(int)
    return X, y


def test_stacking_meta_features_of_a_row_come_from_models_that_never_saw_it() -> None:
    X, y = _row_data()
    stack = StackingEnsemble([LastRowSeen()], meta_model=RecordingMeta(), n_splits=4)
    stack.fit(X, y)
    rows = stack.oof_rows_
    seen_last = np.rint(stack.oof_features_.iloc[:, 0].to_numpy() * SCALE).astype(int) - 1
    assert (seen_last < rows).all(), "a meta-feature came from a model trained on its own row"
    first_test = min(test.min() for _, test in stack.folds_)
    assert rows.min() == first_test, "rows before the first test block have no OOF prediction"
    for train, test in stack.folds_:
        in_block = np.isin(rows, test)
        assert (seen_last[in_block] == train.max()).all()
        assert train.max() < test.min()
    # the meta-model was trained on exactly those out-of-fold rows, and nothing else
    np.testing.assert_array_equal(stack.meta_model_.X_, stack.oof_features_.to_numpy())
    np.testing.assert_array_equal(stack.meta_model_.y_, y.to_numpy()[rows])
    # the members used for prediction are refit on every row
    assert stack.models_[0].last_row_ == len(X) - 1
    assert stack.meta_model.__dict__.get("X_") is None, "the given meta-model is never fitted"


def test_stacking_purges_rows_whose_label_window_reaches_the_block() -> None:
    X, y = _row_data()
    horizon = 5
    t1 = pd.Series(X.index.shift(horizon), index=X.index).where(
        np.arange(len(X)) < len(X) - horizon
    )
    stack = StackingEnsemble([LastRowSeen()], meta_model=RecordingMeta(), n_splits=3)
    stack.fit(X, y, t1=t1)
    for train, test in stack.folds_:
        assert train.max() + horizon < test.min(), "a label window overlaps the test block"
    seen_last = np.rint(stack.oof_features_.iloc[:, 0].to_numpy() * SCALE).astype(int) - 1
    assert (seen_last + horizon < stack.oof_rows_).all()


def test_stacking_with_real_members_predicts_and_pickles() -> None:
    X, y = _classification_data(500)
    stack = StackingEnsemble(
        [LogisticRegression(), DecisionTreeClassifier(max_depth=3, random_state=0)], n_splits=3
    )
    stack.fit(X, y)
    proba = stack.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert list(stack.oof_features_.columns) == [
        "0_LogisticRegression_p1",
        "1_DecisionTreeClassifier_p1",
    ]
    assert isinstance(stack.meta_model_, LogisticRegression)
    restored = pickle.loads(pickle.dumps(stack))
    np.testing.assert_array_equal(restored.predict(X), stack.predict(X))


# ---------------------------------------------------------------------------
# The model factory
# ---------------------------------------------------------------------------


@attrs.define(slots=False)
class ToyClassifier(ModelBase):
    """Logistic regression behind the Model protocol, with validated hyperparameters."""

    C: float = attrs.field(default=1.0, validator=attrs.validators.gt(0))
    random_state: int = 0
    early_stopping_rounds: int | None = None
    task: ClassVar[str] = "classification"

    def fit(self, X: Any, y: Any, **fit_params: Any) -> ToyClassifier:
        self.model_ = LogisticRegression(C=self.C, random_state=self.random_state).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(self.model_.predict(X))

    def predict_proba(self, X: Any) -> np.ndarray:
        return np.asarray(self.model_.predict_proba(X))


class ToyModels:
    @hookimpl
    def mlcore_register_models(self, registry: Any) -> None:
        registry.add("toy", ToyClassifier, aliases=("toy_classifier",))
        registry.add("tree", lambda max_depth=3: DecisionTreeClassifier(max_depth=max_depth))


@pytest.fixture
def host() -> PluginHost:
    loaded = PluginHost(MlcoreConfig(plugins=PluginsConfig(autoload=False))).load()
    assert loaded.register_plugin(ToyModels(), distribution="toy-models")
    return loaded


def test_create_model_by_name_and_from_config(host: PluginHost) -> None:
    assert create_model("toy", host, C=0.5) == ToyClassifier(C=0.5)
    config = config_from_dict(
        {"training": {"model_type": "toy_classifier", "model_params": {"C": 2.0}, "seed": 7}}
    )
    model = create_model(config, host)
    assert model == ToyClassifier(C=2.0, random_state=7, early_stopping_rounds=50)
    assert create_model(config, host, C=3.0).C == 3.0, "keywords win over model_params"
    assert create_model("toy-models:toy", host).C == 1.0


def test_unknown_model_type_names_the_key_and_lists_the_models(host: PluginHost) -> None:
    config = config_from_dict({"training": {"model_type": "toi"}})
    with pytest.raises(UnknownComponentError) as caught:
        create_model(config, host)
    message = str(caught.value)
    assert "config key 'training.model_type'" in message
    assert "did you mean 'toy'" in message
    assert "registered models: toy, tree" in message
    assert "averaging, blending, stacking" in message


def test_unknown_model_parameter_names_its_key(host: PluginHost) -> None:
    config = config_from_dict({"training": {"model_type": "toy", "model_params": {"c": 1.0}}})
    with pytest.raises(ConfigError, match="did you mean 'C'") as caught:
        create_model(config, host)
    assert caught.value.key_path == "training.model_params.c"


def test_invalid_model_parameter_value_names_its_key(host: PluginHost) -> None:
    config = config_from_dict({"training": {"model_type": "toy", "model_params": {"C": -1.0}}})
    with pytest.raises(ConfigError) as caught:
        create_model(config, host)
    assert caught.value.key_path == "training.model_params.C"
    assert "'C' must be > 0" in str(caught.value)


def test_no_model_plugin_installed_says_what_to_install() -> None:
    bare = PluginHost(MlcoreConfig(plugins=PluginsConfig(autoload=False))).load()
    with pytest.raises(UnknownComponentError, match="pip install mlcore-lightgbm"):
        create_model("lightgbm", bare)


def test_ensembles_from_config(host: PluginHost) -> None:
    config = config_from_dict(
        {
            "training": {
                "model_type": "blending",
                "model_params": {
                    "models": ["toy", {"name": "toy", "C": 0.1}, {"name": "tree", "max_depth": 2}],
                    "weights": [1, 1, 2],
                },
                "seed": 3,
            }
        }
    )
    blend = create_model(config, host)
    assert isinstance(blend, BlendingEnsemble)
    assert blend.models[0] == ToyClassifier(random_state=3, early_stopping_rounds=50)
    assert blend.models[1].C == 0.1
    assert blend.models[2].max_depth == 2
    X, y = _classification_data()
    assert blend.fit(X, y).predict_proba(X).shape == (len(X), 2)

    stacking = config_from_dict(
        {"training": {"model_type": "stacking", "model_params": {"models": ["toy", "tree"]}}}
    )
    stack = create_model(stacking, host, meta_model="toy", n_splits=3)
    assert isinstance(stack, StackingEnsemble)
    assert isinstance(stack.meta_model, ToyClassifier)
    assert stack.fit(X, y).predict(X).shape == (len(X),)
    assert isinstance(create_model(stacking, host).meta_model, type(None)), "default: logistic"


@pytest.mark.parametrize(
    ("params", "key", "error"),
    [
        ({"models": ["toy", "nope"]}, "training.model_params.models[1]", UnknownComponentError),
        ({"models": [{"name": "toy", "D": 1}]}, "training.model_params.models[0].D", ConfigError),
        ({"models": []}, "training.model_params.models", ConfigError),
        ({"models": [3]}, "training.model_params.models[0]", ConfigError),
        ({"models": ["toy"], "weights": [-1]}, "training.model_params.weights", ConfigError),
        ({"models": ["toy"], "depth": 1}, "training.model_params", ConfigError),
    ],
)
def test_ensemble_config_errors_name_their_key(
    host: PluginHost, params: dict[str, Any], key: str, error: type[Exception]
) -> None:
    config = config_from_dict({"training": {"model_type": "blending", "model_params": params}})
    with pytest.raises(error) as caught:
        create_model(config, host)
    if isinstance(caught.value, ConfigError):
        assert caught.value.key_path == key
    else:
        assert f"config key '{key}'" in str(caught.value)


def test_clone_model_and_model_task() -> None:
    toy = ToyClassifier(C=0.3)
    assert clone_model(toy) == toy
    assert clone_model(toy) is not toy
    assert clone_model(LogisticRegression(C=2.0)).C == 2.0
    assert isinstance(clone_model(LastRowSeen()), LastRowSeen)
    assert model_task(toy) == "classification"
    assert model_task(LinearRegression()) == "regression"
    assert model_task(AveragingEnsemble([LinearRegression()])) == "regression"
