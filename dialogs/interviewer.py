"""The leaver chooses who holds the conversation; the times that suit both follow at once."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from cards.booking import interviewer_name, slots_card, waiting_card
from dialogs.card_action import DepartureId, asker_of, flow_of, minutes_of
from dialogs.meeting_modes import no_time_card
from dialogs.router import InvokeResult
from dialogs.turn import DialogTurn
from journey.departure import InterviewerKind
from journey.proposals import Proposal


class ChooseInterviewer(BaseModel):
    """One button of the choice card: which kind of person, and who."""

    model_config = ConfigDict(extra="forbid")

    departure: DepartureId
    kind: InterviewerKind
    person: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")


async def choose_interviewer(turn: DialogTurn, payload: ChooseInterviewer) -> InvokeResult:
    """Record the choice; answer with the times, or say the interviewer was asked for some."""
    proposal = await flow_of(turn).choose(
        asker_of(turn), payload.departure, payload.kind, payload.person
    )
    if not proposal.slots:  # at short notice the survey, and HR is told (issue 11)
        return InvokeResult(card=await no_time_card(turn, proposal.departure))
    return times_with(turn, proposal)


def times_with(turn: DialogTurn, proposal: Proposal) -> InvokeResult:
    """The times with the person just chosen, or that they were asked for some."""
    departure = proposal.departure
    say = turn.speaker(departure.unit)
    if not proposal.slots:
        return InvokeResult(card=waiting_card(say, departure, found_none=True))
    note = say("interviewer.chosen", interviewer=interviewer_name(departure))
    card = slots_card(say, departure, proposal.slots, minutes_of(turn, departure), note=note)
    return InvokeResult(card=card)
