"""A departure's plan of due actions, applied as a diff: what is wanted against what is stored.

Re-planning after every change of a departure mostly finds the plan as it was. One SELECT reads
the departure's actions; `compare` (pure) sorts the wanted ones into new or changed (written
by one multi-row upsert), already pending as wanted (left alone) and held elsewhere (claimed,
being sent, sent, failed or skipped: never touched, so nothing is reset or sent twice); unsent
actions no longer wanted are cancelled by one UPDATE. An unchanged plan writes nothing.

Within a turn's unit of work (storage/unit_of_work.py) a click's messages and its re-plan are
gathered (TurnPlan) and written at the turn's end, with its audit rows: one SELECT of the stored
plans when a re-plan was asked for, one UPDATE (and its log lines) per departure only when
something is withdrawn, one multi-row upsert for everything new or changed. A click reads the
departure's stored plan with the departure itself (storage.stored_plans, storage/departures.py)
and the unit keeps it; TurnPlan compares with that and reads only the plans it lacks.

A plan read earlier in the turn may be older than the write. The writes stay as safe as ever:
the upsert changes only rows still unsent, the withdrawal only rows still pending or claimed,
each checked by the statement itself. What an early read could miss is the delivery worker
putting a row it held (claimed, being sent) back to pending, for a retry or on release: so
against an early read a held row is written if it differs from what is wanted (the upsert
leaves it alone while it is still held), and one being sent that is no longer wanted is
withdrawn (the UPDATE leaves it alone while it is still being sent). The worker changes no
other state back and no row's values. A write of the turn's own outside TurnPlan
(DueActionQueue) forgets what was read, and so does a save of the departure that finds another
version stored (another turn changed it, and maybe its plan).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Row, bindparam, case, insert, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from journey.clock import Clock
from journey.due import DueState, Outcome, ScheduledAction
from storage.database import Database
from storage.delivery_log import LOGGED
from storage.dialect import insert_for
from storage.stored_plans import Executor, StoredAction, recall, stored_plans
from storage.tables import delivery_log, due_actions

_C = due_actions.c
# States in which a row may still be changed by the domain (moved, cancelled, revived).
UNSENT = (DueState.PENDING.value, DueState.CANCELLED.value)
# Rows of these states are withdrawn when no longer wanted (a claimed one is not out yet).
WITHDRAWABLE = (DueState.PENDING.value, DueState.CLAIMED.value)
# States the delivery worker may put back to pending (a retry, a release) at any moment.
HELD = (DueState.CLAIMED.value, DueState.SENDING.value)
# Actions written by one statement at most (SQLite allows 32,766 parameters; 14 per row).
ROWS_AT_ONCE = 500


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
    stored: Iterable[Row[Any] | StoredAction],
    kinds: Collection[str] | None,
    now: datetime,
    *,
    early: bool = False,
) -> PlanDiff:
    """Sort `wanted` against the `stored` rows (the _STORED columns) of the same departure;
    `early`: they were read earlier in the turn, so a row the worker holds may be pending again
    by the write (see the module's docstring).

    A stored action due by `now` that is wanted by `now` stays as it is: a late one is planned
    for the next working moment (journey.reminders), which moves on with the clock, and moving
    a row the worker may take at any moment changes nothing but costs a write.
    """
    by_key = {row.idempotency_key: row for row in stored}
    writable = (*UNSENT, *HELD) if early else UNSENT
    write: list[ScheduledAction] = []
    unchanged = 0
    for action in {action.key: action for action in wanted}.values():  # the last one wins
        row = by_key.get(action.key)
        if row is None or (row.state == DueState.CANCELLED.value):
            write.append(action)
        elif row.state in writable:
            if not _same(action, row, now):
                write.append(action)
            elif row.state == DueState.PENDING.value:
                unchanged += 1
    keys = {action.key for action in wanted}
    withdrawable = (*WITHDRAWABLE, DueState.SENDING.value) if early else WITHDRAWABLE
    withdraw = any(
        row.state in withdrawable and (kinds is None or row.kind in kinds) and key not in keys
        for key, row in by_key.items()
    )
    return PlanDiff(write, unchanged, withdraw)


def _same(action: ScheduledAction, row: Row[Any] | StoredAction, now: datetime) -> bool:
    due_alike = action.due_at == row.due_at or (action.due_at <= now and row.due_at <= now)
    return (
        due_alike
        and action.kind == row.kind
        and action.recipient_key == row.recipient_key
        and action.expires_at == row.expires_at
        and action.resend_if_unknown == row.resend_if_unknown
        and action.payload == row.payload
    )


async def store(
    db: Database,
    session: Executor,
    actions: Sequence[ScheduledAction],
    now: datetime,
    *,
    counted: bool = True,
) -> int:
    """Store `actions` (a key given twice: the last one) by one upsert per ROWS_AT_ONCE; how
    many are now pending with these values (unless not `counted`: then 0)."""
    distinct = list({action.key: action for action in actions}.values())
    pending = 0
    for start in range(0, len(distinct), ROWS_AT_ONCE):
        chunk = distinct[start : start + ROWS_AT_ONCE]
        if not counted and len(chunk) > 1:
            # The one-row upsert for each row, in one execution: compiled once, where a
            # multi-row VALUES is compiled on every call (an executemany's count of rows is not
            # reliable on every driver, so only where nobody counts).
            await session.execute(_upsert_one(db.dialect), [_bound(a, now) for a in chunk])
        elif len(chunk) == 1:  # a click's one message: a statement compiled once, not per call
            one = _upsert_one(db.dialect)
            pending += (await session.execute(one, _bound(chunk[0], now))).rowcount
        else:
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

    def __init__(
        self,
        db: Database,
        clock: Clock,
        remembered: MutableMapping[tuple[str, str], Any] | None = None,
    ) -> None:
        """`remembered`: the unit of work's, where the plans read with departures are kept."""
        self._db = db
        self._clock = clock
        self._remembered: MutableMapping[tuple[str, str], Any] = (
            {} if remembered is None else remembered
        )
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
        """The withdrawals and one upsert, after one SELECT of the stored plans of the
        departures re-planned whose plan the turn did not read with them (if any)."""
        messages, self._messages = list(self._messages.values()), {}
        plans, self._plans = self._plans, {}
        now = self._clock.now()
        early = self._read_early({key[0] for key in plans} | {a.departure_id for a in messages})
        stored: Mapping[str, Sequence[Row[Any] | StoredAction]] = early
        unread = {key[0] for key in plans} - early.keys()
        if unread:
            stored = {**early, **await stored_plans(connection, unread)}
        writes: list[ScheduledAction] = []
        for (departure_id, kinds), wanted in plans.items():
            diff = compare(
                wanted, stored.get(departure_id, ()), kinds, now, early=departure_id in early
            )
            if diff.withdraw:
                await withdraw(connection, departure_id, kinds, [a.key for a in wanted], now)
            writes += diff.write
        for action in messages:
            plan = stored.get(action.departure_id)
            if plan is not None:  # read anyway: an unchanged one is left alone
                in_early = action.departure_id in early
                writes += compare([action], plan, frozenset(), now, early=in_early).write
            else:
                writes.append(action)
        if writes:
            await store(self._db, connection, writes, now, counted=False)

    def _read_early(self, departure_ids: Collection[str]) -> dict[str, list[StoredAction]]:
        """The plans of these departures read with them earlier in the turn, forgotten now:
        what is written next makes them old."""
        found = {
            departure_id: recall(self._remembered, departure_id) for departure_id in departure_ids
        }
        return {departure_id: plan for departure_id, plan in found.items() if plan is not None}


def upsert(
    db: Database, actions: Sequence[ScheduledAction], now: datetime
) -> sqlite.Insert | postgresql.Insert:
    """One statement storing `actions` under their keys (distinct): new ones pending, a pending
    one takes the new values, a cancelled one is revived; any other is left alone."""
    statement = insert_for(db, due_actions).values([_values(action, now) for action in actions])
    return _on_conflict(statement, now)


def _on_conflict(
    statement: sqlite.Insert | postgresql.Insert, now: Any
) -> sqlite.Insert | postgresql.Insert:
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
        # Not `in_`: its expanding list cannot go with an executemany (store, not counted).
        where=or_(*(_C.state == state for state in UNSENT)),
    )


# The moment of the write in _upsert_one's conflict clause; the row's values are bound as
# `row_<column>`.
_NOW = "written_at"


@lru_cache(maxsize=2)
def _upsert_one(dialect: str) -> sqlite.Insert | postgresql.Insert:
    """upsert() of one row with its values bound by name (`_bound`): SQLAlchemy caches its
    compiled form, where a multi-row VALUES is compiled again on every call (about 1 ms)."""
    names = _values(_ONE, _ONE.due_at)
    row = {name: bindparam(f"row_{name}", type_=_C[name].type) for name in names}
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(due_actions)
    written_at = bindparam(_NOW, type_=_C.updated_at.type)
    return _on_conflict(statement.values(row).inline(), written_at)


def _bound(action: ScheduledAction, now: datetime) -> dict[str, Any]:
    """_upsert_one's parameters for `action`."""
    return {_NOW: now} | {f"row_{name}": value for name, value in _values(action, now).items()}


# Any action: _upsert_one reads the column names from _values.
_ONE = ScheduledAction(
    key="-", kind="-", recipient_key="-", due_at=datetime(2000, 1, 1).astimezone(), payload={}
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
