"""The plugin as the kernel sees it: entry point, registered names, lazy loading."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from mlcore import PluginHost

from mlcore_torch import DISTRIBUTION


@pytest.fixture
def host(monkeypatch):
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", DISTRIBUTION)
    return PluginHost.from_config().load()


def test_torch_plugin_registers_its_components(host):
    assert host.failures == []
    models = host.models.by_distribution(DISTRIBUTION)
    assert [c.name for c in models] == [
        "lstm",
        "lstm_regressor",
        "transformer",
        "transformer_regressor",
    ]
    assert host.models.get("lstm").factory == "mlcore_torch.models:LSTMClassifier"  # lazy
    for name in ("lstm_classifier", "torch:lstm", "mlcore-torch:lstm"):
        assert host.models.get(name) is host.models.get("lstm")
    detector = host.regime_detectors.get("nn")
    assert detector.factory == "mlcore_torch.detector:NNRegimeDetector"
    assert host.regime_detectors.get("lstm_regimes") is detector


def test_torch_registry_builds_components_with_parameters(host):
    from mlcore_torch.detector import NNRegimeDetector
    from mlcore_torch.models import TransformerRegressor

    model = host.create("models", "transformer_regressor", hidden_size=16, n_heads=2)
    assert isinstance(model, TransformerRegressor)
    assert model.hidden_size == 16
    detector = host.create("regime_detectors", "nn", architecture="transformer")
    assert isinstance(detector, NNRegimeDetector)
    assert detector.architecture == "transformer"


def test_torch_loading_the_plugin_does_not_import_torch():
    # A fresh interpreter: this test session has imported torch already.
    code = (
        "import sys\n"
        "from mlcore import PluginHost\n"
        "host = PluginHost.from_config().load()\n"
        "assert 'lstm' in host.models and 'nn' in host.regime_detectors, host.failures\n"
        "import mlcore_torch\n"
        "assert 'torch' not in sys.modules\n"
        "print('ok')\n"
    )
    env = {**os.environ, "MLCORE_LOAD_PLUGINS": DISTRIBUTION, "MLCORE_STRICT_PLUGINS": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
