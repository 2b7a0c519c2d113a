"""Follow-ups in Teams (issue 14): the interviewer adds them on the task card; the owner marks
one done or hands it on from their card, which then shows the new state in place. Every verb
parses its payload with a pydantic model and goes to journey.follow_ups, which checks who
asks before it keeps anything."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from cards.after_conversation import NOTE_PREFIX
from cards.base import with_notice
from cards.follow_ups import PREFIX, areas_for, follow_up_card, follow_up_without_details
from dialogs.after_conversation import full_task_card
from dialogs.card_action import CardInputs, asker_of
from dialogs.router import InvokeResult
from dialogs.turn import DialogTurn, wired
from journey.departure import Departure
from journey.follow_up_rules import DueDateRefused, FollowUp, StaleFollowUp, may_see
from journey.follow_ups import FollowUps, NewFollowUp
from journey.refusals import NotAllowed

FollowUpId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
# Generous: the domain's own limits are checked (and a refusal audited) by the service.
Typed = Annotated[str, Field(max_length=5000)]


class AddFollowUp(CardInputs):
    """The task card's "Add": the form's `fu_*` inputs. The notes' inputs on the same card
    travel with the button too (Teams sends every input of the card around the form): they
    are gathered and left alone here; the notes' own buttons keep them."""

    gathered = ((NOTE_PREFIX, "notes"), (PREFIX, "form"))

    known: Annotated[int, Field(ge=0)]
    notes: dict[str, Typed] = Field(default_factory=dict)
    form: dict[str, Typed] = Field(default_factory=dict)

    def typed(self) -> NewFollowUp:
        """What the interviewer typed, as the service takes it."""
        form = self.form
        return NewFollowUp(
            known=self.known,
            what=form.get("what", ""),
            owner=form.get("owner", ""),
            person=form.get("person", ""),
            area=form.get("area", ""),
            due=form.get("due", ""),
        )


class FollowUpRef(BaseModel):
    """The owner's card's refresh: which follow-up."""

    model_config = ConfigDict(extra="forbid")

    follow_up: FollowUpId


class OwnerAction(FollowUpRef):
    """Done or hand on, from the card drawn at `revision`, with the outcome or the address."""

    revision: Annotated[int, Field(ge=0)]
    fu_outcome: Typed = ""
    fu_to: Typed = ""


def follow_ups_of(turn: DialogTurn) -> FollowUps:
    """The follow-up service wired in create_app."""
    return wired(turn.services.follow_ups, "the follow-ups")


# --- on the interviewer's task card --------------------------------------------------------


async def add(turn: DialogTurn, payload: AddFollowUp) -> InvokeResult:
    """Keep the new follow-up; the task card again, saying so (the owner gets a card)."""
    departure, _added = await follow_ups_of(turn).add(
        asker_of(turn), payload.departure, payload.typed()
    )
    note = turn.speaker(departure.unit)("follow_up.added")
    return InvokeResult(card=await full_task_card(turn, departure, note))


# --- the owner's card -------------------------------------------------------------------------


def card_for(
    turn: DialogTurn, follow_up: FollowUp, departure: Departure | None, note: str | None = None
) -> dict[str, Any]:
    """The follow-up's card as the person asking sees it (with buttons only for the owner)."""
    say = turn.speaker(follow_up.unit)
    zone = departure.zone if departure is not None else UTC
    config = turn.config
    return follow_up_card(
        say,
        follow_up,
        areas=areas_for(config, say, follow_up.unit),
        unit_name=config.unit_name(follow_up.unit or None, say.lang) or follow_up.unit,
        today=turn.services.clock.now().astimezone(zone).date(),
        user_ids=[turn.actor.user_id],
        can_act=follow_up.owned_by(turn.actor.upn),
        note=note,
    )


async def refresh(turn: DialogTurn, payload: FollowUpRef) -> InvokeResult:
    """The owner's, the interviewer's or HR's view; anyone else is refused (audited)."""
    follow_up, departure = await follow_ups_of(turn).view(asker_of(turn), payload.follow_up)
    return InvokeResult(card=card_for(turn, follow_up, departure))


async def mark_done(turn: DialogTurn, payload: OwnerAction) -> InvokeResult:
    """Done, with the outcome: the card shows it in place, without buttons."""
    follow_up, departure = await follow_ups_of(turn).mark_done(
        asker_of(turn), payload.follow_up, revision=payload.revision, outcome=payload.fu_outcome
    )
    note = turn.speaker(follow_up.unit)("follow_up.done_note")
    return InvokeResult(card=card_for(turn, follow_up, departure, note))


async def hand_on(turn: DialogTurn, payload: OwnerAction) -> InvokeResult:
    """Handed on: the card says to whom, and the former owner can no longer act on it."""
    follow_up, departure = await follow_ups_of(turn).hand_on(
        asker_of(turn), payload.follow_up, revision=payload.revision, to=payload.fu_to
    )
    note = turn.speaker(follow_up.unit)("follow_up.handed_on_note", name=follow_up.owner_upn)
    return InvokeResult(card=card_for(turn, follow_up, departure, note))


def no_details(turn: DialogTurn, refused: NotAllowed) -> InvokeResult:
    """The owner's card as someone who may not see it gets it (after the router's audit)."""
    return InvokeResult(card=follow_up_without_details(turn.speaker()))


def stale(turn: DialogTurn, refused: StaleFollowUp) -> InvokeResult:
    """An older card: nothing changed; the current card under the notice, if theirs to see."""
    current = refused.current
    if current is None or not may_see(current, None, asker_of(turn)):
        return InvokeResult(message=turn.text("error.stale_action"))
    card = card_for(turn, current, None)
    return InvokeResult(card=with_notice(card, turn.speaker(current.unit)("error.stale_card")))


def due_refused(turn: DialogTurn, refused: DueDateRefused) -> InvokeResult:
    """A due date in the past, too far ahead or missing, each with its own text."""
    return InvokeResult(message=turn.text(f"follow_up.{refused.reason}"))
