"""After the conversation in Teams: the interviewer's notes and "held" on the task card, and the
leaver's thank-you with its offers. Every verb parses its payload with a pydantic model and
goes to journey.after_conversation, which checks who asks before it keeps anything."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from cards.after_conversation import (
    NOTE_PREFIX,
    OFFER_PREFIX,
    farewell_gestures_card,
    notes_block,
    thank_you_card,
    thank_you_without_details,
)
from cards.base import Element, paragraph
from cards.follow_ups import PREFIX as FOLLOW_UP_PREFIX
from cards.follow_ups import areas_for, follow_ups_block, promised_block
from cards.task import task_card
from dialogs.card_action import CardInputs, DepartureAction, asker_of
from dialogs.patterns import patterns_elements
from dialogs.router import InvokeResult
from dialogs.survey import handoff_answers
from dialogs.turn import DialogTurn, wired
from journey.after_conversation import (
    AfterConversation,
    Gesture,
    NoteField,
    may_write_notes,
)
from journey.departure import Departure, DepartureStatus
from journey.follow_up_rules import leaver_sees, may_add
from journey.refusals import NotAllowed, StaleAction

# Generous: the domain's own limit is checked (and a refusal audited) by the service.
RawNote = Annotated[str, Field(max_length=20_000)]


class NotesInput(CardInputs):
    """The task card's Save or Held, with the notes as typed (`n_<field>` inputs)."""

    # The follow-up form's inputs sit in a ShowCard and do not travel with these buttons;
    # should a host send them anyway, they are gathered and left alone (issue 14).
    gathered = ((NOTE_PREFIX, "notes"), (FOLLOW_UP_PREFIX, "follow_up_form"))

    revision: Annotated[int, Field(ge=0)]
    notes: dict[NoteField, RawNote] = Field(default_factory=dict)
    follow_up_form: dict[str, RawNote] = Field(default_factory=dict)


class WishesInput(CardInputs):
    """The thank-you card's Send, with each offer's toggle (`o_<offer>`: "true"/"false")."""

    gathered = ((OFFER_PREFIX, "offers"),)

    offers: dict[Gesture, bool] = Field(default_factory=dict)
    # The private e-mail for consent to be contacted later (checked by journey.farewell).
    alumni_email: Annotated[str, Field(max_length=2000)] | None = None

    def chosen(self) -> list[Gesture]:
        """The offers switched on."""
        return [gesture for gesture, on in self.offers.items() if on]


def after_of(turn: DialogTurn) -> AfterConversation:
    """The after-conversation service wired in create_app."""
    return wired(turn.services.after, "the after-conversation service")


async def notes_elements(
    turn: DialogTurn, departure: Departure, note: str | None = None
) -> list[Element]:
    """The notes form for the person asking, if they hold the conversation (else nothing)."""
    after = turn.services.after
    if after is None or not may_write_notes(departure):
        return []
    notes = await after.notes_for(asker_of(turn), departure)
    if notes is None:
        return []
    block = notes_block(turn.speaker(departure.unit), departure, notes)
    if note:
        block[0]["items"].insert(1, paragraph(note))
    return block + await follow_up_elements(turn, departure)


async def follow_up_elements(turn: DialogTurn, departure: Departure) -> list[Element]:
    """The follow-ups agreed so far and the form to add one, for the interviewer (issue 14)."""
    service = turn.services.follow_ups
    if service is None or not may_add(departure, asker_of(turn)):
        return []
    say = turn.speaker(departure.unit)
    today = turn.services.clock.now().astimezone(departure.zone).date()
    listed = await service.of_departure(departure)
    areas = areas_for(turn.config, say, departure.unit)
    return follow_ups_block(say, departure, listed, areas, today)


async def promised_elements(turn: DialogTurn, departure: Departure) -> list[Element]:
    """What was promised (the follow-ups), for the leaver's own thank-you while the case is
    open (issue 14); callers checked it is the leaver."""
    service = turn.services.follow_ups
    if service is None or not leaver_sees(departure):
        return []
    today = turn.services.clock.now().astimezone(departure.zone).date()
    listed = await service.of_departure(departure)
    return promised_block(turn.speaker(departure.unit), listed, today)


async def full_task_card(
    turn: DialogTurn, departure: Departure, note: str | None = None
) -> dict[str, Any]:
    """The task card as the person asking may see it, refreshing for them only.

    The answers and the notes come only here, never in the card posted to the chat.
    """
    say = turn.speaker(departure.unit)
    answers = await handoff_answers(turn, departure)
    notes = await notes_elements(turn, departure, note)
    patterns = await patterns_elements(turn, departure)  # earlier leavers (issue 14)
    return task_card(
        say,
        departure,
        user_ids=[turn.actor.user_id],
        survey=answers,
        notes=notes,
        patterns=patterns,
    )


async def save_notes(turn: DialogTurn, payload: NotesInput) -> InvokeResult:
    """Keep the notes; the task card again, saying so."""
    return await _notes(turn, payload, held=False)


async def mark_held(turn: DialogTurn, payload: NotesInput) -> InvokeResult:
    """Keep the notes and mark the conversation held: the leaver is thanked."""
    return await _notes(turn, payload, held=True)


async def _notes(turn: DialogTurn, payload: NotesInput, *, held: bool) -> InvokeResult:
    departure, _notes = await after_of(turn).record(
        asker_of(turn), payload.departure, revision=payload.revision, texts=payload.notes, held=held
    )
    say = turn.speaker(departure.unit)
    # The card says when it was saved: a press that changed nothing looks the same otherwise.
    note = (
        None
        if held
        else say("notes.saved", at=say.moment(turn.services.clock.now(), departure.zone))
    )
    return InvokeResult(card=await full_task_card(turn, departure, note))


async def thank_you_for(
    turn: DialogTurn, departure_id: str, note: str | None = None
) -> dict[str, Any]:
    """The thank-you as the person asking may see it: in full for the leaver only."""
    after = after_of(turn)
    try:  # NotAllowed goes to the router: audited, and answered with `no_details`
        departure, notes, wishes = await after.for_leaver(asker_of(turn), departure_id)
    except StaleAction:
        say = turn.speaker()
        return thank_you_without_details(say, departure_id, user_ids=[])
    say, offers = turn.speaker(departure.unit), after.offers(departure)
    alumni = await after.alumni_contact(departure)
    user_ids = [turn.actor.user_id]
    held = departure.status is DepartureStatus.HELD or (
        departure.status is DepartureStatus.CLOSED and notes is not None
    )
    if not held:  # the farewell card every leaver gets (issue 11)
        return farewell_gestures_card(
            say, departure, offers, user_ids=user_ids, wishes=wishes, alumni=alumni, note=note
        )
    return thank_you_card(
        say,
        departure,
        offers,
        user_ids=user_ids,
        notes=notes,
        wishes=wishes,
        note=note,
        alumni=alumni,
        promised=await promised_elements(turn, departure),
    )


def no_details(turn: DialogTurn, refused: NotAllowed) -> InvokeResult:
    """The thank-you as anyone but the leaver sees it (dialogs.routes, after the audit)."""
    departure_id = refused.departure_id or ""
    return InvokeResult(card=thank_you_without_details(turn.speaker(), departure_id, user_ids=[]))


async def refresh_thanks(turn: DialogTurn, payload: DepartureAction) -> InvokeResult:
    """The leaver's own view of the thank-you: with what was agreed."""
    return InvokeResult(card=await thank_you_for(turn, payload.departure))


async def choose(turn: DialogTurn, payload: WishesInput) -> InvokeResult:
    """The leaver's wishes: kept, and the interviewer is told."""
    departure, _wishes = await after_of(turn).choose(
        asker_of(turn), payload.departure, payload.chosen(), payload.alumni_email
    )
    note = turn.speaker(departure.unit)("thanks_offer.noted")
    return InvokeResult(card=await thank_you_for(turn, departure.id, note))


async def withdraw_consent(turn: DialogTurn, payload: DepartureAction) -> InvokeResult:
    """The leaver withdraws their consent to be contacted later: the e-mail is deleted."""
    departure = await after_of(turn).withdraw(asker_of(turn), payload.departure)
    note = turn.speaker(departure.unit)("alumni.withdrawn")
    return InvokeResult(card=await thank_you_for(turn, departure.id, note))
