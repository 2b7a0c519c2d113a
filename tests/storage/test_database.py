"""Opening, reaching and closing the database; what survives a restart."""

from __future__ import annotations

import asyncio
import re
import socket
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from journey.ports import AuditEntry
from storage.database import DEFAULT_URL, Database, DatabaseUnavailable, redact_url
from storage.migrate import upgrade
from storage.repositories import (
    DocumentStore,
    SeenActivities,
    SqlAuditLog,
    SqlConversationRefStore,
    SqlDepartureRepository,
)
from tests.storage.samples import T0, conversation_ref, departure


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_redact_url_hides_the_password() -> None:
    url = "postgresql+asyncpg://exitbot:s3cr%40t@db.example:5432/exitbot"
    assert redact_url(url) == "postgresql+asyncpg://exitbot:***@db.example:5432/exitbot"
    assert redact_url("sqlite+aiosqlite:///var/x.sqlite3") == "sqlite+aiosqlite:///var/x.sqlite3"
    assert "hunter2" not in redact_url("not a url://admin:hunter2@host/db")


def test_invalid_url_message_does_not_leak_the_password() -> None:
    with pytest.raises(ValueError) as caught:
        Database("postgres ql://admin:hunter2@host/db")
    assert "hunter2" not in str(caught.value)


def test_plain_postgresql_url_uses_asyncpg() -> None:
    # DATABASE_URL is often written without a driver, as psql and Heroku spell it.
    assert Database("postgresql://u:p@localhost/exitbot").url.drivername == "postgresql+asyncpg"
    assert Database("postgres://u:p@localhost/exitbot").url.drivername == "postgresql+asyncpg"
    assert Database("sqlite:///x.sqlite3").url.drivername == "sqlite+aiosqlite"


def test_other_databases_are_refused() -> None:
    with pytest.raises(ValueError, match="SQLite or PostgreSQL"):
        Database("mysql+aiomysql://u:secret@localhost/exitbot")


async def test_unreachable_postgres_names_the_url_without_password() -> None:
    port = _closed_port()
    url = f"postgresql+asyncpg://exitbot:s3cret@127.0.0.1:{port}/exitbot"
    began = time.monotonic()

    with pytest.raises(DatabaseUnavailable) as caught:
        await Database.open(url)

    assert str(caught.value) == (
        f"cannot reach the database at postgresql+asyncpg://exitbot:***@127.0.0.1:{port}/exitbot:"
        " connection refused"
    )
    assert time.monotonic() - began < 5


async def test_a_server_that_never_answers_fails_within_the_timeout() -> None:
    accepted: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)  # accept the connection, never answer the startup message

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    began = time.monotonic()
    try:
        with pytest.raises(DatabaseUnavailable, match=r"no answer within 0\.5 s"):
            await Database.open(f"postgresql://u:pw@127.0.0.1:{port}/x", connect_timeout=0.5)
    finally:
        for writer in accepted:
            writer.close()
            await writer.wait_closed()
        server.close()
        await server.wait_closed()
    assert time.monotonic() - began < 3


async def test_upgrade_on_unreachable_database_raises_database_unavailable() -> None:
    url = f"postgresql+asyncpg://exitbot:s3cret@127.0.0.1:{_closed_port()}/exitbot"
    with pytest.raises(DatabaseUnavailable, match=r"exitbot:\*\*\*@") as caught:
        await upgrade(url)
    assert "s3cret" not in str(caught.value)


@pytest.mark.postgres
async def test_missing_postgres_database_is_reported(postgres_server) -> None:
    url = postgres_server.url("no_such_database")
    with pytest.raises(DatabaseUnavailable, match='"no_such_database" does not exist'):
        await Database.open(url)


async def test_unopenable_sqlite_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    # The parent "directory" is a file, so neither it nor the database can be created.
    url = f"sqlite+aiosqlite:///{tmp_path / 'a-file' / 'db.sqlite3'}"
    with pytest.raises(
        DatabaseUnavailable, match=re.escape(f"cannot open the database at {url}: ")
    ):
        await Database.open(url)


async def test_a_file_that_is_not_a_database_is_reported(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("this is not SQLite\n" * 100)
    url = f"sqlite+aiosqlite:///{tmp_path / 'notes.txt'}"
    with pytest.raises(DatabaseUnavailable, match="file is not a database"):
        await Database.open(url)


async def test_default_url_is_a_file_under_var(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    async with await Database.open() as db:
        assert db.url.render_as_string() == DEFAULT_URL
        assert await db.is_reachable()
    assert (tmp_path / "var" / "exitbot.sqlite3").is_file()


async def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
    async with await Database.open(url) as db, db.engine.connect() as connection:
        mode = await connection.scalar(text("PRAGMA journal_mode"))
        keys = await connection.scalar(text("PRAGMA foreign_keys"))
        busy = await connection.scalar(text("PRAGMA busy_timeout"))
    assert (mode, keys) == ("wal", 1)
    assert busy >= 1000


async def test_ping_and_is_reachable(db: Database) -> None:
    await db.ping()
    assert await db.is_reachable()


async def test_is_reachable_is_false_when_the_server_is_gone() -> None:
    db = Database(f"postgresql+asyncpg://u:p@127.0.0.1:{_closed_port()}/x")
    try:
        assert await db.is_reachable() is False
    finally:
        await db.close()


async def test_everything_survives_closing_and_reopening(database_url: str) -> None:
    ref = conversation_ref(updated_at=T0)
    entry = AuditEntry(at=T0, actor="hr@contoso.dk", action="registered", departure_id="d1")
    async with await Database.open(database_url) as db:
        stored = await SqlDepartureRepository(db).add(departure(last_working_day=date(2026, 6, 1)))
        await SqlConversationRefStore(db).save(ref)
        await SqlAuditLog(db).record(entry)
        assert await SeenActivities(db).first_time("1:seen")
        etag = await DocumentStore(db).write("conv/1", {"step": 3})

    async with await Database.open(database_url) as db:
        assert await SqlDepartureRepository(db).get(stored.id) == stored
        assert await SqlConversationRefStore(db).get(ref.user_key) == ref
        assert await SqlAuditLog(db).for_departure("d1") == [entry]
        assert await SeenActivities(db).first_time("1:seen") is False
        assert await DocumentStore(db).read(["conv/1"]) == {"conv/1": (etag, {"step": 3})}
