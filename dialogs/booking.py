"""Picking a time, and moving or cancelling the booked conversation (leaver or interviewer)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator

from cards.booking import (
    cancelled_booking_card,
    confirmation_card,
    slots_card,
    waiting_card,
)
from cards.task import task_card
from dialogs.card_action import (
    DepartureAction,
    DepartureId,
    asker_of,
    flow_of,
    minutes_of,
)
from dialogs.meeting_modes import no_time_card
from dialogs.router import InvokeResult
from dialogs.turn import DialogTurn
from journey.departure import Departure
from journey.proposals import Booked, Proposal
from journey.slots import Slot


class PickSlot(BaseModel):
    """A time button: the departure and the slot's key (journey.slots.Slot.key)."""

    model_config = ConfigDict(extra="forbid")

    departure: DepartureId
    slot: str

    @field_validator("slot")
    @classmethod
    def _slot_key(cls, value: str) -> str:
        Slot.from_key(value)  # raises ValueError on anything that is not a slot key
        return value


async def _times(turn: DialogTurn, proposal: Proposal, note: str | None = None) -> InvokeResult:
    departure = proposal.departure
    say = turn.speaker(departure.unit)
    if not proposal.slots:  # at short notice the survey, and HR is told (issue 11)
        return InvokeResult(card=await no_time_card(turn, departure))
    minutes = minutes_of(turn, departure)
    return InvokeResult(card=slots_card(say, departure, proposal.slots, minutes, note=note))


def _is_leaver(turn: DialogTurn, departure: Departure) -> bool:
    return turn.actor.upn is not None and turn.actor.upn.lower() == departure.leaver_upn


def _interviewer_view(turn: DialogTurn, departure: Departure) -> InvokeResult:
    """The interviewer pressed it: their card becomes the updated task card."""
    card = task_card(turn.speaker(departure.unit), departure, user_ids=[turn.actor.user_id])
    return InvokeResult(card=card)


async def pick_slot(turn: DialogTurn, payload: PickSlot) -> InvokeResult:
    """Book the picked time if it is still free for both; else new times."""
    outcome = await flow_of(turn).pick(asker_of(turn), payload.departure, payload.slot)
    if isinstance(outcome, Booked):
        departure = outcome.departure
        return InvokeResult(card=confirmation_card(turn.speaker(departure.unit), departure))
    taken = Proposal(outcome.departure, outcome.slots)
    note = turn.speaker(outcome.departure.unit)("booking.slot_taken")
    return await _times(turn, taken, note=note)


async def none_fit(turn: DialogTurn, payload: DepartureAction) -> InvokeResult:
    """None of the times suit: the interviewer is asked for others."""
    departure = await flow_of(turn).none_fit(asker_of(turn), payload.departure)
    return InvokeResult(
        card=waiting_card(turn.speaker(departure.unit), departure, found_none=False)
    )


async def reschedule(turn: DialogTurn, payload: DepartureAction) -> InvokeResult:
    """Cancel the booked meeting and offer new times (to the leaver)."""
    proposal = await flow_of(turn).reschedule(asker_of(turn), payload.departure)
    if _is_leaver(turn, proposal.departure):
        return await _times(turn, proposal)
    return _interviewer_view(turn, proposal.departure)


async def cancel_booking(turn: DialogTurn, payload: DepartureAction) -> InvokeResult:
    """Cancel the booked meeting; the leaver can choose another time later."""
    departure = await flow_of(turn).cancel_booking(asker_of(turn), payload.departure)
    if _is_leaver(turn, departure):
        return InvokeResult(card=cancelled_booking_card(turn.speaker(departure.unit), departure))
    return _interviewer_view(turn, departure)


async def propose_again(turn: DialogTurn, payload: DepartureAction) -> InvokeResult:
    """The leaver asks for times again (after a cancelled booking)."""
    return await _times(turn, await flow_of(turn).propose_again(asker_of(turn), payload.departure))
