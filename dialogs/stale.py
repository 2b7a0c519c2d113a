"""A press on a card that is no longer current: refused, and answered with the current card.

The router refuses a checked verb whose card was drawn for an earlier plan of the departure
(cards.base.about puts the plan's mark in every departure action; journey.refusals.require_mark
compares it). Nothing was changed; the person gets the card they can act on now, in place of
the one they pressed, headed by why: the leaver their current journey card, the interviewer
the task card, HR the departure's card. Anyone else only the text, and no more than their role
lets them see.
"""

from __future__ import annotations

import logging
from typing import Any

from cards.base import with_notice
from cards.register import registered_card
from cards.status import leaver_status_card
from dialogs.after_conversation import full_task_card
from dialogs.card_action import leaver_card
from dialogs.register import registered_view
from dialogs.router import InvokeResult
from dialogs.turn import DialogTurn
from journey.access import Role, roles_of
from journey.departure import Departure
from journey.refusals import NotAllowed, Reason, StaleAction

log = logging.getLogger(__name__)


async def stale_card(turn: DialogTurn, stale: StaleAction) -> InvokeResult:
    """ "This card is no longer current", over the card that is, when the refusal knows it."""
    departure = stale.current
    if departure is None:
        return InvokeResult(message=turn.text("error.stale_action"))
    roles = roles_of(departure, turn.actor.upn, is_hr=turn.is_hr())
    if roles == {Role.OTHER}:
        # A card about someone else's departure: no hint of how it stands; the router
        # audits the refusal and says that the departure is not theirs.
        raise NotAllowed(Reason.NOT_INVOLVED, departure_id=departure.id)
    try:
        card = await current_view(turn, departure, roles)
    except Exception as exc:  # the refusal stands; only the card to show with it is missing
        log.warning("the current card could not be drawn (%s)", type(exc).__name__)
        card = None
    if card is None:
        return InvokeResult(message=turn.text("error.stale_action"))
    say = turn.speaker(departure.unit)
    return InvokeResult(card=with_notice(card, say("error.stale_card")))


async def current_view(
    turn: DialogTurn, departure: Departure, roles: frozenset[Role]
) -> dict[str, Any] | None:
    """The card the person acts on now: as the leaver, the interviewer, then HR."""
    if Role.LEAVER in roles:
        card = await leaver_card(turn, departure)
        return card or leaver_status_card(turn.speaker(departure.unit), departure, None)
    if Role.INTERVIEWER in roles:
        return await full_task_card(turn, departure)
    if Role.HR in roles:
        zone = turn.config.defaults.calendar.zone
        today = turn.services.clock.now().astimezone(zone).date()
        view = registered_view(turn.config, turn.locale, today, departure, "")
        return registered_card(view)
    return None
