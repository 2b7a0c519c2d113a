"""What the card actions on a departure share: its payload, who asks, and in which words."""

from __future__ import annotations

import logging
from typing import Annotated, Any, ClassVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

from cards.booking import (
    cancelled_booking_card,
    confirmation_card,
    slots_card,
    waiting_card,
)
from cards.interviewer import interviewer_card
from cards.offer import declined_card, offer_card
from config.rules import conversation_minutes
from dialogs.router import InvokeResult
from dialogs.turn import DialogTurn, wired
from journey.access import Asker
from journey.booking import offered_slots
from journey.departure import Departure, DepartureStatus
from journey.flow import DepartureFlow
from journey.people import DirectoryUnavailable, PersonNotReachable
from journey.refusals import AlreadyBooked, require_mark

log = logging.getLogger(__name__)

DepartureId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


def collect_inputs(data: Any, prefix: str, field: str) -> Any:
    """Move a card's `<prefix><id>` inputs (Teams merges them into the data) into one field."""
    if not isinstance(data, dict):
        return data
    inputs = {k.removeprefix(prefix): v for k, v in data.items() if k.startswith(prefix)}
    rest = {k: v for k, v in data.items() if not k.startswith(prefix)}
    return {**rest, field: inputs}


class CardInputs(BaseModel):
    """A card's data about one departure whose `<prefix><id>` inputs gather into dict fields."""

    model_config = ConfigDict(extra="forbid")

    # (prefix, field) pairs, gathered in this order.
    gathered: ClassVar[tuple[tuple[str, str], ...]] = ()

    departure: DepartureId

    @model_validator(mode="before")
    @classmethod
    def _gather(cls, data: Any) -> Any:
        for prefix, field in cls.gathered:
            data = collect_inputs(data, prefix, field)
        return data


class DepartureAction(BaseModel):
    """A card action about one departure and nothing else."""

    model_config = ConfigDict(extra="forbid")

    # HR's registration cards name it `departure_id`; cards already posted in chats keep
    # carrying that key, so both are understood.
    departure: DepartureId = Field(validation_alias=AliasChoices("departure", "departure_id"))


async def check_mark(turn: DialogTurn, departure_id: str, mark: str) -> None:
    """A card drawn for an earlier plan of the departure is StaleAction (dialogs.router);
    one for a departure no longer kept is NotFound."""
    require_mark(await turn.services.departures.get(departure_id), mark)


def flow_of(turn: DialogTurn) -> DepartureFlow:
    """The departure flow service wired in create_app."""
    return wired(turn.services.flow, "the departure flow")


def asker_of(turn: DialogTurn) -> Asker:
    """Who is asking, as the journey's access rules see them."""
    return Asker(user_id=turn.actor.user_id, upn=turn.actor.upn, is_hr=turn.is_hr())


def minutes_of(turn: DialogTurn, departure: Departure) -> int:
    """How long the unit's conversations are."""
    return conversation_minutes(turn.config, departure.unit)


def already_booked(turn: DialogTurn, booked: AlreadyBooked) -> InvokeResult:
    """A second pick: the booking stands, and the card says so."""
    return InvokeResult(
        card=confirmation_card(turn.speaker(booked.departure.unit), booked.departure)
    )


def calendars_unreachable(
    turn: DialogTurn, exc: PersonNotReachable | DirectoryUnavailable
) -> InvokeResult:
    """The calendars or the directory did not answer: a generic text, and the kind of failure."""
    log.warning("a journey action could not reach the calendars (%s)", type(exc).__name__)
    return InvokeResult(message=turn.text("error.generic"))


async def leaver_card(turn: DialogTurn, departure: Departure) -> dict[str, Any] | None:
    """The card the leaver acts on in the departure's current state, if any."""
    say = turn.speaker(departure.unit)
    status = departure.status
    if status is DepartureStatus.OFFERED:
        return offer_card(say, departure, minutes_of(turn, departure))
    if status is DepartureStatus.DECLINED:
        return declined_card(say, departure)
    if status is DepartureStatus.BOOKED:
        return confirmation_card(say, departure)
    if status is not DepartureStatus.ACCEPTED:
        return None
    if not departure.interviewer_upn:
        choices = await flow_of(turn).interviewer_choices(departure)
        return interviewer_card(say, departure, choices)
    if departure.proposed_slots:
        slots = offered_slots(departure)
        return slots_card(say, departure, slots, minutes_of(turn, departure))
    if departure.times_requested_at is not None:
        return waiting_card(say, departure, found_none=False)
    return cancelled_booking_card(say, departure)
