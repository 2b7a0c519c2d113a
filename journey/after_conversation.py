"""After the conversation: the interviewer's notes, "held", and the leaver's thank-you wishes.

Seed 003: document the main points. Seed 004: close with "I will now take ... to ...", and ask
which data matter for the workplace and how they will be used. Seed 003 also says the leaver
must be safe that what they say is not used against them, so:

- Only the person the leaver chose to hold the conversation writes and reads the notes. The
  manager (unless chosen), HR and anyone else never see them; a card action by anyone else is
  refused, audited, and changes nothing.
- The leaver sees what the organisation promised and how their words will be used (the agreed
  actions and the data use), in their thank-you; the main points stay with the interviewer.
  What was promised is the leaver's to know; the interviewer's summary of what they said
  adds nothing to their safety, and showing it would make honest notes harder to write.
- Notes live in the database only: never in the audit log, the logs, or a card posted to a
  chat (they appear only in a person's own refreshed card).

Plain Python: the store and what people are told come in through Protocols.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from journey.access import Asker, Role, refusal_for, roles_of
from journey.clock import Clock
from journey.departure import Departure, DepartureStatus
from journey.farewell import (
    AlumniContact,
    AlumniStore,
    Gesture,
    may_choose_gestures,
    private_email,
    thanks_carries_offers,
    wants_contact,
)
from journey.kernel import Kernel, Refusal
from journey.ports import AuditLog, ConcurrentUpdate, DepartureRepository
from journey.refusals import JourneyRefusal, StaleAction

# About a page each: notes, not a transcript.
NOTE_MAX = 4000


class NoteField(StrEnum):
    """What the interviewer writes down after the conversation."""

    MAIN_POINTS = "main_points"  # seed 003: the main points (the interviewer's only)
    AGREED_ACTIONS = "agreed_actions"  # seed 004: "I will now take ... to ..." (leaver sees)
    DATA_USE = "data_use"  # seed 004: which data matter and how they are used (leaver sees)


# What the leaver sees in the thank-you.
SHOWN_TO_LEAVER: tuple[NoteField, ...] = (NoteField.AGREED_ACTIONS, NoteField.DATA_USE)


class ConversationNotes(BaseModel):
    """The interviewer's notes of one conversation; `revision` guards against stale cards."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    departure_id: str
    main_points: str = Field("", max_length=NOTE_MAX)
    agreed_actions: str = Field("", max_length=NOTE_MAX)
    data_use: str = Field("", max_length=NOTE_MAX)
    # Who wrote them: "only you see these" holds when the conversation passes to someone else.
    author_upn: str = ""
    revision: int = 0
    updated_at: datetime | None = None

    def seen_by(self, upn: str | None) -> ConversationNotes:
        """These notes as `upn` may see them: blank (at the same revision, so theirs replace
        them) when someone else, who held the conversation before, wrote them."""
        if not self.author_upn or self.author_upn == (upn or "").strip().lower():
            return self
        return ConversationNotes(departure_id=self.departure_id, revision=self.revision)

    def text(self, field: NoteField) -> str:
        return str(getattr(self, field.value))

    @property
    def written(self) -> list[NoteField]:
        """The fields with something in them (the audit log names these, never the text)."""
        return [field for field in NoteField if self.text(field).strip()]


class Wishes(BaseModel):
    """What the leaver asked for on the thank-you card."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    departure_id: str
    chosen: tuple[Gesture, ...] = ()
    answered_at: datetime


class NoteTooLong(JourneyRefusal):
    """A note longer than NOTE_MAX; nothing was stored."""


class NotYetHeld(JourneyRefusal):
    """ "Held" before the booked conversation has started; nothing changed."""


class NotOffered(JourneyRefusal):
    """A wish for something the unit does not offer (a forged card); nothing was stored."""


class NotesStore(Protocol):
    async def notes(self, departure_id: str) -> ConversationNotes | None: ...

    async def save_notes(
        self, notes: ConversationNotes, *, expected_revision: int
    ) -> ConversationNotes: ...

    async def wishes(self, departure_id: str) -> Wishes | None: ...

    async def save_wishes(self, wishes: Wishes) -> None: ...


class AfterNotifier(Protocol):
    """How the people are told; implemented in outbox.after_notifier."""

    async def task_changed(self, departure: Departure) -> None:
        """Update the interviewer's posted task card (it then refreshes per person)."""
        ...

    async def thank_you(self, departure: Departure, offers: Sequence[Gesture]) -> None:
        """Send the leaver the thank-you with the unit's offers."""
        ...

    async def wishes(self, departure: Departure, chosen: Sequence[Gesture]) -> None:
        """Tell the interviewer what the leaver asked for."""
        ...


# Notes can be written once a conversation is booked, and corrected after it was held.
_NOTES_OPEN = frozenset({DepartureStatus.BOOKED, DepartureStatus.HELD})


def may_write_notes(departure: Departure) -> bool:
    return departure.status in _NOTES_OPEN and departure.interviewer_upn is not None


class AfterConversation:
    """Notes, "held", and the thank-you wishes: each step checked, saved and audited."""

    def __init__(
        self,
        *,
        departures: DepartureRepository,
        store: NotesStore,
        audit: AuditLog,
        clock: Clock,
        offers: Callable[[str], Sequence[Gesture]],
        notifier: AfterNotifier,
        replan: Callable[[str], Awaitable[None]] | None = None,
        alumni: AlumniStore | None = None,
        farewell_at: Callable[[Departure], datetime | None] | None = None,
    ) -> None:
        self._kernel = Kernel(departures, audit, clock)
        # Issue 11: consents to be contacted later, and when the farewell card brings every
        # leaver the offers (None: only a held conversation's thank-you does).
        self._alumni = alumni
        self._farewell_at = farewell_at or (lambda _departure: None)
        self._store = store
        self._clock = clock
        self._offers = offers
        self._notifier = notifier
        self._replan = replan

    def offers(self, departure: Departure) -> tuple[Gesture, ...]:
        """What the departure's unit offers, in a fixed order."""
        return tuple(self._offers(departure.unit))

    # --- the interviewer -----------------------------------------------------------------

    async def notes_for(self, asker: Asker, departure: Departure) -> ConversationNotes | None:
        """The notes, for the interviewer only (None for anyone else); reads are audited."""
        if Role.INTERVIEWER not in self._roles(departure, asker):
            return None
        notes = await self._store.notes(departure.id) or ConversationNotes(
            departure_id=departure.id
        )
        await self._kernel.record(asker, "notes.read", departure.id)
        return notes.seen_by(asker.upn)

    async def record(
        self,
        asker: Asker,
        departure_id: str,
        *,
        revision: int,
        texts: Mapping[NoteField, str],
        held: bool = False,
    ) -> tuple[Departure, ConversationNotes]:
        """Keep the interviewer's notes; with `held`, the conversation is marked held too."""
        departure = await self._interviewer(asker, departure_id)
        if not may_write_notes(departure):
            await self._refused(asker, departure_id, "stale")
            raise StaleAction("no conversation to write notes about")
        now = self._clock.now()
        starts = departure.meeting_start
        if held and departure.status is DepartureStatus.BOOKED and starts and now < starts:
            await self._refused(asker, departure_id, "too_early")
            raise NotYetHeld(departure_id)
        if any(len(text) > NOTE_MAX for text in texts.values()):
            await self._refused(asker, departure_id, "too_long")
            raise NoteTooLong(departure_id)
        stored = await self._store.notes(departure_id)
        current = (stored or ConversationNotes(departure_id=departure_id)).seen_by(asker.upn)
        if current.revision != revision:
            await self._refused(asker, departure_id, "stale")
            raise StaleAction("an older card")
        changed = current.model_copy(
            update={
                **{field.value: texts.get(field, current.text(field)) for field in NoteField},
                "author_upn": (asker.upn or "").strip().lower(),
                "revision": revision + 1,
                "updated_at": now,
            }
        )
        try:
            saved = await self._store.save_notes(changed, expected_revision=revision)
        except ConcurrentUpdate:
            await self._refused(asker, departure_id, "stale")
            raise StaleAction("the notes changed meanwhile") from None
        # The field names only: the notes themselves never go to the audit log.
        await self._kernel.record(
            asker, "notes.saved", departure_id, fields=",".join(f.value for f in saved.written)
        )
        if held and departure.status is DepartureStatus.BOOKED:
            departure = await self._mark_held(asker, departure_id)
        return departure, saved

    async def _mark_held(self, asker: Asker, departure_id: str) -> Departure:
        held = await self._kernel.apply(departure_id, _held)
        if not held.changed:
            return held.after  # a second click meanwhile: held once, thanked once
        saved = held.after
        await self._kernel.record(asker, "conversation.held", departure_id)
        if self._replan is not None:
            await self._replan(departure_id)  # no "tomorrow" reminder for a held conversation
        await self._notifier.task_changed(saved)
        # The farewell card may have brought the offers already: never twice.
        carries = thanks_carries_offers(self._farewell_at(saved), self._clock.now())
        await self._notifier.thank_you(saved, self.offers(saved) if carries else ())
        return saved

    # --- the leaver ----------------------------------------------------------------------

    async def for_leaver(
        self, asker: Asker, departure_id: str
    ) -> tuple[Departure, ConversationNotes | None, Wishes | None]:
        """The leaver's thank-you: what was agreed, and what they asked for so far."""
        departure = await self._leaver(asker, departure_id)
        notes = await self._store.notes(departure_id)
        if notes is not None:
            # Only what the leaver is shown leaves this method.
            notes = ConversationNotes(
                departure_id=departure_id,
                **{field.value: notes.text(field) for field in SHOWN_TO_LEAVER},
            )
        return departure, notes, await self._store.wishes(departure_id)

    async def choose(
        self,
        asker: Asker,
        departure_id: str,
        chosen: Collection[Gesture],
        email: str | None = None,
    ) -> tuple[Departure, Wishes]:
        """The leaver says which offers they would like; the interviewer is told. Consent to be
        contacted later needs a private e-mail (journey.farewell): else nothing is kept."""
        departure = await self._leaver(asker, departure_id)
        offered = self.offers(departure)
        if any(gesture not in offered for gesture in chosen):
            await self._refused(asker, departure_id, "not_offered")
            raise NotOffered(departure_id)
        wishes = Wishes(
            departure_id=departure_id,
            chosen=tuple(gesture for gesture in offered if gesture in chosen),
            answered_at=self._clock.now(),
        )
        contact = None
        if wants_contact(wishes.chosen):
            try:
                address = private_email(email, departure.leaver_upn)
            except JourneyRefusal as refusal:
                await self._refused(asker, departure_id, type(refusal).__name__)
                raise
            contact = AlumniContact(
                departure_id=departure_id,
                name=departure.leaver_name or departure.leaver_upn,
                unit=departure.unit,
                private_email=address,
                consented_at=wishes.answered_at,
            )
        before = await self._store.wishes(departure_id)
        await self._store.save_wishes(wishes)
        await self._kernel.record(
            asker, "thanks.chosen", departure_id, offers=",".join(g.value for g in wishes.chosen)
        )
        await self._keep_contact(asker, departure_id, contact)
        if before is None or before.chosen != wishes.chosen:
            await self._notifier.wishes(departure, wishes.chosen)
        return departure, wishes

    async def alumni_contact(self, departure: Departure) -> AlumniContact | None:
        """The leaver's consent (for their own card only: callers checked who asks)."""
        return await self._alumni.contact(departure.id) if self._alumni is not None else None

    async def withdraw(self, asker: Asker, departure_id: str) -> Departure:
        """The leaver withdraws their consent: the entry and its e-mail are deleted."""
        departure = await self._open_as(asker, departure_id, Role.LEAVER, "alumni")
        await self._keep_contact(asker, departure_id, None)
        wishes = await self._store.wishes(departure_id)
        if wishes is not None and wants_contact(wishes.chosen):
            left = tuple(g for g in wishes.chosen if not wants_contact((g,)))
            await self._store.save_wishes(wishes.model_copy(update={"chosen": left}))
            await self._notifier.wishes(departure, left)
        return departure

    async def _keep_contact(
        self, asker: Asker, departure_id: str, contact: AlumniContact | None
    ) -> None:
        """Keep or delete the consent; audited without the address."""
        if self._alumni is None:
            return
        if contact is not None:
            await self._alumni.save(contact)
            await self._kernel.record(asker, "alumni.consented", departure_id)
        elif await self._alumni.delete(departure_id):
            await self._kernel.record(asker, "alumni.withdrawn", departure_id)

    # --- helpers -------------------------------------------------------------------------

    def _roles(self, departure: Departure, asker: Asker) -> frozenset[Role]:
        return roles_of(departure, asker.upn, is_hr=asker.is_hr)

    async def _open_as(self, asker: Asker, departure_id: str, role: Role, step: str) -> Departure:
        refusal = Refusal("after.refused", {"step": step}, refusal_for(role))
        return await self._kernel.open(
            departure_id, lambda d: role in self._roles(d, asker), refusal
        )

    async def _interviewer(self, asker: Asker, departure_id: str) -> Departure:
        return await self._open_as(asker, departure_id, Role.INTERVIEWER, "notes")

    async def _leaver(self, asker: Asker, departure_id: str) -> Departure:
        departure = await self._open_as(asker, departure_id, Role.LEAVER, "thanks")
        for_everyone = self._farewell_at(departure) is not None
        if not may_choose_gestures(departure, for_everyone=for_everyone):
            await self._refused(asker, departure_id, "stale", step="thanks")
            raise StaleAction("the conversation is not held")
        return departure

    async def _refused(self, asker: Asker, departure_id: str, reason: str, **detail: str) -> None:
        await self._kernel.record(asker, "after.refused", departure_id, reason=reason, **detail)


def _held(departure: Departure) -> Departure | None:
    """The conversation took place; None when it is already marked held."""
    if departure.status is DepartureStatus.HELD:
        return None
    if not departure.can_become(DepartureStatus.HELD):
        raise StaleAction("the conversation is no longer booked")
    return departure.moved_to(DepartureStatus.HELD)
