"""Migration 0014 (issue 13) on a database with audit rows, both ways: the rows are kept, those
written before it carry no activity id (their turns were marked in seen_activities), and a
down-grade drops the column and keeps the rows."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from sqlalchemy import Connection

from storage.database import Database
from storage.migrate import alembic_config, current_revision, upgrade

AT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
_AUDIT = sa.table(
    "audit_log",
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("departure_id", sa.String),
    sa.column("detail", sa.JSON),
)


def _down_to_0013(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, "0013")


async def _rows(url: str, *columns: str) -> list[tuple[object, ...]]:
    async with await Database.open(url) as db, db.sessions() as session:
        found = await session.execute(sa.text(f"SELECT {', '.join(columns)} FROM audit_log"))
        return [tuple(row) for row in found.all()]


async def test_audit_rows_survive_the_way_up_and_down(blank_database_url: str) -> None:
    url = blank_database_url
    await upgrade(url, "0013")
    row = {"at": AT, "actor": "hr@contoso.example", "action": "offer.accepted", "detail": {}}
    async with await Database.open(url) as db, db.sessions.begin() as session:
        await session.execute(sa.insert(_AUDIT), [{**row, "departure_id": "dep-1"}])

    await upgrade(url, "0014")
    assert await current_revision(url) == "0014"
    assert await _rows(url, "action", "departure_id", "activity_id") == [
        ("offer.accepted", "dep-1", None)
    ]

    async with await Database.open(url) as db, db.engine.begin() as connection:
        await connection.run_sync(_down_to_0013)
    assert await current_revision(url) == "0013"
    assert await _rows(url, "action", "departure_id") == [("offer.accepted", "dep-1")]
