"""Checks of a provider's own options (those next to the HTTP ones in its config block).

Each returns the checked value or raises :class:`~mlcore.errors.ConfigError` naming the
key path (:func:`option_key`) and what is expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlcore.errors import ConfigError

__all__ = ["flag", "option_key", "symbol_terms", "text", "whole_number"]


def option_key(source: str, name: str = "") -> str:
    """The key path of ``source``'s option ``name`` (of its block when ``name`` is empty):
    ``sentiment.sources_config.<source>.<name>``."""
    block = f"sentiment.sources_config.{source}"
    return f"{block}.{name}" if name else block


def flag(value: object, key: str) -> bool:
    """A boolean option."""
    if not isinstance(value, bool):
        raise ConfigError(f"expected true or false, got {value!r}", key_path=key)
    return value


def text(value: object, key: str) -> str:
    """A text option."""
    if not isinstance(value, str):
        raise ConfigError(f"expected text, got {value!r}", key_path=key)
    return value


def whole_number(value: object, key: str, *, low: int, high: int | None = None) -> int:
    """An integer option in ``[low, high]`` (no upper bound when ``high`` is None)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < low
        or (high is not None and value > high)
    ):
        bounds = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise ConfigError(f"expected an integer {bounds}, got {value!r}", key_path=key)
    return value


def symbol_terms(
    value: Mapping[str, Any] | None,
    key: str,
    *,
    most: int | None = None,
    example: str = "{AAPL: [Apple, iPhone]}",
) -> dict[str, tuple[str, ...]]:
    """A mapping of symbol to words (aliases, search terms): ``{AAPL: [Apple]}``.

    A single word may stand alone (``{AAPL: Apple}``). Symbols are upper-cased, words
    stripped; ``most`` caps the words per symbol. None is an empty mapping.
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"expected a mapping of symbol to a list of words ({example}), got {value!r}",
            key_path=key,
        )
    checked = {}
    for symbol, words in value.items():
        listed = (words,) if isinstance(words, str) else words
        if (
            not isinstance(listed, list | tuple)
            or not listed
            or not all(isinstance(word, str) and word.strip() for word in listed)
            or (most is not None and len(listed) > most)
        ):
            count = f"1 to {most}" if most is not None else "one or more"
            raise ConfigError(
                f"expected {count} non-empty words, got {words!r}", key_path=f"{key}.{symbol}"
            )
        checked[str(symbol).upper()] = tuple(word.strip() for word in listed)
    return checked
