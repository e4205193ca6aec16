"""The ``discord`` sentiment source: messages that mention a symbol in configured channels."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar, Final

import httpx
import pandas as pd
from mlcore.errors import ConfigError
from mlcore.sentiment import SentimentItem
from mlcore_sentiment_http import (
    Clock,
    HttpSource,
    iter_cursor,
    longest,
    mention_pattern,
    published_within,
    retry_after_field,
    retry_after_header,
    utc_days,
    utc_range,
)
from mlcore_sentiment_http.options import flag, option_key, symbol_terms, whole_number

from mlcore_sentiment_discord.payloads import (
    SOURCE,
    TEXT_MESSAGE_TYPES,
    Message,
    first_snowflake_at,
    parse_messages,
)

__all__ = ["HTTP_DEFAULTS", "DiscordAdapter"]

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


class DiscordAdapter(HttpSource):
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

    A 429 waits for Discord's ``retry_after`` (in the body, to the millisecond) or the
    ``Retry-After`` header, whichever is longer.

    Every other keyword argument is an HTTP setting
    (:class:`~mlcore_sentiment_http.HttpSettings`) over :data:`HTTP_DEFAULTS`; the bot
    token is read from ``$DISCORD_BOT_TOKEN``. ``clock`` and ``transport`` are for tests.
    """

    source: ClassVar[str] = SOURCE
    http_defaults: ClassVar[Mapping[str, Any]] = HTTP_DEFAULTS

    def __init__(
        self,
        *,
        channels: Sequence[str | int] = (),
        aliases: Mapping[str, str | Sequence[str]] | None = None,
        bare_ticker: bool = True,
        include_bots: bool = False,
        page_size: int = 100,
        clock: Clock | None = None,
        transport: httpx.BaseTransport | None = None,
        **http_options: Any,
    ) -> None:
        self.channels = _channels(channels)
        self.aliases = symbol_terms(aliases, option_key(SOURCE, "aliases"))
        self.bare_ticker = flag(bare_ticker, option_key(SOURCE, "bare_ticker"))
        self.include_bots = flag(include_bots, option_key(SOURCE, "include_bots"))
        self.page_size = whole_number(page_size, option_key(SOURCE, "page_size"), low=1, high=100)
        super().__init__(clock=clock, transport=transport, **http_options)

    def fetch(self, symbol: str, start: object, end: object) -> list[SentimentItem]:
        """Messages mentioning ``symbol`` created in [start, end], oldest first."""
        first, last = utc_range(start, end)
        mentions = mention_pattern(
            symbol, self.aliases.get(symbol.upper(), ()), bare_ticker=self.bare_ticker
        )
        # Half-open day windows; the last one ends just after ``last``'s millisecond.
        stop = last.floor("ms") + _MILLISECOND
        messages = (
            message
            for channel in self.channels
            for since, until in utc_days(first, stop)
            for message in self._messages(channel, since, until)
        )
        items = [_item(symbol, m) for m in messages if self._counts(m, mentions)]
        return published_within(items, first, last)

    def retry_after(self, response: httpx.Response, now: float) -> float | None:
        """The longer of the body's ``retry_after`` and the ``Retry-After`` header."""
        return longest(
            retry_after_field(response, "retry_after"), retry_after_header(response, now)
        )

    def __repr__(self) -> str:
        return (
            f"DiscordAdapter(channels={list(self.channels)!r}, aliases={self.aliases!r}, "
            f"base_url={self.http.base_url!r})"
        )

    def _counts(self, message: Message, mentions: re.Pattern[str]) -> bool:
        """Whether a message is a text message, by a person (unless ``include_bots``),
        that mentions the symbol."""
        return (
            message.type in TEXT_MESSAGE_TYPES
            and (self.include_bots or not message.from_bot)
            and mentions.search(message.content) is not None
        )

    def _messages(
        self, channel: str, since: pd.Timestamp, until: pd.Timestamp
    ) -> Iterator[Message]:
        """The channel's messages created in [since, until), newest first, page by page."""
        client = self.client
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


def _channels(value: Sequence[str | int]) -> tuple[str, ...]:
    key_path = option_key(SOURCE, "channels")
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
