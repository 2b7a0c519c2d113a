"""Departures: round trip, lookups, and optimistic concurrency on both databases."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, timedelta

import pytest

from journey.clock import FixedClock
from journey.departure import Departure, DepartureStatus
from journey.ports import AlreadyExists, ConcurrentUpdate, NotFound
from storage.database import Database
from storage.departures import SqlDepartureRepository
from storage.tables import departures as departures_table
from tests.storage.samples import COPENHAGEN_NOON, T0, departure


def test_every_departure_field_has_a_column() -> None:
    # A field added to Departure without a column (and a migration) would be lost on save.
    assert set(Departure.model_fields) == set(departures_table.columns.keys())


async def test_add_then_get_returns_every_field(db: Database) -> None:
    repo = SqlDepartureRepository(db, FixedClock(T0))
    original = departure()

    added = await repo.add(original)
    loaded = await repo.get(original.id)

    assert loaded == added
    assert loaded.model_dump(exclude={"updated_at"}) == original.model_dump(exclude={"updated_at"})
    assert loaded.leaver_upn == "ida.leaver@contoso.dk"
    assert loaded.last_working_day == date(2026, 4, 30)
    assert loaded.time_zone == "America/St_Johns"
    assert loaded.status is DepartureStatus.OFFERED
    assert loaded.interviewer_pool == ["hanne.hr@contoso.dk", "tillid@contoso.dk"]
    # Same instant, now expressed in UTC.
    assert loaded.created_at == COPENHAGEN_NOON
    assert loaded.created_at is not None and loaded.created_at.tzinfo is UTC
    assert loaded.updated_at == T0


async def test_add_stamps_creation_time_when_missing(db: Database) -> None:
    repo = SqlDepartureRepository(db, FixedClock(T0))
    added = await repo.add(departure(created_at=None))
    assert (await repo.get(added.id)).created_at == T0


async def test_minimal_departure_round_trips(db: Database) -> None:
    repo = SqlDepartureRepository(db)
    plain = Departure(
        leaver_upn="a@contoso.dk",
        manager_upn="b@contoso.dk",
        unit="IT",
        last_working_day=date(2026, 1, 31),
    )
    await repo.add(plain)
    loaded = await repo.get(plain.id)
    assert loaded.external_id is None
    assert loaded.interviewer_upn is None
    assert loaded.interviewer_pool == []


async def test_get_unknown_id_raises_not_found(db: Database) -> None:
    with pytest.raises(NotFound):
        await SqlDepartureRepository(db).get("no-such-id")


async def test_get_by_external_id(db: Database) -> None:
    repo = SqlDepartureRepository(db)
    stored = await repo.add(departure())
    found = await repo.get_by_external_id("HR-2026-0042")
    assert found is not None and found.id == stored.id
    assert await repo.get_by_external_id("HR-unknown") is None


async def test_same_external_id_twice_is_refused(db: Database) -> None:
    repo = SqlDepartureRepository(db)
    await repo.add(departure())
    with pytest.raises(AlreadyExists):
        await repo.add(departure(leaver_upn="other@contoso.dk"))
    # Departures without an external id do not collide with each other (other leavers: one
    # person has one active departure, see the test below).
    await repo.add(departure(external_id=None, leaver_upn="first@contoso.dk"))
    await repo.add(departure(external_id=None, leaver_upn="second@contoso.dk"))


async def test_a_second_active_departure_for_one_leaver_is_refused_by_the_database(
    db: Database,
) -> None:
    repo = SqlDepartureRepository(db)
    first = await repo.add(departure(external_id="HR-1"))
    with pytest.raises(AlreadyExists):
        await repo.add(departure(external_id="HR-2"))
    assert await repo.get_by_external_id("HR-2") is None
    # Once the first is over, the same person may leave again.
    await repo.update(first.moved_to(DepartureStatus.CANCELLED))
    again = await repo.add(departure(external_id="HR-2"))
    stored = await repo.get_by_external_id("HR-2")
    assert stored is not None and stored.id == again.id


async def test_update_saves_changes_and_bumps_version(db: Database) -> None:
    clock = FixedClock(T0)
    repo = SqlDepartureRepository(db, clock)
    stored = await repo.add(departure())
    clock.advance(hours=1)

    stored.move_to(DepartureStatus.ACCEPTED)
    stored.interviewer_pool = ["new.person@contoso.dk"]
    saved = await repo.update(stored)

    assert saved.version == stored.version + 1
    loaded = await repo.get(stored.id)
    assert loaded == saved
    assert loaded.status is DepartureStatus.ACCEPTED
    assert loaded.interviewer_pool == ["new.person@contoso.dk"]
    assert loaded.updated_at == T0 + timedelta(hours=1)
    assert loaded.created_at == COPENHAGEN_NOON


async def test_update_with_stale_version_raises_and_keeps_the_winner(db: Database) -> None:
    repo = SqlDepartureRepository(db)
    stored = await repo.add(departure())
    mine, theirs = await repo.get(stored.id), await repo.get(stored.id)

    theirs.move_to(DepartureStatus.DECLINED)
    await repo.update(theirs)
    mine.move_to(DepartureStatus.ACCEPTED)
    with pytest.raises(ConcurrentUpdate):
        await repo.update(mine)

    loaded = await repo.get(stored.id)
    assert loaded.status is DepartureStatus.DECLINED
    assert loaded.version == stored.version + 1


async def test_concurrent_updates_exactly_one_wins(database_url: str) -> None:
    # Two engines, as two service processes would have.
    async with await Database.open(database_url) as one, await Database.open(database_url) as two:
        first, second = SqlDepartureRepository(one), SqlDepartureRepository(two)
        stored = await first.add(departure())
        a, b = await first.get(stored.id), await second.get(stored.id)
        a.move_to(DepartureStatus.ACCEPTED)
        a.interviewer_upn = "winner.a@contoso.dk"
        b.move_to(DepartureStatus.DECLINED)
        b.interviewer_upn = "winner.b@contoso.dk"

        results = await asyncio.gather(first.update(a), second.update(b), return_exceptions=True)

        winners = [r for r in results if isinstance(r, Departure)]
        losers = [r for r in results if isinstance(r, ConcurrentUpdate)]
        assert len(winners) == 1 and len(losers) == 1, results
        loaded = await first.get(stored.id)
        assert loaded == winners[0]
        assert loaded.version == stored.version + 1


async def test_many_concurrent_updates_of_the_same_version(db: Database) -> None:
    repo = SqlDepartureRepository(db)
    stored = await repo.add(departure())
    copies = [await repo.get(stored.id) for _ in range(8)]
    for n, copy in enumerate(copies):
        copy.leaver_name = f"writer {n}"

    results = await asyncio.gather(*(repo.update(c) for c in copies), return_exceptions=True)

    winners = [r for r in results if isinstance(r, Departure)]
    assert len(winners) == 1, results
    assert all(isinstance(r, (Departure, ConcurrentUpdate)) for r in results), results
    assert (await repo.get(stored.id)).leaver_name == winners[0].leaver_name


async def test_update_of_unknown_departure_raises_not_found(db: Database) -> None:
    with pytest.raises(NotFound):
        await SqlDepartureRepository(db).update(departure())


async def test_list_for_person_finds_every_role(db: Database) -> None:
    repo = SqlDepartureRepository(db)
    as_leaver = await repo.add(
        departure(
            external_id="1",
            leaver_upn="pat@contoso.dk",
            manager_upn="boss@contoso.dk",
            interviewer_upn=None,
            last_working_day=date(2026, 5, 31),
        )
    )
    as_manager = await repo.add(
        departure(
            external_id="2",
            leaver_upn="x@contoso.dk",
            manager_upn="pat@contoso.dk",
            interviewer_upn=None,
            last_working_day=date(2026, 3, 31),
        )
    )
    as_interviewer = await repo.add(
        departure(
            external_id="3",
            leaver_upn="y@contoso.dk",
            manager_upn="boss@contoso.dk",
            interviewer_upn="pat@contoso.dk",
            last_working_day=date(2026, 4, 30),
        )
    )
    await repo.add(
        departure(
            external_id="4",
            leaver_upn="z@contoso.dk",
            manager_upn="boss@contoso.dk",
            interviewer_upn=None,
            interviewer_pool=["pat@contoso.dk"],
        )
    )

    found = await repo.list_for_person("Pat@Contoso.DK")

    assert [d.id for d in found] == [as_manager.id, as_interviewer.id, as_leaver.id]
    assert await repo.list_for_person("nobody@contoso.dk") == []
