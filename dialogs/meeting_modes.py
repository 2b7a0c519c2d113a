"""How and where the conversation is held, in Teams: the interviewer's "hold it in person" and
"agreed outside the bot" (HR's too, through the form card), and the leaver's card when a last
day today or tomorrow leaves no time. Each verb goes to journey.meeting_modes, which checks who
asks before it changes anything."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from pydantic import Field, field_validator

from cards.booking import waiting_card
from cards.meeting_modes import outside_form_card, recorded_card, short_notice_card
from config.survey_plan import survey_plan
from dialogs.after_conversation import full_task_card
from dialogs.card_action import DepartureAction, asker_of
from dialogs.router import InvokeResult
from dialogs.turn import DialogTurn, wired
from journey import short_notice
from journey.departure import Departure
from journey.meeting_modes import MeetingModes, PlaceRefused, TimeRefused
from journey.survey import may_take_survey

# Generous: the domain's own limit is refused with its own text, and audited.
RAW_PLACE_MAX = 2000


class InPerson(DepartureAction):
    """The "save the place" button, with the place as typed."""

    place: str = Field("", max_length=RAW_PLACE_MAX)


class OutsideBooked(DepartureAction):
    """A time agreed outside the bot: Teams sends the date and time inputs as text."""

    outside_day: date
    outside_time: time
    outside_place: str = Field("", max_length=RAW_PLACE_MAX)

    @field_validator("outside_time", mode="before")
    @classmethod
    def _wall_clock(cls, value: Any) -> Any:
        # Input.Time sends "HH:MM"; seconds or a zone would be a forged card.
        if isinstance(value, str) and len(value) != 5:
            raise ValueError("a time as HH:MM")
        return value


class OutsideHeld(DepartureAction):
    """The "it has taken place" button (the form's inputs are not sent with it)."""

    outside_place: str = Field("", max_length=RAW_PLACE_MAX)


def meetings_of(turn: DialogTurn) -> MeetingModes:
    """The meeting modes service wired in create_app."""
    return wired(turn.services.meetings, "the meeting modes service")


async def hold_in_person(turn: DialogTurn, payload: InPerson) -> InvokeResult:
    """The place is kept; a booked meeting moves there; the card shows it."""
    departure = await meetings_of(turn).hold_in_person(
        asker_of(turn), payload.departure, payload.place
    )
    return await _answer(turn, departure)


async def record_booked(turn: DialogTurn, payload: OutsideBooked) -> InvokeResult:
    """A time agreed outside the bot is recorded; the reminders follow it."""
    departure = await meetings_of(turn).record_booked(
        asker_of(turn),
        payload.departure,
        payload.outside_day,
        payload.outside_time,
        payload.outside_place,
    )
    return await _answer(turn, departure)


async def record_held(turn: DialogTurn, payload: OutsideHeld) -> InvokeResult:
    """Held outside the bot: the notes follow, the leaver is thanked."""
    departure = await meetings_of(turn).record_held(
        asker_of(turn), payload.departure, payload.outside_place or None
    )
    return await _answer(turn, departure)


async def show_form(turn: DialogTurn, payload: DepartureAction) -> InvokeResult:
    """The form to record a conversation agreed outside the bot (HR's way in)."""
    departure = await meetings_of(turn).open(asker_of(turn), payload.departure)
    return InvokeResult(card=outside_form_card(turn.speaker(departure.unit), departure))


async def no_time_card(turn: DialogTurn, departure: Departure) -> dict[str, Any]:
    """No time found for the leaver: at short notice the survey (and HR is told), else wait."""
    say = turn.speaker(departure.unit)
    meetings = turn.services.meetings
    if meetings is None or not await meetings.no_time_found(asker_of(turn), departure.id):
        return waiting_card(say, departure, found_none=True)
    today = short_notice.today_of(departure, turn.services.clock.now())
    survey = may_take_survey(departure, survey_plan(turn.config, departure.unit), today)
    return short_notice_card(say, departure, survey=survey)


def place_refused(turn: DialogTurn, refused: PlaceRefused) -> InvokeResult:
    """Why the place was not kept, in the person's words; nothing changed."""
    return InvokeResult(message=turn.text(f"meeting.refused.place_{refused.problem}"))


def time_refused(turn: DialogTurn, refused: TimeRefused) -> InvokeResult:
    """Why the time agreed outside was not recorded; nothing changed."""
    departure = refused.departure
    last_day = turn.speaker(departure.unit).day(departure.last_working_day)
    key = f"meeting.refused.{refused.problem}"
    return InvokeResult(message=turn.text(key, unit=departure.unit or None, last_day=last_day))


async def _answer(turn: DialogTurn, departure: Departure) -> InvokeResult:
    """The interviewer's task card as it is now; HR a short card of what was recorded."""
    upn = (turn.actor.upn or "").strip().lower()
    if upn and upn == departure.interviewer_upn:
        return InvokeResult(card=await full_task_card(turn, departure))
    return InvokeResult(card=recorded_card(turn.speaker(departure.unit), departure))
