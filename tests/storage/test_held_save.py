"""A click's departure save is held for the turn's end (storage/unit_of_work.py, issue 13), on
SQLite and PostgreSQL: nobody else sees it until the turn's last transaction commits, a failed
last transaction loses it with the rest of the turn, a conflicting save still retries, and a
write on another connection of the turn never waits for the held one."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from journey.clock import FixedClock
from journey.departure import Departure
from journey.kernel import Kernel
from journey.ports import AuditEntry
from storage.audit import SqlAuditLog
from storage.database import Database
from storage.departures import SqlDepartureRepository
from storage.tables import departures, seen_activities
from storage.turns import TurnStart
from storage.unit_of_work import HeldWriteLost
from tests.storage.samples import departure

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
# Far below SQLite's busy timeout (5 s): a write that had to wait for the held lock takes it all.
AT_ONCE = 2.0


def entry(departure_id: str) -> AuditEntry:
    return AuditEntry(at=NOW, actor="leaver@contoso.example", action="x", departure_id=departure_id)


class Broken:
    """A gathering whose write fails: the turn's last transaction fails with it."""

    def __bool__(self) -> bool:
        return True

    async def write(self, connection: AsyncConnection) -> None:
        raise RuntimeError("the end of the turn failed")


async def _setup(db: Database) -> tuple[SqlDepartureRepository, Departure, Kernel]:
    """A stored departure (in English), its repository and the kernel that saves it."""
    repository = SqlDepartureRepository(db, FixedClock(NOW))
    stored = await repository.add(departure(locale="en"))
    return repository, stored, Kernel(repository, SqlAuditLog(db), FixedClock(NOW))


async def _stored_locale(db: Database, departure_id: str) -> str | None:
    async with db.engine.connect() as connection:  # another connection: what others see
        query = select(departures.c.locale).where(departures.c.id == departure_id)
        return await connection.scalar(query)


async def test_the_save_is_seen_by_others_only_with_the_turns_end(db: Database) -> None:
    repository, stored, kernel = await _setup(db)
    turns = TurnStart(db)
    async with db.unit_of_work() as unit:
        assert (await turns.begin("c|1", "aad-1", "29:1")).first
        await kernel.update(stored.id, lambda d: d.model_copy(update={"locale": "da"}))
        assert unit.held
        assert (await repository.get(stored.id)).locale == "da"  # the turn sees its own save
        assert await _stored_locale(db, stored.id) == "en"
        await kernel.record("leaver@contoso.example", "x", stored.id)
        await turns.settle("c|1", handled=True)
        assert not unit.held
    assert await _stored_locale(db, stored.id) == "da"


async def test_a_failed_end_loses_the_save_and_gives_the_claim_back(db: Database) -> None:
    _repository, stored, kernel = await _setup(db)
    turns = TurnStart(db)
    with pytest.raises(RuntimeError):
        async with db.unit_of_work() as unit:
            assert (await turns.begin("c|2", "aad-1", "29:1")).first
            await kernel.update(stored.id, lambda d: d.model_copy(update={"locale": "da"}))
            await kernel.record("leaver@contoso.example", "x", stored.id)
            unit.gathered("broken", Broken)
            await turns.settle("c|2", handled=True)  # raises: the turn is not done
    assert await _stored_locale(db, stored.id) == "en"
    assert await SqlAuditLog(db).for_departure(stored.id) == []
    async with db.engine.connect() as connection:  # given back: Teams' retry runs the click
        assert await connection.scalar(select(seen_activities.c.activity_id)) is None


async def test_a_failed_block_after_the_save_is_undone_alone(db: Database) -> None:
    _repository, stored, kernel = await _setup(db)
    async with db.unit_of_work() as unit:
        await kernel.update(stored.id, lambda d: d.model_copy(update={"locale": "da"}))
        with pytest.raises(ValueError):  # a store's block fails (and the store catches it)
            async with db.transaction() as connection:
                await connection.execute(
                    update(departures).where(departures.c.id == stored.id), {"unit": "Gone"}
                )
                raise ValueError("a statement failed")
        assert unit.held  # back to its savepoint: the save is still held
    saved = await SqlDepartureRepository(db).get(stored.id)
    assert (saved.locale, saved.unit) == ("da", stored.unit)


async def test_a_held_save_rolled_back_under_the_turn_fails_its_end(db: Database) -> None:
    _repository, stored, kernel = await _setup(db)
    with pytest.raises(HeldWriteLost):
        async with db.unit_of_work() as unit:
            await kernel.update(stored.id, lambda d: d.model_copy(update={"locale": "da"}))
            connection = await unit.connection()
            await unit._roll_back(connection)  # as when a savepoint could not be rolled back to
    assert await _stored_locale(db, stored.id) == "en"


async def test_a_concurrent_save_is_retried_within_the_held_turn(db: Database) -> None:
    _repository, stored, kernel = await _setup(db)
    async with db.unit_of_work() as unit:
        await kernel.get(stored.id)  # read, remembered at this version
        async with db.engine.begin() as other:  # another turn saves first
            bump = {"unit": "Jobcenter", "version": stored.version + 1}
            await other.execute(update(departures).where(departures.c.id == stored.id), bump)
        saved = await kernel.update(stored.id, lambda d: d.model_copy(update={"locale": "da"}))
        assert unit.held
    assert (saved.unit, saved.locale, saved.version) == ("Jobcenter", "da", stored.version + 2)
    assert await SqlDepartureRepository(db).get(stored.id) == saved


async def test_another_connections_write_does_not_wait_for_the_held_save(db: Database) -> None:
    _repository, stored, kernel = await _setup(db)
    async with db.unit_of_work() as unit:
        await kernel.update(stored.id, lambda d: d.model_copy(update={"locale": "da"}))
        assert unit.held
        started = time.monotonic()
        async with db.engine.begin() as other:  # e.g. a store writing on a session of its own
            await asyncio.wait_for(
                other.execute(
                    update(departures).where(departures.c.id == stored.id), {"unit": "Other"}
                ),
                timeout=AT_ONCE * 2,
            )
        assert time.monotonic() - started < AT_ONCE
        assert not unit.held  # committed before the other connection wrote
    saved = await SqlDepartureRepository(db).get(stored.id)
    assert (saved.locale, saved.unit) == ("da", "Other")


async def test_a_click_commits_twice_its_claim_and_its_end(db: Database) -> None:
    _repository, stored, kernel = await _setup(db)
    turns = TurnStart(db)
    commits: list[int] = []

    def committed(_connection: object) -> None:
        commits.append(1)

    event.listen(db.engine.sync_engine, "commit", committed)
    try:
        async with db.unit_of_work():
            assert (await turns.begin("c|7", "aad-1", "29:1")).first
            await kernel.update(stored.id, lambda d: d.model_copy(update={"locale": "da"}))
            await kernel.record("leaver@contoso.example", "x", stored.id)
            await turns.settle("c|7", handled=True)
    finally:
        event.remove(db.engine.sync_engine, "commit", committed)
    assert len(commits) == 2  # the claim at once (Teams' re-sends see it), then everything else
    assert await _stored_locale(db, stored.id) == "da"
