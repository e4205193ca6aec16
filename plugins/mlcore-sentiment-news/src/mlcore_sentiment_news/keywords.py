"""Does a text mention a symbol? Its ticker, cashtag or one of its aliases."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["KeywordMatcher"]


class KeywordMatcher:
    """Matches whole words: the ticker case-sensitively (``AAPL``, ``$AAPL``; tickers such
    as ``IT`` or ``ALL`` are ordinary words in lower case), aliases case-insensitively
    (``Apple``, ``iPhone``)."""

    def __init__(self, symbol: str, aliases: Iterable[str] = ()) -> None:
        self.symbol = symbol
        self.aliases = tuple(alias for alias in aliases if alias.strip())
        self._ticker = re.compile(rf"(?<!\w)\$?{re.escape(symbol)}(?!\w)")
        self._aliases = (
            re.compile(
                r"(?<!\w)(?:" + "|".join(re.escape(a.strip()) for a in self.aliases) + r")(?!\w)",
                re.IGNORECASE,
            )
            if self.aliases
            else None
        )

    def matches(self, text: str) -> bool:
        if self._ticker.search(text):
            return True
        return self._aliases is not None and self._aliases.search(text) is not None

    def query(self) -> str:
        """A NewsAPI-style query: the ticker and the aliases, quoted, joined by OR."""
        terms = dict.fromkeys([self.symbol, *self.aliases])
        return " OR ".join(f'"{term}"' for term in terms)
