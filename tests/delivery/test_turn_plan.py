"""What a click plans is written at the turn's end, together (storage.due_plans.TurnPlan), on
both databases: the messages and the re-plan in one upsert after one read of the stored plan,
nothing before the end, nothing at all if the end fails; a cancel or a read later in the same
turn comes after what was planned; outside a turn everything is written at once."""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import AbstractContextManager
from typing import Any

import pytest
from sqlalchemy import text

from journey.clock import FixedClock
from journey.due import DueAction, DueState, Outcome
from storage.database import Database
from storage.due_actions import DueActionQueue
from tests.delivery.helpers import T0
from tests.delivery.test_replanning import DEPARTURE, planned, writes

KINDS = ["handover", "thank_you"]


def statements(db: Database) -> AbstractContextManager[Counter[str]]:
    """The statements on the due actions and their log, by verb and table."""
    return writes(db, ("SELECT", "INSERT", "UPDATE", "DELETE"))


def message(kind: str = "booked") -> Any:
    return planned(kind).model_copy(update={"payload": {"type": "message", "text": kind}})


async def stored(db: Database, key: str) -> DueAction | None:
    """The action as another connection sees it (a task of its own: outside the turn)."""
    return await asyncio.create_task(DueActionQueue(db, FixedClock(T0)).get_by_key(key))


async def test_a_turns_messages_and_plan_are_written_at_its_end_in_two_statements(
    db: Database,
) -> None:
    queue = DueActionQueue(db, FixedClock(T0))
    booked, survey = message("booked"), message("survey_offer")
    with statements(db) as counted:
        async with db.unit_of_work() as unit:
            await queue.send([booked])
            await queue.replan(DEPARTURE, [planned("handover")], KINDS)
            await queue.send([survey])
            await queue.replan(DEPARTURE, [planned("handover"), planned("thank_you")], KINDS)
            assert unit.appended  # the turn's settlement writes it
            assert counted == Counter()
            assert await stored(db, booked.key) is None  # not yet
            counted.clear()
    # One read of the stored plan, one upsert for the two messages and the last plan.
    assert counted == Counter({"SELECT due_actions": 1, "INSERT due_actions": 1})
    for action in (booked, survey, planned("handover"), planned("thank_you")):
        found = await stored(db, action.key)
        assert found is not None and found.state is DueState.PENDING, action.key


async def test_only_what_changed_is_written_and_what_is_no_longer_wanted_is_withdrawn(
    db: Database,
) -> None:
    queue = DueActionQueue(db, FixedClock(T0))
    await queue.reschedule(DEPARTURE, [planned("handover"), planned("thank_you")], KINDS)
    with statements(db) as counted:
        async with db.unit_of_work():
            await queue.replan(DEPARTURE, [planned("handover")], KINDS)
    # Read, withdraw with its log line; the unchanged reminder is not written again.
    assert counted == Counter(
        {"SELECT due_actions": 1, "UPDATE due_actions": 1, "INSERT delivery_log": 1}
    )
    withdrawn = await stored(db, planned("thank_you").key)
    assert withdrawn is not None and withdrawn.state is DueState.CANCELLED
    timeline = await queue.timeline(DEPARTURE)
    assert [event.outcome for event in timeline] == [Outcome.CANCELLED]


async def test_a_cancel_and_a_read_later_in_the_turn_come_after_what_it_planned(
    db: Database,
) -> None:
    queue = DueActionQueue(db, FixedClock(T0))
    ask = message("ask_times")
    async with db.unit_of_work():
        await queue.send([ask])
        found = await queue.get_by_key(ask.key)  # the turn sees what it planned
        assert found is not None and found.state is DueState.PENDING
        await queue.send([message("booked")])
        assert await queue.cancel(DEPARTURE) == 2  # the leaver stays: nothing unsent goes
    for kind in ("ask_times", "booked"):
        found = await stored(db, message(kind).key)
        assert found is not None and found.state is DueState.CANCELLED, kind


async def test_a_failed_end_of_turn_writes_none_of_what_it_planned(db: Database) -> None:
    queue = DueActionQueue(db, FixedClock(T0))
    with pytest.raises(Exception, match="no_such_table"):
        async with db.unit_of_work() as unit:
            await queue.send([message("booked")])
            await queue.replan(DEPARTURE, [planned("handover")], KINDS)
            await unit.finish([(text("UPDATE no_such_table SET x = 1"), {})])
    assert await queue.for_departure(DEPARTURE) == []


async def test_outside_a_turn_everything_is_written_at_once(db: Database) -> None:
    queue = DueActionQueue(db, FixedClock(T0))
    await queue.send([message("booked")])
    await queue.replan(DEPARTURE, [planned("handover")], KINDS)
    assert {action.kind for action in await queue.for_departure(DEPARTURE)} == {
        "booked",
        "handover",
    }


async def test_a_plan_with_another_departures_action_is_refused_when_given(
    db: Database,
) -> None:
    queue = DueActionQueue(db, FixedClock(T0))
    stranger = planned("handover").model_copy(update={"departure_id": "dep-2"})
    async with db.unit_of_work():
        with pytest.raises(ValueError, match="another departure"):
            await queue.replan(DEPARTURE, [stranger], KINDS)
        await queue.send([message("booked")])  # the turn goes on; the rest is written
    assert [action.kind for action in await queue.for_departure(DEPARTURE)] == ["booked"]
