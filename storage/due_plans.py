"""A departure's plan of due actions, applied as a diff: what is wanted against what is stored.

Re-planning after every change of a departure mostly finds the plan as it was. One SELECT reads
the departure's actions; `compare` (pure) sorts the wanted ones into new or changed (written
by one multi-row upsert), already pending as wanted (left alone) and held elsewhere (claimed,
being sent, sent, failed or skipped: never touched, so nothing is reset or sent twice); unsent
actions no longer wanted are cancelled by one UPDATE. An unchanged plan writes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, case, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from journey.due import DueState, ScheduledAction
from storage.database import Database
from storage.dialect import insert_for
from storage.tables import due_actions

_C = due_actions.c
# States in which a row may still be changed by the domain (moved, cancelled, revived).
UNSENT = (DueState.PENDING.value, DueState.CANCELLED.value)
# Rows of these states are withdrawn when no longer wanted (a claimed one is not out yet).
WITHDRAWABLE = (DueState.PENDING.value, DueState.CLAIMED.value)
# Where plan statements run: a session of the queue's own, or a caller's connection.
Executor = AsyncSession | AsyncConnection
# What the comparison needs of a stored action.
_STORED = (
    _C.idempotency_key,
    _C.kind,
    _C.recipient_key,
    _C.due_at,
    _C.payload,
    _C.resend_if_unknown,
    _C.expires_at,
    _C.state,
)


@dataclass(frozen=True)
class PlanDiff:
    """What making `wanted` the plan takes."""

    write: list[ScheduledAction]  # new, changed while pending, or cancelled and wanted again
    unchanged: int  # pending already with the wanted values
    withdraw: bool  # some unsent action of the planned kinds is no longer wanted

    @property
    def writes_nothing(self) -> bool:
        return not self.write and not self.withdraw


def compare(
    wanted: Sequence[ScheduledAction],
    stored: Iterable[Row[Any]],
    kinds: Collection[str] | None,
    now: datetime,
) -> PlanDiff:
    """Sort `wanted` against the `stored` rows (the _STORED columns) of the same departure.

    A stored action due by `now` that is wanted by `now` stays as it is: a late one is planned
    for the next working moment (journey.reminders), which moves on with the clock, and moving
    a row the worker may take at any moment changes nothing but costs a write.
    """
    by_key = {row.idempotency_key: row for row in stored}
    write: list[ScheduledAction] = []
    unchanged = 0
    for action in {action.key: action for action in wanted}.values():  # the last one wins
        row = by_key.get(action.key)
        if row is None or (row.state == DueState.CANCELLED.value):
            write.append(action)
        elif row.state == DueState.PENDING.value:
            if _same(action, row, now):
                unchanged += 1
            else:
                write.append(action)
    keys = {action.key for action in wanted}
    withdraw = any(
        row.state in WITHDRAWABLE and (kinds is None or row.kind in kinds) and key not in keys
        for key, row in by_key.items()
    )
    return PlanDiff(write, unchanged, withdraw)


def _same(action: ScheduledAction, row: Row[Any], now: datetime) -> bool:
    due_alike = action.due_at == row.due_at or (action.due_at <= now and row.due_at <= now)
    return (
        due_alike
        and action.kind == row.kind
        and action.recipient_key == row.recipient_key
        and action.expires_at == row.expires_at
        and action.resend_if_unknown == row.resend_if_unknown
        and action.payload == row.payload
    )


async def stored_plan(session: Executor, departure_id: str) -> list[Row[Any]]:
    """Every action of the departure, as `compare` needs them (one SELECT)."""
    statement = select(*_STORED).where(_C.departure_id == departure_id)
    return list((await session.execute(statement)).all())


def upsert(
    db: Database, actions: Sequence[ScheduledAction], now: datetime
) -> sqlite.Insert | postgresql.Insert:
    """One statement storing `actions` under their keys (distinct): new ones pending, a pending
    one takes the new values, a cancelled one is revived; any other is left alone."""
    statement = insert_for(db, due_actions).values([_values(action, now) for action in actions])
    revived = _C.state == DueState.CANCELLED.value
    return statement.on_conflict_do_update(
        index_elements=[_C.idempotency_key],
        set_={
            "kind": statement.excluded.kind,
            "recipient_key": statement.excluded.recipient_key,
            "due_at": statement.excluded.due_at,
            "payload": statement.excluded.payload,
            "resend_if_unknown": statement.excluded.resend_if_unknown,
            "expires_at": statement.excluded.expires_at,
            "state": DueState.PENDING.value,
            # A pending row waiting for a retry keeps its count and its backoff.
            "attempts": case((revived, 0), else_=_C.attempts),
            "not_before": case((revived, None), else_=_C.not_before),
            "last_error": case((revived, None), else_=_C.last_error),
            "updated_at": now,
        },
        where=_C.state.in_(UNSENT),
    )


def _values(action: ScheduledAction, now: datetime) -> dict[str, Any]:
    return {
        "idempotency_key": action.key,
        "departure_id": action.departure_id,
        "kind": action.kind,
        "recipient_key": action.recipient_key,
        "due_at": action.due_at,
        "payload": action.payload,
        "resend_if_unknown": action.resend_if_unknown,
        "expires_at": action.expires_at,
        "state": DueState.PENDING.value,
        "attempts": 0,
        "not_before": None,
        "last_error": None,
        "created_at": now,
        "updated_at": now,
    }
