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

import functools
import os
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Self

import attrs
import numpy as np
import pandas as pd
import xgboost as xgb
from mlcore import ModelBase
from mlcore.modeling import (
    LabelledRows,
    ModelFolder,
    SearchDimension,
    Trial,
    check_index_alignment,
    classes_and_codes,
    classes_from_metadata,
    classes_metadata,
    codes_for,
    copy_mapping,
    early_stopping_sets,
    extra_params,
    feature_names_of,
    number,
    prediction_matrix,
    regression_target,
    repr_changed_params,
    sample_weights,
    suggest,
    training_matrix,
    warn_absent_classes,
)
from mlcore.protocols import ModelTask, NanPolicy
from sklearn.exceptions import NotFittedError

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

_BIAS = "bias"

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


def _booster_from_bytes(raw: bytes, n_jobs: int) -> xgb.Booster:
    booster = xgb.Booster()
    booster.load_model(bytearray(raw))
    booster.set_param({"nthread": n_jobs})
    return booster


@attrs.define(slots=False, repr=False)
class _XGBoostModel(ModelBase):
    """Hyperparameters, training, persistence and explanations shared by both models."""

    nan_policy: ClassVar[NanPolicy] = "ignore"  # XGBoost learns where missing values go
    task: ClassVar[ModelTask]
    SEARCH_SPACE: ClassVar[Mapping[str, SearchDimension]] = SEARCH_SPACE
    _controlled_params: ClassVar[Mapping[str, str]] = MappingProxyType({})

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

    def __repr__(self) -> str:
        return repr_changed_params(self)

    @classmethod
    def search_space(cls, trial: Trial, *, prefix: str = "") -> dict[str, Any]:
        """Draw parameters from the default search space (:data:`SEARCH_SPACE`).

        ``trial`` is an ``optuna.trial.Trial`` or any object with its ``suggest_float`` and
        ``suggest_int`` methods; ``prefix`` is prepended to the names the trial sees.
        ``cls(**cls.search_space(trial))`` builds the candidate model.
        """
        return suggest(trial, cls.SEARCH_SPACE, prefix=prefix)

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

    # -- training -----------------------------------------------------------------------

    def _encode_target(self, y: Any, rows: int) -> tuple[np.ndarray, dict[str, Any]]:
        raise NotImplementedError

    def _encode_eval_target(self, y: Any, rows: int, state: dict[str, Any]) -> np.ndarray:
        raise NotImplementedError

    def _check_training_target(self, target: np.ndarray, state: dict[str, Any]) -> None:
        """Hook for the classifier: warn when the rows trained on lack a class."""

    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        eval_set: Any = None,
        **fit_params: Any,
    ) -> Self:
        """Train on ``X`` (rows in time order) and ``y``; returns the model.

        :param sample_weight: one non-negative weight per row, or None.
        :param eval_set: ``(X_val, y_val)`` or ``(X_val, y_val, weight_val)`` to validate
            on for early stopping instead of the last ``validation_fraction`` of the rows.
        """
        if fit_params:
            raise TypeError(
                f"{type(self).__name__}.fit() got unexpected arguments {sorted(fit_params)}; "
                "it takes X, y, sample_weight and eval_set"
            )
        matrix = training_matrix(X)
        rows = len(matrix)
        check_index_alignment(X, y, "y")
        check_index_alignment(X, sample_weight, "sample_weight")
        names = feature_names_of(X, matrix.shape[1])
        target, state = self._encode_target(y, rows)
        weights = sample_weights(sample_weight, rows)
        stopping = self.early_stopping_rounds is not None
        train, validation = early_stopping_sets(
            matrix,
            target,
            weights,
            feature_names=names,
            validation_fraction=self.validation_fraction if stopping else 0.0,
            eval_set=eval_set,
            eval_target=functools.partial(self._encode_eval_target, state=state),
        )
        self._check_training_target(train[1], state)
        booster, best, history = self._train(train, validation, names, state)
        for key in [k for k in vars(self) if k.endswith("_") and not k.startswith("_")]:
            del self.__dict__[key]
        self.__dict__.update(state)
        self.booster_ = booster
        self.feature_names_in_ = np.asarray(names, dtype=object)
        self.n_features_in_ = len(names)
        self.best_iteration_ = best
        self.n_estimators_ = booster.num_boosted_rounds()
        self.evals_result_ = history
        self._feature_names = names
        return self

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

    # -- prediction ---------------------------------------------------------------------

    def _fitted_booster(self) -> xgb.Booster:
        booster: xgb.Booster | None = self.__dict__.get("booster_")
        if booster is None:
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet: call fit(X, y) first"
            )
        return booster

    def _predict_values(self, X: Any) -> np.ndarray:
        booster = self._fitted_booster()
        matrix = prediction_matrix(X, self._feature_names, type(self).__name__)
        values: np.ndarray = booster.inplace_predict(matrix, validate_features=False)
        return values

    def explain(self, X: Any) -> pd.DataFrame:
        """TreeSHAP contributions (``pred_contribs``): one column per feature plus ``bias``.

        Each row sums to the model's raw margin for that row (log-odds for a classifier,
        the prediction for a regressor). For a multiclass classifier the columns are a
        MultiIndex ``(class, feature)``: ``explain(X)[label]`` is that class's frame. The
        index is X's (a RangeIndex for arrays).
        """
        booster = self._fitted_booster()
        matrix = prediction_matrix(X, self._feature_names, type(self).__name__)
        if _BIAS in self._feature_names:
            raise ValueError(
                f"a feature is named {_BIAS!r}, the name of the bias column of explain(): rename it"
            )
        contributions = booster.predict(
            xgb.DMatrix(matrix, nthread=self.n_jobs), pred_contribs=True, validate_features=False
        ).astype(np.float64)
        index = X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(len(matrix))
        features = [*self._feature_names, _BIAS]
        if contributions.ndim == 2:
            return pd.DataFrame(contributions, index=index, columns=features)
        classes = self.__dict__.get("classes_", np.arange(contributions.shape[1]))
        columns = pd.MultiIndex.from_product([classes, features], names=["class", "feature"])
        flat = contributions.reshape(len(matrix), -1)
        return pd.DataFrame(flat, index=index, columns=columns)

    def feature_importance(self, kind: str = "gain") -> pd.Series:
        """Importance of each fitted feature, as XGBoost's ``get_score`` defines it.

        ``gain``: average gain of the splits on the feature; ``total_gain``: their total;
        ``weight`` (alias ``split``): how many splits use it; ``cover`` / ``total_cover``:
        the average / total number of rows (hessian) those splits see. Features never
        used score 0.
        """
        if kind not in IMPORTANCE_KINDS:
            raise ValueError(
                f"unknown importance kind {kind!r}; choose one of {', '.join(IMPORTANCE_KINDS)}"
            )
        booster = self._fitted_booster()
        native = "weight" if kind == "split" else kind
        scores = booster.get_score(importance_type=native)
        library_names = booster.feature_names or [f"f{i}" for i in range(self.n_features_in_)]
        values = np.zeros(len(self._feature_names))
        for position, name in enumerate(library_names):
            # A float per feature; a list (one per target) for multi-output trees.
            values[position] = float(np.sum(np.asarray(scores.get(name, 0.0), dtype=float)))
        return pd.Series(values, index=list(self._feature_names), name=kind)

    @property
    def feature_importances_(self) -> np.ndarray:
        """Total gain of each feature, normalized to sum to 1 (all zeros with no split)."""
        total = self.feature_importance("total_gain").to_numpy()
        sum_ = total.sum()
        return total / sum_ if sum_ > 0 else total

    # -- persistence --------------------------------------------------------------------

    def _fitted_metadata(self) -> dict[str, Any]:
        return {
            "feature_names": list(self._feature_names),
            "best_iteration": self.best_iteration_,
            "n_estimators": self.n_estimators_,
            "evals_result": self.evals_result_,
        }

    def _restore(self, booster: xgb.Booster, metadata: Mapping[str, Any]) -> None:
        names = tuple(str(name) for name in metadata["feature_names"])
        self.booster_ = booster
        self.feature_names_in_ = np.asarray(names, dtype=object)
        self.n_features_in_ = len(names)
        self.best_iteration_ = metadata["best_iteration"]
        self.n_estimators_ = int(metadata["n_estimators"])
        self.evals_result_ = metadata["evals_result"]
        self._feature_names = names

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write a folder: the booster as ``model.ubj`` (XGBoost's UBJSON model format,
        loadable by ``xgboost.Booster().load_model``) and ``mlcore-model.json`` with the
        parameters, classes and feature names. Nothing is pickled."""
        booster = self._fitted_booster()
        metadata = {
            "model_class": type(self).__name__,
            "plugin_version": __version__,
            "library": {"name": "xgboost", "version": xgb.__version__},
            "params": self.get_params(),
            **self._fitted_metadata(),
        }
        _FOLDER.write(path, bytes(booster.save_raw("ubj")), metadata)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Self:
        """Read a folder written by :meth:`save`."""
        metadata, raw = _FOLDER.read(path, model_class=cls.__name__)
        model = cls(**metadata["params"])
        model._restore(_booster_from_bytes(raw, model.n_jobs), metadata)
        return model

    def __getstate__(self) -> dict[str, Any]:
        # The booster travels as XGBoost's own UBJSON bytes: exact, and version-tolerant.
        state = self.__dict__.copy()
        booster = state.get("booster_")
        if booster is not None:
            state["booster_"] = bytes(booster.save_raw("ubj"))
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        raw = state.get("booster_")
        if isinstance(raw, bytes):
            state = {**state, "booster_": _booster_from_bytes(raw, state["n_jobs"])}
        self.__dict__.update(state)


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

    def _encode_target(self, y: Any, rows: int) -> tuple[np.ndarray, dict[str, Any]]:
        classes, codes = classes_and_codes(y, rows)
        return codes, {"classes_": classes, "n_classes_": len(classes)}

    def _encode_eval_target(self, y: Any, rows: int, state: dict[str, Any]) -> np.ndarray:
        return codes_for(y, state["classes_"], rows, "eval_set y")

    def _check_training_target(self, target: np.ndarray, state: dict[str, Any]) -> None:
        warn_absent_classes(
            target,
            state["classes_"],
            model=type(self).__name__,
            validation_fraction=self.validation_fraction,
            stacklevel=3,
        )

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

    def _fitted_metadata(self) -> dict[str, Any]:
        return {
            **super()._fitted_metadata(),
            **classes_metadata(self.classes_),
        }

    def _restore(self, booster: xgb.Booster, metadata: Mapping[str, Any]) -> None:
        super()._restore(booster, metadata)
        classes = classes_from_metadata(metadata)
        self.classes_ = classes
        self.n_classes_ = len(classes)


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

    def _encode_target(self, y: Any, rows: int) -> tuple[np.ndarray, dict[str, Any]]:
        return regression_target(y, rows), {}

    def _encode_eval_target(self, y: Any, rows: int, state: dict[str, Any]) -> np.ndarray:
        return regression_target(y, rows, "eval_set y")

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
