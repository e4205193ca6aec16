"""Parameters, tags and metric keys as MLflow stores them: flat, text, within its limits."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any, Final

import attrs

from mlcore.errors import TrackingError

MAX_PARAM_LENGTH: Final = 6000  # mlflow.utils.validation.MAX_PARAM_VAL_LENGTH
MAX_TAG_LENGTH: Final = 8000  # mlflow.utils.validation.MAX_TAG_VAL_LENGTH
MAX_KEY_LENGTH: Final = 250  # mlflow.utils.validation.MAX_ENTITY_KEY_LENGTH
TRUNCATION_MARKER: Final = "...[truncated]"
_BAD_KEY_CHARACTERS = re.compile(r"[^\w./\- :]")


def flatten_params(params: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested mappings (and attrs objects) into one level with dotted keys.

    ``{"model": {"max_depth": 3}}`` becomes ``{"model.max_depth": 3}``; an empty mapping
    stays a value (``{}``) so that the key is not lost; lists stay values.
    """
    flat: dict[str, Any] = {}
    for key, value in params.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if attrs.has(type(value)):
            value = attrs.asdict(value)
        if isinstance(value, Mapping) and value:
            flat.update(flatten_params(value, name))
        else:
            flat[name] = value
    return flat


def _json_default(value: Any) -> Any:
    """Make numpy, pandas, datetime, path and attrs values JSON-serializable."""
    if attrs.has(type(value)):
        return attrs.asdict(value)
    if hasattr(value, "tolist"):  # numpy arrays and scalars, pandas Index and Series
        return value.tolist()
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def _as_text(value: Any) -> str:
    """A parameter or tag value as MLflow stores it: text; containers as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        return json.dumps(value, default=_json_default, separators=(",", ":"))
    if hasattr(value, "item") and not hasattr(value, "__len__"):  # a numpy scalar
        value = value.item()
    return str(value)


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - len(TRUNCATION_MARKER)] + TRUNCATION_MARKER


def _clean_key(key: str, kind: str) -> str:
    """A key MLflow accepts: characters it refuses become ``_``; too long is an error."""
    cleaned = _BAD_KEY_CHARACTERS.sub("_", key).strip("/")
    while "//" in cleaned:
        cleaned = cleaned.replace("//", "/")
    if not cleaned or cleaned in (".", "..") or "/../" in f"/{cleaned}/":
        raise TrackingError(f"{kind} name {key!r} is not usable as an MLflow key")
    if len(cleaned) > MAX_KEY_LENGTH:
        raise TrackingError(
            f"{kind} name {key[:60]!r}... has {len(cleaned)} characters; MLflow allows at most "
            f"{MAX_KEY_LENGTH}: shorten it"
        )
    return cleaned
