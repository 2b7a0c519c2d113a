"""What leavers chose to share (journey.sharing), in the table `shared_summaries`."""

from __future__ import annotations

from sqlalchemy import or_, select

from journey.sharing import SharedSummary
from storage.database import Database
from storage.revised import save_revised
from storage.tables import shared_summaries


class SqlSharingStore:
    """journey.sharing.SharingStore on SQLAlchemy Core (SQLite or PostgreSQL)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def shared(self, departure_id: str) -> SharedSummary | None:
        """The leaver's choice as stored; None before anyone saved one."""
        statement = select(shared_summaries).where(shared_summaries.c.departure_id == departure_id)
        async with self._db.sessions() as session:
            row = (await session.execute(statement)).first()
        return SharedSummary.model_validate(dict(row._mapping)) if row is not None else None

    async def save(self, shared: SharedSummary, *, expected_revision: int) -> SharedSummary:
        """Store `shared` if nobody saved since `expected_revision`; else ConcurrentUpdate."""
        values = shared.model_dump(mode="python")
        await save_revised(
            self._db, shared_summaries, values, expected_revision=expected_revision, what="sharing"
        )
        return shared

    async def unit_advice(self, unit: str, *, besides: str, limit: int) -> list[str]:
        """The advice other leavers of `unit` shared and did not withdraw, newest first;
        no names: only the text the leaver wrote for the next person in the job."""
        table = shared_summaries
        statement = (
            select(table.c.advice)
            .where(
                table.c.unit == unit,
                table.c.departure_id != besides,
                table.c.chosen_at.is_not(None),
                table.c.withdrawn_at.is_(None),
                or_(table.c.with_manager, table.c.with_hiring_manager),
                table.c.advice != "",
            )
            .order_by(table.c.chosen_at.desc(), table.c.departure_id)
            .limit(limit)
        )
        async with self._db.sessions() as session:
            rows = (await session.execute(statement)).all()
        return [row.advice for row in rows if row.advice.strip()]
