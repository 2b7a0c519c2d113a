"""The interviewer's task card: refreshed per person, and "send new times"."""

from __future__ import annotations

from pydantic import Field

from cards.offer import leaver_name
from cards.task import choose_times_card, task_card, task_card_without_details
from dialogs.after_conversation import full_task_card
from dialogs.card_action import DepartureAction, asker_of, flow_of
from dialogs.router import InvokeResult
from dialogs.turn import DialogTurn
from journey.access import Act
from journey.proposals import SlotTaken
from journey.refusals import NotAllowed


async def refresh_task(turn: DialogTurn, payload: DepartureAction) -> InvokeResult:
    """The interviewer gets the card in full; anyone else is refused (NotAllowed: audited by
    the router, answered with `no_details`); a departure that is gone, the card without."""
    departure = await flow_of(turn).visible(asker_of(turn), payload.departure, Act.VIEW_TASK)
    if departure is None:
        say = turn.speaker()
        return InvokeResult(card=task_card_without_details(say, payload.departure, user_ids=[]))
    # The survey answers this person may read, and the notes: only in their own refreshed
    # card, never in the card posted to the chat.
    return InvokeResult(card=await full_task_card(turn, departure))


def no_details(turn: DialogTurn, refused: NotAllowed) -> InvokeResult:
    """The task card as anyone but the interviewer sees it: nothing about the leaver."""
    departure_id = refused.departure_id or ""
    return InvokeResult(card=task_card_without_details(turn.speaker(), departure_id, user_ids=[]))


async def send_new_times(turn: DialogTurn, payload: DepartureAction) -> InvokeResult:
    """Offer the leaver times from the following two weeks; if none, say to agree directly."""
    proposal = await flow_of(turn).new_times(asker_of(turn), payload.departure)
    departure = proposal.departure
    say = turn.speaker(departure.unit)
    if not proposal.slots:
        last_day = say.day(departure.last_working_day)
        text = say(
            "booking.ask_interviewer_for_times", name=leaver_name(departure), last_day=last_day
        )
        return InvokeResult(message=text)
    return InvokeResult(card=task_card(say, departure, user_ids=[turn.actor.user_id]))


class ChosenTimes(DepartureAction):
    """The interviewer's ticked times: slot keys, comma-separated as Teams sends them."""

    slots: str = Field("", max_length=2000)

    def keys(self) -> list[str]:
        """The ticked slot keys, blanks dropped."""
        return [key.strip() for key in self.slots.split(",") if key.strip()]


async def choose_times(turn: DialogTurn, payload: DepartureAction) -> InvokeResult:
    """The times free for both, for the interviewer to tick."""
    proposal = await flow_of(turn).times_to_choose(asker_of(turn), payload.departure)
    say = turn.speaker(proposal.departure.unit)
    return InvokeResult(card=choose_times_card(say, proposal.departure, proposal.slots))


async def send_times(turn: DialogTurn, payload: ChosenTimes) -> InvokeResult:
    """Send the ticked times to the leaver; a time taken meanwhile shows the choice again."""
    result = await flow_of(turn).send_chosen_times(
        asker_of(turn), payload.departure, payload.keys()
    )
    say = turn.speaker(result.departure.unit)
    if isinstance(result, SlotTaken):
        note = say("booking.slot_taken")
        return InvokeResult(card=choose_times_card(say, result.departure, result.slots, note=note))
    return InvokeResult(card=task_card(say, result.departure, user_ids=[turn.actor.user_id]))
