"""A counting credential and a fast retry policy for the Graph client tests, and leave dates
read through a real client from the Graph stand-in."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from azure.core.credentials import AccessToken

from people.graph_client import GraphClient, RetryPolicy
from people.graph_leave_dates import GraphLeaveDates
from tests.people.graph_standin import GraphStandIn, serving


class CountingCredential:
    """Behaves like an azure-identity async credential and counts the tokens it hands out."""

    def __init__(self, token: str, lifetime_seconds: int = 3600) -> None:
        self.token = token
        self.lifetime_seconds = lifetime_seconds
        self.calls: list[tuple[str, ...]] = []

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.calls.append(scopes)
        return AccessToken(self.token, int(time.time()) + self.lifetime_seconds)

    async def close(self) -> None:
        pass


# Small waits so the retry tests run in well under a second each (Retry-After is honoured
# as sent, up to the cap).
FAST_RETRY = RetryPolicy(
    max_attempts=3,
    backoff_base_seconds=0.01,
    backoff_max_seconds=0.05,
    max_retry_after_seconds=5.0,
    timeout_seconds=5.0,
)


@asynccontextmanager
async def leave_dates_on(
    standin: GraphStandIn, *, retry: RetryPolicy = FAST_RETRY
) -> AsyncIterator[GraphLeaveDates]:
    """GraphLeaveDates through a real GraphClient to `standin`, served on loopback."""
    async with (
        serving(standin) as url,
        GraphClient(CountingCredential(standin.token), base_url=url, retry=retry) as client,
    ):
        yield GraphLeaveDates(client)
