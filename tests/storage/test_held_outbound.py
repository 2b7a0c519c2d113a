"""No write lock across a call to the world (issue 13), on SQLite and PostgreSQL: while a click
holds its departure save for the turn's end (storage/unit_of_work.py), a call to the Bot
Connector or to Microsoft Graph, and the token each asks for first, commits it before it goes
(journey.outbound): the stand-ins below, served over loopback, check on a connection of their
own that the departure can be written at once while they are called."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import text, update

from journey import outbound
from journey.clock import FixedClock
from journey.kernel import Kernel
from outbox.connector import ConnectorClient, NoToken
from people.graph_client import GraphClient
from storage.audit import SqlAuditLog
from storage.database import Database
from storage.departures import SqlDepartureRepository
from storage.tables import departures
from tests.storage.samples import departure

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


class Checker:
    """Writes the departure on a connection of its own, refusing to wait for any lock."""

    def __init__(self, db: Database, departure_id: str) -> None:
        self._db = Database(db.url)
        self._departure_id = departure_id
        self.outcomes: list[bool] = []

    async def check(self) -> None:
        wait_not = (
            "PRAGMA busy_timeout = 0"
            if self._db.dialect == "sqlite"
            else "SET lock_timeout = '100ms'"
        )
        try:
            async with self._db.engine.begin() as connection:
                await connection.execute(text(wait_not))
                statement = update(departures).where(departures.c.id == self._departure_id)
                await connection.execute(statement, {"external_id": "written-meanwhile"})
            self.outcomes.append(True)
        except Exception:  # locked: the click's write was still held
            self.outcomes.append(False)

    async def close(self) -> None:
        await self._db.close()


@dataclass
class Token:
    token: str
    expires_on: int


class Credential:
    """A Graph credential whose token fetch is itself a call out: checked like one."""

    def __init__(self, checker: Checker) -> None:
        self._checker = checker

    async def get_token(self, *scopes: str, **kwargs: Any) -> Token:
        await self._checker.check()
        return Token("token", 4_102_444_800)


@pytest.fixture
async def world(db: Database) -> AsyncIterator[tuple[str, Checker, str]]:
    """The stand-ins' base URL, the checker and the departure the click saves."""
    stored = await SqlDepartureRepository(db, FixedClock(NOW)).add(departure())
    checker = Checker(db, stored.id)

    async def answer(request: web.Request) -> web.Response:
        await checker.check()
        return web.json_response({"id": "1", "value": []})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", checker, stored.id
    finally:
        await runner.cleanup()
        await checker.close()


async def _held_click(db: Database, departure_id: str) -> None:
    """A click's save, held for the turn's end."""
    repository = SqlDepartureRepository(db, FixedClock(NOW))
    kernel = Kernel(repository, SqlAuditLog(db), FixedClock(NOW))
    await kernel.update(departure_id, lambda d: d.model_copy(update={"locale": "da"}))


async def _both_written(db: Database, checker: Checker, departure_id: str, *, calls: int) -> None:
    """Each call found the departure free to write, and the click's save and the stand-in's
    write are both stored."""
    assert checker.outcomes == [True] * calls
    saved = await SqlDepartureRepository(db).get(departure_id)
    assert (saved.locale, saved.external_id) == ("da", "written-meanwhile")


async def test_a_card_updated_in_place_does_not_keep_the_lock(
    db: Database, world: tuple[str, Checker, str]
) -> None:
    url, checker, departure_id = world
    async with aiohttp.ClientSession() as session, db.unit_of_work() as unit:
        await _held_click(db, departure_id)
        assert unit.held
        connector = ConnectorClient(session, NoToken())
        await connector.update_activity(url, "a:conversation", "1", {"type": "message"})
        assert not unit.held
    await _both_written(db, checker, departure_id, calls=1)


async def test_a_graph_call_and_its_token_do_not_keep_the_lock(
    db: Database, world: tuple[str, Checker, str]
) -> None:
    url, checker, departure_id = world
    async with aiohttp.ClientSession() as session, db.unit_of_work() as unit:
        await _held_click(db, departure_id)
        graph = GraphClient(Credential(checker), base_url=url, session=session)
        response = await graph.request("GET", "/users/someone")
        assert response.status == 200
        assert not unit.held
    await _both_written(db, checker, departure_id, calls=2)  # the token, then the request


async def test_without_the_hook_the_checker_sees_the_lock(
    db: Database, world: tuple[str, Checker, str]
) -> None:
    """The stand-in's check can fail: a write held across its call is seen."""
    _url, checker, departure_id = world
    async with db.unit_of_work() as unit:
        await _held_click(db, departure_id)
        assert unit.held
        # No outbound client, and outside the turn's context: nothing is committed first.
        await asyncio.create_task(checker.check(), context=contextvars.Context())
    assert checker.outcomes == [False]
    assert (await SqlDepartureRepository(db).get(departure_id)).locale == "da"


async def test_a_card_update_goes_after_the_turns_end(
    db: Database, world: tuple[str, Checker, str]
) -> None:
    """A card updated in place (outbox/notifier.py update_card) waits for the turn's end: the
    click's writes stay one transaction, and the update finds them committed."""
    url, checker, departure_id = world
    async with aiohttp.ClientSession() as session:
        connector = ConnectorClient(session, NoToken())

        async def update() -> None:
            await connector.update_activity(url, "a:conversation", "1", {"type": "message"})

        async with db.unit_of_work() as unit:
            await _held_click(db, departure_id)
            await outbound.after_turn(update)
            assert unit.held  # still one transaction with the turn's end
            assert checker.outcomes == []  # not yet sent
        assert checker.outcomes == [True]  # sent once, after the end was committed


async def test_a_card_update_of_a_turn_whose_end_failed_is_not_sent(
    db: Database, world: tuple[str, Checker, str]
) -> None:
    _url, checker, departure_id = world

    async def update() -> None:
        await checker.check()

    with pytest.raises(RuntimeError):
        async with db.unit_of_work():
            await _held_click(db, departure_id)
            await outbound.after_turn(update)
            raise RuntimeError("the turn failed")
    assert checker.outcomes == []
    assert (await SqlDepartureRepository(db).get(departure_id)).locale != "da"
