"""A thin Microsoft Graph client on aiohttp: app token, retries on throttling, nothing else."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote

import aiohttp
from azure.core.exceptions import AzureError
from yarl import URL

from journey import outbound
from journey.people import DirectoryUnavailable

log = logging.getLogger(__name__)

GRAPH_BASE_URL = "https://graph.microsoft.com/v1.0"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"

# Statuses worth another try: throttling and the server's own trouble. 400/401/403/404/409
# describe the request or the person and would answer the same again.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

# What may stand unescaped in a link Graph gave: RFC 3986's reserved and unreserved
# characters, and `%` of the escapes it already holds.
_URL_CHARACTERS = ":/?#[]@!$&'()*+,;=%~-._"


class AccessTokenLike(Protocol):
    token: str
    expires_on: int


class TokenCredential(Protocol):
    """What azure-identity's async credentials offer (ManagedIdentity-, ClientSecret-, ...)."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessTokenLike: ...


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts in all, backoff for 5xx/timeouts, cap on Retry-After."""

    max_attempts: int = 5
    backoff_base_seconds: float = 0.5
    backoff_max_seconds: float = 30.0
    max_retry_after_seconds: float = 60.0
    timeout_seconds: float = 30.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait before try `attempt + 1`: exponential with jitter (half fixed)."""
        ceiling = min(self.backoff_max_seconds, self.backoff_base_seconds * 2 ** (attempt - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


@dataclass(frozen=True)
class GraphResponse:
    """A final answer from Graph: the status and the decoded JSON body (None when empty)."""

    status: int
    body: Any
    headers: Mapping[str, str]

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def error_code(self) -> str | None:
        """Graph's `error.code`, e.g. `Request_ResourceNotFound`."""
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            code = self.body["error"].get("code")
            return code if isinstance(code, str) else None
        return None

    def unexpected(self, what: str) -> DirectoryUnavailable:
        """The error to raise when this answer is not one the caller can use."""
        code = f" ({self.error_code})" if self.error_code else ""
        return DirectoryUnavailable(f"{what}: Microsoft Graph answered {self.status}{code}")


def user_path(user: str) -> str:
    """`/users/{id or upn}` with the key escaped (guest UPNs hold `#`)."""
    return f"/users/{quote(user.strip(), safe='@')}"


def segment(value: str) -> str:
    """One escaped path segment (installation ids are base64 and may hold `/`)."""
    return quote(value, safe="")


def odata_literal(value: str) -> str:
    """A string literal for a `$filter`: quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


class GraphClient:
    """One aiohttp session and one cached app token for all Graph calls."""

    def __init__(
        self,
        credential: TokenCredential,
        *,
        base_url: str = GRAPH_BASE_URL,
        scope: str = GRAPH_SCOPE,
        retry: RetryPolicy | None = None,
        session: aiohttp.ClientSession | None = None,
        token_refresh_margin_seconds: float = 300.0,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self._credential = credential
        self.base_url = base_url.rstrip("/")
        self._scope = scope
        self._retry = retry or RetryPolicy()
        self._session = session
        self._owns_session = session is None
        self._margin = token_refresh_margin_seconds
        self._clock = clock
        self._rng = rng or random.Random()
        self._token: str | None = None
        self._token_expires_on = 0.0
        self._token_lock = asyncio.Lock()

    async def __aenter__(self) -> GraphClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session if this client opened it; the credential stays with its owner."""
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> GraphResponse:
        """Send a request, retrying throttling and server errors; return the final answer.

        `headers` are sent besides the client's own (e.g. `ConsistencyLevel: eventual`).
        Raises DirectoryUnavailable when Graph stays unreachable, keeps throttling, or keeps
        failing after the last attempt. Any other answer (2xx or 4xx) is returned.
        """
        return await self._exchange(method, self._url(path, params), json, headers)

    async def follow(self, link: str, *, headers: Mapping[str, str] | None = None) -> GraphResponse:
        """GET an absolute link Graph gave (`@odata.nextLink`, `@odata.deltaLink`), with the
        same retries as `request`.

        The link must lie under this client's base_url (same scheme, host, port and version
        path): the bearer token is never sent anywhere else. Any other link raises
        DirectoryUnavailable without a request.
        """
        return await self._exchange("GET", self._own_link(link), None, headers)

    def _own_link(self, link: str) -> URL:
        # Graph's links are percent-encoded already; quote only what may not stand in a URL
        # (a space, non-ASCII) and keep every existing escape as it is.
        url = URL(quote(link.strip(), safe=_URL_CHARACTERS), encoded=True)
        base = URL(self.base_url, encoded=True)
        under_base = url.raw_path == base.raw_path or url.raw_path.startswith(
            base.raw_path.rstrip("/") + "/"
        )
        if (
            not url.is_absolute()
            or url.scheme != base.scheme
            or (url.host or "").lower() != (base.host or "").lower()
            or url.port != base.port
            or url.user is not None
            or not under_base
            or "/../" in url.raw_path + "/"
        ):
            raise DirectoryUnavailable(
                "Microsoft Graph gave a link outside its own address; not followed"
            )
        return url

    async def _exchange(
        self, method: str, url: URL, json: Any, headers: Mapping[str, str] | None
    ) -> GraphResponse:
        # Every Graph call, its token included: a turn's held write is committed first.
        await outbound.before_call()
        request_id = str(uuid.uuid4())
        attempts = self._retry.max_attempts
        for attempt in range(1, attempts + 1):
            try:
                response = await self._send(method, url, json, request_id, headers)
            except (TimeoutError, aiohttp.ClientError) as exc:
                if attempt == attempts:
                    raise DirectoryUnavailable(
                        f"Microsoft Graph unreachable after {attempts} attempts"
                    ) from exc
                delay, why = self._retry.backoff(attempt, self._rng), type(exc).__name__
                await self._pause(method, f"failed ({why})", attempt, delay, request_id)
                continue

            log.debug(
                "graph %s -> %d (attempt %d, request %s)",
                method,
                response.status,
                attempt,
                request_id,
            )
            if response.status == 401:
                # A revoked or rotated secret: fetch a new token next time, but do not loop.
                self._token = None
            if response.status not in RETRY_STATUSES:
                return response
            if attempt == attempts:
                raise response.unexpected(f"gave up after {attempts} attempts")
            delay = self._retry_after(response) or self._retry.backoff(attempt, self._rng)
            await self._pause(method, f"answered {response.status}", attempt, delay, request_id)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    async def _pause(method: str, why: str, attempt: int, delay: float, request_id: str) -> None:
        log.warning(
            "graph %s %s, retry %d in %.1fs, request %s", method, why, attempt, delay, request_id
        )
        await asyncio.sleep(delay)

    async def _send(
        self,
        method: str,
        url: URL,
        json: Any,
        request_id: str,
        extra: Mapping[str, str] | None = None,
    ) -> GraphResponse:
        headers = {
            **(extra or {}),
            "Authorization": f"Bearer {await self._bearer()}",
            "Accept": "application/json",
            "client-request-id": request_id,
        }
        timeout = aiohttp.ClientTimeout(total=self._retry.timeout_seconds)
        async with self._http().request(
            method, url, json=json, headers=headers, timeout=timeout
        ) as response:
            raw = await response.read()
            body: Any = None
            if raw and "json" in response.headers.get("Content-Type", ""):
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    body = None
            return GraphResponse(response.status, body, dict(response.headers))

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
            self._owns_session = True
        return self._session

    def _url(self, path: str, params: Mapping[str, str] | None) -> URL:
        url = self.base_url + path
        if params:
            # Built by hand: OData wants `$` kept and spaces as %20, not `+`.
            query = "&".join(
                f"{quote(key, safe='$')}={quote(value, safe=',/()$')}"
                for key, value in params.items()
            )
            url = f"{url}?{query}"
        return URL(url, encoded=True)

    async def _bearer(self) -> str:
        async with self._token_lock:
            if self._token is None or self._clock() >= self._token_expires_on - self._margin:
                try:
                    access = await self._credential.get_token(self._scope)
                except AzureError as exc:
                    # azure-identity retries on its own; what reaches here is configuration.
                    raise DirectoryUnavailable(
                        f"no token for Microsoft Graph ({type(exc).__name__})"
                    ) from exc
                self._token = access.token
                self._token_expires_on = float(access.expires_on)
            return self._token

    def _retry_after(self, response: GraphResponse) -> float | None:
        value = response.headers.get("Retry-After")
        if not value:
            return None
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            seconds = (when - datetime.now(UTC)).total_seconds()
        return min(max(seconds, 0.0), self._retry.max_retry_after_seconds)
