"""A turn's unit of work (storage/unit_of_work.py), on SQLite and PostgreSQL: the departure read
once and saved with its version check, the audit rows written with the turn's settlement, and
a task the turn starts kept out of the turn's connection."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from journey.clock import FixedClock
from journey.departure import Departure
from journey.kernel import Kernel
from journey.ports import AuditEntry, ConcurrentUpdate
from storage.audit import SqlAuditLog
from storage.database import Database
from storage.departures import SqlDepartureRepository
from storage.turns import TurnStart
from storage.unit_of_work import current_unit
from tests.storage.samples import departure

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def entry(action: str, departure_id: str) -> AuditEntry:
    return AuditEntry(
        at=NOW, actor="someone@contoso.example", action=action, departure_id=departure_id
    )


async def test_a_save_from_another_connection_meanwhile_is_seen_by_the_retry(db: Database) -> None:
    repository = SqlDepartureRepository(db, FixedClock(NOW))
    stored = await repository.add(departure())
    kernel = Kernel(repository, SqlAuditLog(db), FixedClock(NOW))
    async with db.unit_of_work():
        assert (await kernel.get(stored.id)).unit == stored.unit  # read once, remembered

        async def elsewhere() -> None:  # another task: its own connection, committed at once
            assert current_unit(db) is None
            await repository.update(stored.model_copy(update={"unit": "Jobcenter"}))

        await asyncio.create_task(elsewhere())
        # The remembered copy is stale: the version check refuses it, the retry reads again.
        saved = await kernel.update(stored.id, lambda d: d.model_copy(update={"locale": "da"}))
    assert (saved.unit, saved.locale, saved.version) == ("Jobcenter", "da", stored.version + 2)
    assert await SqlDepartureRepository(db).get(stored.id) == saved


async def test_the_audit_rows_wait_for_the_turns_settlement(db: Database) -> None:
    stored = await SqlDepartureRepository(db).add(departure())
    audit, turns = SqlAuditLog(db), TurnStart(db, FixedClock(NOW))
    async with db.unit_of_work():
        assert (await turns.begin("c|1", "aad-1", "29:1")).first
        await audit.record(entry("offer.accepted", stored.id))
        await audit.record(entry("offer.later", stored.id))
        assert await SqlAuditLog(db).for_departure(stored.id) == []  # not yet
        await turns.settle("c|1", handled=True)
        written = await SqlAuditLog(db).for_departure(stored.id)
    assert [e.action for e in written] == ["offer.accepted", "offer.later"]
    assert not (await turns.begin("c|1", "aad-1", "29:1")).first  # handled: a re-send is dropped


async def test_a_turn_given_back_keeps_its_audit_rows_and_runs_again(db: Database) -> None:
    stored = await SqlDepartureRepository(db).add(departure())
    turns = TurnStart(db, FixedClock(NOW))
    with pytest.raises(RuntimeError):
        async with db.unit_of_work():
            assert (await turns.begin("c|2", "aad-1", "29:1")).first
            await SqlAuditLog(db).record(entry("booking.slot_taken", stored.id))
            await turns.settle("c|2", handled=False)  # as the adapter does when a turn fails
            raise RuntimeError("the turn failed")
    assert [e.action for e in await SqlAuditLog(db).for_departure(stored.id)] == [
        "booking.slot_taken"
    ]
    assert (await turns.begin("c|2", "aad-1", "29:1")).first  # Teams' retry runs the turn


async def test_a_version_conflict_inside_a_unit_is_reported(db: Database) -> None:
    repository = SqlDepartureRepository(db)
    stored: Departure = await repository.add(departure())
    await repository.update(stored)
    async with db.unit_of_work():
        with pytest.raises(ConcurrentUpdate):
            await repository.update(stored)  # an old version
        assert (await repository.get(stored.id)).version == stored.version + 1


async def test_turns_that_wrote_nothing_are_marked_handled_together(db: Database) -> None:
    turns = TurnStart(db, FixedClock(NOW), batch_seconds=0.05)

    async def help_turn(key: str) -> None:
        async with db.unit_of_work():
            assert (await turns.begin(key, "aad-1", "29:1")).first
            await turns.settle(key, handled=True)  # nothing appended: marked a little later

    await asyncio.gather(*(help_turn(f"c|help-{n}") for n in range(3)))
    # A re-send right away waits for the mark, as for a running turn, and is then dropped.
    assert not (await turns.begin("c|help-0", "aad-1", "29:1")).first
    await help_turn("c|help-3")
    await turns.close()  # the service stops: what is gathered is marked
    for n in range(4):
        assert not (await turns.begin(f"c|help-{n}", "aad-1", "29:1")).first
