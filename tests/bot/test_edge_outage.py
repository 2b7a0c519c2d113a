"""A database outage during a turn answers 503 (Teams retries) and loses nothing (issue 12):
the activity is not recorded as seen, so Teams' retry of it runs the turn, once."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from journey.clock import FixedClock
from storage import turns
from storage.database import Database
from storage.migrate import upgrade
from storage.outage import database_unavailable
from storage.turns import TurnInProgress, TurnStart
from testkit.pg_server import PostgresServer
from testkit.waiting import wait_until
from tests.bot.edge_app import DatabaseDoor
from tests.helpers.journey import LEAVER, LiveApp, cards_of
from tests.helpers.live_service import live_service


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


def _cards_titled(app: LiveApp, key: str) -> list[dict[str, Any]]:
    def first_text(card: dict[str, Any]) -> str | None:
        return next((b.get("text") for b in card["body"] if b.get("type") == "TextBlock"), None)

    return [c for a in app.sent_to(LEAVER) for c in cards_of(a) if first_text(c) == app.text(key)]


def _help_cards(app: LiveApp) -> list[dict[str, Any]]:
    return _cards_titled(app, "help.title")


def _welcomes(app: LiveApp) -> list[dict[str, Any]]:
    return _cards_titled(app, "welcome.title")


def _no_traceback_from_the_endpoint(caplog: pytest.LogCaptureFixture) -> None:
    # The delivery worker may complain about the outage in the background; the endpoint not.
    endpoint = [r for r in caplog.records if r.name.startswith(("aiohttp", "bot"))]
    assert not [r for r in endpoint if r.exc_info], [r.getMessage() for r in endpoint]
    assert "turn failed" not in caplog.text  # the error handler did not swallow it


async def _teams_retries(app: LiveApp, activity: dict[str, Any]) -> None:
    """Teams re-sends an activity answered 503 until it is answered 200."""
    answers: list[int] = []

    async def accepted() -> bool:
        answers.append((await app.post(activity)).status)
        assert answers[-1] in (200, 503), answers
        return answers[-1] == 200

    await wait_until(accepted, interval=0.5, what="the retry is accepted")


@pytest.mark.postgres
async def test_postgres_down_answers_503_and_teams_retry_is_handled_once(
    behind_door: tuple[DatabaseDoor, LiveApp], caplog: pytest.LogCaptureFixture
) -> None:
    door, app = behind_door
    caplog.set_level(logging.INFO)
    await app.say(LEAVER, "hello")  # welcomed; the bot knows the leaver
    before = len(app.sent_to(LEAVER))
    activity = app.activity(LEAVER, "message", locale="en-US", text="help")

    door.shut()
    response = await app.post(activity)
    assert response.status == 503
    assert int(response.headers["Retry-After"]) > 0
    assert len(app.sent_to(LEAVER)) == before

    await door.open()
    await _teams_retries(app, activity)
    [answer] = app.sent_to(LEAVER)[before:]
    assert [c["body"][0].get("text") for c in cards_of(answer)] == [app.text("help.title")]
    # A later re-send of the same activity is dropped: nothing doubled.
    assert (await app.post(activity)).status == 200
    assert len(app.sent_to(LEAVER)) == before + 1
    assert len(_welcomes(app)) == 1
    _no_traceback_from_the_endpoint(caplog)


@pytest.mark.postgres
async def test_postgres_lost_in_the_middle_of_a_turn_loses_nothing(
    behind_door: tuple[DatabaseDoor, LiveApp],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The activity was claimed when the database went away, and the claim could not be given
    # back; Teams' retry takes it over once the claim's lease has run out (shortened here).
    monkeypatch.setattr(turns, "TURN_LEASE", timedelta(seconds=1))
    door, app = behind_door
    caplog.set_level(logging.INFO)
    shut: list[str] = []

    def outage_while_looking_up_the_sender(method: str, path: str, body: Any) -> None:
        if "/members/" in path and not shut:
            shut.append(path)
            door.shut()  # the turn has claimed its activity and is about to save the person

    app.connector.rules.append(outage_while_looking_up_the_sender)
    activity = app.activity(LEAVER, "message", locale="en-US", text="help")

    response = await app.post(activity)
    assert shut, "the turn looked the sender up"
    assert response.status == 503
    assert app.sent_to(LEAVER) == []

    await door.open()
    await _teams_retries(app, activity)
    assert len(_welcomes(app)) == 1
    assert len(_help_cards(app)) == 1
    assert (await app.post(activity)).status == 200
    assert len(app.sent_to(LEAVER)) == 2
    _no_traceback_from_the_endpoint(caplog)


async def test_sqlite_locked_by_another_writer_answers_503_then_the_retry_runs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}"
    await upgrade(url)
    async with live_service(url) as app:
        caplog.set_level(logging.INFO)
        activity = app.activity(LEAVER, "message", locale="en-US", text="help")
        # Someone holds the write lock longer than the service waits for it (5 s).
        holder = sqlite3.connect(
            tmp_path / "exitbot.sqlite3", isolation_level=None, timeout=30, check_same_thread=False
        )
        try:
            # In a thread: the service's own background writes must be able to finish first.
            await asyncio.to_thread(holder.execute, "BEGIN EXCLUSIVE")
            response = await app.post(activity)
            assert response.status == 503
            assert "Retry-After" in response.headers
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        await _teams_retries(app, activity)
        assert (await app.post(activity)).status == 200
        assert len(_welcomes(app)) == 1
        assert len(_help_cards(app)) == 1
        _no_traceback_from_the_endpoint(caplog)


async def test_a_claim_given_back_runs_again_a_handled_one_does_not(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(turns, "IN_PROGRESS_WAIT", 0.2)
    clock = FixedClock(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    start = TurnStart(db, clock)

    assert (await start.begin("c|1", "aad-1", "29:1")).first
    # A re-send while the first try runs is neither dropped nor run: Teams is asked again.
    with pytest.raises(TurnInProgress):
        await start.begin("c|1", "aad-1", "29:1")
    await start.settle("c|1", handled=False)  # the turn failed on the database
    assert (await start.begin("c|1", "aad-1", "29:1")).first  # the retry runs
    await start.settle("c|1", handled=True)
    assert not (await start.begin("c|1", "aad-1", "29:1")).first  # handled: dropped
    clock.advance(minutes=5)
    assert not (await start.begin("c|1", "aad-1", "29:1")).first  # still dropped


async def test_a_claim_never_given_back_is_taken_over_after_its_lease(db: Database) -> None:
    clock = FixedClock(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    start = TurnStart(db, clock)
    assert (await start.begin("c|2", "aad-1", "29:1")).first
    # The database went away before the claim could be given back; the lease runs out.
    clock.advance(seconds=turns.TURN_LEASE.total_seconds() + 1)
    assert (await start.begin("c|2", "aad-1", "29:1")).first
    await start.settle("c|2", handled=True)
    assert not (await start.begin("c|2", "aad-1", "29:1")).first


async def test_what_counts_as_the_database_being_unavailable(db: Database, tmp_path: Path) -> None:
    closed = Database("postgresql+asyncpg://x@127.0.0.1:9/none", connect_timeout=1)
    try:
        async with closed.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:  # a closed port: refused, raised unwrapped by asyncpg
        assert database_unavailable(exc)
    else:
        pytest.fail("connected to a closed port")
    finally:
        await closed.close()

    with pytest.raises(Exception) as mistake:
        async with db.engine.connect() as connection:
            await connection.execute(text("SELECT * FROM no_such_table"))
    assert not database_unavailable(mistake.value)  # a mistake in the program stays a 500
    assert not database_unavailable(ProgrammingError("x", {}, Exception("y")))
    assert not database_unavailable(OSError("the connector"))
    assert not database_unavailable(TimeoutError())
