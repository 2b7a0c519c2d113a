"""A worker that outlives its own lease (a stalled process) still sends each reminder once."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from journey.clock import FixedClock
from journey.due import DueAction, DueState, delivery_marker
from outbox.connector import ConnectorClient, NoToken, RetryPolicy
from outbox.policy import DeliveryPolicy
from outbox.worker import DeliveryWorker
from storage.conversations import SqlConversationRefStore
from storage.database import Database
from storage.due_actions import DueActionQueue
from storage.send_budget import SendBudget
from testkit.standins.throttling import ThrottlingConnector
from testkit.waiting import wait_until
from tests.delivery.helpers import UNPACED, add_recipients, reminder

Teams = tuple[ThrottlingConnector, str]


class StallingQueue(DueActionQueue):
    """The queue, where the first job stalls just before marking its action sending (a loaded
    machine, a slow database) until `released`; it counts claims, and marks after that."""

    def __init__(self, db: Database, clock: FixedClock) -> None:
        super().__init__(db, clock)
        self.claims = 0
        self.marks_after_release = 0
        self.stalled, self.released = asyncio.Event(), asyncio.Event()

    async def claim(self, *args: Any, **kwargs: Any) -> list[DueAction]:
        taken = await super().claim(*args, **kwargs)
        self.claims += 1
        return taken

    async def mark_sending(self, *args: Any, **kwargs: Any) -> int | None:
        if not self.stalled.is_set():
            self.stalled.set()
            await self.released.wait()
        attempt = await super().mark_sending(*args, **kwargs)
        if self.released.is_set():
            self.marks_after_release += 1
        return attempt


class HeldConnector(ConnectorClient):
    """Holds every send until the stalled job has been to mark_sending: whatever a job that
    took the action over sends is still under way when the stalled one decides."""

    def __init__(self, queue: StallingQueue, http: aiohttp.ClientSession) -> None:
        super().__init__(http, NoToken(), RetryPolicy(attempts=1))
        self._queue = queue

    async def send_to_conversation(self, *args: Any) -> str | None:
        await wait_until(lambda: self._queue.marks_after_release > 0, what="the stalled job")
        return await super().send_to_conversation(*args)


async def test_a_worker_past_its_own_lease_does_not_send_twice(
    db: Database, clock: FixedClock, teams: Teams, http: aiohttp.ClientSession
) -> None:
    standin, url = teams
    await add_recipients(db, url, ["user-1"])
    queue = StallingQueue(db, clock)
    await queue.schedule(reminder(1))
    worker = DeliveryWorker(
        queue,
        HeldConnector(queue, http),
        SqlConversationRefStore(db, clock),
        "worker-a",
        budget=SendBudget(db, UNPACED),
        clock=clock,
        policy=DeliveryPolicy(lease_seconds=30, poll_seconds=0.01),
    )
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run_forever(stop))
    try:
        await wait_until(queue.stalled.is_set, what="the first job stalled")
        clock.advance(seconds=31)  # its lease ran out
        claims = queue.claims  # (a take-over would be under way before two more claims)
        await wait_until(lambda: queue.claims >= claims + 2, what="the worker claimed again")
        queue.released.set()
        await wait_until(
            lambda: _state(queue, reminder(1).key, DueState.SENT), what="recorded sent"
        )
    finally:
        queue.released.set()
        stop.set()
        await running  # every job under way ends first

    assert standin.marker_counts() == {delivery_marker(reminder(1).key): 1}
    assert len(standin.arrivals) == 1


async def _state(queue: DueActionQueue, key: str, state: DueState) -> bool:
    action = await queue.get_by_key(key)
    return action is not None and action.state == state
