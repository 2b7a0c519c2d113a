"""One in-memory world for the domain services: every port a testkit.fakes double."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from journey import booking, offer
from journey.access import Asker
from journey.after_conversation import AfterConversation, Gesture
from journey.booking import InterviewerOption, UnitRules
from journey.clock import FixedClock
from journey.departure import Departure, InterviewerKind
from journey.flow import DepartureFlow
from journey.people import Person
from journey.registration import RegistrationService
from journey.survey import QuestionKind, QuestionRule, SectionRule, SurveyPlan
from journey.survey_service import Surveys
from testkit.fakes import (
    FakeAuditLog,
    FakeCalendar,
    FakeDepartureRepository,
    FakeDirectory,
    FakeNotesStore,
    FakeNotifier,
    FakeSurveyStore,
)

# Monday 23 November 2026, 09:00 in Copenhagen.
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LEAVER = Asker(user_id="u-sofie", upn="sofie@contoso.example")
MANAGER = Asker(user_id="u-mads", upn="mads@contoso.example")
PARTNER = Asker(user_id="u-peter", upn="peter@contoso.example")
STRANGER = Asker(user_id="u-eve", upn="eve@contoso.example")
HR = Asker(user_id="u-hanne", upn="hanne@contoso.example", is_hr=True)
RULES = UnitRules(
    minutes=60,
    interviewers=(InterviewerKind.MANAGER, InterviewerKind.HR_PARTNER),
    hr_partners=("peter@contoso.example",),
    working_hours=(time(8), time(16)),
)
PLAN = SurveyPlan(
    question_set="standard",
    sections=(
        SectionRule(
            id="work",
            questions=(
                QuestionRule(id="climate", kind=QuestionKind.RATING, options=("1", "2", "3")),
                QuestionRule(id="comment", kind=QuestionKind.FREE_TEXT),
            ),
        ),
    ),
)
PEOPLE = [
    Person(id="id-sofie", upn="sofie@contoso.example", display_name="Sofie Andersen"),
    Person(id="id-mads", upn="mads@contoso.example", display_name="Mads Berg"),
    Person(id="id-peter", upn="peter@contoso.example", display_name="Peter Holm"),
]


@dataclass(frozen=True)
class _Calendar:
    time_zone: str = "Europe/Copenhagen"


@dataclass(frozen=True)
class _Unit:
    calendar: _Calendar = field(default_factory=_Calendar)


class Organisation:
    """journey.registration.Organisation with one unit, "social-care"."""

    def has_unit(self, unit_id: str | None) -> bool:
        return unit_id in (None, "social-care")

    def unit(self, unit_id: str | None) -> _Unit:
        return _Unit()


@dataclass
class EventsHeard:
    """journey.ports.DepartureEvents that notes what registration handed on."""

    heard: list[tuple[str, str]] = field(default_factory=list)

    async def registered(self, departure: Departure) -> None:
        self.heard.append(("registered", departure.id))

    async def changed(self, before: Departure, after: Departure) -> None:
        self.heard.append(("changed", after.id))

    async def cancelled(self, departure: Departure) -> None:
        self.heard.append(("cancelled", departure.id))


@dataclass
class World:
    """The services wired to the doubles, at a fixed time."""

    clock: FixedClock
    departures: FakeDepartureRepository
    audit: FakeAuditLog
    notifier: FakeNotifier
    calendar: FakeCalendar
    directory: FakeDirectory
    survey_store: FakeSurveyStore
    notes: FakeNotesStore
    events: EventsHeard
    flow: DepartureFlow
    surveys: Surveys
    after: AfterConversation
    registration: RegistrationService
    sent: list[str]

    async def departure(self, **changes: object) -> Departure:
        """A stored departure, registered for Sofie (manager Mads), with `changes`."""
        values: dict[str, object] = {
            "leaver_upn": LEAVER.upn,
            "leaver_name": "Sofie Andersen",
            "manager_upn": MANAGER.upn,
            "unit": "social-care",
            "last_working_day": date(2026, 12, 18),
        }
        return await self.departures.add(Departure(**{**values, **changes}))  # type: ignore[arg-type]

    async def accepted_with_partner(self) -> Departure:
        """Sofie accepted and chose Peter (HR partner); nothing proposed yet."""
        departure = offer.accept(offer.offered(await self.departure()), NOW)
        option = InterviewerOption(InterviewerKind.HR_PARTNER, PARTNER.upn or "")
        chosen = booking.choose_interviewer(departure, option, RULES, "Peter Holm")
        return await self.departures.update(chosen)

    async def stored(self, departure_id: str) -> Departure:
        return await self.departures.get(departure_id)


def build_world() -> World:
    """Every service wired to fresh doubles at NOW."""
    clock = FixedClock(NOW)
    departures = FakeDepartureRepository(clock)
    audit, notifier, calendar = FakeAuditLog(), FakeNotifier(), FakeCalendar()
    directory = FakeDirectory(people=list(PEOPLE), managers={LEAVER.upn or "": MANAGER.upn or ""})
    survey_store, notes, events, sent = FakeSurveyStore(), FakeNotesStore(), EventsHeard(), []
    flow = DepartureFlow(
        departures=departures,
        calendar=calendar,
        directory=directory,
        audit=audit,
        clock=clock,
        rules=lambda _unit: RULES,
        notifier=notifier,
    )

    async def told(departure: Departure) -> None:
        sent.append(departure.id)

    surveys = Surveys(
        departures=departures,
        store=survey_store,
        audit=audit,
        clock=clock,
        plans=lambda _unit: PLAN,
        sent=told,
    )
    after = AfterConversation(
        departures=departures,
        store=notes,
        audit=audit,
        clock=clock,
        offers=lambda _unit: (Gesture.REFERENCE_LETTER, Gesture.ALUMNI),
        notifier=notifier,
        replan=flow.replan,
    )
    registration = RegistrationService(departures, directory, Organisation, clock, audit, events)
    return World(
        clock, departures, audit, notifier, calendar, directory, survey_store, notes, events,
        flow, surveys, after, registration, sent,
    )  # fmt: skip
