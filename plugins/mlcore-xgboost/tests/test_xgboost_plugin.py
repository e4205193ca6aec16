"""The plugin as the kernel sees it: entry point, registered names, lazy loading."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from mlcore import PluginHost

from mlcore_xgboost import DISTRIBUTION


@pytest.fixture
def host(monkeypatch):
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", DISTRIBUTION)
    return PluginHost.from_config().load()


def test_xgboost_plugin_registers_its_models(host):
    assert host.failures == []
    components = host.models.by_distribution(DISTRIBUTION)
    assert [c.name for c in components] == ["xgboost", "xgboost_regressor"]
    classifier = host.models.get("xgboost")
    assert classifier.aliases == ("xgb", "xgboost_classifier")
    assert classifier.factory == "mlcore_xgboost.models:XGBoostClassifier"  # lazy
    for name in ("xgb", "xgboost_classifier", "xgboost:xgboost", "mlcore-xgboost:xgboost"):
        assert host.models.get(name) is classifier
    assert host.models.get("mlcore-xgboost:xgboost_regressor").distribution == DISTRIBUTION


def test_xgboost_registry_builds_models_with_parameters(host):
    from mlcore_xgboost.models import XGBoostClassifier, XGBoostRegressor

    model = host.create("models", "xgb", n_estimators=30, max_depth=3)
    assert isinstance(model, XGBoostClassifier)
    assert (model.n_estimators, model.max_depth) == (30, 3)
    assert isinstance(host.create("models", "xgboost_regressor"), XGBoostRegressor)


def test_xgboost_loading_the_plugin_does_not_import_xgboost():
    # A fresh interpreter: this test session has imported xgboost already.
    code = (
        "import sys\n"
        "from mlcore import PluginHost\n"
        "host = PluginHost.from_config().load()\n"
        "assert 'xgboost' in host.models, host.failures\n"
        "import mlcore_xgboost\n"
        "heavy = sorted(m for m in ('xgboost', 'lightgbm', 'sklearn') if m in sys.modules)\n"
        "assert 'xgboost' not in heavy, heavy\n"
        "print('ok')\n"
    )
    env = {**os.environ, "MLCORE_LOAD_PLUGINS": DISTRIBUTION, "MLCORE_STRICT_PLUGINS": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
