"""SQLite through aiosqlite with one trip to its thread per statement, not three or four.

SQLAlchemy's aiosqlite adapter opens a cursor, executes, fetches and closes it as separate
calls, each a hand-off to aiosqlite's thread and back through the event loop: four for a
SELECT, three for a write, before the commit's own. The hand-offs, not SQLite, were most of a
turn's database CPU (bench/README.md). This adapter does the cursor's whole life in one call in
that thread and keeps what SQLAlchemy reads afterwards (rows, description, rowcount,
lastrowid). Everything else (transactions, the pool, server-side cursors for streaming) is
SQLAlchemy's aiosqlite dialect unchanged; `Database` hands it in as the DBAPI `module`.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

# What one call in aiosqlite's thread brings back: description, rowcount, lastrowid, rows.
_Outcome = tuple[Any, int, int | None, list[Any]]


class _Statements:
    """Statements sent to a connection's thread and finished there; each count has one writer
    (the event loop, the thread), so the difference is safe to read from the loop."""

    __slots__ = ("finished", "sent")

    def __init__(self) -> None:
        self.sent = 0
        self.finished = 0


def _execute_once(
    connection: aiosqlite.Connection,
    operation: str,
    parameters: Any,
    many: bool,
    statements: _Statements,
) -> _Outcome:
    """In aiosqlite's thread: run one statement on a cursor of its own, read it, close it."""
    try:
        return _run_statement(connection, operation, parameters, many)
    finally:
        statements.finished += 1


def _run_statement(
    connection: aiosqlite.Connection, operation: str, parameters: Any, many: bool
) -> _Outcome:
    cursor = connection._conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statement runs, is fetched and closed in one hand-off."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")
    _awaitable_cursor_close = False

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # opened and closed inside each execute
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            await_(self._run(operation, parameters, many=False))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        try:
            await_(self._run(operation, seq_of_parameters, many=True))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    async def _run(self, operation: Any, parameters: Any, *, many: bool) -> None:
        connection, adapted = self._connection, self._adapt_connection
        async with adapted._execute_mutex:
            adapted.statements.sent += 1
            outcome = await connection._execute(
                _execute_once, connection, operation, parameters, many, adapted.statements
            )
        self._description, self._rowcount, self._lastrowid, rows = outcome
        self._rows = collections.deque(rows)

    async def _async_soft_close(self) -> None:
        return None

    def close(self) -> None:
        self._rows.clear()

    def nextset(self) -> None:
        return None


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's aiosqlite connection with one-trip buffered cursors."""

    __slots__ = ("statements",)
    _cursor_cls = OneTripCursor

    def __init__(self, dbapi: Any, connection: aiosqlite.Connection) -> None:
        super().__init__(dbapi, connection)
        self.statements = _Statements()

    def _open_transaction(self) -> bool:
        """Whether SQLite may hold a transaction open on this connection, read without a
        hand-off when no statement of it is still queued or running in its thread (one whose
        wait was cancelled, by a timeout say, may yet begin one: then the commit or rollback
        goes to the thread, after it, as before)."""
        raw = self._connection._connection
        if raw is None:
            return False
        statements = self.statements
        return statements.sent != statements.finished or raw.in_transaction

    def commit(self) -> None:
        # sqlite3's commit() does nothing outside a transaction: spare the trip to find out.
        if self._open_transaction():
            super().commit()

    def rollback(self) -> None:
        # Likewise (the pool rolls back every connection given back to it).
        if self._open_transaction():
            super().rollback()


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module SQLAlchemy's aiosqlite dialect is given (create_engine's `module`)."""

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


def one_trip_dbapi() -> OneTripDbapi:
    """The module to hand to create_async_engine for sqlite+aiosqlite URLs."""
    return OneTripDbapi(aiosqlite, sqlite3)
