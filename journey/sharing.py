"""Sharing, chosen by the leaver: what they want known and advice for the next person in the job.

Seed 001 asks who should learn from the conversation: "närmaste chef, HR eller
rekryteringsteamet"; seed 004 wants "forventningsafstemning ift. nye ansatte"; seed 000 says the
organisation learns "hvad der kræves opmærksomhed på for den kommende medarbejder". Seed 003
says the leaver must be safe that nothing is used against them. So:

- Nothing is shared without the leaver's choice: "my manager" and "whoever hires my successor"
  are both off until the leaver switches one on. Only the leaver chooses, changes or
  withdraws, until the end of their last working day in the departure's time zone; after it
  the choice is final (a later change is refused, audited, and changes nothing).
- The readers are the leaver's manager (when chosen; also when the leaver chose them to hold
  the conversation) and the successor's hiring manager (when chosen and named by HR). Every
  read is audited (`shared_summary.read`, never the text); anyone else is refused (audited):
  the interviewer, a staff representative, HR, a stranger.
- HR names the hiring manager and sees whether a share exists and with whom (so it knows
  whether naming one matters), never the text: the leaver chose whom to tell, and HR was
  not chosen.
- The answers: the leaver may add the survey answers they themselves marked `named` (the
  interviewer may read them with their name); not those kept for the interviewer only or
  counted anonymously, and none of a survey withdrawn or never sent.
- The advice stays with the unit: a reader sees the advice earlier leavers of the same unit
  shared, without their names (storage.anonymise keeps it when the rest goes).

Plain Python: the store and what people are told come in through Protocols.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from journey.access import Asker
from journey.clock import Clock
from journey.departure import Departure
from journey.kernel import Kernel, Refusal
from journey.people import Directory
from journey.ports import AuditLog, ConcurrentUpdate, DepartureRepository
from journey.refusals import JourneyRefusal, NotAllowed, Reason, StaleAction
from journey.survey import Answer

SHARE_MAX = 2000  # each text: a summary and advice, not a report
EARLIER_ADVICE = 10  # how many earlier leavers' advice a reader sees


class Reader(StrEnum):
    """Whom the leaver can share with."""

    MANAGER = "manager"
    HIRING_MANAGER = "hiring_manager"


class SharedSummary(BaseModel):
    """What one leaver chose to share; `revision` guards against stale cards."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    departure_id: str
    unit: str
    with_manager: bool = False
    with_hiring_manager: bool = False
    hiring_manager_upn: str | None = None  # named by HR
    summary: str = Field("", max_length=SHARE_MAX)
    advice: str = Field("", max_length=SHARE_MAX)
    answers_included: bool = False
    chosen_at: datetime | None = None
    withdrawn_at: datetime | None = None
    revision: int = 0
    updated_at: datetime | None = None

    @property
    def shared(self) -> bool:
        """Whether anything is shared now."""
        chosen = self.chosen_at is not None and self.withdrawn_at is None
        return chosen and (self.with_manager or self.with_hiring_manager)

    def readers(self, departure: Departure) -> dict[str, Reader]:
        """Who may read it now, by UPN (none when nothing is shared)."""
        found: dict[str, Reader] = {}
        if not self.shared:
            return found
        if self.with_hiring_manager and self.hiring_manager_upn:
            found[self.hiring_manager_upn] = Reader.HIRING_MANAGER
        if self.with_manager and departure.manager_upn:
            found[departure.manager_upn] = Reader.MANAGER
        found.pop(departure.leaver_upn, None)
        return found

    def same_text(self, other: SharedSummary) -> bool:
        """Whether `other` shows a reader the same thing."""
        keys = ("summary", "advice", "answers_included")
        return all(getattr(self, key) == getattr(other, key) for key in keys)


class SharingChoice(BaseModel):
    """What the leaver's card sent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    revision: int
    with_manager: bool = False
    with_hiring_manager: bool = False
    summary: str = ""
    advice: str = ""
    answers_included: bool = False


class LeaverView(BaseModel):
    """The leaver's own card: their choice as stored, and whether it is final."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    departure: Departure
    shared: SharedSummary
    final: bool


class ReaderView(BaseModel):
    """What a reader sees: the summary, the named answers if included, earlier advice."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    departure: Departure
    shared: SharedSummary
    reader: Reader
    answers: tuple[Answer, ...] = ()
    earlier_advice: tuple[str, ...] = ()


class SharingChanged(StaleAction):
    """The card was drawn for an earlier revision (a replay, or HR named someone meanwhile)."""

    def __init__(self, departure_id: str, *, hr: bool = False) -> None:
        super().__init__("an older sharing card")
        self.departure_id = departure_id
        self.hr = hr  # HR's card (else the leaver's)


class SharingFinal(JourneyRefusal):
    """The last working day has ended: the choice stands as it is."""


class ShareTooLong(JourneyRefusal):
    """A text longer than SHARE_MAX; nothing was stored."""


class UnknownHiringManager(JourneyRefusal):
    """The directory knows nobody by that address; nothing was named."""


class SharingStore(Protocol):
    async def shared(self, departure_id: str) -> SharedSummary | None: ...

    async def save(self, shared: SharedSummary, *, expected_revision: int) -> SharedSummary: ...

    async def unit_advice(self, unit: str, *, besides: str, limit: int) -> list[str]: ...


class SharingNotifier(Protocol):
    """How readers are told; implemented in outbox.sharing_notifier."""

    async def shared(
        self, departure: Departure, shared: SharedSummary, tell: Sequence[str]
    ) -> None:
        """Send each of `tell` a card (it shows the text only in their own refresh)."""
        ...

    async def stopped(self, departure: Departure) -> None:
        """Withdraw the cards not yet sent."""
        ...


def final_from(departure: Departure) -> datetime:
    """When the choice becomes final: the end of the last working day where the leaver is."""
    next_day = departure.last_working_day + timedelta(days=1)
    return datetime.combine(next_day, time.min, tzinfo=departure.zone)


def is_final(departure: Departure, now: datetime) -> bool:
    return now >= final_from(departure)


def blank(departure: Departure) -> SharedSummary:
    """Nothing shared yet."""
    return SharedSummary(departure_id=departure.id, unit=departure.unit)


def chosen(current: SharedSummary, choice: SharingChoice, now: datetime) -> SharedSummary:
    """The stored summary after the leaver's choice: both off withdraws what was shared."""
    on = choice.with_manager or choice.with_hiring_manager
    withdrawn = current.withdrawn_at if not on and not current.shared else now
    return current.model_copy(
        update={
            **choice.model_dump(exclude={"revision"}),
            "chosen_at": now if on else current.chosen_at,
            "withdrawn_at": None if on else withdrawn,
            "revision": current.revision + 1,
            "updated_at": now,
        }
    )


def to_tell(departure: Departure, before: SharedSummary, after: SharedSummary) -> list[str]:
    """Who gets a card: new readers, or every reader when what they see changed."""
    readers, earlier = after.readers(departure), before.readers(departure)
    if not after.same_text(before) or any(upn not in readers for upn in earlier):
        return sorted(readers)
    return sorted(upn for upn in readers if upn not in earlier)


def flags(shared: SharedSummary) -> dict[str, str]:
    """The audit log's words for a choice: flags and whether a text exists, never the text."""
    return {
        "with_manager": str(shared.with_manager).lower(),
        "with_hiring_manager": str(shared.with_hiring_manager).lower(),
        "answers_included": str(shared.answers_included).lower(),
        "summary": "written" if shared.summary.strip() else "empty",
        "advice": "written" if shared.advice.strip() else "empty",
    }


class Sharing:
    """The leaver's choice, HR's hiring manager, and each reader's view: checked and audited."""

    def __init__(
        self,
        *,
        departures: DepartureRepository,
        store: SharingStore,
        audit: AuditLog,
        clock: Clock,
        notifier: SharingNotifier,
        directory: Directory,
        named_answers: Callable[[str], Awaitable[list[Answer]]],
    ) -> None:
        self._kernel = Kernel(departures, audit, clock)
        self._store = store
        self._clock = clock
        self._notifier = notifier
        self._directory = directory
        self._named_answers = named_answers

    # --- the leaver ----------------------------------------------------------------------

    async def for_leaver(self, asker: Asker, departure_id: str) -> LeaverView:
        """The leaver's own choice so far (only theirs: anyone else is refused)."""
        departure = await self._leaver(asker, departure_id, "view")
        shared = await self._store.shared(departure_id) or blank(departure)
        return LeaverView(departure=departure, shared=shared, final=self._final(departure))

    async def choose(self, asker: Asker, departure_id: str, choice: SharingChoice) -> LeaverView:
        """Keep the leaver's choice; new readers (or all, when the text changed) are told."""
        departure = await self._leaver(asker, departure_id, "choose")
        await self._open_to_change(asker, departure)
        if max(len(choice.summary), len(choice.advice)) > SHARE_MAX:
            await self._refused(asker, departure_id, "too_long")
            raise ShareTooLong(departure_id)
        before = await self._current(asker, departure, choice.revision)
        after = await self._save(asker, departure, chosen(before, choice, self._clock.now()))
        action = "sharing.withdrawn" if before.shared and not after.shared else "sharing.chosen"
        await self._kernel.record(asker, action, departure_id, **flags(after))
        await self._tell(departure, before, after)
        return LeaverView(departure=departure, shared=after, final=False)

    async def withdraw(self, asker: Asker, departure_id: str, revision: int) -> LeaverView:
        """Nothing is shared any more: the readers' cards show nothing from now on."""
        view = await self.for_leaver(asker, departure_id)
        off = SharingChoice(**{**view.shared.model_dump(include=_TEXTS), "revision": revision})
        return await self.choose(asker, departure_id, off)

    # --- HR ------------------------------------------------------------------------------

    async def for_hr(self, asker: Asker, departure_id: str) -> LeaverView:
        """HR's view: whether a share exists and with whom, and the hiring manager named.
        The texts are blanked before they leave this method."""
        departure = await self._kernel.open(departure_id, lambda _d: asker.is_hr, _NOT_HR)
        stored = await self._store.shared(departure_id) or blank(departure)
        shown = stored.model_copy(update={"summary": "", "advice": ""})
        return LeaverView(departure=departure, shared=shown, final=self._final(departure))

    async def name_hiring_manager(
        self, asker: Asker, departure_id: str, upn: str, revision: int
    ) -> LeaverView:
        """HR names who hires the successor (checked against the directory)."""
        departure = await self._kernel.open(departure_id, lambda _d: asker.is_hr, _NOT_HR)
        person = await self._directory.find_person(upn.strip()) if upn.strip() else None
        if person is None or person.upn == departure.leaver_upn:
            await self._refused(asker, departure_id, "unknown_hiring_manager")
            raise UnknownHiringManager(departure_id)
        before = await self._current(asker, departure, revision, hr=True)
        update = {"hiring_manager_upn": person.upn, "revision": before.revision + 1}
        named = before.model_copy(update={**update, "updated_at": self._clock.now()})
        after = await self._save(asker, departure, named, hr=True)
        await self._kernel.record(
            asker, "sharing.hiring_manager_named", departure_id, hiring_manager=person.upn
        )
        await self._tell(departure, before, after)
        return await self.for_hr(asker, departure_id)

    # --- the readers ---------------------------------------------------------------------

    async def read(self, asker: Asker, departure_id: str) -> ReaderView:
        """What `asker` may read now; NotAllowed (audited by the router) for anyone else."""
        departure = await self._kernel.get_or_stale(departure_id)
        shared = await self._store.shared(departure_id) or blank(departure)
        reader = shared.readers(departure).get((asker.upn or "").strip().lower())
        if reader is None:
            raise NotAllowed(
                Reason.NOT_SHARED, departure_id=departure_id, action="shared_summary.refused"
            )
        answers = await self._named_answers(departure_id) if shared.answers_included else []
        earlier = await self._store.unit_advice(
            departure.unit, besides=departure_id, limit=EARLIER_ADVICE
        )
        await self._kernel.record(
            asker,
            "shared_summary.read",
            departure_id,
            reader=reader.value,
            answers=str(len(answers)),
            earlier_advice=str(len(earlier)),
        )
        return ReaderView(
            departure=departure,
            shared=shared,
            reader=reader,
            answers=tuple(answers),
            earlier_advice=tuple(earlier),
        )

    # --- helpers -------------------------------------------------------------------------

    def _final(self, departure: Departure) -> bool:
        return is_final(departure, self._clock.now())

    async def _leaver(self, asker: Asker, departure_id: str, step: str) -> Departure:
        person = (asker.upn or "").strip().lower()
        refusal = _refusal(step)
        return await self._kernel.open(departure_id, lambda d: d.leaver_upn == person, refusal)

    async def _open_to_change(self, asker: Asker, departure: Departure) -> None:
        if self._final(departure):
            await self._refused(asker, departure.id, "final")
            raise SharingFinal(departure.id)

    async def _current(
        self, asker: Asker, departure: Departure, revision: int, *, hr: bool = False
    ) -> SharedSummary:
        current = await self._store.shared(departure.id) or blank(departure)
        if current.revision != revision:
            await self._refused(asker, departure.id, "stale")
            raise SharingChanged(departure.id, hr=hr)
        return current

    async def _save(
        self, asker: Asker, departure: Departure, after: SharedSummary, *, hr: bool = False
    ) -> SharedSummary:
        try:
            return await self._store.save(after, expected_revision=after.revision - 1)
        except ConcurrentUpdate:
            await self._refused(asker, departure.id, "stale")
            raise SharingChanged(departure.id, hr=hr) from None

    async def _tell(
        self, departure: Departure, before: SharedSummary, after: SharedSummary
    ) -> None:
        if any(upn not in after.readers(departure) for upn in before.readers(departure)):
            await self._notifier.stopped(departure)
        tell = to_tell(departure, before, after)
        if tell:
            await self._notifier.shared(departure, after, tell)

    async def _refused(self, asker: Asker, departure_id: str, reason: str) -> None:
        await self._kernel.record(asker, "sharing.refused", departure_id, reason=reason)


_TEXTS = {"summary", "advice", "answers_included"}
_NOT_HR = Refusal("sharing.refused", {"step": "hiring_manager"}, Reason.NOT_HR)


def _refusal(step: str) -> Refusal:
    return Refusal("sharing.refused", {"step": step}, Reason.NOT_LEAVER)
