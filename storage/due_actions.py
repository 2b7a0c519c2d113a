"""The due-action queue: idempotent scheduling, leased claims and the delivery log.

A row moves pending -> claimed -> sending -> sent | failed (or back to pending for a retry).
`claimed` means a worker holds it and nothing has gone out: if its lease runs out, it is safe
to hand to another worker. `sending` is written before the HTTP request: if it is found with
its lease run out, the request may or may not have reached Teams, and the worker reconciles
it instead of blindly sending again (see bot/delivery.py).

Every state change checks the lease owner in the same statement (compare and set), so a worker
whose lease was taken over, or whose row was cancelled meanwhile, changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, and_, bindparam, case, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from journey.clock import Clock, SystemClock
from journey.due import (
    DeliveryEvent,
    DueAction,
    DueState,
    ErrorCode,
    Outcome,
    ScheduleChange,
    ScheduledAction,
)
from storage.database import Database
from storage.dialect import insert_for
from storage.tables import delivery_log, due_actions
from storage.transactions import write_transaction

_C = due_actions.c
# States in which a row may still be changed by the domain (moved, cancelled, revived).
_UNSENT = (DueState.PENDING.value, DueState.CANCELLED.value)
_HELD = (DueState.CLAIMED.value, DueState.SENDING.value)


# The statements every send runs, built once (building one costs about as much as running it).
_MARK_SENDING = (
    update(due_actions)
    .where(
        _C.id == bindparam("action_id"),
        _C.lease_owner == bindparam("owner"),
        _C.state.in_(_HELD),
    )
    .values(
        state=DueState.SENDING.value,
        attempts=_C.attempts + 1,
        lease_until=bindparam("lease_until"),
        updated_at=bindparam("now"),
    )
    .returning(_C.attempts)
)
_MARK_SENT = (
    update(due_actions)
    .where(
        _C.id == bindparam("action_id"),
        or_(
            and_(_C.state == DueState.SENDING.value, _C.lease_owner == bindparam("owner")),
            # An action given up as unknown meanwhile: the truth arrived late.
            and_(
                _C.state == DueState.FAILED.value,
                _C.last_error == ErrorCode.UNKNOWN_OUTCOME.value,
            ),
        ),
    )
    .values(
        state=DueState.SENT.value,
        sent_activity_id=bindparam("activity_id"),
        lease_owner=None,
        lease_until=None,
        not_before=None,
        last_error=None,
        updated_at=bindparam("now"),
    )
    .returning(_C.id, _C.departure_id, _C.attempts)
)
_LOG = insert(delivery_log)


def _action(row: Row[Any]) -> DueAction:
    values = dict(row._mapping)
    values["key"] = values.pop("idempotency_key")
    return DueAction.model_validate(values)


class DueActionQueue:
    """Due actions on SQLAlchemy (SQLite or PostgreSQL); times from `clock`, stored in UTC."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()

    # --- the domain's side -------------------------------------------------------------

    async def schedule(self, action: ScheduledAction) -> bool:
        """Store `action` under its key; True if it is now pending with these values.

        A key seen before: a pending action takes the new time and payload; a cancelled one is
        revived; one already claimed, being sent, sent or failed is left alone (False).
        """
        async with self._db.sessions.begin() as session:
            return await self._upsert(session, action, self._clock.now())

    async def schedule_many(self, actions: Sequence[ScheduledAction]) -> int:
        """schedule() for each action, in one transaction; how many are now pending."""
        now = self._clock.now()
        async with self._db.sessions.begin() as session:
            return sum([await self._upsert(session, action, now) for action in actions])

    async def _upsert(self, session: AsyncSession, action: ScheduledAction, now: datetime) -> bool:
        statement = insert_for(self._db, due_actions).values(
            idempotency_key=action.key,
            departure_id=action.departure_id,
            kind=action.kind,
            recipient_key=action.recipient_key,
            due_at=action.due_at,
            payload=action.payload,
            resend_if_unknown=action.resend_if_unknown,
            state=DueState.PENDING.value,
            attempts=0,
            created_at=now,
            updated_at=now,
        )
        revived = _C.state == DueState.CANCELLED.value
        statement = statement.on_conflict_do_update(
            index_elements=[_C.idempotency_key],
            set_={
                "due_at": statement.excluded.due_at,
                "payload": statement.excluded.payload,
                "resend_if_unknown": statement.excluded.resend_if_unknown,
                "state": DueState.PENDING.value,
                # A pending row waiting for a retry keeps its count and its backoff.
                "attempts": case((revived, 0), else_=_C.attempts),
                "not_before": case((revived, None), else_=_C.not_before),
                "last_error": case((revived, None), else_=_C.last_error),
                "updated_at": now,
            },
            where=_C.state.in_(_UNSENT),
        )
        result = await session.execute(statement)
        return result.rowcount == 1

    async def cancel(self, departure_id: str, kinds: Iterable[str] | None = None) -> int:
        """Cancel the departure's actions not yet sent (of `kinds`, default all); how many."""
        async with write_transaction(self._db) as session:
            return await self._cancel(session, departure_id, kinds, keep=())

    async def _cancel(
        self,
        session: AsyncSession,
        departure_id: str,
        kinds: Iterable[str] | None,
        keep: Iterable[str],
    ) -> int:
        now = self._clock.now()
        # Claimed rows too: the worker's mark_sending then finds them cancelled and skips them.
        conditions = [
            _C.departure_id == departure_id,
            _C.state.in_((DueState.PENDING.value, DueState.CLAIMED.value)),
        ]
        if kinds is not None:
            conditions.append(_C.kind.in_(list(kinds)))
        kept = list(keep)
        if kept:
            conditions.append(_C.idempotency_key.not_in(kept))
        rows = (
            await session.execute(
                update(due_actions)
                .where(*conditions)
                .values(
                    state=DueState.CANCELLED.value,
                    lease_owner=None,
                    lease_until=None,
                    updated_at=now,
                )
                .returning(_C.id, _C.departure_id, _C.attempts)
            )
        ).all()
        for row in rows:
            await self._log(session, row, Outcome.CANCELLED, at=now)
        return len(rows)

    async def reschedule(
        self,
        departure_id: str,
        actions: Sequence[ScheduledAction],
        kinds: Iterable[str] | None = None,
    ) -> ScheduleChange:
        """Make `actions` the departure's plan: upsert each, cancel other unsent ones of `kinds`.

        Sent actions stay as they are; an action in `actions` that was already sent is not sent
        again. `kinds` None means every kind of this departure.
        """
        strangers = [a.key for a in actions if a.departure_id != departure_id]
        if strangers:
            raise ValueError(f"actions for another departure: {strangers}")
        now = self._clock.now()
        async with write_transaction(self._db) as session:
            scheduled = 0
            for action in actions:
                scheduled += await self._upsert(session, action, now)
            cancelled = await self._cancel(
                session, departure_id, kinds, keep=[a.key for a in actions]
            )
        return ScheduleChange(scheduled=scheduled, cancelled=cancelled)

    async def requeue(self, action_id: int) -> bool:
        """Put a failed action back in the queue (HR decided to send it again); True if done."""
        now = self._clock.now()
        async with self._db.sessions.begin() as session:
            result = await session.execute(
                update(due_actions)
                .where(_C.id == action_id, _C.state == DueState.FAILED.value)
                .values(
                    state=DueState.PENDING.value,
                    attempts=0,
                    not_before=None,
                    last_error=None,
                    updated_at=now,
                )
            )
        return result.rowcount == 1

    # --- the worker's side -------------------------------------------------------------

    async def claim(self, owner: str, limit: int, lease_seconds: float) -> list[DueAction]:
        """Take up to `limit` actions for `owner` until the lease ends, oldest due first.

        Pending actions that are due, and claimed or sending ones whose lease ran out. Sending
        ones come back still marked sending: their last attempt's outcome is unknown.
        """
        now = self._clock.now()
        ready = or_(
            and_(
                _C.state == DueState.PENDING.value,
                _C.due_at <= now,
                or_(_C.not_before.is_(None), _C.not_before <= now),
            ),
            and_(_C.state.in_(_HELD), _C.lease_until < now),
        )
        async with write_transaction(self._db) as session:
            # PostgreSQL: lock the picked rows and skip rows another instance is claiming right
            # now. SQLite: BEGIN IMMEDIATE already made this the only writer.
            ids = (
                await session.scalars(
                    select(_C.id)
                    .where(ready)
                    .order_by(_C.due_at, _C.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not ids:
                return []
            rows = (
                await session.execute(
                    update(due_actions)
                    .where(_C.id.in_(ids))
                    .values(
                        state=case(
                            (_C.state == DueState.SENDING.value, DueState.SENDING.value),
                            else_=DueState.CLAIMED.value,
                        ),
                        lease_owner=owner,
                        lease_until=now + timedelta(seconds=lease_seconds),
                        updated_at=now,
                    )
                    .returning(*due_actions.c)
                )
            ).all()
        return sorted((_action(row) for row in rows), key=lambda a: (a.due_at, a.id))

    async def mark_sending(self, action_id: int, owner: str, lease_seconds: float) -> int | None:
        """Record that the request is about to go out; the attempt number, None if not ours.

        None means the action was cancelled or taken over meanwhile: do not send it.
        """
        now = self._clock.now()
        params = {
            "action_id": action_id,
            "owner": owner,
            "lease_until": now + timedelta(seconds=lease_seconds),
            "now": now,
        }
        async with self._db.sessions.begin() as session:
            return await session.scalar(_MARK_SENDING, params)

    async def mark_sent(
        self,
        action_id: int,
        owner: str,
        activity_id: str | None,
        *,
        outcome: Outcome = Outcome.SENT,
        code: str | None = None,
        status: int | None = None,
    ) -> bool:
        """Record delivery; True if the action changed to sent.

        Also settles an action given up as `unknown_outcome` meanwhile: the truth arrived late.
        """
        now = self._clock.now()
        params = {"action_id": action_id, "owner": owner, "activity_id": activity_id, "now": now}
        async with self._db.sessions.begin() as session:
            row = (await session.execute(_MARK_SENT, params)).one_or_none()
            target = row or await self._row_for_log(session, action_id)
            if target is not None:
                await self._log(
                    session,
                    target,
                    outcome,
                    at=now,
                    code=code,
                    status=status,
                    activity_id=activity_id,
                    worker=owner,
                )
        return row is not None

    async def mark_failed(
        self,
        action_id: int,
        owner: str,
        code: str,
        retry_at: datetime | None = None,
        *,
        outcome: Outcome = Outcome.ERROR,
        status: int | None = None,
    ) -> bool:
        """Record a failed attempt: back to pending until `retry_at`, or failed for good."""
        now = self._clock.now()
        values: dict[str, Any] = {
            "state": DueState.FAILED.value if retry_at is None else DueState.PENDING.value,
            "not_before": retry_at,
            "last_error": code,
            "lease_owner": None,
            "lease_until": None,
            "updated_at": now,
        }
        async with self._db.sessions.begin() as session:
            row = (
                await session.execute(
                    update(due_actions)
                    .where(_C.id == action_id, _C.lease_owner == owner, _C.state.in_(_HELD))
                    .values(values)
                    .returning(_C.id, _C.departure_id, _C.attempts)
                )
            ).one_or_none()
            if row is not None:
                await self._log(
                    session,
                    row,
                    outcome,
                    at=now,
                    code=code,
                    status=status,
                    retry_at=retry_at,
                    worker=owner,
                )
        return row is not None

    async def mark_unknown(
        self, action_id: int, owner: str, code: str, settle_until: datetime
    ) -> bool:
        """The request may have reached Teams: keep it `sending`, reconcile after `settle_until`."""
        now = self._clock.now()
        async with self._db.sessions.begin() as session:
            row = (
                await session.execute(
                    update(due_actions)
                    .where(
                        _C.id == action_id,
                        _C.lease_owner == owner,
                        _C.state == DueState.SENDING.value,
                    )
                    .values(lease_until=settle_until, last_error=code, updated_at=now)
                    .returning(_C.id, _C.departure_id, _C.attempts)
                )
            ).one_or_none()
            if row is not None:
                await self._log(session, row, Outcome.ERROR, at=now, code=code, worker=owner)
        return row is not None

    async def release(self, action_id: int, owner: str, not_before: datetime | None) -> bool:
        """Give back a claimed action that was not sent (shutdown, pacing); no attempt counted."""
        now = self._clock.now()
        async with self._db.sessions.begin() as session:
            result = await session.execute(
                update(due_actions)
                .where(
                    _C.id == action_id,
                    _C.lease_owner == owner,
                    _C.state == DueState.CLAIMED.value,
                )
                .values(
                    state=DueState.PENDING.value,
                    not_before=not_before,
                    lease_owner=None,
                    lease_until=None,
                    updated_at=now,
                )
            )
        return result.rowcount == 1

    async def record(
        self, action_id: int, outcome: Outcome, code: str | None, *, worker: str | None = None
    ) -> None:
        """Add a line to the action's log without changing its state (a reconciliation note)."""
        async with self._db.sessions.begin() as session:
            row = await self._row_for_log(session, action_id)
            if row is not None:
                await self._log(
                    session, row, outcome, at=self._clock.now(), code=code, worker=worker
                )

    # --- reading -----------------------------------------------------------------------

    async def get(self, action_id: int) -> DueAction | None:
        """The action with that id, if any."""
        async with self._db.sessions() as session:
            row = (
                await session.execute(select(due_actions).where(_C.id == action_id))
            ).one_or_none()
        return None if row is None else _action(row)

    async def get_by_key(self, key: str) -> DueAction | None:
        """The action scheduled under `key`, if any."""
        async with self._db.sessions() as session:
            row = (
                await session.execute(select(due_actions).where(_C.idempotency_key == key))
            ).one_or_none()
        return None if row is None else _action(row)

    async def for_departure(self, departure_id: str) -> list[DueAction]:
        """Every action of the departure, in due order."""
        async with self._db.sessions() as session:
            rows = (
                await session.execute(
                    select(due_actions)
                    .where(_C.departure_id == departure_id)
                    .order_by(_C.due_at, _C.id)
                )
            ).all()
        return [_action(row) for row in rows]

    async def timeline(self, departure_id: str) -> list[DeliveryEvent]:
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
        async with self._db.sessions() as session:
            rows = (await session.execute(statement)).all()
        return [DeliveryEvent.model_validate(dict(row._mapping)) for row in rows]

    async def counts(self) -> dict[DueState, int]:
        """How many actions are in each state."""
        async with self._db.sessions() as session:
            rows = (await session.execute(select(_C.state, func.count()).group_by(_C.state))).all()
        return {DueState(state): count for state, count in rows}

    # --- the log -----------------------------------------------------------------------

    async def _row_for_log(self, session: AsyncSession, action_id: int) -> Row[Any] | None:
        return (
            await session.execute(
                select(_C.id, _C.departure_id, _C.attempts).where(_C.id == action_id)
            )
        ).one_or_none()

    async def _log(
        self,
        session: AsyncSession,
        row: Row[Any],
        outcome: Outcome,
        *,
        at: datetime,
        code: str | None = None,
        status: int | None = None,
        activity_id: str | None = None,
        retry_at: datetime | None = None,
        worker: str | None = None,
    ) -> None:
        await session.execute(
            _LOG,
            {
                "due_action_id": row.id,
                "departure_id": row.departure_id,
                "at": at,
                "outcome": outcome.value,
                "code": code,
                "status": status,
                "activity_id": activity_id,
                "attempt": row.attempts,
                "retry_at": retry_at,
                "worker": worker,
            },
        )
