"""The plugin as the kernel sees it: entry point, registered names, lazy loading."""

from __future__ import annotations

import pytest
from mlcore import PluginHost

from mlcore_hmm import DISTRIBUTION


@pytest.fixture
def host(monkeypatch):
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", DISTRIBUTION)
    return PluginHost.from_config().load()


def test_hmm_plugin_registers_its_detector(host):
    from mlcore_hmm.detector import HMMRegimeDetector

    assert host.failures == []
    component = host.regime_detectors.get("hmm")
    assert component.factory == "mlcore_hmm.detector:HMMRegimeDetector"
    assert host.regime_detectors.get("gaussian_hmm") is component
    detector = host.create("regime_detectors", "gaussian_hmm", n_components=4)
    assert isinstance(detector, HMMRegimeDetector)
    assert detector.n_regimes == 4
