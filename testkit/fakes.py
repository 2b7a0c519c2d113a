"""In-memory doubles of the domain's ports, for service tests that run in milliseconds.

Each keeps the promise of its real adapter that a rule depends on: the departure repository
saves only over the version it was given (a stale version raises ConcurrentUpdate, like
storage.departures), the survey and notes stores check their revisions the same way. The
notifier and the calendar record what the services asked of them, for the tests to read.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from journey.after_conversation import ConversationNotes, Gesture, Wishes
from journey.clock import Clock
from journey.departure import Departure, DepartureStatus, Reach
from journey.people import BusyInterval, CreatedMeeting, Person
from journey.ports import AlreadyExists, AuditEntry, ConcurrentUpdate, ConversationRef, NotFound
from journey.slots import Slot
from journey.survey import Answer, Attribution, SurveyProgress, SurveyStatus

_FINISHED = (DepartureStatus.CLOSED, DepartureStatus.CANCELLED)


class FakeDepartureRepository:
    """journey.ports.DepartureRepository in a dict, with the version check of the SQL one."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._rows: dict[str, Departure] = {}

    async def add(self, departure: Departure) -> Departure:
        """Store a new departure; AlreadyExists if its id or external id is taken."""
        taken = departure.id in self._rows or (
            departure.external_id is not None
            and any(d.external_id == departure.external_id for d in self._rows.values())
        )
        if taken:
            raise AlreadyExists(f"a departure with id {departure.id} is already stored")
        now = self._clock.now()
        saved = departure.model_copy(
            update={"created_at": departure.created_at or now, "updated_at": now}, deep=True
        )
        self._rows[saved.id] = saved
        return saved.model_copy(deep=True)

    async def get(self, departure_id: str) -> Departure:
        """The departure with that id; NotFound if there is none."""
        try:
            return self._rows[departure_id].model_copy(deep=True)
        except KeyError:
            raise NotFound(f"no departure with id {departure_id}") from None

    async def get_by_external_id(self, external_id: str) -> Departure | None:
        """The departure HR's system knows by `external_id`, if stored."""
        for departure in self._rows.values():
            if departure.external_id == external_id:
                return departure.model_copy(deep=True)
        return None

    async def update(self, departure: Departure) -> Departure:
        """Save if the stored version equals `departure.version`; the saved copy, version + 1."""
        stored = self._rows.get(departure.id)
        if stored is None:
            raise NotFound(f"no departure with id {departure.id}")
        if stored.version != departure.version:
            raise ConcurrentUpdate(
                f"departure {departure.id} changed since version {departure.version} was read"
            )
        saved = departure.model_copy(
            update={"version": departure.version + 1, "updated_at": self._clock.now()}, deep=True
        )
        self._rows[saved.id] = saved
        return saved.model_copy(deep=True)

    async def list_for_person(self, upn: str) -> list[Departure]:
        """Departures where `upn` is the leaver, the manager or the interviewer."""
        person = upn.strip().lower()
        found = [
            d
            for d in self._rows.values()
            if person in (d.leaver_upn, d.manager_upn, d.interviewer_upn)
        ]
        return [d.model_copy(deep=True) for d in sorted(found, key=lambda d: d.last_working_day)]

    async def list_open(self, limit: int = 50) -> list[Departure]:
        """Departures not yet closed or cancelled, soonest last working day first."""
        found = [d for d in self._rows.values() if d.status not in _FINISHED]
        found.sort(key=lambda d: d.last_working_day)
        return [d.model_copy(deep=True) for d in found[:limit]]

    def bump(self, departure_id: str, **values: Any) -> Departure:
        """Someone else saves the departure (a concurrent change): its version moves on."""
        stored = self._rows[departure_id]
        self._rows[departure_id] = stored.model_copy(
            update={**values, "version": stored.version + 1}
        )
        return self._rows[departure_id]


class FakeAuditLog:
    """journey.ports.AuditLog in a list."""

    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    async def record(self, entry: AuditEntry) -> None:
        self.entries.append(entry)

    async def for_departure(self, departure_id: str) -> list[AuditEntry]:
        return [entry for entry in self.entries if entry.departure_id == departure_id]

    def actions(self, departure_id: str | None = None) -> list[str]:
        """The actions written, in order (for one departure when given)."""
        return [
            entry.action
            for entry in self.entries
            if departure_id is None or entry.departure_id == departure_id
        ]


@dataclass
class Told:
    """One thing a service asked the notifier to tell someone."""

    what: str
    departure: Departure
    extra: tuple[Any, ...] = ()


@dataclass
class FakeNotifier:
    """journey.notify.JourneyNotifier and journey.after_conversation.AfterNotifier, recorded."""

    offer_problem: Reach | None = None  # what `offer` answers: None = on its way
    told: list[Told] = field(default_factory=list)

    def kinds(self) -> list[str]:
        """What was asked, in order."""
        return [told.what for told in self.told]

    def _note(self, what: str, departure: Departure, *extra: Any) -> None:
        self.told.append(Told(what, departure, extra))

    async def offer(self, departure: Departure) -> Reach | None:
        self._note("offer", departure)
        return self.offer_problem

    async def survey_instead(self, departure: Departure) -> Reach | None:
        self._note("survey_instead", departure)
        return self.offer_problem

    async def invitation(self, departure: Departure) -> tuple[str, str]:
        return "Exit conversation", "<p>Your exit conversation</p>"

    async def task_changed(self, departure: Departure) -> None:
        self._note("task_changed", departure)

    async def booked(self, departure: Departure) -> None:
        self._note("booked", departure)

    async def ask_for_times(self, departure: Departure) -> None:
        self._note("ask_for_times", departure)

    async def slots_to_leaver(self, departure: Departure, slots: Sequence[Slot]) -> None:
        self._note("slots_to_leaver", departure, tuple(slots))

    async def booking_cancelled_to_leaver(self, departure: Departure) -> None:
        self._note("booking_cancelled_to_leaver", departure)

    async def departure_cancelled(self, departure: Departure, *, was_booked: bool) -> None:
        self._note("departure_cancelled", departure, was_booked)

    async def reminders(self, departure: Departure, planned: Sequence[Any]) -> None:
        self._note("reminders", departure, tuple(planned))

    async def handover_changed(self, departure: Departure) -> None:
        self._note("handover_changed", departure)

    async def thank_you(self, departure: Departure, offers: Sequence[Gesture]) -> None:
        self._note("thank_you", departure, tuple(offers))

    async def wishes(self, departure: Departure, chosen: Sequence[Gesture]) -> None:
        self._note("wishes", departure, tuple(chosen))


@dataclass
class FakeCalendar:
    """journey.people.Calendar: busy times as set by the test; meetings recorded."""

    busy: dict[str, list[BusyInterval]] = field(default_factory=dict)
    meetings: dict[str, tuple[str, datetime, datetime]] = field(default_factory=dict)
    cancelled: list[str] = field(default_factory=list)
    locations: dict[str, str] = field(default_factory=dict)  # event id -> place, in person
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def busy_times(
        self, upns: list[str], start: datetime, end: datetime
    ) -> dict[str, list[BusyInterval]]:
        return {upn: [b for b in self.busy.get(upn, []) if b.overlaps(start, end)] for upn in upns}

    async def create_meeting(
        self,
        organizer_upn: str,
        attendee_upns: list[str],
        subject: str,
        body_html: str,
        start: datetime,
        end: datetime,
        time_zone: str,
        *,
        location: str | None = None,
    ) -> CreatedMeeting:
        event_id = f"event-{next(self._ids)}"
        self.meetings[event_id] = (organizer_upn, start, end)
        if location is not None:
            self.locations[event_id] = location
            return CreatedMeeting(event_id=event_id)
        return CreatedMeeting(event_id=event_id, join_url=f"https://teams.example/{event_id}")

    async def cancel_meeting(self, organizer_upn: str, event_id: str) -> None:
        self.cancelled.append(event_id)
        self.meetings.pop(event_id, None)

    def block(self, upn: str, start: datetime, end: datetime) -> None:
        """Make `upn` busy from `start` to `end` (someone booked it meanwhile)."""
        self.busy.setdefault(upn, []).append(BusyInterval(start=start, end=end))


@dataclass
class FakeDirectory:
    """journey.people.Directory and TimeZones over a list of people and their managers."""

    people: list[Person] = field(default_factory=list)
    managers: dict[str, str] = field(default_factory=dict)  # upn -> manager's upn
    zones: dict[str, str] = field(default_factory=dict)  # object id -> IANA zone

    async def find_person(self, email_or_upn: str) -> Person | None:
        key = email_or_upn.strip().lower()
        return next((p for p in self.people if key in (p.upn, p.id, p.mail)), None)

    async def manager_of(self, upn: str) -> Person | None:
        manager = self.managers.get(upn.strip().lower())
        return None if manager is None else await self.find_person(manager)

    async def time_zone_of(self, person_id: str) -> str | None:
        return self.zones.get(person_id)


class FakeSurveyStore:
    """journey.survey_service.SurveyStore in dicts, with the revision check of the SQL one."""

    def __init__(self) -> None:
        self._progress: dict[str, SurveyProgress] = {}
        self._answers: dict[str, dict[str, Answer]] = {}

    async def progress(self, departure_id: str) -> SurveyProgress | None:
        return self._progress.get(departure_id)

    async def begin(self, progress: SurveyProgress) -> SurveyProgress:
        if progress.departure_id in self._progress:
            raise AlreadyExists(f"the survey of {progress.departure_id} is started")
        self._progress[progress.departure_id] = progress
        return progress

    async def save(
        self,
        progress: SurveyProgress,
        *,
        expected_revision: int,
        put: Sequence[Answer] = (),
        remove: Collection[str] = (),
        remove_all: bool = False,
    ) -> SurveyProgress:
        stored = self._progress.get(progress.departure_id)
        if stored is None or stored.revision != expected_revision:
            raise ConcurrentUpdate(f"the survey of {progress.departure_id} changed")
        answers = self._answers.setdefault(progress.departure_id, {})
        if remove_all:
            answers.clear()
        for question_id in remove:
            answers.pop(question_id, None)
        answers.update({answer.question_id: answer for answer in put})
        self._progress[progress.departure_id] = progress
        return progress

    async def answers(
        self, departure_id: str, attributions: frozenset[Attribution], *, sent_only: bool
    ) -> list[Answer]:
        progress = self._progress.get(departure_id)
        if progress is None or (sent_only and progress.status is not SurveyStatus.SENT):
            return []
        stored = self._answers.get(departure_id, {}).values()
        return [answer for answer in stored if answer.attribution in attributions]


class FakeNotesStore:
    """journey.after_conversation.NotesStore in dicts, with the revision check of the SQL one."""

    def __init__(self) -> None:
        self._notes: dict[str, ConversationNotes] = {}
        self._wishes: dict[str, Wishes] = {}

    async def notes(self, departure_id: str) -> ConversationNotes | None:
        return self._notes.get(departure_id)

    async def save_notes(
        self, notes: ConversationNotes, *, expected_revision: int
    ) -> ConversationNotes:
        stored = self._notes.get(notes.departure_id)
        if (stored.revision if stored else 0) != expected_revision:
            raise ConcurrentUpdate(f"the notes of {notes.departure_id} changed")
        self._notes[notes.departure_id] = notes
        return notes

    async def wishes(self, departure_id: str) -> Wishes | None:
        return self._wishes.get(departure_id)

    async def save_wishes(self, wishes: Wishes) -> None:
        self._wishes[wishes.departure_id] = wishes


class FakeConversationRefs:
    """journey.ports.ConversationRefStore in a dict."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._refs: dict[str, ConversationRef] = {}

    async def save(self, ref: ConversationRef) -> None:
        # Re-inserted so the dict's order is the order of the last saves, as updated_at is.
        self._refs.pop(ref.user_key, None)
        self._refs[ref.user_key] = ref

    async def get(self, user_key: str) -> ConversationRef | None:
        return self._refs.get(user_key)

    async def find_by_upn(self, upn: str) -> ConversationRef | None:
        person = upn.strip().lower()
        return next((r for r in self._refs.values() if (r.upn or "").lower() == person), None)

    async def mark_welcomed(self, user_key: str) -> bool:
        ref = self._refs.get(user_key)
        if ref is None or ref.welcomed_at is not None:
            return False
        self._refs[user_key] = ref.model_copy(update={"welcomed_at": self._clock.now()})
        return True

    async def latest_service_url(self) -> tuple[str, str | None] | None:
        """The service URL and tenant of the most recently saved conversation, if any."""
        latest = next(reversed(self._refs.values()), None)
        return None if latest is None else (latest.service_url, latest.tenant_id)
