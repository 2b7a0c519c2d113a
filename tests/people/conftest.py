"""The Graph stand-in on loopback, a counting credential and a client pointed at the stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from people.graph_client import GraphClient
from tests.people.graph_standin import GraphStandIn, serving
from tests.people.helpers import FAST_RETRY, CountingCredential


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
