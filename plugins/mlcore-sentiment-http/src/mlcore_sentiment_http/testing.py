"""Test helpers for providers: a loopback HTTP server with scripted replies, a fake clock.

Part of the library (not a conftest), so every provider's tests use the same server::

    with LoopbackServer() as server:
        server.route("/company-news", Reply(429, headers={"Retry-After": "3"}), Reply(json=[]))
        clock = FakeClock()
        client = ProviderClient("finnhub", HttpSettings(base_url=server.url), clock=clock)
        client.get_json("/company-news")
        assert clock.sleeps == [3.0]
        assert len(server.requests) == 2

The server binds 127.0.0.1 on a free port and serves from a thread; nothing leaves the
machine.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

import attrs

__all__ = ["FakeClock", "LoopbackServer", "RecordedRequest", "Reply", "Responder"]

_NO_JSON: Final = object()

#: 2026-01-15T00:00:00Z, the default start of a :class:`FakeClock`.
DEFAULT_NOW: Final = datetime(2026, 1, 15, tzinfo=UTC).timestamp()


@attrs.frozen
class Reply:
    """One scripted response: ``status``, ``headers`` and a body given as ``body`` (text
    or bytes) or as ``json`` (serialised, with ``Content-Type: application/json``).
    ``delay`` seconds pass before the reply is sent (to provoke a client timeout).
    """

    status: int = 200
    body: str | bytes = b""
    headers: Mapping[str, str] = attrs.field(factory=dict)
    json: Any = _NO_JSON
    delay: float = 0.0

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        if self.json is not _NO_JSON:
            headers.setdefault("Content-Type", "application/json")
            return json.dumps(self.json).encode(), headers
        body = self.body.encode() if isinstance(self.body, str) else self.body
        return body, headers


@attrs.frozen
class RecordedRequest:
    """A request the server received: method, path, query (each name to its values) and
    headers (names lower-case)."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]

    def param(self, name: str) -> str | None:
        """The first value of query parameter ``name``, or None."""
        values = self.query.get(name)
        return values[0] if values else None


#: A reply computed from the request (for pagination by query parameters, for example).
Responder = Callable[[RecordedRequest], Reply]


class _Route:
    def __init__(self, replies: tuple[Reply | Responder, ...]) -> None:
        self._replies = list(replies)
        self._lock = threading.Lock()

    def next_reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            reply = self._replies.pop(0) if len(self._replies) > 1 else self._replies[0]
        return reply if isinstance(reply, Reply) else reply(request)


class LoopbackServer:
    """An HTTP server on 127.0.0.1 (a free port) that serves scripted replies per path.

    :meth:`route` scripts a path: its replies are used in order and the last one repeats.
    A reply may be a :data:`Responder`, called with the request. Paths without a route
    answer 404. Every request is recorded in :attr:`requests`. Use it as a context
    manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._routes: dict[tuple[str, str], _Route] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        if self._server is None:
            raise RuntimeError("the server is not running: call start() or use it in a with block")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def route(self, path: str, *replies: Reply | Responder, method: str = "GET") -> None:
        """Script ``method path`` (replacing an earlier script of it)."""
        if not replies:
            raise ValueError(f"route {method} {path} needs at least one reply")
        self._routes[(method.upper(), path)] = _Route(replies)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """The recorded requests for ``path``."""
        with self._lock:
            return [request for request in self.requests if request.path == path]

    def start(self) -> LoopbackServer:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _reply_to(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
        route = self._routes.get((request.method, request.path))
        if route is None:
            known = sorted(f"{method} {path}" for method, path in self._routes)
            return Reply(
                404,
                json={"error": f"no route for {request.method} {request.path}", "routes": known},
            )
        return route.next_reply(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                request = RecordedRequest(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in self.headers.items()},
                )
                reply = server._reply_to(request)
                if reply.delay:
                    time.sleep(reply.delay)
                body, headers = reply.encoded()
                try:
                    self.send_response(reply.status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test); nothing to answer

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        return Handler


class FakeClock:
    """A clock for tests: time stands still until :meth:`sleep` or :meth:`advance` moves
    it; every sleep is recorded in :attr:`sleeps`. ``now()`` and ``monotonic()`` move
    together, starting at ``start`` (a Unix time or an aware datetime).
    """

    def __init__(self, start: float | datetime = DEFAULT_NOW) -> None:
        self._now = start.timestamp() if isinstance(start, datetime) else float(start)
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self._now

    def monotonic(self) -> float:
        return self._now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(float(seconds))
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        """Move time forward ``seconds`` without recording a sleep."""
        self._now += max(0.0, float(seconds))

    def __repr__(self) -> str:
        return f"FakeClock(now={self._now!r})"
