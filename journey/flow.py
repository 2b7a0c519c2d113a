"""The exit journey as one service: every card action and HR event, checked, saved and told.

Each action reads the departure, checks who is asking (journey.access) before it shows or
changes anything, applies a rule (journey.offer, journey.booking), saves with the version
check and, on a concurrent change, reads again and checks again. Calendar and Teams come in
through ports; what people are told goes through the JourneyNotifier. The reading, the
access check, the save with retry and the audit entries are journey.kernel's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from journey import booking, flow_rules, meeting_modes, offer, offer_policy, reminders
from journey.access import Act, Asker, Role, may, refusal_for_act, roles_of
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
from journey.handover_checklist import HandoverChecklist
from journey.kernel import Kernel, Refusal
from journey.notify import JourneyNotifier, MessageKind
from journey.people import Calendar, Directory
from journey.ports import AuditLog, DepartureRepository, NotFound
from journey.proposals import Booked, Proposal, SlotTaken, Times
from journey.refusals import StaleAction, refuse_if_closed
from journey.reminders import ReminderRules
from journey.slots import Slot

log = logging.getLogger(__name__)

SYSTEM = "system"  # the audit log's actor for what HR's events set off


class DepartureFlow:
    """The exit journey's steps on one departure; also the DepartureEvents the doors call."""

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
        self._kernel = Kernel(departures, audit, clock)
        self._calendar = calendar
        self._directory = directory
        self._clock = clock
        self._rules = rules
        self._notifier = notifier
        self._reminder_rules = reminder_rules or (lambda _unit: ReminderRules())
        self._times = Times(
            kernel=self._kernel, calendar=calendar, clock=clock, rules=rules, notifier=notifier
        )
        self.handover = HandoverChecklist(self._kernel, notifier, self._reminder_rules, self.replan)

    # --- reading -------------------------------------------------------------------------

    async def open(self, asker: Asker, departure_id: str, act: Act) -> Departure:
        """The departure, if `asker` may `act` on it; NotAllowed is audited, unknown is stale."""
        refusal = self._refusal(act)
        opened = self._kernel.open(departure_id, lambda d: may(d, asker, act), refusal)
        return refuse_if_closed(await opened)  # a closed case changes no more (journey.closing)

    async def visible(self, asker: Asker, departure_id: str, act: Act) -> Departure | None:
        """The departure if `asker` may see it that way (also when closed: a view, not an
        action); None when it is gone; NotAllowed, like any refusal, if they may not."""
        try:
            return await self._kernel.open(
                departure_id, lambda d: may(d, asker, act), self._refusal(act)
            )
        except StaleAction:  # no such departure (any more)
            return None

    @staticmethod
    def _refusal(act: Act) -> Refusal:
        return Refusal("refused", {"act": act.value}, refusal_for_act(act))

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
        saved = await self._kernel.update(departure_id, lambda d: offer.accept(d, now))
        await self._kernel.record(asker, "offer.accepted", departure_id)
        await self.replan(departure_id)
        return saved

    async def decline(self, asker: Asker, departure_id: str, reason: str | None) -> Departure:
        """The leaver declines, optionally saying why (kept for HR, never for the manager)."""
        await self.open(asker, departure_id, Act.ANSWER_OFFER)
        saved = await self._kernel.update(departure_id, lambda d: offer.decline(d, reason))
        # The reason itself never goes to the audit log: it is the leaver's own words.
        given = "given" if saved.decline_reason else "none"
        await self._kernel.record(asker, "offer.declined", departure_id, reason=given)
        await self.replan(departure_id)
        return saved

    async def later(self, asker: Asker, departure_id: str) -> tuple[Departure, int]:
        """The leaver wants to be asked later; the departure and in how many days."""
        await self.open(asker, departure_id, Act.ANSWER_OFFER)
        now = self._clock.now()
        saved = await self._kernel.apply(departure_id, lambda d: offer.remind_later(d, now)[0])
        _, days = offer.remind_later(saved.before, now)  # the rule again, for its answer
        await self._kernel.record(asker, "offer.later", departure_id, days=str(days))
        await self.replan(departure_id)
        return saved.after, days

    # --- choosing the interviewer and a time ---------------------------------------------

    async def choose(
        self, asker: Asker, departure_id: str, kind: InterviewerKind, upn: str
    ) -> Proposal:
        """The leaver chooses who holds the conversation; times are proposed at once, and the
        choice is saved with them."""
        departure = await self.open(asker, departure_id, Act.CHOOSE_INTERVIEWER)
        option = InterviewerOption(kind, upn.strip().lower())
        rules = self._rules(departure.unit)
        name = await self.name_of(option.upn)
        proposal = await self._times.propose(
            departure_id, first=lambda d: booking.choose_interviewer(d, option, rules, name)
        )
        await self._kernel.record(asker, "interviewer.chosen", departure_id, kind=kind.value)
        await self._notifier.task_changed(proposal.departure)
        return proposal

    async def pick(self, asker: Asker, departure_id: str, slot_key: str) -> Booked | SlotTaken:
        """The leaver picks a time: re-checked against fresh busy times, then booked."""
        departure = await self.open(asker, departure_id, Act.BOOK)
        slot = booking.check_pick(departure, slot_key)
        interviewer = departure.interviewer_upn or ""
        busy = await self._times.busy(departure, slot.start, slot.end)
        if not booking.is_free(slot, busy, self._clock.now()):
            await self._kernel.record(asker, "booking.slot_taken", departure_id)
            proposal = await self._offer_times(departure_id, exclude=[slot])
            return SlotTaken(proposal.departure, proposal.slots)
        meeting = await self._calendar.create_meeting(
            interviewer,
            [departure.leaver_upn],
            *await self._notifier.invitation(departure),
            slot.start,
            slot.end,
            departure.time_zone,
            location=meeting_modes.location_of(departure),  # in person: there, without Teams
        )

        def book(current: Departure) -> Departure:
            if current.interviewer_upn != interviewer:
                raise StaleAction("the interviewer changed meanwhile")
            return booking.book(current, slot, meeting)

        try:
            saved = await self._kernel.update(departure_id, book)
        except BaseException:
            # Booked by a second click meanwhile, or gone stale: take this meeting out again.
            await self._calendar.cancel_meeting(interviewer, meeting.event_id)
            raise
        await self._kernel.record(asker, "booking.booked", departure_id, slot=slot.key)
        await self._notifier.task_changed(saved)
        await self._notifier.booked(saved)
        await self.replan(departure_id)
        return Booked(saved)

    async def none_fit(self, asker: Asker, departure_id: str) -> Departure:
        """None of the times suit the leaver: the interviewer is asked for other times."""
        await self.open(asker, departure_id, Act.BOOK)
        now = self._clock.now()
        saved = await self._kernel.update(departure_id, lambda d: booking.none_fit(d, now))
        await self._kernel.record(asker, "booking.none_fit", departure_id)
        await self._notifier.ask_for_times(saved)
        await self._notifier.task_changed(saved)
        return saved

    async def propose_again(self, asker: Asker, departure_id: str) -> Proposal:
        """New times for the leaver, e.g. after a cancelled booking."""
        departure = await self.open(asker, departure_id, Act.BOOK)
        booking.with_proposals(departure, [])  # the same precondition: chosen, not booked
        return await self._offer_times(departure_id)

    async def reschedule(self, asker: Asker, departure_id: str) -> Proposal:
        """Leaver or interviewer moves the conversation: cancel the meeting, offer new times."""
        departure = await self.open(asker, departure_id, Act.CHANGE_BOOKING)
        old = await self._times.cancel_meeting(departure)
        await self._kernel.record(asker, "booking.rescheduled", departure_id)
        leaver_asked = Role.LEAVER in self._roles(departure, asker)
        proposal = await self._offer_times(departure_id, exclude=[old], tell=not leaver_asked)
        await self.replan(departure_id)
        return proposal

    async def cancel_booking(self, asker: Asker, departure_id: str) -> Departure:
        """Leaver or interviewer cancels the booked conversation; back to choosing a time."""
        departure = await self.open(asker, departure_id, Act.CHANGE_BOOKING)
        await self._times.cancel_meeting(departure)
        saved = await self._kernel.get(departure_id)
        await self._kernel.record(asker, "booking.cancelled", departure_id)
        if Role.LEAVER not in self._roles(saved, asker):
            await self._notifier.booking_cancelled_to_leaver(saved)
        await self._notifier.task_changed(saved)
        await self.replan(departure_id)
        return saved

    # --- the interviewer's times ---------------------------------------------------------

    async def new_times(self, asker: Asker, departure_id: str) -> Proposal:
        """The interviewer sends the leaver times from the two weeks after the last offer."""
        departure = await self.open(asker, departure_id, Act.PROPOSE_TIMES)
        booking.require_times_requested(departure)
        offered = booking.offered_slots(departure)
        slots = await self._times.find(departure, following=True, exclude=offered)
        if not slots:
            # Nothing free in the calendars either: the card tells the interviewer to agree
            # a time with the leaver directly; nothing changes.
            return Proposal(departure, [])
        return await self._send_times(asker, departure_id, slots, "booking.new_times")

    async def times_to_choose(self, asker: Asker, departure_id: str) -> Proposal:
        """Free times for both that the interviewer may choose from; nothing is stored."""
        departure = await self.open(asker, departure_id, Act.PROPOSE_TIMES)
        booking.require_times_requested(departure)
        slots = await self._times.find(
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
        free = await self._times.free_now(departure)
        chosen = [free.get(key) for key in dict.fromkeys(slot_keys)]
        if not chosen or any(slot is None for slot in chosen):
            await self._kernel.record(asker, "booking.slot_taken", departure_id)
            again = await self.times_to_choose(asker, departure_id)
            return SlotTaken(again.departure, again.slots)
        slots = sorted((slot for slot in chosen if slot is not None), key=lambda s: s.start)
        return await self._send_times(asker, departure_id, slots, "booking.times_chosen")

    # --- HR's events (journey.ports.DepartureEvents) -------------------------------------

    async def registered(self, departure: Departure) -> None:
        """A new departure: offer the leaver the conversation (once, however often called)."""
        current = await self._kernel.get(departure.id)
        if current.status is not DepartureStatus.REGISTERED:
            return
        if await offer_policy.not_offered(self._kernel, self._notifier, current, self._rules):
            return await self.replan(departure.id)  # HR's YAML: no conversation for this type
        # Drawn for the departure as the offer leaves it (offered): its buttons are current.
        problem = await self._notifier.offer(offer.offered(current))
        await self._kernel.update(departure.id, lambda d: flow_rules.offer_sent(d, problem))
        await self._kernel.record(
            SYSTEM,
            "offer.sent" if problem is None else "offer.unreachable",
            departure.id,
            **({"reach": problem.value} if problem else {}),
        )
        await self.replan(departure.id)

    async def changed(self, before: Departure, after: Departure) -> None:
        """The last day or the people changed: move a booking or times that no longer fit."""
        current = await self._kernel.get(after.id)
        if current.status is DepartureStatus.BOOKED and booking.booking_outlives_last_day(current):
            old = await self._times.cancel_meeting(current)
            await self._kernel.record(SYSTEM, "booking.moved_by_last_day", current.id)
            await self._offer_times(current.id, exclude=[old], tell=True)
        elif booking.proposals_outlive_last_day(current):
            await self._offer_times(current.id, tell=True)
        elif current.interviewer_upn and current.status is not DepartureStatus.CANCELLED:
            await self._notifier.task_changed(current)  # the card shows the last day
        # Reminders follow the last day: unsent ones move, sent ones stay in the timeline.
        await self.replan(after.id)
        await self._notifier.handover_changed(await self._kernel.get(after.id))

    async def cancelled(self, departure: Departure) -> None:
        """The leaver stays: cancel the meeting, withdraw unsent messages, mark the cards."""
        current = await self._kernel.get(departure.id)
        was_booked = current.is_booked
        await self._times.drop_meeting(current)  # one whose time came stays
        try:
            saved = await self._kernel.update(departure.id, flow_rules.cancelled)
        except InvalidTransition:
            log.warning("departure %s cannot be cancelled from its status", departure.id)
            return
        await self._kernel.record(SYSTEM, "departure.cancelled", departure.id)
        await self._notifier.departure_cancelled(saved, was_booked=was_booked)
        await self.replan(departure.id)

    # --- the reminders (issue 4) -----------------------------------------------------------

    async def replan(self, departure_id: str) -> None:
        """Make the reminders due now the departure's plan (journey.reminders.plan)."""
        try:
            departure = await self._kernel.get(departure_id)
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
        """Record how a proactive message ended: the offer's reach, the cards to update; None
        if the departure is gone, or if there is nothing to record (it is not read then)."""
        if not flow_rules.may_record(kind, reach, posted):
            return None
        try:
            saved = await self._kernel.apply(
                departure_id, lambda d: flow_rules.delivered(d, kind, reach, posted)
            )
        except NotFound:
            return None
        if saved.after.reach not in (None, Reach.OK, saved.before.reach):
            await self.replan(departure_id)  # a leaver found unreachable is never chased
        return saved.after

    def _roles(self, departure: Departure, asker: Asker) -> frozenset[Role]:
        return roles_of(departure, asker.upn, is_hr=asker.is_hr)

    async def _offer_times(
        self, departure_id: str, *, exclude: Sequence[Slot] = (), tell: bool = False
    ) -> Proposal:
        """Propose times and update the task card; with `tell`, send the leaver the times."""
        proposal = await self._times.propose(departure_id, exclude=exclude)
        if tell and proposal.slots:
            await self._notifier.slots_to_leaver(proposal.departure, proposal.slots)
        await self._notifier.task_changed(proposal.departure)
        return proposal

    async def _send_times(
        self, asker: Asker, departure_id: str, slots: list[Slot], action: str
    ) -> Proposal:
        """Offer the leaver the interviewer's times, and update the task card."""
        saved = await self._kernel.update(departure_id, lambda d: booking.after_new_times(d, slots))
        await self._kernel.record(asker, action, departure_id)
        await self._notifier.slots_to_leaver(saved, slots)
        await self._notifier.task_changed(saved)
        return Proposal(saved, slots)
