"""The plugin as the kernel sees it: entry point, registered name, lazy loading, conformance."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest
from mlcore import PluginHost
from mlcore.testing import parametrize_with_checks

from mlcore_sentiment_finnhub import DISTRIBUTION
from mlcore_sentiment_finnhub.adapter import FinnhubSource


@pytest.fixture
def host(monkeypatch):
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", DISTRIBUTION)
    return PluginHost.from_config().load()


def test_the_plugin_registers_finnhub(host):
    assert host.failures == []
    component = host.sentiment_adapters.get("finnhub")
    assert component.factory == "mlcore_sentiment_finnhub.adapter:FinnhubSource"
    adapter = host.create("sentiment_adapters", "finnhub", endpoints=["company_news"])
    assert isinstance(adapter, FinnhubSource)
    assert adapter.endpoints == ("company_news",)
    assert adapter.http.base_url == "https://finnhub.io/api/v1"


def test_loading_the_plugin_imports_no_http_library():
    code = (
        "import sys; import mlcore_sentiment_finnhub.plugin; "
        "print('httpx' in sys.modules, 'mlcore_sentiment_finnhub.adapter' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_score_is_not_supported():
    with pytest.raises(NotImplementedError, match=r"sentiment\.scorer"):
        FinnhubSource().score(["good"])


def test_an_unused_adapter_pickles():
    adapter = FinnhubSource(window_days=3)
    assert pickle.loads(pickle.dumps(adapter)).window_days == 3


@parametrize_with_checks([FinnhubSource()])
def test_finnhub_conformance(component, check):
    check(component)
