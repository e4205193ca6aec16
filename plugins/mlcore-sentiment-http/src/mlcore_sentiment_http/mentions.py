"""Does a text mention a symbol? Its cashtag, its ticker or one of its aliases."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["mention_pattern"]


def mention_pattern(
    symbol: str, aliases: Iterable[str] = (), *, bare_ticker: bool = True
) -> re.Pattern[str]:
    """A pattern that finds ``symbol`` mentioned in a text (``pattern.search(text)``).

    The cashtag (``$AAPL``, any case) always counts. The bare ticker counts in capitals
    only (``AAPL``, not ``aapl``), since tickers such as ``IT`` or ``ALL`` are ordinary
    words in lower case, and not at all with ``bare_ticker=False``. Aliases (``Apple``)
    count as whole words in any case. None of them counts inside a longer word
    (``AAPLX``, ``pineapple``).
    """
    ticker = re.escape(symbol.upper())
    terms = [rf"\$(?i:{ticker})"]
    if bare_ticker:
        terms.append(ticker)
    terms += [f"(?i:{re.escape(alias.strip())})" for alias in aliases if alias.strip()]
    return re.compile(rf"(?<![\w$])(?:{'|'.join(terms)})(?!\w)")
