"""Within a turn's unit of work a departure is saved with only the columns that changed since it
was read (storage/departures.py), under the same version check; on both databases."""

from __future__ import annotations

import asyncio

from journey.clock import FixedClock
from journey.departure import DepartureStatus, PostedCard
from journey.ports import ConcurrentUpdate
from storage.database import Database
from storage.departures import SqlDepartureRepository
from testkit.sql_statements import statements_run
from tests.storage.samples import T0, departure

CARD = PostedCard(activity_id="1:offer", conversation_id="a:1chat", service_url="https://x/")


def _columns(statements: list[str]) -> set[str]:
    """The columns the one UPDATE of departures among `statements` writes."""
    [update] = [sql for sql in statements if sql.startswith("UPDATE departures")]
    assigned = update.split(" SET ")[1].split(" WHERE ")[0]
    return {part.split("=")[0] for part in assigned.split(", ")}


async def test_a_turn_writes_only_what_changed_and_the_stored_row_is_whole(db: Database) -> None:
    clock = FixedClock(T0)
    repo = SqlDepartureRepository(db, clock)
    stored = await repo.add(departure(cards={"offer": CARD}))
    clock.advance(minutes=5)

    async with db.unit_of_work():
        read = await repo.get(stored.id)
        with statements_run(db) as seen:
            saved = await repo.update(read.moved_to(DepartureStatus.ACCEPTED, accepted_at=T0))

    assert _columns(seen) == {"status", "accepted_at", "version", "updated_at"}
    assert await repo.get(stored.id) == saved
    assert saved.cards == {"offer": CARD} and saved.version == stored.version + 1


async def test_a_json_column_is_written_when_its_value_changes_and_not_when_equal(
    db: Database,
) -> None:
    repo = SqlDepartureRepository(db, FixedClock(T0))
    stored = await repo.add(departure(cards={"offer": CARD}, proposed_slots=["2026-04-01T09:00"]))
    task = PostedCard(activity_id="1:task", conversation_id="a:1hr", service_url="https://x/")

    async with db.unit_of_work():
        read = await repo.get(stored.id)
        with statements_run(db) as first:
            one = await repo.update(
                read.changed(
                    cards={"offer": CARD, "task": task}, proposed_slots=["2026-04-01T09:00"]
                )
            )
        with statements_run(db) as second:  # the turn's second save compares with its first
            two = await repo.update(one.changed(leaver_name="Ida"))

    assert _columns(first) == {"cards", "version"}  # the slots are as they were
    assert _columns(second) == {"leaver_name", "version"}
    assert await repo.get(stored.id) == two
    assert two.cards == {"offer": CARD, "task": task}


async def test_a_departure_changed_in_place_after_it_was_read_is_saved_whole(
    db: Database,
) -> None:
    repo = SqlDepartureRepository(db, FixedClock(T0))
    stored = await repo.add(departure())

    async with db.unit_of_work():
        read = await repo.get(stored.id)
        read.move_to(DepartureStatus.ACCEPTED)  # the same object the turn keeps
        read.interviewer_upn = "someone.else@contoso.dk"
        saved = await repo.update(read)

    loaded = await repo.get(stored.id)
    assert loaded == saved
    assert (loaded.status, loaded.interviewer_upn) == (
        DepartureStatus.ACCEPTED,
        "someone.else@contoso.dk",
    )


async def test_two_turns_that_read_one_version_save_once(database_url: str) -> None:
    async with await Database.open(database_url) as one, await Database.open(database_url) as two:
        first, second = SqlDepartureRepository(one), SqlDepartureRepository(two)
        stored = await first.add(departure())
        # Neither writes before both have read: else one could read what the other committed.
        have_read = asyncio.Barrier(2)

        async def turn(db: Database, repo: SqlDepartureRepository, name: str) -> object:
            async with db.unit_of_work():
                read = await repo.get(stored.id)
                assert read.version == stored.version
                await have_read.wait()
                try:
                    return await repo.update(read.changed(leaver_name=name))
                except ConcurrentUpdate as lost:
                    return lost

        results = await asyncio.gather(turn(one, first, "a"), turn(two, second, "b"))

    winners = [r for r in results if not isinstance(r, ConcurrentUpdate)]
    assert len(winners) == 1, results
    async with await Database.open(database_url) as db:
        loaded = await SqlDepartureRepository(db).get(stored.id)
    assert loaded == winners[0] and loaded.version == stored.version + 1
