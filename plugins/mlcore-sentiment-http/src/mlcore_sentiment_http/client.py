"""The HTTP client every sentiment provider uses: one per source."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Final

import attrs
import httpx
import tenacity
from mlcore.errors import SentimentAuthError, SentimentSourceError

from mlcore_sentiment_http.cache import ResponseCache, cache_key
from mlcore_sentiment_http.clock import Clock, SystemClock
from mlcore_sentiment_http.ratelimit import TokenBucket
from mlcore_sentiment_http.response import ProviderResponse
from mlcore_sentiment_http.retry import (
    RETRY_STATUSES,
    BackoffWait,
    RetryableStatus,
    RetryAfterPolicy,
    retry_after_header,
)
from mlcore_sentiment_http.settings import HttpSettings

__all__ = ["ProviderClient"]

logger = logging.getLogger("mlcore_sentiment_http")

MAX_REDIRECTS: Final = 5
_TRANSIENT_ERRORS: Final = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
_REDACTED: Final = "***"

Params = Mapping[str, str | int | float | None]


class ProviderClient:
    """GET requests to one provider, with retries, rate limit, cache and the token.

    ``source`` names the provider in errors and logs. ``clock`` provides time and sleep
    (inject :class:`~mlcore_sentiment_http.testing.FakeClock` in tests); ``transport`` an
    httpx transport in place of the network (``settings.proxy`` then does not apply).
    ``retry_after`` reads how long a 429 or 5xx response asks to wait (by default its
    ``Retry-After`` header; see :mod:`mlcore_sentiment_http.retry` for the others).
    The token is sent only to the host of ``settings.base_url``, so absolute URLs
    elsewhere (an RSS feed, a redirect) never receive it.

    Errors: :class:`~mlcore.errors.SentimentAuthError` for 401/403 (never retried) or a
    missing token variable; :class:`~mlcore.errors.SentimentSourceError` for every other
    failure, naming the URL path. Neither contains the token.
    """

    def __init__(
        self,
        source: str,
        settings: HttpSettings,
        *,
        clock: Clock | None = None,
        transport: httpx.BaseTransport | None = None,
        retry_after: RetryAfterPolicy = retry_after_header,
    ) -> None:
        self.source = source
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.requests_sent = 0
        self._limiter = (
            TokenBucket(settings.rate_limit, settings.burst, clock=self.clock)
            if settings.rate_limit is not None
            else None
        )
        self._cache = ResponseCache(settings.cache_path) if settings.cache_path else None
        self._token_origin = _origin(httpx.URL(settings.base_url)) if settings.base_url else None
        inner = transport or httpx.HTTPTransport(proxy=settings.proxy)
        # The token is added by the transport, on a copy of the request: the request httpx
        # keeps, logs ("HTTP Request: GET <url>") and attaches to errors never holds it.
        # trust_env=False: environment proxies would bypass this transport (use `proxy`).
        self._http = httpx.Client(
            base_url=settings.base_url,
            timeout=settings.timeout,
            headers={"User-Agent": settings.user_agent},
            transport=_TokenTransport(inner, self._authorize),
            follow_redirects=False,
            trust_env=False,
        )
        self._wait = BackoffWait(
            settings.backoff_initial, settings.backoff_max, settings.retry_after_max
        )
        self._retry_after = retry_after

    # ------------------------------------------------------------------ public

    def get_json(
        self, url: str, params: Params | None = None, *, complete_before: datetime | None = None
    ) -> Any:
        """The parsed JSON body of ``GET url``; see :meth:`get`."""
        return self.get(url, params, complete_before=complete_before).data

    def get_text(
        self, url: str, params: Params | None = None, *, complete_before: datetime | None = None
    ) -> str:
        """The body of ``GET url`` as text, decoded with the ``Content-Type`` charset (UTF-8
        when none is given); see :meth:`get`."""
        return self.get(url, params, complete_before=complete_before, expect_json=False).text

    def get(
        self,
        url: str,
        params: Params | None = None,
        *,
        complete_before: datetime | None = None,
        expect_json: bool = True,
    ) -> ProviderResponse:
        """``GET url`` (relative to ``base_url``, or absolute) with query ``params``.

        ``complete_before`` is the end of the time window the request covers: when it lies
        at least ``settings.cache_settle`` seconds in the past the response is read from,
        or stored in, the cache; otherwise (and when it is None) it is always fetched.
        With ``expect_json`` the body must be JSON (parsed into ``data``); a malformed
        body is an error and is not cached.
        """
        request_url = self._request_url(url, params)

        def fetch() -> ProviderResponse:
            return self._decode(_received(self._send_with_retries(request_url)), expect_json)

        response = self.cached(url, params, complete_before=complete_before, produce=fetch)
        return self._decode(response, expect_json) if response.from_cache else response

    def cached(
        self,
        url: str,
        params: Params | None,
        *,
        complete_before: datetime | None,
        produce: Callable[[], ProviderResponse],
    ) -> ProviderResponse:
        """The response ``produce()`` makes, cached under ``GET url`` with ``params`` on
        the terms of :meth:`get` (only once ``complete_before`` has settled).

        For an answer that takes more than one request, such as a chart whose download
        needs a token that a first request hands out: the token is new in every session,
        so the answer is keyed by a request that repeats from run to run instead (the
        chart's path with the first request's query). Nothing is stored when ``produce``
        raises.
        """
        request_url = self._request_url(url, params)
        key = cache_key("GET", request_url, exclude=self._secret_params())
        cache = self._cache if self._settled(complete_before) else None
        if cache is not None and (cached := cache.get(key)) is not None:
            logger.debug("%s: GET %s from cache", self.source, request_url.path)
            return cached
        response = produce()
        if cache is not None:
            cache.put(key, response, stored_at=self.clock.now())
        return response

    def close(self) -> None:
        """Close the connection pool and the cache file."""
        self._http.close()
        if self._cache is not None:
            self._cache.close()

    def __enter__(self) -> ProviderClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"ProviderClient(source={self.source!r}, base_url={self.settings.base_url!r}, "
            f"cache_path={self.settings.cache_path!r})"
        )

    # ------------------------------------------------------------------ sending

    def _send_with_retries(self, url: httpx.URL) -> httpx.Response:
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.settings.max_retries + 1),
            wait=self._wait,
            retry=tenacity.retry_if_exception_type((RetryableStatus, *_TRANSIENT_ERRORS)),
            sleep=self.clock.sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        attempts = self.settings.max_retries + 1
        try:
            return retrying(self._attempt, url)
        except RetryableStatus as error:
            raise self._error(
                f"GET {url.path} answered HTTP {error.status} {attempts} times in a row; "
                "the provider is failing or rate limiting: try later, lower rate_limit or "
                "raise max_retries"
            ) from None
        except _TRANSIENT_ERRORS as error:
            raise self._error(
                f"GET {url.path} failed {attempts} times in a row ({type(error).__name__}: "
                f"{error}); check base_url and the network, or raise timeout/max_retries"
            ) from None

    def _attempt(self, url: httpx.URL) -> httpx.Response:
        if self._limiter is not None:
            self._limiter.acquire()
        response = self._send_following_redirects(url)
        status = response.status_code
        if status in (401, 403):
            raise SentimentAuthError(
                self.source,
                self._redact(
                    f"GET {response.request.url.path} was refused with HTTP {status}: "
                    f"{_snippet(response.text)}; {self._auth_fix()}"
                ),
            )
        if status in RETRY_STATUSES:
            raise RetryableStatus(status, self._retry_after(response, self.clock.now()))
        if not response.is_success:
            raise self._error(
                f"GET {response.request.url.path} answered HTTP {status}: "
                f"{_snippet(response.text)}; check the request options (symbol, dates, "
                "base_url)"
            )
        return response

    def _send_following_redirects(self, url: httpx.URL) -> httpx.Response:
        for _ in range(MAX_REDIRECTS + 1):
            request = self._http.build_request("GET", url)
            self.requests_sent += 1
            logger.debug("%s: GET %s", self.source, url.path)
            response = self._http.send(request)
            response.read()
            if not response.is_redirect:
                return response
            url = url.join(response.headers["location"])
        raise self._error(f"GET {url.path}: more than {MAX_REDIRECTS} redirects")

    def _authorize(self, request: httpx.Request) -> httpx.Request:
        """A copy of ``request`` carrying the token, if it goes to the provider's own host."""
        if self.settings.token_env is None or _origin(request.url) != self._token_origin:
            return request
        token = self._token()
        url, headers = request.url, request.headers.copy()
        if self.settings.auth_param:
            url = url.copy_set_param(self.settings.auth_param, token)
        else:
            scheme = self.settings.auth_scheme
            headers[self.settings.auth_header] = f"{scheme} {token}" if scheme else token
        return httpx.Request(
            request.method,
            url,
            headers=headers,
            stream=request.stream,
            extensions=request.extensions,
        )

    def _token(self) -> str:
        name = self.settings.token_env
        token = os.environ.get(name, "") if name else ""
        if not token.strip():
            raise SentimentAuthError(
                self.source,
                f"the environment variable {name} is empty or not set; export it with your "
                f"{self.source} API token (set token_env to read another variable)",
            )
        return token.strip()

    # ------------------------------------------------------------------ helpers

    def _request_url(self, url: str, params: Params | None) -> httpx.URL:
        return self._http.build_request("GET", url, params=_clean(params)).url

    def _decode(self, response: ProviderResponse, expect_json: bool) -> ProviderResponse:
        if not expect_json:
            return response
        try:
            data = json.loads(response.text)
        except json.JSONDecodeError as error:
            raise self._error(
                f"GET {response.path} returned malformed JSON ({error.msg} at line "
                f"{error.lineno} column {error.colno}): {_snippet(response.text)}; the "
                "provider may be failing, or base_url may point at another service"
            ) from None
        return attrs.evolve(response, data=data)

    def _settled(self, complete_before: datetime | None) -> bool:
        if complete_before is None:
            return False
        end = complete_before if complete_before.tzinfo else complete_before.replace(tzinfo=UTC)
        return end.timestamp() <= self.clock.now() - self.settings.cache_settle

    def _secret_params(self) -> frozenset[str]:
        return frozenset({self.settings.auth_param}) if self.settings.auth_param else frozenset()

    def _log_retry(self, retry_state: tenacity.RetryCallState) -> None:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        what = str(error) if isinstance(error, RetryableStatus) else type(error).__name__
        wait = retry_state.next_action.sleep if retry_state.next_action else 0.0
        logger.warning(
            "%s: attempt %d of %d failed (%s); retrying in %.1f s",
            self.source,
            retry_state.attempt_number,
            self.settings.max_retries + 1,
            what,
            wait,
        )

    def _auth_fix(self) -> str:
        if self.settings.token_env is None:
            # No token was sent, so the refusal is about this client, not a credential.
            return (
                f"{self.source} refused access to a client without a token, as it does when "
                "it blocks or rate limits a client (too many requests, or an address it "
                "distrusts); wait before trying again, lower rate_limit, or send the "
                "requests from another network with proxy"
            )
        return (
            f"check the token in ${self.settings.token_env} and that your subscription "
            "includes this endpoint"
        )

    def _error(self, message: str) -> SentimentSourceError:
        return SentimentSourceError(self.source, self._redact(message))

    def _redact(self, text: str) -> str:
        name = self.settings.token_env
        token = os.environ.get(name, "").strip() if name else ""
        return text.replace(token, _REDACTED) if token else text


class _TokenTransport(httpx.BaseTransport):
    def __init__(
        self, inner: httpx.BaseTransport, authorize: Callable[[httpx.Request], httpx.Request]
    ) -> None:
        self._inner = inner
        self._authorize = authorize

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._inner.handle_request(self._authorize(request))

    def close(self) -> None:
        self._inner.close()


def _received(response: httpx.Response) -> ProviderResponse:
    return ProviderResponse(
        path=response.request.url.path,
        status=response.status_code,
        headers={name.lower(): value for name, value in response.headers.items()},
        content=response.content,
    )


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)


def _clean(params: Params | None) -> dict[str, str] | None:
    if params is None:
        return None
    return {key: str(value) for key, value in params.items() if value is not None}


def _snippet(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[:limit] + "...")
