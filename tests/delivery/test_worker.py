"""The delivery worker against a Teams stand-in: what arrives, what is retried, what HR sees."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from journey.clock import FixedClock
from journey.due import DueAction, DueState, ErrorCode, Outcome, delivery_marker
from journey.ports import ConversationRef
from outbox.connector import NoToken, delivery_connector
from outbox.policy import DeliveryPolicy
from storage.database import Database
from storage.due_actions import DueActionQueue
from testkit.probe import standin_probe
from testkit.standins.throttling import ThrottlingConnector
from tests.delivery.helpers import T0, TENANT, WorkerFactory, add_recipients, reminder

Teams = tuple[ThrottlingConnector, str]


def fail_first(times: int, status: int, headers: dict[str, str] | None = None) -> Any:
    """A stand-in fault answering `status` to the first `times` requests."""
    left = [times]

    def fault(conversation_id: str, activity: dict[str, Any]) -> tuple[int, dict[str, str]] | None:
        if left[0] > 0:
            left[0] -= 1
            return status, headers or {}
        return None

    return fault


async def test_a_due_reminder_reaches_the_chat_once_with_its_marker(
    db: Database, queue: DueActionQueue, teams: Teams, make_worker: WorkerFactory
) -> None:
    standin, url = teams
    await add_recipients(db, url, ["user-1"])
    await queue.schedule(reminder(1))
    worker = make_worker(db)

    assert await worker.run_once() == 1

    [arrival] = standin.arrivals
    assert (arrival.conversation_id, arrival.status) == ("a:chat-user-1", 201)
    assert arrival.marker == delivery_marker(reminder(1).key)
    assert standin.activities[arrival.marker]["text"] == "Reminder 1"
    [action] = await queue.for_departure("dep-1")
    assert action.state == DueState.SENT and action.sent_activity_id == arrival.activity_id
    [event] = await queue.timeline("dep-1")
    assert (event.outcome, event.status, event.activity_id) == (
        Outcome.SENT,
        201,
        arrival.activity_id,
    )
    assert (event.kind, event.recipient_key, event.attempt) == ("reminder-1d", "user-1", 1)

    # Scheduling it again (the journey re-planned) and running again sends nothing more.
    assert await queue.schedule(reminder(1)) is False
    assert await worker.run_once() == 0
    assert len(standin.arrivals) == 1


async def test_a_reminder_waits_for_its_time(
    db: Database, queue: DueActionQueue, clock: FixedClock, teams: Teams, make_worker: WorkerFactory
) -> None:
    standin, url = teams
    await add_recipients(db, url, ["user-1"])
    await queue.schedule(reminder(1, due_at=T0 + timedelta(hours=1)))
    worker = make_worker(db)

    assert await worker.run_once() == 0
    clock.advance(hours=1)
    assert await worker.run_once() == 1

    assert len(standin.delivered) == 1


def fail_for(answers: dict[str, int]) -> Any:
    """A stand-in fault answering each listed conversation with its status, every time."""

    def fault(conversation_id: str, activity: dict[str, Any]) -> tuple[int, dict[str, str]] | None:
        status = answers.get(conversation_id)
        return None if status is None else (status, {})

    return fault


async def test_refusals_that_retrying_cannot_fix_end_the_action(
    db: Database, queue: DueActionQueue, clock: FixedClock, teams: Teams, make_worker: WorkerFactory
) -> None:
    standin, url = teams
    statuses = {1: 403, 2: 404, 3: 400, 4: 413}
    standin.faults.append(fail_for({f"a:chat-user-{n}": status for n, status in statuses.items()}))
    await add_recipients(db, url, [f"user-{n}" for n in statuses])
    await queue.schedule_many([reminder(n) for n in statuses])
    worker = make_worker(db)

    await worker.run_once()
    clock.advance(days=1)
    await worker.run_once()

    assert len(standin.arrivals) == len(statuses)  # never retried
    expected = {
        403: Outcome.BLOCKED,
        404: Outcome.NOT_FOUND,
        400: Outcome.ERROR,
        413: Outcome.ERROR,
    }
    for n, status in statuses.items():
        [action] = await queue.for_departure(f"dep-{n}")
        assert (action.state, action.last_error) == (DueState.FAILED, f"http_{status}")
        [event] = await queue.timeline(f"dep-{n}")
        assert (event.outcome, event.status, event.retry_at) == (expected[status], status, None)


async def test_a_503_is_retried_with_backoff_then_sent(
    db: Database, queue: DueActionQueue, clock: FixedClock, teams: Teams, make_worker: WorkerFactory
) -> None:
    standin, url = teams
    standin.faults.append(fail_first(1, 503))
    await add_recipients(db, url, ["user-1"])
    await queue.schedule(reminder(1))
    worker = make_worker(db, policy=DeliveryPolicy(backoff_base=10.0))

    await worker.run_once()
    [waiting] = await queue.for_departure("dep-1")
    assert waiting.state == DueState.PENDING and waiting.not_before is not None
    assert T0 + timedelta(seconds=5) <= waiting.not_before <= T0 + timedelta(seconds=10)
    assert await worker.run_once() == 0  # not before its backoff
    clock.advance(seconds=10)
    await worker.run_once()

    assert [a.status for a in standin.arrivals] == [503, 201]
    [action] = await queue.for_departure("dep-1")
    assert action.state == DueState.SENT and action.attempts == 2
    events = await queue.timeline("dep-1")
    assert [(e.outcome, e.status) for e in events] == [(Outcome.ERROR, 503), (Outcome.SENT, 201)]
    assert events[0].retry_at == waiting.not_before


async def test_a_server_error_that_persists_fails_after_the_last_attempt(
    db: Database, queue: DueActionQueue, clock: FixedClock, teams: Teams, make_worker: WorkerFactory
) -> None:
    standin, url = teams
    statuses = {1: 412, 2: 502, 3: 503, 4: 504}
    standin.faults.append(fail_for({f"a:chat-user-{n}": status for n, status in statuses.items()}))
    await add_recipients(db, url, [f"user-{n}" for n in statuses])
    await queue.schedule_many([reminder(n) for n in statuses])
    worker = make_worker(db, policy=DeliveryPolicy(max_attempts=3, backoff_base=1.0))

    for _ in range(5):
        await worker.run_once()
        clock.advance(minutes=5)

    assert len(standin.arrivals) == 3 * len(statuses)
    for n, status in statuses.items():
        [action] = await queue.for_departure(f"dep-{n}")
        assert (action.state, action.attempts, action.last_error) == (
            DueState.FAILED,
            3,
            f"http_{status}",
        )
        events = await queue.timeline(f"dep-{n}")
        assert [(e.status, e.retry_at is None) for e in events] == [
            (status, False),
            (status, False),
            (status, True),
        ]


async def test_a_429_waits_for_retry_after_across_the_tenant(
    db: Database, queue: DueActionQueue, clock: FixedClock, teams: Teams, make_worker: WorkerFactory
) -> None:
    standin, url = teams
    standin.faults.append(fail_first(1, 429, {"Retry-After": "1"}))
    await add_recipients(db, url, ["user-1"])
    await queue.schedule(reminder(1))
    worker = make_worker(db)

    await worker.run_once()
    [waiting] = await queue.for_departure("dep-1")
    assert waiting.state == DueState.PENDING and waiting.last_error == "http_429"
    clock.advance(seconds=2)
    await worker.run_once()

    first, second = standin.arrivals
    assert (first.status, second.status) == (429, 201)
    assert second.at - first.at >= 0.95  # the tenant was held for Retry-After, in real time
    events = await queue.timeline("dep-1")
    assert [(e.outcome, e.status) for e in events] == [
        (Outcome.THROTTLED, 429),
        (Outcome.SENT, 201),
    ]


async def test_a_recipient_without_a_conversation_is_recorded(
    db: Database, queue: DueActionQueue, teams: Teams, make_worker: WorkerFactory
) -> None:
    standin, _ = teams
    await queue.schedule(reminder(1))

    await make_worker(db).run_once()

    assert standin.arrivals == []
    [action] = await queue.for_departure("dep-1")
    assert (action.state, action.last_error) == (DueState.FAILED, "no_conversation")
    [event] = await queue.timeline("dep-1")
    assert (event.outcome, event.code) == (Outcome.ERROR, "no_conversation")


async def test_the_open_conversation_hook_reaches_someone_new(
    db: Database, queue: DueActionQueue, teams: Teams, make_worker: WorkerFactory
) -> None:
    standin, url = teams
    await queue.schedule(reminder(1, recipient_key="new.person@contoso.dk"))
    asked: list[str] = []

    async def open_conversation(recipient_key: str) -> ConversationRef | None:
        asked.append(recipient_key)
        return ConversationRef(
            user_key="aad-new",
            user_id="29:new",
            conversation_id="a:installed-just-now",
            service_url=url,
            tenant_id=TENANT,
        )

    await make_worker(db, open_conversation=open_conversation).run_once()

    assert asked == ["new.person@contoso.dk"]
    assert [a.conversation_id for a in standin.delivered] == ["a:installed-just-now"]


async def test_a_recipient_is_found_by_upn(
    db: Database, queue: DueActionQueue, teams: Teams, make_worker: WorkerFactory
) -> None:
    standin, url = teams
    await add_recipients(db, url, ["user-1"])
    await queue.schedule(reminder(1, recipient_key="USER-1@contoso.dk"))

    await make_worker(db).run_once()

    assert [a.conversation_id for a in standin.delivered] == ["a:chat-user-1"]


async def test_a_reminder_cancelled_after_the_claim_is_not_sent(
    db: Database, queue: DueActionQueue, teams: Teams, make_worker: WorkerFactory
) -> None:
    standin, url = teams
    await add_recipients(db, url, ["user-1"])
    await queue.schedule(reminder(1))

    async def render_while_hr_cancels(action: DueAction, ref: ConversationRef) -> dict[str, Any]:
        await queue.cancel("dep-1")
        return dict(action.payload)

    await make_worker(db, render=render_while_hr_cancels).run_once()

    assert standin.arrivals == []
    [action] = await queue.for_departure("dep-1")
    assert action.state == DueState.CANCELLED


# --- outcomes nobody knows -------------------------------------------------------------------


async def test_a_timed_out_send_is_not_sent_again_by_default(
    db: Database, queue: DueActionQueue, clock: FixedClock, teams: Teams, make_worker: WorkerFactory
) -> None:
    standin, url = teams
    # Teams takes the message but answers after the client gave up (by a margin no load closes).
    standin.latency = 3.0
    await add_recipients(db, url, ["user-1"])
    await queue.schedule(reminder(1))
    worker = make_worker(db, timeout=1.0)

    await worker.run_once()
    clock.advance(hours=1)
    await worker.run_once()

    assert len(standin.delivered) == 1  # it did arrive, once
    [action] = await queue.for_departure("dep-1")
    assert (action.state, action.last_error) == (DueState.FAILED, "unknown_outcome")
    events = await queue.timeline("dep-1")
    assert [(e.outcome, e.code) for e in events] == [
        (Outcome.ERROR, "timeout"),
        (Outcome.RECONCILED, "unknown_outcome"),
    ]


async def test_a_timed_out_send_is_sent_again_when_the_action_prefers_a_double(
    db: Database, queue: DueActionQueue, clock: FixedClock, teams: Teams, make_worker: WorkerFactory
) -> None:
    standin, url = teams
    standin.latency = 3.0
    await add_recipients(db, url, ["user-1"])
    await queue.schedule(reminder(1, resend_if_unknown=True))
    worker = make_worker(db, timeout=1.0)

    await worker.run_once()
    standin.latency = 0.0
    clock.advance(minutes=5)
    await worker.run_once()

    assert len(standin.delivered) == 2  # the documented price of "never lost"
    [action] = await queue.for_departure("dep-1")
    assert action.state == DueState.SENT


async def _crash_mid_request(
    queue: DueActionQueue, clock: FixedClock, http: aiohttp.ClientSession, url: str, post: bool
) -> DueAction:
    """A worker marks the action sending, maybe gets the request out, and dies."""
    [action] = await queue.claim("dead-worker", 10, 30)
    await queue.mark_sending(action.id, "dead-worker", 30)
    if post:
        connector = delivery_connector(http, NoToken())
        activity = {**action.payload, "channelData": {"exitbotDelivery": action.marker}}
        await connector.send_to_conversation(url, "a:chat-user-1", activity)
    clock.advance(seconds=31)
    return action


async def test_after_a_crash_mid_request_nothing_is_resent_blindly(
    db: Database,
    queue: DueActionQueue,
    clock: FixedClock,
    teams: Teams,
    make_worker: WorkerFactory,
    http: aiohttp.ClientSession,
) -> None:
    standin, url = teams
    await add_recipients(db, url, ["user-1"])
    await queue.schedule(reminder(1))
    await _crash_mid_request(queue, clock, http, url, post=False)

    await make_worker(db).run_once()

    assert standin.arrivals == []  # it may have arrived: at most once
    [action] = await queue.for_departure("dep-1")
    assert (action.state, action.last_error) == (DueState.FAILED, "unknown_outcome")
    [event] = await queue.timeline("dep-1")
    assert (event.outcome, event.code) == (Outcome.RECONCILED, "unknown_outcome")


@pytest.mark.parametrize("arrived", [True, False])
async def test_after_a_crash_a_probe_settles_the_action_exactly_once(
    db: Database,
    queue: DueActionQueue,
    clock: FixedClock,
    teams: Teams,
    make_worker: WorkerFactory,
    http: aiohttp.ClientSession,
    arrived: bool,
) -> None:
    standin, url = teams
    await add_recipients(db, url, ["user-1"])
    await queue.schedule(reminder(1))
    action = await _crash_mid_request(queue, clock, http, url, post=arrived)
    worker = make_worker(db, probe=standin_probe(http, url))

    await worker.run_once()  # reconciles
    await worker.run_once()  # sends, if it was missing

    assert standin.marker_counts() == {action.marker: 1}
    [stored] = await queue.for_departure("dep-1")
    assert stored.state == DueState.SENT
    assert stored.sent_activity_id == standin.delivered[0].activity_id
    codes = [(e.outcome, e.code) for e in await queue.timeline("dep-1")]
    if arrived:
        assert codes == [(Outcome.RECONCILED, ErrorCode.FOUND_DELIVERED.value)]
    else:
        assert codes == [
            (Outcome.RECONCILED, ErrorCode.FOUND_MISSING.value),
            (Outcome.SENT, None),
        ]


async def test_an_expired_claim_that_never_sent_is_sent_by_the_next_worker(
    db: Database, queue: DueActionQueue, clock: FixedClock, teams: Teams, make_worker: WorkerFactory
) -> None:
    standin, url = teams
    await add_recipients(db, url, ["user-1"])
    await queue.schedule(reminder(1))
    await queue.claim("dead-worker", 10, 30)
    clock.advance(seconds=31)

    await make_worker(db).run_once()

    assert [a.status for a in standin.arrivals] == [201]
