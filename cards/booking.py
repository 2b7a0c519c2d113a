"""Choosing a time and the booked conversation, for the leaver and the person holding it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cards import verbs
from cards.base import (
    Element,
    about,
    adaptive_card,
    button_row,
    execute,
    facts,
    heading,
    notice_card,
    paragraph,
    typed,
)
from cards.locale import Speaker
from cards.meeting_modes import where_block
from cards.offer import leaver_name
from cards.plan_changes import leaver_plan_buttons
from journey.departure import Departure, MeetingMode
from journey.slots import Slot

PICK = verbs.BOOKING_PICK
NONE_FIT = verbs.BOOKING_NONE_FIT
RESCHEDULE = verbs.BOOKING_RESCHEDULE
CANCEL = verbs.BOOKING_CANCEL
PROPOSE = verbs.BOOKING_PROPOSE


def interviewer_name(departure: Departure) -> str:
    """How cards name the person holding the conversation."""
    return departure.interviewer_name or departure.interviewer_upn or ""


def meeting_time(say: Speaker, departure: Departure) -> str | None:
    """The booked time in the reader's language and the departure's zone."""
    if departure.meeting_start is None or departure.meeting_end is None:
        return None
    return say.span(departure.meeting_start, departure.meeting_end, departure.zone)


def join_button(say: Speaker, departure: Departure) -> list[Element]:
    """Opens the Teams meeting, when the calendar gave a link."""
    if not departure.meeting_join_url:
        return []
    return [
        {"type": "Action.OpenUrl", "title": say("booking.join"), "url": departure.meeting_join_url}
    ]


def change_buttons(say: Speaker, departure: Departure) -> list[Element]:
    """Move or cancel the booked conversation (leaver and interviewer alike)."""
    if departure.meeting_mode is MeetingMode.OUTSIDE and not departure.interviewer_upn:
        return []  # agreed outside with nobody chosen in the bot: no times to offer instead
    data = about(departure)
    return [
        execute(say("booking.reschedule"), RESCHEDULE, data),
        execute(say("booking.cancel"), CANCEL, data, style="destructive"),
    ]


def slots_card(
    say: Speaker,
    departure: Departure,
    slots: Sequence[Slot],
    minutes: int,
    *,
    note: str | None = None,
) -> dict[str, Any]:
    """The times free for both as buttons, written out in the leaver's language."""
    body: list[Element] = [heading(say("booking.title"))]
    if note:
        body.append(paragraph(note))
    body.append(
        paragraph(say("booking.body", interviewer=interviewer_name(departure), minutes=minutes))
    )
    body += where_block(say, departure)  # a place set before booking: the times are there
    # One button per row, in time order: a list to read down, not a row to squeeze.
    body += [
        button_row(
            execute(
                say.span(slot.start, slot.end, departure.zone),
                PICK,
                about(departure, slot=slot.key),
            )
        )
        for slot in slots
    ]
    return adaptive_card(
        body,
        [
            execute(say("booking.none_fit"), NONE_FIT, about(departure)),
            *leaver_plan_buttons(say, departure),
        ],
        lang=say.lang,
    )


def waiting_card(say: Speaker, departure: Departure, *, found_none: bool) -> dict[str, Any]:
    """No times to pick: the interviewer was asked to suggest some."""
    text = (
        say("booking.no_slots")
        if found_none
        else say("booking.asked_interviewer", interviewer=interviewer_name(departure))
    )
    # Stuck without times: someone else may have some, or the leaver may let it go.
    buttons = leaver_plan_buttons(say, departure)
    return notice_card(say("booking.title"), text, buttons, lang=say.lang)


def confirmation_card(
    say: Speaker, departure: Departure, *, note: str | None = None
) -> dict[str, Any]:
    """The leaver's booked conversation: when, with whom, the link; move or cancel it."""
    body: list[Element] = [heading(say("state.booked"))]
    if note:
        body.append(paragraph(note, subtle=True))
    # Agreed outside the bot: no invitation from the bot comes.
    outside = departure.meeting_mode is MeetingMode.OUTSIDE
    body.append(
        paragraph(
            say(
                "meeting.outside_confirmed" if outside else "booking.confirmed",
                when=meeting_time(say, departure) or "",
                interviewer=interviewer_name(departure),
            )
        )
    )
    body += where_block(say, departure)
    changes = [*change_buttons(say, departure), *leaver_plan_buttons(say, departure)]
    return adaptive_card(body, [*join_button(say, departure), *changes], lang=say.lang)


def cancelled_booking_card(say: Speaker, departure: Departure) -> dict[str, Any]:
    """The booked conversation is cancelled; the leaver can choose another time."""
    return notice_card(
        say("booking.cancelled_title"),
        say("booking.cancelled"),
        [execute(say("booking.reschedule"), PROPOSE, about(departure))],
        lang=say.lang,
    )


def interviewer_booked_card(say: Speaker, departure: Departure) -> dict[str, Any]:
    """The interviewer's confirmation: who, when, the link; move or cancel it."""
    return adaptive_card(
        [
            heading(say("task.title", name=leaver_name(departure))),
            paragraph(say("state.booked")),
            facts(
                [
                    (say("task.leaver"), typed(leaver_name(departure))),
                    (say("task.when"), meeting_time(say, departure) or "–"),
                ]
            ),
            *where_block(say, departure),
        ],
        [*join_button(say, departure), *change_buttons(say, departure)],
        lang=say.lang,
    )


def booking_replaced_card(say: Speaker, departure: Departure) -> dict[str, Any]:
    """What the interviewer's old confirmation becomes once that meeting is off: no buttons."""
    return adaptive_card(
        [
            heading(say("task.title", name=leaver_name(departure))),
            paragraph(say("booking.cancelled")),
            facts([(say("task.state"), say(f"state.{departure.status.value}"))]),
        ],
        lang=say.lang,
    )


def departure_cancelled_card(say: Speaker, *, was_booked: bool) -> dict[str, Any]:
    """What an old card becomes when the leaver stays after all."""
    body = [heading(say("state.cancelled"))]
    if was_booked:
        body.append(paragraph(say("booking.cancelled")))
    return adaptive_card(body, lang=say.lang)
