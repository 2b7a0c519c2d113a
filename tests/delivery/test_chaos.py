"""Chaos for the delivery engine: a token outage, kill -9 of a worker mid-batch, a PostgreSQL
outage, and one hot chat among many, all in one run; counted at the Teams stand-in.

Two worker processes (testkit.worker_process, Teams' pacing, a probe into the stand-in's
chats) deliver to a stand-in that enforces Teams' limits. Their bearer token comes from an
Entra stand-in that is down when they start; once it is back, one worker is killed with SIGKILL
while it holds part of a batch, and later the test's own PostgreSQL server is stopped and
started again while the other delivers. At the end the stand-in's count of each reminder's
marker gives the figures: expected, delivered, lost, doubled. To see them:

    .venv/bin/pytest -q -p no:randomly -n 0 -s tests/delivery/test_chaos.py
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import Awaitable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from journey.due import DueState, ErrorCode, ScheduledAction, delivery_marker
from storage.database import Database
from storage.due_actions import DueActionQueue
from storage.migrate import upgrade
from storage.tables import delivery_log, due_actions, send_budget
from testkit.pg_server import PostgresNotInstalled, PostgresServer
from testkit.standins.entra import EntraStandIn
from testkit.standins.serve import serve
from testkit.standins.throttling import ThrottlingConnector
from testkit.waiting import NeverHappened, wait_until, wait_while_progressing
from tests.delivery.helpers import add_recipients, just_due, reminder, start_worker_process

# Worker processes of its own, measured: with the other such tests, one after another.
pytestmark = [pytest.mark.xdist_group("worker_processes"), pytest.mark.postgres]

HOT = "hr-person"  # an interviewer with a reminder about each of many leavers
# Teams lets 20 into one chat within seconds, then one every 2.2 s; a send late for its slot
# (a loaded machine) takes a new one, so the chat gets a few to spare.
HOT_REMINDERS = 15
COLD = 200  # one reminder each to 200 other people
# Short leases so that the survivor takes over the dead worker's actions within seconds; the
# sending lease outlasts the connector's timeout and the half of it a request may wait.
WORKER = (
    "--lease", "3", "--sending-lease", "8", "--timeout", "3",
    "--settle", "2", "--token-retry-max", "2",
)  # fmt: skip
DB_FAILED = "claiming due actions failed"  # outbox.worker's log line


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server for this test alone: it is stopped and started again mid-test."""
    try:
        server = PostgresServer.start()
    except PostgresNotInstalled as exc:
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.stop()


class Worker:
    """A worker process and the lines of its log so far."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._reading = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for line in self.process.stderr:
            self.lines.append(line.decode(errors="replace"))

    def said(self, text: str) -> int:
        return sum(text in line for line in self.lines)

    async def end(self, kill: bool = False) -> None:
        if self.process.returncode is None:
            self.process.kill() if kill else self.process.terminate()
        await self.process.wait()
        await self._reading


def _reminders() -> list[ScheduledAction]:
    # The hot chat's reminders are due first: a queue in due order would serve it first.
    due = just_due()
    hot = [
        reminder(COLD + n, recipient_key=HOT, due_at=due - timedelta(minutes=1))
        for n in range(HOT_REMINDERS)
    ]
    return hot + [reminder(n, due_at=due) for n in range(COLD)]


async def _held_by(db: Database, owner: str) -> int:
    held = (DueState.CLAIMED.value, DueState.SENDING.value)
    c = due_actions.c
    async with db.sessions() as session:
        return await session.scalar(
            select(func.count()).where(c.state.in_(held), c.lease_owner.like(f"{owner}~%"))
        )


async def _kill_while_holding(db: Database, worker: Worker, owner: str) -> int:
    """SIGKILL `worker` while it holds claimed actions; how many it held then.

    It is stopped (SIGSTOP) first, so what it holds cannot change between the count and the
    kill; if it had just settled its batch, it goes on and is caught at its next one."""
    for _ in range(20):
        await wait_until(lambda: _held_by(db, owner), what=f"{owner} holds a batch")
        worker.process.send_signal(signal.SIGSTOP)
        held = await _held_by(db, owner)
        if held:
            worker.process.kill()
            return held
        worker.process.send_signal(signal.SIGCONT)
    raise NeverHappened(f"{owner} was never caught holding a batch")


async def _token_waits(db: Database) -> int:
    async with db.sessions() as session:
        return await session.scalar(
            select(func.count()).where(delivery_log.c.code == ErrorCode.TOKEN_UNAVAILABLE.value)
        )


async def _unsettled(db: Database) -> list[tuple[object, ...]]:
    c = due_actions.c
    shown = (c.recipient_key, c.state, c.attempts, c.last_error, c.not_before, c.lease_until)
    async with db.sessions() as session:
        rows = await session.execute(select(*shown).where(c.state != DueState.SENT.value))
        budget = await session.execute(select(send_budget))
        return [tuple(row) for row in rows] + [tuple(row) for row in budget]


async def _done(queue: DueActionQueue, teams: ThrottlingConnector) -> int:
    """A count that grows while delivery goes on: requests that reached Teams, actions settled."""
    counts = await queue.counts()
    settled = sum(counts.get(s, 0) for s in (DueState.SENT, DueState.FAILED, DueState.SKIPPED))
    return len(teams.arrivals) + settled


async def _settled(queue: DueActionQueue) -> bool:
    counts = await queue.counts()
    return not any(counts.get(s) for s in (DueState.PENDING, DueState.CLAIMED, DueState.SENDING))


async def _start(url: str, owner: str, entra: str, teams: str) -> Worker:
    process = await start_worker_process(
        url, "--owner", owner, "--token-url", f"{entra}/token", "--probe", teams, *WORKER,
        log=asyncio.subprocess.PIPE,
    )  # fmt: skip
    return Worker(process)


async def test_chaos_loses_and_doubles_no_reminder(own_postgres: PostgresServer) -> None:
    teams, entra = ThrottlingConnector(latency=0.005), EntraStandIn(down=True)
    reminders = _reminders()
    url = await own_postgres.create_database()
    await upgrade(url)
    async with (
        serve(teams.app()) as teams_url,
        serve(entra.app()) as entra_url,
        await Database.open(url) as db,
    ):
        await add_recipients(db, teams_url, [f"user-{n}" for n in range(COLD)] + [HOT])
        queue = DueActionQueue(db)
        await queue.schedule_many(reminders)
        doomed = await _start(url, "doomed", entra_url, teams_url)
        survivor = await _start(url, "survivor", entra_url, teams_url)
        try:
            figures = await _chaos(own_postgres, db, queue, teams, entra, doomed, survivor)
        finally:
            await doomed.end(kill=True)
            await survivor.end()
        states = await queue.counts()

    received = teams.marker_counts()
    expected = {delivery_marker(r.key) for r in reminders}
    delivered = expected & set(received)
    hot_chat = f"a:chat-{HOT}"
    began = teams.delivered[0].at
    figures |= {
        "expected": len(expected),
        "delivered": len(delivered),
        "lost": len(expected - delivered),
        "doubled": sum(n - 1 for n in received.values()),
        "answered_429": len(teams.throttled),
        # Seconds from the first delivery: the many chats are not held back by the hot one.
        "last_other_chat_s": round(
            max(a.at for a in teams.delivered if a.conversation_id != hot_chat) - began, 1
        ),
        "last_hot_chat_s": round(
            max(a.at for a in teams.delivered if a.conversation_id == hot_chat) - began, 1
        ),
    }
    print(f"\ndelivery chaos: {json.dumps(figures)}")
    assert (figures["lost"], figures["doubled"]) == (0, 0), figures
    assert set(received) == expected
    assert states == {DueState.SENT: len(reminders)}


async def _chaos(
    server: PostgresServer,
    db: Database,
    queue: DueActionQueue,
    teams: ThrottlingConnector,
    entra: EntraStandIn,
    doomed: Worker,
    survivor: Worker,
) -> dict[str, object]:
    """The three outages in turn; what was seen during each."""
    # 1. No token: both workers try, send nothing, and put what they claimed back.
    await wait_until(lambda: entra.refused >= 4, what="both workers asked for a token")
    await wait_until(lambda: _token_waits(db), what="an action back in the queue for its token")
    during_token_outage = await queue.counts()
    assert teams.arrivals == []
    assert not {DueState.SENDING, DueState.FAILED} & set(during_token_outage)
    entra.down = False

    # How long delivery takes is a figure of the machine's load: each wait lasts while it moves
    # on (requests reach Teams, actions settle), and a stall of PATIENCE seconds fails it.
    def progress() -> Awaitable[int]:
        return _done(queue, teams)

    # 2. kill -9 of one worker while it holds part of a batch.
    await wait_while_progressing(
        lambda: len(teams.delivered) >= 40, progress, what="deliveries under way"
    )
    held_at_kill = await _kill_while_holding(db, doomed, "doomed")
    await doomed.end(kill=True)
    assert held_at_kill > 0, "the kill should land mid-batch"

    # 3. The database goes away while the survivor delivers, and comes back.
    await wait_while_progressing(
        lambda: len(teams.delivered) >= 100, progress, what="more deliveries"
    )
    await asyncio.to_thread(server.halt)
    await wait_until(lambda: survivor.said(DB_FAILED) >= 3, what="the survivor felt the outage")
    await asyncio.to_thread(server.resume)

    try:
        # The busy chat's pace is Teams': on a loaded machine it may take a minute or more.
        await wait_while_progressing(
            lambda: _settled(queue), progress, what="every reminder settled"
        )
    except NeverHappened as exc:
        raise AssertionError(f"{exc}; not settled: {await _unsettled(db)}") from exc
    return {
        "token_refusals": entra.refused,
        "held_by_killed_worker": held_at_kill,
        "survivor_db_failures": survivor.said(DB_FAILED),
    }
