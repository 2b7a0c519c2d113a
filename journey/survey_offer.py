"""The survey offer: once per departure, after booking or instead of a conversation."""

from __future__ import annotations

from journey.departure import Departure
from journey.notify import MessageKind


def survey_offer_key(departure: Departure) -> str:
    """The survey is offered once per departure: after the booking, or instead of a
    conversation at registration (journey.offer_policy), never both. After the booking it
    goes if the unit's offer policy offers this type of departure the survey (issues 5, 11);
    a rebooking does not offer it again."""
    return f"{departure.id}:{MessageKind.SURVEY_OFFER.value}"
