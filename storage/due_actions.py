"""The due-action queue: idempotent scheduling through the domain's port, and reading.

What the delivery worker does with the rows (claims with a lease, compare-and-set state
changes) is in storage.delivery_queue; what happened to each is in storage.delivery_log.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from journey.due import (
    DeliveryEvent,
    DueAction,
    DueActions,
    DueState,
    Outcome,
    ScheduleChange,
    ScheduledAction,
)
from storage import delivery_log
from storage.delivery_log import LOGGED, write_line
from storage.delivery_queue import DeliveryQueue, as_action
from storage.dialect import insert_for
from storage.tables import due_actions
from storage.transactions import write_transaction

_C = due_actions.c
# States in which a row may still be changed by the domain (moved, cancelled, revived).
_UNSENT = (DueState.PENDING.value, DueState.CANCELLED.value)


class DueActionQueue(DeliveryQueue, DueActions):
    """journey.due.DueActions on SQLAlchemy (SQLite or PostgreSQL), with the worker's side.

    Times come from `clock` and are stored in UTC.
    """

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
            expires_at=action.expires_at,
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
                "expires_at": statement.excluded.expires_at,
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
                .returning(*LOGGED)
            )
        ).all()
        for row in rows:
            await write_line(session, row, Outcome.CANCELLED, at=now)
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

    # --- reading -----------------------------------------------------------------------

    async def get(self, action_id: int) -> DueAction | None:
        """The action with that id, if any."""
        async with self._db.sessions() as session:
            row = (
                await session.execute(select(due_actions).where(_C.id == action_id))
            ).one_or_none()
        return None if row is None else as_action(row)

    async def get_by_key(self, key: str) -> DueAction | None:
        """The action scheduled under `key`, if any."""
        async with self._db.sessions() as session:
            row = (
                await session.execute(select(due_actions).where(_C.idempotency_key == key))
            ).one_or_none()
        return None if row is None else as_action(row)

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
        return [as_action(row) for row in rows]

    async def timeline(self, departure_id: str) -> list[DeliveryEvent]:
        """Every delivery attempt and decision about the departure's actions, oldest first."""
        return await delivery_log.timeline(self._db, departure_id)

    async def counts(self) -> dict[DueState, int]:
        """How many actions are in each state."""
        async with self._db.sessions() as session:
            rows = (await session.execute(select(_C.state, func.count()).group_by(_C.state))).all()
        return {DueState(state): count for state, count in rows}
