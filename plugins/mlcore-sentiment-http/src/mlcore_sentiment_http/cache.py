"""An on-disk (SQLite) cache of provider responses, so a re-run backfill fetches nothing twice."""

from __future__ import annotations

import json
import os
import sqlite3
import threading

import httpx

from mlcore_sentiment_http.response import ProviderResponse

__all__ = ["ResponseCache", "cache_key"]

_KEPT_HEADERS = frozenset({"content-type", "link"})
_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    method TEXT NOT NULL,
    url TEXT NOT NULL,
    status INTEGER NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    stored_at REAL NOT NULL
)
"""


def cache_key(method: str, url: httpx.URL, *, exclude: frozenset[str] = frozenset()) -> str:
    """The cache key of a request: method, URL and its sorted query parameters.

    Parameters in ``exclude`` (the token parameter) never take part, so the key and the
    row stored under it hold no secret and do not change when the token does.
    """
    return f"{method.upper()} {_canonical_url(url, exclude)}"


def _canonical_url(url: httpx.URL, exclude: frozenset[str]) -> str:
    params = sorted((k, v) for k, v in url.params.multi_items() if k not in exclude)
    bare = url.copy_with(query=None, fragment=None)
    return str(bare.copy_with(params=params)) if params else str(bare)


class ResponseCache:
    """Responses by :func:`cache_key`, in the SQLite file ``path`` (parents created).

    Rows hold the method and URL (without the token), the status, headers and the body as
    received (bytes, so a document's own encoding declaration still counts when read back).
    Safe to share between threads; several processes may share one file (SQLite locks).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        parent = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(parent, exist_ok=True)
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False)
        with self._lock, self._connection:
            self._connection.execute(_SCHEMA)

    def get(self, key: str) -> ProviderResponse | None:
        """The stored response under ``key``, or None."""
        with self._lock:
            row = self._connection.execute(
                "SELECT url, status, headers, body FROM responses WHERE key = ?", (key,)
            ).fetchone()
        if row is None:
            return None
        url, status, headers, body = row
        return ProviderResponse(
            path=httpx.URL(url).path,
            status=status,
            headers=json.loads(headers),
            # Bodies are stored as received; a row written as text holds UTF-8.
            content=body if isinstance(body, bytes) else body.encode(),
            from_cache=True,
        )

    def put(self, key: str, response: ProviderResponse, *, stored_at: float) -> None:
        """Store ``response`` under ``key`` (replacing an older one).

        Of the headers only those a reader needs (``content-type``, ``link``) are kept, so
        cookies and other per-session headers never reach the disk.
        """
        method, url = key.split(" ", 1)
        headers = {k: v for k, v in response.headers.items() if k in _KEPT_HEADERS}
        with self._lock, self._connection:
            self._connection.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    method,
                    url,
                    response.status,
                    json.dumps(headers),
                    response.content,
                    stored_at,
                ),
            )

    def __len__(self) -> int:
        with self._lock:
            (count,) = self._connection.execute("SELECT COUNT(*) FROM responses").fetchone()
        return int(count)

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def __repr__(self) -> str:
        return f"ResponseCache({self.path!r})"
