"""One turn's database work on one connection: what a card click reads and writes, together.

The adapter (bot/adapter.py) opens a unit of work for each turn. Inside it, `Database.reading()`
and `Database.transaction()` run on the unit's one connection instead of a new session per
repository call; the departures a turn has read are kept (journey/kernel.py reads the same one
several times per click), and so are the conversation references found by UPN (each
notification looks its recipient up) and a survey's answers; append-only rows (the audit
log) wait for the turn's end, where they are written in one statement with the turn's
settlement (storage/turns.py, which `stamp`s a handled turn's audit rows with its activity
key). So do writes an owner gathers during the turn (`gathered`: the due actions a click
plans, storage/due_plans.py TurnPlan), in the same transaction; an owner writes its
gathering earlier (`write_gathered`) when a statement of its own must come after.

A click's save of its departure (storage/departures.py) is *held*: its transaction stays open
and commits with the turn's end (`finish`), so the departure, the re-planned due actions, the
audit rows and the handled mark are written together or not at all. The save's version check
still answers at once (ConcurrentUpdate: the hold is rolled back and journey.kernel retries).

Never a write lock across external I/O: a read takes no lock (SQLite reads outside a
transaction; PostgreSQL's READ COMMITTED takes no row lock), and every other `transaction()`
block commits when it ends. A held write is committed first (`release`) whenever the turn is
about to wait on something else: before a call leaves the process (journey.outbound, which the
Bot Connector and Microsoft Graph clients call before each call, its token included) and before a
statement that writes on another connection (`watch`: an engine event), which on SQLite would
wait for this connection's lock and on PostgreSQL maybe for its row lock. So the write lock is
held only while the turn computes (a few ms), never while it talks to Teams or Graph, and
another connection of the same turn (the outbox, the due actions) never waits for this one.

Only the task that opened the unit joins it: a task started during the turn (which inherits
the context) opens its own sessions as before, and so do background jobs and tests.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy import Executable, Table, event, insert
from sqlalchemy.engine import Connection, ExecutionContext
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.util.concurrency import await_

from journey import outbound

if TYPE_CHECKING:
    from storage.database import Database

log = logging.getLogger(__name__)

_CURRENT: ContextVar[UnitOfWork | None] = ContextVar("exitbot_unit_of_work", default=None)
# An INSERT per table appended to, built once (SQLAlchemy then reuses its compiled form).
_INSERTS: dict[Table, Executable] = {}


class Gathering(Protocol):
    """Writes gathered during a turn, made at its end: true while there is something to write;
    `write` writes it all on the connection given, in its transaction, and starts afresh."""

    def __bool__(self) -> bool: ...

    async def write(self, connection: AsyncConnection) -> None: ...


G = TypeVar("G", bound=Gathering)


class HeldWriteLost(Exception):
    """A statement failed while the turn held a write: the transaction was rolled back, and the
    held write (a departure saved earlier in the turn) with it; the turn must run again."""


def _insert(table: Table) -> Executable:
    statement = _INSERTS.get(table)
    if statement is None:
        statement = _INSERTS[table] = insert(table)
    return statement


class UnitOfWork:
    """The connection, the departures read, and the appended rows of one turn."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.owner = asyncio.current_task()
        # What the turn read, as last read or saved, by (kind, key): ("departure", id) in
        # storage/departures.py, ("ref by upn", upn) in storage/conversations.py, ("own
        # answers", departure id) in storage/survey.py. Each owner keeps its entries true.
        self.remembered: dict[tuple[str, str], Any] = {}
        self._connection: AsyncConnection | None = None
        self._appended: dict[Table, list[dict[str, Any]]] = defaultdict(list)
        self._gathered: dict[str, Gathering] = {}
        self._depth = 0
        # A write kept open for the turn's end (`transaction(hold=True)`), and whether one was
        # rolled back by a later failure (the turn's end then fails: HeldWriteLost).
        self._held = False
        self._lost = False

    async def connection(self) -> AsyncConnection:
        """The unit's connection, opened on first use."""
        if self._connection is None:
            await self.db.unit_slots.acquire()
            try:
                self._connection = await self.db.engine.connect()
            except BaseException:
                self.db.unit_slots.release()
                raise
        return self._connection

    @property
    def held(self) -> bool:
        """Whether a write waits, uncommitted, for the turn's end."""
        return self._held

    def holds(self, connection: Connection) -> bool:
        """Whether `connection` (synchronous, as engine events see it) is the unit's."""
        return self._connection is not None and self._connection.sync_connection is connection

    @asynccontextmanager
    async def transaction(self, *, hold: bool = False) -> AsyncIterator[AsyncConnection]:
        """A block of statements on the unit's connection, committed when the outermost block
        ends (and with it the reads before it and a held write), rolled back if it raises (to
        a savepoint when a write is held: the held write stays). `hold`: left open instead, to
        commit with the turn's end (or at `release`)."""
        async with self._block(hold=hold, keep_held=True) as connection:
            yield connection

    @asynccontextmanager
    async def _block(self, *, hold: bool, keep_held: bool) -> AsyncIterator[AsyncConnection]:
        connection = await self.connection()
        outermost = self._depth == 0
        savepoint = None
        if outermost and keep_held and self._held:
            savepoint = await connection.begin_nested()
        self._depth += 1
        try:
            yield connection
        except BaseException:
            self._depth -= 1
            if outermost:
                await self._undo(connection, savepoint)
            raise
        self._depth -= 1
        if not outermost:
            return
        if not hold:
            await self._commit(connection)
            return
        if savepoint is not None:
            await savepoint.commit()
        self._held = True

    async def _undo(self, connection: AsyncConnection, savepoint: Any) -> None:
        """Undo a failed block: back to its savepoint, else all of it."""
        if savepoint is not None:
            try:
                await savepoint.rollback()
                return
            except Exception as exc:  # the connection failed: nothing of the turn stays
                log.warning("could not roll back to a savepoint: %s", type(exc).__name__)
        await self._roll_back(connection)

    async def _commit(self, connection: AsyncConnection) -> None:
        try:
            await connection.commit()
        except BaseException:
            await self._roll_back(connection)
            raise
        self._held = False

    async def _roll_back(self, connection: AsyncConnection) -> None:
        """Roll back; a write held before is lost with it (the turn's end then fails)."""
        self._lost = self._lost or self._held
        self._held = False
        await connection.rollback()

    async def release(self) -> None:
        """Commit a held write now (the turn is about to wait on something else)."""
        if self._held and self._depth == 0 and self._connection is not None:
            await self._commit(self._connection)

    def forget(self, kind: str) -> None:
        """Forget everything remembered of one kind."""
        for key in [key for key in self.remembered if key[0] == kind]:
            del self.remembered[key]

    @property
    def appended(self) -> bool:
        """Whether rows (or a held write) wait to be written at the turn's end."""
        return self._held or any(self._appended.values()) or any(self._gathered.values())

    def gathered(self, name: str, start: Callable[[], G]) -> G:
        """The turn's gathering called `name` (begun by `start` on first use)."""
        found = self._gathered.get(name)
        if found is None:
            found = self._gathered[name] = start()
        return found  # type: ignore[return-value]  # one `start` per name

    async def write_gathered(self, name: str) -> None:
        """Write the gathering called `name` now, in a transaction of its own."""
        found = self._gathered.get(name)
        if found:
            async with self.transaction() as connection:
                await found.write(connection)

    def append(self, table: Table, values: dict[str, Any]) -> None:
        """A row to insert when the turn ends (rows nobody reads during the turn)."""
        self._appended[table].append(values)

    def stamp(self, table: Table, values: dict[str, Any]) -> bool:
        """Set `values` on every row appended to `table` so far; whether there was one."""
        rows = self._appended.get(table)
        for row in rows or ():
            row.update(values)
        return bool(rows)

    async def finish(self, closing: Iterable[tuple[Executable, dict[str, Any]]] = ()) -> None:
        """Write what was gathered, the appended rows and the `closing` statements (each with
        its parameters) in one transaction, the held write's; if it fails, none of them.
        HeldWriteLost, writing nothing, when a held write was rolled back meanwhile."""
        if self._lost:
            self._lost = False
            self._appended, self._gathered = defaultdict(list), {}
            raise HeldWriteLost("a write of the turn was rolled back before its end")
        appended, self._appended = self._appended, defaultdict(list)
        gathered = [found for found in self._gathered.values() if found]
        closing = list(closing)
        if not appended and not closing and not gathered and not self._held:
            return
        # All of it or nothing, the held write included (no savepoint).
        async with self._block(hold=False, keep_held=False) as connection:
            for found in gathered:
                await found.write(connection)
            for table, rows in appended.items():
                await connection.execute(_insert(table), rows)
            for statement, parameters in closing:
                await connection.execute(statement, parameters)

    async def close(self) -> None:
        """Give the connection back (a read-only PostgreSQL transaction ends with it)."""
        connection, self._connection = self._connection, None
        self._held = False  # a held write not committed by now is rolled back with the close
        if connection is None:
            return
        try:
            await connection.close()
        except Exception as exc:  # the database went away: the pool drops the connection
            log.warning("could not close a turn's connection: %s", type(exc).__name__)
        finally:
            self.db.unit_slots.release()


def current_unit(db: Database) -> UnitOfWork | None:
    """The unit of work this task opened on `db`, if any."""
    unit = _CURRENT.get()
    if unit is None or unit.db is not db or unit.owner is not asyncio.current_task():
        return None
    return unit


@asynccontextmanager
async def unit_of_work(db: Database) -> AsyncIterator[UnitOfWork]:
    """Open a unit of work for this task; rows still appended at its end are written then, and
    the calls handed to journey.outbound.after_turn are made after that (not if it failed)."""
    unit = UnitOfWork(db)
    token = _CURRENT.set(unit)
    before, after = outbound.before_each(unit.release), outbound.collect_after()
    try:
        yield unit
        await unit.finish()
    finally:
        calls = outbound.gathered_after(after)
        outbound.reset(before)
        _CURRENT.reset(token)
        await unit.close()
    await outbound.run_after(calls)  # only when the turn's end was written


@asynccontextmanager
async def reading(db: Database) -> AsyncIterator[AsyncConnection]:
    """A connection to read with: the unit's, else one of its own."""
    unit = current_unit(db)
    if unit is not None:
        yield await unit.connection()
        return
    async with db.engine.connect() as connection:
        yield connection


@asynccontextmanager
async def transaction(db: Database, *, hold: bool = False) -> AsyncIterator[AsyncConnection]:
    """A short write transaction: on the unit's connection, else on one of its own. `hold`:
    within a unit, left open to commit with the turn's end (UnitOfWork.transaction)."""
    unit = current_unit(db)
    if unit is not None:
        async with unit.transaction(hold=hold) as connection:
            yield connection
        return
    async with db.engine.begin() as connection:
        yield connection


def watch(engine: AsyncEngine) -> None:
    """Before a statement that may write runs on a connection other than the unit's, the
    unit's held write is committed: that connection would wait for its lock (`_before_write`)."""
    event.listen(engine.sync_engine, "before_cursor_execute", _before_write)


def _before_write(
    connection: Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    context: ExecutionContext | None,
    _many: bool,
) -> None:
    unit = _CURRENT.get()  # the turn's, in its own task or one it started
    if unit is None or not unit.held or unit.holds(connection):
        return
    if _reads(context) and " FOR UPDATE" not in statement:
        return  # a plain SELECT waits for no lock
    await_(unit.release())  # in SQLAlchemy's greenlet: awaited on the event loop


def _reads(context: ExecutionContext | None) -> bool:
    """Whether the statement is a SELECT built with SQLAlchemy (text, e.g. BEGIN IMMEDIATE or
    a PRAGMA, counts as a write)."""
    compiled = context.compiled if context is not None else None
    return compiled is not None and bool(getattr(compiled.statement, "is_select", False))


async def append(db: Database, table: Table, values: dict[str, Any]) -> None:
    """Insert a row at the end of the unit of work, or now when there is none."""
    unit = current_unit(db)
    if unit is not None:
        unit.append(table, values)
        return
    async with db.engine.begin() as connection:
        await connection.execute(insert(table).values(values))
