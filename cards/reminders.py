"""Reminder cards: the conversation tomorrow, the farewell, the thank-you, and escalations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cards import verbs
from cards.base import about, adaptive_card, execute, heading, notice_card, paragraph
from cards.booking import interviewer_name, join_button, meeting_time
from cards.locale import Speaker
from cards.meeting_modes import where_block
from cards.offer import leaver_name
from config.schema import HandoverItem
from journey.departure import Departure
from journey.escalation import Waiting, waiting_on
from journey.notify import MessageKind


def conversation_reminder_card(
    say: Speaker, departure: Departure, minutes: int, *, for_interviewer: bool
) -> dict[str, Any]:
    """The booked conversation is near: when, how long, and the join link."""
    when = meeting_time(say, departure) or "–"
    if for_interviewer:
        text = say(
            "reminder.conversation_interviewer",
            name=leaver_name(departure),
            when=when,
            minutes=minutes,
        )
    else:
        text = say("reminder.conversation", when=when, minutes=minutes)
    # In person or agreed outside the bot: the place instead of the join link.
    body = [heading(say("reminder.title")), paragraph(text), *where_block(say, departure)]
    return adaptive_card(body, join_button(say, departure), lang=say.lang)


def farewell_reminder_card(say: Speaker, departure: Departure) -> dict[str, Any]:
    """To the manager: plan a good farewell for the last working day."""
    text = say(
        "reminder.farewell_manager",
        name=leaver_name(departure),
        last_day=say.day(departure.last_working_day),
    )
    return notice_card(say("reminder.title"), text, lang=say.lang)


def thank_you_card(say: Speaker, departure: Departure) -> dict[str, Any]:
    """To the leaver on the last working day: thanks for their work (seed 002)."""
    thanks = say("farewell.thanks", name=leaver_name(departure))
    return notice_card(say("farewell.title"), thanks, lang=say.lang)


def notes_reminder_card(say: Speaker, departure: Departure) -> dict[str, Any]:
    """To the interviewer after the conversation's time: record the notes or mark it held
    (seed 003: document the main points). The button opens their own task card's notes."""
    text = say(
        "reminder.notes_interviewer",
        name=leaver_name(departure),
        when=meeting_time(say, departure) or "–",
    )
    # A view (the task card refreshed for whoever presses), so only the departure's id.
    button = execute(say("reminder.notes_open"), verbs.TASK_REFRESH, about(departure))
    return notice_card(say("reminder.title"), text, [button], lang=say.lang)


_ESCALATION_TEXTS = {
    MessageKind.OFFER_ESCALATION: "reminder.escalation",
    MessageKind.BOOKING_ESCALATION: "reminder.escalation_booking",
    MessageKind.HANDOVER_ESCALATION: "reminder.escalation_handover",
}


def escalation_card(
    say: Speaker,
    departure: Departure,
    kind: MessageKind,
    days: int,
    open_items: Sequence[HandoverItem] = (),
) -> dict[str, Any]:
    """To the next person on the ladder: what has stayed open, and for how many working days.

    Only where the departure stands, never what the leaver said (journey.access).
    """
    name = leaver_name(departure)
    if kind is MessageKind.BOOKING_ESCALATION and waiting_on(departure) is Waiting.INTERVIEWER:
        # To the HR contact: the interviewer has not sent the leaver other times (issue 11).
        who = interviewer_name(departure)
        text = say("reminder.escalation_interviewer", name=name, interviewer=who, days=days)
    else:
        text = say(_ESCALATION_TEXTS[kind], name=name, days=days)
    body = [heading(say("reminder.title")), paragraph(text)]
    if open_items:
        body.append(paragraph("\n".join(f"- {item.label.get(say.lang)}" for item in open_items)))
    return adaptive_card(body, lang=say.lang)
