"""The ``discord`` sentiment source: messages that mention a symbol in configured channels."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar, Final

import httpx
import numpy as np
import pandas as pd
from mlcore.errors import ConfigError
from mlcore.sentiment import SentimentItem
from mlcore_sentiment_http import Clock, HttpSettings, ProviderClient, SystemClock, iter_cursor

from mlcore_sentiment_discord.payloads import (
    SOURCE,
    TEXT_MESSAGE_TYPES,
    Message,
    first_snowflake_at,
    mention_pattern,
    parse_messages,
)
from mlcore_sentiment_discord.retry_after_body import RetryAfterBodyTransport

__all__ = ["HTTP_DEFAULTS", "DiscordAdapter"]

_KEY_PATH: Final = f"sentiment.sources_config.{SOURCE}"
_MILLISECOND: Final = pd.Timedelta(1, unit="ms")

#: HTTP settings of this source unless its config block says otherwise; the token is
#: sent as ``Authorization: Bot <token>``.
HTTP_DEFAULTS: Final[Mapping[str, Any]] = {
    "base_url": "https://discord.com/api/v10",
    "token_env": "DISCORD_BOT_TOKEN",
    "auth_scheme": "Bot",
    "rate_limit": 1.0,
    "burst": 5,
    "retry_after_max": 60.0,
}


class DiscordAdapter:
    """Messages that mention a symbol, read from Discord channels through the bot API.

    ``channels`` are the channel ids to read (the bot needs View Channel and Read Message
    History there). Each UTC day of the range is read newest first with
    ``GET /channels/{id}/messages?limit=100&before=<snowflake>``, starting from the
    snowflake of the day's end and going back until a page reaches the day's start, so
    a past day is one cacheable sequence of requests that a re-run reads from the cache.

    A message counts when it is a text message (not a join or a pin notice), was not
    written by a bot (unless ``include_bots``), and mentions the symbol: its cashtag
    (``$AAPL``, any case), the ticker in capitals (``AAPL``, unless ``bare_ticker`` is
    false) or one of its ``aliases`` (``{"AAPL": ["Apple"]}``, whole words, any case).
    Items carry the text (scored by the kernel's scorer), the author's user name and the
    number of reactions as engagement.

    Every other keyword argument is an HTTP setting
    (:class:`~mlcore_sentiment_http.HttpSettings`) over :data:`HTTP_DEFAULTS`; the bot
    token is read from ``$DISCORD_BOT_TOKEN``. ``clock`` and ``transport`` are for tests.
    """

    capabilities: ClassVar[frozenset[str]] = frozenset({"fetch"})

    def __init__(
        self,
        *,
        channels: Sequence[str | int] = (),
        aliases: Mapping[str, Sequence[str]] | None = None,
        bare_ticker: bool = True,
        include_bots: bool = False,
        page_size: int = 100,
        clock: Clock | None = None,
        transport: httpx.BaseTransport | None = None,
        **http_options: Any,
    ) -> None:
        self.channels = _channels(channels)
        self.aliases = _aliases(aliases)
        self.bare_ticker = _flag(bare_ticker, "bare_ticker")
        self.include_bots = _flag(include_bots, "include_bots")
        if isinstance(page_size, bool) or not isinstance(page_size, int):
            page_size = 0
        if not 1 <= page_size <= 100:
            raise ConfigError(
                f"a page holds 1 to 100 messages, got {page_size!r}",
                key_path=f"{_KEY_PATH}.page_size",
            )
        self.page_size = page_size
        self.http = HttpSettings.from_options(http_options, defaults=HTTP_DEFAULTS, source=SOURCE)
        self.clock: Clock = clock or SystemClock()
        self.transport = transport

    def fetch(self, symbol: str, start: pd.Timestamp, end: pd.Timestamp) -> list[SentimentItem]:
        """Messages mentioning ``symbol`` created in [start, end], oldest first."""
        first, last = _utc(start), _utc(end)
        if first > last:
            raise ValueError(f"start {first} is after end {last}")
        mentions = mention_pattern(
            symbol, self.aliases.get(symbol.upper(), ()), bare_ticker=self.bare_ticker
        )
        # Half-open day windows; the last one ends just after ``last``'s millisecond.
        stop = last.floor("ms") + _MILLISECOND
        found: dict[str, Message] = {}
        with self._client() as client:
            for channel in self.channels:
                for since, until in _utc_days(first, stop):
                    for message in self._messages(client, channel, since, until):
                        found[message.id] = message
        items = [
            _item(symbol, message)
            for message in found.values()
            if first <= message.published_at <= last
            and message.type in TEXT_MESSAGE_TYPES
            and (self.include_bots or not message.from_bot)
            and mentions.search(message.content)
        ]
        return sorted(items, key=lambda item: (item.published_at, item.id or ""))

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """Not supported: this source fetches messages; ``sentiment.scorer`` scores them."""
        raise NotImplementedError(
            f"the {SOURCE} adapter fetches messages and does not score texts; "
            "name a scorer (lexicon, transformers) as sentiment.scorer"
        )

    def __repr__(self) -> str:
        return (
            f"DiscordAdapter(channels={list(self.channels)!r}, aliases={self.aliases!r}, "
            f"base_url={self.http.base_url!r})"
        )

    def _client(self) -> ProviderClient:
        transport = RetryAfterBodyTransport(self.clock, self.transport)
        return ProviderClient(SOURCE, self.http, clock=self.clock, transport=transport)

    def _messages(
        self, client: ProviderClient, channel: str, since: pd.Timestamp, until: pd.Timestamp
    ) -> Iterator[Message]:
        """The channel's messages created in [since, until), newest first, page by page."""
        path = f"/channels/{channel}/messages"

        def page(before: str | None) -> list[Message]:
            params = {"limit": self.page_size, "before": before or first_snowflake_at(until)}
            return parse_messages(client.get_json(path, params, complete_before=until), channel)

        def older(messages: list[Message]) -> str | None:
            if len(messages) < self.page_size:
                return None  # a short page is the channel's oldest
            oldest = min(messages, key=lambda message: int(message.id))
            return oldest.id if oldest.published_at >= since else None

        for message in iter_cursor(page, items=lambda messages: messages, next_cursor=older):
            if since <= message.published_at < until:
                yield message


def _item(symbol: str, message: Message) -> SentimentItem:
    return SentimentItem(
        source=SOURCE,
        symbol=symbol,
        published_at=message.published_at,
        text=message.content,
        author=message.author,
        engagement=float(message.reactions),
        id=message.id,
    )


def _utc_days(since: pd.Timestamp, until: pd.Timestamp) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """``[since, until)`` cut at UTC midnights."""
    cuts = pd.date_range(since.ceil("D"), until, freq="D", inclusive="left")
    bounds = [since, *(cut for cut in cuts if cut > since), until]
    return [(a, b) for a, b in itertools.pairwise(bounds) if a < b]


def _utc(value: object) -> pd.Timestamp:
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _flag(value: object, key: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"expected true or false, got {value!r}", key_path=f"{_KEY_PATH}.{key}")
    return value


def _channels(value: Sequence[str | int]) -> tuple[str, ...]:
    key_path = f"{_KEY_PATH}.channels"
    if isinstance(value, str | int):
        value = [value]
    if not value:
        raise ConfigError(
            "no channel to read; list the ids of the channels the bot may read", key_path=key_path
        )
    channels = []
    for index, channel in enumerate(value):
        text = str(channel).strip()
        if isinstance(channel, bool) or not text.isdigit():
            raise ConfigError(
                f"a channel id is a snowflake (digits; in Discord: right-click the channel, "
                f"Copy Channel ID), got {channel!r}",
                key_path=f"{key_path}[{index}]",
            )
        channels.append(text)
    return tuple(channels)


def _aliases(value: Mapping[str, Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    key_path = f"{_KEY_PATH}.aliases"
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"expected a mapping of symbol to alias list ({{AAPL: [Apple]}}), got {value!r}",
            key_path=key_path,
        )
    aliases = {}
    for symbol, names in value.items():
        if isinstance(names, str) or not all(isinstance(name, str) for name in names):
            raise ConfigError(
                f"expected a list of alias strings, got {names!r}", key_path=f"{key_path}.{symbol}"
            )
        aliases[str(symbol).upper()] = tuple(names)
    return aliases
