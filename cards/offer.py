"""The offer of an exit conversation: why we ask, how long it takes, and that it is voluntary."""

from __future__ import annotations

from typing import Any

from cards import verbs
from cards.base import about, adaptive_card, execute, heading, long_text, notice_card, paragraph
from cards.locale import Speaker
from journey.departure import DECLINE_REASON_MAX, Departure
from journey.short_notice import registered_at_short_notice

ACCEPT = verbs.OFFER_ACCEPT
DECLINE = verbs.OFFER_DECLINE
LATER = verbs.OFFER_LATER
# The id of the reason field; Teams merges it into the decline action's data.
REASON = "reason"


def leaver_name(departure: Departure) -> str:
    """How cards name the leaver."""
    return departure.leaver_name or departure.leaver_upn


def offer_card(
    say: Speaker, departure: Departure, minutes: int, *, note: str | None = None
) -> dict[str, Any]:
    """Yes, no (with an optional reason) or ask me later."""
    data = about(departure)
    body = [heading(say("offer.title"))]
    if note:
        body.append(paragraph(note, subtle=True))
    if registered_at_short_notice(departure):  # a last day today or tomorrow: time is short
        last_day = say.day(departure.last_working_day)
        body.append(paragraph(say("offer.short_notice", last_day=last_day)))
    body.append(paragraph(say("offer.body", name=leaver_name(departure), minutes=minutes)))
    # The reason field sits behind "No, thank you": nobody is asked why unless they decline.
    decline_form = adaptive_card(
        [long_text(REASON, say("offer.decline_reason_label"), DECLINE_REASON_MAX)],
        [execute(say("offer.decline"), DECLINE, data)],
    )
    del decline_form["$schema"]
    return adaptive_card(
        body,
        [
            execute(say("offer.accept"), ACCEPT, data, style="positive", associatedInputs="none"),
            {"type": "Action.ShowCard", "title": say("offer.decline"), "card": decline_form},
            execute(say("offer.later"), LATER, data, associatedInputs="none"),
        ],
        lang=say.lang,
    )


def declined_card(say: Speaker, departure: Departure) -> dict[str, Any]:
    """The leaver said no: thanks, and a way to change their mind."""
    return notice_card(
        say("offer.title"),
        say("offer.declined_thanks"),
        [execute(say("offer.accept"), ACCEPT, about(departure), associatedInputs="none")],
        lang=say.lang,
    )
