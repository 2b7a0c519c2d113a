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


def _execute_once(
    connection: aiosqlite.Connection, operation: str, parameters: Any, many: bool
) -> _Outcome:
    """In aiosqlite's thread: run one statement on a cursor of its own, read it, close it."""
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
        connection = self._connection
        async with self._adapt_connection._execute_mutex:
            outcome = await connection._execute(
                _execute_once, connection, operation, parameters, many
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

    __slots__ = ()
    _cursor_cls = OneTripCursor

    def _open_transaction(self) -> bool:
        """Whether SQLite holds a transaction open on this connection (read without a hand-off:
        no statement of this connection runs meanwhile, its cursor waits for each one)."""
        raw = self._connection._connection
        return raw is not None and raw.in_transaction

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
