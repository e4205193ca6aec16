"""The discord plugin as the kernel sees it: entry point, registry, config, conformance."""

from __future__ import annotations

import pytest
from mlcore import PluginHost
from mlcore.errors import ConfigError
from mlcore.sentiment import collect_sentiment
from mlcore.testing import parametrize_with_checks
from mlcore_sentiment_http.testing import LoopbackServer, Reply

from mlcore_sentiment_discord import DISTRIBUTION, DiscordAdapter


@pytest.fixture
def host(monkeypatch):
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", DISTRIBUTION)
    return PluginHost.from_config().load()


def test_plugin_registers_the_discord_source_lazily(host):
    assert host.failures == []
    component = host.sentiment_adapters.get("discord")
    assert component.factory == "mlcore_sentiment_discord.adapter:DiscordAdapter"
    config = {"channels": ["123", 456], "aliases": {"aapl": ["Apple"]}, "timeout": 5}
    adapter = host.create("sentiment_adapters", "discord", **config)
    assert isinstance(adapter, DiscordAdapter)
    assert adapter.channels == ("123", "456")
    assert adapter.aliases == {"AAPL": ("Apple",)}
    assert adapter.http.timeout == 5.0
    assert adapter.http.base_url == "https://discord.com/api/v10"
    assert (adapter.http.token_env, adapter.http.auth_scheme) == ("DISCORD_BOT_TOKEN", "Bot")


@pytest.mark.parametrize(
    ("options", "key_path"),
    [
        ({}, "sentiment.sources_config.discord.channels"),
        ({"channels": []}, "sentiment.sources_config.discord.channels"),
        ({"channels": ["general"]}, r"sentiment.sources_config.discord.channels\[0\]"),
        ({"channels": ["1"], "token": "x"}, "sentiment.sources_config.discord.token"),
        (
            {"channels": ["1"], "include_bots": "yes"},
            "sentiment.sources_config.discord.include_bots",
        ),
        ({"channels": ["1"], "page_size": 500}, "sentiment.sources_config.discord.page_size"),
        (
            {"channels": ["1"], "aliases": {"AAPL": [""]}},
            "sentiment.sources_config.discord.aliases.AAPL",
        ),
    ],
)
def test_bad_options_name_their_key_path(options, key_path):
    with pytest.raises(ConfigError, match=f"config key '{key_path}'"):
        DiscordAdapter(**options)


def test_a_lone_alias_needs_no_list():
    assert DiscordAdapter(channels=["1"], aliases={"aapl": "Apple"}).aliases == {"AAPL": ("Apple",)}


def test_fetch_only_adapter_refuses_to_score():
    with pytest.raises(NotImplementedError, match=r"sentiment\.scorer"):
        DiscordAdapter(channels=["1"]).score(["good"])


@parametrize_with_checks([DiscordAdapter(channels=["1101112223334445556"])])
def test_discord_conformance(component, check):
    check(component)


def test_the_kernel_collects_discord_items_from_its_config(monkeypatch):
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", DISTRIBUTION)
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "test-token")
    message = {
        "id": "1214233392971907072",
        "type": 0,
        "content": "$AAPL ripping",
        "timestamp": "2024-03-04T15:30:00.250000+00:00",
        "author": {"id": "1", "username": "bulltrader"},
        "reactions": [{"count": 2, "emoji": {"id": None, "name": "+1"}}],
    }
    with LoopbackServer() as server:
        server.route("/api/v10/channels/42/messages", Reply(json=[message]))
        settings = {"channels": ["42"], "base_url": f"{server.url}/api/v10", "rate_limit": None}
        config = {"sentiment": {"sources": ["discord"], "sources_config": {"discord": settings}}}
        host = PluginHost.from_config(config).load()
        with pytest.warns(UserWarning, match="sentiment.scorer is not set"):
            collection = collect_sentiment(host, "2024-03-04", "2024-03-04 23:59", symbol="AAPL")
    assert collection.failures == ()
    (item,) = collection.items
    assert (item.source, item.text, item.engagement) == ("discord", "$AAPL ripping", 2.0)
