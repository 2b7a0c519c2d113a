"""What counts as the database being busy or away (storage.outage), on real SQLite errors: also
when the error arrives unwrapped, wrapped or grouped, so a turn answers 503 and not 500."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import PendingRollbackError

import storage.database
from storage.database import Database
from storage.outage import database_unavailable


@pytest.fixture
def locked_file(tmp_path: Path) -> Iterator[Path]:
    """An SQLite file whose write lock another connection holds."""
    path = tmp_path / "busy.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (a INTEGER)")
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield path
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def _busy(path: Path) -> sqlite3.Error:
    writer = sqlite3.connect(path, isolation_level=None, timeout=0.05)
    try:
        writer.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as error:
        return error
    finally:
        writer.close()
    raise AssertionError("the write lock was free")


def _mistake(path: Path) -> sqlite3.Error:
    reader = sqlite3.connect(path)
    try:
        reader.execute("SELECT * FROM no_such_table")
    except sqlite3.Error as error:
        return error
    finally:
        reader.close()
    raise AssertionError("the table exists")


def _raised_from(error: BaseException, wrapper: Exception) -> Exception:
    try:
        raise wrapper from error
    except Exception as wrapped:
        return wrapped


async def test_sqlite_busy_through_sqlalchemy_is_unavailable(
    locked_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.database, "SQLITE_BUSY_TIMEOUT_MS", 50)
    db = Database(f"sqlite+aiosqlite:///{locked_file}")
    try:
        with pytest.raises(Exception) as busy:
            async with db.engine.begin() as connection:
                await connection.execute(text("INSERT INTO t VALUES (1)"))
    finally:
        await db.close()
    assert "locked" in str(busy.value)
    assert database_unavailable(busy.value)


def test_sqlite_busy_unwrapped_wrapped_or_grouped_is_unavailable(locked_file: Path) -> None:
    busy, mistake = _busy(locked_file), _mistake(locked_file)
    assert busy.sqlite_errorname == "SQLITE_BUSY"
    assert database_unavailable(busy)  # as aiosqlite raises it outside SQLAlchemy
    assert database_unavailable(_raised_from(busy, RuntimeError("the save failed")))
    session_gave_up = _raised_from(busy, PendingRollbackError("rolled back", None, None))
    assert database_unavailable(session_gave_up)
    assert database_unavailable(ExceptionGroup("turn", [busy, _busy(locked_file)]))

    # A mistake stays a mistake (a 500 with its traceback), also next to a busy error.
    assert not database_unavailable(mistake)
    assert not database_unavailable(ExceptionGroup("turn", [busy, mistake]))
    assert not database_unavailable(ExceptionGroup("turn", [busy, ValueError("bad")]))
    assert not database_unavailable(_raised_from(mistake, RuntimeError("the save failed")))
    try:  # a new fault while handling a busy error is that fault, not the busy one
        try:
            raise busy
        except sqlite3.Error:
            raise KeyError("bug in the handler") from None
    except KeyError as fault:
        assert not database_unavailable(fault)
