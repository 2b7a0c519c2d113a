"""The leaver answers the offer: yes (then choose who holds it), no (perhaps why), or later."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from cards.interviewer import interviewer_card
from cards.offer import declined_card, offer_card
from dialogs.card_action import DepartureId, asker_of, flow_of, minutes_of
from dialogs.router import InvokeResult
from dialogs.survey import with_survey_after_decline
from dialogs.turn import DialogTurn
from journey.departure import DECLINE_REASON_MAX


class OfferAnswer(BaseModel):
    """The offer card's data; Teams merges the reason field into it for "No, thank you"."""

    model_config = ConfigDict(extra="forbid")

    departure: DepartureId
    reason: str | None = Field(default=None, max_length=DECLINE_REASON_MAX)


async def accept_offer(turn: DialogTurn, payload: OfferAnswer) -> InvokeResult:
    """Yes: the card turns into the choice of who holds the conversation."""
    journey = flow_of(turn)
    departure = await journey.accept(asker_of(turn), payload.departure)
    choices = await journey.interviewer_choices(departure)
    say = turn.speaker(departure.unit)
    return InvokeResult(card=interviewer_card(say, departure, choices, intro=say("offer.accepted")))


async def decline_offer(turn: DialogTurn, payload: OfferAnswer) -> InvokeResult:
    """No, thank you: fully fine; the reason, if given, is kept for HR only."""
    departure = await flow_of(turn).decline(asker_of(turn), payload.departure, payload.reason)
    card = declined_card(turn.speaker(departure.unit), departure)
    # The unit may offer the survey anyway, for anonymous statistics only (issue 5).
    return InvokeResult(card=with_survey_after_decline(turn, departure, card))


async def offer_later(turn: DialogTurn, payload: OfferAnswer) -> InvokeResult:
    """Ask me later: the card says when, and still lets the leaver answer now."""
    departure, days = await flow_of(turn).later(asker_of(turn), payload.departure)
    say = turn.speaker(departure.unit)
    note = say("offer.later_noted", days=days)
    return InvokeResult(card=offer_card(say, departure, minutes_of(turn, departure), note=note))
