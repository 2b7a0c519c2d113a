"""Re-planning a departure writes only what changed (storage.due_plans), on both databases.

Every change of a departure plans its reminders again; most changes leave the plan as it was.
What a person notices: reminders keep their place, one already sent (or being sent) is never
reset or sent again, and a moved meeting moves exactly the reminders about it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from journey.clock import FixedClock
from journey.due import CardToRender, DueState, ScheduleChange, ScheduledAction
from storage.database import Database
from storage.due_actions import DueActionQueue
from tests.delivery.helpers import T0, reminder

OWNER = "worker-a"
DEPARTURE = "dep-1"
MEETING = T0 + timedelta(days=3)


@contextmanager
def writes(
    db: Database, verbs: tuple[str, ...] = ("INSERT", "UPDATE", "DELETE")
) -> Iterator[Counter[str]]:
    """Counts the statements that write to the due actions and their log (or of other
    `verbs`), by verb and table."""
    counted: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper()
        for table in ("due_actions", "delivery_log"):
            if verb in verbs and table in statement:
                counted[f"{verb} {table}"] += 1

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield counted
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)


def planned(kind: str, *, at: Any = T0, days: int = 0, key: str | None = None) -> ScheduledAction:
    return reminder(
        1,
        key=key or f"{DEPARTURE}:{kind}",
        kind=kind,
        due_at=at,
        payload=CardToRender(days=days).payload(),
    )


def plan_for(meeting: Any) -> list[ScheduledAction]:
    """The handover checklist, a reminder the day before the meeting (its time in the key,
    as journey.reminders keys it), and the thank-you on the last day."""
    return [
        planned("handover"),
        planned(
            "conversation_reminder",
            at=meeting - timedelta(days=1),
            key=f"{DEPARTURE}:conversation_reminder:{meeting:%Y%m%dT%H%M}",
        ),
        planned("thank_you", at=T0 + timedelta(days=10)),
    ]


async def send(queue: DueActionQueue, key: str) -> None:
    [action] = [a for a in await queue.claim(OWNER, 10, 60) if a.key == key]
    assert await queue.mark_sending(action.id, OWNER, 60) == 1
    assert await queue.mark_sent(action.id, OWNER, "activity-1")


async def test_a_new_plan_is_written_in_one_statement(db: Database, queue: DueActionQueue) -> None:
    with writes(db) as counted:
        change = await queue.reschedule(DEPARTURE, plan_for(MEETING))

    assert change == ScheduleChange(scheduled=3, cancelled=0)
    assert counted == {"INSERT due_actions": 1}
    stored = await queue.for_departure(DEPARTURE)
    assert [a.state for a in stored] == [DueState.PENDING] * 3


async def test_replanning_after_an_unchanged_save_writes_nothing(
    db: Database, queue: DueActionQueue
) -> None:
    await queue.reschedule(DEPARTURE, plan_for(MEETING))
    await send(queue, f"{DEPARTURE}:handover")
    before = await queue.for_departure(DEPARTURE)

    with writes(db) as counted:
        change = await queue.reschedule(DEPARTURE, plan_for(MEETING))

    assert counted == {}
    assert change == ScheduleChange(scheduled=2, cancelled=0)  # the sent one is not again
    assert await queue.for_departure(DEPARTURE) == before


async def test_a_moved_meeting_updates_exactly_the_reminders_about_it_and_keeps_sent_ones(
    db: Database, queue: DueActionQueue
) -> None:
    await queue.reschedule(DEPARTURE, plan_for(MEETING))
    await send(queue, f"{DEPARTURE}:handover")
    before = {a.key: a for a in await queue.for_departure(DEPARTURE)}
    # The handover's time moved too: it went already, so it stays as it went.
    moved = [planned("handover", at=T0 + timedelta(days=1)), *plan_for(MEETING)[1:]]
    moved[1:2] = plan_for(MEETING + timedelta(hours=2))[1:2]

    with writes(db) as counted:
        change = await queue.reschedule(DEPARTURE, moved)

    assert counted == {
        "INSERT due_actions": 1,  # the reminder of the new time
        "UPDATE due_actions": 1,  # the reminder of the old time withdrawn
        "INSERT delivery_log": 1,  # ... and its line in the timeline
    }
    assert change == ScheduleChange(scheduled=2, cancelled=1)
    after = {a.key: a for a in await queue.for_departure(DEPARTURE)}
    old, new = before.keys() - after.keys(), after.keys() - before.keys()
    assert not old and len(new) == 1
    assert after[f"{DEPARTURE}:handover"] == before[f"{DEPARTURE}:handover"]  # sent, untouched
    assert after[f"{DEPARTURE}:thank_you"] == before[f"{DEPARTURE}:thank_you"]
    [withdrawn] = [a for a in after.values() if a.state is DueState.CANCELLED]
    assert withdrawn.key == plan_for(MEETING)[1].key
    [added] = new
    assert after[added].state is DueState.PENDING
    assert after[added].due_at == MEETING + timedelta(hours=2) - timedelta(days=1)


async def test_changed_values_and_a_revived_action_share_one_statement(
    db: Database, queue: DueActionQueue
) -> None:
    await queue.reschedule(DEPARTURE, plan_for(MEETING))
    await queue.reschedule(DEPARTURE, plan_for(MEETING)[:2])  # the thank-you withdrawn
    later = [planned("handover", at=T0 + timedelta(hours=5)), *plan_for(MEETING)[1:]]

    with writes(db) as counted:
        change = await queue.reschedule(DEPARTURE, later)

    assert counted == {"INSERT due_actions": 1}  # one upsert: moved and revived together
    assert change == ScheduleChange(scheduled=3, cancelled=0)
    stored = {a.key: a for a in await queue.for_departure(DEPARTURE)}
    assert stored[f"{DEPARTURE}:handover"].due_at == T0 + timedelta(hours=5)
    assert stored[f"{DEPARTURE}:thank_you"].state is DueState.PENDING


async def test_a_late_action_due_already_is_left_where_it_is(
    db: Database, queue: DueActionQueue, clock: FixedClock
) -> None:
    await queue.reschedule(DEPARTURE, plan_for(MEETING))
    before = await queue.for_departure(DEPARTURE)
    # The worker was down for two hours; the planner wants the late handover now.
    clock.advance(hours=2)
    late = [planned("handover", at=clock.now()), *plan_for(MEETING)[1:]]

    with writes(db) as counted:
        await queue.reschedule(DEPARTURE, late)

    assert counted == {}
    assert await queue.for_departure(DEPARTURE) == before
    assert [a.key for a in await queue.claim(OWNER, 10, 60)] == [f"{DEPARTURE}:handover"]


async def test_an_action_in_flight_is_neither_reset_nor_doubled(
    db: Database, queue: DueActionQueue
) -> None:
    await queue.reschedule(DEPARTURE, plan_for(MEETING))
    [handover] = [a for a in await queue.claim(OWNER, 10, 60) if a.key.endswith(":handover")]
    assert await queue.mark_sending(handover.id, OWNER, 60) == 1

    # A change moves its time while it is being posted.
    moved = [planned("handover", at=T0 + timedelta(days=2)), *plan_for(MEETING)[1:]]
    with writes(db) as counted:
        await queue.reschedule(DEPARTURE, moved)

    assert counted == {}
    assert await queue.mark_sent(handover.id, OWNER, "activity-1")
    stored = {a.key: a for a in await queue.for_departure(DEPARTURE)}
    assert stored[handover.key].state is DueState.SENT
    assert stored[handover.key].due_at == T0
    assert await queue.claim(OWNER, 10, 60) == []  # nothing of it goes again


async def test_a_row_stored_with_its_card_is_replaced_by_the_name_of_its_card(
    queue: DueActionQueue,
) -> None:
    # Rows planned before cards were rendered at send time carry the activity itself.
    card = reminder(1, key=f"{DEPARTURE}:handover", kind="handover")
    await queue.schedule(card)

    await queue.reschedule(DEPARTURE, plan_for(MEETING))

    stored = {a.key: a for a in await queue.for_departure(DEPARTURE)}
    assert CardToRender.of(stored[card.key].payload) == CardToRender()
    assert CardToRender.of(card.payload) is None


async def test_a_click_replans_in_its_own_transaction_and_a_rollback_keeps_the_old_plan(
    db: Database, queue: DueActionQueue
) -> None:
    await queue.reschedule(DEPARTURE, plan_for(MEETING))
    before = await queue.for_departure(DEPARTURE)
    moved = plan_for(MEETING + timedelta(days=1))

    class ClickFailed(Exception):
        pass

    try:
        async with db.engine.begin() as connection:
            change = await queue.replan_in(connection, DEPARTURE, moved)
            assert change == ScheduleChange(scheduled=3, cancelled=1)
            raise ClickFailed
    except ClickFailed:
        pass
    assert await queue.for_departure(DEPARTURE) == before

    async with db.engine.begin() as connection:
        await queue.replan_in(connection, DEPARTURE, moved)
    pending = {a.key for a in await queue.for_departure(DEPARTURE) if a.state is DueState.PENDING}
    assert pending == {action.key for action in moved}
