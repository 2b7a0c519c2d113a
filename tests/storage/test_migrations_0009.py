"""Migration 0009 (issue 12) on a database that already holds several active departures for one
leaver, as concurrent registrations left them: the upgrade does not fail, keeps the one furthest
along, cancels the others with their unsent reminders (audited), and from then on the database
refuses a second active departure for the same person."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from storage.database import Database
from storage.migrate import current_revision, head_revision, upgrade
from storage.tables import audit_log, departures, due_actions, journey_events

CREATED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _departure(departure_id: str, leaver: str, status: str, minute: int) -> dict[str, Any]:
    at = CREATED.replace(minute=minute)
    return {
        "id": departure_id,
        "external_id": f"HR-{departure_id}",
        "leaver_upn": leaver,
        "leaver_name": "Sofie Andersen" if leaver else "",
        "manager_upn": "manager@contoso.example" if leaver else "",
        "unit": "social-care",
        "last_working_day": date(2026, 12, 18),
        "locale": "da",
        "time_zone": "Europe/Copenhagen",
        "status": status,
        "interviewer_pool": [],
        "version": 3,
        "created_at": at,
        "updated_at": at,
    }


def _reminder(departure_id: str, state: str) -> dict[str, Any]:
    return {
        "idempotency_key": f"{departure_id}:offer_reminder:leaver",
        "departure_id": departure_id,
        "kind": "offer_reminder",
        "recipient_key": "leaver@contoso.example",
        "due_at": CREATED,
        "payload": {},
        "resend_if_unknown": False,
        "state": state,
        "attempts": 0,
        "created_at": CREATED,
        "updated_at": CREATED,
    }


SOFIE = "leaver@contoso.example"
ROWS = [
    _departure("first", SOFIE, "offered", 1),  # registered first
    _departure("booked", SOFIE, "booked", 2),  # furthest along: kept
    _departure("third", SOFIE, "registered", 3),
    _departure("earlier", SOFIE, "closed", 0),  # an earlier departure, long closed: untouched
    _departure("other", "leaver.se@contoso.example", "registered", 4),  # someone else
    _departure("anon-1", "", "offered", 5),  # anonymised rows have no leaver
    _departure("anon-2", "", "offered", 6),
]


async def _seed_at_0008(url: str) -> None:
    await upgrade(url, "0008")
    async with await Database.open(url) as db, db.sessions.begin() as session:
        await session.execute(insert(departures), ROWS)
        await session.execute(
            insert(due_actions),
            [
                _reminder("first", "pending"),
                _reminder("third", "sent"),
                _reminder("booked", "pending"),
            ],
        )
        await session.execute(
            insert(journey_events),
            [{"departure_id": "third", "event": "registered", "created_at": CREATED}],
        )


async def test_duplicates_are_cancelled_and_the_furthest_along_is_kept(
    blank_database_url: str,
) -> None:
    await _seed_at_0008(blank_database_url)

    await upgrade(blank_database_url)

    assert await current_revision(blank_database_url) == head_revision()
    async with await Database.open(blank_database_url) as db, db.sessions() as session:
        statuses = dict((await session.execute(select(departures.c.id, departures.c.status))).all())
        versions = dict(
            (await session.execute(select(departures.c.id, departures.c.version))).all()
        )
        reminders = dict(
            (await session.execute(select(due_actions.c.departure_id, due_actions.c.state))).all()
        )
        pending_events = (
            await session.execute(
                select(journey_events.c.departure_id).where(journey_events.c.done_at.is_(None))
            )
        ).all()
        audited = (
            await session.execute(
                select(audit_log.c.departure_id, audit_log.c.action, audit_log.c.detail)
            )
        ).all()
    assert statuses == {
        "first": "cancelled",
        "booked": "booked",
        "third": "cancelled",
        "earlier": "closed",
        "other": "registered",
        "anon-1": "offered",
        "anon-2": "offered",
    }
    assert (versions["first"], versions["third"], versions["booked"]) == (4, 4, 3)
    # Nothing more goes out about a cancelled duplicate; what was sent stays sent.
    assert reminders == {"first": "cancelled", "third": "sent", "booked": "pending"}
    assert pending_events == []
    detail = {"door": "migration", "reason": "duplicate", "kept": "booked"}
    assert sorted(audited) == [
        ("first", "departure.cancelled", detail),
        ("third", "departure.cancelled", detail),
    ]


async def test_after_the_upgrade_the_database_refuses_a_second_active_departure(
    database_url: str,
) -> None:
    async with await Database.open(database_url) as db:
        async with db.sessions.begin() as session:
            await session.execute(insert(departures), [ROWS[0], ROWS[3], ROWS[5], ROWS[6]])
        with pytest.raises(IntegrityError):
            async with db.sessions.begin() as session:
                await session.execute(insert(departures).values(**ROWS[2]))
        # Once the first is cancelled, the person may be registered again.
        async with db.sessions.begin() as session:
            await session.execute(
                departures.update().where(departures.c.id == "first").values(status="cancelled")
            )
            await session.execute(insert(departures).values(**ROWS[2]))
