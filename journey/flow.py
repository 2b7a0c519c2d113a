"""The exit journey as one service: every card action and HR event, checked, saved and told.

Each action reads the departure, checks who is asking (journey.access) before it shows or
changes anything, applies a rule (journey.offer, journey.booking), saves with the version
check and, on a concurrent change, reads again and checks again. Calendar and Teams come in
through ports; what people are told goes through the JourneyNotifier.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from journey import booking, handover, offer, reminders
from journey.access import Act, Asker, Role, may, may_hand_over, roles_of
from journey.booking import InterviewerOption, UnitRules
from journey.clock import Clock
from journey.departure import (
    Departure,
    DepartureStatus,
    InterviewerKind,
    InvalidTransition,
    PostedCard,
    Reach,
)
from journey.notify import JourneyNotifier, MessageKind
from journey.people import BusyInterval, Calendar, Directory
from journey.ports import AuditEntry, AuditLog, ConcurrentUpdate, DepartureRepository, NotFound
from journey.refusals import NotAllowed, StaleAction
from journey.reminders import ReminderRules
from journey.slots import Slot

log = logging.getLogger(__name__)

SYSTEM = "system"  # the audit log's actor for what HR's events set off
_SAVE_ATTEMPTS = 5


@dataclass(frozen=True)
class Proposal:
    """Times offered to the leaver; none means the interviewer was asked for times."""

    departure: Departure
    slots: list[Slot]


@dataclass(frozen=True)
class Booked:
    """The conversation is in both calendars."""

    departure: Departure


@dataclass(frozen=True)
class SlotTaken:
    """The picked time was taken meanwhile; nothing was booked, here are new times."""

    departure: Departure
    slots: list[Slot]


Change = Callable[[Departure], Departure | None]


class Journey:
    """The exit journey's operations; also the JourneyEvents the registration doors call."""

    def __init__(
        self,
        *,
        departures: DepartureRepository,
        calendar: Calendar,
        directory: Directory,
        audit: AuditLog,
        clock: Clock,
        rules: Callable[[str], UnitRules],
        notifier: JourneyNotifier,
        reminder_rules: Callable[[str], ReminderRules] | None = None,
    ) -> None:
        self._departures = departures
        self._calendar = calendar
        self._directory = directory
        self._audit = audit
        self._clock = clock
        self._rules = rules
        self._notifier = notifier
        self._reminder_rules = reminder_rules or (lambda _unit: ReminderRules())

    # --- reading -------------------------------------------------------------------------

    async def open(self, asker: Asker, departure_id: str, act: Act) -> Departure:
        """The departure, if `asker` may `act` on it; NotAllowed is audited, unknown is stale."""
        try:
            departure = await self._departures.get(departure_id)
        except NotFound:
            raise StaleAction("no such departure") from None
        if not may(departure, asker, act):
            await self._record(asker.audit_name, "refused", departure.id, act=act.value)
            raise NotAllowed(act.value)
        return departure

    async def visible(self, asker: Asker, departure_id: str, act: Act) -> Departure | None:
        """The departure if `asker` may see it that way, else None (a view, not an action)."""
        try:
            departure = await self._departures.get(departure_id)
        except NotFound:
            return None
        return departure if may(departure, asker, act) else None

    async def interviewer_choices(
        self, departure: Departure
    ) -> list[tuple[InterviewerOption, str]]:
        """Whom the leaver may choose, each with a display name."""
        options = booking.interviewer_options(departure, self._rules(departure.unit))
        return [(option, await self.name_of(option.upn)) for option in options]

    async def name_of(self, upn: str) -> str:
        """A person's display name from the directory; the UPN when unknown."""
        try:
            person = await self._directory.find_person(upn)
        except Exception as exc:  # a name is nice to have; the journey goes on without it
            log.warning("directory lookup failed (%s)", type(exc).__name__)
            person = None
        return person.display_name if person is not None else upn

    # --- the leaver's answer -------------------------------------------------------------

    async def accept(self, asker: Asker, departure_id: str) -> Departure:
        """The leaver accepts the offer (also after declining)."""
        await self.open(asker, departure_id, Act.ANSWER_OFFER)
        now = self._clock.now()
        saved = await self._update(departure_id, lambda d: offer.accept(d, now))
        await self._record(asker.audit_name, "offer.accepted", departure_id)
        await self.replan(departure_id)
        return saved

    async def decline(self, asker: Asker, departure_id: str, reason: str | None) -> Departure:
        """The leaver declines, optionally saying why (kept for HR, never for the manager)."""
        await self.open(asker, departure_id, Act.ANSWER_OFFER)
        saved = await self._update(departure_id, lambda d: offer.decline(d, reason))
        # The reason itself never goes to the audit log: it is the leaver's own words.
        await self._record(
            asker.audit_name,
            "offer.declined",
            departure_id,
            reason="given" if saved.decline_reason else "none",
        )
        await self.replan(departure_id)
        return saved

    async def later(self, asker: Asker, departure_id: str) -> tuple[Departure, int]:
        """The leaver wants to be asked later; the departure and in how many days."""
        await self.open(asker, departure_id, Act.ANSWER_OFFER)
        now = self._clock.now()
        days: list[int] = []

        def postpone(departure: Departure) -> Departure:
            changed, in_days = offer.remind_later(departure, now)
            days[:] = [in_days]
            return changed

        saved = await self._update(departure_id, postpone)
        await self._record(asker.audit_name, "offer.later", departure_id, days=str(days[0]))
        await self.replan(departure_id)
        return saved, days[0]

    async def choose(
        self, asker: Asker, departure_id: str, kind: InterviewerKind, upn: str
    ) -> Proposal:
        """The leaver chooses who holds the conversation; times are proposed at once."""
        departure = await self.open(asker, departure_id, Act.CHOOSE_INTERVIEWER)
        option = InterviewerOption(kind, upn.strip().lower())
        rules = self._rules(departure.unit)
        name = await self.name_of(option.upn)
        await self._update(
            departure_id, lambda d: booking.choose_interviewer(d, option, rules, name)
        )
        await self._record(asker.audit_name, "interviewer.chosen", departure_id, kind=kind.value)
        proposal = await self._propose(departure_id)
        await self._notifier.task_changed(proposal.departure)
        return proposal

    async def pick(self, asker: Asker, departure_id: str, slot_key: str) -> Booked | SlotTaken:
        """The leaver picks a time: re-checked against fresh busy times, then booked."""
        departure = await self.open(asker, departure_id, Act.BOOK)
        slot = booking.check_pick(departure, slot_key)
        interviewer = departure.interviewer_upn or ""
        busy = await self._busy(departure, slot.start, slot.end)
        if not booking.is_free(slot, busy, self._clock.now()):
            await self._record(asker.audit_name, "booking.slot_taken", departure_id)
            proposal = await self._propose(departure_id, exclude=[slot])
            await self._notifier.task_changed(proposal.departure)
            return SlotTaken(proposal.departure, proposal.slots)
        subject, body = await self._notifier.invitation(departure)
        meeting = await self._calendar.create_meeting(
            interviewer,
            [departure.leaver_upn],
            subject,
            body,
            slot.start,
            slot.end,
            departure.time_zone,
        )

        def book(current: Departure) -> Departure:
            if current.interviewer_upn != interviewer:
                raise StaleAction("the interviewer changed meanwhile")
            return booking.book(current, slot, meeting)

        try:
            saved = await self._update(departure_id, book)
        except BaseException:
            # Booked by a second click meanwhile, or gone stale: take this meeting out again.
            await self._calendar.cancel_meeting(interviewer, meeting.event_id)
            raise
        await self._record(asker.audit_name, "booking.booked", departure_id, slot=slot.key)
        await self._notifier.task_changed(saved)
        await self._notifier.booked(saved)
        await self.replan(departure_id)
        return Booked(saved)

    async def none_fit(self, asker: Asker, departure_id: str) -> Departure:
        """None of the times suit the leaver: the interviewer is asked for other times."""
        await self.open(asker, departure_id, Act.BOOK)
        now = self._clock.now()
        saved = await self._update(departure_id, lambda d: booking.none_fit(d, now))
        await self._record(asker.audit_name, "booking.none_fit", departure_id)
        await self._notifier.ask_for_times(saved)
        await self._notifier.task_changed(saved)
        return saved

    async def propose_again(self, asker: Asker, departure_id: str) -> Proposal:
        """New times for the leaver, e.g. after a cancelled booking."""
        departure = await self.open(asker, departure_id, Act.BOOK)
        booking.with_proposals(departure, [])  # the same precondition: chosen, not booked
        proposal = await self._propose(departure_id)
        await self._notifier.task_changed(proposal.departure)
        return proposal

    async def reschedule(self, asker: Asker, departure_id: str) -> Proposal:
        """Leaver or interviewer moves the conversation: cancel the meeting, offer new times."""
        departure = await self.open(asker, departure_id, Act.CHANGE_BOOKING)
        old = await self._cancel_meeting(departure)
        await self._record(asker.audit_name, "booking.rescheduled", departure_id)
        proposal = await self._propose(departure_id, exclude=[old])
        if Role.LEAVER not in self._roles(proposal.departure, asker) and proposal.slots:
            await self._notifier.slots_to_leaver(proposal.departure, proposal.slots)
        await self._notifier.task_changed(proposal.departure)
        await self.replan(departure_id)
        return proposal

    async def cancel_booking(self, asker: Asker, departure_id: str) -> Departure:
        """Leaver or interviewer cancels the booked conversation; back to choosing a time."""
        departure = await self.open(asker, departure_id, Act.CHANGE_BOOKING)
        await self._cancel_meeting(departure)
        saved = await self._departures.get(departure_id)
        await self._record(asker.audit_name, "booking.cancelled", departure_id)
        if Role.LEAVER not in self._roles(saved, asker):
            await self._notifier.booking_cancelled_to_leaver(saved)
        await self._notifier.task_changed(saved)
        await self.replan(departure_id)
        return saved

    async def new_times(self, asker: Asker, departure_id: str) -> Proposal:
        """The interviewer sends the leaver times from the two weeks after the last offer."""
        departure = await self.open(asker, departure_id, Act.PROPOSE_TIMES)
        booking.require_times_requested(departure)
        offered = booking.offered_slots(departure)
        slots = await self._find_slots(departure, following=True, exclude=offered)
        if not slots:
            # Nothing free in the calendars either: the card tells the interviewer to agree
            # a time with the leaver directly; nothing changes.
            return Proposal(departure, [])
        saved = await self._update(departure_id, lambda d: booking.after_new_times(d, slots))
        await self._record(asker.audit_name, "booking.new_times", departure_id)
        await self._notifier.slots_to_leaver(saved, slots)
        await self._notifier.task_changed(saved)
        return Proposal(saved, slots)

    async def times_to_choose(self, asker: Asker, departure_id: str) -> Proposal:
        """Free times for both that the interviewer may choose from; nothing is stored."""
        departure = await self.open(asker, departure_id, Act.PROPOSE_TIMES)
        booking.require_times_requested(departure)
        slots = await self._find_slots(
            departure, exclude=booking.offered_slots(departure), count=booking.CHOICE_COUNT
        )
        return Proposal(departure, slots)

    async def send_chosen_times(
        self, asker: Asker, departure_id: str, slot_keys: Sequence[str]
    ) -> Proposal | SlotTaken:
        """The interviewer's own choice of times goes to the leaver, if each is still free.

        A time taken in a calendar meanwhile (or never offered) sends nothing: the answer is
        the times free now, to choose again.
        """
        departure = await self.open(asker, departure_id, Act.PROPOSE_TIMES)
        booking.require_times_requested(departure)
        rules = self._rules(departure.unit)
        search = booking.search_for(departure, rules, self._clock.now())
        busy = [] if search is None else await self._busy(departure, search.start, search.end)
        free = (
            {}
            if search is None
            else {slot.key: slot for slot in booking.free_for_both(departure, rules, search, busy)}
        )
        chosen = [free.get(key) for key in dict.fromkeys(slot_keys)]
        if not chosen or any(slot is None for slot in chosen):
            await self._record(asker.audit_name, "booking.slot_taken", departure_id)
            again = await self.times_to_choose(asker, departure_id)
            return SlotTaken(again.departure, again.slots)
        slots = sorted((slot for slot in chosen if slot is not None), key=lambda s: s.start)
        saved = await self._update(departure_id, lambda d: booking.after_new_times(d, slots))
        await self._record(asker.audit_name, "booking.times_chosen", departure_id)
        await self._notifier.slots_to_leaver(saved, slots)
        await self._notifier.task_changed(saved)
        return Proposal(saved, slots)

    # --- HR's events (journey.ports.JourneyEvents) --------------------------------------

    async def registered(self, departure: Departure) -> None:
        """A new departure: offer the leaver the conversation (once, however often called)."""
        current = await self._departures.get(departure.id)
        if current.status is not DepartureStatus.REGISTERED:
            return
        problem = await self._notifier.offer(current)

        def mark(d: Departure) -> Departure | None:
            if d.status is not DepartureStatus.REGISTERED:
                return None
            return offer.unreachable(d, problem) if problem else offer.offered(d)

        await self._update(departure.id, mark)
        await self._record(
            SYSTEM,
            "offer.sent" if problem is None else "offer.unreachable",
            departure.id,
            **({"reach": problem.value} if problem else {}),
        )
        await self.replan(departure.id)

    async def changed(self, before: Departure, after: Departure) -> None:
        """The last day or the people changed: move a booking or times that no longer fit."""
        current = await self._departures.get(after.id)
        if current.status is DepartureStatus.BOOKED and booking.booking_outlives_last_day(current):
            old = await self._cancel_meeting(current)
            await self._record(SYSTEM, "booking.moved_by_last_day", current.id)
            proposal = await self._propose(current.id, exclude=[old])
            if proposal.slots:
                await self._notifier.slots_to_leaver(proposal.departure, proposal.slots)
            await self._notifier.task_changed(proposal.departure)
        elif booking.proposals_outlive_last_day(current):
            proposal = await self._propose(current.id)
            if proposal.slots:
                await self._notifier.slots_to_leaver(proposal.departure, proposal.slots)
            await self._notifier.task_changed(proposal.departure)
        elif current.interviewer_upn and current.status is not DepartureStatus.CANCELLED:
            await self._notifier.task_changed(current)  # the card shows the last day
        # Reminders follow the last day: unsent ones move, sent ones stay in the timeline.
        await self.replan(after.id)
        await self._notifier.handover_changed(await self._departures.get(after.id))

    async def cancelled(self, departure: Departure) -> None:
        """The leaver stays: cancel the meeting, withdraw unsent messages, mark the cards."""
        current = await self._departures.get(departure.id)
        was_booked = current.is_booked
        if current.interviewer_upn and current.meeting_event_id:
            await self._calendar.cancel_meeting(current.interviewer_upn, current.meeting_event_id)
        cleared = {
            "meeting_start": None,
            "meeting_end": None,
            "meeting_event_id": None,
            "meeting_join_url": None,
            "proposed_slots": [],
            "times_requested_at": None,
            "remind_offer_at": None,
        }

        def cancel(d: Departure) -> Departure:
            if d.status is DepartureStatus.CANCELLED:
                return d.changed(**cleared)
            return d.moved_to(DepartureStatus.CANCELLED, **cleared)

        try:
            saved = await self._update(departure.id, cancel)
        except InvalidTransition:
            log.warning("departure %s cannot be cancelled from its status", departure.id)
            return
        await self._record(SYSTEM, "departure.cancelled", departure.id)
        await self._notifier.departure_cancelled(saved, was_booked=was_booked)
        await self.replan(departure.id)

    # --- the handover checklist and the reminders (issue 4) ------------------------------

    async def open_handover(self, asker: Asker, departure_id: str) -> Departure:
        """The departure, if `asker` is its leaver or manager; NotAllowed (audited) if not."""
        try:
            departure = await self._departures.get(departure_id)
        except NotFound:
            raise StaleAction("no such departure") from None
        if not may_hand_over(departure, asker):
            await self._record(asker.audit_name, "refused", departure.id, act="handover")
            raise NotAllowed("handover")
        return departure

    async def tick(self, asker: Asker, departure_id: str, item: str, done: bool) -> Departure:
        """The leaver or manager ticks a handover item (or opens it again); both cards follow."""
        departure = await self.open_handover(asker, departure_id)
        items = self._reminder_rules(departure.unit).handover_items
        saved = await self._update(departure_id, lambda d: handover.tick(d, item, done, items))
        await self._record(
            asker.audit_name,
            "handover.ticked" if done else "handover.reopened",
            departure_id,
            item=item,
        )
        await self.replan(departure_id)  # open items are what the reminders are about
        await self._notifier.handover_changed(saved)
        return saved

    async def name_successor(self, asker: Asker, departure_id: str, name: str | None) -> Departure:
        """The leaver or manager says who takes over; both cards show it."""
        await self.open_handover(asker, departure_id)
        saved = await self._update(departure_id, lambda d: handover.name_successor(d, name))
        # The name itself stays out of the audit log, like every other free text.
        await self._record(asker.audit_name, "handover.successor", departure_id)
        await self._notifier.handover_changed(saved)
        return saved

    def handover_items(self, departure: Departure) -> tuple[str, ...]:
        """The ids on the departure's unit's checklist, in order."""
        return self._reminder_rules(departure.unit).handover_items

    async def replan(self, departure_id: str) -> None:
        """Make the reminders due now the departure's plan (journey.reminders.plan)."""
        try:
            departure = await self._departures.get(departure_id)
            planned = reminders.plan(
                departure, self._reminder_rules(departure.unit), self._clock.now()
            )
            await self._notifier.reminders(departure, planned)
        except Exception:
            # The change itself is saved; the next change or the HR's timeline shows the gap.
            log.exception("planning the reminders of %s failed", departure_id)

    # --- what the delivery engine reports ------------------------------------------------

    async def delivered(
        self,
        departure_id: str,
        kind: MessageKind,
        *,
        reach: Reach | None,
        posted: PostedCard | None,
    ) -> Departure | None:
        """Record how a proactive message ended: the offer's reach, the cards to update."""
        slot_name = {
            MessageKind.OFFER: "leaver",
            MessageKind.SLOTS: "leaver",
            MessageKind.BOOKING_CANCELLED: "leaver",
            MessageKind.TASK: "task",
            MessageKind.BOOKED: "booked",
            MessageKind.OFFER_AGAIN: "leaver",
            MessageKind.HANDOVER: "handover",
            MessageKind.HANDOVER_MANAGER: "handover_manager",
        }.get(kind)

        def note(d: Departure) -> Departure | None:
            values: dict[str, object] = {}
            if kind is MessageKind.OFFER and reach is not None and d.reach is not reach:
                values["reach"] = reach
            if posted is not None and slot_name is not None:
                values["cards"] = {**d.cards, slot_name: posted}
            return d.changed(**values) if values else None

        try:
            return await self._update(departure_id, note)
        except NotFound:
            return None

    # --- helpers -------------------------------------------------------------------------

    def _roles(self, departure: Departure, asker: Asker) -> frozenset[Role]:
        return roles_of(departure, asker.upn, is_hr=asker.is_hr)

    async def _busy(
        self, departure: Departure, start: datetime, end: datetime
    ) -> list[BusyInterval]:
        people = [departure.leaver_upn]
        if departure.interviewer_upn:
            people.append(departure.interviewer_upn)
        found = await self._calendar.busy_times(people, start, end)
        return [interval for intervals in found.values() for interval in intervals]

    async def _find_slots(
        self,
        departure: Departure,
        *,
        following: bool = False,
        exclude: Iterable[Slot] = (),
        count: int = booking.SLOT_COUNT,
    ) -> list[Slot]:
        rules = self._rules(departure.unit)
        search = booking.search_for(departure, rules, self._clock.now(), following=following)
        if search is None:
            return []
        busy = await self._busy(departure, search.start, search.end)
        return booking.propose(departure, rules, search, busy, exclude=exclude, count=count)

    async def _propose(self, departure_id: str, *, exclude: Sequence[Slot] = ()) -> Proposal:
        """Find times for both and offer them; with none, ask the interviewer for times."""
        departure = await self._departures.get(departure_id)
        slots = await self._find_slots(departure, exclude=exclude)
        now = self._clock.now()

        def offer_times(d: Departure) -> Departure:
            changed = booking.with_proposals(d, slots)
            return changed.changed(times_requested_at=None if slots else now)

        saved = await self._update(departure_id, offer_times)
        if not slots:
            await self._notifier.ask_for_times(saved)
        return Proposal(saved, slots)

    async def _cancel_meeting(self, departure: Departure) -> Slot:
        """Cancel the booked meeting and go back to ACCEPTED; the slot it had."""
        if departure.status is not DepartureStatus.BOOKED or not departure.meeting_event_id:
            raise StaleAction("no booked conversation to change")
        assert departure.meeting_start and departure.meeting_end and departure.interviewer_upn
        old = Slot(start=departure.meeting_start, end=departure.meeting_end)
        event_id = departure.meeting_event_id
        await self._calendar.cancel_meeting(departure.interviewer_upn, event_id)

        def unbook(d: Departure) -> Departure:
            if d.meeting_event_id != event_id:
                raise StaleAction("the booking changed meanwhile")
            return booking.unbook(d)

        await self._update(departure.id, unbook)
        return old

    async def _update(self, departure_id: str, change: Change) -> Departure:
        """Apply `change` to the stored departure and save; on a concurrent change, again."""
        for _attempt in range(_SAVE_ATTEMPTS):
            current = await self._departures.get(departure_id)
            changed = change(current)
            if changed is None:
                return current
            try:
                return await self._departures.update(changed)
            except ConcurrentUpdate:
                continue
        raise ConcurrentUpdate(f"departure {departure_id} kept changing; gave up")

    async def _record(self, actor: str, action: str, departure_id: str, **detail: str) -> None:
        await self._audit.record(
            AuditEntry(
                at=self._clock.now(),
                actor=actor,
                action=action,
                departure_id=departure_id,
                detail=detail,
            )
        )
