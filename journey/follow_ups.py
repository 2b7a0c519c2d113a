"""Follow-ups in the journey: the interviewer agrees them, the owner does them (issue 14).

- Only the person the leaver chose to hold the conversation adds follow-ups, once it is booked
  or held (like the notes): what, owner (themselves, the leaver's manager, the unit's HR
  contact, or a named person from the directory), due date and area.
- The owner gets a card and a reminder on the due date; only the owner marks it done (with a
  short outcome) or hands it on; the new owner gets the card, the old one can no longer act.
- Follow-ups outlive the case: the organisation's promise stands when the departure closes
  (the owner still acts on it); the leaver sees them only while the case is open.
- Every refusal changes nothing and is audited as `follow_up.refused` with its reason; the
  texts (what, outcome) never go to the audit log, only ids and words.

Plain Python: the store, the directory and what people are told come in through Protocols.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

from journey.access import Asker, Role, refusal_for
from journey.clock import Clock
from journey.departure import Departure
from journey.follow_up_rules import (
    FOLLOW_UP_REFUSED,
    FollowUp,
    FollowUpRefusal,
    OwnerIsLeaver,
    OwnerKind,
    StaleFollowUp,
    UnknownOwner,
    checked_area,
    checked_due,
    checked_outcome,
    checked_what,
    done,
    handed_on,
    kind_of,
    may_add,
    may_see,
    owner_address,
)
from journey.kernel import Kernel
from journey.people import Directory
from journey.ports import AuditLog, ConcurrentUpdate, DepartureRepository, NotFound
from journey.refusals import NotAllowed, Reason, StaleAction


class FollowUpStore(Protocol):
    """Where follow-ups are kept (storage.follow_ups)."""

    async def of_departure(self, departure_id: str) -> list[FollowUp]:
        """The departure's follow-ups, oldest first."""
        ...

    async def get(self, follow_up_id: str) -> FollowUp | None: ...

    async def add(self, follow_up: FollowUp) -> None: ...

    async def save(self, follow_up: FollowUp, *, expected_revision: int) -> FollowUp:
        """Store the change if nobody saved since `expected_revision`; else ConcurrentUpdate."""
        ...


class FollowUpNotifier(Protocol):
    """How the owners are told (outbox.follow_up_notifier)."""

    async def assigned(self, departure: Departure, follow_up: FollowUp) -> None:
        """Send the owner the follow-up's card, once per owner and revision."""
        ...

    async def replan(self, departure: Departure, follow_ups: Sequence[FollowUp]) -> None:
        """Make the due-date reminders of the departure's open follow-ups the plan."""
        ...


@dataclass(frozen=True)
class NewFollowUp:
    """What the interviewer typed on the task card, unchecked."""

    known: int  # how many follow-ups the card showed: a replayed card is stale
    what: str
    owner: str  # an OwnerKind value
    person: str = ""  # the named person's address, for OwnerKind.PERSON
    area: str = ""
    due: str = ""  # YYYY-MM-DD


class FollowUps:
    """Adds, completes and hands on follow-ups: each step checked, saved and audited."""

    def __init__(
        self,
        *,
        departures: DepartureRepository,
        store: FollowUpStore,
        audit: AuditLog,
        clock: Clock,
        directory: Directory,
        hr_contact: Callable[[str], str | None],
        areas: Callable[[str], Collection[str]],
        notifier: FollowUpNotifier,
    ) -> None:
        self._kernel = Kernel(departures, audit, clock)
        self._store = store
        self._clock = clock
        self._directory = directory
        self._hr_contact = hr_contact
        self._areas = areas
        self._notifier = notifier

    async def of_departure(self, departure: Departure) -> list[FollowUp]:
        """The departure's follow-ups (callers checked who asks: the interviewer, the leaver)."""
        return await self._store.of_departure(departure.id)

    # --- the interviewer -----------------------------------------------------------------

    async def add(
        self, asker: Asker, departure_id: str, typed: NewFollowUp
    ) -> tuple[Departure, FollowUp]:
        """A new follow-up from the task card; the owner gets its card."""
        departure = await self._kernel.get_or_stale(departure_id)
        if not may_add(departure, asker):
            raise NotAllowed(
                refusal_for(Role.INTERVIEWER),
                departure_id=departure.id,
                action=FOLLOW_UP_REFUSED,
            )
        existing = await self._store.of_departure(departure.id)
        if len(existing) != typed.known:
            await self._audit_refusal(asker, departure.id, "stale")
            raise StaleAction("a follow-up was added since the card was drawn", departure)
        try:
            follow_up = await self._new(asker, departure, typed)
        except FollowUpRefusal as refusal:
            await self._audit_refusal(asker, departure.id, refusal.reason)
            raise
        await self._store.add(follow_up)
        await self._kernel.record(
            asker,
            "follow_up.created",
            departure.id,
            follow_up=follow_up.id,
            owner_kind=follow_up.owner_kind.value,
            area=follow_up.area,
        )
        await self._notifier.assigned(departure, follow_up)
        await self._notifier.replan(departure, [*existing, follow_up])
        return departure, follow_up

    async def _new(self, asker: Asker, departure: Departure, typed: NewFollowUp) -> FollowUp:
        """The follow-up as typed, every field checked (the directory last: it is a call)."""
        what = checked_what(typed.what)
        today = self._clock.now().astimezone(departure.zone).date()
        due = checked_due(typed.due, today)
        area = checked_area(typed.area, self._areas(departure.unit))
        owner, kind = await self._owner(asker, departure, typed)
        now = self._clock.now()
        return FollowUp(
            id=uuid.uuid4().hex,
            departure_id=departure.id,
            unit=departure.unit,
            area=area,
            what=what,
            owner_upn=owner,
            owner_kind=kind,
            due_on=due,
            created_by=(asker.upn or "").strip().lower(),
            created_at=now,
            updated_at=now,
        )

    async def _owner(
        self, asker: Asker, departure: Departure, typed: NewFollowUp
    ) -> tuple[str, OwnerKind]:
        try:
            kind = OwnerKind(typed.owner)
        except ValueError:
            raise UnknownOwner("no such kind of owner") from None
        if kind is OwnerKind.INTERVIEWER:
            return (asker.upn or "").strip().lower(), kind
        if kind is OwnerKind.MANAGER:
            return self._known(departure.manager_upn), kind
        if kind is OwnerKind.HR:
            return self._known(self._hr_contact(departure.unit)), kind
        person = await self._person(departure, typed.person)
        return person, kind_of(person, departure, self._hr_contact(departure.unit))

    @staticmethod
    def _known(upn: str | None) -> str:
        if not upn:
            raise UnknownOwner("nobody in that role")
        return upn.strip().lower()

    async def _person(self, departure: Departure, typed: str) -> str:
        """A named person's UPN from the directory; the leaver cannot own a follow-up."""
        found = await self._directory.find_person(owner_address(typed))
        if found is None:
            raise UnknownOwner("nobody by that address in the directory")
        if found.upn == departure.leaver_upn:
            raise OwnerIsLeaver("the leaver")
        return found.upn

    # --- the owner -----------------------------------------------------------------------

    async def view(self, asker: Asker, follow_up_id: str) -> tuple[FollowUp, Departure | None]:
        """The follow-up for its owner, the interviewer or HR; anyone else: NotAllowed."""
        follow_up, departure = await self._read(asker, follow_up_id)
        if not may_see(follow_up, departure, asker):
            raise NotAllowed(
                Reason.NOT_INVOLVED,
                departure_id=follow_up.departure_id,
                action=FOLLOW_UP_REFUSED,
                detail={"follow_up": follow_up.id},
            )
        return follow_up, departure

    async def mark_done(
        self, asker: Asker, follow_up_id: str, *, revision: int, outcome: str
    ) -> tuple[FollowUp, Departure | None]:
        """The owner marks it done with a short outcome; the due-date reminder goes."""
        follow_up, departure = await self._as_owner(asker, follow_up_id, revision)
        try:
            checked = checked_outcome(outcome)
        except FollowUpRefusal as refusal:
            await self._audit_refusal(asker, follow_up.departure_id, refusal.reason, follow_up)
            raise
        now = self._clock.now()
        saved = await self._save(asker, done(follow_up, _upn(asker), checked, now), revision)
        await self._kernel.record(asker, "follow_up.done", saved.departure_id, follow_up=saved.id)
        await self._replan(departure)
        return saved, departure

    async def hand_on(
        self, asker: Asker, follow_up_id: str, *, revision: int, to: str
    ) -> tuple[FollowUp, Departure | None]:
        """The owner hands it on to a named person: they get the card, the reminder moves."""
        follow_up, departure = await self._as_owner(asker, follow_up_id, revision)
        try:
            person = await self._hand_on_to(follow_up, departure, to)
        except FollowUpRefusal as refusal:
            await self._audit_refusal(asker, follow_up.departure_id, refusal.reason, follow_up)
            raise
        hr = self._hr_contact(follow_up.unit)
        change = handed_on(follow_up, person, kind_of(person, departure, hr), self._clock.now())
        saved = await self._save(asker, change, revision)
        await self._kernel.record(
            asker,
            "follow_up.handed_on",
            saved.departure_id,
            follow_up=saved.id,
            owner_kind=saved.owner_kind.value,
        )
        if departure is not None:
            await self._notifier.assigned(departure, saved)
        await self._replan(departure)
        return saved, departure

    async def _hand_on_to(
        self, follow_up: FollowUp, departure: Departure | None, typed: str
    ) -> str:
        found = await self._directory.find_person(owner_address(typed))
        if found is None or found.upn == follow_up.owner_upn:
            raise UnknownOwner("nobody else by that address")
        if departure is not None and found.upn == departure.leaver_upn:
            raise OwnerIsLeaver("the leaver")
        return found.upn

    # --- helpers -------------------------------------------------------------------------

    async def _read(self, asker: Asker, follow_up_id: str) -> tuple[FollowUp, Departure | None]:
        follow_up = await self._store.get(follow_up_id)
        if follow_up is None:
            await self._audit_refusal(asker, None, "gone")
            raise StaleFollowUp(None)
        try:
            departure: Departure | None = await self._kernel.get(follow_up.departure_id)
        except NotFound:  # the case is gone; the promise stands
            departure = None
        return follow_up, departure

    async def _as_owner(
        self, asker: Asker, follow_up_id: str, revision: int
    ) -> tuple[FollowUp, Departure | None]:
        """The follow-up if `asker` owns it and the card is current; else refused."""
        follow_up, departure = await self._read(asker, follow_up_id)
        if not follow_up.owned_by(asker.upn):
            # A former owner's card (handed on) is stale for them; anyone else is not allowed.
            raise NotAllowed(
                Reason.NOT_OWNER,
                departure_id=follow_up.departure_id,
                action=FOLLOW_UP_REFUSED,
                detail={"follow_up": follow_up.id},
            )
        if follow_up.revision != revision:
            await self._audit_refusal(asker, follow_up.departure_id, "stale", follow_up)
            raise StaleFollowUp(follow_up)
        return follow_up, departure

    async def _save(self, asker: Asker, change: FollowUp, revision: int) -> FollowUp:
        try:
            return await self._store.save(change, expected_revision=revision)
        except ConcurrentUpdate:
            current = await self._store.get(change.id)
            await self._audit_refusal(asker, change.departure_id, "stale", change)
            raise StaleFollowUp(current) from None

    async def _replan(self, departure: Departure | None) -> None:
        if departure is not None:
            await self._notifier.replan(departure, await self._store.of_departure(departure.id))

    async def _audit_refusal(
        self,
        asker: Asker,
        departure_id: str | None,
        reason: str,
        follow_up: FollowUp | None = None,
    ) -> None:
        """One audit entry for a refusal the router does not audit (NotAllowed it does)."""
        detail = {"reason": reason}
        if follow_up is not None:
            detail["follow_up"] = follow_up.id
        await self._kernel.record(asker, FOLLOW_UP_REFUSED, departure_id, **detail)


def _upn(asker: Asker) -> str:
    return (asker.upn or "").strip().lower()
