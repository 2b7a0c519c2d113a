"""The audit trail: who did what to which departure, and when."""

from __future__ import annotations

from sqlalchemy import insert, select

from journey.ports import AuditEntry
from storage.database import Database
from storage.tables import audit_log


class SqlAuditLog:
    """journey.ports.AuditLog on SQLAlchemy (SQLite or PostgreSQL)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(self, entry: AuditEntry) -> None:
        """Append one entry."""
        async with self._db.sessions.begin() as session:
            await session.execute(insert(audit_log).values(entry.model_dump(mode="python")))

    async def for_departure(self, departure_id: str) -> list[AuditEntry]:
        """Every entry about `departure_id`, oldest first (ties in the order recorded)."""
        statement = (
            select(
                audit_log.c.at,
                audit_log.c.actor,
                audit_log.c.action,
                audit_log.c.departure_id,
                audit_log.c.detail,
            )
            .where(audit_log.c.departure_id == departure_id)
            .order_by(audit_log.c.at, audit_log.c.id)
        )
        async with self._db.sessions() as session:
            rows = (await session.execute(statement)).all()
        return [AuditEntry.model_validate(dict(row._mapping)) for row in rows]
