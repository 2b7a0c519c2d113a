"""A worker process killed with SIGKILL mid-batch, then another started: none lost, none doubled."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from journey.clock import SystemClock
from journey.due import DueState, ErrorCode, Outcome, delivery_marker
from outbox.policy import DeliveryPolicy
from storage.database import Database
from storage.due_actions import DueActionQueue
from testkit.probe import standin_probe
from testkit.standins.serve import serve
from testkit.standins.throttling import ThrottlingConnector
from testkit.waiting import PATIENCE, wait_while_progressing
from tests.delivery.helpers import (
    WorkerFactory,
    add_recipients,
    just_due,
    reminder,
    start_worker_process,
)

# These tests start worker processes of their own and measure rates: xdist runs them one after
# another on one worker, so that they do not compete with each other for the two cores.
pytestmark = pytest.mark.xdist_group("worker_processes")

REMINDERS = 200
# Leases short enough that the successor takes over the dead one's actions within seconds,
# and long enough that a loaded machine never lets one of the dead worker's own sends outlive
# its lease (the dead worker runs without a probe, so it would fail that send as unknown).
LEASES = ("--lease", "3", "--sending-lease", "3")


async def _settled(queue: DueActionQueue) -> bool:
    unfinished = (DueState.PENDING, DueState.CLAIMED, DueState.SENDING)
    # The database is the only place that knows; nothing to wait on but a poll.
    counts = await queue.counts()
    return not any(counts.get(state) for state in unfinished)


async def _moved(queue: DueActionQueue, standin: ThrottlingConnector) -> int:
    """Grows while the successor works: requests that reached Teams, actions settled."""
    counts = await queue.counts()
    return len(standin.arrivals) + counts.get(DueState.SENT, 0) + counts.get(DueState.FAILED, 0)


@pytest.mark.parametrize("probe", [True, False], ids=["probe", "no-probe"])
async def test_a_killed_worker_loses_and_doubles_nothing(
    database_url: str, make_worker: WorkerFactory, http: aiohttp.ClientSession, probe: bool
) -> None:
    # Teams answers slowly enough that the dead worker has requests under way when it dies.
    standin = ThrottlingConnector(conversation_limits=None, tenant_limits=None, latency=0.01)
    due = just_due()
    reminders = [reminder(n, due_at=due) for n in range(REMINDERS)]
    async with serve(standin.app()) as url, await Database.open(database_url) as db:
        await add_recipients(db, url, [f"user-{n}" for n in range(REMINDERS)])
        queue = DueActionQueue(db)
        await queue.schedule_many(reminders)

        doomed = await start_worker_process(database_url, "--owner", "doomed", "--unpaced", *LEASES)
        await standin.wait_for_arrivals(60, within=PATIENCE)
        doomed.kill()  # SIGKILL: no cleanup, no goodbye
        await doomed.wait()
        at_death = await queue.counts()
        arrived_at_death = len(standin.arrivals)

        # The successor (here in the test's process) finds what the dead one left.
        successor = make_worker(
            db,
            clock=SystemClock(),
            owner="successor",
            probe=standin_probe(http, url) if probe else None,
            # Its own leases outlast any send on a loaded machine: only the dead one's expire.
            policy=DeliveryPolicy(
                lease_seconds=PATIENCE, sending_lease_seconds=PATIENCE, poll_seconds=0.05
            ),
        )
        stop = asyncio.Event()
        running = asyncio.create_task(successor.run_forever(stop))
        try:
            # As long as the successor moves on (requests reach Teams, actions settle).
            await wait_while_progressing(
                lambda: _settled(queue),
                lambda: _moved(queue, standin),
                what="every reminder settled",
            )
        finally:
            stop.set()
            await running
        actions = {r.key: await queue.get_by_key(r.key) for r in reminders}
        timeline = [e for r in reminders for e in await queue.timeline(r.departure_id or "")]

    # The kill landed mid-batch: the dead worker held actions it had not finished.
    in_hand = at_death.get(DueState.CLAIMED, 0) + at_death.get(DueState.SENDING, 0)
    assert in_hand > 0, at_death
    assert 60 <= arrived_at_death < REMINDERS
    received = standin.marker_counts()
    assert max(received.values()) == 1, "a reminder arrived twice"
    assert all(action is not None for action in actions.values())
    unknown = {k for k, a in actions.items() if a and a.last_error == ErrorCode.UNKNOWN_OUTCOME}
    if probe:
        # Exactly once: what the dead worker got out is found, the rest is sent.
        assert sorted(received) == sorted(delivery_marker(r.key) for r in reminders)
        assert {a.state for a in actions.values() if a} == {DueState.SENT}
    else:
        # At most once, and nothing lost silently: an action whose request may have gone out
        # is failed as unknown_outcome on HR's timeline; every other one arrived, once.
        assert len(unknown) <= at_death.get(DueState.SENDING, 0)
        for key, action in actions.items():
            assert action is not None
            if key in unknown:
                assert action.state == DueState.FAILED
            else:
                assert action.state == DueState.SENT
                assert received.get(delivery_marker(key)) == 1
        reconciled = {e.due_action_id for e in timeline if e.outcome == Outcome.RECONCILED}
        assert reconciled == {
            action.id for key, action in actions.items() if action and key in unknown
        }
