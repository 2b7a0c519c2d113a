"""Migration 0012 (issue 16) on a database with departures from every door: each takes the door
its first `departure.registered` audit row names; one with none (or another word) is Teams."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from journey.departure import Door
from storage.database import Database
from storage.migrate import current_revision, upgrade
from storage.repositories import SqlDepartureRepository
from storage.tables import audit_log, departures

CREATED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _departure(departure_id: str, number: int) -> dict[str, Any]:
    at = CREATED + timedelta(minutes=number)
    return {
        "id": departure_id,
        "external_id": f"HR-{departure_id}",
        "leaver_upn": f"leaver{number}@contoso.example",
        "leaver_name": f"Leaver {number}",
        "manager_upn": "manager@contoso.example",
        "unit": "social-care",
        "last_working_day": date(2026, 12, 18),
        "locale": "da",
        "time_zone": "Europe/Copenhagen",
        "status": "offered",
        "interviewer_pool": [],
        "version": 1,
        "created_at": at,
        "updated_at": at,
    }


def _audit(departure_id: str | None, minute: int, action: str, **detail: str) -> dict[str, Any]:
    return {
        "at": CREATED + timedelta(minutes=minute),
        "actor": "hr@contoso.example",
        "action": action,
        "departure_id": departure_id,
        "detail": detail,
    }


IDS = ["form", "hr-system", "csv-then-api", "entra", "seeded", "no-door", "bench"]
AUDIT = [
    _audit("form", 1, "departure.registered", door="teams"),
    _audit("hr-system", 2, "departure.registered", door="api"),
    # Imported first, then sent again by HR's system under the same external id.
    _audit("csv-then-api", 3, "departure.registered", door="csv"),
    _audit("csv-then-api", 4, "departure.updated", door="api", fields="last_working_day"),
    _audit("csv-then-api", 5, "departure.registered", door="api"),
    _audit("entra", 6, "departure.registered", door="entra"),
    _audit("hr-system", 7, "departure.cancelled", door="teams"),
    # "seeded" has no audit row at all (the demo's history); "no-door" one without a door.
    _audit("no-door", 8, "departure.registered"),
    _audit("bench", 9, "departure.registered", door="bench"),
    _audit("gone", 10, "departure.registered", door="csv"),  # its departure was purged
    _audit(None, 11, "privacy.export", person="someone@contoso.example"),
]


async def test_each_departure_takes_the_door_of_its_first_registration(
    blank_database_url: str,
) -> None:
    await upgrade(blank_database_url, "0011")
    async with await Database.open(blank_database_url) as db, db.sessions.begin() as session:
        await session.execute(
            insert(departures), [_departure(d, n) for n, d in enumerate(IDS, start=1)]
        )
        await session.execute(insert(audit_log), AUDIT)

    await upgrade(blank_database_url, "0012")

    assert await current_revision(blank_database_url) == "0012"
    async with await Database.open(blank_database_url) as db:
        async with db.sessions() as session:
            rows = await session.execute(select(departures.c.id, departures.c.registered_via))
            doors = dict(rows.all())
        # The departures read back as the journey sees them, with their door.
        repository = SqlDepartureRepository(db)
        read = {d: (await repository.get(d)).registered_via for d in ("csv-then-api", "seeded")}
    assert doors == {
        "form": "teams",
        "hr-system": "api",
        "csv-then-api": "csv",
        "entra": "entra",
        "seeded": "teams",
        "no-door": "teams",
        "bench": "teams",
    }
    assert read == {"csv-then-api": Door.CSV, "seeded": Door.TEAMS}


async def test_a_departure_stored_without_a_door_is_teams(blank_database_url: str) -> None:
    # The column's default, for a writer that does not name it (an older instance mid-upgrade).
    await upgrade(blank_database_url, "0012")
    async with await Database.open(blank_database_url) as db:
        async with db.sessions.begin() as session:
            await session.execute(insert(departures), [_departure("older", 1)])
        async with db.sessions() as session:
            door = await session.scalar(select(departures.c.registered_via))
    assert door == "teams"
