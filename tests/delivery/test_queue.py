"""The due-action queue: idempotent scheduling, cancelling, leases, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from journey.clock import FixedClock
from journey.due import DueState, ErrorCode, Outcome, ScheduleChange
from storage.database import Database
from storage.due_actions import DueActionQueue
from tests.delivery.helpers import T0, reminder

OWNER = "worker-a"


async def test_scheduling_the_same_key_twice_keeps_one_action(queue: DueActionQueue) -> None:
    assert await queue.schedule(reminder(1)) is True
    moved = reminder(1, due_at=T0 + timedelta(hours=2), payload={"text": "moved"})

    assert await queue.schedule(moved) is True

    [action] = await queue.for_departure("dep-1")
    assert action.due_at == T0 + timedelta(hours=2)
    assert action.payload == {"text": "moved"}
    assert action.state == DueState.PENDING
    assert await queue.counts() == {DueState.PENDING: 1}


async def test_a_sent_action_is_not_scheduled_again(queue: DueActionQueue) -> None:
    await queue.schedule(reminder(1))
    [claimed] = await queue.claim(OWNER, 10, 60)
    assert await queue.mark_sending(claimed.id, OWNER, 60) == 1
    assert await queue.mark_sent(claimed.id, OWNER, "activity-1")

    assert await queue.schedule(reminder(1, due_at=T0 + timedelta(days=1))) is False

    [action] = await queue.for_departure("dep-1")
    assert action.state == DueState.SENT
    assert action.due_at == T0
    assert action.sent_activity_id == "activity-1"
    assert await queue.claim(OWNER, 10, 60) == []


async def test_claim_takes_only_due_actions_once(queue: DueActionQueue, clock: FixedClock) -> None:
    await queue.schedule(reminder(1))
    await queue.schedule(reminder(2, due_at=T0 + timedelta(minutes=5)))

    first = await queue.claim(OWNER, 10, 600)
    again = await queue.claim("worker-b", 10, 600)

    assert [a.key for a in first] == [reminder(1).key]
    assert first[0].state == DueState.CLAIMED and first[0].lease_owner == OWNER
    assert again == []
    clock.advance(minutes=5)
    assert [a.key for a in await queue.claim("worker-b", 10, 60)] == [reminder(2).key]


async def test_an_expired_claim_goes_to_another_worker_and_the_first_cannot_send(
    queue: DueActionQueue, clock: FixedClock
) -> None:
    await queue.schedule(reminder(1))
    [mine] = await queue.claim(OWNER, 10, lease_seconds=30)
    clock.advance(seconds=31)

    [theirs] = await queue.claim("worker-b", 10, 60)

    assert theirs.id == mine.id and theirs.state == DueState.CLAIMED
    assert await queue.mark_sending(mine.id, OWNER, 60) is None
    assert await queue.mark_sending(theirs.id, "worker-b", 60) == 1


async def test_a_send_that_did_not_go_is_claimed_again_and_not_counted(
    queue: DueActionQueue,
) -> None:
    # Marked sending just before its pacing slot, then late for it: nothing went out.
    await queue.schedule(reminder(1))
    [action] = await queue.claim(OWNER, 10, 60)
    assert await queue.mark_sending(action.id, OWNER, 60) == 1

    assert await queue.unmark_sending(action.id, OWNER) is True

    assert await queue.unmark_sending(action.id, OWNER) is False  # only from sending
    assert (await queue.get(action.id)).state == DueState.CLAIMED  # type: ignore[union-attr]
    assert await queue.mark_sending(action.id, OWNER, 60) == 1


async def test_an_expired_sending_action_comes_back_as_sending(
    queue: DueActionQueue, clock: FixedClock
) -> None:
    # The worker died mid-request: the next claim must say so, not look like a fresh claim.
    await queue.schedule(reminder(1))
    [action] = await queue.claim(OWNER, 10, 30)
    await queue.mark_sending(action.id, OWNER, 30)
    clock.advance(seconds=31)

    [again] = await queue.claim("worker-b", 10, 60)

    assert again.state == DueState.SENDING
    assert again.attempts == 1 and again.lease_owner == "worker-b"


async def test_a_retry_waits_for_its_time(queue: DueActionQueue, clock: FixedClock) -> None:
    await queue.schedule(reminder(1))
    [action] = await queue.claim(OWNER, 10, 60)
    await queue.mark_sending(action.id, OWNER, 60)

    await queue.mark_failed(action.id, OWNER, "http_503", T0 + timedelta(seconds=30), status=503)

    assert await queue.claim(OWNER, 10, 60) == []
    clock.advance(seconds=30)
    [again] = await queue.claim(OWNER, 10, 60)
    assert again.attempts == 1 and again.last_error == "http_503"
    [event] = await queue.timeline("dep-1")
    assert (event.outcome, event.code, event.status) == (Outcome.ERROR, "http_503", 503)
    assert event.retry_at == T0 + timedelta(seconds=30)


async def test_cancel_stops_pending_and_claimed_actions_but_keeps_sent_ones(
    queue: DueActionQueue,
) -> None:
    sent = reminder(1, key="dep-1:invite", kind="invite", departure_id="dep-1")
    claimed = reminder(1, key="dep-1:reminder-1d", departure_id="dep-1")
    pending = reminder(
        1, key="dep-1:reminder-0d", kind="reminder-0d", due_at=T0 + timedelta(days=1)
    )
    await queue.schedule(sent)
    [first] = await queue.claim(OWNER, 1, 60)
    await queue.mark_sending(first.id, OWNER, 60)
    await queue.mark_sent(first.id, OWNER, "activity-1")
    await queue.schedule(claimed)
    await queue.schedule(pending)
    [held] = await queue.claim(OWNER, 10, 60)

    assert await queue.cancel("dep-1") == 2

    states = {a.key: a.state for a in await queue.for_departure("dep-1")}
    assert states == {
        sent.key: DueState.SENT,
        claimed.key: DueState.CANCELLED,
        pending.key: DueState.CANCELLED,
    }
    # The worker holding the claim finds it cancelled and does not send.
    assert await queue.mark_sending(held.id, OWNER, 60) is None
    outcomes = [(e.kind, e.outcome) for e in await queue.timeline("dep-1")]
    assert outcomes.count(("invite", Outcome.SENT)) == 1
    assert sorted(o for _, o in outcomes if o == Outcome.CANCELLED) == [Outcome.CANCELLED] * 2


async def test_cancel_by_kind_leaves_other_kinds(queue: DueActionQueue) -> None:
    await queue.schedule(reminder(1, key="a", kind="reminder-1d"))
    await queue.schedule(reminder(1, key="b", kind="survey"))

    assert await queue.cancel("dep-1", kinds=["survey"]) == 1

    states = {a.kind: a.state for a in await queue.for_departure("dep-1")}
    assert states == {"reminder-1d": DueState.PENDING, "survey": DueState.CANCELLED}


async def test_scheduling_a_cancelled_key_again_revives_it(queue: DueActionQueue) -> None:
    await queue.schedule(reminder(1))
    await queue.cancel("dep-1")

    assert await queue.schedule(reminder(1)) is True

    [action] = await queue.for_departure("dep-1")
    assert action.state == DueState.PENDING and action.attempts == 0


async def test_reschedule_moves_adds_and_drops_future_actions_and_keeps_sent_ones(
    queue: DueActionQueue,
) -> None:
    def plan(key: str, hours: int) -> object:
        return reminder(1, key=key, kind=key, due_at=T0 + timedelta(hours=hours))

    await queue.schedule(plan("invite", 0))
    [invite] = await queue.claim(OWNER, 1, 60)
    await queue.mark_sending(invite.id, OWNER, 60)
    await queue.mark_sent(invite.id, OWNER, "activity-1")
    await queue.schedule(plan("day-before", 24))
    await queue.schedule(plan("hour-before", 47))

    # The meeting moved a day later; the hour-before reminder is no longer wanted.
    change = await queue.reschedule(
        "dep-1", [plan("invite", 24), plan("day-before", 48), plan("thank-you", 72)]
    )

    assert change == ScheduleChange(scheduled=2, cancelled=1)
    actions = {a.key: (a.state, a.due_at) for a in await queue.for_departure("dep-1")}
    assert actions == {
        "invite": (DueState.SENT, T0),
        "day-before": (DueState.PENDING, T0 + timedelta(hours=48)),
        "hour-before": (DueState.CANCELLED, T0 + timedelta(hours=47)),
        "thank-you": (DueState.PENDING, T0 + timedelta(hours=72)),
    }


async def test_a_late_success_overrides_an_unknown_outcome(queue: DueActionQueue) -> None:
    # A worker gave the action up as unknown; then the answer of the first request arrived.
    await queue.schedule(reminder(1))
    [action] = await queue.claim(OWNER, 1, 60)
    await queue.mark_sending(action.id, OWNER, 60)
    await queue.mark_failed(
        action.id, OWNER, ErrorCode.UNKNOWN_OUTCOME.value, outcome=Outcome.RECONCILED
    )

    assert await queue.mark_sent(action.id, "someone-else", "activity-7")

    stored = await queue.get(action.id)
    assert stored is not None and stored.state == DueState.SENT
    assert stored.sent_activity_id == "activity-7"


async def test_requeue_puts_a_failed_action_back(queue: DueActionQueue) -> None:
    await queue.schedule(reminder(1))
    [action] = await queue.claim(OWNER, 1, 60)
    await queue.mark_sending(action.id, OWNER, 60)
    await queue.mark_failed(action.id, OWNER, "http_403", outcome=Outcome.BLOCKED, status=403)
    assert await queue.claim(OWNER, 1, 60) == []

    assert await queue.requeue(action.id)

    [again] = await queue.claim(OWNER, 1, 60)
    assert again.id == action.id and again.attempts == 0


async def test_two_instances_claim_disjoint_batches(database_url: str, clock: FixedClock) -> None:
    async with (
        await Database.open(database_url) as first,
        await Database.open(database_url) as second,
    ):
        a, b = DueActionQueue(first, clock), DueActionQueue(second, clock)
        await a.schedule_many([reminder(n) for n in range(200)])

        async def drain(queue: DueActionQueue, owner: str) -> list[int]:
            taken: list[int] = []
            while batch := await queue.claim(owner, 7, 60):
                taken += [action.id for action in batch]
            return taken

        mine, theirs = await asyncio.gather(drain(a, "a"), drain(b, "b"))

    # (On SQLite one instance may well take everything: the file lock need not be fair.)
    assert len(mine) + len(theirs) == 200
    assert set(mine).isdisjoint(theirs)
