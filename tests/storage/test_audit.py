"""The audit log: entries come back per departure, in time order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import StatementError

from journey.ports import AuditEntry
from storage.audit import SqlAuditLog
from storage.database import Database
from tests.storage.samples import COPENHAGEN_NOON, T0


async def test_entries_come_back_in_time_order(db: Database) -> None:
    log = SqlAuditLog(db)
    later = AuditEntry(
        at=T0 + timedelta(hours=2),
        actor="hr@contoso.dk",
        action="booked",
        departure_id="d1",
        detail={"slot": "2026-03-05T09:00+01:00"},
    )
    earlier = AuditEntry(at=T0, actor="system", action="offered", departure_id="d1")
    same_time = AuditEntry(at=T0, actor="ida@contoso.dk", action="accepted", departure_id="d1")
    elsewhere = AuditEntry(at=T0, actor="system", action="offered", departure_id="d2")
    for entry in (later, earlier, same_time, elsewhere):
        await log.record(entry)

    entries = await log.for_departure("d1")

    # Equal times keep the order they were recorded in.
    assert entries == [earlier, same_time, later]
    assert entries[2].detail == {"slot": "2026-03-05T09:00+01:00"}
    assert await log.for_departure("unknown") == []


async def test_times_come_back_as_utc(db: Database) -> None:
    log = SqlAuditLog(db)
    await log.record(AuditEntry(at=COPENHAGEN_NOON, actor="a", action="x", departure_id="d"))
    (entry,) = await log.for_departure("d")
    assert entry.at == COPENHAGEN_NOON
    assert entry.at.tzinfo is UTC
    assert entry.at.hour == 10  # 12:00 summer time in Copenhagen


async def test_naive_times_are_refused(db: Database) -> None:
    # A naive time has no zone; storing it would silently shift it by the server's offset.
    naive = AuditEntry(at=datetime(2026, 3, 2, 8, 30), actor="a", action="x", departure_id="d")
    with pytest.raises(StatementError, match="naive datetime"):
        await SqlAuditLog(db).record(naive)
