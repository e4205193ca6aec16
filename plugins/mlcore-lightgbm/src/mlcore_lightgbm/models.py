"""LightGBM models behind mlcore's Model protocol: a classifier and a regressor.

Training uses LightGBM's native API (``lightgbm.train`` on a ``Dataset``), not the
scikit-learn wrappers. Prediction on a 2-D float numpy array goes straight to
``Booster.predict`` with no conversion; a DataFrame is checked against the fitted feature
names and converted once.

Early stopping (``early_stopping_rounds``, default 50) watches a validation slice taken
from the END of the training rows: the last ``ceil(validation_fraction * n)`` rows, never
a random sample, since rows are time-ordered and a random split would validate on the past
with the future in training. The trees after the best iteration are dropped: the fitted
booster holds ``best_iteration`` iterations and is not refit on all rows (a refit would
train on the rows that chose the number of trees, with that number tuned for fewer rows).
Pass ``eval_set=(X_val, y_val)`` to validate on other rows (all of X is then trained on),
or ``early_stopping_rounds=None`` (or ``validation_fraction=0``) to train
``n_estimators`` iterations on every row.

Training is deterministic: ``seed``, ``deterministic=True`` and ``force_row_wise=True``
are set, and the thread count is a fixed parameter (``n_jobs``), because LightGBM's
histogram sums depend on it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Literal, cast

import attrs
import lightgbm as lgb
import numpy as np
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

from mlcore_lightgbm import DISTRIBUTION, __version__
from mlcore_lightgbm.search_space import SEARCH_SPACE

__all__ = ["IMPORTANCE_KINDS", "LightGBMClassifier", "LightGBMRegressor"]

#: ``feature_importance(kind)`` kinds: LightGBM's own, plus ``weight`` (= ``split``,
#: XGBoost's name for it).
IMPORTANCE_KINDS = ("gain", "split", "weight")


def _names(field: str, *aliases: str) -> dict[str, str]:
    return dict.fromkeys(aliases, field)


#: Native parameter names and their LightGBM aliases that the model's own fields set.
_FIELD_PARAMS: Mapping[str, str] = MappingProxyType(
    {
        **_names(
            "n_estimators",
            "num_iterations",
            "num_iteration",
            "n_iter",
            "num_tree",
            "num_trees",
            "num_round",
            "num_rounds",
            "nrounds",
            "num_boost_round",
            "n_estimators",
            "max_iter",
        ),
        **_names("learning_rate", "learning_rate", "shrinkage_rate", "eta"),
        **_names(
            "num_leaves", "num_leaves", "num_leaf", "max_leaves", "max_leaf", "max_leaf_nodes"
        ),
        **_names("max_depth", "max_depth"),
        **_names("subsample", "bagging_fraction", "sub_row", "subsample", "bagging"),
        **_names("subsample_freq", "bagging_freq", "subsample_freq"),
        **_names("colsample_bytree", "feature_fraction", "sub_feature", "colsample_bytree"),
        **_names(
            "min_child_samples",
            "min_data_in_leaf",
            "min_data_per_leaf",
            "min_data",
            "min_child_samples",
            "min_samples_leaf",
        ),
        **_names("reg_alpha", "lambda_l1", "reg_alpha", "l1_regularization"),
        **_names("reg_lambda", "lambda_l2", "reg_lambda", "lambda", "l2_regularization"),
        **_names("random_state", "seed", "random_seed", "random_state"),
        **_names("n_jobs", "num_threads", "num_thread", "nthread", "nthreads", "n_jobs"),
        **_names(
            "early_stopping_rounds",
            "early_stopping_round",
            "early_stopping_rounds",
            "early_stopping",
            "n_iter_no_change",
        ),
    }
)

# LightGBM rejects feature names holding JSON punctuation and rewrites whitespace; such
# names stay on the model only and the booster numbers the columns.
_INVALID_LIBRARY_NAME = re.compile(r'[\[\]{}",:\s]')

#: The saved-model folder: the booster as ``model.txt`` plus mlcore's JSON sidecar.
_FOLDER = ModelFolder(
    format="mlcore-lightgbm-model", model_file="model.txt", distribution=DISTRIBUTION
)


def _reserved_params(model: Any) -> Mapping[str, str]:
    reserved = {key: f"set it with the {field} parameter" for key, field in _FIELD_PARAMS.items()}
    reserved.update(type(model)._controlled_params)
    return reserved


def _library_names(names: tuple[str, ...]) -> list[str] | Literal["auto"]:
    if any(not name or _INVALID_LIBRARY_NAME.search(name) for name in names):
        return "auto"
    return list(names)


def _booster_from_text(text: str) -> lgb.Booster:
    return lgb.Booster(model_str=text)


@attrs.define(slots=False, repr=False)
class _LightGBMModel(NativeBoosterModel):
    """Hyperparameters and the LightGBM calls shared by both models; the rest (fit, save,
    load, explain, pickling) is :class:`mlcore.modeling.NativeBoosterModel`'s."""

    task: ClassVar[ModelTask]
    SEARCH_SPACE: ClassVar[Mapping[str, SearchDimension]] = SEARCH_SPACE
    _controlled_params: ClassVar[Mapping[str, str]] = MappingProxyType({})
    model_folder: ClassVar[ModelFolder] = _FOLDER
    library: ClassVar[str] = "lightgbm"
    library_version: ClassVar[str] = lgb.__version__
    plugin_version: ClassVar[str] = __version__
    importance_kinds: ClassVar[tuple[str, ...]] = IMPORTANCE_KINDS
    total_gain_kind: ClassVar[str] = "gain"

    n_estimators: int = attrs.field(default=200, validator=number(int, low=1))
    learning_rate: float = attrs.field(default=0.1, validator=number(float, low=0, low_open=True))
    num_leaves: int = attrs.field(default=31, validator=number(int, low=2, high=131072))
    max_depth: int = attrs.field(default=-1, validator=number(int, low=-1))
    subsample: float = attrs.field(
        default=1.0, validator=number(float, low=0, high=1, low_open=True)
    )
    subsample_freq: int = attrs.field(default=1, validator=number(int, low=0))
    colsample_bytree: float = attrs.field(
        default=1.0, validator=number(float, low=0, high=1, low_open=True)
    )
    min_child_samples: int = attrs.field(default=20, validator=number(int, low=0))
    reg_alpha: float = attrs.field(default=0.0, validator=number(float, low=0))
    reg_lambda: float = attrs.field(default=0.0, validator=number(float, low=0))
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

    @max_depth.validator
    def _check_max_depth(self, attribute: attrs.Attribute[int], value: int) -> None:
        if value == 0:
            raise ValueError(
                f"{type(self).__name__}.max_depth must be -1 (no limit) or an int >= 1, got 0"
            )

    # -- parameters ---------------------------------------------------------------------

    def booster_params(self, n_classes: int | None = None) -> dict[str, Any]:
        """The parameters passed to ``lightgbm.train`` (``params`` last, so it may add any)."""
        params: dict[str, Any] = {
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "max_depth": self.max_depth,
            "bagging_fraction": self.subsample,
            "bagging_freq": self.subsample_freq,
            "feature_fraction": self.colsample_bytree,
            "min_data_in_leaf": self.min_child_samples,
            "lambda_l1": self.reg_alpha,
            "lambda_l2": self.reg_lambda,
            "seed": self.random_state,
            "num_threads": self.n_jobs,
            "deterministic": True,
            "force_row_wise": True,
            "verbosity": -1,
        }
        params.update(self._objective(n_classes))
        if "force_col_wise" in self.params:  # LightGBM refuses both
            del params["force_row_wise"]
        params.update(self.params)
        return params

    def _objective(self, n_classes: int | None) -> dict[str, Any]:
        raise NotImplementedError

    # -- the LightGBM calls --------------------------------------------------------------

    def _train(
        self,
        train: LabelledRows,
        validation: LabelledRows | None,
        names: tuple[str, ...],
        state: dict[str, Any],
    ) -> tuple[lgb.Booster, int | None, dict[str, Any]]:
        library_names = _library_names(names)
        X_train, y_train, w_train = train
        train_set = lgb.Dataset(
            X_train, label=y_train, weight=w_train, feature_name=library_names, free_raw_data=True
        )
        valid_sets = []
        if validation is not None:
            X_val, y_val, w_val = validation
            valid_sets.append(
                lgb.Dataset(
                    X_val,
                    label=y_val,
                    weight=w_val,
                    reference=train_set,
                    feature_name=library_names,
                    free_raw_data=True,
                )
            )
        history: dict[str, Any] = {}
        callbacks: list[Any] = []
        stopping = self.early_stopping_rounds if valid_sets else None
        if valid_sets:
            callbacks.append(lgb.record_evaluation(history))
        if stopping is not None:
            callbacks.append(lgb.early_stopping(stopping, verbose=False))
        booster = lgb.train(
            self.booster_params(state.get("n_classes_")),
            train_set,
            num_boost_round=self.n_estimators,
            valid_sets=valid_sets,
            valid_names=["validation"] * len(valid_sets),
            callbacks=callbacks,
        )
        best = int(booster.best_iteration) if stopping is not None else None
        # lightgbm.train already returns a booster rebuilt from its text, trimmed to the best
        # iteration; rebuilding once more pins that (an in-memory booster predicts exactly
        # as one loaded from a file) across LightGBM versions.
        booster = _booster_from_text(booster.model_to_string(num_iteration=best or -1))
        return booster, best, {k: dict(v) for k, v in history.items()}

    def _rounds(self, booster: lgb.Booster) -> int:
        return booster.current_iteration()

    def _predict_raw(self, booster: lgb.Booster, matrix: np.ndarray) -> np.ndarray:
        # A dense input gives a dense output (sparse outputs are for sparse inputs).
        return cast(np.ndarray, booster.predict(matrix, num_threads=self.n_jobs))

    def _contributions(self, booster: lgb.Booster, matrix: np.ndarray) -> np.ndarray:
        """TreeSHAP contributions (``pred_contrib``); ``explain`` frames them."""
        return np.asarray(
            booster.predict(matrix, pred_contrib=True, num_threads=self.n_jobs), dtype=np.float64
        )

    def _importance(self, booster: lgb.Booster, kind: str) -> np.ndarray:
        """LightGBM's ``feature_importance``: ``gain``: total gain of the splits on the
        feature; ``split`` (alias ``weight``): how many splits use it."""
        native = "split" if kind == "weight" else kind
        return np.asarray(booster.feature_importance(importance_type=native), dtype=np.float64)

    def _booster_bytes(self, booster: lgb.Booster) -> bytes:
        """LightGBM's text model format (``model.txt``, loadable by
        ``lightgbm.Booster(model_file=...)``): exact, 17 significant digits."""
        return booster.model_to_string(num_iteration=-1).encode("utf-8")

    def _booster_from_bytes(self, raw: bytes) -> lgb.Booster:
        return _booster_from_text(raw.decode("utf-8"))


@attrs.define(slots=False, repr=False)
class LightGBMClassifier(_LightGBMModel):
    """Gradient-boosted trees classifier (LightGBM), binary or multiclass.

    Labels may be any sortable values (``-1/0/1``, strings): ``classes_`` holds them
    sorted and ``predict_proba`` has one column per class in that order.

    Parameters (defaults in brackets): ``n_estimators`` [200] boosting iterations at
    most; ``learning_rate`` [0.1]; ``num_leaves`` [31]; ``max_depth`` [-1] (no limit);
    ``subsample`` [1.0] rows per bagging round; ``subsample_freq`` [1] bag every k
    iterations (0 turns bagging off); ``colsample_bytree`` [1.0] features per tree;
    ``min_child_samples`` [20] rows per leaf at least; ``reg_alpha`` [0.0] L1;
    ``reg_lambda`` [0.0] L2; ``random_state`` [42]; ``n_jobs`` [2] threads (fixed, so
    results do not depend on the machine); ``early_stopping_rounds`` [50] (None: no early
    stopping); ``validation_fraction`` [0.1] of the latest rows for early stopping (0: none);
    ``params`` [{}] any other ``lightgbm.train`` parameter (``max_bin``,
    ``min_sum_hessian_in_leaf``, ``is_unbalance``, ``metric`` ...).
    """

    task: ClassVar[ModelTask] = "classification"
    _controlled_params: ClassVar[Mapping[str, str]] = MappingProxyType(
        {
            **dict.fromkeys(
                ("objective", "objective_type", "app", "application", "loss"),
                "the classifier sets it from y (binary or multiclass)",
            ),
            **dict.fromkeys(("num_class", "num_classes"), "the classifier sets it from y"),
        }
    )

    def _objective(self, n_classes: int | None) -> dict[str, Any]:
        if n_classes == 2:
            return {"objective": "binary"}
        return {"objective": "multiclass", "num_class": n_classes}

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_rows, n_classes), columns in ``classes_`` order."""
        values = self._predict_values(X)
        if values.ndim == 2:
            return values
        proba = np.empty((len(values), 2))
        proba[:, 0] = 1.0 - values
        proba[:, 1] = values
        return proba

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row (a label from ``classes_``)."""
        values = self._predict_values(X)
        codes = values.argmax(axis=1) if values.ndim == 2 else (values > 0.5).astype(np.intp)
        labels: np.ndarray = self.classes_[codes]
        return labels


@attrs.define(slots=False, repr=False)
class LightGBMRegressor(_LightGBMModel):
    """Gradient-boosted trees regressor (LightGBM, squared error by default).

    The parameters are the classifier's; ``params={"objective": "huber"}`` (or any other
    LightGBM regression objective) changes the loss. ``predict_proba`` raises: a regressor
    predicts values, not class probabilities.
    """

    task: ClassVar[ModelTask] = "regression"
    _controlled_params: ClassVar[Mapping[str, str]] = MappingProxyType(
        dict.fromkeys(("num_class", "num_classes"), "a regressor has no classes")
    )

    def _objective(self, n_classes: int | None) -> dict[str, Any]:
        return {"objective": "regression"}

    def predict(self, X: Any) -> np.ndarray:
        """The predicted value of each row, as float64."""
        return np.asarray(self._predict_values(X), dtype=np.float64)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Not available: a regressor predicts values (use :meth:`predict`).

        It exists because mlcore's Model protocol lists it.
        """
        raise NotImplementedError(
            f"{type(self).__name__} predicts values, not class probabilities: use predict(), "
            "or LightGBMClassifier for probabilities"
        )
