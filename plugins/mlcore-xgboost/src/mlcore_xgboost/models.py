"""XGBoost models behind mlcore's Model protocol: a classifier and a regressor.

Training uses XGBoost's native API (``xgboost.train`` on a ``QuantileDMatrix``), not the
scikit-learn wrappers. Prediction on a 2-D float numpy array goes straight to
``Booster.inplace_predict`` with no conversion; a DataFrame is checked against the fitted
feature names and converted once.

Early stopping (``early_stopping_rounds``, default 50) watches a validation slice taken
from the END of the training rows: the last ``ceil(validation_fraction * n)`` rows, never
a random sample, since rows are time-ordered and a random split would validate on the past
with the future in training. The trees after the best round are dropped: the fitted
booster holds ``best_iteration + 1`` rounds and is not refit on all rows (a refit would
train on the rows that chose the number of trees, with that number tuned for fewer rows).
Pass ``eval_set=(X_val, y_val)`` to validate on other rows (all of X is then trained on),
or ``early_stopping_rounds=None`` (or ``validation_fraction=0``) to train
``n_estimators`` rounds on every row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

import attrs
import numpy as np
import xgboost as xgb
from mlcore.modeling import (
    LabelledRows,
    ModelFolder,
    NativeBoosterModel,
    SearchDimension,
    copy_mapping,
    extra_params,
    number,
)
from mlcore.protocols import ModelTask

from mlcore_xgboost import DISTRIBUTION, __version__
from mlcore_xgboost.search_space import SEARCH_SPACE

__all__ = ["IMPORTANCE_KINDS", "XGBoostClassifier", "XGBoostRegressor"]

#: ``feature_importance(kind)`` kinds: XGBoost's own, plus ``split`` (= ``weight``, the
#: number of splits on the feature, LightGBM's name for it).
IMPORTANCE_KINDS = ("gain", "total_gain", "weight", "split", "cover", "total_cover")

#: Native parameter names (and aliases) that the model's own fields set.
_FIELD_PARAMS: Mapping[str, str] = MappingProxyType(
    {
        "num_boost_round": "n_estimators",
        "n_estimators": "n_estimators",
        "eta": "learning_rate",
        "learning_rate": "learning_rate",
        "max_depth": "max_depth",
        "subsample": "subsample",
        "colsample_bytree": "colsample_bytree",
        "min_child_weight": "min_child_weight",
        "alpha": "reg_alpha",
        "reg_alpha": "reg_alpha",
        "lambda": "reg_lambda",
        "reg_lambda": "reg_lambda",
        "seed": "random_state",
        "random_state": "random_state",
        "nthread": "n_jobs",
        "n_jobs": "n_jobs",
        "early_stopping_rounds": "early_stopping_rounds",
    }
)

# XGBoost rejects feature names holding these; such names stay on the model only.
_INVALID_LIBRARY_NAME = re.compile(r"[\[\]<]")

#: The saved-model folder: the booster as ``model.ubj`` plus mlcore's JSON sidecar.
_FOLDER = ModelFolder(
    format="mlcore-xgboost-model", model_file="model.ubj", distribution=DISTRIBUTION
)


def _reserved_params(model: Any) -> Mapping[str, str]:
    reserved = {key: f"set it with the {field} parameter" for key, field in _FIELD_PARAMS.items()}
    reserved.update(type(model)._controlled_params)
    return reserved


def _library_names(names: tuple[str, ...]) -> list[str] | None:
    if any(not name or _INVALID_LIBRARY_NAME.search(name) for name in names):
        return None
    return list(names)


@attrs.define(slots=False, repr=False)
class _XGBoostModel(NativeBoosterModel):
    """Hyperparameters and the XGBoost calls shared by both models; the rest (fit, save,
    load, explain, pickling) is :class:`mlcore.modeling.NativeBoosterModel`'s."""

    task: ClassVar[ModelTask]
    SEARCH_SPACE: ClassVar[Mapping[str, SearchDimension]] = SEARCH_SPACE
    _controlled_params: ClassVar[Mapping[str, str]] = MappingProxyType({})
    model_folder: ClassVar[ModelFolder] = _FOLDER
    library: ClassVar[str] = "xgboost"
    library_version: ClassVar[str] = xgb.__version__
    plugin_version: ClassVar[str] = __version__
    importance_kinds: ClassVar[tuple[str, ...]] = IMPORTANCE_KINDS
    total_gain_kind: ClassVar[str] = "total_gain"

    n_estimators: int = attrs.field(default=200, validator=number(int, low=1))
    learning_rate: float = attrs.field(default=0.1, validator=number(float, low=0, low_open=True))
    max_depth: int = attrs.field(default=6, validator=number(int, low=0))
    subsample: float = attrs.field(
        default=1.0, validator=number(float, low=0, high=1, low_open=True)
    )
    colsample_bytree: float = attrs.field(
        default=1.0, validator=number(float, low=0, high=1, low_open=True)
    )
    min_child_weight: float = attrs.field(default=1.0, validator=number(float, low=0))
    reg_alpha: float = attrs.field(default=0.0, validator=number(float, low=0))
    reg_lambda: float = attrs.field(default=1.0, validator=number(float, low=0))
    random_state: int = attrs.field(
        default=42, validator=number(int, low=0, high=2**31, high_open=True)
    )
    n_jobs: int = attrs.field(default=2, validator=number(int, low=1))
    early_stopping_rounds: int | None = attrs.field(
        default=50, validator=number(int, low=1, optional=True)
    )
    validation_fraction: float = attrs.field(
        default=0.1, validator=number(float, low=0, high=1, high_open=True)
    )
    params: dict[str, Any] = attrs.field(
        factory=dict, converter=copy_mapping, validator=extra_params(_reserved_params)
    )

    # -- parameters ---------------------------------------------------------------------

    def booster_params(self, n_classes: int | None = None) -> dict[str, Any]:
        """The parameters passed to ``xgboost.train`` (``params`` last, so it may add any)."""
        params: dict[str, Any] = {
            "eta": self.learning_rate,
            "max_depth": self.max_depth,
            "subsample": self.subsample,
            "colsample_bytree": self.colsample_bytree,
            "min_child_weight": self.min_child_weight,
            "alpha": self.reg_alpha,
            "lambda": self.reg_lambda,
            "seed": self.random_state,
            "nthread": self.n_jobs,
            "tree_method": "hist",
        }
        params.update(self._objective(n_classes))
        params.update(self.params)
        return params

    def _objective(self, n_classes: int | None) -> dict[str, Any]:
        raise NotImplementedError

    # -- the XGBoost calls ---------------------------------------------------------------

    def _train(
        self,
        train: LabelledRows,
        validation: LabelledRows | None,
        names: tuple[str, ...],
        state: dict[str, Any],
    ) -> tuple[xgb.Booster, int | None, dict[str, Any]]:
        library_names = _library_names(names)
        X_train, y_train, w_train = train
        dtrain = xgb.QuantileDMatrix(
            X_train, label=y_train, weight=w_train, feature_names=library_names, nthread=self.n_jobs
        )
        evals = []
        if validation is not None:
            X_val, y_val, w_val = validation
            dval = xgb.QuantileDMatrix(
                X_val,
                label=y_val,
                weight=w_val,
                ref=dtrain,
                feature_names=library_names,
                nthread=self.n_jobs,
            )
            evals.append((dval, "validation"))
        stopping = self.early_stopping_rounds if evals else None
        history: dict[str, Any] = {}
        booster = xgb.train(
            self.booster_params(state.get("n_classes_")),
            dtrain,
            num_boost_round=self.n_estimators,
            evals=evals,
            early_stopping_rounds=stopping,
            evals_result=history,
            verbose_eval=False,
        )
        best = None
        if stopping is not None:
            best = int(booster.best_iteration)
            if best + 1 < booster.num_boosted_rounds():
                booster = booster[: best + 1]  # keep the rounds up to the best one
        booster.set_param({"nthread": self.n_jobs})
        return booster, best, {k: dict(v) for k, v in history.items()}

    def _rounds(self, booster: xgb.Booster) -> int:
        return booster.num_boosted_rounds()

    def _predict_raw(self, booster: xgb.Booster, matrix: np.ndarray) -> np.ndarray:
        values: np.ndarray = booster.inplace_predict(matrix, validate_features=False)
        return values

    def _contributions(self, booster: xgb.Booster, matrix: np.ndarray) -> np.ndarray:
        """TreeSHAP contributions (``pred_contribs``); ``explain`` frames them."""
        contributions: np.ndarray = booster.predict(
            xgb.DMatrix(matrix, nthread=self.n_jobs), pred_contribs=True, validate_features=False
        )
        return contributions.astype(np.float64)

    def _importance(self, booster: xgb.Booster, kind: str) -> np.ndarray:
        """XGBoost's ``get_score``: ``gain``: average gain of the splits on the feature;
        ``total_gain``: their total; ``weight`` (alias ``split``): how many splits use it;
        ``cover`` / ``total_cover``: the average / total number of rows (hessian) those
        splits see."""
        native = "weight" if kind == "split" else kind
        scores = booster.get_score(importance_type=native)
        library_names = booster.feature_names or [f"f{i}" for i in range(self.n_features_in_)]
        values = np.zeros(len(self._feature_names))
        for position, name in enumerate(library_names):
            # A float per feature; a list (one per target) for multi-output trees.
            values[position] = float(np.sum(np.asarray(scores.get(name, 0.0), dtype=float)))
        return values

    def _booster_bytes(self, booster: xgb.Booster) -> bytes:
        """XGBoost's UBJSON model format (``model.ubj``, loadable by
        ``xgboost.Booster().load_model``)."""
        return bytes(booster.save_raw("ubj"))

    def _booster_from_bytes(self, raw: bytes) -> xgb.Booster:
        booster = xgb.Booster()
        booster.load_model(bytearray(raw))
        booster.set_param({"nthread": self.n_jobs})
        return booster


@attrs.define(slots=False, repr=False)
class XGBoostClassifier(_XGBoostModel):
    """Gradient-boosted trees classifier (XGBoost ``hist``), binary or multiclass.

    Labels may be any sortable values (``-1/0/1``, strings): ``classes_`` holds them
    sorted and ``predict_proba`` has one column per class in that order.

    Parameters (defaults in brackets): ``n_estimators`` [200] boosting rounds at most;
    ``learning_rate`` [0.1]; ``max_depth`` [6]; ``subsample`` [1.0] rows per tree;
    ``colsample_bytree`` [1.0] features per tree; ``min_child_weight`` [1.0];
    ``reg_alpha`` [0.0] L1; ``reg_lambda`` [1.0] L2; ``random_state`` [42];
    ``n_jobs`` [2] threads (fixed, so results do not depend on the machine);
    ``early_stopping_rounds`` [50] (None: no early stopping); ``validation_fraction``
    [0.1] of the latest rows for early stopping (0: none); ``params`` [{}] any other
    ``xgboost.train`` parameter (``max_bin``, ``scale_pos_weight``, ``grow_policy`` ...).
    """

    task: ClassVar[ModelTask] = "classification"
    _controlled_params: ClassVar[Mapping[str, str]] = MappingProxyType(
        {
            "objective": "the classifier sets it from y (binary:logistic or multi:softprob)",
            "num_class": "the classifier sets it from y",
        }
    )

    def _objective(self, n_classes: int | None) -> dict[str, Any]:
        if n_classes == 2:
            return {"objective": "binary:logistic"}
        return {"objective": "multi:softprob", "num_class": n_classes}

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_rows, n_classes), columns in ``classes_`` order."""
        values = self._predict_values(X)
        if values.ndim == 2:
            return values.astype(np.float64)
        positive = values.astype(np.float64)
        proba = np.empty((len(positive), 2))
        proba[:, 0] = 1.0 - positive
        proba[:, 1] = positive
        return proba

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row (a label from ``classes_``)."""
        values = self._predict_values(X)
        codes = values.argmax(axis=1) if values.ndim == 2 else (values > 0.5).astype(np.intp)
        labels: np.ndarray = self.classes_[codes]
        return labels


@attrs.define(slots=False, repr=False)
class XGBoostRegressor(_XGBoostModel):
    """Gradient-boosted trees regressor (XGBoost ``hist``, squared error by default).

    The parameters are the classifier's; ``params={"objective": "reg:pseudohubererror"}``
    (or any other XGBoost regression objective) changes the loss. ``predict_proba``
    raises: a regressor predicts values, not class probabilities.
    """

    task: ClassVar[ModelTask] = "regression"
    _controlled_params: ClassVar[Mapping[str, str]] = MappingProxyType(
        {"num_class": "a regressor has no classes"}
    )

    def _objective(self, n_classes: int | None) -> dict[str, Any]:
        return {"objective": "reg:squarederror"}

    def predict(self, X: Any) -> np.ndarray:
        """The predicted value of each row, as float64."""
        return self._predict_values(X).astype(np.float64)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Not available: a regressor predicts values (use :meth:`predict`).

        It exists because mlcore's Model protocol lists it.
        """
        raise NotImplementedError(
            f"{type(self).__name__} predicts values, not class probabilities: use predict(), "
            "or XGBoostClassifier for probabilities"
        )
