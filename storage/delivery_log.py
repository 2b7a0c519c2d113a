"""The delivery log: one line per attempt at a due action, or decision about one, for HR.

Lines carry codes and HTTP statuses, never message text (see journey.due.ErrorCode).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from journey.due import DeliveryEvent, Outcome
from storage.database import Database
from storage.tables import delivery_log, due_actions

_C = due_actions.c
# What a log line needs from its action; state changes return these columns for the line.
LOGGED = (_C.id, _C.departure_id, _C.attempts)
# Built once: building a statement costs about as much as running it, and every send logs.
_LOG = insert(delivery_log)


async def action_for_log(session: AsyncSession, action_id: int) -> Row[Any] | None:
    """The LOGGED columns of the action, if it exists."""
    return (await session.execute(select(*LOGGED).where(_C.id == action_id))).one_or_none()


async def write_line(
    session: AsyncSession,
    action: Row[Any],
    outcome: Outcome,
    *,
    at: datetime,
    code: str | None = None,
    status: int | None = None,
    activity_id: str | None = None,
    retry_at: datetime | None = None,
    worker: str | None = None,
) -> None:
    """Add one line about `action` (a row of LOGGED columns) in `session`'s transaction."""
    await session.execute(
        _LOG,
        {
            "due_action_id": action.id,
            "departure_id": action.departure_id,
            "at": at,
            "outcome": outcome.value,
            "code": code,
            "status": status,
            "activity_id": activity_id,
            "attempt": action.attempts,
            "retry_at": retry_at,
            "worker": worker,
        },
    )


async def timeline(db: Database, departure_id: str) -> list[DeliveryEvent]:
    """Every delivery attempt and decision about the departure's actions, oldest first."""
    log = delivery_log.c
    statement = (
        select(
            log.at,
            log.due_action_id,
            log.departure_id,
            _C.kind,
            _C.recipient_key,
            log.outcome,
            log.code,
            log.status,
            log.activity_id,
            log.attempt,
            log.retry_at,
        )
        .join(due_actions, _C.id == log.due_action_id)
        .where(log.departure_id == departure_id)
        .order_by(log.at, log.id)
    )
    async with db.sessions() as session:
        rows = (await session.execute(statement)).all()
    return [DeliveryEvent.model_validate(dict(row._mapping)) for row in rows]
