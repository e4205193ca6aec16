"""Discord channel messages (bot API v10), parsed.

``GET /channels/{channel_id}/messages`` answers with a JSON list of message objects,
newest first: ``id`` (a snowflake), ``content``, ``timestamp`` (ISO 8601), ``author``
(``id``, ``username``, ``bot``), ``type`` and ``reactions[]`` (``count``, ``emoji``).
A snowflake carries its creation time: milliseconds since the Discord epoch
(2015-01-01 UTC) in the bits above the lowest 22.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import pandas as pd
from mlcore.errors import SentimentSourceError
from mlcore_sentiment_http import parse_time

__all__ = [
    "DISCORD_EPOCH",
    "SOURCE",
    "TEXT_MESSAGE_TYPES",
    "Message",
    "parse_messages",
    "first_snowflake_at",
    "snowflake_time",
]

SOURCE = "discord"
DISCORD_EPOCH = pd.Timestamp("2015-01-01", tz="UTC")
_TIMESTAMP_SHIFT = 22
#: Message types that carry text a person wrote: DEFAULT and REPLY.
TEXT_MESSAGE_TYPES = frozenset({0, 19})


@attrs.frozen
class Message:
    """One channel message, as much of it as sentiment needs."""

    id: str
    channel_id: str
    published_at: pd.Timestamp
    content: str
    author: str | None
    from_bot: bool
    reactions: int
    type: int


def snowflake_time(snowflake: str | int) -> pd.Timestamp:
    """The UTC creation time encoded in a Discord snowflake."""
    milliseconds = int(snowflake) >> _TIMESTAMP_SHIFT
    return DISCORD_EPOCH + pd.Timedelta(milliseconds, unit="ms")


def first_snowflake_at(time: pd.Timestamp) -> int:
    """The smallest snowflake of the millisecond ``time`` falls in: ``before=`` it lists
    the messages created before that millisecond."""
    milliseconds = (time - DISCORD_EPOCH) // pd.Timedelta(1, unit="ms")
    return max(milliseconds, 0) << _TIMESTAMP_SHIFT


def _malformed(path: str, expected: str) -> SentimentSourceError:
    return SentimentSourceError(
        SOURCE, f"channel messages answer: '{path}' is missing or not {expected}"
    )


def _published_at(message: Mapping[str, Any], snowflake: str, path: str) -> pd.Timestamp:
    stamp = message.get("timestamp")
    if stamp is None:
        return snowflake_time(snowflake)
    parsed = parse_time(stamp)
    if parsed is None:
        raise _malformed(f"{path}.timestamp", "an ISO 8601 time")
    return parsed


def _reaction_count(message: Mapping[str, Any], path: str) -> int:
    reactions = message.get("reactions") or []
    if not isinstance(reactions, list):
        raise _malformed(f"{path}.reactions", "a list")
    total = 0
    for index, reaction in enumerate(reactions):
        count = reaction.get("count") if isinstance(reaction, Mapping) else None
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise _malformed(f"{path}.reactions[{index}].count", "a count")
        total += count
    return total


def _message(message: Any, channel_id: str, path: str) -> Message:
    if not isinstance(message, Mapping):
        raise _malformed(path, "an object")
    snowflake = message.get("id")
    if not isinstance(snowflake, str) or not snowflake.isdigit():
        raise _malformed(f"{path}.id", "a snowflake")
    author = message.get("author")
    if not isinstance(author, Mapping):
        author = {}
    content, kind = message.get("content"), message.get("type", 0)
    if isinstance(kind, bool) or not isinstance(kind, int):
        raise _malformed(f"{path}.type", "an integer message type")
    return Message(
        id=snowflake,
        channel_id=str(message.get("channel_id", channel_id)),
        published_at=_published_at(message, snowflake, path),
        content=content if isinstance(content, str) else "",
        author=author.get("username"),
        from_bot=bool(author.get("bot", False)),
        reactions=_reaction_count(message, path),
        type=kind,
    )


def parse_messages(payload: Any, channel_id: str) -> list[Message]:
    """The messages of one page of ``GET /channels/{channel_id}/messages``, from its
    parsed JSON."""
    if not isinstance(payload, list):
        raise _malformed("(top level)", "a list of messages")
    return [_message(item, channel_id, f"[{index}]") for index, item in enumerate(payload)]
