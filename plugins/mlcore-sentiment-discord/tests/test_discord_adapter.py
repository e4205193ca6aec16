"""The discord adapter against a loopback server speaking the bot API v10."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd
import pytest
from mlcore.errors import SentimentAuthError, SentimentSourceError
from mlcore_sentiment_http.testing import FakeClock, LoopbackServer, RecordedRequest, Reply

from mlcore_sentiment_discord.adapter import DiscordAdapter

PAYLOADS = Path(__file__).parent / "payloads"
CHANNEL = "1101112223334445556"
OTHER_CHANNEL = "1101112223334449999"
TOKEN = "MTAxMTEyMjIzMzM0NDQ1NTU2.discord-secret.0123456789abcdef"
NOW = pd.Timestamp("2024-03-10 12:00", tz="UTC")
DISCORD_EPOCH_MS = 1_420_070_400_000  # 2015-01-01T00:00:00Z in Unix milliseconds


def messages_path(channel: str = CHANNEL) -> str:
    return f"/api/v10/channels/{channel}/messages"


def snowflake(time: str, sequence: int = 0) -> str:
    """A snowflake as Discord builds it: ms since its epoch, shifted past 22 bits."""
    ms = int(pd.Timestamp(time, tz="UTC").timestamp() * 1000)
    return str(((ms - DISCORD_EPOCH_MS) << 22) + sequence)


def message(time: str, content: str, *, reactions: int = 0, sequence: int = 0) -> dict:
    stamp = pd.Timestamp(time, tz="UTC").isoformat(timespec="microseconds")
    body = {
        "id": snowflake(time, sequence),
        "type": 0,
        "content": content,
        "channel_id": CHANNEL,
        "author": {"id": "301", "username": "trader", "discriminator": "0", "global_name": None},
        "attachments": [],
        "embeds": [],
        "mentions": [],
        "mention_roles": [],
        "pinned": False,
        "mention_everyone": False,
        "tts": False,
        "timestamp": stamp,
        "edited_timestamp": None,
        "flags": 0,
        "components": [],
    }
    if reactions:
        body["reactions"] = [
            {"emoji": {"id": None, "name": "\N{ROCKET}"}, "count": reactions, "me": False}
        ]
    return body


def channel_history(messages: list[dict]):
    """Answers like Discord: the ``limit`` newest messages older than ``before``, newest first."""
    ordered = sorted(messages, key=lambda m: int(m["id"]), reverse=True)

    def respond(request: RecordedRequest) -> Reply:
        before = int(request.param("before") or 2**63)
        limit = int(request.param("limit") or 50)
        return Reply(json=[m for m in ordered if int(m["id"]) < before][:limit])

    return respond


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


@pytest.fixture
def clock():
    return FakeClock(NOW.to_pydatetime())


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("DISCORD_BOT_TOKEN", TOKEN)


def adapter(server, clock, **options):
    options.setdefault("channels", [CHANNEL])
    return DiscordAdapter(base_url=f"{server.url}/api/v10", clock=clock, rate_limit=None, **options)


def test_a_documented_page_gives_the_messages_that_mention_the_symbol(server, clock):
    page = json.loads((PAYLOADS / "channel_messages.json").read_text("utf-8"))
    server.route(messages_path(), Reply(json=page))
    source = adapter(server, clock, aliases={"AAPL": ["Apple"]})
    items = source.fetch("AAPL", "2024-03-04", "2024-03-04 23:59:59.999")
    # Kept: "Apple guidance..." (alias) and "$AAPL ripping..." (cashtag). Dropped: the
    # lower-case bare "aapl", the alert bot, and the member-join notice (type 7).
    assert [(item.author, item.engagement) for item in items] == [
        ("macro_mo", 3.0),
        ("bulltrader", 7.0),
    ]
    assert items[0].published_at == pd.Timestamp("2024-03-04 14:02:11.512", tz="UTC")
    assert items[1].text == "$AAPL ripping after the open, calls printing"
    assert all(item.source == "discord" and item.score is None for item in items)
    (request,) = server.requests
    # The walk starts at the first snowflake of the millisecond after the range.
    end_ms = int(pd.Timestamp("2024-03-05", tz="UTC").timestamp() * 1000)
    assert request.param("before") == str((end_ms - DISCORD_EPOCH_MS) * 2**22)
    assert request.param("limit") == "100"
    assert request.headers["authorization"] == f"Bot {TOKEN}"


def test_bots_are_included_when_asked(server, clock):
    page = json.loads((PAYLOADS / "channel_messages.json").read_text("utf-8"))
    server.route(messages_path(), Reply(json=page))
    items = adapter(server, clock, include_bots=True).fetch("AAPL", "2024-03-04", "2024-03-05")
    assert [item.author for item in items] == ["AlertBot", "bulltrader"]


def test_pages_go_back_until_they_reach_the_start(server, clock):
    # 250 mentions on 2024-03-04 (one a minute from 08:00) and 300 on the day before.
    times = [pd.Timestamp("2024-03-03 08:00") + pd.Timedelta(minutes=i) for i in range(300)]
    times += [pd.Timestamp("2024-03-04 08:00") + pd.Timedelta(minutes=i) for i in range(250)]
    history = [message(str(t), f"$AAPL tick {i}") for i, t in enumerate(times)]
    server.route(messages_path(), channel_history(history))
    items = adapter(server, clock).fetch("AAPL", "2024-03-04", "2024-03-04 23:59:59.999")
    assert len(items) == 250
    assert items[0].published_at == pd.Timestamp("2024-03-04 08:00", tz="UTC")
    assert items[-1].published_at == pd.Timestamp("2024-03-04 12:09", tz="UTC")
    # Pages of 100, 100, then one that crosses into 2024-03-03: three requests, not six.
    befores = [request.param("before") for request in server.requests]
    assert len(befores) == 3
    assert befores[1] == min((m["id"] for m in history[-100:]), key=int)
    assert befores[2] == min((m["id"] for m in history[-200:-100]), key=int)


def test_items_outside_the_range_are_dropped(server, clock):
    history = [
        message("2024-03-04 09:59:59.999", "$AAPL early"),
        message("2024-03-04 10:00:00", "$AAPL at start"),
        message("2024-03-04 11:00:00", "$AAPL at end"),
        message("2024-03-04 11:00:00.001", "$AAPL late"),
    ]
    server.route(messages_path(), channel_history(history))
    items = adapter(server, clock).fetch("AAPL", "2024-03-04 10:00", "2024-03-04 11:00")
    assert [item.text for item in items] == ["$AAPL at start", "$AAPL at end"]
    assert all(str(item.published_at.tz) == "UTC" for item in items)


def test_each_utc_day_and_each_channel_is_read_from_its_end(server, clock):
    server.route(messages_path(), Reply(json=[]))
    server.route(messages_path(OTHER_CHANNEL), Reply(json=[]))
    source = adapter(server, clock, channels=[CHANNEL, int(OTHER_CHANNEL)])
    assert source.fetch("AAPL", "2024-03-03 18:00", "2024-03-04 06:00") == []
    expected_ends = ["2024-03-04", "2024-03-04 06:00:00.001"]
    starts = [snowflake(t) for t in expected_ends]
    assert [(r.path, r.param("before")) for r in server.requests] == [
        (messages_path(), starts[0]),
        (messages_path(), starts[1]),
        (messages_path(OTHER_CHANNEL), starts[0]),
        (messages_path(OTHER_CHANNEL), starts[1]),
    ]


@pytest.mark.parametrize("status", [401, 403])
def test_refused_token_is_an_auth_error_without_the_token(server, clock, status, caplog):
    body = {"message": f"401: Unauthorized ({TOKEN})", "code": 0}
    server.route(messages_path(), Reply(status, json=body))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SentimentAuthError) as raised:
        adapter(server, clock).fetch("AAPL", "2024-03-04", "2024-03-04 12:00")
    assert raised.value.source == "discord"
    assert "DISCORD_BOT_TOKEN" in str(raised.value)
    assert TOKEN not in str(raised.value)
    assert TOKEN not in caplog.text
    assert len(server.requests) == 1


def test_a_missing_token_names_the_variable(server, clock, monkeypatch):
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "  ")
    with pytest.raises(SentimentAuthError, match="DISCORD_BOT_TOKEN is empty or not set"):
        adapter(server, clock).fetch("AAPL", "2024-03-04", "2024-03-04 12:00")
    assert server.requests == []


def test_429_waits_for_the_retry_after_of_the_body_and_header(server, clock):
    limited = {"message": "You are being rate limited.", "retry_after": 2.5, "global": False}
    server.route(
        messages_path(),
        Reply(429, json=limited, headers={"Retry-After": "3"}),
        Reply(429, json={**limited, "retry_after": 1.2}),  # no header: the body alone
        Reply(json=[]),
    )
    adapter(server, clock).fetch("AAPL", "2024-03-04", "2024-03-04 12:00")
    assert clock.sleeps == [3.0, 1.2]  # the longer of the two; the body's to the fraction
    assert len(server.requests) == 3


def test_requests_go_through_the_configured_proxy(server, clock):
    # The provider's host never resolves: the request arrives only through the proxy.
    server.route(messages_path(), Reply(json=[message("2024-03-04 10:00", "$AAPL via proxy")]))
    source = DiscordAdapter(
        channels=[CHANNEL],
        base_url="http://discord.invalid/api/v10",
        proxy=server.url,
        clock=clock,
        rate_limit=None,
    )
    with source:
        items = source.fetch("AAPL", "2024-03-04", "2024-03-04 12:00")
    assert [item.text for item in items] == ["$AAPL via proxy"]
    (request,) = server.requests
    assert request.headers["host"] == "discord.invalid"
    assert request.headers["authorization"] == f"Bot {TOKEN}"


def test_a_server_error_is_retried_with_backoff(server, clock):
    server.route(
        messages_path(),
        Reply(502, body="Bad Gateway"),
        Reply(json=[message("2024-03-04 10:00", "$AAPL")]),
    )
    items = adapter(server, clock, backoff_initial=0.25).fetch(
        "AAPL", "2024-03-04", "2024-03-04 12:00"
    )
    assert len(items) == 1
    (wait,) = clock.sleeps
    assert 0 <= wait <= 0.25


def test_malformed_json_is_a_source_error(server, clock):
    server.route(
        messages_path(), Reply(body='[{"id": ', headers={"Content-Type": "application/json"})
    )
    with pytest.raises(SentimentSourceError, match="malformed JSON") as raised:
        adapter(server, clock).fetch("AAPL", "2024-03-04", "2024-03-04 12:00")
    assert raised.value.source == "discord"


def test_an_empty_channel_gives_no_items_after_one_request(server, clock):
    server.route(messages_path(), Reply(json=[]))
    assert adapter(server, clock).fetch("AAPL", "2024-03-04", "2024-03-04 12:00") == []
    assert len(server.requests) == 1


def test_a_rerun_of_settled_days_is_read_from_the_cache(server, clock, tmp_path):
    history = [message(f"2024-03-0{d} 12:00", f"$AAPL day {d}", reactions=d) for d in (3, 4, 5)]
    server.route(messages_path(), channel_history(history))
    cache = str(tmp_path / "discord.sqlite")
    first = adapter(server, clock, cache_path=cache).fetch("AAPL", "2024-03-03", "2024-03-05 23:00")
    sent = len(server.requests)
    assert sent == 3
    assert [item.engagement for item in first] == [3.0, 4.0, 5.0]
    again = adapter(server, clock, cache_path=cache).fetch("AAPL", "2024-03-03", "2024-03-05 23:00")
    assert again == first
    assert len(server.requests) == sent  # nothing fetched twice
