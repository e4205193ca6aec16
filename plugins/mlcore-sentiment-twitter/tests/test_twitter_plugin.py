"""The twitter plugin as the kernel sees it: entry point, registry, config, conformance."""

from __future__ import annotations

import pytest
from mlcore import PluginHost
from mlcore.errors import ConfigError
from mlcore.testing import parametrize_with_checks

from mlcore_sentiment_twitter import DISTRIBUTION, TwitterAdapter


@pytest.fixture
def host(monkeypatch):
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", DISTRIBUTION)
    return PluginHost.from_config().load()


def test_plugin_registers_the_twitter_source_lazily(host):
    assert host.failures == []
    component = host.sentiment_adapters.get("twitter")
    assert component.factory == "mlcore_sentiment_twitter.adapter:TwitterAdapter"
    assert host.sentiment_adapters.get("x") is component
    config = {"aliases": {"AAPL": ["Apple stock"]}, "rate_limit": 0.1, "cache_path": "x.db"}
    adapter = host.create("sentiment_adapters", "twitter", **config)
    assert isinstance(adapter, TwitterAdapter)
    assert adapter.query("AAPL") == '($AAPL OR "Apple stock") -is:retweet lang:en'
    assert adapter.http.rate_limit == 0.1
    assert adapter.http.base_url == "https://api.x.com"
    assert adapter.http.token_env == "TWITTER_BEARER_TOKEN"


@pytest.mark.parametrize(
    ("options", "key_path"),
    [
        ({"rate_limt": 1}, "sentiment.sources_config.twitter.rate_limt"),
        ({"timeout": -1}, "sentiment.sources_config.twitter.timeout"),
        ({"aliases": ["Apple"]}, "sentiment.sources_config.twitter.aliases"),
        ({"aliases": {"AAPL": ["Apple", 7]}}, "sentiment.sources_config.twitter.aliases.AAPL"),
        ({"max_results": 500}, "sentiment.sources_config.twitter.max_results"),
        ({"filters": 3}, "sentiment.sources_config.twitter.filters"),
    ],
)
def test_bad_options_name_their_key_path(options, key_path):
    with pytest.raises(ConfigError, match=f"config key '{key_path}'"):
        TwitterAdapter(**options)


def test_a_lone_alias_needs_no_list():
    assert (
        TwitterAdapter(aliases={"aapl": "Apple stock"})
        .query("AAPL")
        .startswith('($AAPL OR "Apple stock")')
    )


def test_fetch_only_adapter_refuses_to_score():
    with pytest.raises(NotImplementedError, match=r"sentiment\.scorer"):
        TwitterAdapter().score(["good"])


@parametrize_with_checks([TwitterAdapter()])
def test_twitter_conformance(component, check):
    check(component)
