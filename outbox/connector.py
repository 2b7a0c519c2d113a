"""A thin client for the Bot Connector REST API (what Teams serves at the activity's serviceUrl).

botbuilder rebuilds an msrest ConnectorClient (and its retry policy) for every turn; this client
keeps one aiohttp session and one token for the life of the service, and handles Teams'
throttling the documented way: 429 honours Retry-After, 412/502/503/504 are retried with
jittered backoff, 400/401/403/404/413 are never retried.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol
from urllib.parse import quote

import aiohttp

from journey import outbound

RETRYABLE = frozenset({412, 429, 502, 503, 504})
BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"


class ConnectorError(Exception):
    """The connector refused or failed a request."""

    def __init__(self, status: int, message: str = "", retry_after: str | None = None) -> None:
        super().__init__(f"Bot Connector answered {status}{': ' + message if message else ''}")
        self.status = status
        # The Retry-After header as sent (seconds), for callers that retry on their own.
        self.retry_after = retry_after


class RecipientBlocked(ConnectorError):
    """403: the user blocked or uninstalled the bot. Record it; do not retry."""


class ConversationGone(ConnectorError):
    """404: the conversation does not exist (any more). Record it; do not retry."""


class TokenUnavailable(Exception):
    """The bot's bearer token could not be had (Entra ID or the managed identity endpoint
    unreachable, or too slow): no request went out, so trying again later is safe."""


class TokenProvider(Protocol):
    async def token(self) -> str | None:
        """A bearer token for the Bot Connector, or None when authentication is off."""
        ...

    async def close(self) -> None:
        """Release what the provider holds."""
        ...


class NoToken:
    """Local mode: the emulator's connector needs no token."""

    async def token(self) -> str | None:
        """No token: the local connector does not ask for one."""
        return None

    async def close(self) -> None:
        """Nothing to release."""


class CredentialTokenProvider:
    """A Bot Connector token from an azure-identity async credential, cached until near expiry."""

    def __init__(self, credential: Any, scope: str = BOT_FRAMEWORK_SCOPE) -> None:
        self._credential = credential
        self._scope = scope
        self._token: str | None = None
        self._expires_on = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str | None:
        """The cached token, fetched again five minutes before it expires."""
        async with self._lock:
            if self._token is None or time.time() > self._expires_on - 300:
                access = await self._credential.get_token(self._scope)
                self._token, self._expires_on = access.token, float(access.expires_on)
            return self._token

    async def close(self) -> None:
        """Release the credential's HTTP resources."""
        await self._credential.close()


class RetryPolicy:
    """How often and how long to wait between attempts."""

    def __init__(
        self,
        attempts: int = 5,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.sleep = sleep

    def delay(self, attempt: int, retry_after: str | None) -> float:
        """Seconds to wait before attempt `attempt + 1`."""
        if retry_after:
            try:
                return min(max(float(retry_after), 0.0), self.max_delay)
            except ValueError:
                pass
        backoff = min(self.base_delay * 2**attempt, self.max_delay)
        return random.uniform(backoff / 2, backoff)


class ConnectorClient:
    """Sends, updates and deletes activities and opens conversations on a Bot Connector."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        tokens: TokenProvider,
        retry: RetryPolicy | None = None,
        timeout_seconds: float = 15.0,
    ) -> None:
        self._session = session
        self._tokens = tokens
        self._retry = retry or RetryPolicy()
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._timeout_seconds = timeout_seconds

    async def ready(self) -> None:
        """Have the bearer token at hand (fetched or refreshed now if need be), so that a
        request made soon after needs no trip to Entra ID; TokenUnavailable if it cannot be had.
        """
        await self._bearer()

    async def _bearer(self) -> str | None:
        # First in every call (`_request`, `ready`): a turn's held write is committed before
        # the token or the request may wait on the network (journey.outbound).
        await outbound.before_call()
        try:
            return await asyncio.wait_for(self._tokens.token(), self._timeout_seconds)
        except Exception as exc:
            # Never the exception's text: it may quote the identity endpoint's answer.
            raise TokenUnavailable(f"no bearer token ({type(exc).__name__})") from exc

    async def send_to_conversation(
        self, service_url: str, conversation_id: str, activity: dict[str, Any]
    ) -> str | None:
        """Post an activity; returns its id."""
        path = f"v3/conversations/{quote(conversation_id, safe='')}/activities"
        body = await self._request("POST", service_url, path, activity)
        return (body or {}).get("id")

    async def reply_to_activity(
        self, service_url: str, conversation_id: str, reply_to_id: str, activity: dict[str, Any]
    ) -> str | None:
        """Post an activity as a reply; returns its id."""
        path = _activity_path(conversation_id, reply_to_id)
        body = await self._request("POST", service_url, path, activity)
        return (body or {}).get("id")

    async def update_activity(
        self, service_url: str, conversation_id: str, activity_id: str, activity: dict[str, Any]
    ) -> None:
        """Replace an activity the bot sent earlier (a card updated in place)."""
        path = _activity_path(conversation_id, activity_id)
        await self._request("PUT", service_url, path, activity)

    async def delete_activity(
        self, service_url: str, conversation_id: str, activity_id: str
    ) -> None:
        """Delete an activity the bot sent earlier."""
        path = _activity_path(conversation_id, activity_id)
        await self._request("DELETE", service_url, path, None)

    async def create_conversation(
        self, service_url: str, parameters: dict[str, Any]
    ) -> dict[str, Any]:
        """Open (or find) a conversation, e.g. the 1:1 chat with a user; returns the resource."""
        return await self._request("POST", service_url, "v3/conversations", parameters) or {}

    async def get_member(
        self, service_url: str, conversation_id: str, member_id: str
    ) -> dict[str, Any]:
        """A member's account, with userPrincipalName and aadObjectId on Teams."""
        path = (
            f"v3/conversations/{quote(conversation_id, safe='')}"
            f"/members/{quote(member_id, safe='')}"
        )
        return await self._request("GET", service_url, path, None) or {}

    async def _request(
        self, method: str, service_url: str, path: str, body: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        url = f"{service_url.rstrip('/')}/{path}"
        headers = {"Content-Type": "application/json; charset=utf-8"}
        token = await self._bearer()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        for attempt in range(self._retry.attempts):
            try:
                async with self._session.request(
                    method, url, json=body, headers=headers, timeout=self._timeout
                ) as response:
                    if response.status < 300:
                        if response.content_length == 0 or response.status == 204:
                            return None
                        return await response.json(content_type=None)
                    status, retry_after = response.status, response.headers.get("Retry-After")
                    reason = response.reason or ""
            except aiohttp.ClientConnectorError:
                # The connection was never made, so nothing was delivered: safe to retry. A timeout
                # or a dropped connection after sending may have delivered; the caller decides.
                if attempt + 1 == self._retry.attempts:
                    raise
                await self._retry.sleep(self._retry.delay(attempt, None))
                continue
            if status not in RETRYABLE or attempt + 1 == self._retry.attempts:
                raise _error_for(status, reason, retry_after)
            await self._retry.sleep(self._retry.delay(attempt, retry_after))
        raise AssertionError("unreachable")  # pragma: no cover


def _activity_path(conversation_id: str, activity_id: str) -> str:
    return (
        f"v3/conversations/{quote(conversation_id, safe='')}"
        f"/activities/{quote(activity_id, safe='')}"
    )


def _error_for(status: int, reason: str, retry_after: str | None = None) -> ConnectorError:
    if status == 403:
        return RecipientBlocked(status, reason)
    if status == 404:
        return ConversationGone(status, reason)
    return ConnectorError(status, reason, retry_after)


def delivery_connector(
    session: aiohttp.ClientSession, tokens: TokenProvider, timeout_seconds: float = 15.0
) -> ConnectorClient:
    """A ConnectorClient that tries once: the delivery worker retries through the queue instead."""
    return ConnectorClient(
        session, tokens, RetryPolicy(attempts=1), timeout_seconds=timeout_seconds
    )
