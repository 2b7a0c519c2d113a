"""Transactions that read and then write, safe against a second writer on either database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import Database


@asynccontextmanager
async def write_transaction(db: Database) -> AsyncIterator[AsyncSession]:
    """A session in a transaction that holds the write lock from its first statement on SQLite.

    SQLite's default (deferred) transaction reads under a snapshot and fails with "database is
    locked" when it later tries to write after another writer committed; BEGIN IMMEDIATE takes
    the one write lock first (waiting for busy_timeout), so read-then-write is serialized.
    On PostgreSQL the caller locks rows itself (SELECT ... FOR UPDATE).
    """
    async with db.sessions.begin() as session:
        if db.dialect == "sqlite":
            await session.execute(text("BEGIN IMMEDIATE"))
        yield session
