"""The plugin as the kernel sees it: entry point, registered names, lazy imports."""

from __future__ import annotations

import subprocess
import sys

import pytest
from mlcore import PluginHost

from mlcore_sentiment_transformers import DISTRIBUTION


@pytest.fixture
def host(monkeypatch):
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", DISTRIBUTION)
    return PluginHost.from_config().load()


def test_the_plugin_registers_its_scorers_lazily(host):
    assert host.failures == []
    registry = host.sentiment_adapters
    finbert = registry.get("finbert")
    assert finbert.factory == "mlcore_sentiment_transformers.classifier:TransformerSentimentScorer"
    assert registry.get("transformers") is finbert
    assert registry.get("minilm").factory.endswith("embedding:EmbeddingSentimentScorer")
    scorer = registry.create("finbert", model="/models/finbert", batch_size=8)
    assert (scorer.model, scorer.batch_size, scorer.device) == ("/models/finbert", 8, "auto")


def test_loading_the_plugin_imports_neither_torch_nor_transformers():
    code = (
        "import sys; from mlcore import PluginHost; PluginHost.from_config().load(); "
        "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"MLCORE_LOAD_PLUGINS": DISTRIBUTION, "PATH": ""},
    )
    assert out.stdout.strip() == "[]"
