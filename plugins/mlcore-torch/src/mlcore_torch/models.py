"""Forecasting models on causal windows behind mlcore's Model protocol.

:class:`LSTMClassifier`, :class:`LSTMRegressor`, :class:`TransformerClassifier` and
:class:`TransformerRegressor` take a feature frame ``X`` (rows in time order) and a target
``y``; the window of the ``sequence_length`` rows ending at row ``t`` predicts ``y[t]``.
Rows with less history get a shorter, left-padded window (see :mod:`mlcore_torch.windows`):
to predict rows that follow the training rows with full windows, pass the
``sequence_length - 1`` rows before them too and drop their predictions.

The classes differ only in two class attributes: the network (``"lstm"`` or
``"transformer"``, a causal encoder) and ``task`` (``"classification"``: cross-entropy,
``predict_proba`` over ``classes_``; ``"regression"``: mean squared error on the target
standardised with the training rows' statistics).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any, ClassVar, Self

import attrs
import numpy as np
from mlcore.modeling import (
    SearchDimension,
    Trial,
    check_index_alignment,
    classes_and_codes,
    classes_from_metadata,
    classes_metadata,
    feature_names_of,
    number,
    prediction_matrix,
    regression_target,
    repr_changed_params,
    suggest,
    training_matrix,
)
from mlcore.protocols import ModelBase, ModelTask, NanPolicy

from mlcore_torch.devices import DEVICE_PATTERN
from mlcore_torch.search_space import HEAD_MULTIPLE, SEARCH_SPACE
from mlcore_torch.sequence import SequenceEstimator, check_finite, softmax
from mlcore_torch.trainer import EpochCallback
from mlcore_torch.windows import time_split

__all__ = ["LSTMClassifier", "LSTMRegressor", "TransformerClassifier", "TransformerRegressor"]


def _device(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not DEVICE_PATTERN.fullmatch(value):
        raise ValueError(
            f"{type(instance).__name__}.{attribute.name} must be 'auto', 'cpu', 'cuda', "
            f"'cuda:<index>' or 'mps', got {value!r}"
        )


def _optional_path(value: Any) -> Any:
    return os.fspath(value) if isinstance(value, os.PathLike) else value


@attrs.define(slots=False, repr=False)
class _SequenceModel(SequenceEstimator, ModelBase):
    """Hyperparameters, fit and predict shared by the four models."""

    task: ClassVar[ModelTask]
    network: ClassVar[str]
    nan_policy: ClassVar[NanPolicy] = "raise"
    SEARCH_SPACE: ClassVar[Mapping[str, SearchDimension]] = SEARCH_SPACE

    sequence_length: int = attrs.field(default=20, validator=number(int, low=1))
    hidden_size: int = attrs.field(default=32, validator=number(int, low=1))
    num_layers: int = attrs.field(default=1, validator=number(int, low=1))
    dropout: float = attrs.field(
        default=0.1, validator=number(float, low=0, high=1, high_open=True)
    )
    n_heads: int = attrs.field(default=4, validator=number(int, low=1))
    learning_rate: float = attrs.field(default=1e-3, validator=number(float, low=0, low_open=True))
    weight_decay: float = attrs.field(default=0.0, validator=number(float, low=0))
    epochs: int = attrs.field(default=50, validator=number(int, low=1))
    batch_size: int = attrs.field(default=64, validator=number(int, low=1))
    validation_fraction: float = attrs.field(
        default=0.1, validator=number(float, low=0, high=1, high_open=True)
    )
    patience: int = attrs.field(default=5, validator=number(int, low=1))
    random_state: int = attrs.field(
        default=0, validator=number(int, low=0, high=2**63, high_open=True)
    )
    device: str = attrs.field(default="auto", validator=_device)
    checkpoint_dir: str | None = attrs.field(
        default=None,
        converter=_optional_path,
        validator=attrs.validators.optional(attrs.validators.instance_of(str)),
    )
    verbose: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))

    def __repr__(self) -> str:
        return repr_changed_params(self)

    def _architecture(self) -> str:
        return self.network

    @classmethod
    def search_space(cls, trial: Trial, *, prefix: str = "") -> dict[str, Any]:
        """Draw parameters from the default search space (:data:`SEARCH_SPACE`).

        ``cls(**cls.search_space(trial))`` builds the candidate. A Transformer's
        ``hidden_size`` is rounded up to a multiple of 8 (1, 2, 4 or 8 heads divide it).
        """
        params = suggest(trial, cls.SEARCH_SPACE, prefix=prefix)
        if cls.network == "transformer":
            params["hidden_size"] = HEAD_MULTIPLE * math.ceil(params["hidden_size"] / HEAD_MULTIPLE)
        return params

    # -- inputs -------------------------------------------------------------------------

    def _training_inputs(self, X: Any, y: Any) -> tuple[np.ndarray, tuple[str, ...]]:
        matrix = training_matrix(X)
        names = feature_names_of(X, matrix.shape[1])
        check_finite(matrix, names, getattr(X, "index", None), "X")
        check_index_alignment(X, y, "y")
        return matrix, names

    def _prediction_inputs(self, X: Any) -> np.ndarray:
        self._check_fitted()
        names = tuple(str(n) for n in self.feature_names_in_)
        matrix = prediction_matrix(X, names, type(self).__name__)
        check_finite(matrix, names, getattr(X, "index", None), "X")
        return matrix

    def _encode(self, y: Any, rows: int) -> tuple[np.ndarray, int]:
        """The target as the network learns it, and the number of network outputs."""
        raise NotImplementedError

    def _remember_target(self) -> None:
        """Keep what ``_encode`` learnt about the target (classes, scale) as fitted state."""

    # -- fitting ------------------------------------------------------------------------

    def fit(
        self,
        X: Any,
        y: Any,
        *,
        resume: bool = False,
        on_epoch_end: EpochCallback | None = None,
        **fit_params: Any,
    ) -> Self:
        """Train on ``X`` (rows in time order) and ``y``; returns the model.

        :param resume: continue from the checkpoint in ``checkpoint_dir`` written by an
            interrupted fit on the same data and parameters; without one, start afresh.
        :param on_epoch_end: called after each epoch's checkpoint as
            ``on_epoch_end(epoch, record)``; an exception raised there stops the fit.
        """
        if fit_params:
            raise TypeError(
                f"{type(self).__name__}.fit() got unexpected arguments {sorted(fit_params)}; "
                "it takes X, y, resume and on_epoch_end"
            )
        matrix, names = self._training_inputs(X, y)
        target, outputs = self._encode(y, len(matrix))
        self._fit_sequences(
            matrix,
            target,
            names=names,
            n_outputs=outputs,
            classification=self.task == "classification",
            epochs=self.epochs,
            batch_size=self.batch_size,
            resume=resume,
            on_epoch_end=on_epoch_end,
        )
        self._remember_target()
        return self


@attrs.define(slots=False, repr=False)
class _Classifier(_SequenceModel):
    task: ClassVar[ModelTask] = "classification"

    def _encode(self, y: Any, rows: int) -> tuple[np.ndarray, int]:
        classes, codes = classes_and_codes(y, rows)
        self._classes = classes
        return codes, len(classes)

    def _remember_target(self) -> None:
        self.classes_ = self.__dict__.pop("_classes")
        self.n_classes_ = len(self.classes_)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, (rows, n_classes), columns in ``classes_`` order."""
        return softmax(self._outputs(self._prediction_inputs(X)))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row (a label from ``classes_``)."""
        codes = self.predict_proba(X).argmax(axis=1)
        labels: np.ndarray = self.classes_[codes]
        return labels

    def _fitted_metadata(self) -> dict[str, Any]:
        return classes_metadata(self.classes_)

    def _restore_fitted(self, metadata: Any) -> None:
        self.classes_ = classes_from_metadata(metadata)
        self.n_classes_ = len(self.classes_)


@attrs.define(slots=False, repr=False)
class _Regressor(_SequenceModel):
    task: ClassVar[ModelTask] = "regression"

    def _encode(self, y: Any, rows: int) -> tuple[np.ndarray, int]:
        target = regression_target(y, rows)
        train, _ = time_split(rows, self.validation_fraction, self.sequence_length - 1)
        center = float(target[train].mean())
        scale = float(target[train].std())
        self._target_scale = (center, scale if scale > 0 else 1.0)
        return (target - center) / self._target_scale[1], 1

    def _remember_target(self) -> None:
        self.target_center_, self.target_scale_ = self.__dict__.pop("_target_scale")

    def predict(self, X: Any) -> np.ndarray:
        """The predicted value of each row, as float64."""
        outputs = self._outputs(self._prediction_inputs(X))[:, 0]
        result: np.ndarray = outputs * self.target_scale_ + self.target_center_
        return result

    def predict_proba(self, X: Any) -> np.ndarray:
        """Not available: a regressor predicts values (use :meth:`predict`).

        It exists because mlcore's Model protocol lists it.
        """
        raise NotImplementedError(
            f"{type(self).__name__} predicts values, not class probabilities: use predict(), "
            "or a classifier (LSTMClassifier, TransformerClassifier) for probabilities"
        )

    def _fitted_metadata(self) -> dict[str, Any]:
        return {"target": {"center": self.target_center_, "scale": self.target_scale_}}

    def _restore_fitted(self, metadata: Any) -> None:
        self.target_center_ = float(metadata["target"]["center"])
        self.target_scale_ = float(metadata["target"]["scale"])


_PARAMETERS = """
    Parameters (defaults in brackets): ``sequence_length`` [20] rows per window;
    ``hidden_size`` [32]; ``num_layers`` [1]; ``dropout`` [0.1]; ``n_heads`` [4] (the
    Transformer's attention heads; they must divide ``hidden_size``); ``learning_rate``
    [1e-3] and ``weight_decay`` [0] (Adam); ``epochs`` [50] at most; ``batch_size`` [64];
    ``validation_fraction`` [0.1] of the latest rows for early stopping, after a gap of
    ``sequence_length - 1`` rows (0: none); ``patience`` [5] epochs; ``random_state`` [0];
    ``device`` ["auto"]: CUDA, else MPS, else CPU; ``checkpoint_dir`` [None] for a
    checkpoint after every epoch (``fit(..., resume=True)`` continues from it);
    ``verbose`` [True]: a progress bar on a terminal. NaN in X is refused
    (``nan_policy = "raise"``).
"""


@attrs.define(slots=False, repr=False)
class LSTMClassifier(_Classifier):
    network: ClassVar[str] = "lstm"
    __doc__ = "LSTM classifier on causal windows of the feature rows.\n" + _PARAMETERS


@attrs.define(slots=False, repr=False)
class LSTMRegressor(_Regressor):
    network: ClassVar[str] = "lstm"
    __doc__ = "LSTM regressor on causal windows of the feature rows.\n" + _PARAMETERS


@attrs.define(slots=False, repr=False)
class TransformerClassifier(_Classifier):
    network: ClassVar[str] = "transformer"
    __doc__ = (
        "Transformer encoder classifier (causal self-attention, sinusoidal positions) on "
        "windows of the feature rows.\n" + _PARAMETERS
    )


@attrs.define(slots=False, repr=False)
class TransformerRegressor(_Regressor):
    network: ClassVar[str] = "transformer"
    __doc__ = (
        "Transformer encoder regressor (causal self-attention, sinusoidal positions) on "
        "windows of the feature rows.\n" + _PARAMETERS
    )
