"""The status command's cards: the leaver's own departure, the conversations someone holds,
and HR's list of departures under way with the ones the bot could not reach."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cards import verbs
from cards.base import (
    adaptive_card,
    button_row,
    execute,
    facts,
    heading,
    paragraph,
    separated,
)
from cards.booking import meeting_time
from cards.locale import Speaker
from cards.offer import leaver_name
from journey.departure import Departure, Reach


def state_line(say: Speaker, departure: Departure) -> str:
    """ "Your last working day is … Exit conversation: …"."""
    return say(
        "status.departure",
        last_day=say.day(departure.last_working_day),
        state=say(f"state.{departure.status.value}"),
    )


def leaver_status_card(
    say: Speaker, departure: Departure, current: dict[str, Any] | None
) -> dict[str, Any]:
    """The leaver's departure; the card they can act on now follows under it."""
    body = [heading(say("status.title")), paragraph(state_line(say, departure))]
    if current is None:
        return adaptive_card(body, lang=say.lang)
    return adaptive_card(
        body + list(current.get("body", [])), list(current.get("actions", [])), lang=say.lang
    )


def holding_card(say: Speaker, departures: Sequence[Departure]) -> dict[str, Any]:
    """The conversations this person holds: who, last day, where it stands, when."""
    rows = []
    for departure in departures:
        parts = [say.day(departure.last_working_day), say(f"state.{departure.status.value}")]
        if (when := meeting_time(say, departure)) is not None:
            parts.append(when)
        rows.append((leaver_name(departure), " · ".join(parts)))
    return adaptive_card([heading(say("status.holding_title")), facts(rows)], lang=say.lang)


MANAGE = verbs.REGISTER_MANAGE


def hr_card(say: Speaker, departures: Sequence[Departure]) -> dict[str, Any]:
    """HR's short list; a leaver the bot could not reach says why; each can be changed."""
    body: list[dict[str, Any]] = [heading(say("status.hr_title"))]
    for departure in departures:
        parts = [say.day(departure.last_working_day), say(f"state.{departure.status.value}")]
        if departure.reach is not None and departure.reach is not Reach.OK:
            parts.append(f"⚠ {say(f'reach.{departure.reach.value}')}")
        button = execute(say("register.manage"), MANAGE, {"departure_id": departure.id})
        body.append(
            separated([facts([(leaver_name(departure), " · ".join(parts))]), button_row(button)])
        )
    if not departures:
        body.append(paragraph("–"))
    return adaptive_card(body, lang=say.lang)
