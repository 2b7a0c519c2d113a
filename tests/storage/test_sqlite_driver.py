"""SQLite's one-trip driver (storage/sqlite_driver.py) behaves as the DBAPI SQLAlchemy expects:
rows, counts, new ids, many rows at once, errors, commits and rollbacks."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.database import Database
from storage.sqlite_driver import OneTripConnection


@pytest.fixture
async def scratch(tmp_path: Path) -> Database:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'scratch.sqlite3'}")
    async with db.engine.begin() as connection:
        await connection.execute(
            text("CREATE TABLE names (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL)")
        )
    yield db
    await db.close()


async def test_the_engine_uses_the_one_trip_connection(scratch: Database) -> None:
    async with scratch.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        assert isinstance(raw.dbapi_connection, OneTripConnection)


async def test_rows_counts_and_new_ids_come_back(scratch: Database) -> None:
    async with scratch.engine.begin() as connection:
        added = await connection.execute(text("INSERT INTO names (name) VALUES ('Åse')"))
        assert added.lastrowid == 1
        many = await connection.execute(
            text("INSERT INTO names (name) VALUES (:name)"), [{"name": "Bo"}, {"name": "Ceci"}]
        )
        assert many.rowcount == 2
        changed = await connection.execute(text("UPDATE names SET name = name || '!'"))
        assert changed.rowcount == 3
    async with scratch.engine.connect() as connection:
        result = await connection.execute(text("SELECT id, name FROM names ORDER BY id"))
        assert list(result.keys()) == ["id", "name"]
        assert result.all() == [(1, "Åse!"), (2, "Bo!"), (3, "Ceci!")]
        assert (await connection.execute(text("SELECT name FROM names WHERE id = 9"))).all() == []


async def test_a_rollback_keeps_nothing_and_a_commit_keeps_all(scratch: Database) -> None:
    async with scratch.engine.connect() as connection:
        await connection.execute(text("INSERT INTO names (name) VALUES ('kept')"))
        await connection.commit()
        await connection.execute(text("INSERT INTO names (name) VALUES ('dropped')"))
        await connection.rollback()
        await connection.commit()  # nothing open: nothing happens
    async with scratch.engine.connect() as connection:
        names = (await connection.execute(text("SELECT name FROM names"))).scalars().all()
    assert names == ["kept"]


async def test_errors_are_sqlalchemys_and_leave_the_connection_usable(scratch: Database) -> None:
    async with scratch.engine.connect() as connection:
        await connection.execute(text("INSERT INTO names (name) VALUES ('twice')"))
        with pytest.raises(IntegrityError):
            await connection.execute(text("INSERT INTO names (name) VALUES ('twice')"))
        await connection.rollback()
        assert (await connection.execute(text("SELECT count(*) FROM names"))).scalar() == 0


async def test_streaming_still_reads_every_row(scratch: Database) -> None:
    async with scratch.engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO names (name) VALUES (:name)"),
            [{"name": f"n{number}"} for number in range(250)],
        )
    async with scratch.engine.connect() as connection:
        streamed = await connection.stream(text("SELECT name FROM names"))
        names = [row.name async for row in streamed]
    assert len(names) == 250


async def test_a_write_whose_wait_was_cancelled_leaves_no_lock_behind(scratch: Database) -> None:
    slow_insert = text(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) "
        "INSERT INTO names (name) SELECT 'row ' || max(i) FROM n"
    )
    async with scratch.engine.connect() as connection:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.01):
                await connection.execute(slow_insert)
        # The insert still runs in SQLite's thread: what ends it goes there after it.
        await connection.rollback()
    async with scratch.engine.begin() as other:
        await other.execute(text("INSERT INTO names (name) VALUES ('after')"))
    async with scratch.engine.connect() as connection:
        names = (await connection.execute(text("SELECT name FROM names"))).scalars().all()
    assert "after" in names
