"""The notes and wishes on SQLite and PostgreSQL: a stale save keeps nothing, a wish replaces
the last, and a forged offer is refused by the service."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest

from journey.access import Asker
from journey.after_conversation import (
    AfterConversation,
    ConversationNotes,
    Gesture,
    NoteField,
    NoteTooLong,
    NotOffered,
    Wishes,
)
from journey.clock import FixedClock
from journey.departure import Departure, DepartureStatus, InterviewerKind
from journey.ports import ConcurrentUpdate
from storage.after_conversation import SqlNotesStore
from storage.database import Database
from storage.repositories import SqlAuditLog, SqlDepartureRepository

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LEAVER = Asker(user_id="u-leaver", upn="leaver@contoso.example")
PARTNER = Asker(user_id="u-partner", upn="hrpartner@contoso.example")


class Told:
    """What the service told people, for the test to look at."""

    def __init__(self) -> None:
        self.thanked: list[tuple[str, tuple[Gesture, ...]]] = []
        self.asked: list[tuple[Gesture, ...]] = []
        self.tasks = 0

    async def task_changed(self, departure: Departure) -> None:
        self.tasks += 1

    async def thank_you(self, departure: Departure, offers: Sequence[Gesture]) -> None:
        self.thanked.append((departure.id, tuple(offers)))

    async def wishes(self, departure: Departure, chosen: Sequence[Gesture]) -> None:
        self.asked.append(tuple(chosen))


async def _setup(db: Database) -> tuple[AfterConversation, SqlNotesStore, Told, Departure]:
    departures = SqlDepartureRepository(db)
    departure = await departures.add(
        Departure(
            leaver_upn=LEAVER.upn or "",
            manager_upn="manager@contoso.example",
            unit="social-care",
            last_working_day=date(2026, 12, 18),
            status=DepartureStatus.BOOKED,
            interviewer_upn=PARTNER.upn,
            interviewer_kind=InterviewerKind.HR_PARTNER,
            meeting_start=T0 - timedelta(hours=2),
            meeting_end=T0 - timedelta(hours=1),
            meeting_event_id="event-1",
        )
    )
    store, told = SqlNotesStore(db), Told()
    after = AfterConversation(
        departures=departures,
        store=store,
        audit=SqlAuditLog(db),
        clock=FixedClock(T0),
        offers=lambda _unit: (Gesture.REFERENCE_LETTER, Gesture.ALUMNI),
        notifier=told,
    )
    return after, store, told, departure


async def test_a_stale_save_keeps_nothing(db: Database) -> None:
    store = SqlNotesStore(db)
    first = ConversationNotes(departure_id="d1", main_points="æøå «ord»", revision=1)
    await store.save_notes(first, expected_revision=0)
    with pytest.raises(ConcurrentUpdate):
        await store.save_notes(first.model_copy(update={"main_points": "x"}), expected_revision=0)
    second = first.model_copy(update={"data_use": "brug", "revision": 2})
    await store.save_notes(second, expected_revision=1)
    with pytest.raises(ConcurrentUpdate):
        await store.save_notes(second, expected_revision=1)
    assert await store.notes("d1") == second


async def test_a_wish_replaces_the_last(db: Database) -> None:
    store = SqlNotesStore(db)
    await store.save_wishes(Wishes(departure_id="d1", chosen=(Gesture.ALUMNI,), answered_at=T0))
    await store.save_wishes(Wishes(departure_id="d1", chosen=(), answered_at=T0))
    assert await store.wishes("d1") == Wishes(departure_id="d1", chosen=(), answered_at=T0)


async def test_held_once_thanked_once_and_only_the_offers_the_unit_makes(db: Database) -> None:
    after, store, told, departure = await _setup(db)
    texts = {NoteField.AGREED_ACTIONS: "Vagtplanen tages op"}

    held, notes = await after.record(PARTNER, departure.id, revision=0, texts=texts, held=True)
    again, _ = await after.record(PARTNER, departure.id, revision=1, texts=texts, held=True)

    assert held.status is again.status is DepartureStatus.HELD
    assert told.thanked == [(departure.id, (Gesture.REFERENCE_LETTER, Gesture.ALUMNI))]
    assert notes.agreed_actions == "Vagtplanen tages op" and notes.main_points == ""
    with pytest.raises(NoteTooLong):
        await after.record(
            PARTNER, departure.id, revision=2, texts={NoteField.MAIN_POINTS: "x" * 4001}
        )
    with pytest.raises(NotOffered):
        await after.choose(LEAVER, departure.id, [Gesture.CONTACT_LATER])
    # Consent to be contacted later comes with a private e-mail (issue 11).
    await after.choose(LEAVER, departure.id, [Gesture.ALUMNI], "sofie@example.org")
    # The same again: told once.
    await after.choose(LEAVER, departure.id, [Gesture.ALUMNI], "sofie@example.org")
    assert told.asked == [(Gesture.ALUMNI,)]
    _, shown, _ = await after.for_leaver(LEAVER, departure.id)
    assert shown is not None and shown.main_points == "" and shown.agreed_actions
    stored = await store.notes(departure.id)
    assert stored is not None and stored.revision == 2
