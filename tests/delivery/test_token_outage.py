"""No bearer token for Teams (Entra ID unreachable): nothing is sent, nothing is lost."""

from __future__ import annotations

from datetime import datetime, timedelta

import aiohttp
import pytest

from journey.clock import FixedClock
from journey.due import DueState, ErrorCode, Outcome, delivery_marker
from outbox.connector import TokenUnavailable, delivery_connector
from outbox.policy import DeliveryPolicy
from outbox.worker import DeliveryWorker
from storage.conversations import SqlConversationRefStore
from storage.database import Database
from storage.due_actions import DueActionQueue
from storage.send_budget import SendBudget
from testkit.standins.throttling import ThrottlingConnector
from tests.delivery.helpers import T0, UNPACED, add_recipients, reminder

Teams = tuple[ThrottlingConnector, str]
REMINDERS = 60
OUTAGE = timedelta(seconds=100)


class EntraOutage:
    """The bot's token source, unreachable until `back` on the test's clock."""

    def __init__(self, clock: FixedClock, back: datetime) -> None:
        self._clock = clock
        self.back = back
        self.asked = 0

    async def token(self) -> str | None:
        self.asked += 1
        if self._clock.now() < self.back:
            raise OSError("the managed identity endpoint did not answer")
        return "bearer-token"

    async def close(self) -> None:
        """Nothing to release."""


def _worker(
    db: Database, clock: FixedClock, http: aiohttp.ClientSession, tokens: EntraOutage
) -> DeliveryWorker:
    # Pacing and the token gate on the test's clock too, so 100 s pass in no time.
    budget = SendBudget(db, UNPACED, now=lambda: clock.now().timestamp())
    return DeliveryWorker(
        DueActionQueue(db, clock),
        delivery_connector(http, tokens),
        SqlConversationRefStore(db, clock),
        "worker-a",
        budget=budget,
        clock=clock,
        batch_size=REMINDERS,
        policy=DeliveryPolicy(),
    )


async def test_a_100_s_token_outage_delays_every_reminder_and_loses_none(
    db: Database,
    queue: DueActionQueue,
    clock: FixedClock,
    teams: Teams,
    http: aiohttp.ClientSession,
) -> None:
    standin, url = teams
    await add_recipients(db, url, [f"user-{n}" for n in range(REMINDERS)])
    reminders = [reminder(n) for n in range(REMINDERS)]
    await queue.schedule_many(reminders)
    tokens = EntraOutage(clock, back=T0 + OUTAGE)
    worker = _worker(db, clock, http, tokens)

    rounds = 0
    while clock.now() < T0 + OUTAGE:
        await worker.run_once()
        rounds += 1
        # Nothing went out, and nothing is in a state that says it might have.
        assert standin.arrivals == []
        counts = await queue.counts()
        assert set(counts) <= {DueState.PENDING}, counts
        clock.advance(seconds=5)
    # The worker asks Entra ID about once per round, not once per reminder.
    assert tokens.asked <= 2 * rounds
    while clock.now() < T0 + 3 * OUTAGE and len(standin.arrivals) < REMINDERS:
        await worker.run_once()
        clock.advance(seconds=5)

    assert standin.marker_counts() == {delivery_marker(r.key): 1 for r in reminders}
    actions = [a for r in reminders for a in await queue.for_departure(r.departure_id or "")]
    assert {(a.state, a.attempts) for a in actions} == {(DueState.SENT, 1)}
    timeline = await queue.timeline("dep-0")
    waits = [e for e in timeline if e.code == ErrorCode.TOKEN_UNAVAILABLE]
    assert waits and all(e.outcome == Outcome.ERROR and e.retry_at for e in waits)
    assert all(e.attempt == 0 for e in waits)  # no attempt counted: nothing went out
    assert timeline[-1].outcome == Outcome.SENT
    assert not [e for e in timeline if e.code == ErrorCode.UNKNOWN_OUTCOME]


async def test_without_a_token_the_connector_sends_nothing(
    teams: Teams, http: aiohttp.ClientSession
) -> None:
    standin, url = teams
    connector = delivery_connector(http, EntraOutage(FixedClock(T0), back=T0 + OUTAGE))

    with pytest.raises(TokenUnavailable):
        await connector.ready()
    with pytest.raises(TokenUnavailable):
        await connector.send_to_conversation(url, "a:chat-user-1", {"type": "message"})
    assert standin.arrivals == []
