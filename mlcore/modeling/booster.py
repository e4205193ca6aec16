"""A base for models that wrap a gradient-boosting library's native booster.

:class:`NativeBoosterModel` holds what the XGBoost and LightGBM plugins share: the ``fit``
flow (input matrix, class codes or float target, sample weights, the early-stopping split),
prediction on the fitted columns, TreeSHAP frames, feature importances, ``save``/``load``
through a :class:`~mlcore.modeling.ModelFolder` and pickling through the library's own
model bytes. A plugin subclasses it once, declares its hyperparameters as attrs fields and
implements only the library calls (the hooks below).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd

from mlcore.modeling.hyperparameters import repr_changed_params
from mlcore.modeling.inputs import (
    LabelledRows,
    check_index_alignment,
    classes_and_codes,
    codes_for,
    early_stopping_sets,
    feature_names_of,
    prediction_matrix,
    regression_target,
    sample_weights,
    training_matrix,
    warn_absent_classes,
)
from mlcore.modeling.search_space import SearchDimension, Trial, suggest
from mlcore.modeling.storage import ModelFolder, classes_from_metadata, classes_metadata
from mlcore.protocols import ModelBase, ModelTask, NanPolicy

__all__ = ["BIAS", "NativeBoosterModel"]

#: The name of the bias column of :meth:`NativeBoosterModel.explain`.
BIAS = "bias"


class NativeBoosterModel(ModelBase):
    """Training, prediction, explanations and persistence around a native booster.

    Not an attrs class itself: the plugin's ``@attrs.define(slots=False, repr=False)``
    subclass declares the fields, which must include ``n_estimators``, ``n_jobs``,
    ``early_stopping_rounds``, ``validation_fraction`` and ``params``. ``task`` decides
    the target: ``"classification"`` fits ``classes_``/``n_classes_`` and codes 0..k-1,
    ``"regression"`` a float target.

    Class attributes to set: ``model_folder`` (the saved-model layout), ``library`` and
    ``library_version`` (written to the sidecar), ``plugin_version``,
    ``importance_kinds`` and ``total_gain_kind`` (the kind behind
    ``feature_importances_``), and optionally ``SEARCH_SPACE``.

    Hooks to implement: :meth:`_train`, :meth:`_rounds`, :meth:`_predict_raw`,
    :meth:`_contributions`, :meth:`_importance`, :meth:`_booster_bytes` and
    :meth:`_booster_from_bytes`.
    """

    nan_policy: ClassVar[NanPolicy] = "ignore"  # tree boosters learn where missing values go
    task: ClassVar[ModelTask]
    SEARCH_SPACE: ClassVar[Mapping[str, SearchDimension]] = MappingProxyType({})
    model_folder: ClassVar[ModelFolder]
    library: ClassVar[str]
    library_version: ClassVar[str]
    plugin_version: ClassVar[str]
    importance_kinds: ClassVar[tuple[str, ...]]
    total_gain_kind: ClassVar[str]

    # The attrs fields every subclass declares (read here, defined there).
    n_estimators: int
    n_jobs: int
    early_stopping_rounds: int | None
    validation_fraction: float
    params: dict[str, Any]

    _feature_names: tuple[str, ...]

    # -- hooks: the library's part ------------------------------------------------------

    def _train(
        self,
        train: LabelledRows,
        validation: LabelledRows | None,
        names: tuple[str, ...],
        state: dict[str, Any],
    ) -> tuple[Any, int | None, dict[str, Any]]:
        """Train on ``train`` (early stopping on ``validation`` when given) and return the
        booster trimmed to its best round, the best round (None without early stopping) and
        the evaluation history. ``state`` holds ``n_classes_`` for a classifier."""
        raise NotImplementedError

    def _rounds(self, booster: Any) -> int:
        """The number of boosting rounds the booster holds."""
        raise NotImplementedError

    def _predict_raw(self, booster: Any, matrix: np.ndarray) -> np.ndarray:
        """The booster's prediction for a checked float matrix (no further checks)."""
        raise NotImplementedError

    def _contributions(self, booster: Any, matrix: np.ndarray) -> np.ndarray:
        """TreeSHAP contributions as float64: (rows, features + 1), or per class either
        (rows, classes, features + 1) or (rows, classes * (features + 1))."""
        raise NotImplementedError

    def _importance(self, booster: Any, kind: str) -> np.ndarray:
        """One float per fitted feature for ``kind``, one of ``importance_kinds``."""
        raise NotImplementedError

    def _booster_bytes(self, booster: Any) -> bytes:
        """The booster in the library's own model format."""
        raise NotImplementedError

    def _booster_from_bytes(self, raw: bytes) -> Any:
        """The booster back from :meth:`_booster_bytes` (the hyperparameters are set)."""
        raise NotImplementedError

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

    # -- training -----------------------------------------------------------------------

    def _encode_target(self, y: Any, rows: int) -> tuple[np.ndarray, dict[str, Any]]:
        if self.task == "classification":
            classes, codes = classes_and_codes(y, rows)
            return codes, {"classes_": classes, "n_classes_": len(classes)}
        return regression_target(y, rows), {}

    def _encode_eval_target(self, y: Any, rows: int, state: dict[str, Any]) -> np.ndarray:
        if self.task == "classification":
            return codes_for(y, state["classes_"], rows, "eval_set y")
        return regression_target(y, rows, "eval_set y")

    def _check_training_target(self, target: np.ndarray, state: dict[str, Any]) -> None:
        if self.task == "classification":
            warn_absent_classes(
                target,
                state["classes_"],
                model=type(self).__name__,
                validation_fraction=self.validation_fraction,
                stacklevel=3,  # the caller of fit()
            )

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
        self._set_fitted(booster, names, best, self._rounds(booster), history)
        return self

    def _set_fitted(
        self,
        booster: Any,
        names: tuple[str, ...],
        best: int | None,
        rounds: int,
        history: dict[str, Any],
    ) -> None:
        self.booster_ = booster
        self.feature_names_in_ = np.asarray(names, dtype=object)
        self.n_features_in_ = len(names)
        self.best_iteration_ = best
        self.n_estimators_ = rounds
        self.evals_result_ = history
        self._feature_names = names

    # -- prediction ---------------------------------------------------------------------

    def _fitted_booster(self) -> Any:
        booster = self.__dict__.get("booster_")
        if booster is None:
            from sklearn.exceptions import NotFittedError  # imported only on the error path

            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet: call fit(X, y) first"
            )
        return booster

    def _predict_values(self, X: Any) -> np.ndarray:
        booster = self._fitted_booster()
        matrix = prediction_matrix(X, self._feature_names, type(self).__name__)
        return self._predict_raw(booster, matrix)

    def explain(self, X: Any) -> pd.DataFrame:
        """TreeSHAP contributions: one column per feature plus ``bias``.

        Each row sums to the model's raw score for that row (log-odds for a binary
        classifier, the class's raw score for multiclass, the prediction for a regressor).
        For a multiclass classifier the columns are a MultiIndex ``(class, feature)``:
        ``explain(X)[label]`` is that class's frame. The index is X's (a RangeIndex for
        arrays).
        """
        booster = self._fitted_booster()
        matrix = prediction_matrix(X, self._feature_names, type(self).__name__)
        if BIAS in self._feature_names:
            raise ValueError(
                f"a feature is named {BIAS!r}, the name of the bias column of explain(): rename it"
            )
        contributions = self._contributions(booster, matrix)
        index = X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(len(matrix))
        features = [*self._feature_names, BIAS]
        if contributions.ndim == 2 and contributions.shape[1] == len(features):
            return pd.DataFrame(contributions, index=index, columns=features)
        flat = contributions.reshape(len(matrix), -1)
        classes = self.__dict__.get("classes_", np.arange(flat.shape[1] // len(features)))
        columns = pd.MultiIndex.from_product([classes, features], names=["class", "feature"])
        return pd.DataFrame(flat, index=index, columns=columns)

    def feature_importance(self, kind: str = "gain") -> pd.Series:
        """Importance of each fitted feature as the library defines ``kind``, one of
        ``importance_kinds``. Features never used score 0."""
        if kind not in self.importance_kinds:
            raise ValueError(
                f"unknown importance kind {kind!r}; "
                f"choose one of {', '.join(self.importance_kinds)}"
            )
        values = self._importance(self._fitted_booster(), kind)
        return pd.Series(values, index=list(self._feature_names), name=kind)

    @property
    def feature_importances_(self) -> np.ndarray:
        """Total gain of each feature, normalized to sum to 1 (all zeros with no split)."""
        total = self.feature_importance(self.total_gain_kind).to_numpy()
        sum_ = total.sum()
        return total / sum_ if sum_ > 0 else total

    # -- persistence --------------------------------------------------------------------

    def _fitted_metadata(self) -> dict[str, Any]:
        metadata = {
            "feature_names": list(self._feature_names),
            "best_iteration": self.best_iteration_,
            "n_estimators": self.n_estimators_,
            "evals_result": self.evals_result_,
        }
        if self.task == "classification":
            metadata.update(classes_metadata(self.classes_))
        return metadata

    def _restore(self, booster: Any, metadata: Mapping[str, Any]) -> None:
        names = tuple(str(name) for name in metadata["feature_names"])
        self._set_fitted(
            booster,
            names,
            metadata["best_iteration"],
            int(metadata["n_estimators"]),
            metadata["evals_result"],
        )
        if self.task == "classification":
            classes = classes_from_metadata(metadata)
            self.classes_ = classes
            self.n_classes_ = len(classes)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write a folder: the booster in the library's own model format (the file named by
        ``model_folder``) and ``mlcore-model.json`` with the parameters, classes and
        feature names. Nothing is pickled."""
        booster = self._fitted_booster()
        metadata = {
            "model_class": type(self).__name__,
            "plugin_version": self.plugin_version,
            "library": {"name": self.library, "version": self.library_version},
            "params": self.get_params(),
            **self._fitted_metadata(),
        }
        self.model_folder.write(path, self._booster_bytes(booster), metadata)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Self:
        """Read a folder written by :meth:`save`."""
        metadata, raw = cls.model_folder.read(path, model_class=cls.__name__)
        model = cls(**metadata["params"])
        model._restore(model._booster_from_bytes(raw), metadata)
        return model

    def __getstate__(self) -> dict[str, Any]:
        # The booster travels as the library's own model bytes: exact, and version-tolerant.
        state = self.__dict__.copy()
        booster = state.get("booster_")
        if booster is not None:
            state["booster_"] = self._booster_bytes(booster)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        raw = state.get("booster_")
        if isinstance(raw, bytes):
            self.booster_ = self._booster_from_bytes(raw)
