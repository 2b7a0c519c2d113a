"""Idle pollers on SQLite: looking for work while none is due never takes the write lock.

SQLite has one write lock for the whole database. The delivery worker looks for due actions
every second and the service looks for recorded journey events every two; if each look took
the lock, a person's click could wait behind them. A look that finds nothing is a plain read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest

from journey.clock import FixedClock
from storage.database import Database
from storage.departure_events import StoredDepartureEvents
from storage.due_actions import DueActionQueue
from tests.delivery.helpers import T0, reminder


@contextmanager
def write_lock_held_elsewhere(db: Database) -> Iterator[None]:
    """Another connection holds SQLite's write lock (as a long write transaction would)."""
    other = sqlite3.connect(str(db.url.database), isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.fixture
def sqlite_db(db: Database) -> Database:
    if db.dialect != "sqlite":
        pytest.skip("SQLite's single write lock")
    return db


async def test_a_worker_finding_nothing_due_does_not_wait_for_the_write_lock(
    sqlite_db: Database,
) -> None:
    clock = FixedClock(T0)
    queue = DueActionQueue(sqlite_db, clock)
    await queue.schedule(reminder(1, due_at=T0 + timedelta(hours=1)))  # not due yet

    with write_lock_held_elsewhere(sqlite_db):
        # Before: BEGIN IMMEDIATE waited out the busy timeout and failed, "database is locked".
        assert await queue.claim("worker-a", 10, 60, per_recipient=3) == []

    clock.advance(hours=1)
    [claimed] = await queue.claim("worker-a", 10, 60, per_recipient=3)
    assert claimed.key == reminder(1).key


async def test_the_journey_events_poll_with_nothing_recorded_does_not_wait_for_the_lock(
    sqlite_db: Database,
) -> None:
    events = StoredDepartureEvents(sqlite_db, FixedClock(T0))

    with write_lock_held_elsewhere(sqlite_db):
        assert await events.claim(20, 120) == []
