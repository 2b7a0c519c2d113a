"""The offer of the survey, sent to the leaver once their conversation is booked (issue 5)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cards.locale import Speaker
from cards.survey import offer_survey_card
from journey.clock import Clock
from journey.departure import Departure
from journey.due import ScheduledAction
from journey.ports import ConversationRefStore
from storage.due_actions import DueActionQueue

if TYPE_CHECKING:
    from config.loaded import LoadedConfig

# Not a journey.notify.MessageKind: the journey records nothing about it when it is sent.
SURVEY_OFFER = "survey_offer"


async def offer_survey(
    departure: Departure,
    *,
    config: LoadedConfig,
    refs: ConversationRefStore,
    queue: DueActionQueue,
    clock: Clock,
) -> None:
    """Schedule the survey offer for the leaver, once per departure, if the unit asks one."""
    if not config.unit(departure.unit or None).survey.enabled:
        return
    ref = await refs.find_by_upn(departure.leaver_upn)
    if ref is None:  # the offer reached them, so this is rare; the `survey` command still works
        return
    say = Speaker(config, ref.locale or departure.locale, departure.unit or None)
    card = offer_survey_card(say, departure)
    await queue.schedule(
        ScheduledAction(
            # One key per departure: a rebooking does not offer it again.
            key=f"{departure.id}:{SURVEY_OFFER}",
            kind=SURVEY_OFFER,
            recipient_key=ref.user_key,
            due_at=clock.now(),
            payload={
                "type": "message",
                "attachments": [
                    {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
                ],
            },
            departure_id=departure.id,
        )
    )
