"""The database handle: one async engine and session factory for SQLite or PostgreSQL."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import unit_of_work
from storage.sqlite_driver import one_trip_dbapi

DEFAULT_URL = "sqlite+aiosqlite:///var/exitbot.sqlite3"

# Short enough that `exitbot serve` fails within seconds when the server is down.
CONNECT_TIMEOUT_SECONDS = 5.0
# Connections in the pool, and beyond it when busy, by dialect. A turn holds one connection for
# its whole unit of work (storage/unit_of_work.py) and may need a second one meanwhile (the due
# actions, the outbox): at most half of them are held by units, so a second one is always to
# be had. SQLite writes one at a time whatever the pool, and each of its connections is a thread
# of aiosqlite's with its own page and statement caches: bench.flow (20 leavers, 8 turns in
# flight) read 4.5 MB less resident with these 8 connections than with 20 (134.3 against
# 138.8 MB), at the same CPU per click.
POOL_SIZES = {"sqlite": (4, 4), "postgresql": (10, 10)}
# How long an SQLite writer waits for another writer's lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 5000

# Drivers people write in DATABASE_URL, mapped to the async drivers we install.
_ASYNC_DRIVERS = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
}
_USERINFO = re.compile(r"(?P<scheme>[^:/]+://)(?P<user>[^:@/]*):[^@/]*@")


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or opened; the message names the URL without password."""


def redact_url(url: str | URL) -> str:
    """The URL as text with its password replaced by ***, fit for messages and logs."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _USERINFO.sub(r"\g<scheme>\g<user>:***@", url)


def normalize_url(url: str | URL) -> URL:
    """Parse a database URL and pick our async driver when the URL names none."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        # make_url's own message repeats the URL with its password.
        raise ValueError(f"not a database URL: {redact_url(url)}") from None
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    if driver is not None:
        parsed = parsed.set(drivername=driver)
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(f"exitbot runs on SQLite or PostgreSQL, not {redact_url(parsed)}")
    return parsed


def _sqlite_file(url: URL) -> Path | None:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers go on while one writer writes; SQLite leaves foreign keys off by default.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _reason(exc: BaseException, timeout: float) -> str:
    """A short, password-free reason for a failed connection."""
    cause: BaseException = exc
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        cause = exc.orig
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, socket.gaierror):
        return f"cannot resolve the host name ({cause.strerror})"
    if isinstance(cause, TimeoutError):
        return f"no answer within {timeout:g} s"
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


class Database:
    """An async engine plus session factory for one database URL (SQLite or PostgreSQL)."""

    def __init__(
        self,
        url: str | URL = DEFAULT_URL,
        *,
        connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
        echo: bool = False,
        password: Callable[[], Awaitable[str]] | None = None,
    ) -> None:
        """`password`, for PostgreSQL: asked for on every new connection (an Entra ID access
        token for a managed identity, which expires), instead of one in the URL."""
        self.url = normalize_url(url)
        self.connect_timeout = connect_timeout
        self.redacted_url = redact_url(self.url)
        self.dialect = self.url.get_backend_name()
        connect_args: dict[str, Any] = {}
        engine_args: dict[str, Any] = {}
        pool_size, overflow = POOL_SIZES[self.dialect]
        if self.dialect == "sqlite":
            # One hand-off to aiosqlite's thread per statement (storage/sqlite_driver.py).
            engine_args["module"] = one_trip_dbapi()
            file = _sqlite_file(self.url)
            if file is not None:
                try:
                    file.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise self._unavailable(
                        f"cannot create the directory {file.parent} ({exc.strerror})"
                    ) from exc
        else:
            connect_args["timeout"] = connect_timeout
            if password is not None:
                connect_args["password"] = password  # asyncpg awaits it per connection
        try:
            self.engine: AsyncEngine = create_async_engine(
                self.url,
                echo=echo,
                connect_args=connect_args,
                # A PostgreSQL restart leaves dead connections in the pool; test before use.
                pool_pre_ping=self.dialect == "postgresql",
                pool_size=pool_size,
                max_overflow=overflow,
                **engine_args,
            )
        except (ModuleNotFoundError, NoSuchModuleError) as exc:
            raise ValueError(f"no driver for {self.redacted_url}: {exc}") from None
        if self.dialect == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _set_sqlite_pragmas)
        # A turn's held write is committed before another connection writes (it would wait).
        unit_of_work.watch(self.engine)
        self.sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False
        )
        # Taken while a unit of work holds a connection (storage/unit_of_work.py).
        self.unit_slots = asyncio.Semaphore((pool_size + overflow) // 2)

    def reading(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A connection to read with: the turn's own when a unit of work is open in this task
        (storage/unit_of_work.py), else a new one."""
        return unit_of_work.reading(self)

    def transaction(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A short write transaction, committed when the block ends: on the turn's connection
        when a unit of work is open in this task, else on a new one."""
        return unit_of_work.transaction(self)

    def unit_of_work(self) -> AbstractAsyncContextManager[unit_of_work.UnitOfWork]:
        """One turn's database work on one connection (storage/unit_of_work.py)."""
        return unit_of_work.unit_of_work(self)

    @classmethod
    async def open(cls, url: str | URL = DEFAULT_URL, **options: Any) -> Self:
        """A Database that has answered once; DatabaseUnavailable if it cannot be reached."""
        database = cls(url, **options)
        try:
            await database.ping()
        except BaseException:
            await database.close()
            raise
        return database

    async def ping(self) -> None:
        """Run SELECT 1; raise DatabaseUnavailable if the database does not answer."""
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (OSError, TimeoutError, DBAPIError) as exc:
            raise self._unavailable(_reason(exc, self.connect_timeout)) from exc
        except Exception as exc:
            # asyncpg raises its own errors (wrong password, no such database) at connect time.
            if type(exc).__module__.startswith("asyncpg"):
                raise self._unavailable(_reason(exc, self.connect_timeout)) from exc
            raise

    def _unavailable(self, reason: str) -> DatabaseUnavailable:
        verb = "open" if self.dialect == "sqlite" else "reach"
        return DatabaseUnavailable(f"cannot {verb} the database at {self.redacted_url}: {reason}")

    async def is_reachable(self) -> bool:
        """Whether SELECT 1 succeeds right now (for health checks)."""
        try:
            await self.ping()
        except DatabaseUnavailable:
            return False
        return True

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"Database({self.redacted_url!r})"
