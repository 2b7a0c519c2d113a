"""The journey's fields on the departure survive the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from journey.clock import FixedClock
from journey.departure import Departure, DepartureStatus, InterviewerKind, PostedCard, Reach
from storage.database import Database
from storage.departures import SqlDepartureRepository
from storage.migrate import upgrade

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def journey_departure() -> Departure:
    start = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    return Departure(
        leaver_upn="leaver@contoso.example",
        leaver_name="Sofie Andersen",
        manager_upn="manager@contoso.example",
        unit="social-care",
        last_working_day=date(2026, 12, 18),
        status=DepartureStatus.BOOKED,
        interviewer_upn="hrpartner@contoso.example",
        reach=Reach.OK,
        decline_reason=None,
        remind_offer_at=T0 + timedelta(days=3),
        interviewer_kind=InterviewerKind.HR_PARTNER,
        interviewer_name="Peter Holm",
        proposed_slots=["20261125T0900Z/60"],
        times_requested_at=T0,
        meeting_start=start,
        meeting_end=start + timedelta(hours=1),
        meeting_event_id="event-1",
        meeting_join_url="https://teams.microsoft.com/l/meetup-join/event-1",
        cards={"task": PostedCard(activity_id="1", conversation_id="a:x", service_url="http://s/")},
    )


async def test_every_journey_field_round_trips(db: Database) -> None:
    repo = SqlDepartureRepository(db, FixedClock(T0))
    original = await repo.add(journey_departure())
    loaded = await repo.get(original.id)
    assert loaded == original
    assert loaded.cards["task"].activity_id == "1"
    assert loaded.reach is Reach.OK and loaded.interviewer_kind is InterviewerKind.HR_PARTNER

    declined = loaded.changed(reach=Reach.BLOCKED, decline_reason="Ærligt talt – nej.")
    saved = await repo.update(declined)
    assert (await repo.get(original.id)).decline_reason == "Ærligt talt – nej."
    assert saved.version == loaded.version + 1


async def test_a_departure_stored_before_the_journey_reads_back_as_nothing_happened(
    blank_database_url: str,
) -> None:
    await upgrade(blank_database_url, "0002")
    async with await Database.open(blank_database_url) as db, db.engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO departures (id, leaver_upn, leaver_name, manager_upn, unit, "
                "last_working_day, locale, time_zone, status, interviewer_pool, version, "
                "created_at, updated_at) VALUES ('old', 'a@contoso.example', '', "
                "'b@contoso.example', '', '2026-12-18', 'da', 'Europe/Copenhagen', 'offered', "
                "'[]', 3, :at, :at)"
            ),
            # The text sqlite3's default adapter wrote (deprecated since Python 3.12).
            {"at": T0.replace(tzinfo=None).isoformat(" ") if db.dialect == "sqlite" else T0},
        )
    await upgrade(blank_database_url)
    async with await Database.open(blank_database_url) as db:
        old = await SqlDepartureRepository(db).get("old")
    assert (old.status, old.version, old.reach, old.cards, old.proposed_slots) == (
        DepartureStatus.OFFERED,
        3,
        None,
        {},
        [],
    )
    assert old.interviewer_name == "" and old.meeting_event_id is None
