"""How a provider is reached: base URL, timeouts, retries, rate limit, cache and token."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import attrs
from mlcore.errors import ConfigError

__all__ = ["DEFAULT_USER_AGENT", "HttpSettings"]

try:
    DEFAULT_USER_AGENT = f"mlcore-sentiment-http/{version('mlcore-sentiment-http')}"
except PackageNotFoundError:  # a source checkout that is not installed
    DEFAULT_USER_AGENT = "mlcore-sentiment-http"


def _number(attribute: attrs.Attribute[Any], value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{attribute.name} must be a number, got {value!r}")
    return float(value)


def _positive(instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not (math.isfinite(_number(attribute, value)) and value > 0):
        raise ValueError(f"{attribute.name} must be a finite number > 0, got {value!r}")


def _non_negative(instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not (math.isfinite(_number(attribute, value)) and value >= 0):
        raise ValueError(f"{attribute.name} must be a finite number >= 0, got {value!r}")


def _optional_positive(
    instance: object, attribute: attrs.Attribute[Any], value: float | None
) -> None:
    if value is not None:
        _positive(instance, attribute, value)


def _at_least_one(instance: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{attribute.name} must be an integer >= 1, got {value!r}")


def _retry_count(instance: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{attribute.name} must be an integer >= 0, got {value!r}")


def _env_name(instance: object, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None and (
        not isinstance(value, str) or not value or not value.replace("_", "").isalnum()
    ):
        raise ValueError(
            f"{attribute.name} names an environment variable (such as FINNHUB_API_KEY), "
            f"got {value!r}; the token itself goes into that variable, never into config"
        )


def _expand_path(value: str | os.PathLike[str] | None) -> str | None:
    return None if value is None else os.path.expanduser(os.fspath(value))


@attrs.frozen(kw_only=True)
class HttpSettings:
    """Settings of one provider's HTTP client.

    ``rate_limit`` is in requests per second (``None``: unlimited) with bursts of ``burst``.
    ``max_retries`` retries follow a failed attempt (connect error, timeout, 5xx, 429),
    waiting an exponentially growing, jittered delay from ``backoff_initial`` up to
    ``backoff_max`` seconds, or the wait the server asks for (``Retry-After``, or the
    provider's own way, read by the client's ``retry_after`` policy) capped at
    ``retry_after_max``.

    ``cache_path`` is an SQLite file of responses. Only responses whose time window ended at
    least ``cache_settle`` seconds ago are cached (and read back), since a provider may
    still add items to a recent window; snapshots and open windows are always fetched.

    The token is read from the environment variable ``token_env`` at request time and sent
    as ``auth_header: <auth_scheme> <token>`` (no scheme when ``auth_scheme`` is empty) or,
    where a provider only takes it in the URL, as the query parameter ``auth_param``. It
    is never stored here, logged, put in an error message or used in a cache key.

    ``proxy`` is an HTTP(S) proxy URL; the proxy environment variables are not read.
    """

    base_url: str = ""
    timeout: float = attrs.field(default=10.0, validator=_positive)
    max_retries: int = attrs.field(default=4, validator=_retry_count)
    backoff_initial: float = attrs.field(default=0.5, validator=_positive)
    backoff_max: float = attrs.field(default=30.0, validator=_positive)
    retry_after_max: float = attrs.field(default=300.0, validator=_non_negative)
    rate_limit: float | None = attrs.field(default=None, validator=_optional_positive)
    burst: int = attrs.field(default=1, validator=_at_least_one)
    cache_path: str | None = attrs.field(default=None, converter=_expand_path)
    cache_settle: float = attrs.field(default=86400.0, validator=_non_negative)
    token_env: str | None = attrs.field(default=None, validator=_env_name)
    auth_header: str = "Authorization"
    auth_scheme: str = "Bearer"
    auth_param: str | None = None
    user_agent: str = DEFAULT_USER_AGENT
    proxy: str | None = None

    @classmethod
    def option_names(cls) -> tuple[str, ...]:
        """The option names a provider's config block may set."""
        return tuple(field.name for field in attrs.fields(cls))

    @classmethod
    def from_options(
        cls,
        options: Mapping[str, Any],
        *,
        defaults: Mapping[str, Any] | None = None,
        source: str = "",
    ) -> HttpSettings:
        """Settings from a provider's config block, over the provider's ``defaults``.

        Raises
        ------
        ConfigError
            An unknown option or an invalid value; the key path is
            ``sentiment.sources_config.<source>.<option>``.
        """
        prefix = f"sentiment.sources_config.{source}." if source else ""
        known = cls.option_names()
        for key in options:
            if key not in known:
                raise ConfigError(
                    f"unknown option; the HTTP options are {', '.join(known)}",
                    key_path=f"{prefix}{key}",
                )
        merged = {**(defaults or {}), **options}
        try:
            return cls(**merged)
        except (TypeError, ValueError) as error:
            key = _offending_key(str(error), merged)
            raise ConfigError(str(error), key_path=f"{prefix}{key}") from None

    def evolve(self, **changes: Any) -> HttpSettings:
        """A copy with ``changes`` applied (validated)."""
        return attrs.evolve(self, **changes)


def _offending_key(message: str, options: Mapping[str, Any]) -> str:
    return next((key for key in options if message.startswith(key)), "")
