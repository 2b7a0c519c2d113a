"""The survey offer after booking: whether the leaver is offered the survey, and once only."""

from __future__ import annotations

from dataclasses import dataclass

from journey.departure import Departure
from journey.notify import MessageKind
from journey.ports import ConversationRef


@dataclass(frozen=True)
class SurveyOffer:
    """The survey offer to send now: to whom, and the key that makes it once per departure."""

    to: ConversationRef
    key: str


def survey_offer(
    departure: Departure, *, enabled: bool, leaver: ConversationRef | None
) -> SurveyOffer | None:
    """Offer the survey once the conversation is booked, if the unit asks one (issue 5) and
    its offer policy offers this type of departure the survey (issue 11: `enabled`).

    `leaver` is the leaver's chat with the bot; without one there is no offer (the offer of
    the conversation reached them, so this is rare, and the `survey` command still works).
    """
    if not enabled or leaver is None:
        return None
    # One key per departure: a rebooking does not offer it again.
    return SurveyOffer(to=leaver, key=survey_offer_key(departure))


def survey_offer_key(departure: Departure) -> str:
    """The survey is offered once per departure: after the booking, or instead of a
    conversation at registration (journey.offer_policy), never both."""
    return f"{departure.id}:{MessageKind.SURVEY_OFFER.value}"
