"""The plugin as the kernel sees it: entry point, registered names, lazy loading."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from mlcore import PluginHost

from mlcore_lightgbm import DISTRIBUTION


@pytest.fixture
def host(monkeypatch):
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", DISTRIBUTION)
    return PluginHost.from_config().load()


def test_lightgbm_plugin_registers_its_models(host):
    assert host.failures == []
    components = host.models.by_distribution(DISTRIBUTION)
    assert [c.name for c in components] == ["lightgbm", "lightgbm_regressor"]
    classifier = host.models.get("lightgbm")
    assert classifier.aliases == ("lgbm", "lightgbm_classifier")
    assert classifier.factory == "mlcore_lightgbm.models:LightGBMClassifier"  # lazy
    for name in ("lgbm", "lightgbm_classifier", "lightgbm:lightgbm", "mlcore-lightgbm:lightgbm"):
        assert host.models.get(name) is classifier
    assert host.models.get("mlcore-lightgbm:lightgbm_regressor").distribution == DISTRIBUTION


def test_lightgbm_registry_builds_models_with_parameters(host):
    from mlcore_lightgbm.models import LightGBMClassifier, LightGBMRegressor

    model = host.create("models", "lgbm", n_estimators=30, num_leaves=7)
    assert isinstance(model, LightGBMClassifier)
    assert (model.n_estimators, model.num_leaves) == (30, 7)
    assert isinstance(host.create("models", "lightgbm_regressor"), LightGBMRegressor)


def test_lightgbm_loading_the_plugin_does_not_import_lightgbm():
    # A fresh interpreter: this test session has imported lightgbm already.
    code = (
        "import sys\n"
        "from mlcore import PluginHost\n"
        "host = PluginHost.from_config().load()\n"
        "assert 'lightgbm' in host.models, host.failures\n"
        "import mlcore_lightgbm\n"
        "heavy = sorted(m for m in ('xgboost', 'lightgbm', 'sklearn') if m in sys.modules)\n"
        "assert 'lightgbm' not in heavy, heavy\n"
        "print('ok')\n"
    )
    env = {**os.environ, "MLCORE_LOAD_PLUGINS": DISTRIBUTION, "MLCORE_STRICT_PLUGINS": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
