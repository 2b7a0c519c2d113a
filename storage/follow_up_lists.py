"""The follow-up lists read from the table `follow_ups` (issue 14; written by
storage.follow_ups): open ones per unit and due date, and a person's own.

The leaver's name is read only so journey.follow_up_lists can withhold a text that names
them; it never reaches a card. Nothing else about the departure is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select

from journey.follow_up_lists import OPEN, FollowUpRow, UnitTally
from storage.database import Database
from storage.tables import departures, follow_ups


def _in_units(units: frozenset[str] | None) -> ColumnElement[bool]:
    """Open follow-ups of `units` (None: every unit)."""
    condition = follow_ups.c.state == OPEN
    if units is not None:
        condition = condition & follow_ups.c.unit.in_(sorted(units))
    return condition


def _rows() -> Select[Any]:
    """Follow-ups with their leaver's name (None once the departure is anonymised or gone)."""
    return select(
        follow_ups.c.id,
        follow_ups.c.unit,
        follow_ups.c.area,
        follow_ups.c.what,
        follow_ups.c.owner_kind,
        follow_ups.c.due_on,
        departures.c.leaver_name,
    ).select_from(follow_ups.outerjoin(departures, departures.c.id == follow_ups.c.departure_id))


def _listed(rows: Sequence[Any]) -> list[FollowUpRow]:
    return [FollowUpRow(**row._mapping) for row in rows]


class SqlFollowUpLists:
    """journey.follow_up_lists.FollowUpSource on SQLite or PostgreSQL."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def tallies(self, units: frozenset[str] | None, today: date) -> list[UnitTally]:
        """Per unit with open follow-ups: how many are open, and how many overdue."""
        if units is not None and not units:
            return []
        overdue = func.coalesce(func.sum(case((follow_ups.c.due_on < today, 1), else_=0)), 0)
        statement = (
            select(
                follow_ups.c.unit,
                func.count().label("open"),
                overdue.label("overdue"),
            )
            .where(_in_units(units))
            .group_by(follow_ups.c.unit)
            .order_by(follow_ups.c.unit)
        )
        async with self._db.sessions() as session:
            rows = (await session.execute(statement)).all()
        return [UnitTally(**row._mapping) for row in rows]

    async def open_page(
        self, units: frozenset[str] | None, offset: int, limit: int
    ) -> list[FollowUpRow]:
        """Open follow-ups of `units`, unit by unit, soonest due first; one page of them."""
        if units is not None and not units:
            return []
        statement = (
            _rows()
            .where(_in_units(units))
            .order_by(follow_ups.c.unit, follow_ups.c.due_on, follow_ups.c.id)
            .offset(offset)
            .limit(limit)
        )
        async with self._db.sessions() as session:
            return _listed((await session.execute(statement)).all())

    async def own_open(self, upn: str, limit: int) -> tuple[list[FollowUpRow], int]:
        """The person's own open follow-ups, soonest due first (up to `limit`), and how many
        they own in all."""
        owner = upn.strip().lower()
        mine = (follow_ups.c.owner_upn == owner) & (follow_ups.c.state == OPEN)
        statement = _rows().where(mine).order_by(follow_ups.c.due_on, follow_ups.c.id).limit(limit)
        async with self._db.sessions() as session:
            rows = (await session.execute(statement)).all()
            total = len(rows)
            if total == limit:
                count = select(func.count()).select_from(follow_ups).where(mine)
                total = (await session.execute(count)).scalar_one()
        return _listed(rows), total
