"""How and where the conversation is held, on cards: the place in person or the time agreed
outside the bot, the interviewer's forms for both, and the short-notice cards.

The place is someone's own words: shown as a literal TextRun (cards.after_conversation), so
markdown typed into it never changes how a card looks or becomes a link.
"""

from __future__ import annotations

from typing import Any

from cards import verbs
from cards.after_conversation import literal
from cards.base import (
    Element,
    about,
    adaptive_card,
    execute,
    facts,
    heading,
    nested_card,
    notice_card,
    paragraph,
    typed,
)
from cards.locale import Speaker
from cards.offer import leaver_name
from journey.departure import MEETING_PLACE_MAX, Departure, DepartureStatus, MeetingMode
from journey.meeting_modes import may_record_outside

IN_PERSON = verbs.MEETING_IN_PERSON
OUTSIDE_BOOKED = verbs.MEETING_OUTSIDE_BOOKED
OUTSIDE_HELD = verbs.MEETING_OUTSIDE_HELD
FORM = verbs.MEETING_FORM
# Input ids; Teams merges them into the pressed action's data.
PLACE = "place"
OUTSIDE_DAY = "outside_day"
OUTSIDE_TIME = "outside_time"
OUTSIDE_PLACE = "outside_place"

_PLACE_OPEN = frozenset({DepartureStatus.ACCEPTED, DepartureStatus.BOOKED})


def where_block(say: Speaker, departure: Departure) -> list[Element]:
    """Where the conversation is held when it is not a Teams meeting: the place, as written."""
    mode = departure.meeting_mode
    if mode is MeetingMode.IN_PERSON and departure.meeting_place:
        label = say("meeting.in_person_at")
    elif mode is MeetingMode.OUTSIDE:
        label = say("meeting.outside_at")
    else:
        return []
    inlines: list[Element] = [{"type": "TextRun", "text": label, "weight": "Bolder"}]
    if departure.meeting_place:
        inlines.append({"type": "TextRun", "text": ": "})
        inlines += literal(departure.meeting_place)["inlines"]
    return [{"type": "RichTextBlock", "inlines": inlines}]


def meeting_actions(say: Speaker, departure: Departure) -> list[Element]:
    """The interviewer's "hold it in person" and "agreed outside the bot", where they apply."""
    actions: list[Element] = []
    if departure.status in _PLACE_OPEN and departure.interviewer_upn:
        actions.append(_show(say("meeting.in_person"), _place_form(say, departure)))
    if may_record_outside(departure):
        actions.append(_show(say("meeting.outside"), _outside_form(say, departure)))
    return actions


def outside_form_card(say: Speaker, departure: Departure) -> dict[str, Any]:
    """For HR (or the interviewer) on its own: record a conversation agreed outside the bot."""
    body: list[Element] = [heading(say("meeting.outside"))]
    if not may_record_outside(departure):
        body.append(paragraph(say(f"state.{departure.status.value}")))
        return adaptive_card(body, lang=say.lang)
    form = _outside_form(say, departure)
    return adaptive_card([*body, *form["body"]], form["actions"], lang=say.lang)


def recorded_card(say: Speaker, departure: Departure) -> dict[str, Any]:
    """For HR after recording: where the departure stands, when and where it is held."""
    pairs = [
        (say("task.leaver"), typed(leaver_name(departure))),
        (say("task.state"), say(f"state.{departure.status.value}")),
    ]
    if departure.meeting_start and departure.meeting_end:
        span = say.span(departure.meeting_start, departure.meeting_end, departure.zone)
        pairs.append((say("task.when"), span))
    body = [heading(say("task.title", name=leaver_name(departure))), facts(pairs)]
    return adaptive_card([*body, *where_block(say, departure)], lang=say.lang)


def short_notice_card(say: Speaker, departure: Departure, *, survey: bool) -> dict[str, Any]:
    """To the leaver: no time is free before a last day today or tomorrow; HR knows."""
    interviewer = departure.interviewer_name or departure.interviewer_upn or ""
    text = say(
        "short_notice.no_time",
        last_day=say.day(departure.last_working_day),
        interviewer=interviewer,
    )
    body = [heading(say("booking.title")), paragraph(text)]
    actions: list[Element] = []
    if survey:
        body.append(paragraph(say("short_notice.survey")))
        data = about(departure)
        start = execute(say("survey.start"), verbs.SURVEY_START, data, associatedInputs="none")
        actions.append(start)
    return adaptive_card(body, actions, lang=say.lang)


def short_notice_hr_card(say: Speaker, departure: Departure) -> dict[str, Any]:
    """To HR's contact: a last day today or tomorrow left no time free for both."""
    name = leaver_name(departure)
    text = say(
        "short_notice.hr_body",
        name=name,
        last_day=say.day(departure.last_working_day),
        interviewer=departure.interviewer_name or departure.interviewer_upn or "",
    )
    return notice_card(say("short_notice.hr_title", name=name), text, lang=say.lang)


def _show(title: str, card: dict[str, Any]) -> Element:
    return {"type": "Action.ShowCard", "title": title, "card": card}


def _place_form(say: Speaker, departure: Departure) -> dict[str, Any]:
    """The place, with the one already set; saving it moves a booked meeting there."""
    place: Element = {
        "type": "Input.Text",
        "id": PLACE,
        "label": say("meeting.place_label"),
        "maxLength": MEETING_PLACE_MAX,
        "isRequired": True,
        "errorMessage": say("meeting.refused.place_empty"),
    }
    if departure.meeting_place:
        place["value"] = departure.meeting_place
    save = execute(say("meeting.place_save"), IN_PERSON, about(departure))
    return _nested([paragraph(say("meeting.in_person_intro"), subtle=True), place], [save])


def _outside_form(say: Speaker, departure: Departure) -> dict[str, Any]:
    """A date and time agreed with the leaver (and perhaps a place), or: it took place."""
    required = {"isRequired": True, "errorMessage": say("register.required")}
    intro = say("meeting.outside_intro", name=leaver_name(departure))
    body: list[Element] = [
        paragraph(intro, subtle=True),
        {"type": "Input.Date", "id": OUTSIDE_DAY, "label": say("meeting.outside_day"), **required},
        {
            "type": "Input.Time",
            "id": OUTSIDE_TIME,
            "label": say("meeting.outside_time"),
            **required,
        },
        {
            "type": "Input.Text",
            "id": OUTSIDE_PLACE,
            "label": say("meeting.outside_place"),
            "maxLength": MEETING_PLACE_MAX,
        },
    ]
    data = about(departure)
    actions = [
        execute(say("meeting.outside_booked"), OUTSIDE_BOOKED, data),
        execute(say("meeting.outside_held"), OUTSIDE_HELD, data, associatedInputs="none"),
    ]
    return _nested(body, actions)


def _nested(body: list[Element], actions: list[Element]) -> dict[str, Any]:
    """A card shown inside another (Action.ShowCard): no schema of its own."""
    return nested_card(body, actions)
