"""The farewell for everyone and alumni consent as rules (journey.farewell) and in the service
(journey.after_conversation) on SQLite and PostgreSQL: the offers never twice, a private e-mail
checked, a withdrawal that deletes."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from journey.after_conversation import AfterConversation, Gesture, NoteField
from journey.clock import FixedClock
from journey.departure import Departure, DepartureStatus, InterviewerKind
from journey.farewell import (
    AlumniContact,
    EmailNeeded,
    EmailNotPrivate,
    EmailNotValid,
    private_email,
)
from journey.refusals import StaleAction
from storage.after_conversation import SqlNotesStore
from storage.alumni import SqlAlumni, alumni_csv
from storage.database import Database
from storage.repositories import SqlAuditLog, SqlDepartureRepository
from storage.retention import erase_person
from tests.survey.test_after_store import LEAVER, PARTNER, T0, Told

WORK = "leaver@contoso.example"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Sofie.Andersen@Example.ORG", "sofie.andersen@example.org"),
        ("  sofie+alumni@mail.example.dk ", "sofie+alumni@mail.example.dk"),
    ],
)
def test_a_private_email_is_kept_tidy(typed: str, kept: str) -> None:
    assert private_email(typed, WORK) == kept


@pytest.mark.parametrize(
    ("typed", "refusal"),
    [
        ("", EmailNeeded),
        (None, EmailNeeded),
        ("sofie", EmailNotValid),
        ("sofie@localhost", EmailNotValid),
        ("so fie@example.org", EmailNotValid),
        ("sofie@example.org\u202e", EmailNotValid),
        ("sofie@example..org", EmailNotValid),
        ("s" * 250 + "@example.org", EmailNotValid),
        ("sofie@contoso.example", EmailNotPrivate),
        ("sofie@mail.Contoso.Example", EmailNotPrivate),
    ],
)
def test_a_bad_or_work_email_is_refused(typed: str | None, refusal: type[Exception]) -> None:
    with pytest.raises(refusal):
        private_email(typed, WORK)


async def _service(
    db: Database, status: DepartureStatus, farewell: datetime | None
) -> tuple[AfterConversation, Told, Departure, SqlAlumni]:
    departure = await SqlDepartureRepository(db).add(
        Departure(
            leaver_upn=LEAVER.upn or "",
            leaver_name="Sofie Andersen",
            manager_upn="manager@contoso.example",
            unit="social-care",
            last_working_day=date(2026, 12, 18),
            status=status,
            interviewer_upn=PARTNER.upn,
            interviewer_kind=InterviewerKind.HR_PARTNER,
            meeting_start=T0 - timedelta(hours=2),
            meeting_end=T0 - timedelta(hours=1),
            meeting_event_id="event-1",
        )
    )
    told, alumni = Told(), SqlAlumni(db)
    after = AfterConversation(
        departures=SqlDepartureRepository(db),
        store=SqlNotesStore(db),
        audit=SqlAuditLog(db),
        clock=FixedClock(T0),
        offers=lambda _unit: tuple(Gesture),
        notifier=told,
        alumni=alumni,
        farewell_at=lambda _departure: farewell,
    )
    return after, told, departure, alumni


@pytest.mark.parametrize(
    ("farewell", "offered"),
    [
        (None, tuple(Gesture)),  # the unit keeps them for the thank-you
        (T0 + timedelta(days=20), tuple(Gesture)),  # the farewell card is still to come
        (T0 - timedelta(hours=3), ()),  # the farewell card brought them already
    ],
)
async def test_the_offers_come_once_whether_the_conversation_is_held_before_or_after(
    db: Database, farewell: datetime | None, offered: tuple[Gesture, ...]
) -> None:
    after, told, departure, _ = await _service(db, DepartureStatus.BOOKED, farewell)
    texts = {NoteField.AGREED_ACTIONS: "En reference"}
    await after.record(PARTNER, departure.id, revision=0, texts=texts, held=True)
    assert told.thanked == [(departure.id, offered)]


async def test_a_declined_leaver_may_answer_only_where_the_unit_offers_it_to_everyone(
    db: Database,
) -> None:
    after, told, departure, alumni = await _service(
        db, DepartureStatus.DECLINED, T0 - timedelta(hours=1)
    )
    with pytest.raises(EmailNotPrivate):
        await after.choose(LEAVER, departure.id, [Gesture.ALUMNI], "sofie@contoso.example")
    assert await alumni.contact(departure.id) is None
    _, wishes = await after.choose(
        LEAVER, departure.id, [Gesture.ALUMNI, Gesture.REFERENCE_LETTER], "sofie@example.org"
    )
    assert wishes.chosen == (Gesture.REFERENCE_LETTER, Gesture.ALUMNI)
    contact = await alumni.contact(departure.id)
    assert contact is not None and contact.private_email == "sofie@example.org"
    assert "sofie@example.org" in alumni_csv(await alumni.listed("social-care"))
    assert await alumni.listed("home-care") == []

    await after.withdraw(LEAVER, departure.id)
    assert await alumni.contact(departure.id) is None
    assert told.asked[-1] == (Gesture.REFERENCE_LETTER,)  # the interviewer hears of it

    # Her case closes; back again later (one active departure per person), in a unit that
    # offers the farewell only to those who held the conversation.
    repository = SqlDepartureRepository(db)
    first = await repository.get(departure.id)
    await repository.update(first.changed(status=DepartureStatus.CLOSED))
    closed_off, _, other, _ = await _service(db, DepartureStatus.DECLINED, None)
    with pytest.raises(StaleAction):
        await closed_off.choose(LEAVER, other.id, [Gesture.REFERENCE_LETTER])


def test_the_export_defuses_spreadsheet_formulas() -> None:
    row = AlumniContact(
        departure_id="d1",
        name="=HYPERLINK(1)",
        unit="social-care",
        private_email="a@example.org",
        consented_at=T0,
    )
    lines = alumni_csv([row]).splitlines()
    assert lines == [
        "name,unit,private_email,consented_at",
        "'=HYPERLINK(1),social-care,a@example.org,2026-11-23",
    ]


async def test_erasure_on_request_takes_the_consent_too(db: Database) -> None:
    after, _, departure, alumni = await _service(db, DepartureStatus.DECLINED, T0)
    await after.choose(LEAVER, departure.id, [Gesture.CONTACT_LATER], "sofie@example.org")
    assert await alumni.contact(departure.id) is not None

    counts = await erase_person(
        db, LEAVER.upn or "", keep_answer=lambda _set, _question: False, actor="cli:hr", now=T0
    )
    assert counts.removed["alumni_contacts"] == 1
    assert await alumni.listed() == []
