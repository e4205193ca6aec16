"""A provider's answer as the client returns it, whether fresh or from the cache."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import httpx

__all__ = ["ProviderResponse"]


@attrs.frozen
class ProviderResponse:
    """One successful (2xx) response.

    ``path`` is the URL path without the query (what error messages show), ``headers``
    have lower-case names, ``data`` is the parsed JSON body when JSON was expected, and
    ``from_cache`` says whether it was read from the response cache.
    """

    path: str
    status: int
    headers: Mapping[str, str]
    text: str
    data: Any = None
    from_cache: bool = False

    @property
    def links(self) -> dict[str, str]:
        """The RFC 8288 ``Link`` header as ``{rel: url}`` (``{"next": "https://..."}``)."""
        parsed = httpx.Response(self.status, headers=dict(self.headers)).links
        return {str(rel): link["url"] for rel, link in parsed.items() if "url" in link}
