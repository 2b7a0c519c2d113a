"""Fixtures shared by every test folder: databases on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from storage.database import Database
from storage.migrate import upgrade
from testkit.pg_server import PostgresNotInstalled, PostgresServer

_PG_STARTUP = pytest.StashKey[float]()


@pytest.fixture(scope="session")
def postgres_server(request: pytest.FixtureRequest) -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole session; skips the test if PostgreSQL is missing."""
    try:
        server = PostgresServer.start()
    except PostgresNotInstalled as exc:
        pytest.skip(str(exc))
    request.config.stash[_PG_STARTUP] = server.startup_seconds
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_kind(request: pytest.FixtureRequest) -> str:
    """Which database a test runs on: each database test runs once on each."""
    return request.param


@pytest.fixture
async def blank_database_url(
    request: pytest.FixtureRequest, database_kind: str, tmp_path: Path
) -> str:
    """The URL of a new, empty database (no tables) of the kind under test."""
    if database_kind == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return await server.create_database()


@pytest.fixture
async def database_url(blank_database_url: str) -> str:
    """The URL of a new database with every migration applied."""
    await upgrade(blank_database_url)
    return blank_database_url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """An open Database on a migrated, empty database; closed after the test."""
    database = await Database.open(database_url)
    try:
        yield database
    finally:
        await database.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how long the PostgreSQL test server took to start, when one was started."""
    seconds = terminalreporter.config.stash.get(_PG_STARTUP, None)
    if seconds is not None:
        terminalreporter.write_line(f"PostgreSQL test server started in {seconds:.2f} s")
