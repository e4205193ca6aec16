"""The module the ``mlcore.plugins`` entry point names: hook implementations only.

mlcore imports this module at start-up, so it imports nothing heavy: every component is
registered as a lazy ``"module:attr"`` string and torch is imported when one is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlcore import hookimpl

if TYPE_CHECKING:
    from mlcore import Registry


@hookimpl
def mlcore_register_models(registry: Registry[Any]) -> None:
    registry.add(
        "lstm",
        "mlcore_torch.models:LSTMClassifier",
        aliases=("lstm_classifier",),
        description="LSTM classifier on causal windows of the feature rows (PyTorch).",
        tags={"classifier", "neural-network", "lstm", "torch", "sequence"},
    )
    registry.add(
        "lstm_regressor",
        "mlcore_torch.models:LSTMRegressor",
        description="LSTM regressor on causal windows of the feature rows (PyTorch).",
        tags={"regressor", "neural-network", "lstm", "torch", "sequence"},
    )
    registry.add(
        "transformer",
        "mlcore_torch.models:TransformerClassifier",
        aliases=("transformer_classifier",),
        description="Causal Transformer encoder classifier on windows of the feature rows.",
        tags={"classifier", "neural-network", "transformer", "torch", "sequence"},
    )
    registry.add(
        "transformer_regressor",
        "mlcore_torch.models:TransformerRegressor",
        description="Causal Transformer encoder regressor on windows of the feature rows.",
        tags={"regressor", "neural-network", "transformer", "torch", "sequence"},
    )


@hookimpl
def mlcore_register_regime_detectors(registry: Registry[Any]) -> None:
    registry.add(
        "nn",
        "mlcore_torch.detector:NNRegimeDetector",
        aliases=("lstm_regimes", "neural"),
        description="Neural regime detector (LSTM or causal Transformer) taught by labels.",
        tags={"regimes", "neural-network", "torch", "filtered"},
    )
