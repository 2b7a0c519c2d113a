"""The audit trail: who did what to which departure, and when; one writer and one reader."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Insert, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from journey.ports import AuditEntry
from storage.database import Database
from storage.tables import audit_log, conversation_refs, departures
from storage.unit_of_work import append

AUDIT_READ = "audit.read"

# The columns of an entry as journey.ports.AuditEntry holds it.
ENTRY_COLUMNS = (
    audit_log.c.at,
    audit_log.c.actor,
    audit_log.c.action,
    audit_log.c.departure_id,
    audit_log.c.detail,
)


def entry_insert(entry: AuditEntry) -> Insert:
    """The statement that appends `entry`, for a caller with its own transaction."""
    return insert(audit_log).values(entry.model_dump(mode="python"))


class SqlAuditLog:
    """journey.ports.AuditLog on SQLAlchemy (SQLite or PostgreSQL)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(self, entry: AuditEntry) -> None:
        """Append one entry: now, or with the rest of a turn's writes when the turn ends
        (storage/unit_of_work.py; nobody reads the log during the turn that writes it)."""
        await append(self._db, audit_log, entry.model_dump(mode="python"))

    async def for_departure(self, departure_id: str) -> list[AuditEntry]:
        """Every entry about `departure_id`, oldest first (ties in the order recorded)."""
        statement = (
            select(*ENTRY_COLUMNS)
            .where(audit_log.c.departure_id == departure_id)
            .order_by(audit_log.c.at, audit_log.c.id)
        )
        async with self._db.reading() as connection:
            rows = (await connection.execute(statement)).all()
        return [AuditEntry.model_validate(dict(row._mapping)) for row in rows]


async def audit_trail(db: Database, departure_id: str) -> list[AuditEntry]:
    """Every audit entry about `departure_id`, oldest first (for the audit command)."""
    return await SqlAuditLog(db).for_departure(departure_id)


async def record(db: Database, *, at: datetime, actor: str, action: str, **fields: Any) -> None:
    """One audit entry written by the command-line tools."""
    await SqlAuditLog(db).record(AuditEntry(at=at, actor=actor, action=action, **fields))


async def departure_known(db: Database, departure_id: str) -> bool:
    """Whether the departure is stored or the audit log mentions it."""
    async with db.sessions() as session:
        stored = await session.scalar(select(func.count()).where(departures.c.id == departure_id))
        mentioned = await session.scalar(
            select(func.count()).where(audit_log.c.departure_id == departure_id)
        )
    return bool(stored or mentioned)


# --- A person as an actor in the log ------------------------------------------------------


def person_key(upn: str) -> str:
    """A UPN as the tables store it."""
    return upn.strip().lower()


async def ref_user_ids(session: AsyncSession, person: str) -> list[str]:
    """The Teams user ids of `person`'s conversation references."""
    rows = await session.scalars(
        select(conversation_refs.c.user_id).where(func.lower(conversation_refs.c.upn) == person)
    )
    return list(rows)


def actor_names(person: str, user_ids: Iterable[str]) -> list[str]:
    """Every name `person` is recorded under as an actor: the UPN and `teams:` user ids."""
    return [person, *(f"teams:{user_id}" for user_id in user_ids)]


def by_actor(names: list[str]) -> ColumnElement[bool]:
    """Entries whose actor is one of `names`, in any letter case."""
    return func.lower(audit_log.c.actor).in_([name.lower() for name in names])
