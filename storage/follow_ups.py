"""Follow-ups in the database (journey.follow_ups.FollowUpStore), with a revision check."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from journey.follow_up_rules import FollowUp
from journey.ports import ConcurrentUpdate
from storage.database import Database
from storage.tables import follow_ups


def _of(row: Any) -> FollowUp:
    return FollowUp.model_validate(dict(row._mapping))


class SqlFollowUpStore:
    """journey.follow_ups.FollowUpStore on SQLAlchemy Core (SQLite or PostgreSQL)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def of_departure(self, departure_id: str) -> list[FollowUp]:
        """The departure's follow-ups, oldest first."""
        statement = (
            select(follow_ups)
            .where(follow_ups.c.departure_id == departure_id)
            .order_by(follow_ups.c.created_at, follow_ups.c.id)
        )
        async with self._db.reading() as connection:
            rows = (await connection.execute(statement)).all()
        return [_of(row) for row in rows]

    async def get(self, follow_up_id: str) -> FollowUp | None:
        """One follow-up; None if there is none by that id."""
        statement = select(follow_ups).where(follow_ups.c.id == follow_up_id)
        async with self._db.reading() as connection:
            row = (await connection.execute(statement)).first()
        return _of(row) if row is not None else None

    async def add(self, follow_up: FollowUp) -> None:
        """Store a new follow-up."""
        async with self._db.transaction() as connection:
            await connection.execute(insert(follow_ups).values(follow_up.model_dump()))

    async def save(self, follow_up: FollowUp, *, expected_revision: int) -> FollowUp:
        """Store the change if the stored one is still at `expected_revision`."""
        values = follow_up.model_dump(exclude={"id", "created_at", "created_by"})
        statement = (
            update(follow_ups)
            .where(follow_ups.c.id == follow_up.id, follow_ups.c.revision == expected_revision)
            .values(values)
        )
        async with self._db.transaction() as connection:
            result = await connection.execute(statement)
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"follow-up {follow_up.id} changed")
        return follow_up


def _month(moment: datetime | None) -> datetime | None:
    """The start of `moment`'s month in UTC."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


async def blank_for_statistics(session: AsyncSession, old: str, new: str) -> int:
    """The follow-ups of the departure `old`, blanked under its anonymous row `new`, for the
    per-area figures (storage.anonymise says what is kept); how many."""
    rows = (await session.execute(select(follow_ups).where(follow_ups.c.departure_id == old))).all()
    for row in rows:
        await session.execute(
            update(follow_ups)
            .where(follow_ups.c.id == row.id)
            .values(
                id=f"anon-{uuid.uuid4().hex}",
                departure_id=new,
                what="",
                outcome=None,
                owner_upn="",
                created_by="",
                done_by=None,
                due_on=row.due_on.replace(day=1),
                done_at=_month(row.done_at),
                created_at=_month(row.created_at),
                updated_at=_month(row.updated_at),
            )
        )
    return len(rows)
