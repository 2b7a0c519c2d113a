"""The handover checklist: the leaver or the manager ticks an item or names who takes over."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from cards.handover import handover_card
from dialogs.card_action import DepartureId, asker_of, flow_of
from dialogs.router import InvokeResult
from dialogs.turn import DialogTurn
from journey.departure import HANDOVER_SUCCESSOR_MAX, Departure

ItemId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]


class HandoverTick(BaseModel):
    """A checklist row's button: which item, and whether it is now done."""

    model_config = ConfigDict(extra="forbid")

    departure: DepartureId
    item: ItemId
    done: bool


class HandoverSuccessor(BaseModel):
    """The save button; Teams merges the successor field into its data."""

    model_config = ConfigDict(extra="forbid")

    departure: DepartureId
    successor: str | None = Field(default=None, max_length=HANDOVER_SUCCESSOR_MAX)


def _card(turn: DialogTurn, departure: Departure, *, saved: bool = False) -> InvokeResult:
    """The checklist as the person who clicked sees it, in their language; after a save,
    saying when it was saved."""
    items = turn.config.handover_checklist(departure.unit or None)
    for_manager = (turn.actor.upn or "").strip().lower() != departure.leaver_upn
    say = turn.speaker(departure.unit)
    note = (
        say("handover.saved", at=say.moment(turn.services.clock.now(), departure.zone))
        if saved
        else None
    )
    card = handover_card(say, departure, items, for_manager=for_manager, note=note)
    return InvokeResult(card=card)


async def tick(turn: DialogTurn, payload: HandoverTick) -> InvokeResult:
    """Tick (or untick) an item; the other person's copy is updated in place too."""
    departure = await flow_of(turn).handover.tick(
        asker_of(turn), payload.departure, payload.item, payload.done
    )
    return _card(turn, departure)


async def name_successor(turn: DialogTurn, payload: HandoverSuccessor) -> InvokeResult:
    """Save who takes over; both copies show it."""
    departure = await flow_of(turn).handover.name_successor(
        asker_of(turn), payload.departure, payload.successor
    )
    return _card(turn, departure, saved=True)
