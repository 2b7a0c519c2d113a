"""A departure's plan of due actions, applied as a diff: what is wanted against what is stored.

Re-planning after every change of a departure mostly finds the plan as it was. One SELECT reads
the departure's actions; `compare` (pure) sorts the wanted ones into new or changed (written
by one multi-row upsert), already pending as wanted (left alone) and held elsewhere (claimed,
being sent, sent, failed or skipped: never touched, so nothing is reset or sent twice); unsent
actions no longer wanted are cancelled by one UPDATE. An unchanged plan writes nothing.

Within a turn's unit of work (storage/unit_of_work.py) a click's messages and its re-plan are
gathered (TurnPlan) and written at the turn's end, with its audit rows: one SELECT of the stored
plans when a re-plan was asked for, one UPDATE (and its log lines) per departure only when
something is withdrawn, one multi-row upsert for everything new or changed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, case, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from journey.clock import Clock
from journey.due import DueState, Outcome, ScheduledAction
from storage.database import Database
from storage.delivery_log import LOGGED
from storage.dialect import insert_for
from storage.tables import delivery_log, due_actions

_C = due_actions.c
# States in which a row may still be changed by the domain (moved, cancelled, revived).
UNSENT = (DueState.PENDING.value, DueState.CANCELLED.value)
# Rows of these states are withdrawn when no longer wanted (a claimed one is not out yet).
WITHDRAWABLE = (DueState.PENDING.value, DueState.CLAIMED.value)
# Where plan statements run: a session of the queue's own, or a caller's connection.
Executor = AsyncSession | AsyncConnection
# Actions written by one statement at most (SQLite allows 32,766 parameters; 14 per row).
ROWS_AT_ONCE = 500
# What the comparison needs of a stored action.
_STORED = (
    _C.departure_id,
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
    return (await stored_plans(session, [departure_id])).get(departure_id, [])


async def stored_plans(
    session: Executor, departure_ids: Collection[str]
) -> dict[str, list[Row[Any]]]:
    """Every action of these departures, as `compare` needs them, by departure (one SELECT)."""
    statement = select(*_STORED).where(_C.departure_id.in_(list(departure_ids)))
    found: dict[str, list[Row[Any]]] = {}
    for row in (await session.execute(statement)).all():
        found.setdefault(row.departure_id, []).append(row)
    return found


async def store(
    db: Database, session: Executor, actions: Sequence[ScheduledAction], now: datetime
) -> int:
    """Store `actions` (a key given twice: the last one) by one upsert per ROWS_AT_ONCE; how
    many are now pending with these values."""
    distinct = list({action.key: action for action in actions}.values())
    pending = 0
    for start in range(0, len(distinct), ROWS_AT_ONCE):
        chunk = distinct[start : start + ROWS_AT_ONCE]
        pending += (await session.execute(upsert(db, chunk, now))).rowcount
    return pending


async def withdraw(
    session: Executor,
    departure_id: str,
    kinds: Iterable[str] | None,
    keep: Iterable[str],
    now: datetime,
) -> int:
    """Cancel the departure's unsent actions of `kinds` (None: all) but those under the keys
    `keep`, each with its line in the delivery log; how many."""
    # Claimed rows too: the worker's mark_sending then finds them cancelled and skips them.
    conditions = [_C.departure_id == departure_id, _C.state.in_(WITHDRAWABLE)]
    if kinds is not None:
        conditions.append(_C.kind.in_(list(kinds)))
    kept = list(keep)
    if kept:
        conditions.append(_C.idempotency_key.not_in(kept))
    cancelled = DueState.CANCELLED.value
    statement = (
        update(due_actions)
        .where(*conditions)
        .values(state=cancelled, lease_owner=None, lease_until=None, updated_at=now)
        .returning(*LOGGED)
    )
    rows = (await session.execute(statement)).all()
    if rows:  # one statement for all the lines (executemany)
        lines = [
            {
                "due_action_id": row.id,
                "departure_id": row.departure_id,
                "at": now,
                "outcome": Outcome.CANCELLED.value,
                "attempt": row.attempts,
            }
            for row in rows
        ]
        await session.execute(insert(delivery_log), lines)
    return len(rows)


class TurnPlan:
    """The due actions a turn plans (storage/unit_of_work.py Gathering): messages due now and
    departures' re-plans, written together at the turn's end.

    Messages and plans are kept apart by kind (a plan names the kinds it withdraws). A plan
    given again for the same departure and kinds replaces the earlier one: it was drawn from
    the departure as it is now.
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._messages: dict[str, ScheduledAction] = {}
        self._plans: dict[tuple[str, frozenset[str] | None], list[ScheduledAction]] = {}

    def __bool__(self) -> bool:
        return bool(self._messages or self._plans)

    def send(self, actions: Iterable[ScheduledAction]) -> None:
        """Actions to store as they are (DueActions.schedule_many); the last of a key wins."""
        for action in actions:
            self._messages.pop(action.key, None)
            self._messages[action.key] = action

    def replan(
        self, departure_id: str, actions: Sequence[ScheduledAction], kinds: frozenset[str] | None
    ) -> None:
        """Make `actions` the departure's plan of `kinds` (DueActions.reschedule)."""
        strangers = [a.key for a in actions if a.departure_id != departure_id]
        if strangers:
            raise ValueError(f"actions for another departure: {strangers}")
        self._plans[(departure_id, kinds)] = list(actions)

    async def write(self, connection: AsyncConnection) -> None:
        """One SELECT of the stored plans (if a plan was given), the withdrawals, one upsert."""
        messages, self._messages = list(self._messages.values()), {}
        plans, self._plans = self._plans, {}
        now = self._clock.now()
        stored = await stored_plans(connection, {key[0] for key in plans}) if plans else {}
        writes: list[ScheduledAction] = []
        for (departure_id, kinds), wanted in plans.items():
            diff = compare(wanted, stored.get(departure_id, ()), kinds, now)
            if diff.withdraw:
                await withdraw(connection, departure_id, kinds, [a.key for a in wanted], now)
            writes += diff.write
        for action in messages:
            if action.departure_id in stored:  # read anyway: an unchanged one is left alone
                writes += compare([action], stored[action.departure_id], frozenset(), now).write
            else:
                writes.append(action)
        if writes:
            await store(self._db, connection, writes, now)


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
