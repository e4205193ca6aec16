"""mlcore's conformance suite (no look-ahead included) on every component of the plugin.

Tiny networks and few epochs: the checks test behaviour (determinism, cloning, pickling,
save/load, NaN policy, causality), not accuracy.
"""

from __future__ import annotations

import torch
from mlcore.testing import parametrize_with_checks

from mlcore_torch.detector import NNRegimeDetector
from mlcore_torch.models import (
    LSTMClassifier,
    LSTMRegressor,
    TransformerClassifier,
    TransformerRegressor,
)

torch.set_num_threads(1)

TINY = {"hidden_size": 8, "sequence_length": 10, "epochs": 3, "batch_size": 64, "verbose": False}


@parametrize_with_checks(
    [
        NNRegimeDetector(num_layers=1, **TINY),
        NNRegimeDetector(num_layers=1, architecture="transformer", n_heads=2, **TINY),
        LSTMClassifier(**TINY),
        LSTMRegressor(**TINY),
        TransformerClassifier(n_heads=2, **TINY),
        TransformerRegressor(n_heads=2, **TINY),
    ]
)
def test_torch_conformance(component, check):
    check(component)
