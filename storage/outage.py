"""Telling a database that cannot answer right now from a mistake in the program."""

from __future__ import annotations

from sqlalchemy import exc as sa_exc

from storage.database import DatabaseUnavailable

# Where a raw OSError or TimeoutError comes from when the database is what failed: asyncpg
# raises them unwrapped when it cannot connect (refused, no answer within the timeout).
_DRIVER_MODULES = ("sqlalchemy", "asyncpg", "aiosqlite", "sqlite3", "storage")
# SQLite's errors that mean "not now" (another writer, the file or disk), not a mistake.
_SQLITE_PASSING = ("locked", "busy", "unable to open", "disk i/o", "disk is full")


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database cannot be reached or used right now (an outage, a
    lost connection, a pool with no connection free, a locked SQLite file), so the same work
    may succeed when tried again."""
    if isinstance(error, sa_exc.OperationalError) and _from_sqlite(error):
        # SQLite calls a missing table an OperationalError too: only these pass with time.
        return any(word in str(error.orig).lower() for word in _SQLITE_PASSING)
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


def _from_sqlite(error: sa_exc.DBAPIError) -> bool:
    return type(error.orig).__module__.split(".")[0] == "sqlite3"


def _raised_in_driver(error: BaseException) -> bool:
    frame = error.__traceback__
    while frame is not None:
        module = frame.tb_frame.f_globals.get("__name__", "")
        if module.split(".")[0] in _DRIVER_MODULES:
            return True
        frame = frame.tb_next
    return False
