"""collect_sentiment with sources and scorers from a real (test) plugin distribution: a
failing, missing or misbehaving source is recorded and the others are kept."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mlcore.config import MlcoreConfig, SentimentConfig, config_from_dict
from mlcore.errors import ConfigError
from mlcore.host import PluginHost
from mlcore.sentiment import (
    SentimentItem,
    SourceFailure,
    aggregate_sentiment,
    collect_sentiment,
    score_items,
)

#: A plugin with fake sources and scorers (and one indicator, so that the kernel's tests
#: build features without the indicator plugins); the CLI and pipeline tests install it.
FAKE_PLUGIN = '''
from typing import ClassVar

import numpy as np
import pandas as pd

from mlcore import IndicatorBase, hookimpl
from mlcore.errors import SentimentAuthError, SentimentSourceError
from mlcore.sentiment import SentimentItem


class Change(IndicatorBase):
    """The close's change since the bar before."""

    name = "change"
    family = "momentum"

    def compute(self, ohlcv):
        return ohlcv[["close"]].pct_change().set_axis(list(self.outputs), axis=1)


class FakeNews:
    """One headline every ``every``, alternately 'good' and 'bad', without a score."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"fetch"})

    def __init__(self, every="6h", source="fake_news"):
        self.every, self.source = pd.Timedelta(every), source

    def fetch(self, symbol, start, end):
        times = pd.date_range(start.ceil(self.every), end, freq=self.every)
        return [
            SentimentItem(self.source, symbol, t, title="good news" if i % 2 == 0 else "bad news")
            for i, t in enumerate(times)
        ]

    def score(self, texts):
        raise NotImplementedError


class FakeSocial(FakeNews):
    """Posts with the provider's own score and likes, plus unscored ones."""

    def __init__(self, every="4h"):
        super().__init__(every, "fake_social")

    def fetch(self, symbol, start, end):
        items = super().fetch(symbol, start, end)
        return [
            SentimentItem(
                "fake_social", symbol, item.published_at, text="good", engagement=10.0,
                score=0.25 if i % 2 == 0 else None,
            )
            for i, item in enumerate(items)
        ]


class Patchy(FakeNews):
    """Returns headlines but skips a premium part, listed in ``failures``."""

    def __init__(self, every="12h"):
        super().__init__(every, "patchy")
        self.failures = []

    def fetch(self, symbol, start, end):
        self.failures = [SentimentSourceError("patchy", "news sentiment: HTTP 403, premium")]
        return super().fetch(symbol, start, end)


class Broken(FakeNews):
    def fetch(self, symbol, start, end):
        raise SentimentAuthError("broken", "HTTP 401 from https://example.invalid/news")


class Crashing(FakeNews):
    def fetch(self, symbol, start, end):
        return 1 / 0


class WrongType(FakeNews):
    def fetch(self, symbol, start, end):
        return [{"text": "a dict is not an item"}]


class Closing(FakeNews):
    """Appends 'closed' to the file ``log`` when closed; ``fail`` ('fetch' or 'close')
    makes that step raise."""

    def __init__(self, log, fail=None):
        super().__init__("12h", "closing")
        self.log, self.fail = log, fail

    def fetch(self, symbol, start, end):
        if self.fail == "fetch":
            raise SentimentSourceError("closing", "HTTP 500 from https://example.invalid/news")
        return super().fetch(symbol, start, end)

    def close(self):
        with open(self.log, "a", encoding="utf-8") as file:
            file.write("closed\\n")
        if self.fail == "close":
            raise OSError("database is locked")


class Scoped(FakeNews):
    """A context manager without close(): appends 'enter' and 'exit' to the file ``log``."""

    def __init__(self, log):
        super().__init__("12h", "scoped")
        self.log = log

    def _write(self, line):
        with open(self.log, "a", encoding="utf-8") as file:
            file.write(line + "\\n")

    def __enter__(self):
        self._write("enter")
        return self

    def __exit__(self, *exc_info):
        self._write("exit")

    def fetch(self, symbol, start, end):
        self._write("fetch")
        return super().fetch(symbol, start, end)


class WordScorer:
    """+1 per 'good', -1 per 'bad', through tanh; social texts count half."""

    capabilities: ClassVar[frozenset[str]] = frozenset({"score"})

    def __init__(self, social=False):
        self.social = social

    def fetch(self, symbol, start, end):
        raise NotImplementedError

    def for_source(self, source):
        return type(self)(social=source == "fake_social")

    def score(self, texts):
        words = [t.split() for t in texts]
        raw = np.array([w.count("good") - w.count("bad") for w in words], dtype=float)
        return np.tanh(raw * (0.5 if self.social else 1.0))


class FailingScorer(WordScorer):
    def score(self, texts):
        raise RuntimeError("model file is corrupt")


class ShortScorer(WordScorer):
    def score(self, texts):
        return np.zeros(len(texts) - 1)


class ClosingScorer(WordScorer):
    """Appends 'scorer closed' to the file ``log`` when closed."""

    def __init__(self, log, social=False):
        super().__init__(social)
        self.log = log

    def for_source(self, source):
        return self

    def close(self):
        with open(self.log, "a", encoding="utf-8") as file:
            file.write("scorer closed\\n")


@hookimpl
def mlcore_register_indicators(registry):
    registry.add("change", Change)


@hookimpl
def mlcore_register_sentiment_adapters(registry):
    registry.add("fake_news", FakeNews)
    registry.add("fake_social", FakeSocial)
    registry.add("patchy", Patchy)
    registry.add("broken", Broken)
    registry.add("crashing", Crashing)
    registry.add("wrong_type", WrongType)
    registry.add("word", WordScorer)
    registry.add("failing_scorer", FailingScorer)
    registry.add("short_scorer", ShortScorer)
    registry.add("closing", Closing)
    registry.add("scoped", Scoped)
    registry.add("closing_scorer", ClosingScorer)
'''

FAKE_DISTRIBUTION = "mlcore-fixture-sentiment"
START, END = "2026-01-05", "2026-01-06 23:00"


@pytest.fixture
def fake_sources(installed_plugin, monkeypatch: pytest.MonkeyPatch) -> None:
    installed_plugin(FAKE_DISTRIBUTION, FAKE_PLUGIN, entry_point="fake-sentiment")
    monkeypatch.setenv("MLCORE_LOAD_PLUGINS", FAKE_DISTRIBUTION)


def _config(**sentiment) -> MlcoreConfig:
    return config_from_dict({"sentiment": {"symbol": "AAPL", **sentiment}})


def test_a_failing_source_degrades_to_the_others(fake_sources):
    config = _config(
        sources=["fake_news", "broken", "crashing", "wrong_type", "not_installed"], scorer="word"
    )
    collection = collect_sentiment(config, START, END)
    stages = {f.source: (f.stage, f.error) for f in collection.failures}
    assert stages == {
        "broken": ("fetch", "SentimentAuthError"),
        "crashing": ("fetch", "ZeroDivisionError"),
        "wrong_type": ("fetch", "TypeError"),
        "not_installed": ("missing", "UnknownComponentError"),
    }
    by_source = {f.source: f for f in collection.failures}
    assert "HTTP 401" in by_source["broken"].message
    assert "fake_news" in by_source["not_installed"].message  # lists what is registered
    # every 6 hours over [Jan 5 00:00, Jan 6 23:00]: 00, 06, 12, 18 on both days
    assert [i.published_at.hour for i in collection.items] == [0, 6, 12, 18] * 2
    assert {i.source for i in collection.items} == {"fake_news"}
    assert [i.score for i in collection.items] == [math.tanh(1), math.tanh(-1)] * 4
    assert {i.scored_by for i in collection.items} == {"word"}
    rows = {row.source: row for row in collection.summary()}
    assert rows["fake_news"].locally_scored == 8
    assert rows["fake_news"].failure is None
    assert rows["broken"].items == 0
    assert str(rows["broken"].failure).startswith("broken (fetch): SentimentAuthError")


def test_parts_a_source_skipped_are_recorded_with_its_items(fake_sources):
    collection = collect_sentiment(_config(sources=["patchy"], scorer="word"), START, END)
    assert len(collection.items) == 4
    (failure,) = collection.failures
    assert (failure.source, failure.stage, failure.error) == (
        "patchy",
        "partial",
        "SentimentSourceError",
    )
    assert "premium" in failure.message
    assert collection.summary()[0].failure == failure


def test_sources_config_reaches_each_factory(fake_sources):
    config = _config(
        sources=["fake_news"], scorer="word", sources_config={"fake_news": {"every": "12h"}}
    )
    collection = collect_sentiment(config, START, END, sources=["fake_news"])
    assert len(collection.items) == 4
    assert collection.symbol == "AAPL"


def test_a_factory_that_refuses_its_settings_is_a_build_failure(fake_sources):
    config = _config(sources=["fake_news"], sources_config={"fake_news": {"colour": "red"}})
    collection = collect_sentiment(config, START, END)
    (failure,) = collection.failures
    assert (failure.source, failure.stage, failure.error) == ("fake_news", "build", "TypeError")
    assert "colour" in failure.message


def test_provider_scores_are_kept_and_the_scorer_picks_by_source(fake_sources):
    config = _config(sources=["fake_social", "fake_news"], scorer="word")
    collection = collect_sentiment(config, START, "2026-01-05 12:00")
    social = [i for i in collection.items if i.source == "fake_social"]
    assert [i.score for i in social] == [0.25, math.tanh(0.5), 0.25, math.tanh(0.5)]
    assert [i.scored_by for i in social] == [None, "word", None, "word"]
    news = [i.score for i in collection.items if i.source == "fake_news"]
    assert news == [math.tanh(1), math.tanh(-1), math.tanh(1)]
    row = collection.summary()[0]
    assert (row.items, row.provider_scored, row.locally_scored, row.unscored) == (4, 2, 2, 0)


@pytest.mark.parametrize(
    ("scorer", "error", "detail"),
    [
        ("failing_scorer", "RuntimeError", "model file is corrupt"),
        ("short_scorer", "ValueError", "shape (7,) for 8 texts"),
        ("no_such_scorer", "UnknownComponentError", "unknown sentiment_adapter"),
    ],
)
def test_a_failing_scorer_leaves_items_unscored(fake_sources, scorer, error, detail):
    collection = collect_sentiment(_config(sources=["fake_news"], scorer=scorer), START, END)
    assert len(collection.items) == 8
    assert all(item.score is None for item in collection.items)
    (failure,) = collection.failures
    assert (failure.source, failure.stage, failure.error) == (scorer, "score", error)
    assert detail in failure.message
    assert collection.summary()[-1].source == scorer


def test_without_a_scorer_unscored_items_are_kept_with_a_warning(fake_sources):
    with pytest.warns(UserWarning, match=r"8 sentiment items from fake_news have no score"):
        collection = collect_sentiment(_config(sources=["fake_news"]), START, END)
    assert [item.score for item in collection.items] == [None] * 8
    assert collection.failures == ()


def test_progress_callback_hears_each_source(fake_sources):
    calls = []
    config = _config(sources=["fake_news", "broken"], scorer="word")
    collect_sentiment(config, START, END, progress=lambda *call: calls.append(call))
    assert calls == [("", 0, 2), ("fake_news", 1, 2), ("broken", 2, 2)]


def test_a_loaded_host_is_used_as_it_is(fake_sources):
    host = PluginHost.from_config(_config(sources=["fake_news"], scorer="word")).load()
    collection = collect_sentiment(host, START, END, symbol="MSFT")
    assert {item.symbol for item in collection.items} == {"MSFT"}


def test_failures_travel_into_the_features(fake_sources):
    config = _config(sources=["fake_news", "broken"], scorer="word")
    collection = collect_sentiment(config, START, END)
    bars = pd.date_range("2026-01-05", periods=4, freq="12h", tz="UTC")
    features = aggregate_sentiment(
        collection.to_frame(), bars, config.sentiment, failures=collection.failures
    )
    assert [f.source for f in features.failures] == ["broken"]
    frame = features.to_frame()
    # 12h bars stamped at their close: 00:00 | 06:00, 12:00 | 18:00, 00:00 | 06:00, 12:00
    assert frame["sentiment_volume"].tolist() == [1, 2, 2, 2]
    assert frame["sentiment_broken_volume"].tolist() == [0, 0, 0, 0]
    np.testing.assert_allclose(frame["sentiment_score"], [math.tanh(1), 0, 0, 0], atol=1e-15)


@pytest.mark.parametrize(
    ("sentiment", "start", "end", "message"),
    [
        ({"sources": ["fake_news"]}, START, END, "no symbol"),
        ({"symbol": "AAPL"}, START, END, "no sentiment source"),
        ({"symbol": "AAPL", "sources": ["fake_news"]}, END, START, "after end"),
        ({"symbol": "AAPL", "sources": ["fake_news"]}, "yesterday-ish", END, "not a time"),
    ],
)
def test_what_collection_refuses(fake_sources, sentiment, start, end, message):
    config = config_from_dict({"sentiment": sentiment})
    with pytest.raises(ConfigError, match=message):
        collect_sentiment(config, start, end)


def test_score_items_skips_scored_and_empty_items(fake_sources):
    host = PluginHost.from_config(None).load()
    items = [
        SentimentItem("news", "X", "2026-01-01", title="good good", score=None),
        SentimentItem("news", "X", "2026-01-01", title="bad", score=0.9),
        SentimentItem("trends", "X", "2026-01-01", engagement=12.0),
    ]
    scored, failures = score_items(items, host, SentimentConfig(scorer="word"))
    assert failures == []
    assert [item.score for item in scored] == [math.tanh(2), 0.9, None]
    assert [item.scored_by for item in scored] == ["word", None, None]


@pytest.mark.parametrize(
    ("fail", "stages", "items"),
    [(None, [], 4), ("fetch", [("fetch", "SentimentSourceError")], 0)],
)
def test_a_source_is_closed_after_its_fetch_even_a_failed_one(
    fake_sources, tmp_path, fail, stages, items
):
    log = tmp_path / "closed.log"
    config = _config(
        sources=["closing", "fake_news"],
        scorer="word",
        sources_config={"closing": {"log": str(log), "fail": fail}},
    )
    collection = collect_sentiment(config, START, END)
    assert log.read_text(encoding="utf-8") == "closed\n"  # once, right after its fetch
    assert [(f.stage, f.error) for f in collection.failures] == stages
    assert sum(item.source == "closing" for item in collection.items) == items
    assert sum(item.source == "fake_news" for item in collection.items) == 8


def test_a_close_that_raises_is_recorded_and_the_items_stay(fake_sources, tmp_path):
    config = _config(
        sources=["closing"],
        scorer="word",
        sources_config={"closing": {"log": str(tmp_path / "closed.log"), "fail": "close"}},
    )
    collection = collect_sentiment(config, START, END)
    assert len(collection.items) == 4
    assert all(item.score is not None for item in collection.items)
    (failure,) = collection.failures
    assert (failure.source, failure.stage, failure.error) == ("closing", "close", "OSError")
    assert "database is locked" in failure.message


def test_a_context_manager_source_is_fetched_inside_its_with_block(fake_sources, tmp_path):
    log = tmp_path / "scoped.log"
    config = _config(
        sources=["scoped"], scorer="word", sources_config={"scoped": {"log": str(log)}}
    )
    collection = collect_sentiment(config, START, END)
    assert log.read_text(encoding="utf-8").split() == ["enter", "fetch", "exit"]
    assert len(collection.items) == 4
    assert collection.failures == ()


def test_the_scorer_is_closed_after_scoring(fake_sources, tmp_path):
    log = tmp_path / "scorer.log"
    config = _config(
        sources=["fake_news", "fake_social"],
        scorer="closing_scorer",
        sources_config={"closing_scorer": {"log": str(log)}},
    )
    collection = collect_sentiment(config, START, END)
    assert log.read_text(encoding="utf-8") == "scorer closed\n"  # once, after both sources
    assert collection.failures == ()
    assert {item.scored_by for item in collection.items} == {None, "closing_scorer"}


def test_source_failure_reads_as_one_line():
    failure = SourceFailure.from_exception("news", "fetch", OSError("timed out\n  after 3 tries"))
    assert str(failure) == "news (fetch): OSError: timed out after 3 tries"
