"""Whether the bot has its bearer token for Teams, asked for each claimed batch before its send
times are reserved and long before anything is marked sending.

Without the token (Entra ID or the managed identity endpoint unreachable) no request can go
out, so nothing was sent and the action simply waits in the queue. After a failure the gate
stays shut for a while, doubling (jittered) up to `token_retry_max`, so an outage costs one
attempt at the token per round rather than one per due action, and the worker claims nothing
meanwhile; the first token after the outage opens it again.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from typing import Protocol

from outbox.connector import TokenUnavailable
from outbox.policy import DeliveryPolicy

log = logging.getLogger(__name__)


class HasToken(Protocol):
    async def ready(self) -> None:
        """Have the bearer token at hand; TokenUnavailable if it cannot be had."""
        ...


class TokenGate:
    """One per worker; times are budget times (Unix seconds from `now`)."""

    def __init__(
        self, connector: HasToken, policy: DeliveryPolicy, now: Callable[[], float]
    ) -> None:
        self._connector = connector
        self._policy = policy
        self._now = now
        self._shut_until = 0.0
        self._failures = 0
        self._asking = asyncio.Lock()  # sends that ask at once learn from the first answer

    def shut_until(self) -> float | None:
        """Until when sends wait for the token, if they do now."""
        return self._shut_until if self._now() < self._shut_until else None

    async def open(self) -> float | None:
        """None when the token is at hand; else the time to try again."""
        async with self._asking:
            if (until := self.shut_until()) is not None:
                return until
            try:
                await self._connector.ready()
            except TokenUnavailable as exc:
                self._failures += 1
                policy = self._policy
                ceiling = min(
                    policy.token_retry_base * 2 ** (self._failures - 1), policy.token_retry_max
                )
                wait = random.uniform(ceiling / 2, ceiling)
                self._shut_until = self._now() + wait
                cause = type(exc.__cause__).__name__
                log.warning("no bearer token for Teams (%s); sends wait %.1f s", cause, wait)
                return self._shut_until
            if self._failures:
                log.info("the bearer token for Teams is back; sending again")
            self._failures = 0
            return None
