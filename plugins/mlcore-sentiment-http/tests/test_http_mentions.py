"""Symbol mentions in a text: cashtag, ticker, aliases."""

from __future__ import annotations

import pytest

from mlcore_sentiment_http import mention_pattern


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$AAPL to the moon", True),
        ("loading more $aapl", True),  # a cashtag counts in any case
        ("AAPL earnings tonight", True),
        ("(AAPL) up 2%", True),
        ("AAPL.", True),
        ("aapl earnings tonight", False),  # a bare ticker counts in capitals only
        ("AAPLX is a different fund", False),
        ("$AAPLX is a different fund", False),
        ("MYAAPL", False),
        ("$$AAPL", False),
        ("Apple's quarter", True),  # aliases: whole words, any case
        ("APPLE shares", True),
        ("iphone sales", True),
        ("pineapple prices", False),
        ("Microsoft results", False),
        ("", False),
    ],
)
def test_mentions_of_a_symbol(text, expected):
    assert bool(mention_pattern("AAPL", ["Apple", "iPhone"]).search(text)) is expected


def test_a_ticker_that_is_a_word_matches_only_in_capitals():
    pattern = mention_pattern("it")
    assert pattern.search("it is what it is") is None
    assert pattern.search("Gartner (IT) shares") is not None


def test_bare_ticker_matching_can_be_turned_off():
    pattern = mention_pattern("ALL", bare_ticker=False)
    assert pattern.search("ALL in on this") is None
    assert pattern.search("$ALL insurance") is not None


def test_blank_aliases_and_regex_characters_are_harmless():
    pattern = mention_pattern("BRK.B", ["", "  ", "S&P (500)"])
    assert pattern.search("BRKXB") is None  # the dot is a dot
    assert pattern.search("BRK.B holders") is not None
    assert pattern.search("the s&p (500) fell") is not None
    assert pattern.search("nothing here") is None
