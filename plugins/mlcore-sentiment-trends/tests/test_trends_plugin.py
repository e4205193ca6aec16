"""The trends plugin as the kernel sees it: entry point, registry, config, conformance."""

from __future__ import annotations

import pytest
from mlcore import PluginHost
from mlcore.errors import ConfigError
from mlcore.testing import parametrize_with_checks

from mlcore_sentiment_trends import DISTRIBUTION, GoogleTrendsAdapter


@pytest.fixture
def host(monkeypatch):
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", DISTRIBUTION)
    return PluginHost.from_config().load()


def test_plugin_registers_the_trends_source_lazily(host):
    assert host.failures == []
    component = host.sentiment_adapters.get("trends")
    assert component.factory == "mlcore_sentiment_trends.adapter:GoogleTrendsAdapter"
    assert host.sentiment_adapters.get("google_trends") is component
    config = {"keywords": {"aapl": ["AAPL", "Apple stock"], "MSFT": "Microsoft"}, "geo": "US"}
    adapter = host.create("sentiment_adapters", "trends", **config)
    assert isinstance(adapter, GoogleTrendsAdapter)
    assert adapter.keywords_for("AAPL") == ("AAPL", "Apple stock")
    assert adapter.keywords_for("msft") == ("Microsoft",)
    assert adapter.keywords_for("TSLA") == ("TSLA",)
    assert adapter.http.base_url == "https://trends.google.com"
    assert adapter.http.token_env is None


@pytest.mark.parametrize(
    ("options", "key_path"),
    [
        ({"keyword": "AAPL"}, "sentiment.sources_config.trends.keyword"),
        ({"keywords": ["AAPL"]}, "sentiment.sources_config.trends.keywords"),
        ({"keywords": {"AAPL": list("abcdef")}}, "sentiment.sources_config.trends.keywords.AAPL"),
        ({"keywords": {"AAPL": [""]}}, "sentiment.sources_config.trends.keywords.AAPL"),
        ({"category": "finance"}, "sentiment.sources_config.trends.category"),
        ({"geo": 1}, "sentiment.sources_config.trends.geo"),
        ({"include_partial": "no"}, "sentiment.sources_config.trends.include_partial"),
        ({"rate_limit": 0}, "sentiment.sources_config.trends.rate_limit"),
    ],
)
def test_bad_options_name_their_key_path(options, key_path):
    with pytest.raises(ConfigError, match=f"config key '{key_path}'"):
        GoogleTrendsAdapter(**options)


def test_fetch_only_adapter_refuses_to_score():
    with pytest.raises(NotImplementedError, match=r"sentiment\.scorer"):
        GoogleTrendsAdapter().score(["good"])


@parametrize_with_checks([GoogleTrendsAdapter()])
def test_trends_conformance(component, check):
    check(component)
