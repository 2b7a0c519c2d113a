"""Plans that change, on in-memory doubles and a fixed clock: what the leaver, the old and the
new interviewer, and HR's audit trail notice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest

from journey.access import Act, Role, may, roles_of
from journey.departure import Departure, DepartureStatus, InterviewerKind
from journey.notify import MessageKind
from journey.people import Person
from journey.plan_change_rules import ConversationPassed, NotAColleague, Release, UnknownColleague
from journey.plan_changes import PlanChanges
from journey.refusals import DepartureClosed, NotAllowed, StaleAction
from journey.slots import Slot
from tests.domain.world import LEAVER, MANAGER, PARTNER, RULES, World

LENE = Person(id="id-lene", upn="lene@contoso.example", display_name="Lene Dahl")


@dataclass
class PlansTold:
    """journey.plan_changes.PlanNotifier, recorded."""

    told: list[tuple[str, Departure, dict[str, Any]]] = field(default_factory=list)

    async def released(self, before: Departure, reason: Release, *, successor: str = "") -> None:
        self.told.append(("released", before, {"reason": reason, "successor": successor}))

    async def new_interviewer(self, departure: Departure, *, previous: str = "") -> None:
        self.told.append(("new_interviewer", departure, {"previous": previous}))

    async def handed_over_to_leaver(
        self, departure: Departure, slots: Sequence[Slot], *, previous: str
    ) -> None:
        self.told.append(("leaver", departure, {"slots": list(slots), "previous": previous}))

    def whats(self) -> list[str]:
        return [what for what, _, _ in self.told]


@pytest.fixture
def told() -> PlansTold:
    return PlansTold()


@pytest.fixture
def plans(world: World, told: PlansTold) -> PlanChanges:
    world.directory.people.append(LENE)
    return PlanChanges(
        departures=world.departures,
        calendar=world.calendar,
        directory=world.directory,
        audit=world.audit,
        clock=world.clock,
        rules=lambda _unit: RULES,
        notifier=world.notifier,
        plans=told,
        replan=world.flow.replan,
    )


async def booked(world: World) -> Departure:
    """Sofie chose Peter and booked the first time offered."""
    departure = await world.accepted_with_partner()
    proposal = await world.flow.propose_again(LEAVER, departure.id)
    await world.flow.pick(LEAVER, departure.id, proposal.slots[0].key)
    return await world.stored(departure.id)


def at(world: World, moment: datetime) -> None:
    """Move the world's clock on to `moment`."""
    world.clock.advance(seconds=(moment - world.clock.now()).total_seconds())


def planned_kinds(world: World) -> set[MessageKind]:
    """The reminder kinds of the last plan made."""
    last = [t for t in world.notifier.told if t.what == "reminders"][-1]
    return {planned.kind for planned in last.extra[0]}


async def test_no_after_a_booking_cancels_the_meeting_and_tells_the_interviewer(
    world: World, plans: PlanChanges, told: PlansTold
) -> None:
    departure = await booked(world)
    assert MessageKind.CONVERSATION_REMINDER in planned_kinds(world)

    saved = await plans.decline(LEAVER, departure.id, "I have said what I wanted to")

    assert world.calendar.meetings == {}
    assert world.calendar.cancelled == [departure.meeting_event_id]
    assert saved.status is DepartureStatus.DECLINED
    assert saved.interviewer_upn is None
    [(what, before, detail)] = told.told
    assert (what, before.interviewer_upn, detail["reason"]) == (
        "released",
        PARTNER.upn,
        Release.DECLINED,
    )
    # No reminder of a conversation that will not be held.
    assert MessageKind.CONVERSATION_REMINDER not in planned_kinds(world)
    [entry] = [e for e in world.audit.entries if e.action == "plan.declined"]
    # The leaver's words stay out of the audit log.
    assert entry.detail == {"was_booked": "true", "reason": "given"}


async def test_no_before_a_booking_needs_no_calendar(
    world: World, plans: PlanChanges, told: PlansTold
) -> None:
    departure = await world.accepted_with_partner()
    await world.flow.propose_again(LEAVER, departure.id)
    saved = await plans.decline(LEAVER, departure.id, None)
    assert world.calendar.cancelled == []
    assert (saved.status, saved.proposed_slots) == (DepartureStatus.DECLINED, [])
    assert told.whats() == ["released"]
    # A "no" can still become a "yes".
    again = await world.flow.accept(LEAVER, departure.id)
    assert (again.status, again.interviewer_upn) == (DepartureStatus.ACCEPTED, None)


async def test_only_the_leaver_can_say_no(world: World, plans: PlanChanges) -> None:
    departure = await booked(world)
    for asker in (MANAGER, PARTNER):
        with pytest.raises(NotAllowed):
            await plans.decline(asker, departure.id, None)
    assert (await world.stored(departure.id)).status is DepartureStatus.BOOKED
    assert len(world.calendar.meetings) == 1


async def test_once_the_time_has_come_the_conversation_stays(
    world: World, plans: PlanChanges, told: PlansTold
) -> None:
    departure = await booked(world)
    assert departure.meeting_start is not None
    at(world, departure.meeting_start + timedelta(minutes=5))
    with pytest.raises(ConversationPassed):
        await plans.decline(LEAVER, departure.id, None)
    with pytest.raises(ConversationPassed):
        await plans.switch(LEAVER, departure.id, InterviewerKind.MANAGER, MANAGER.upn or "")
    with pytest.raises(ConversationPassed):
        await plans.hand_over(PARTNER, departure.id, LENE.upn)
    # The doors that were there before refuse too: the leaver's card and the status card.
    with pytest.raises(ConversationPassed):
        await world.flow.reschedule(LEAVER, departure.id)
    with pytest.raises(ConversationPassed):
        await world.flow.cancel_booking(PARTNER, departure.id)
    assert await world.stored(departure.id) == departure
    assert list(world.calendar.meetings) == [departure.meeting_event_id]
    assert told.told == []
    refusals = [e.detail["reason"] for e in world.audit.entries if e.action == "plan.refused"]
    assert refusals == ["passed", "passed", "passed"]


async def test_nothing_changes_on_a_closed_departure(
    world: World, plans: PlanChanges, told: PlansTold
) -> None:
    departure = await booked(world)
    closed = await world.departures.update(departure.moved_to(DepartureStatus.CLOSED))
    with pytest.raises(DepartureClosed):
        await plans.decline(LEAVER, departure.id, None)
    with pytest.raises(DepartureClosed):
        await plans.switch(LEAVER, departure.id, InterviewerKind.MANAGER, MANAGER.upn or "")
    with pytest.raises(DepartureClosed):
        await plans.hand_over(PARTNER, departure.id, LENE.upn)
    assert await world.stored(departure.id) == closed
    assert (len(world.calendar.meetings), told.told) == (1, [])


async def test_hr_cancelling_after_the_time_leaves_the_meeting_in_the_calendars(
    world: World,
) -> None:
    departure = await booked(world)
    assert departure.meeting_start is not None
    at(world, departure.meeting_start + timedelta(hours=2))
    await world.flow.cancelled(departure)
    assert (await world.stored(departure.id)).status is DepartureStatus.CANCELLED
    assert world.calendar.cancelled == []


async def test_someone_else_after_booking_moves_the_conversation_and_its_access(
    world: World, plans: PlanChanges, told: PlansTold
) -> None:
    departure = await booked(world)
    choices = await plans.choices(LEAVER, departure.id)
    assert [option.upn for option, _ in choices.options] == [MANAGER.upn]
    assert [name for _, name in choices.options] == ["Mads Berg"]

    proposal = await plans.switch(
        LEAVER, departure.id, InterviewerKind.MANAGER, "Mads@Contoso.example"
    )

    saved = proposal.departure
    assert world.calendar.cancelled == [departure.meeting_event_id]
    assert (saved.status, saved.interviewer_upn) == (DepartureStatus.ACCEPTED, MANAGER.upn)
    assert proposal.slots and saved.proposed_slots == [slot.key for slot in proposal.slots]
    assert told.whats() == ["released", "new_interviewer"]
    assert told.told[0][2]["reason"] is Release.SWITCHED
    # The old interviewer is nobody on the case now; the new one holds it.
    assert roles_of(saved, PARTNER.upn) == frozenset({Role.OTHER})
    assert not may(saved, PARTNER, Act.VIEW_CONTENT)
    assert may(saved, MANAGER, Act.VIEW_TASK)
    [entry] = [e for e in world.audit.entries if e.action == "plan.interviewer_switched"]
    assert entry.detail == {"kind": "manager", "was_booked": "true"}


async def test_someone_else_must_be_one_of_the_units_choices(
    world: World, plans: PlanChanges
) -> None:
    departure = await booked(world)
    with pytest.raises(StaleAction):
        await plans.switch(LEAVER, departure.id, InterviewerKind.POOL, LENE.upn)
    with pytest.raises(StaleAction):
        await plans.switch(LEAVER, departure.id, InterviewerKind.HR_PARTNER, PARTNER.upn or "")
    with pytest.raises(NotAllowed):
        await plans.switch(PARTNER, departure.id, InterviewerKind.MANAGER, MANAGER.upn or "")
    assert await world.stored(departure.id) == departure
    assert len(world.calendar.meetings) == 1


@pytest.mark.parametrize("typed", ["nobody@contoso.example", "Lene Dahl", "lene@contoso\x00.ex"])
async def test_a_handover_to_someone_unknown_changes_nothing(
    world: World, plans: PlanChanges, told: PlansTold, typed: str
) -> None:
    departure = await booked(world)
    with pytest.raises(UnknownColleague):
        await plans.hand_over(PARTNER, departure.id, typed)
    assert await world.stored(departure.id) == departure
    assert (len(world.calendar.meetings), told.told) == (1, [])
    [entry] = [e for e in world.audit.entries if e.action == "plan.refused"]
    assert entry.detail == {"reason": "unknown_colleague"}


async def test_a_handover_to_the_leaver_or_oneself_is_refused(
    world: World, plans: PlanChanges
) -> None:
    departure = await booked(world)
    for person in (LEAVER.upn or "", PARTNER.upn or ""):
        with pytest.raises(NotAColleague):
            await plans.hand_over(PARTNER, departure.id, person)
    with pytest.raises(NotAllowed):
        await plans.hand_over(LEAVER, departure.id, LENE.upn)
    assert await world.stored(departure.id) == departure


async def test_a_handover_to_a_colleague_tells_the_leaver_and_the_colleague(
    world: World, plans: PlanChanges, told: PlansTold
) -> None:
    departure = await booked(world)

    done = await plans.hand_over(PARTNER, departure.id, " Lene@Contoso.example ")

    assert done.colleague == "Lene Dahl"
    saved = done.departure
    assert (saved.status, saved.interviewer_upn, saved.interviewer_kind) == (
        DepartureStatus.ACCEPTED,
        LENE.upn,
        InterviewerKind.POOL,
    )
    assert world.calendar.cancelled == [departure.meeting_event_id]
    assert told.whats() == ["released", "new_interviewer", "leaver"]
    released, new, leaver = (detail for _, _, detail in told.told)
    assert released == {"reason": Release.HANDED_OVER, "successor": "Lene Dahl"}
    assert new == {"previous": "Peter Holm"}
    assert leaver["previous"] == "Peter Holm" and leaver["slots"]
    assert [slot.key for slot in leaver["slots"]] == saved.proposed_slots
    assert not may(saved, PARTNER, Act.VIEW_TASK)
    assert may(saved, LENE_ASKER, Act.VIEW_TASK)
    # The new interviewer may hand it on again; the old one no longer can.
    with pytest.raises(NotAllowed):
        await plans.hand_over(PARTNER, departure.id, MANAGER.upn or "")


LENE_ASKER = PARTNER.model_copy(update={"user_id": "u-lene", "upn": LENE.upn})
