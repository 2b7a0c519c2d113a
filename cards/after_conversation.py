"""After the conversation: the notes form on the interviewer's task card, the leaver's thank-you
with the unit's offers, and the interviewer's note of what the leaver asked for.

Notes and the leaver's words are shown only in a person's own refreshed card, as `literal`
text: a TextBlock renders a markdown subset, so "**" or "[x](y)" typed by a person would change
how it looks (or become a link); a RichTextBlock's TextRun shows it exactly as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cards import verbs
from cards.base import Element, adaptive_card, execute, heading, paragraph
from cards.locale import Speaker
from cards.offer import leaver_name
from journey.after_conversation import (
    NOTE_MAX,
    SHOWN_TO_LEAVER,
    ConversationNotes,
    Gesture,
    NoteField,
    Wishes,
)
from journey.departure import Departure, DepartureStatus

SAVE_NOTES = verbs.TASK_NOTES
HELD = verbs.TASK_HELD
THANKS_REFRESH = verbs.THANKS_REFRESH
THANKS_CHOOSE = verbs.THANKS_CHOOSE
NOTE_PREFIX = "n_"
OFFER_PREFIX = "o_"


def literal(text: str, *, subtle: bool = False) -> Element:
    """Someone's own words, shown exactly as written (no markdown, no links)."""
    run: Element = {"type": "TextRun", "text": text}
    if subtle:
        run["isSubtle"] = True
    return {"type": "RichTextBlock", "inlines": [run]}


def _label(text: str) -> Element:
    return {
        "type": "TextBlock",
        "text": text,
        "weight": "Bolder",
        "wrap": True,
        "spacing": "Medium",
    }


def notes_block(say: Speaker, departure: Departure, notes: ConversationNotes) -> list[Element]:
    """The interviewer's notes form; only ever in their own refreshed task card."""
    name = leaver_name(departure)
    items: list[Element] = [
        {
            "type": "TextBlock",
            "text": say("notes.title"),
            "size": "Medium",
            "weight": "Bolder",
            "wrap": True,
        },
        paragraph(say("notes.intro", name=name)),
    ]
    for field in NoteField:
        element: Element = {
            "type": "Input.Text",
            "id": NOTE_PREFIX + field.value,
            "label": say(f"notes.{field.value}", name=name),
            "isMultiline": True,
            "maxLength": NOTE_MAX,
        }
        if notes.text(field):
            element["value"] = notes.text(field)
        items.append(element)
    data = {"departure": departure.id, "revision": notes.revision}
    buttons = [execute(say("notes.save"), SAVE_NOTES, data)]
    if departure.status is DepartureStatus.BOOKED:
        buttons.append(execute(say("notes.held"), HELD, data, style="positive"))
    else:
        items.append(paragraph(say("notes.held_note", name=name), subtle=True))
    items.append({"type": "ActionSet", "actions": buttons})
    return [{"type": "Container", "separator": True, "items": items}]


def _refresh(departure_id: str, user_ids: Sequence[str]) -> Element | None:
    if not user_ids:
        return None
    return {
        "action": {
            "type": "Action.Execute",
            "verb": THANKS_REFRESH,
            "data": {"departure": departure_id},
        },
        "userIds": list(user_ids),
    }


def thank_you_card(
    say: Speaker,
    departure: Departure,
    offers: Sequence[Gesture],
    *,
    user_ids: Sequence[str],
    notes: ConversationNotes | None = None,
    wishes: Wishes | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """To the leaver once the conversation is held: thanks, what was agreed, the offers.

    `notes` (what was agreed, how the feedback is used) only in the leaver's own refresh.
    """
    body: list[Element] = [
        heading(say("farewell.title")),
        paragraph(say("thanks.after_conversation", name=leaver_name(departure))),
    ]
    if notes is not None:
        for field in SHOWN_TO_LEAVER:
            if notes.text(field).strip():
                title = "thanks.agreed_title" if field is NoteField.AGREED_ACTIONS else None
                body.append(_label(say(title or "thanks.data_use_title")))
                body.append(literal(notes.text(field)))
    actions: list[Element] = []
    if offers:
        chosen = set(wishes.chosen) if wishes is not None else set()
        body += [_label(say("thanks_offer.title")), paragraph(say("thanks_offer.intro"))]
        for gesture in offers:
            body.append(
                {
                    "type": "Input.Toggle",
                    "id": OFFER_PREFIX + gesture.value,
                    "title": say(f"thanks_offer.{gesture.value}"),
                    "value": "true" if gesture in chosen else "false",
                    "valueOn": "true",
                    "valueOff": "false",
                    "wrap": True,
                }
            )
        if note:
            body.append(paragraph(note, subtle=True))
        actions.append(
            execute(
                say("thanks_offer.submit"),
                THANKS_CHOOSE,
                {"departure": departure.id},
                style="positive",
            )
        )
    return adaptive_card(body, actions, refresh=_refresh(departure.id, user_ids), lang=say.lang)


def thank_you_without_details(
    say: Speaker, departure_id: str, *, user_ids: Sequence[str]
) -> dict[str, Any]:
    """What anyone but the leaver sees of the thank-you card."""
    return adaptive_card(
        [heading(say("farewell.title"))], refresh=_refresh(departure_id, user_ids), lang=say.lang
    )


def wishes_card(say: Speaker, departure: Departure, chosen: Sequence[Gesture]) -> dict[str, Any]:
    """To the interviewer: what the leaver asked for after the conversation."""
    name = leaver_name(departure)
    if chosen:
        wishes = ", ".join(say(f"thanks_offer.{gesture.value}") for gesture in chosen)
        text = say("thanks.wishes_body", name=name, wishes=wishes)
    else:
        text = say("thanks.wishes_none", name=name)
    return adaptive_card(
        [heading(say("thanks.wishes_title", name=name)), paragraph(text)], lang=say.lang
    )
