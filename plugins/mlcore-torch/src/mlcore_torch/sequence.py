"""What the regime detector and the forecasting models share: a network over causal windows.

:class:`SequenceEstimator` turns a time-ordered float matrix into standardised, padded
windows (:mod:`mlcore_torch.windows`), trains a :class:`~mlcore_torch.networks.SequenceNetwork`
on them (:mod:`mlcore_torch.trainer`), predicts, saves, loads and pickles. Subclasses are
attrs classes that declare the hyperparameter fields read here and turn their inputs and
targets into arrays.

Training runs in float32. Prediction over many rows runs in float64 (on a float64 copy of
the trained weights): float32 kernels round differently for different batch shapes (by
about 1e-7), and in float64 a row's output does not depend, to 1e-12, on how many other
rows are predicted with it, so appending bars leaves earlier outputs unchanged.
:meth:`SequenceEstimator._latest_outputs` is the low-latency float32 path for the newest
row alone; it agrees with the float64 path to float32 rounding.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import platform
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
import torch
from mlcore import __version__ as mlcore_version
from mlcore.errors import DataValidationError
from mlcore.modeling import ModelFolder
from mlcore.protocols import ComponentBase

from mlcore_torch import DISTRIBUTION, __version__
from mlcore_torch.devices import deterministic, inference_device, resolve_device
from mlcore_torch.networks import NetworkSpec, SequenceNetwork
from mlcore_torch.trainer import EpochCallback, TrainingData, TrainingPlan, train_network
from mlcore_torch.windows import Standardiser, padded_rows, time_split, windows_view

__all__ = ["PREDICT_BATCH", "SequenceEstimator", "check_finite", "softmax"]

#: Windows per forward pass when predicting many rows.
PREDICT_BATCH = 512

_FOLDER = ModelFolder(
    format="mlcore-torch-model", model_file="weights.pt", distribution=DISTRIBUTION
)


def check_finite(
    matrix: np.ndarray, names: Sequence[str], index: pd.Index | None, what: str
) -> None:
    """Refuse NaN and infinity, naming the first bad column and row.

    ``index`` labels the input's rows; ``matrix`` holds its last ``len(matrix)`` rows.
    """
    bad = ~np.isfinite(matrix)
    if bad.any():
        row, column = (int(i) for i in np.argwhere(bad)[0])
        position = row if index is None else len(index) - len(matrix) + row
        label = f" ({index[position]!r})" if index is not None else ""
        raise DataValidationError(
            f"{what} column {names[column]!r} is {float(matrix[row, column])} at row "
            f"{position}{label} ({int(bad.sum())} NaN or infinite value(s) in all): the "
            "network needs finite inputs; drop or repair those rows first (never fill "
            "backwards)",
            rule="nan",
            column=names[column],
        )


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax in float64 (shifted by the row maximum, so it never overflows)."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    result: np.ndarray = shifted / shifted.sum(axis=1, keepdims=True)
    return result


def _state_bytes(network: torch.nn.Module) -> bytes:
    buffer = io.BytesIO()
    torch.save({k: v.detach().cpu() for k, v in network.state_dict().items()}, buffer)
    return buffer.getvalue()


def _network_from_bytes(spec: NetworkSpec, raw: bytes) -> SequenceNetwork:
    state = torch.load(io.BytesIO(raw), map_location="cpu", weights_only=True)
    network = SequenceNetwork(spec)
    network.load_state_dict(state)
    return network.eval()


def _json_param(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return repr(value)


class SequenceEstimator(ComponentBase):
    """Fit, predict, save, load and pickle a sequence network; subclasses declare fields.

    Fitted attributes: ``network_`` (the trained :class:`SequenceNetwork`), ``center_`` and
    ``scale_`` (input standardisation from the training rows), ``feature_names_in_``,
    ``n_features_in_``, ``history_`` (per-epoch ``train_loss``, ``val_loss``, and for
    classifiers ``train_accuracy``, ``val_accuracy``), ``best_epoch_``, ``n_epochs_`` and
    ``device_`` (where it was trained).
    """

    model_folder: ClassVar[ModelFolder] = _FOLDER

    # The attrs fields every subclass declares (read here, defined there).
    sequence_length: int
    hidden_size: int
    num_layers: int
    dropout: float
    n_heads: int
    learning_rate: float
    weight_decay: float
    validation_fraction: float
    patience: int
    random_state: int
    device: str
    checkpoint_dir: str | None
    verbose: bool
    epochs: int
    batch_size: int

    def _architecture(self) -> str:
        """``"lstm"`` or ``"transformer"``: a field of the detector, fixed by each model class."""
        raise NotImplementedError

    # -- fitting ------------------------------------------------------------------------

    def _check_shape_params(self) -> None:
        if self._architecture() == "transformer" and self.hidden_size % self.n_heads:
            raise ValueError(
                f"{type(self).__name__}: hidden_size={self.hidden_size} must be a multiple of "
                f"n_heads={self.n_heads} for the transformer (each head gets hidden_size / "
                "n_heads dimensions)"
            )

    def _fingerprint(self, raw: np.ndarray, target: np.ndarray, extra: Mapping[str, Any]) -> str:
        params = {k: _json_param(v) for k, v in self.get_params().items()}
        for volatile in ("verbose", "checkpoint_dir"):
            params.pop(volatile, None)
        digest = hashlib.sha256()
        digest.update(json.dumps({**params, **extra}, sort_keys=True).encode())
        digest.update(np.ascontiguousarray(raw, dtype=np.float64).tobytes())
        digest.update(np.ascontiguousarray(target).tobytes())
        return digest.hexdigest()

    def _fit_sequences(
        self,
        raw: np.ndarray,
        target: np.ndarray,
        *,
        names: Sequence[str],
        n_outputs: int,
        classification: bool,
        epochs: int,
        batch_size: int,
        resume: bool,
        on_epoch_end: EpochCallback | None,
    ) -> None:
        """Train on ``raw`` (rows in time order, finite) and one target per row."""
        self._check_shape_params()
        if resume and not self.checkpoint_dir:
            raise ValueError(
                f"{type(self).__name__}.fit(resume=True) needs checkpoint_dir, the folder of "
                "the interrupted fit's checkpoint: set checkpoint_dir=..."
            )
        length = self.sequence_length
        train_rows, validation_rows = time_split(len(raw), self.validation_fraction, length - 1)
        scaler = Standardiser.fit(raw[: len(train_rows)])  # the training rows only
        device = resolve_device(self.device)
        spec = NetworkSpec(
            architecture=self._architecture(),
            input_size=raw.shape[1] + 1,  # + the padding channel
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            dropout=self.dropout,
            n_heads=self.n_heads,
            n_outputs=n_outputs,
            sequence_length=length,
        )
        targets = torch.as_tensor(target, dtype=torch.long if classification else torch.float32)
        if not classification:
            targets = targets[:, None]  # the network's output shape: (rows, 1)
        extra = {
            "epochs": epochs,
            "batch_size": batch_size,
            "device": device.type,
            **spec.as_dict(),
        }
        data = TrainingData(
            padded=torch.from_numpy(padded_rows(scaler.transform(raw), length)).float().to(device),
            targets=targets.to(device),
            train_rows=torch.from_numpy(train_rows).to(device),
            validation_rows=torch.from_numpy(validation_rows).to(device),
            sequence_length=length,
            fingerprint=self._fingerprint(raw, target, extra),
        )
        plan = TrainingPlan(
            epochs=epochs,
            batch_size=batch_size,
            learning_rate=self.learning_rate,
            weight_decay=self.weight_decay,
            patience=self.patience,
            random_state=self.random_state,
            device=device,
            classification=classification,
            checkpoint_dir=Path(self.checkpoint_dir) if self.checkpoint_dir else None,
            verbose=self.verbose,
        )
        network, outcome = train_network(
            lambda: SequenceNetwork(spec), data, plan, resume=resume, on_epoch_end=on_epoch_end
        )
        self._forget_fit()
        self.network_ = network
        self.center_ = scaler.center
        self.scale_ = scaler.scale
        self.feature_names_in_ = np.asarray(list(names), dtype=object)
        self.n_features_in_ = len(names)
        self.history_ = outcome.history
        self.best_epoch_ = outcome.best_epoch
        self.n_epochs_ = outcome.epochs_run
        self.device_ = str(device)

    def _forget_fit(self) -> None:
        for key in [k for k in vars(self) if k.endswith("_") and not k.startswith("_")]:
            del self.__dict__[key]
        self.__dict__.pop("_float64_cache", None)

    # -- prediction ---------------------------------------------------------------------

    def _check_fitted(self) -> SequenceNetwork:
        network = self.__dict__.get("network_")
        if network is None:
            raise ValueError(f"this {type(self).__name__} is not fitted yet: call fit first")
        return network  # type: ignore[no-any-return]

    def _standardised(self, raw: np.ndarray) -> np.ndarray:
        return Standardiser(center=self.center_, scale=self.scale_).transform(raw)

    def _float64_network(self) -> SequenceNetwork:
        network = self._check_fitted()
        device = inference_device(resolve_device(self.device))
        cached: tuple[torch.device, SequenceNetwork] | None = self.__dict__.get("_float64_cache")
        if cached is None or cached[0] != device:
            copied = copy.deepcopy(network).to(device=device, dtype=torch.float64).eval()
            cached = (device, copied)
            self.__dict__["_float64_cache"] = cached
        return cached[1]

    def _outputs(self, raw: np.ndarray) -> np.ndarray:
        """The network's output for every row's window, in float64: (rows, n_outputs)."""
        network = self._float64_network()
        device = next(network.parameters()).device
        padded = torch.from_numpy(padded_rows(self._standardised(raw), self.sequence_length))
        windows = windows_view(padded.to(device), self.sequence_length)
        outputs = np.empty((len(raw), network.spec.n_outputs), dtype=np.float64)
        with torch.inference_mode(), deterministic():
            for start in range(0, len(raw), PREDICT_BATCH):
                batch = windows[start : start + PREDICT_BATCH].contiguous()
                outputs[start : start + len(batch)] = network(batch).cpu().numpy()
        return outputs

    def _latest_outputs(self, raw: np.ndarray) -> np.ndarray:
        """The float32 output for the last row's window alone (the live-trading path)."""
        network = self._check_fitted()
        device = resolve_device(self.device)
        if next(network.parameters()).device != device:
            network.to(device)
        tail = self._standardised(raw[-self.sequence_length :])
        window = padded_rows(tail, self.sequence_length)[-self.sequence_length :]
        batch = torch.from_numpy(window.astype(np.float32))[None].to(device)
        with torch.inference_mode():
            output: np.ndarray = network(batch)[0].double().cpu().numpy()
        return output

    # -- persistence --------------------------------------------------------------------

    def _fitted_metadata(self) -> dict[str, Any]:
        """What a subclass adds to the sidecar (classes, label convention, target scale)."""
        return {}

    def _restore_fitted(self, metadata: Mapping[str, Any]) -> None:
        """Set what :meth:`_fitted_metadata` wrote."""

    def _json_params(self) -> dict[str, Any]:
        return {k: _json_param(v) for k, v in self.get_params().items()}

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write a folder: ``weights.pt`` (the ``state_dict``, ``torch.save``) and
        ``mlcore-model.json`` (parameters, network shape, standardisation statistics,
        feature names, history, versions). Nothing is pickled; :meth:`load` reads the
        weights with ``torch.load(weights_only=True)``."""
        network = self._check_fitted()
        metadata = {
            "model_class": type(self).__name__,
            "plugin_version": __version__,
            "versions": {
                "mlcore": mlcore_version,
                "mlcore-torch": __version__,
                "torch": torch.__version__,
                "numpy": np.__version__,
                "python": platform.python_version(),
            },
            "params": self._json_params(),
            "network": network.spec.as_dict(),
            "scaler": {"center": self.center_.tolist(), "scale": self.scale_.tolist()},
            "feature_names": [str(n) for n in self.feature_names_in_],
            "history": self.history_,
            "best_epoch": self.best_epoch_,
            "n_epochs": self.n_epochs_,
            "device": self.device_,
            **self._fitted_metadata(),
        }
        self.model_folder.write(path, _state_bytes(network), metadata)

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, device: str | None = None) -> Self:
        """Read a folder written by :meth:`save`; ``device`` overrides the saved ``device``
        parameter (a model trained with ``device="cuda"`` loads on a CPU-only machine with
        ``device="auto"`` or ``"cpu"``)."""
        metadata, raw = cls.model_folder.read(path, model_class=cls.__name__)
        params = dict(metadata["params"])
        if device is not None:
            params["device"] = device
        model = cls(**params)
        spec = NetworkSpec(**metadata["network"])
        model.__dict__.update(
            network_=_network_from_bytes(spec, raw),
            center_=np.asarray(metadata["scaler"]["center"], dtype=np.float64),
            scale_=np.asarray(metadata["scaler"]["scale"], dtype=np.float64),
            feature_names_in_=np.asarray(metadata["feature_names"], dtype=object),
            n_features_in_=len(metadata["feature_names"]),
            history_=metadata["history"],
            best_epoch_=metadata["best_epoch"],
            n_epochs_=metadata["n_epochs"],
            device_=metadata["device"],
        )
        model._restore_fitted(metadata)
        return model

    def __getstate__(self) -> dict[str, Any]:
        # The network travels as its state_dict bytes (tensors only), rebuilt on the CPU.
        state = self.__dict__.copy()
        state.pop("_float64_cache", None)
        network = state.get("network_")
        if network is not None:
            state["network_"] = (network.spec.as_dict(), _state_bytes(network))
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        packed = state.get("network_")
        if isinstance(packed, tuple):
            spec, raw = packed
            self.network_ = _network_from_bytes(NetworkSpec(**spec), raw)
