"""The Graph stand-in on loopback, a counting credential and a client pointed at the stand-in."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from azure.core.credentials import AccessToken

from people.graph_client import GraphClient, RetryPolicy
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


@pytest.fixture
def standin() -> GraphStandIn:
    graph = GraphStandIn()
    graph.add_user("hr@contoso.example", "Hanne Rasmussen", language="da-DK")
    graph.add_user("manager@contoso.example", "Mads Nielsen", language="da-DK")
    graph.add_user(
        "leaver@contoso.example",
        "Sofie Andersen",
        language="da-DK",
        manager="manager@contoso.example",
    )
    return graph


@pytest.fixture
async def graph_url(standin: GraphStandIn) -> AsyncIterator[str]:
    async with serving(standin) as url:
        yield url


@pytest.fixture
def credential(standin: GraphStandIn) -> CountingCredential:
    return CountingCredential(standin.token)


@pytest.fixture
async def client(graph_url: str, credential: CountingCredential) -> AsyncIterator[GraphClient]:
    async with GraphClient(credential, base_url=graph_url, retry=FAST_RETRY) as graph:
        yield graph
