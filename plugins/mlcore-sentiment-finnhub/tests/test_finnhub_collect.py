"""Finnhub through the kernel: configured under sentiment.sources_config, collected by
collect_sentiment next to a source that fails."""

from __future__ import annotations

import pandas as pd
import pytest
from mlcore import PluginHost
from mlcore.sentiment import collect_sentiment
from mlcore_sentiment_http.testing import LoopbackServer, Reply

from mlcore_sentiment_finnhub import DISTRIBUTION


def test_collected_from_config_with_a_failing_neighbour(monkeypatch):
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", DISTRIBUTION)
    monkeypatch.setenv("MY_FINNHUB_KEY", "k-123")
    published = int(pd.Timestamp("2024-03-04T15:00:00Z").timestamp())
    news = [
        {
            "category": "company",
            "datetime": published,
            "headline": "Apple up",
            "id": 7,
            "image": "",
            "related": "AAPL",
            "source": "Wire",
            "summary": "",
            "url": "https://wire.example/7",
        }
    ]
    with LoopbackServer() as server:
        server.route("/company-news", Reply(json=news))
        config = {
            "sentiment": {
                "sources": ["finnhub", "not-installed"],
                "sources_config": {
                    "finnhub": {
                        "base_url": server.url,
                        "endpoints": ["company_news"],
                        "token_env": "MY_FINNHUB_KEY",
                    }
                },
            }
        }
        host = PluginHost.from_config(config).load()
        # Company news comes unscored; without sentiment.scorer the kernel says so.
        with pytest.warns(UserWarning, match="no score"):
            collection = collect_sentiment(host, "2024-03-01", "2024-03-08", symbol="AAPL")
    (item,) = collection.items
    assert (item.source, item.title, item.published_at) == (
        "finnhub",
        "Apple up",
        pd.Timestamp("2024-03-04T15:00:00Z"),
    )
    assert [failure.source for failure in collection.failures] == ["not-installed"]
    assert server.requests[0].headers["x-finnhub-token"] == "k-123"


def test_a_bad_option_is_a_recorded_build_failure(monkeypatch):
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", DISTRIBUTION)
    config = {
        "sentiment": {"sources": ["finnhub"], "sources_config": {"finnhub": {"windowdays": 3}}}
    }
    host = PluginHost.from_config(config).load()
    collection = collect_sentiment(host, "2024-03-01", "2024-03-08", symbol="AAPL")
    (failure,) = collection.failures
    assert "sentiment.sources_config.finnhub.windowdays" in str(failure)
    assert collection.items == ()
