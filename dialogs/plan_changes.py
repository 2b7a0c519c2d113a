"""Plans that change in Teams: the leaver's "I no longer want it" and "someone else", the
interviewer's handover to a colleague. Each verb parses its payload and goes to
journey.plan_changes, which checks who asks before anything moves."""

from __future__ import annotations

from pydantic import Field

from cards.offer import declined_card
from cards.plan_changes import COLLEAGUE_MAX, released_card, switch_card
from dialogs.card_action import DepartureAction, asker_of, flow_of, leaver_card
from dialogs.interviewer import ChooseInterviewer, times_with
from dialogs.router import InvokeResult
from dialogs.turn import DialogTurn, wired
from journey.access import Act
from journey.departure import DECLINE_REASON_MAX
from journey.plan_change_rules import Release
from journey.plan_changes import PlanChanges
from journey.refusals import StaleAction


def plans_of(turn: DialogTurn) -> PlanChanges:
    """The plan-change service wired in create_app."""
    return wired(turn.services.plans, "plan changes")


class DeclineAfterYes(DepartureAction):
    """ "I no longer want the conversation", confirmed, with the optional reason field."""

    reason: str | None = Field(default=None, max_length=DECLINE_REASON_MAX)


class HandOverTo(DepartureAction):
    """The interviewer's handover form: the colleague's e-mail address as typed."""

    colleague: str = Field(default="", max_length=COLLEAGUE_MAX)


async def decline(turn: DialogTurn, payload: DeclineAfterYes) -> InvokeResult:
    """The leaver no longer wants the conversation: a booked one is cancelled; the card says
    no and still lets them change their mind."""
    departure = await plans_of(turn).decline(asker_of(turn), payload.departure, payload.reason)
    return InvokeResult(card=declined_card(turn.speaker(departure.unit), departure))


async def ask_switch(turn: DialogTurn, payload: DepartureAction) -> InvokeResult:
    """Whom the leaver may talk to instead, or keep the person they have."""
    choices = await plans_of(turn).choices(asker_of(turn), payload.departure)
    say = turn.speaker(choices.departure.unit)
    return InvokeResult(card=switch_card(say, choices.departure, choices.options))


async def switch(turn: DialogTurn, payload: ChooseInterviewer) -> InvokeResult:
    """The leaver chose someone else: times with them, as after a first choice."""
    proposal = await plans_of(turn).switch(
        asker_of(turn), payload.departure, payload.kind, payload.person
    )
    return times_with(turn, proposal)


async def keep(turn: DialogTurn, payload: DepartureAction) -> InvokeResult:
    """The leaver keeps the person they have: the card they act on, as it was."""
    departure = await flow_of(turn).open(asker_of(turn), payload.departure, Act.CHOOSE_INTERVIEWER)
    card = await leaver_card(turn, departure)
    if card is None:
        raise StaleAction("nothing for the leaver to act on")
    return InvokeResult(card=card)


async def hand_over(turn: DialogTurn, payload: HandOverTo) -> InvokeResult:
    """The interviewer handed the conversation over: their card says to whom, no buttons."""
    done = await plans_of(turn).hand_over(asker_of(turn), payload.departure, payload.colleague)
    say = turn.speaker(done.departure.unit)
    card = released_card(say, done.departure, Release.HANDED_OVER, successor=done.colleague)
    return InvokeResult(card=card)
