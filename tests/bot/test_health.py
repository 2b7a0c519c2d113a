"""Liveness and readiness (bot/health.py) on the real app: each readiness check that fails
makes /healthz/ready answer 503 naming it, while /healthz/live still answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot import health
from bot.typedefs import DATABASE
from storage.migrate import head_revision, upgrade
from testkit.pg_server import PostgresServer
from testkit.waiting import wait_until
from tests.bot.edge_app import DatabaseDoor
from tests.helpers.journey import LiveApp
from tests.helpers.live_service import live_service


async def _get(app: LiveApp, path: str) -> tuple[int, dict[str, Any]]:
    async with app.http.get(f"{app.url}{path}") as response:
        return response.status, await response.json()


async def _not_ready(app: LiveApp, check: str) -> dict[str, Any]:
    """Wait until readiness fails on `check`; its body."""
    seen: list[dict[str, Any]] = []

    async def failed() -> bool:
        status, body = await _get(app, health.READY_PATH)
        seen.append(body)
        return status == 503 and check in body["failed"]

    await wait_until(failed, what=f"/healthz/ready fails on {check}")
    return seen[-1]


async def test_a_healthy_service_is_live_and_ready(app: LiveApp) -> None:
    assert await _get(app, health.LIVE_PATH) == (200, {"status": "live"})
    status, body = await _get(app, health.READY_PATH)
    assert status == 200, body
    assert body["status"] == "ready" and body["failed"] == []
    assert body["checks"] == {"database": "ok", "schema": "ok", "delivery_worker": "ok"}
    # /healthz as before, for the probes and scripts that call it.
    status, body = await _get(app, "/healthz")
    assert (status, body["status"], body["database"]) == (200, "ok", "reachable")


async def test_a_schema_that_is_not_the_codes_makes_it_not_ready(app: LiveApp) -> None:
    async with app.app[DATABASE].engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    body = await _not_ready(app, "schema")
    assert body["failed"] == ["schema"]
    assert body["checks"]["schema"] == f"out of date: the code needs revision {head_revision()}"
    assert "sqlite" not in str(body)  # the probe is public: no database address
    assert (await _get(app, health.LIVE_PATH))[0] == 200


async def test_a_stopped_delivery_worker_makes_it_not_ready(app: LiveApp) -> None:
    await app.outbox.stop()
    body = await _not_ready(app, "delivery_worker")
    assert body["failed"] == ["delivery_worker"]
    assert body["checks"]["delivery_worker"] == "not running"


async def test_a_stuck_delivery_worker_makes_it_not_ready(
    app: LiveApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    released = asyncio.Event()

    async def hanging_claim(*_args: Any, **_kwargs: Any) -> list[Any]:
        await released.wait()  # a database call that does not come back
        return []

    monkeypatch.setattr(app.outbox.queue, "claim", hanging_claim)
    monkeypatch.setattr(health, "WORKER_STALE_SECONDS", 0.5)
    try:
        body = await _not_ready(app, "delivery_worker")
    finally:
        released.set()
    assert body["failed"] == ["delivery_worker"]
    assert body["checks"]["delivery_worker"].startswith("stuck: its loop last came round ")


@pytest.fixture
async def behind_door(
    postgres_server: PostgresServer,
) -> AsyncIterator[tuple[DatabaseDoor, LiveApp]]:
    """The service on PostgreSQL reached through a door the test can shut."""
    url = await postgres_server.create_database()
    await upgrade(url)
    door = DatabaseDoor(url)
    await door.open()
    try:
        async with live_service(door.url) as live:
            yield door, live
    finally:
        door.shut()


@pytest.mark.postgres
async def test_an_unreachable_database_makes_it_not_ready(
    behind_door: tuple[DatabaseDoor, LiveApp],
) -> None:
    door, app = behind_door
    assert (await _get(app, health.READY_PATH))[0] == 200
    door.shut()
    body = await _not_ready(app, "database")
    assert body["failed"] == ["database"]
    assert body["checks"]["database"] == "unreachable"
    assert body["checks"]["schema"] == health.NOT_CHECKED
    assert (await _get(app, health.LIVE_PATH))[0] == 200
    assert (await _get(app, "/healthz"))[0] == 503  # as before
    await door.open()  # the same port again: ready once the database is back
    await wait_until(
        lambda: _ready_again(app), what="/healthz/ready answers 200 again with the database back"
    )


async def _ready_again(app: LiveApp) -> bool:
    return (await _get(app, health.READY_PATH))[0] == 200


def test_the_probe_paths_are_the_ones_the_deployment_uses() -> None:
    bicep = (Path(__file__).resolve().parents[2] / "infra" / "azure.bicep").read_text()
    assert f"healthCheckPath: '{health.READY_PATH}'" in bicep
