"""Checks of a provider's own options: values, and errors naming the key path."""

from __future__ import annotations

import pytest
from mlcore.errors import ConfigError

from mlcore_sentiment_http.options import flag, option_key, symbol_terms, text, whole_number

KEY = option_key("acme", "opt")


def test_option_key():
    assert option_key("acme") == "sentiment.sources_config.acme"
    assert KEY == "sentiment.sources_config.acme.opt"


def test_valid_values_pass():
    assert flag(False, KEY) is False
    assert text("US", KEY) == "US"
    assert whole_number(100, KEY, low=1, high=100) == 100
    assert whole_number(7, KEY, low=0) == 7


@pytest.mark.parametrize(
    ("check", "value", "message"),
    [
        (lambda v: flag(v, KEY), "yes", "true or false"),
        (lambda v: text(v, KEY), 1, "expected text"),
        (lambda v: whole_number(v, KEY, low=1, high=100), 0, r"in \[1, 100\]"),
        (lambda v: whole_number(v, KEY, low=1, high=100), 101, r"in \[1, 100\]"),
        (lambda v: whole_number(v, KEY, low=1), True, ">= 1"),
        (lambda v: whole_number(v, KEY, low=1), 2.0, ">= 1"),
    ],
)
def test_invalid_values_name_the_key_path(check, value, message):
    with pytest.raises(ConfigError, match=message) as raised:
        check(value)
    assert raised.value.key_path == KEY


def test_symbol_terms_upper_case_symbols_and_accept_a_lone_word():
    terms = symbol_terms({"aapl": [" Apple ", "iPhone"], "MSFT": "Microsoft"}, KEY)
    assert terms == {"AAPL": ("Apple", "iPhone"), "MSFT": ("Microsoft",)}
    assert symbol_terms(None, KEY) == {}


@pytest.mark.parametrize(
    ("value", "key_path"),
    [
        (["Apple"], KEY),
        ({"AAPL": [""]}, f"{KEY}.AAPL"),
        ({"AAPL": []}, f"{KEY}.AAPL"),
        ({"AAPL": [1]}, f"{KEY}.AAPL"),
        ({"AAPL": {"Apple": 1}}, f"{KEY}.AAPL"),
        ({"AAPL": list("abc")}, f"{KEY}.AAPL"),  # over most=2
    ],
)
def test_bad_symbol_terms_name_the_key_path(value, key_path):
    with pytest.raises(ConfigError) as raised:
        symbol_terms(value, KEY, most=2)
    assert raised.value.key_path == key_path
