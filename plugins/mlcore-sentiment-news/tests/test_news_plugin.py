"""The plugin as the kernel sees it: entry point, registered name, lazy loading, conformance."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest
from mlcore import PluginHost
from mlcore.testing import parametrize_with_checks

from mlcore_sentiment_news import DISTRIBUTION
from mlcore_sentiment_news.adapter import NewsSource


@pytest.fixture
def host(monkeypatch):
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", DISTRIBUTION)
    return PluginHost.from_config().load()


def test_the_plugin_registers_news(host):
    assert host.failures == []
    component = host.sentiment_adapters.get("news")
    assert component.factory == "mlcore_sentiment_news.adapter:NewsSource"
    adapter = host.create("sentiment_adapters", "news", newsapi=True)
    assert isinstance(adapter, NewsSource)
    assert adapter.newsapi
    assert adapter.http.base_url == "https://newsapi.org"
    assert adapter.http.token_env == "NEWSAPI_KEY"


def test_loading_the_plugin_imports_no_http_library():
    code = (
        "import sys; import mlcore_sentiment_news.plugin; "
        "print('httpx' in sys.modules, 'mlcore_sentiment_news.adapter' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_score_is_not_supported():
    with pytest.raises(NotImplementedError, match=r"sentiment\.scorer"):
        NewsSource(newsapi=True).score(["good"])


def test_an_unused_adapter_pickles():
    adapter = NewsSource(newsapi=True, window_days=3)
    assert pickle.loads(pickle.dumps(adapter)).window_days == 3


@parametrize_with_checks([NewsSource(feeds=["https://feeds.example.com/rss"], newsapi=True)])
def test_news_conformance(component, check):
    check(component)
