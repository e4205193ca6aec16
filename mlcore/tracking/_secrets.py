"""Keeping secrets out of MLflow: secret-named keys, secret environment values, URL
passwords."""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Final, Self

import attrs

from mlcore.config import names_secret
from mlcore.errors import TrackingWarning

_MIN_SECRET_LENGTH: Final = 4  # shorter environment values are not treated as secrets
_MIN_SECRET_SUBSTRING: Final = 8  # from this length, a value that contains a secret is dropped
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s]*):[^@/\s]+@")


@attrs.define
class _SecretFilter:
    """Knows the secrets of this process: secret-named keys and secret environment values."""

    values: tuple[str, ...]

    @classmethod
    def from_environment(cls) -> Self:
        found = {
            value
            for name, value in os.environ.items()
            if names_secret(name) and len(value.strip()) >= _MIN_SECRET_LENGTH
        }
        return cls(tuple(sorted(found, key=len, reverse=True)))

    def names_secret(self, dotted_key: str) -> bool:
        return any(names_secret(part) for part in re.split(r"[./:]", dotted_key) if part)

    def leaks(self, text: str) -> bool:
        return any(
            text == secret or (len(secret) >= _MIN_SECRET_SUBSTRING and secret in text)
            for secret in self.values
        )

    def clean_text(self, text: str) -> str:
        return _URL_PASSWORD.sub(r"\g<head>:***@", text)

    def scrub(self, value: Any, path: str, dropped: list[str]) -> Any:
        """A copy of nested data without secret keys or secret values (their paths go to
        ``dropped``); strings have URL passwords masked."""
        if attrs.has(type(value)):
            value = attrs.asdict(value)
        if isinstance(value, Mapping):
            kept = {}
            for key, item in value.items():
                where = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and names_secret(key):
                    dropped.append(where)
                    continue
                cleaned = self.scrub(item, where, dropped)
                if cleaned is not _DROPPED:
                    kept[key] = cleaned
            return kept
        if isinstance(value, list | tuple):
            items = [self.scrub(item, f"{path}[{i}]", dropped) for i, item in enumerate(value)]
            return [item for item in items if item is not _DROPPED]
        if isinstance(value, str):
            if self.leaks(value):
                dropped.append(path)
                return _DROPPED
            return self.clean_text(value)
        return value


_DROPPED: Final = object()


def _warn_dropped(dropped: Sequence[str], what: str) -> None:
    if dropped:
        warnings.warn(
            f"not logged to MLflow, because they name or hold a secret: {what} "
            f"{', '.join(sorted(dropped))}",
            TrackingWarning,
            stacklevel=3,
        )
