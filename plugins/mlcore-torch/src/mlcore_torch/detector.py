"""``NNRegimeDetector``: a neural network that learns regime labels from causal windows.

The network (an LSTM, or a Transformer encoder with a causal mask) reads the window of
the last ``sequence_length`` rows ending at row ``t`` and gives the probabilities of the
regimes at ``t``. It learns from labels: given to :meth:`NNRegimeDetector.fit`, or made by
its teacher (:mod:`mlcore_torch.teachers`). Probabilities for row ``t`` use rows up to
``t`` only: the detector is causal (filtered) by construction.
"""

from __future__ import annotations

import os
from typing import Any, Self

import attrs
import numpy as np
import pandas as pd
from mlcore.errors import DataValidationError
from mlcore.modeling import check_columns, number, repr_changed_params
from mlcore.protocols import RegimeDetectorBase
from mlcore.regimes import probability_columns, regime_name

from mlcore_torch.devices import DEVICE_PATTERN
from mlcore_torch.networks import ARCHITECTURES
from mlcore_torch.regime_inputs import RegimeInputs, regime_inputs
from mlcore_torch.sequence import SequenceEstimator, softmax
from mlcore_torch.teachers import TEACHERS, checked_labels, teacher_labels
from mlcore_torch.trainer import EpochCallback

__all__ = ["NNRegimeDetector"]


def _device(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not DEVICE_PATTERN.fullmatch(value):
        raise ValueError(
            f"{type(instance).__name__}.{attribute.name} must be 'auto', 'cpu', 'cuda', "
            f"'cuda:<index>' or 'mps', got {value!r}"
        )


def _teacher(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None or (isinstance(value, str) and value in TEACHERS):
        return
    if not isinstance(value, str) and callable(getattr(value, "fit", None)):
        return
    raise ValueError(
        f"{type(instance).__name__}.teacher must be one of {', '.join(map(repr, TEACHERS))}, "
        f"a regime detector (with fit and predict) or None, got {value!r}"
    )


def _optional_path(value: Any) -> Any:
    return os.fspath(value) if isinstance(value, os.PathLike) else value


@attrs.define(slots=False, repr=False)
class NNRegimeDetector(SequenceEstimator, RegimeDetectorBase):
    """Neural regimes (0 bull, 1 bear, 2 sideways, further states after) from causal windows.

    Parameters (defaults in brackets): ``input_size`` [None: from the data] features per
    row, checked at fit; ``n_regimes`` [3]; ``hidden_size`` [64]; ``num_layers`` [2];
    ``sequence_length`` [60] rows per window (a quarter of a year of daily bars: about
    the memory of a filtered HMM whose regimes last 60 to 150 bars); ``dropout`` [0.1];
    ``architecture`` ["lstm"] or "transformer" (``n_heads`` [4] attention heads);
    ``device`` ["auto"]: CUDA, else MPS, else CPU; ``learning_rate`` [1e-3] (Adam,
    ``weight_decay`` [0]); ``validation_fraction`` [0.2] of the latest rows for early
    stopping after a gap of ``sequence_length - 1`` rows (0: none); ``patience`` [10]
    epochs; ``random_state`` [0]; ``checkpoint_dir`` [None] where a checkpoint is written
    after each epoch; ``epochs`` [100] and ``batch_size`` [32], the defaults of ``fit``;
    ``teacher`` ["drawdown"] labels the rows when ``fit`` gets none (see
    :mod:`mlcore_torch.teachers`); ``verbose`` [True] shows a progress bar on a terminal.

    Rows with fewer than ``sequence_length - 1`` earlier rows get a shorter window, left
    padded (see :mod:`mlcore_torch.windows`); appending rows never changes earlier rows'
    probabilities. Inputs are standardised with the training rows' statistics only.
    """

    input_size: int | None = attrs.field(default=None, validator=number(int, low=1, optional=True))
    n_regimes: int = attrs.field(default=3, validator=number(int, low=2))
    hidden_size: int = attrs.field(default=64, validator=number(int, low=1))
    num_layers: int = attrs.field(default=2, validator=number(int, low=1))
    sequence_length: int = attrs.field(default=60, validator=number(int, low=1))
    dropout: float = attrs.field(
        default=0.1, validator=number(float, low=0, high=1, high_open=True)
    )
    architecture: str = attrs.field(default="lstm", validator=attrs.validators.in_(ARCHITECTURES))
    device: str = attrs.field(default="auto", validator=_device)
    learning_rate: float = attrs.field(default=1e-3, validator=number(float, low=0, low_open=True))
    validation_fraction: float = attrs.field(
        default=0.2, validator=number(float, low=0, high=1, high_open=True)
    )
    patience: int = attrs.field(default=10, validator=number(int, low=1))
    random_state: int = attrs.field(
        default=0, validator=number(int, low=0, high=2**63, high_open=True)
    )
    checkpoint_dir: str | None = attrs.field(
        default=None,
        converter=_optional_path,
        validator=attrs.validators.optional(attrs.validators.instance_of(str)),
    )
    epochs: int = attrs.field(default=100, validator=number(int, low=1))
    batch_size: int = attrs.field(default=32, validator=number(int, low=1))
    n_heads: int = attrs.field(default=4, validator=number(int, low=1))
    weight_decay: float = attrs.field(default=0.0, validator=number(float, low=0))
    teacher: Any = attrs.field(default="drawdown", validator=_teacher)
    verbose: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))

    def __repr__(self) -> str:
        return repr_changed_params(self)

    def _architecture(self) -> str:
        return self.architecture

    # -- fitting ------------------------------------------------------------------------

    def fit(
        self,
        features: Any,
        labels: Any = None,
        epochs: int | None = None,
        batch_size: int | None = None,
        resume: bool = False,
        on_epoch_end: EpochCallback | None = None,
    ) -> Self:
        """Learn ``labels`` (one regime per row; None: the teacher's) from ``features``.

        :param features: rows in time order: a feature frame, raw OHLCV bars or a 2-D array.
        :param epochs: at most this many passes (default: the ``epochs`` parameter).
        :param batch_size: windows per step (default: the ``batch_size`` parameter).
        :param resume: continue from the checkpoint in ``checkpoint_dir`` (written by an
            interrupted fit on the same data and parameters); without one, start afresh.
        :param on_epoch_end: called after each epoch's checkpoint as
            ``on_epoch_end(epoch, record)``; an exception raised there stops the fit.
        """
        inputs = regime_inputs(features)
        width = inputs.matrix.shape[1]
        if self.input_size is not None and width != self.input_size:
            raise DataValidationError(
                f"{type(self).__name__} has input_size={self.input_size} but the features have "
                f"{width} column(s) ({', '.join(inputs.names)}): pass input_size={width} or "
                "None (taken from the data)",
                rule="shape",
            )
        if labels is None:
            labels = teacher_labels(self.teacher, features, self.n_regimes, self.random_state)
        target = checked_labels(labels, features, len(inputs.matrix), self.n_regimes)
        self._fit_sequences(
            inputs.matrix,
            target,
            names=inputs.names,
            n_outputs=self.n_regimes,
            classification=True,
            epochs=self.epochs if epochs is None else epochs,
            batch_size=self.batch_size if batch_size is None else batch_size,
            resume=resume,
            on_epoch_end=on_epoch_end,
        )
        self.ohlcv_input_ = inputs.ohlcv
        self.label_names_ = [regime_name(k) for k in range(self.n_regimes)]
        return self

    # -- prediction ---------------------------------------------------------------------

    def _inputs(self, features: Any, last: int | None = None) -> RegimeInputs:
        self._check_fitted()
        inputs = regime_inputs(features, last)
        if inputs.ohlcv != self.ohlcv_input_:
            fitted = "raw OHLCV bars" if self.ohlcv_input_ else "a feature frame"
            raise DataValidationError(
                f"{type(self).__name__} was fit on {fitted}; pass the same kind of input",
                rule="feature_names",
            )
        names = [str(n) for n in self.feature_names_in_]
        if isinstance(features, pd.DataFrame) and not inputs.ohlcv:
            check_columns(
                features, names, f"the features differ from those {type(self).__name__} was fit on"
            )
        if inputs.matrix.shape[1] != len(names):
            raise DataValidationError(
                f"features have {inputs.matrix.shape[1]} columns but {type(self).__name__} was "
                f"fit on {len(names)} ({', '.join(names)})",
                rule="feature_names",
            )
        return inputs

    def predict_proba(self, X: Any) -> np.ndarray:
        """Regime probabilities, (rows, n_regimes), columns in label order (0 bull, 1 bear,
        2 sideways ...). Row ``t`` uses rows up to ``t`` only (its window)."""
        return softmax(self._outputs(self._inputs(X).matrix))

    def predict_proba_latest(self, X: Any) -> np.ndarray:
        """The probabilities of the last row of ``X`` alone, (n_regimes,): the live path.

        Only the last ``sequence_length`` rows are read (one more for raw OHLCV bars, for
        the first return). Computed in float32 on the detector's device for low latency;
        equal to ``predict_proba(X)[-1]`` to float32 rounding (about 1e-6).
        """
        inputs = self._inputs(X, last=self.sequence_length)
        proba: np.ndarray = softmax(self._latest_outputs(inputs.matrix)[None])[0]
        return proba

    def predict_frame(self, X: Any) -> pd.DataFrame:
        """``predict_proba`` as a frame on X's index: ``p_bull``, ``p_bear``, ``p_sideways`` ..."""
        proba = self.predict_proba(X)
        index = X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(len(proba))
        return pd.DataFrame(proba, index=index, columns=probability_columns(self.n_regimes))

    # -- persistence --------------------------------------------------------------------

    def _json_params(self) -> dict[str, Any]:
        params = super()._json_params()
        if not isinstance(self.teacher, str):
            params["teacher"] = None  # a fitted detector needs no teacher; objects are not saved
        return params

    def _fitted_metadata(self) -> dict[str, Any]:
        return {
            "labels": {
                "convention": "0 bull, 1 bear, 2 sideways, further states after",
                "names": self.label_names_,
            },
            "ohlcv_input": self.ohlcv_input_,
        }

    def _restore_fitted(self, metadata: Any) -> None:
        self.label_names_ = list(metadata["labels"]["names"])
        self.ohlcv_input_ = bool(metadata["ohlcv_input"])
