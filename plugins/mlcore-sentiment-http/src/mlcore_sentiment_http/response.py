"""A provider's answer as the client returns it, whether fresh or from the cache."""

from __future__ import annotations

import codecs
import email.message
from collections.abc import Mapping
from typing import Any

import attrs
import httpx

__all__ = ["ProviderResponse"]


@attrs.frozen
class ProviderResponse:
    """One successful (2xx) response.

    ``path`` is the URL path without the query (what error messages show), ``headers``
    have lower-case names, ``content`` is the body as received (bytes), ``data`` the
    parsed JSON body when JSON was expected, and ``from_cache`` says whether it was read
    from the response cache.
    """

    path: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    data: Any = None
    from_cache: bool = False

    @property
    def charset(self) -> str | None:
        """The ``charset`` of the ``Content-Type`` header, if it names a known encoding."""
        message = email.message.Message()
        message["content-type"] = self.headers.get("content-type", "")
        charset = message.get_content_charset()
        if charset is None:
            return None
        try:
            return codecs.lookup(charset).name
        except LookupError:
            return None

    @property
    def text(self) -> str:
        """The body decoded with :attr:`charset`, else as UTF-8 (undecodable bytes
        replaced)."""
        return self.content.decode(self.charset or "utf-8", errors="replace")

    @property
    def links(self) -> dict[str, str]:
        """The RFC 8288 ``Link`` header as ``{rel: url}`` (``{"next": "https://..."}``)."""
        link = self.headers.get("link")
        if link is None:
            return {}
        parsed = httpx.Response(self.status, headers={"link": link}).links
        return {str(rel): value["url"] for rel, value in parsed.items() if "url" in value}
