"""Ensembles over any models: averaging, weighted blending and stacking.

Members are unfitted models (registered plugin models, scikit-learn estimators, anything
with ``fit`` and ``predict``/``predict_proba``); an ensemble's ``fit`` fits a fresh clone of
each (:func:`mlcore.models.clone_model`), so the members given are never changed and
``clone()`` gives an unfitted ensemble.

- :class:`AveragingEnsemble`: the mean of the members' class probabilities (classifiers) or
  predictions (regressors).
- :class:`BlendingEnsemble`: a weighted mean with fixed, non-negative ``weights``
  (normalized to sum to 1).
- :class:`StackingEnsemble`: a meta-model trained on the members' **out-of-fold**
  predictions. The training rows are cut by a purged walk-forward split
  (:class:`~mlcore.validation.PurgedWalkForward`); for each test block the members are fit
  on the rows before it only, and their predictions on the block become the meta-model's
  features for those rows. So the meta-feature of row ``i`` always comes from members that
  never saw row ``i`` (nor, with ``t1`` or ``gap``, any row whose label window reaches it).
  The members are then refit on all rows for prediction. Rows before the first test block
  have no out-of-fold prediction and do not train the meta-model.

Nothing here looks at rows outside the ``X`` given to ``fit``: inside cross-validation each
fold's ensemble is fit on that fold's training rows alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Self

import attrs
import numpy as np
import pandas as pd

from mlcore.models import clone_model, model_task
from mlcore.protocols import ModelBase

__all__ = ["AveragingEnsemble", "BlendingEnsemble", "StackingEnsemble"]


def _check_members(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not value:
        raise ValueError(f"{type(instance).__name__}.models needs at least one member model")
    for index, member in enumerate(value):
        if not hasattr(member, "fit") or not hasattr(member, "predict"):
            raise TypeError(
                f"{type(instance).__name__}.models[{index}] is a {type(member).__name__}, not a "
                "model: a member needs fit and predict (and predict_proba for classifiers)"
            )
    tasks = {model_task(member) for member in value}
    if len(tasks) > 1:
        raise ValueError(
            f"{type(instance).__name__}.models mixes classifiers and regressors "
            f"({', '.join(type(m).__name__ for m in value)}); use members of one kind"
        )


def _rows(data: Any, positions: np.ndarray) -> Any:
    if isinstance(data, pd.DataFrame | pd.Series):
        return data.iloc[positions]
    return np.asarray(data)[positions]


def _fit_member(model: Any, X: Any, y: Any, sample_weight: Any) -> Any:
    if sample_weight is None:
        model.fit(X, y)
    else:
        model.fit(X, y, sample_weight=sample_weight)
    return model


def _aligned_proba(model: Any, X: Any, classes: np.ndarray) -> np.ndarray:
    """``model.predict_proba(X)`` with one column per class of ``classes`` (0 where the
    member never saw a class)."""
    proba = np.asarray(model.predict_proba(X), dtype=np.float64)
    if proba.ndim == 1:
        proba = np.column_stack([1.0 - proba, proba])
    own = getattr(model, "classes_", None)
    if own is None or np.array_equal(np.asarray(own), classes):
        return proba
    aligned = np.zeros((len(proba), len(classes)))
    for column, label in enumerate(np.asarray(own)):
        aligned[:, int(np.searchsorted(classes, label))] = proba[:, column]
    return aligned


def _classes_of(fitted: Sequence[Any], y: Any) -> np.ndarray:
    seen = [np.asarray(m.classes_) for m in fitted if getattr(m, "classes_", None) is not None]
    if not seen:
        return np.unique(np.asarray(y))
    return np.unique(np.concatenate(seen))


def _mean_importances(fitted: Sequence[Any], weights: np.ndarray) -> np.ndarray:
    """Each member's normalized feature importances, averaged with the member weights."""
    rows = []
    for member in fitted:
        values = getattr(member, "feature_importances_", None)
        if values is None:
            raise AttributeError(
                f"member {type(member).__name__} has no feature_importances_, so the ensemble "
                "has none"
            )
        values = np.asarray(values, dtype=np.float64)
        total = values.sum()
        rows.append(values / total if total > 0 else values)
    return np.asarray(np.tensordot(weights, np.vstack(rows), axes=1))


@attrs.define(slots=False, repr=False)
class AveragingEnsemble(ModelBase):
    """The mean of the members' probabilities (classifiers) or predictions (regressors).

    Parameters
    ----------
    models
        The member models, unfitted (clones are fit).

    Fitted attributes: ``models_`` (the fitted members), ``task_`` (``classification`` or
    ``regression``), ``classes_`` (classifiers: every class a member saw, sorted).
    """

    models: list[Any] = attrs.field(converter=list, validator=_check_members)

    def __repr__(self) -> str:
        members = ", ".join(type(m).__name__ for m in self.models)
        return f"{type(self).__name__}([{members}])"

    @property  # ModelBase's ClassVar; an ensemble's task is its members'
    def task(self) -> str:  # type: ignore[override]
        """``classification`` or ``regression``, from the members."""
        return model_task(self.models[0])

    def member_weights(self) -> np.ndarray:
        """The weight of each member in the mean (equal for averaging)."""
        return np.full(len(self.models), 1.0 / len(self.models))

    def fit(self, X: Any, y: Any, sample_weight: Any = None, **fit_params: Any) -> Self:
        """Fit a clone of every member on ``X`` and ``y`` (with ``sample_weight``)."""
        self._check_fit_params(fit_params)
        fitted = [_fit_member(clone_model(m), X, y, sample_weight) for m in self.models]
        self.models_ = fitted
        self.task_ = self.task
        if self.task_ == "classification":
            self.classes_ = _classes_of(fitted, y)
        return self

    def _check_fit_params(self, fit_params: dict[str, Any]) -> None:
        if fit_params:
            raise TypeError(
                f"{type(self).__name__}.fit() got unexpected arguments {sorted(fit_params)}; it "
                "takes X, y and sample_weight"
            )

    def _fitted(self) -> list[Any]:
        fitted: list[Any] | None = self.__dict__.get("models_")
        if fitted is None:
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(f"{type(self).__name__} is not fitted: call fit(X, y) first")
        return fitted

    def predict_proba(self, X: Any) -> np.ndarray:
        """The weighted mean of the members' class probabilities, columns in ``classes_``."""
        fitted = self._fitted()
        if self.task_ != "classification":
            raise NotImplementedError(
                f"{type(self).__name__} of regressors predicts values: use predict()"
            )
        probas = [_aligned_proba(m, X, self.classes_) for m in fitted]
        return np.asarray(np.tensordot(self.member_weights(), np.stack(probas), axes=1))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class (classifiers) or the weighted mean prediction."""
        fitted = self._fitted()
        if self.task_ == "classification":
            labels: np.ndarray = self.classes_[self.predict_proba(X).argmax(axis=1)]
            return labels
        predictions = np.stack([np.asarray(m.predict(X), dtype=np.float64) for m in fitted])
        return np.asarray(np.tensordot(self.member_weights(), predictions, axes=1))

    @property
    def feature_importances_(self) -> np.ndarray:
        """The members' normalized importances, averaged with the member weights."""
        return _mean_importances(self._fitted(), self.member_weights())


def _check_weights(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    weights = list(value)
    for index, weight in enumerate(weights):
        if (
            isinstance(weight, bool)
            or not isinstance(weight, int | float)
            or not math.isfinite(weight)
            or weight < 0
        ):
            raise ValueError(
                f"{type(instance).__name__}.weights[{index}] must be a finite number >= 0, "
                f"got {weight!r}"
            )
    if weights and not sum(weights) > 0:
        raise ValueError(f"{type(instance).__name__}.weights sum to 0: no member would count")


@attrs.define(slots=False, repr=False)
class BlendingEnsemble(AveragingEnsemble):
    """A weighted mean of the members' probabilities or predictions.

    Parameters
    ----------
    models
        The member models, unfitted.
    weights
        One non-negative weight per member, normalized to sum to 1; None gives equal
        weights (plain averaging).
    """

    weights: list[float] | None = attrs.field(default=None, validator=_check_weights)

    def __attrs_post_init__(self) -> None:
        if self.weights is not None and len(self.weights) != len(self.models):
            raise ValueError(
                f"BlendingEnsemble.weights has {len(self.weights)} values for "
                f"{len(self.models)} member models; give one weight per member"
            )

    def __repr__(self) -> str:
        members = ", ".join(type(m).__name__ for m in self.models)
        return f"{type(self).__name__}([{members}], weights={self.weights})"

    def member_weights(self) -> np.ndarray:
        if self.weights is None:
            return super().member_weights()
        weights = np.asarray(self.weights, dtype=np.float64)
        return np.asarray(weights / weights.sum())


def _default_meta_model(task: str, random_state: int) -> Any:
    if task == "classification":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(max_iter=1000, random_state=random_state)
    from sklearn.linear_model import Ridge

    return Ridge(alpha=1.0)


def _positive_int(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(
            f"{type(instance).__name__}.{attribute.name} must be an int >= 1, got {value!r}"
        )


def _non_negative_int(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(
            f"{type(instance).__name__}.{attribute.name} must be an int >= 0, got {value!r}"
        )


@attrs.define(slots=False, repr=False)
class StackingEnsemble(ModelBase):
    """A meta-model trained on the members' out-of-fold predictions (module docs).

    Parameters
    ----------
    models
        The member (base) models, unfitted.
    meta_model
        The meta-model, unfitted; None: scikit-learn's ``LogisticRegression`` for
        classifiers, ``Ridge`` for regressors.
    n_splits
        Test blocks of the inner walk-forward split that makes the out-of-fold predictions.
    test_size
        The share of the training rows (a fraction) the test blocks cover together, or the
        rows per block (an int): the meta-model trains on that many rows.
    gap
        Rows dropped between each inner training part and its test block, for labels that
        look ``gap`` bars ahead when no ``t1`` is passed to ``fit``.
    random_state
        Seed of the default meta-model.

    Fitted attributes: ``models_`` (members refit on every row), ``meta_model_``,
    ``classes_`` (classifiers), ``oof_features_`` (the meta-model's training matrix, a
    DataFrame on the rows it covers), ``oof_rows_`` (their positions in ``X``) and
    ``folds_`` (the inner ``(train, test)`` positions).
    """

    models: list[Any] = attrs.field(converter=list, validator=_check_members)
    meta_model: Any = None
    n_splits: int = attrs.field(default=5, validator=_positive_int)
    test_size: float | int = 0.5
    gap: int = attrs.field(default=0, validator=_non_negative_int)
    random_state: int = attrs.field(default=0, validator=_non_negative_int)

    def __repr__(self) -> str:
        members = ", ".join(type(m).__name__ for m in self.models)
        meta = type(self.meta_model).__name__ if self.meta_model is not None else "default"
        return f"StackingEnsemble([{members}], meta_model={meta}, n_splits={self.n_splits})"

    @property  # ModelBase's ClassVar; an ensemble's task is its members'
    def task(self) -> str:  # type: ignore[override]
        """``classification`` or ``regression``, from the members."""
        return model_task(self.models[0])

    def _splitter(self, purge: bool) -> Any:
        from mlcore.validation import PurgedWalkForward

        return PurgedWalkForward(
            n_splits=self.n_splits, test_size=self.test_size, gap=self.gap, purge=purge
        )

    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        t1: pd.Series | None = None,
        **fit_params: Any,
    ) -> Self:
        """Fit the members out of fold, the meta-model on their predictions, then the
        members on every row.

        :param t1: the labels' end times on X's index (``Labels.t1``): inner training rows
            whose label window reaches into a test block are purged.
        """
        if fit_params:
            raise TypeError(
                f"StackingEnsemble.fit() got unexpected arguments {sorted(fit_params)}; it "
                "takes X, y, sample_weight and t1"
            )
        task = self.task
        n = len(X)
        y_values = np.asarray(y)
        folds = list(self._splitter(t1 is not None).split(X, t1=t1))
        blocks, rows = [], []
        classes = np.unique(y_values) if task == "classification" else None
        for train, test in folds:
            weights = None if sample_weight is None else _rows(sample_weight, train)
            fold_members = [
                _fit_member(clone_model(m), _rows(X, train), _rows(y, train), weights)
                for m in self.models
            ]
            blocks.append(self._meta_features(fold_members, _rows(X, test), classes))
            rows.append(test)
        oof_rows = np.concatenate(rows)
        meta_X = np.vstack(blocks)
        meta_y = _rows(y, oof_rows)
        if task == "classification" and len(np.unique(np.asarray(meta_y))) < 2:
            raise ValueError(
                f"StackingEnsemble: the {len(oof_rows)} out-of-fold rows hold one class only; "
                "use a larger test_size or more rows"
            )
        meta = clone_model(self.meta_model) if self.meta_model is not None else None
        meta = meta if meta is not None else _default_meta_model(task, self.random_state)
        meta_weights = None if sample_weight is None else _rows(sample_weight, oof_rows)
        _fit_member(meta, meta_X, np.asarray(meta_y), meta_weights)
        fitted = [_fit_member(clone_model(m), X, y, sample_weight) for m in self.models]
        index = X.index[oof_rows] if isinstance(X, pd.DataFrame) else pd.Index(oof_rows)
        self.task_ = task
        if classes is not None:
            self.classes_ = classes
        self.models_ = fitted
        self.meta_model_ = meta
        self.folds_ = tuple(folds)
        self.oof_rows_ = oof_rows
        self.oof_features_ = pd.DataFrame(meta_X, index=index, columns=self.meta_feature_names())
        self.n_train_rows_ = n
        return self

    def meta_feature_names(self) -> list[str]:
        """The meta-model's columns: ``<member>_<name>`` or ``<member>_<name>_p<class>``."""
        names = []
        classes = self.__dict__.get("classes_")
        for index, member in enumerate(self.models):
            stem = f"{index}_{type(member).__name__}"
            if classes is None:
                names.append(stem)
            elif len(classes) == 2:
                names.append(f"{stem}_p{classes[1]}")
            else:
                names.extend(f"{stem}_p{label}" for label in classes)
        return names

    def _meta_features(self, members: Sequence[Any], X: Any, classes: np.ndarray | None) -> Any:
        columns = []
        for member in members:
            if classes is None:
                columns.append(np.asarray(member.predict(X), dtype=np.float64)[:, None])
                continue
            proba = _aligned_proba(member, X, classes)
            columns.append(proba[:, 1:] if len(classes) == 2 else proba)
        return np.hstack(columns)

    def _fitted(self) -> list[Any]:
        fitted: list[Any] | None = self.__dict__.get("models_")
        if fitted is None:
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("StackingEnsemble is not fitted: call fit(X, y) first")
        return fitted

    def predict_proba(self, X: Any) -> np.ndarray:
        """The meta-model's class probabilities on the refit members' predictions."""
        fitted = self._fitted()
        if self.task_ != "classification":
            raise NotImplementedError("StackingEnsemble of regressors predicts values: predict()")
        features = self._meta_features(fitted, X, self.classes_)
        return _aligned_proba(self.meta_model_, features, self.classes_)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class (classifiers) or the meta-model's prediction."""
        fitted = self._fitted()
        if self.task_ == "classification":
            labels: np.ndarray = self.classes_[self.predict_proba(X).argmax(axis=1)]
            return labels
        features = self._meta_features(fitted, X, None)
        return np.asarray(self.meta_model_.predict(features), dtype=np.float64)

    @property
    def feature_importances_(self) -> np.ndarray:
        """The members' normalized importances, averaged with equal weights."""
        fitted = self._fitted()
        return _mean_importances(fitted, np.full(len(fitted), 1.0 / len(fitted)))
