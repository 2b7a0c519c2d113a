"""Plans that change (issue 11): the steps, checked, saved, audited and told.

The leaver says no after saying yes, or chooses someone else to talk to; the interviewer hands
the conversation over to a colleague. Each step opens the departure for the asker's role
(journey.kernel), applies a rule of journey.plan_change_rules before anything moves, cancels a
booked meeting in the calendars, saves (refusing if the plan changed meanwhile), withdraws the
old interviewer's cards, tells whoever must know and re-plans the reminders.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from journey import plan_change_rules as rules_of_change
from journey.access import Act, Asker, may, refusal_for_act
from journey.booking import InterviewerOption, UnitRules
from journey.clock import Clock
from journey.departure import Departure, InterviewerKind
from journey.kernel import Change, Kernel, Refusal
from journey.notify import JourneyNotifier
from journey.people import Calendar, Directory
from journey.plan_change_rules import Release, UnknownColleague
from journey.ports import AuditLog, DepartureRepository
from journey.proposals import Proposal, Times
from journey.refusals import JourneyRefusal, StaleAction, refuse_if_closed
from journey.slots import Slot


class PlanNotifier(Protocol):
    """What people are told when the plan changes; outbox.plan_notifier renders it."""

    async def released(self, before: Departure, reason: Release, *, successor: str = "") -> None:
        """The person who held the conversation (in `before`) no longer does: their unsent
        cards are withdrawn and the posted ones updated in place, without buttons."""
        ...

    async def new_interviewer(self, departure: Departure, *, previous: str = "") -> None:
        """Send the task card to the person who holds the conversation now."""
        ...

    async def handed_over_to_leaver(
        self, departure: Departure, slots: Sequence[Slot], *, previous: str
    ) -> None:
        """Tell the leaver who holds the conversation now, with times to choose from."""
        ...


@dataclass(frozen=True)
class Choices:
    """Whom the leaver may choose instead of the person holding the conversation now."""

    departure: Departure
    options: list[tuple[InterviewerOption, str]]


@dataclass(frozen=True)
class HandedOver:
    """The conversation is the colleague's now; the departure as it stands."""

    departure: Departure
    colleague: str  # the colleague's display name


class PlanChanges:
    """The leaver's "no after yes" and change of person; the interviewer's handover."""

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
        plans: PlanNotifier,
        replan: Callable[[str], Awaitable[None]],
    ) -> None:
        self._kernel = Kernel(departures, audit, clock)
        self._directory = directory
        self._clock = clock
        self._rules = rules
        self._plans = plans
        self._replan = replan
        self._times = Times(
            kernel=self._kernel, calendar=calendar, clock=clock, rules=rules, notifier=notifier
        )

    # --- the leaver ----------------------------------------------------------------------

    async def decline(self, asker: Asker, departure_id: str, reason: str | None) -> Departure:
        """The leaver no longer wants the conversation: a booked meeting is cancelled, the
        person who would have held it is told, and nobody holds it any more."""
        before = await self._open(asker, departure_id, Act.ANSWER_OFFER, "decline")
        now = self._clock.now()
        await self._checked(asker, before, lambda: rules_of_change.withdraw(before, reason, now))
        await self._times.drop_meeting(before)
        saved = await self._kernel.update(
            departure_id,
            _unchanged_since(before, lambda d: rules_of_change.withdraw(d, reason, now)),
        )
        # The reason itself never goes to the audit log: it is the leaver's own words.
        await self._kernel.record(
            asker,
            "plan.declined",
            departure_id,
            was_booked=str(before.is_booked).lower(),
            reason="given" if saved.decline_reason else "none",
        )
        if before.interviewer_upn:
            await self._plans.released(before, Release.DECLINED)
        await self._replan(departure_id)
        return saved

    async def choices(self, asker: Asker, departure_id: str) -> Choices:
        """Whom the leaver may choose instead, each with a name; nothing changes yet."""
        departure = await self._open(asker, departure_id, Act.CHOOSE_INTERVIEWER, "switch")
        options = rules_of_change.switch_options(departure, self._rules(departure.unit))
        await self._checked(
            asker, departure, lambda: rules_of_change.require_holder(departure, self._clock.now())
        )
        return Choices(departure, [(option, await self._name_of(option.upn)) for option in options])

    async def switch(
        self, asker: Asker, departure_id: str, kind: InterviewerKind, upn: str
    ) -> Proposal:
        """The leaver chooses someone else: the old meeting and task card go, the new person
        gets the task card, and the leaver gets times with them."""
        before = await self._open(asker, departure_id, Act.CHOOSE_INTERVIEWER, "switch")
        option = InterviewerOption(kind, upn.strip().lower())
        rules, now = self._rules(before.unit), self._clock.now()
        name = await self._name_of(option.upn)

        def switch(d: Departure) -> Departure:
            return rules_of_change.switch_interviewer(d, option, rules, name, now)

        await self._checked(asker, before, lambda: switch(before))
        proposal = await self._new_holder(
            asker, before, switch, "plan.interviewer_switched", kind, Release.SWITCHED
        )
        await self._plans.new_interviewer(proposal.departure)
        await self._replan(departure_id)
        return proposal

    async def _new_holder(
        self,
        asker: Asker,
        before: Departure,
        change: Callable[[Departure], Departure],
        action: str,
        kind: InterviewerKind,
        release: Release,
        *,
        successor: str = "",
    ) -> Proposal:
        """Someone else holds the conversation now: the old meeting goes, the change is saved
        and audited, the old holder's cards say so, and the leaver gets times with the new."""
        await self._times.drop_meeting(before)
        await self._kernel.update(before.id, _unchanged_since(before, change))
        await self._kernel.record(
            asker, action, before.id, kind=kind.value, was_booked=str(before.is_booked).lower()
        )
        await self._plans.released(before, release, successor=successor)
        return await self._times.propose(before.id)

    # --- the interviewer -----------------------------------------------------------------

    async def hand_over(self, asker: Asker, departure_id: str, colleague: str) -> HandedOver:
        """The interviewer hands the conversation to a colleague from the directory."""
        before = await self._open(asker, departure_id, Act.PASS_ON, "hand_over")
        now = self._clock.now()
        await self._checked(asker, before, lambda: rules_of_change.require_holder(before, now))
        address = rules_of_change.colleague_address(colleague)
        person = await self._directory.find_person(address) if address else None
        if person is None:
            await self._refused(asker, departure_id, "unknown_colleague")
            raise UnknownColleague("nobody by that address in the directory")
        upn = person.upn
        await self._checked(
            asker, before, lambda: rules_of_change.check_hand_over(before, upn, now)
        )
        kind = rules_of_change.kind_of(before, self._rules(before.unit), upn)

        def hand_over(d: Departure) -> Departure:
            return rules_of_change.hand_over(d, upn, kind, person.display_name, now)

        proposal = await self._new_holder(
            asker,
            before,
            hand_over,
            "plan.handed_over",
            kind,
            Release.HANDED_OVER,
            successor=person.display_name,
        )
        previous = before.interviewer_name or before.interviewer_upn or ""
        await self._plans.new_interviewer(proposal.departure, previous=previous)
        await self._plans.handed_over_to_leaver(
            proposal.departure, proposal.slots, previous=previous
        )
        await self._replan(departure_id)
        return HandedOver(await self._kernel.get(departure_id), person.display_name)

    # --- helpers -------------------------------------------------------------------------

    async def _open(self, asker: Asker, departure_id: str, act: Act, step: str) -> Departure:
        refusal = Refusal("plan.refused", {"step": step}, refusal_for_act(act))
        opened = await self._kernel.open(departure_id, lambda d: may(d, asker, act), refusal)
        return refuse_if_closed(opened)  # a closed case changes no more (journey.closing)

    async def _checked(
        self, asker: Asker, departure: Departure, check: Callable[[], object]
    ) -> None:
        """Run a rule before anything moves; a refusal is audited and raised."""
        try:
            check()
        except JourneyRefusal as refusal:
            await self._refused(asker, departure.id, _reason(refusal))
            raise

    async def _refused(self, asker: Asker, departure_id: str, reason: str) -> None:
        await self._kernel.record(asker, "plan.refused", departure_id, reason=reason)

    async def _name_of(self, upn: str) -> str:
        person = await self._directory.find_person(upn)
        return person.display_name if person is not None else upn


def _reason(refusal: JourneyRefusal) -> str:
    """The audit log's word for a refusal."""
    return {
        rules_of_change.ConversationPassed: "passed",
        rules_of_change.NotAColleague: "not_a_colleague",
        UnknownColleague: "unknown_colleague",
    }.get(type(refusal), "stale")


def _plan(departure: Departure) -> tuple[object, ...]:
    """Who holds the conversation, and when and which meeting."""
    return (departure.interviewer_upn, departure.meeting_start, departure.meeting_event_id)


def _unchanged_since(before: Departure, change: Callable[[Departure], Departure]) -> Change:
    """`change`, refused as stale if the person or the meeting changed since `before`."""

    def guarded(current: Departure) -> Departure:
        if _plan(current) != _plan(before):
            raise StaleAction("the plan changed meanwhile")
        return change(current)

    return guarded
