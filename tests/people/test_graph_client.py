"""The Graph client's token cache, throttling and retry rules, against the loopback stand-in."""

from __future__ import annotations

import logging
import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
from azure.core.credentials import AccessToken
from azure.identity import CredentialUnavailableError

from journey.people import DirectoryUnavailable
from people.graph_calendar import GraphCalendar
from people.graph_client import GRAPH_SCOPE, GraphClient, RetryPolicy
from people.graph_directory import GraphDirectory
from tests.people.graph_standin import GraphStandIn
from tests.people.helpers import FAST_RETRY, CountingCredential


async def test_the_token_is_fetched_once_and_reused(
    client: GraphClient, standin: GraphStandIn, credential: CountingCredential
) -> None:
    directory = GraphDirectory(client)
    for _ in range(3):
        assert await directory.find_person("leaver@contoso.example") is not None
    assert credential.calls == [(GRAPH_SCOPE,)]
    assert {r.headers["Authorization"] for r in standin.requests} == {f"Bearer {standin.token}"}


async def test_a_token_close_to_expiry_is_renewed(graph_url: str, standin: GraphStandIn) -> None:
    credential = CountingCredential(standin.token, lifetime_seconds=3600)
    clock = [time.time()]
    async with GraphClient(
        credential, base_url=graph_url, retry=FAST_RETRY, clock=lambda: clock[0]
    ) as client:
        directory = GraphDirectory(client)
        await directory.find_person("leaver@contoso.example")
        clock[0] += 3000  # 10 minutes left: still outside the 5-minute margin
        await directory.find_person("leaver@contoso.example")
        assert len(credential.calls) == 1
        clock[0] += 400  # 200 s left
        await directory.find_person("leaver@contoso.example")
        assert len(credential.calls) == 2


async def test_a_rejected_token_is_not_retried_but_replaced_next_time(
    client: GraphClient, standin: GraphStandIn, credential: CountingCredential
) -> None:
    standin.answer_next(401)
    with pytest.raises(DirectoryUnavailable):
        await GraphDirectory(client).find_person("leaver@contoso.example")
    assert len(standin.requests) == 1
    assert await GraphDirectory(client).find_person("leaver@contoso.example") is not None
    assert len(credential.calls) == 2


async def test_a_credential_that_cannot_give_a_token_gives_directory_unavailable(
    graph_url: str, standin: GraphStandIn
) -> None:
    class NoIdentity:
        async def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
            raise CredentialUnavailableError("no managed identity endpoint")

    async with GraphClient(NoIdentity(), base_url=graph_url, retry=FAST_RETRY) as client:
        with pytest.raises(DirectoryUnavailable):
            await GraphDirectory(client).find_person("leaver@contoso.example")
    assert standin.requests == []


async def test_429_waits_as_long_as_retry_after_says(
    client: GraphClient, standin: GraphStandIn
) -> None:
    standin.answer_next(429, headers={"Retry-After": "1"})
    person = await GraphDirectory(client).find_person("leaver@contoso.example")
    assert person is not None
    first, second = standin.requests
    assert second.at - first.at >= 0.99
    assert second.headers["client-request-id"] == first.headers["client-request-id"]


async def test_retry_after_is_capped(graph_url: str, standin: GraphStandIn) -> None:
    policy = RetryPolicy(max_attempts=2, max_retry_after_seconds=0.2)
    async with GraphClient(
        CountingCredential(standin.token), base_url=graph_url, retry=policy
    ) as client:
        standin.answer_next(503, headers={"Retry-After": "120"})
        assert await GraphDirectory(client).find_person("leaver@contoso.example") is not None
    first, second = standin.requests
    assert 0.19 <= second.at - first.at < 2


async def test_server_errors_are_retried_with_backoff_then_succeed(
    client: GraphClient, standin: GraphStandIn
) -> None:
    standin.answer_next(503, times=1)
    standin.answer_next(502, times=1)
    assert await GraphDirectory(client).find_person("leaver@contoso.example") is not None
    assert len(standin.requests) == 3


async def test_a_server_that_keeps_failing_gives_directory_unavailable(
    client: GraphClient, standin: GraphStandIn
) -> None:
    standin.answer_next(500, times=10)
    with pytest.raises(DirectoryUnavailable):
        await GraphDirectory(client).manager_of("leaver@contoso.example")
    assert len(standin.requests) == FAST_RETRY.max_attempts


async def test_a_forbidden_answer_is_not_retried(
    client: GraphClient, standin: GraphStandIn
) -> None:
    standin.answer_next(403)
    with pytest.raises(DirectoryUnavailable):
        await GraphDirectory(client).find_person("leaver@contoso.example")
    assert len(standin.requests) == 1


async def test_a_slow_answer_times_out_and_is_retried(
    graph_url: str, standin: GraphStandIn
) -> None:
    policy = RetryPolicy(max_attempts=2, backoff_base_seconds=0.01, timeout_seconds=0.3)
    async with GraphClient(
        CountingCredential(standin.token), base_url=graph_url, retry=policy
    ) as client:
        standin.answer_next(200, delay_seconds=1.0)
        assert await GraphDirectory(client).find_person("leaver@contoso.example") is not None
    assert len(standin.requests) == 2


async def test_an_unreachable_graph_gives_directory_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on `port` now.
    async with GraphClient(
        CountingCredential("t"), base_url=f"http://127.0.0.1:{port}/v1.0", retry=FAST_RETRY
    ) as client:
        with pytest.raises(DirectoryUnavailable):
            await GraphDirectory(client).find_person("leaver@contoso.example")


async def test_logs_hold_neither_token_nor_meeting_text(
    client: GraphClient, standin: GraphStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    standin.answer_next(503, path_contains="/events")
    start = datetime(2026, 11, 3, 9, tzinfo=UTC)
    await GraphCalendar(client).create_meeting(
        "manager@contoso.example",
        ["leaver@contoso.example"],
        "Fortroligt emne",
        "<p>Hvorfor stopper du?</p>",
        start,
        start + timedelta(hours=1),
        "Europe/Copenhagen",
    )
    assert any(record.levelno == logging.WARNING for record in caplog.records)
    for secret in (standin.token, "Fortroligt", "Hvorfor stopper", "leaver@contoso.example"):
        assert secret not in caplog.text
