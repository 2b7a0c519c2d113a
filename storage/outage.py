"""Telling a database that cannot answer right now from a mistake in the program."""

from __future__ import annotations

import sqlite3

from sqlalchemy import exc as sa_exc

from storage.database import DatabaseUnavailable
from storage.unit_of_work import HeldWriteLost

# Where a raw OSError or TimeoutError comes from when the database is what failed: asyncpg
# raises them unwrapped when it cannot connect (refused, no answer within the timeout).
_DRIVERS = ("sqlalchemy", "asyncpg", "aiosqlite", "sqlite3")
_DRIVER_MODULES = (*_DRIVERS, "storage")
# SQLite's errors that mean "not now" (another writer, the file or disk), not a mistake.
_SQLITE_PASSING = ("locked", "busy", "unable to open", "disk i/o", "disk is full")
# SQLite's primary result codes for the same: SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR,
# SQLITE_FULL, SQLITE_CANTOPEN (an extended code carries its primary code in the low byte).
_SQLITE_PASSING_CODES = frozenset({5, 6, 10, 13, 14})
# How far to follow `raise ... from` and exception groups before giving up.
_MAX_DEPTH = 8


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database cannot be reached or used right now (an outage, a
    lost connection, a pool with no connection free, a locked SQLite file), so the same work
    may succeed when tried again.

    Also when such an error arrives wrapped: SQLite's own exception unwrapped, raised `from` one
    (or a session that refuses to go on after one), or inside an exception group where every
    failure is one."""
    return _unavailable(error, _MAX_DEPTH)


def _unavailable(error: BaseException, depth: int) -> bool:
    if depth <= 0:
        return False
    if isinstance(error, BaseExceptionGroup):
        return all(_unavailable(inner, depth - 1) for inner in error.exceptions)
    if _unavailable_itself(error):
        return True
    if isinstance(error, sa_exc.PendingRollbackError):
        # The session's transaction was rolled back by an earlier error: that one decides.
        earlier = error.__cause__ or error.__context__
        return earlier is not None and _unavailable(earlier, depth - 1)
    if isinstance(error, sa_exc.SQLAlchemyError) or _from_driver_module(error):
        return False  # SQLAlchemy's wrap of a driver error was judged above, with its cause
    cause = error.__cause__  # `raise Wrapper(...) from busy`: an explicit wrap, not a new fault
    return cause is not None and _unavailable(cause, depth - 1)


def _from_driver_module(error: BaseException) -> bool:
    return type(error).__module__.split(".")[0] in _DRIVERS


def _unavailable_itself(error: BaseException) -> bool:
    if isinstance(error, sqlite3.Error):  # raw, as aiosqlite raises it outside SQLAlchemy
        return _sqlite_passing(error)
    if isinstance(error, sa_exc.DBAPIError) and isinstance(error.orig, sqlite3.Error):
        # SQLite calls a missing table an OperationalError too: only these pass with time.
        return _sqlite_passing(error.orig)
    if isinstance(error, HeldWriteLost):  # the turn's writes were rolled back: run it again
        return True
    if isinstance(error, DatabaseUnavailable | sa_exc.OperationalError | sa_exc.InterfaceError):
        return True
    if isinstance(error, sa_exc.TimeoutError):  # the pool had no connection in time
        return True
    if isinstance(error, sa_exc.DBAPIError):
        return error.connection_invalidated
    if type(error).__module__.startswith("asyncpg"):  # raised at connect: starting up, full
        return True
    if isinstance(error, OSError | TimeoutError):
        return _raised_in_driver(error)
    return False


def _sqlite_passing(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int) and (code & 0xFF) in _SQLITE_PASSING_CODES:
        return True
    if not isinstance(error, sqlite3.OperationalError):
        return False
    return any(word in str(error).lower() for word in _SQLITE_PASSING)


def _raised_in_driver(error: BaseException) -> bool:
    frame = error.__traceback__
    while frame is not None:
        module = frame.tb_frame.f_globals.get("__name__", "")
        if module.split(".")[0] in _DRIVER_MODULES:
            return True
        frame = frame.tb_next
    return False
