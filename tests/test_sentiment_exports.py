"""The sentiment API is re-exported from ``mlcore``, lazily: ``import mlcore`` does not
import ``mlcore.sentiment`` (nor pandas through it)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import mlcore
import mlcore.errors
import mlcore.sentiment

SENTIMENT_NAMES = [
    "SentimentCollection",
    "SentimentFeatures",
    "SentimentItem",
    "SourceFailure",
    "aggregate_sentiment",
    "collect_sentiment",
    "read_items",
    "score_items",
    "write_items",
]


@pytest.mark.parametrize("name", SENTIMENT_NAMES)
def test_each_name_is_the_sentiment_modules_own(name):
    assert name in mlcore.__all__
    assert name in mlcore.sentiment.__all__
    assert getattr(mlcore, name) is getattr(mlcore.sentiment, name)


@pytest.mark.parametrize("name", ["SentimentSourceError", "SentimentAuthError"])
def test_the_sentiment_errors_are_exported(name):
    assert name in mlcore.__all__
    assert getattr(mlcore, name) is getattr(mlcore.errors, name)


def test_importing_mlcore_does_not_import_sentiment():
    code = (
        "import sys, mlcore; loaded = 'mlcore.sentiment' in sys.modules; "
        "mlcore.SentimentItem; print(loaded, 'mlcore.sentiment' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'SentimentThing'"):
        mlcore.SentimentThing  # noqa: B018
