"""Send pacing shared by every instance through the database: GCRA cells per tenant and chat.

Each limit is a generic cell rate algorithm cell ("at most `burst` at once, then one every
1/rate seconds"). A cell's whole state is one number, `free_at`: the earliest time the next send
may go. Reserving n sends locks the cells, computes n send times and moves `free_at` on, in one
short transaction, so two processes on one database together never exceed the limit. A 429's
Retry-After moves a cell's `free_at` (and `paused_until`) on for everyone.

A transaction is three statements on SQLite (BEGIN IMMEDIATE; one upsert that creates missing
cells and returns, and on PostgreSQL locks, them all; one UPDATE of the cells it moved), and a
worker's batch needs one (`reserve_sends`: each message's tenant slot, then its chat's).

Why cells rather than counting the delivery log: a count over a sliding window needs a range
scan per send and still races (two instances count 49 and both send); a cell is one row,
locked for a moment, and its arithmetic is exact.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import Row, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import Database
from storage.dialect import insert_for
from storage.tables import send_budget
from storage.transactions import write_transaction


@dataclass(frozen=True)
class Limit:
    """At most `burst` sends at once, then one every 1/`rate` seconds."""

    rate: float
    burst: int = 1

    @property
    def interval(self) -> float:
        """Seconds between sends once the burst is used."""
        return 1.0 / self.rate

    @property
    def tolerance(self) -> float:
        """How far ahead of its even spacing a send may go (the burst, in seconds)."""
        return (self.burst - 1) * self.interval


@dataclass(frozen=True)
class Pacing:
    """The limits the engine keeps to; defaults stay just under Teams' published limits.

    Teams allows per app and tenant 50 requests/s, and per bot and conversation 7 in 1 s, 8 in
    2 s, 60 in 30 s and 1,800 an hour (learn.microsoft.com, "Optimize your bot with rate
    limiting in Teams"; the values may change, so a 429 pauses the whole tenant until its
    Retry-After whatever the pacing). A limit as burst + rate allows burst + rate x w sends in
    any window w, and a send may go up to `late_tolerance` after its slot, so at most
    burst + rate x (w + late_tolerance) requests leave in any window w. Tenant: 47/s with no
    burst and 0.03 s of lateness: 1 + 47 x 1.03 = 49.4, so at most 49 in any 1 s window (as
    46/s with 0.05 s gave, 49.3), and Teams still counts at most 50 when requests reach it up
    to 34 ms apart from how they left (0.05 s at 46/s left 37 ms). The bot's replies to people
    are not paced here; a 429 they draw pauses the tenant like any other. Conversation (2/s,
    burst 3) gives 5 in 1 s and 7 in 2 s, and (0.45/s, burst 20) gives 33 in 30 s and 1,640
    an hour.
    """

    tenant: tuple[Limit, ...] = (Limit(47.0, 1),)
    conversation: tuple[Limit, ...] = (Limit(2.0, 3), Limit(0.45, 20))
    # A send whose slot lies further ahead than this is not reserved but deferred, so one busy
    # chat does not hold a worker (or a tenant's budget) for minutes.
    horizon: float = 10.0
    # A send this late for its slot takes a new one: later ones would bunch up with the sends
    # after them (see above: rate x (1 + late_tolerance) stays under 48.5 a second).
    late_tolerance: float = 0.03


TEAMS_PACING = Pacing()


@dataclass(frozen=True)
class Ask:
    """`count` sends through `cells`, the first at `at` (default now) or at most `within` later.

    `within` None means the pacing's horizon. A send that cannot go in time reserves nothing.
    """

    cells: Sequence[tuple[str, Limit]]
    count: int = 1
    at: float | None = None
    within: float | None = None


@dataclass(frozen=True)
class Reservation:
    """Send times for an ask, or (times empty) the earliest time it could have had;
    `by_chat`: deferred by the chat's cells, the tenant's slot left to others (reserve_sends)."""

    times: tuple[float, ...] = ()
    deferred_until: float | None = None
    by_chat: bool = False


@dataclass(frozen=True)
class Send:
    """One message: a slot of `tenant` (its cells), then one of `chat` at that time."""

    tenant: Sequence[tuple[str, Limit]]
    chat: Sequence[tuple[str, Limit]]


@dataclass
class _Cell:
    scope: str
    free_at: float
    paused_until: float | None
    changed: bool = field(default=False)


# The cells a reservation moved, written in one statement (executemany), built once.
_MOVE = (
    update(send_budget).where(send_budget.c.scope == bindparam("s")).values(free_at=bindparam("f"))
)


def tenant_cells(pacing: Pacing, tenant_id: str | None) -> list[tuple[str, Limit]]:
    """The cells a send to `tenant_id` must pass."""
    name = tenant_id or "-"
    return [(f"t:{i}:{name}"[:100], limit) for i, limit in enumerate(pacing.tenant)]


def conversation_cells(pacing: Pacing, conversation_id: str) -> list[tuple[str, Limit]]:
    """The cells a send into `conversation_id` must pass."""
    # Teams conversation ids run to hundreds of characters; a digest keeps the key short.
    digest = hashlib.sha256(conversation_id.encode()).hexdigest()[:40]
    return [(f"c:{i}:{digest}", limit) for i, limit in enumerate(pacing.conversation)]


class SendBudget:
    """Reserves send times against cells stored in `send_budget`, shared by all instances.

    Times are Unix seconds from `now` (wall clock by default): every process on the database
    must agree on them, which a monotonic clock would not.
    """

    def __init__(
        self,
        db: Database,
        pacing: Pacing = TEAMS_PACING,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._db = db
        self.pacing = pacing
        self._now = now
        # scopes -> (when read, latest pause): lets a busy worker check pauses without a query
        # per send; see paused_until(max_age=...).
        self._pauses: dict[tuple[str, ...], tuple[float, float | None]] = {}
        self._pause_read = asyncio.Lock()
        self._refreshing: dict[tuple[str, ...], asyncio.Future[float | None]] = {}

    def now(self) -> float:
        """The budget's idea of the current time (Unix seconds)."""
        return self._now()

    async def reserve(self, asks: Sequence[Ask]) -> list[Reservation]:
        """Send times for each ask that every one of its cells allows, or a deferral.

        All asks are decided in one transaction, in order (two asks on one cell share it).
        """
        now = self._now()

        def decide(cells: dict[str, _Cell]) -> list[Reservation]:
            return [
                self._plan(
                    [(cells[scope], limit) for scope, limit in ask.cells],
                    ask.count,
                    max(now, ask.at or now),
                    self.pacing.horizon if ask.within is None else ask.within,
                )
                for ask in asks
            ]

        scopes = {scope for ask in asks for scope, _ in ask.cells}
        if not scopes:
            return [Reservation(times=(ask.at or now,) * ask.count) for ask in asks]
        return await self._decided(scopes, decide)

    async def reserve_sends(self, sends: Sequence[Send], lead: float = 0.0) -> list[Reservation]:
        """A send time for each message, in order, in one transaction: its tenant's next slot
        (deferred if that lies beyond the horizon: a 429 pause), and its chat's at that time
        or at most the pacing's late_tolerance after it. A chat busy beyond that is deferred
        `by_chat` and takes no tenant slot: the next message of the batch has it. No slot lies
        less than `lead` seconds ahead (of when the cells are read): the time its sender needs
        to get ready for it."""
        pacing = self.pacing

        def decide(cells: dict[str, _Cell]) -> list[Reservation]:
            now = self._now()
            answers = []
            for send in sends:
                tenant = [(cells[scope], limit) for scope, limit in send.tenant]
                chat = [(cells[scope], limit) for scope, limit in send.chat]
                slot = max([now + lead, *(_earliest(cell) for cell, _ in tenant)])
                if slot > now + pacing.horizon:
                    answers.append(Reservation(deferred_until=slot))
                    continue
                free = max([slot, *(_earliest(cell) for cell, _ in chat)])
                if free > slot + pacing.late_tolerance:
                    answers.append(Reservation(deferred_until=free, by_chat=True))
                    continue
                _take(tenant, slot)
                _take(chat, free)
                answers.append(Reservation(times=(free,)))
            return answers

        scopes = {scope for send in sends for scope, _ in (*send.tenant, *send.chat)}
        if not scopes:
            return [Reservation(times=(self._now() + lead,)) for _ in sends]
        return await self._decided(scopes, decide)

    async def _decided(
        self, scopes: set[str], decide: Callable[[dict[str, _Cell]], list[Reservation]]
    ) -> list[Reservation]:
        """`decide` on the cells of `scopes`, locked (created if missing); the cells it moved
        are written in the same transaction."""
        async with write_transaction(self._db) as session:
            rows = await _locked_rows(
                self._db, session, sorted(scopes), free_at=0.0, paused_until=None
            )
            cells = {row.scope: _Cell(row.scope, row.free_at, row.paused_until) for row in rows}
            answers = decide(cells)
            changed = [
                {"s": cell.scope, "f": cell.free_at} for cell in cells.values() if cell.changed
            ]
            if changed:
                await session.execute(_MOVE, changed)
        return answers

    @staticmethod
    def _plan(
        cells: list[tuple[_Cell, Limit]], count: int, start: float, within: float
    ) -> Reservation:
        if count <= 0:
            return Reservation()
        if not cells:
            return Reservation(times=(start,) * count)
        first = max(start, *(_earliest(cell) for cell, _ in cells))
        if first > start + within:
            return Reservation(deferred_until=first)
        times = []
        at = start
        for _ in range(count):
            at = max(at, *(_earliest(cell) for cell, _ in cells))
            _take(cells, at)
            times.append(at)
        return Reservation(times=tuple(times))

    async def pause(self, cells: Sequence[tuple[str, Limit]], until: float) -> None:
        """Hold every send through `cells` until `until` (Teams answered 429 + Retry-After)."""
        scopes = sorted({scope for scope, _ in cells})
        async with write_transaction(self._db) as session:
            rows = await _locked_rows(self._db, session, scopes, free_at=until, paused_until=until)
            changes = [
                {
                    "s": row.scope,
                    "f": max(row.free_at, until),
                    "p": max(row.paused_until or 0.0, until),
                }
                for row in rows
            ]
            await session.execute(
                update(send_budget)
                .where(send_budget.c.scope == bindparam("s"))
                .values(free_at=bindparam("f"), paused_until=bindparam("p")),
                changes,
            )
        self._pauses.clear()

    async def paused_until(
        self, cells: Sequence[tuple[str, Limit]], max_age: float = 0.0, stale: float = 0.0
    ) -> float | None:
        """The latest pause over `cells` that has not ended yet, if any.

        With `max_age`, an answer read from the database at most that many seconds ago is
        reused: another instance's fresh pause may then be seen that much later. With `stale`
        (longer than `max_age`), an answer at most that old is returned at once while one read
        in the background brings it up to date: a send about to go never waits for the database.
        """
        key = tuple(sorted(scope for scope, _ in cells))
        now = self._now()
        cached = self._pauses.get(key)
        age = None if cached is None else now - cached[0]
        if age is not None and age > max_age and age <= stale:
            if key not in self._refreshing:
                refresh = asyncio.ensure_future(self._read_pause(key, max_age))
                refresh.add_done_callback(partial(self._refreshed, key))
                self._refreshing[key] = refresh
            latest = cached[1] if cached is not None else None
        else:
            latest = await self._read_pause(key, max_age)
        return latest if latest is not None and latest > self._now() else None

    def _refreshed(self, key: tuple[str, ...], refresh: asyncio.Future[float | None]) -> None:
        self._refreshing.pop(key, None)
        if not refresh.cancelled() and refresh.exception() is not None:
            # The next send reads again; one failed background read changes nothing.
            self._pauses.pop(key, None)

    async def _read_pause(self, key: tuple[str, ...], max_age: float) -> float | None:
        """The latest pause of the cells `key`, from the database unless read within `max_age`."""
        async with self._pause_read:  # many sends asking at once share one read
            now = self._now()
            cached = self._pauses.get(key)
            if cached is not None and now - cached[0] <= max_age:
                return cached[1]
            async with self._db.sessions() as session:
                latest = await session.scalar(
                    select(func.max(send_budget.c.paused_until)).where(send_budget.c.scope.in_(key))
                )
            self._pauses[key] = (now, latest)
            return latest

    async def prune(self, idle_seconds: float = 3600.0) -> int:
        """Forget cells idle for `idle_seconds` (longer than any burst): they behave as new."""
        cutoff = self._now() - idle_seconds
        async with self._db.sessions.begin() as session:
            result = await session.execute(
                delete(send_budget).where(
                    send_budget.c.free_at < cutoff,
                    or_(send_budget.c.paused_until.is_(None), send_budget.c.paused_until < cutoff),
                )
            )
        return result.rowcount

    async def snapshot(self) -> Mapping[str, float]:
        """{scope: free_at} of every cell (for tests and diagnostics)."""
        async with self._db.sessions() as session:
            rows = (await session.execute(select(send_budget))).all()
        return {row.scope: row.free_at for row in rows}


async def _locked_rows(
    db: Database,
    session: AsyncSession,
    scopes: list[str],
    *,
    free_at: float,
    paused_until: float | None,
) -> Sequence[Row[Any]]:
    """The cells of `scopes` (sorted), locked; a missing cell is created as given.

    One statement: an upsert whose no-op update returns every cell (RETURNING leaves out
    the rows an ON CONFLICT DO NOTHING skips) and on PostgreSQL locks it like an UPDATE, in
    the sorted order, so two instances cannot deadlock. SQLite's BEGIN IMMEDIATE before it
    already holds the database's one write lock.
    """
    statement = insert_for(db, send_budget).values(
        [{"scope": s, "free_at": free_at, "paused_until": paused_until} for s in scopes]
    )
    locking = statement.on_conflict_do_update(
        index_elements=[send_budget.c.scope], set_={"free_at": send_budget.c.free_at}
    ).returning(*send_budget.c)
    return (await session.execute(locking)).all()


def _take(cells: Sequence[tuple[_Cell, Limit]], at: float) -> None:
    """One send through `cells` at `at`."""
    for cell, limit in cells:
        # GCRA: the cell's theoretical arrival time moves one interval past this send.
        cell.free_at = max(cell.free_at, at - limit.tolerance) + limit.interval
        cell.changed = True


def _earliest(cell: _Cell) -> float:
    return max(cell.free_at, cell.paused_until or 0.0)
