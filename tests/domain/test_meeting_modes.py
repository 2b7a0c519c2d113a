"""In person, agreed outside the bot, and short notice, on in-memory doubles at a fixed time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import pytest
from pydantic import ValidationError

from journey import reminders, short_notice
from journey.access import Asker
from journey.departure import Departure, DepartureStatus, InterviewerKind, MeetingMode
from journey.meeting_modes import MeetingModes, PlaceRefused, TimeRefused, clean_place
from journey.notify import MessageKind
from journey.refusals import NotAllowed, Reason, StaleAction
from tests.domain.world import HR, LEAVER, MANAGER, NOW, PARTNER, STRANGER, World

TOMORROW = date(2026, 11, 24)  # NOW is Monday 23 November 2026, 09:00 in Copenhagen


@dataclass
class Told:
    """journey.meeting_modes.MeetingNotifier that notes who was told what."""

    heard: list[tuple[str, str]] = field(default_factory=list)

    async def invitation(self, departure: Departure) -> tuple[str, str]:
        return "Exit conversation", "<p>In person</p>"

    async def task_changed(self, departure: Departure) -> None:
        self.heard.append(("task_changed", departure.id))

    async def booked(self, departure: Departure) -> None:
        self.heard.append(("booked", departure.id))

    async def meeting_changed(self, departure: Departure) -> None:
        self.heard.append(("meeting_changed", departure.id))

    async def held(self, departure: Departure) -> None:
        self.heard.append(("held", departure.id))

    async def short_notice(self, departure: Departure) -> None:
        self.heard.append(("short_notice", departure.id))

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.heard]


def modes_of(world: World) -> tuple[MeetingModes, Told]:
    told = Told()
    modes = MeetingModes(
        departures=world.departures,
        calendar=world.calendar,
        audit=world.audit,
        clock=world.clock,
        notifier=told,
        minutes=lambda _unit: 60,
        replan=world.flow.replan,
    )
    return modes, told


async def booked_with_partner(world: World) -> Departure:
    departure = await world.accepted_with_partner()
    proposal = await world.flow.propose_again(LEAVER, departure.id)
    await world.flow.pick(LEAVER, departure.id, proposal.slots[0].key)
    return await world.stored(departure.id)


# --- the place ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("Lokale 2\nRådhuset", "control"),
        ("Lokale 2\x07", "control"),
        ("Lokale \u202e2", "control"),  # a bidi override would show the place reversed
        ("   ", "empty"),
        ("x" * 201, "too_long"),
    ],
)
def test_a_place_that_cannot_be_one_line_of_text_is_refused(typed: str, problem: str) -> None:
    with pytest.raises(PlaceRefused) as refused:
        clean_place(typed, required=True)
    assert refused.value.problem == problem


def test_a_place_is_kept_as_typed_without_the_spaces_around_it() -> None:
    assert clean_place("  Mødelokale 2, Rådhuset ", required=True) == "Mødelokale 2, Rådhuset"
    assert clean_place("", required=False) is None


def test_a_teams_meeting_still_needs_its_event_but_one_in_person_waits_for_the_booking() -> None:
    values = {
        "leaver_upn": "sofie@contoso.example",
        "manager_upn": "mads@contoso.example",
        "unit": "social-care",
        "last_working_day": TOMORROW,
        "meeting_start": NOW,
        "meeting_end": NOW + timedelta(hours=1),
    }
    with pytest.raises(ValidationError, match="event id"):
        Departure.model_validate(values)
    outside = Departure.model_validate({**values, "meeting_mode": MeetingMode.OUTSIDE})
    assert outside.meeting_event_id is None
    with pytest.raises(ValidationError, match="place"):
        Departure.model_validate({**values, "meeting_mode": MeetingMode.IN_PERSON})
    with pytest.raises(ValidationError, match="outside"):
        Departure.model_validate(
            {**values, "meeting_mode": MeetingMode.OUTSIDE, "meeting_event_id": "event-1"}
        )


async def test_a_place_before_booking_makes_the_booking_in_person(world: World) -> None:
    modes, _ = modes_of(world)
    departure = await world.accepted_with_partner()

    saved = await modes.hold_in_person(PARTNER, departure.id, " Mødelokale 2 ")

    assert (saved.meeting_mode, saved.meeting_place) == (MeetingMode.IN_PERSON, "Mødelokale 2")
    assert world.calendar.meetings == {}  # nothing booked yet: nothing to move
    assert world.audit.actions(departure.id)[-1] == "meeting.in_person"
    proposal = await world.flow.propose_again(LEAVER, departure.id)
    await world.flow.pick(LEAVER, departure.id, proposal.slots[0].key)
    booked = await world.stored(departure.id)
    assert booked.meeting_event_id is not None
    assert world.calendar.locations == {booked.meeting_event_id: "Mødelokale 2"}
    assert booked.meeting_join_url is None


async def test_a_booked_teams_meeting_moves_to_the_place_at_the_same_time(world: World) -> None:
    modes, told = modes_of(world)
    before = await booked_with_partner(world)
    teams_event = before.meeting_event_id

    saved = await modes.hold_in_person(HR, before.id, "Kantinen")

    assert saved.status is DepartureStatus.BOOKED
    assert (saved.meeting_start, saved.meeting_end) == (before.meeting_start, before.meeting_end)
    assert saved.meeting_event_id != teams_event
    assert saved.meeting_join_url is None
    assert world.calendar.cancelled == [teams_event]
    assert world.calendar.locations == {saved.meeting_event_id: "Kantinen"}
    assert {"task_changed", "meeting_changed", "booked"} <= set(told.kinds())
    entry = world.audit.entries[-1]
    assert (entry.action, entry.detail) == ("meeting.in_person", {"booked": "yes"})
    assert "Kantinen" not in str(world.audit.entries)  # what someone typed stays out


async def test_a_place_with_control_characters_changes_nothing(world: World) -> None:
    modes, told = modes_of(world)
    before = await booked_with_partner(world)

    with pytest.raises(PlaceRefused):
        await modes.hold_in_person(PARTNER, before.id, "Lokale 2\r\nBcc: someone")

    after = await world.stored(before.id)
    assert after == before
    assert world.calendar.cancelled == [] and world.calendar.locations == {}
    assert told.heard == []
    entry = world.audit.entries[-1]
    assert (entry.action, entry.detail) == ("meeting.refused", {"reason": "place_control"})


@pytest.mark.parametrize("asker", [LEAVER, MANAGER, STRANGER])
async def test_only_the_interviewer_and_hr_set_a_place(world: World, asker: Asker) -> None:
    modes, told = modes_of(world)
    before = await booked_with_partner(world)
    with pytest.raises(NotAllowed) as refused:
        await modes.hold_in_person(asker, before.id, "Kantinen")
    assert await world.stored(before.id) == before
    assert told.heard == [] and world.calendar.locations == {}
    # Audited once by dialogs.router, saying whom it is for.
    assert (refused.value.reason, refused.value.departure_id) == (
        Reason.NOT_INTERVIEWER_OR_HR,
        before.id,
    )


async def test_a_conversation_that_has_begun_gets_no_new_place(world: World) -> None:
    modes, _ = modes_of(world)
    before = await booked_with_partner(world)
    assert before.meeting_start is not None
    begun = before.meeting_start + timedelta(minutes=5) - world.clock.now()
    world.clock.advance(seconds=begun.total_seconds())
    with pytest.raises(StaleAction):
        await modes.hold_in_person(PARTNER, before.id, "Kantinen")
    assert await world.stored(before.id) == before


# --- agreed outside the bot --------------------------------------------------------------


async def test_a_time_agreed_outside_is_booked_without_an_event_and_reminded(
    world: World,
) -> None:
    modes, told = modes_of(world)
    departure = await world.departure(status=DepartureStatus.OFFERED)

    saved = await modes.record_booked(HR, departure.id, date(2026, 12, 2), time(13, 30), "Kantinen")

    assert saved.status is DepartureStatus.BOOKED
    assert (saved.meeting_mode, saved.meeting_place) == (MeetingMode.OUTSIDE, "Kantinen")
    assert saved.meeting_start == datetime(2026, 12, 2, 12, 30, tzinfo=UTC)  # 13:30 CET
    assert saved.meeting_end == saved.meeting_start + timedelta(hours=1)
    assert saved.meeting_event_id is None and world.calendar.meetings == {}
    assert "meeting.outside_booked" in world.audit.actions(departure.id)
    assert "meeting_changed" in told.kinds()
    planned = reminders.plan(saved, reminders.ReminderRules(), world.clock.now())
    reminded = [p for p in planned if p.kind is MessageKind.CONVERSATION_REMINDER]
    assert [p.recipient for p in reminded] == [LEAVER.upn]  # nobody chosen in the bot
    assert reminded[0].due_at < saved.meeting_start


@pytest.mark.parametrize(
    ("day", "at", "problem"),
    [(date(2026, 11, 23), time(8, 30), "past"), (date(2026, 12, 21), time(10), "after_last_day")],
)
async def test_a_time_outside_that_cannot_be_is_refused(
    world: World, day: date, at: time, problem: str
) -> None:
    modes, told = modes_of(world)
    departure = await world.accepted_with_partner()
    with pytest.raises(TimeRefused) as refused:
        await modes.record_booked(PARTNER, departure.id, day, at, None)
    assert refused.value.problem == problem
    assert await world.stored(departure.id) == departure
    assert told.heard == []


async def test_held_outside_leads_to_the_notes_and_thanks_once(world: World) -> None:
    modes, told = modes_of(world)
    departure = await world.accepted_with_partner()

    saved = await modes.record_held(PARTNER, departure.id, None)
    again = await modes.record_held(PARTNER, departure.id, None)

    assert saved.status is DepartureStatus.HELD and again.version == saved.version
    assert saved.meeting_mode is MeetingMode.OUTSIDE
    assert told.kinds().count("held") == 1
    # The notes step follows: the interviewer writes and reads them now.
    notes = await world.after.notes_for(PARTNER, saved)
    assert notes is not None
    _, written = await world.after.record(
        PARTNER, departure.id, revision=notes.revision, texts={}, held=False
    )
    assert written.revision == notes.revision + 1


async def test_a_booked_conversation_cannot_be_recorded_outside_as_well(world: World) -> None:
    modes, _ = modes_of(world)
    before = await booked_with_partner(world)
    with pytest.raises(StaleAction):
        await modes.record_booked(PARTNER, before.id, date(2026, 12, 2), time(10), None)
    assert await world.stored(before.id) == before
    assert world.audit.entries[-1].detail == {"reason": "stale"}


# --- short notice ------------------------------------------------------------------------


async def test_a_last_day_tomorrow_offers_times_from_today_on(world: World) -> None:
    departure = await world.departure(status=DepartureStatus.ACCEPTED, last_working_day=TOMORROW)

    proposal = await world.flow.choose(
        LEAVER, departure.id, InterviewerKind.HR_PARTNER, PARTNER.upn or ""
    )

    days = {slot.start.astimezone(departure.zone).date() for slot in proposal.slots}
    assert days == {NOW.date(), TOMORROW}
    assert min(slot.start for slot in proposal.slots) >= NOW + timedelta(hours=1)


async def test_a_last_day_today_still_finds_an_hour_today(world: World) -> None:
    departure = await world.departure(status=DepartureStatus.ACCEPTED, last_working_day=NOW.date())
    proposal = await world.flow.choose(
        LEAVER, departure.id, InterviewerKind.HR_PARTNER, PARTNER.upn or ""
    )
    assert proposal.slots
    assert {slot.start.astimezone(departure.zone).date() for slot in proposal.slots} == {NOW.date()}


async def test_no_time_at_short_notice_tells_hr_once_per_press(world: World) -> None:
    modes, told = modes_of(world)
    departure = await world.departure(status=DepartureStatus.ACCEPTED, last_working_day=TOMORROW)
    world.calendar.block(LEAVER.upn or "", NOW, NOW + timedelta(days=2))

    proposal = await world.flow.choose(
        LEAVER, departure.id, InterviewerKind.HR_PARTNER, PARTNER.upn or ""
    )
    assert proposal.slots == []
    assert await modes.no_time_found(LEAVER, departure.id) is True

    assert told.kinds() == ["short_notice"]
    assert world.audit.actions(departure.id)[-1] == "short_notice.no_time"


async def test_no_time_weeks_ahead_is_not_short_notice(world: World) -> None:
    modes, told = modes_of(world)
    departure = await world.accepted_with_partner()
    assert await modes.no_time_found(LEAVER, departure.id) is False
    assert await modes.no_time_found(STRANGER, departure.id) is False
    assert told.heard == []


def test_the_offer_says_time_is_short_when_registered_a_day_before() -> None:
    values = {
        "leaver_upn": "sofie@contoso.example",
        "manager_upn": "mads@contoso.example",
        "unit": "social-care",
        "created_at": NOW,
    }
    assert short_notice.registered_at_short_notice(
        Departure.model_validate({**values, "last_working_day": TOMORROW})
    )
    assert not short_notice.registered_at_short_notice(
        Departure.model_validate({**values, "last_working_day": date(2026, 11, 25)})
    )
