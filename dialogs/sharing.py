"""Sharing, chosen by the leaver (issue 14), in Teams: the leaver's card, each reader's card
(refreshed per person, access checked on every refresh), and HR's hiring manager. Every verb
parses its payload with a pydantic model and goes to journey.sharing, which checks who asks."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from cards.sharing import (
    hiring_manager_card,
    leaver_card,
    nothing_shared_card,
    reader_card,
)
from cards.sharing import with_hr_button as hr_card_with_button
from dialogs.card_action import DepartureAction, DepartureId, asker_of
from dialogs.router import InvokeResult
from dialogs.turn import DialogTurn, wired
from journey.refusals import NotAllowed
from journey.sharing import Sharing, SharingChanged, SharingChoice

# Generous: the domain's own limit is checked (and a refusal audited) by the service.
RawText = Annotated[str, Field(max_length=20_000)]


class SharingInput(BaseModel):
    """The leaver's card: the toggles ("true"/"false") and the texts, with the revision."""

    model_config = ConfigDict(extra="forbid")

    departure: DepartureId
    revision: Annotated[int, Field(ge=0)]
    with_manager: bool = False
    with_hiring_manager: bool = False
    summary: RawText = ""
    advice: RawText = ""
    answers_included: bool = False

    def choice(self) -> SharingChoice:
        return SharingChoice(**self.model_dump(exclude={"departure"}))


class SharingRevision(BaseModel):
    """Withdraw: the departure and the revision the card was drawn for."""

    model_config = ConfigDict(extra="forbid")

    departure: DepartureId
    revision: Annotated[int, Field(ge=0)]


class HiringManagerInput(SharingRevision):
    """HR's card: the successor's hiring manager (checked against the directory)."""

    hiring_manager: Annotated[str, Field(max_length=320)] = ""


def sharing_of(turn: DialogTurn) -> Sharing:
    """The sharing service wired in create_app."""
    return wired(turn.services.sharing, "the sharing service")


async def open_sharing(turn: DialogTurn, payload: DepartureAction) -> InvokeResult:
    """From the thank-you or the sent survey: the leaver's sharing card, posted below."""
    view = await sharing_of(turn).for_leaver(asker_of(turn), payload.departure)
    say = turn.speaker(view.departure.unit)
    await turn.send_card(leaver_card(say, view))
    return InvokeResult(message=say.plain("sharing.opened"))


async def choose(turn: DialogTurn, payload: SharingInput) -> InvokeResult:
    """Keep the leaver's choice: the card again, saying what is shared now."""
    view = await sharing_of(turn).choose(asker_of(turn), payload.departure, payload.choice())
    say = turn.speaker(view.departure.unit)
    at = say.moment(turn.services.clock.now(), view.departure.zone)
    return InvokeResult(card=leaver_card(say, view, note=say("sharing.saved", at=at)))


async def withdraw(turn: DialogTurn, payload: SharingRevision) -> InvokeResult:
    """Nothing is shared any more; the readers' cards show nothing when they refresh."""
    view = await sharing_of(turn).withdraw(asker_of(turn), payload.departure, payload.revision)
    say = turn.speaker(view.departure.unit)
    return InvokeResult(card=leaver_card(say, view, note=say("sharing.withdrawn")))


async def changed_meanwhile(turn: DialogTurn, stale: SharingChanged) -> InvokeResult:
    """A replayed or older card: the current one (for whoever may see it), saying so."""
    asker, sharing = asker_of(turn), sharing_of(turn)
    if stale.hr:
        view = await sharing.for_hr(asker, stale.departure_id)
        say = turn.speaker(view.departure.unit)
        return InvokeResult(card=hiring_manager_card(say, view, note=say("sharing.changed")))
    view = await sharing.for_leaver(asker, stale.departure_id)
    say = turn.speaker(view.departure.unit)
    return InvokeResult(card=leaver_card(say, view, note=say("sharing.changed")))


async def read(turn: DialogTurn, payload: DepartureAction) -> InvokeResult:
    """A reader's own view, re-checked on every refresh (NotAllowed: `nothing`, audited)."""
    view = await sharing_of(turn).read(asker_of(turn), payload.departure)
    say = turn.speaker(view.departure.unit)
    sections = turn.config.survey_sections(view.departure.unit or None)
    user_ids = [turn.actor.user_id]
    return InvokeResult(card=reader_card(say, view, sections, user_ids=user_ids))


def nothing(turn: DialogTurn, _refused: NotAllowed) -> InvokeResult:
    """What anyone the leaver has not shared with (now) sees (dialogs.routes, after the audit)."""
    return InvokeResult(card=nothing_shared_card(turn.speaker()))


async def open_for_hr(turn: DialogTurn, payload: DepartureAction) -> InvokeResult:
    """HR's card for the successor's hiring manager."""
    view = await sharing_of(turn).for_hr(asker_of(turn), payload.departure)
    return InvokeResult(card=hiring_manager_card(turn.speaker(view.departure.unit), view))


async def name_hiring_manager(turn: DialogTurn, payload: HiringManagerInput) -> InvokeResult:
    """HR names who hires the successor; the card again, saying so."""
    view = await sharing_of(turn).name_hiring_manager(
        asker_of(turn), payload.departure, payload.hiring_manager, payload.revision
    )
    say = turn.speaker(view.departure.unit)
    return InvokeResult(card=hiring_manager_card(say, view, note=say("sharing.hr_saved")))


def with_hr_button(turn: DialogTurn, departure_id: str, card: dict[str, Any]) -> dict[str, Any]:
    """HR's card for a departure, with the way to the hiring manager (when sharing is wired)."""
    if turn.services.sharing is None:
        return card
    return hr_card_with_button(turn.speaker(), departure_id, card)
