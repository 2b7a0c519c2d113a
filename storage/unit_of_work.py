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

Never a write lock across external I/O: a read takes no lock (SQLite reads outside a
transaction; PostgreSQL's READ COMMITTED takes no row lock), and each `transaction()` block
commits when it ends, so the SQLite write lock is held only while a block's statements run,
never while the turn talks to Teams or Microsoft Graph, and another connection of the same
turn (the outbox, the due actions) never waits for this one.

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

from sqlalchemy import Executable, Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection

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

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A block of statements on the unit's connection, committed when the outermost block
        ends (and with it the reads before it), rolled back if it raises."""
        connection = await self.connection()
        self._depth += 1
        try:
            yield connection
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                await connection.rollback()
            raise
        self._depth -= 1
        if self._depth == 0:
            await connection.commit()

    def forget(self, kind: str) -> None:
        """Forget everything remembered of one kind."""
        for key in [key for key in self.remembered if key[0] == kind]:
            del self.remembered[key]

    @property
    def appended(self) -> bool:
        """Whether rows wait to be written at the turn's end."""
        return any(self._appended.values()) or any(self._gathered.values())

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
        its parameters) in one transaction; if it fails, none of them."""
        appended, self._appended = self._appended, defaultdict(list)
        gathered = [found for found in self._gathered.values() if found]
        closing = list(closing)
        if not appended and not closing and not gathered:
            return
        async with self.transaction() as connection:
            for found in gathered:
                await found.write(connection)
            for table, rows in appended.items():
                await connection.execute(_insert(table), rows)
            for statement, parameters in closing:
                await connection.execute(statement, parameters)

    async def close(self) -> None:
        """Give the connection back (a read-only PostgreSQL transaction ends with it)."""
        connection, self._connection = self._connection, None
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
    """Open a unit of work for this task; rows still appended at its end are written then."""
    unit = UnitOfWork(db)
    token = _CURRENT.set(unit)
    try:
        yield unit
        await unit.finish()
    finally:
        _CURRENT.reset(token)
        await unit.close()


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
async def transaction(db: Database) -> AsyncIterator[AsyncConnection]:
    """A short write transaction: on the unit's connection, else on one of its own."""
    unit = current_unit(db)
    if unit is not None:
        async with unit.transaction() as connection:
            yield connection
        return
    async with db.engine.begin() as connection:
        yield connection


async def append(db: Database, table: Table, values: dict[str, Any]) -> None:
    """Insert a row at the end of the unit of work, or now when there is none."""
    unit = current_unit(db)
    if unit is not None:
        unit.append(table, values)
        return
    async with db.engine.begin() as connection:
        await connection.execute(insert(table).values(values))
