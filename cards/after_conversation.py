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
from cards.base import (
    Element,
    about,
    adaptive_card,
    button_row,
    execute,
    heading,
    literal,
    long_text,
    notice_card,
    paragraph,
    refresh,
    separated,
    subheading,
)
from cards.locale import Speaker
from cards.offer import leaver_name
from cards.sharing_entry import share_button
from journey.after_conversation import (
    NOTE_MAX,
    SHOWN_TO_LEAVER,
    ConversationNotes,
    Gesture,
    NoteField,
    Wishes,
)
from journey.departure import Departure, DepartureStatus
from journey.farewell import CONSENT, EMAIL_MAX, AlumniContact

SAVE_NOTES = verbs.TASK_NOTES
HELD = verbs.TASK_HELD
THANKS_REFRESH = verbs.THANKS_REFRESH
THANKS_CHOOSE = verbs.THANKS_CHOOSE
ALUMNI_WITHDRAW = verbs.ALUMNI_WITHDRAW
EMAIL_INPUT = "alumni_email"
NOTE_PREFIX = "n_"
OFFER_PREFIX = "o_"


def notes_block(say: Speaker, departure: Departure, notes: ConversationNotes) -> list[Element]:
    """The interviewer's notes form; only ever in their own refreshed task card."""
    name = leaver_name(departure)
    items: list[Element] = [
        subheading(say("notes.title"), size="Medium"),
        paragraph(say("notes.intro", name=name)),
    ]
    items += [
        long_text(
            NOTE_PREFIX + field.value,
            say.plain(f"notes.{field.value}", name=name),
            NOTE_MAX,
            notes.text(field) or None,
        )
        for field in NoteField
    ]
    data = about(departure, revision=notes.revision)
    buttons = [execute(say("notes.save"), SAVE_NOTES, data)]
    if departure.status is DepartureStatus.BOOKED:
        buttons.append(execute(say("notes.held"), HELD, data, style="positive"))
    else:
        items.append(paragraph(say("notes.held_note", name=name), subtle=True))
    items.append(button_row(*buttons))
    return [separated(items)]


def thank_you_card(
    say: Speaker,
    departure: Departure,
    offers: Sequence[Gesture],
    *,
    user_ids: Sequence[str],
    notes: ConversationNotes | None = None,
    wishes: Wishes | None = None,
    note: str | None = None,
    alumni: AlumniContact | None = None,
    promised: Sequence[Element] = (),
) -> dict[str, Any]:
    """To the leaver once the conversation is held: thanks, what was agreed, the offers.

    `notes` (what was agreed, how the feedback is used) and `promised` (the follow-ups,
    cards.follow_ups.promised_block) only in the leaver's own refresh.
    """
    body: list[Element] = [
        heading(say("farewell.title")),
        paragraph(say("thanks.after_conversation", name=leaver_name(departure))),
    ]
    if notes is not None:
        body += _agreed(say, notes)
    body += promised  # issue 14: what the organisation promised, while the case is open
    offered, actions = _offers_part(say, departure, offers, wishes, alumni, note)
    actions = [*actions, share_button(say, departure.id)]  # issue 14: the leaver may share
    thanks_refresh = refresh(THANKS_REFRESH, departure, user_ids)
    return adaptive_card([*body, *offered], actions, refresh=thanks_refresh, lang=say.lang)


def farewell_gestures_card(
    say: Speaker,
    departure: Departure,
    offers: Sequence[Gesture],
    *,
    user_ids: Sequence[str],
    wishes: Wishes | None = None,
    alumni: AlumniContact | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """To every leaver on the farewell reminder's day (seed 000): thanks for their work, and
    the unit's offers, whether or not there was a conversation."""
    body: list[Element] = [
        heading(say("farewell.title")),
        paragraph(say("farewell.gestures", name=leaver_name(departure))),
    ]
    offered, actions = _offers_part(say, departure, offers, wishes, alumni, note)
    thanks_refresh = refresh(THANKS_REFRESH, departure, user_ids)
    return adaptive_card([*body, *offered], actions, refresh=thanks_refresh, lang=say.lang)


def _offers_part(
    say: Speaker,
    departure: Departure,
    offers: Sequence[Gesture],
    wishes: Wishes | None,
    alumni: AlumniContact | None,
    note: str | None,
) -> tuple[list[Element], list[Element]]:
    """The offers' toggles, the private e-mail for consent to contact, and the buttons."""
    if not offers:
        return [], []
    chosen = frozenset(wishes.chosen) if wishes is not None else frozenset()
    body = _offer_toggles(say, offers, chosen)
    if any(gesture in CONSENT for gesture in offers):
        email: Element = {
            "type": "Input.Text",
            "id": EMAIL_INPUT,
            "label": say("alumni.email_label"),
            "style": "Email",
            "maxLength": EMAIL_MAX,
        }
        if alumni is not None:  # only ever in the leaver's own card
            email["value"] = alumni.private_email
        body.append(email)
        if alumni is not None:
            body.append(literal(say.plain("alumni.kept", email=alumni.private_email), subtle=True))
    if note:
        body.append(paragraph(note, subtle=True))
    data = about(departure)
    actions = [execute(say("thanks_offer.submit"), THANKS_CHOOSE, data, style="positive")]
    if alumni is not None:
        withdraw = {"departure": departure.id}  # always possible: not tied to the plan
        actions.append(execute(say("alumni.withdraw"), ALUMNI_WITHDRAW, withdraw))
    return body, actions


def _agreed(say: Speaker, notes: ConversationNotes) -> list[Element]:
    """The notes the leaver may read (what was agreed, how feedback is used), as written."""
    body: list[Element] = []
    for field in SHOWN_TO_LEAVER:
        if notes.text(field).strip():
            title = "thanks.agreed_title" if field is NoteField.AGREED_ACTIONS else None
            body.append(subheading(say(title or "thanks.data_use_title"), spacing="Medium"))
            body.append(literal(notes.text(field)))
    return body


def _offer_toggles(
    say: Speaker, offers: Sequence[Gesture], chosen: frozenset[Gesture]
) -> list[Element]:
    """What the unit offers, one toggle each, on where the leaver already asked for it."""
    toggles = [
        {
            "type": "Input.Toggle",
            "id": OFFER_PREFIX + gesture.value,
            "title": say(f"thanks_offer.{gesture.value}"),
            "value": "true" if gesture in chosen else "false",
            "valueOn": "true",
            "valueOff": "false",
            "wrap": True,
        }
        for gesture in offers
    ]
    title = subheading(say("thanks_offer.title"), spacing="Medium")
    return [title, paragraph(say("thanks_offer.intro")), *toggles]


def thank_you_without_details(
    say: Speaker, departure_id: str, *, user_ids: Sequence[str]
) -> dict[str, Any]:
    """What anyone but the leaver sees of the thank-you card."""
    thanks_refresh = refresh(THANKS_REFRESH, departure_id, user_ids)
    return adaptive_card([heading(say("farewell.title"))], refresh=thanks_refresh, lang=say.lang)


def wishes_card(say: Speaker, departure: Departure, chosen: Sequence[Gesture]) -> dict[str, Any]:
    """To the interviewer: what the leaver asked for after the conversation."""
    name = leaver_name(departure)
    if chosen:
        wishes = ", ".join(say(f"thanks_offer.{gesture.value}") for gesture in chosen)
        text = say("thanks.wishes_body", name=name, wishes=wishes)
    else:
        text = say("thanks.wishes_none", name=name)
    return notice_card(say("thanks.wishes_title", name=name), text, lang=say.lang)
