"""Claiming rows with a lease: each row handed to one worker at a time, on either database.

The due-action queue and the departure events both hand rows out this way: pick the ready rows,
then stamp them with the caller's lease in the same transaction. On PostgreSQL the pick locks
its rows and skips rows another instance is claiming right now (FOR UPDATE SKIP LOCKED); on
SQLite write_transaction's BEGIN IMMEDIATE makes this the only writer, so nobody else can pick
the same rows between the two statements.

SQLite has one write lock for the whole database, and the pollers (the delivery worker, the
journey events) ask every second or two: a poll first looks with a plain read, and takes the
lock only when there is something to claim, so an idle poller never holds back a turn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, Table, select, update

from storage.database import Database
from storage.transactions import write_transaction


async def claim_rows(
    db: Database,
    table: Table,
    ready: ColumnElement[bool],
    *,
    order_by: Sequence[ColumnElement[Any]],
    limit: int,
    lease: Mapping[str, Any],
) -> Sequence[Row[Any]]:
    """Up to `limit` rows of `table` matching `ready`, first in `order_by`, set to `lease`.

    Returns the claimed rows with every column, as they are after the update (in no order).
    """
    if db.dialect == "sqlite" and not await any_ready(db, table, ready):
        return []
    async with write_transaction(db) as session:
        ids = (
            await session.scalars(
                select(table.c.id)
                .where(ready)
                .order_by(*order_by)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if not ids:
            return []
        return (
            await session.execute(
                update(table).where(table.c.id.in_(ids)).values(lease).returning(*table.c)
            )
        ).all()


async def any_ready(db: Database, table: Table, ready: ColumnElement[bool]) -> bool:
    """Whether a row of `table` matches `ready`: a plain read, no transaction, no lock held."""
    async with db.engine.connect() as connection:
        found = await connection.execute(select(table.c.id).where(ready).limit(1))
        return found.first() is not None
